// What an app pays to ship the package: the JS a bundler emits (esbuild --bundle --minify)
// plus every .wasm that JS loads, each gzipped at level 9. Used by the size budget test and
// by `make bench`, so both report the same figure.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** Gzip -9 size of `bytes`. */
export const gzipBytes = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The import an app makes to use the client: the class, kept alive by exporting it. */
export const CLIENT_IMPORT = 'export { ConveyorClient } from "conveyor-client";';

/**
 * Bundles `contents` (an ES module importing the package, resolved from `resolveDir`) for
 * `platform` with `conditions`, minified, and finds the .wasm files the bundled modules load:
 * `new URL("x.wasm", import.meta.url)` (browsers and bundlers) or `import … from "x.wasm"`
 * (workerd), resolved against the module that names them.
 *
 * Returns `{ jsGzip, wasmGzip, totalGzip, jsBytes, wasm: [{ path, bytes, gzip }] }`.
 */
// `production` with `browser` is what Vite and webpack resolve for a production build: the
// entry that loads the .wasm as an asset (plain `browser` gets the entry with the bytes inlined).
export async function bundledSize({ resolveDir, contents = CLIENT_IMPORT, platform = "browser", conditions = ["browser", "production"], minify = true }) {
  const out = await build({
    stdin: { contents, resolveDir },
    bundle: true,
    format: "esm",
    platform,
    conditions,
    minify,
    write: false,
    metafile: true,
    logLevel: "silent",
    external: ["*.wasm", "node:*", "cloudflare:*"],
  });
  const js = out.outputFiles[0].contents;
  const wasmPaths = new Set();
  const reference = /new URL\(\s*["']([^"']+\.wasm)["']\s*,\s*import\.meta\.url\s*\)|from\s*["']([^"']+\.wasm)["']/g;
  for (const input of Object.keys(out.metafile.inputs)) {
    if (input.startsWith("<")) continue; // stdin
    const file = resolve(resolveDir, input);
    for (const m of readFileSync(file, "utf8").matchAll(reference)) wasmPaths.add(resolve(dirname(file), m[1] ?? m[2]));
  }
  const wasm = [...wasmPaths].sort().map((path) => {
    const bytes = readFileSync(path);
    return { path, bytes: bytes.length, gzip: gzipBytes(bytes) };
  });
  const jsGzip = gzipBytes(js);
  const wasmGzip = wasm.reduce((n, w) => n + w.gzip, 0);
  return { jsBytes: js.length, jsGzip, wasmGzip, totalGzip: jsGzip + wasmGzip, wasm };
}
