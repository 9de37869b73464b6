// Bundles a worker the way wrangler does (esbuild, `workerd`/`worker`/`browser` conditions,
// `.wasm` imports kept as separate CompiledWasm modules) and runs it in real workerd
// through miniflare.
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { basename } from "node:path";

/** The bundle of `entry` as wrangler makes it: `{ modules, wasmModules, bundle }` for Miniflare. */
export async function bundleWorker(entry) {
  const wasm = new Map();
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "error",
    // Runtime modules (cloudflare:workers, ...) are provided by workerd, as in wrangler.
    external: ["cloudflare:*"],
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
  return { modules, wasmModules: [...wasm.keys()], bundle: out.outputFiles[0].text };
}

export async function startWorker(entry) {
  const { modules, wasmModules, bundle } = await bundleWorker(entry);
  const mf = new Miniflare({ modules, compatibilityDate: "2025-06-01" });
  await mf.ready;
  return { mf, wasmModules, bundle };
}
