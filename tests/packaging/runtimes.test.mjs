// The packed tarball run as installed (no bundler): Node with `import` and `require` in one
// process, Bun (ESM, CommonJS, and the same mix), Deno.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSandbox } from "../e2e/lib/sandbox.mjs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { project, bin, run } from "./lib/project.mjs";
import { inProcess } from "./lib/targets.mjs";

let sb;
before(async () => {
  sb = await startSandbox();
});
after(() => sb?.stop());

const bun = bin("bun");
const CASES = [
  { name: "Node: an ESM app with a CommonJS dependency, one instance", dir: "node-dual", app: { "main.mjs": "dual.mjs" }, cmd: [process.execPath, "src/main.mjs"] },
  { name: "Bun: an ESM app with a CommonJS dependency, one instance", dir: "node-dual", app: { "main.mjs": "dual.mjs" }, cmd: [bun, "src/main.mjs"] },
  { name: "Bun: ESM", dir: "bun", app: { "main.mjs": "node.mjs" }, cmd: [bun, "src/main.mjs"] },
  { name: "Bun: CommonJS", dir: "bun", app: { "main.cjs": "node.cjs" }, cmd: [bun, "src/main.cjs"] },
  {
    name: "Deno: npm package from node_modules",
    dir: "deno",
    app: { "main.mjs": "node.mjs" },
    cmd: [bin("deno"), "run", "--allow-net=127.0.0.1,localhost", "--allow-read", "--allow-env", "src/main.mjs"],
  },
];

CASES.forEach((c, i) => {
  test(c.name, async () => {
    const dir = await project(c.dir, { as: `runtime-${i}-${c.dir}`, app: c.app });
    const result = await inProcess(c.cmd[0], c.cmd.slice(1), dir, sb);
    assert.deepEqual(result.failures, []);
    assert.equal(result.checked, true);
  });
});

test("every entry exports exactly what index.d.ts (stores.d.ts for conveyor-client/stores) declares as a value", async () => {
  const dir = await project("bun", { as: "runtime-surface", app: { "main.mjs": "surface.mjs" } });
  const values = (file) =>
    [...readFileSync(join(dir, "node_modules/conveyor-client", file), "utf8").matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]);
  const declared = values("index.d.ts").sort();
  const declaredStores = [...new Set([...declared, ...values("stores.d.ts")])].sort();
  const { stdout } = await run(process.execPath, ["src/main.mjs"], { cwd: dir });
  const seen = JSON.parse(stdout);
  assert.ok(declared.includes("ConveyorAuthError") && declared.includes("ConveyorClient"), declared.join());
  assert.deepEqual(seen.import, declared, "import");
  assert.deepEqual(seen.require, declared, "require");
  assert.deepEqual(seen.inline, declared, "conveyor-client/inline");
  assert.ok(!declared.includes("MemoryStore") && declaredStores.includes("MemoryStore"), declaredStores.join());
  assert.deepEqual(seen.stores.import, declaredStores, "conveyor-client/stores import");
  assert.deepEqual(seen.stores.require, declaredStores, "conveyor-client/stores require");
  assert.deepEqual(seen.stores.inline, declaredStores, "conveyor-client/stores/inline");
});
