// Bundles a worker the way wrangler does (esbuild, `workerd`/`worker`/`browser` conditions,
// `.wasm` imports kept as separate CompiledWasm modules) and runs it in real workerd
// through miniflare.
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { basename } from "node:path";

export async function startWorker(entry) {
  const wasm = new Map();
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "error",
    plugins: [
      {
        name: "compiled-wasm",
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, async (args) => {
            if (args.pluginData === "inner") return undefined;
            const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: "inner" });
            const name = basename(resolved.path);
            wasm.set(name, resolved.path);
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  const modules = [{ type: "ESModule", path: "worker.mjs", contents: out.outputFiles[0].text }];
  for (const [name, path] of wasm) modules.push({ type: "CompiledWasm", path: name, contents: readFileSync(path) });
  const mf = new Miniflare({ modules, compatibilityDate: "2025-06-01" });
  await mf.ready;
  return { mf, wasmModules: [...wasm.keys()], bundle: out.outputFiles[0].text };
}
