// Bundles the app the way Vercel's Edge bundler does: the `edge-light` condition first, and a
// `.wasm?module` import kept as a separate precompiled WebAssembly.Module beside the bundle.
// The output runs in workerd (Miniflare), which, like Vercel Edge, refuses to compile wasm
// from bytes at run time.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { basename } from "node:path";

mkdirSync("out", { recursive: true });
await build({
  entryPoints: ["src/worker.mjs"],
  outfile: "out/worker.mjs",
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  conditions: ["edge-light", "worker", "browser"],
  logLevel: "warning",
  plugins: [
    {
      name: "wasm-module",
      setup(b) {
        b.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
          const file = args.path.replace(/\?module$/, "");
          const resolved = await b.resolve(file, { resolveDir: args.resolveDir, kind: args.kind });
          copyFileSync(resolved.path, `out/${basename(resolved.path)}`);
          return { path: `./${basename(resolved.path)}`, external: true };
        });
      },
    },
  ],
});
