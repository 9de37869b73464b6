// The size budget: what a browser app pays for `import { ConveyorClient } from
// "conveyor-client"` — the JS esbuild emits (--bundle --minify, the `browser` and `production`
// conditions a Vite or webpack production build resolves) from the
// packed package plus the .wasm it loads, gzip -9. Size is deterministic, so this can gate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { bundledSize } from "./lib/size.mjs";

/**
 * THE BUDGET, in gzip -9 bytes. Lower it whenever the build shrinks (the size reached plus
 * 1 KB); never raise it to make a change pass.
 */
export const BROWSER_IMPORT_BUDGET = 96_405 + 1024;

const kb = (b) => `${(b / 1024).toFixed(1)} KB (${b} B)`;

test("import { ConveyorClient } in a browser bundle stays within the size budget", async () => {
  // Resolved from the scratch project e2e.sh installs the packed tarball into.
  const resolveDir = fileURLToPath(new URL("../..", import.meta.url));
  const size = await bundledSize({ resolveDir });
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
