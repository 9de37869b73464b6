// The size budget: what a browser app pays for `import { ConveyorClient } from
// "conveyor-client"` — the JS esbuild emits (--bundle --minify, the `browser` and `production`
// conditions a Vite or webpack production build resolves) from the
// packed package plus the .wasm it loads, gzip -9. Size is deterministic, so this can gate.
// Rate-limit stores are a second build (`conveyor-client/stores`): what it costs on top of
// the lean import, measured the same way, has a budget of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundledSize } from "./lib/size.mjs";

/**
 * THE BUDGET, in gzip -9 bytes. Lower it whenever the build shrinks (the size reached plus
 * 1 KB); never raise it to make a change pass.
 */
export const BROWSER_IMPORT_BUDGET = 40_415 + 1024;

/**
 * What `import { ConveyorClient } from "conveyor-client/stores"` may cost more than the lean
 * import, in gzip -9 bytes. The goal is 15 KB (15_360); the budget was set at 13_180 (both
 * builds without std) plus 1 KB, under the goal. The extra grows when the lean build sheds
 * code the stores build still needs (argument checks moving to JS did: 13,756 B now, the
 * stores import itself 2.6 KB smaller), so it is a ceiling the stores code must fit under,
 * not the size reached. Lower it whenever the stores code shrinks, never raise it.
 */
export const STORES_EXTRA_BUDGET = 13_180 + 1024;

let leanTotal;
const kb = (b) => `${(b / 1024).toFixed(1)} KB (${b} B)`;

test("import { ConveyorClient } in a browser bundle stays within the size budget", async () => {
  // Resolved from the scratch project e2e.sh installs the packed tarball into.
  const resolveDir = fileURLToPath(new URL("../..", import.meta.url));
  const size = await bundledSize({ resolveDir });
  leanTotal = size.totalGzip;
  console.log(
    `browser import, gzip -9: JS ${kb(size.jsGzip)} (${size.jsBytes} B minified) + .wasm ${kb(size.wasmGzip)} ` +
      `(${size.wasm.map((w) => `${w.bytes} B raw`).join(", ")}) = ${kb(size.totalGzip)}; budget ${kb(BROWSER_IMPORT_BUDGET)}`,
  );
  // A bundle that lost its .wasm would pass any budget: the loader must still name one.
  assert.equal(size.wasm.length, 1, `expected the bundle to load one .wasm, found ${size.wasm.map((w) => w.path)}`);
  assert.ok(size.wasm[0].path.includes("/node_modules/conveyor-client/"), `the .wasm should come from the installed package: ${size.wasm[0].path}`);
  assert.ok(
    size.totalGzip <= BROWSER_IMPORT_BUDGET,
    `${kb(size.totalGzip)} is over the budget of ${kb(BROWSER_IMPORT_BUDGET)} by ${size.totalGzip - BROWSER_IMPORT_BUDGET} B`,
  );
});

// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and each export after its Rust
// item; every one is written in the .wasm and again in the glue, where no minifier renames it.
// The build shortens them (scripts/minify-names.mjs): none of those names may reach a user.
test("the shipped .wasm and its glue share only short names, in both builds", () => {
  const dist = fileURLToPath(new URL("../../node_modules/conveyor-client/dist/", import.meta.url));
  const builds = [
    ["web/conveyor_client_bg.wasm", "web/conveyor_client.js", "node.cjs"],
    ["stores/conveyor_client_stores_bg.wasm", "stores/conveyor_client_stores.js", "stores/node.cjs"],
  ];
  for (const [wasm, ...glues] of builds) {
    const module = new WebAssembly.Module(readFileSync(dist + wasm));
    const imports = WebAssembly.Module.imports(module);
    const exports = WebAssembly.Module.exports(module);
    assert.ok(imports.length > 0 && exports.length > 0);
    const long = [...imports.flatMap((i) => [i.module, i.name]), ...exports.map((e) => e.name)].filter((n) => n.length > 3);
    assert.deepEqual([...new Set(long)], [], `${wasm}: import modules and names, export names longer than 3 characters`);
    for (const glue of glues) {
      const text = readFileSync(dist + glue, "utf8");
      assert.deepEqual(text.match(/\w+_h?[0-9a-f]{16}\b/g), null, `hashed names in ${glue}`);
      assert.deepEqual(text.match(/\bwasm\.[\w$]{4,}/g), null, `long export names read by ${glue}`);
    }
  }
});

test("import { ConveyorClient } from conveyor-client/stores costs at most its budget more than the lean import", async () => {
  const resolveDir = fileURLToPath(new URL("../..", import.meta.url));
  const lean = leanTotal ?? (await bundledSize({ resolveDir })).totalGzip;
  const size = await bundledSize({ resolveDir, contents: 'export { ConveyorClient } from "conveyor-client/stores";' });
  const extra = size.totalGzip - lean;
  console.log(
    `stores import, gzip -9: JS ${kb(size.jsGzip)} + .wasm ${kb(size.wasmGzip)} = ${kb(size.totalGzip)}: ` +
      `${kb(extra)} more than the lean import; budget ${kb(STORES_EXTRA_BUDGET)} (goal 15 KB)`,
  );
  assert.equal(size.wasm.length, 1, `expected the bundle to load one .wasm, found ${size.wasm.map((w) => w.path)}`);
  assert.match(size.wasm[0].path, /\/node_modules\/conveyor-client\/dist\/stores\//, "the stores import loads the stores build's .wasm");
  // The lean import must not carry the store code: the two .wasm differ by it.
  assert.ok(extra > 0, `the stores import is not bigger than the lean one (${extra} B): is the lean build still carrying the stores?`);
  assert.ok(extra <= STORES_EXTRA_BUDGET, `${kb(extra)} more than the lean import is over the budget of ${kb(STORES_EXTRA_BUDGET)} by ${extra - STORES_EXTRA_BUDGET} B`);
});
