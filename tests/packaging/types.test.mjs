// Types for every resolver: `attw --pack` and `publint --strict` on the package, and `tsc`
// over a consumer matrix (import and require x node10/node16/nodenext/bundler x the DOM
// library, Node's types without DOM, Cloudflare's Workers types), skipLibCheck off, so the
// shipped declarations themselves must compile in each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { project, run, pool, bin, REPO } from "./lib/project.mjs";

test("attw --pack: no problem under any profile, for every export", async () => {
  const { stdout } = await run(bin("attw"), ["--pack", "pkg", "--format", "table-flipped"], { cwd: REPO });
  assert.match(stdout, /No problems found/);
});

test("publint --strict on the tarball", async () => {
  const { stdout, stderr } = await run(bin("publint"), ["--strict", process.env.PACKAGING_TARBALL], { cwd: REPO });
  assert.match(stdout + stderr, /All good/);
});

// module / moduleResolution pairs, and how each writes an ESM and a CommonJS consumer.
const RESOLVERS = {
  node10: { module: "commonjs", esm: "esm.ts", cjs: "cjs.ts" },
  node16: { module: "node16", esm: "esm.mts", cjs: "cjs.cts" },
  nodenext: { module: "nodenext", esm: "esm.mts", cjs: "cjs.cts" },
  bundler: { module: "preserve", esm: "esm.ts", cjs: "cjs.cts" },
};
const LIBS = {
  dom: { lib: ["es2022", "dom", "dom.iterable"], types: [] },
  "node, no DOM": { lib: ["es2022"], types: ["node"] },
  "workers-types": { lib: ["es2022"], types: ["@cloudflare/workers-types"] },
};

test("tsc --strict: every resolver, import and require, with DOM, Node's types, Workers types", async (t) => {
  const dir = await project("types", { as: "types" });
  const jobs = [];
  for (const [resolution, r] of Object.entries(RESOLVERS)) {
    for (const [libName, lib] of Object.entries(LIBS)) {
      for (const format of ["esm", "cjs"]) {
        const name = `${resolution}-${format}-${libName.replace(/\W+/g, "-")}`;
        const file = `${name}.${r[format].split(".").pop()}`;
        writeFileSync(join(dir, file), readFileSync(join(REPO, "tests/packaging/types", `${format}.ts`), "utf8"));
        writeFileSync(
          join(dir, `tsconfig.${name}.json`),
          JSON.stringify({
            compilerOptions: { strict: true, noEmit: true, target: "es2022", module: r.module, moduleResolution: resolution, ...lib },
            files: [file],
          }),
        );
        jobs.push(async () => {
          await run(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", `tsconfig.${name}.json`], { cwd: dir }).catch(
            (e) => {
              throw new Error(`${name}: ${e.message}`);
            },
          );
          return name;
        });
      }
    }
  }
  const results = await pool(2, jobs);
  const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
  t.diagnostic(`${results.length - failed.length} of ${results.length} configurations compile`);
  assert.deepEqual(failed, []);
});
