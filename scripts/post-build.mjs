// After wasm-bindgen (web target, dist/web/): everything else the package ships is derived
// from that one glue and its one .wasm, so every entry exposes the same surface and no
// list of exports is written by hand.
//
// - dist/web/api.js: the public surface (every export of the glue but its init functions,
//   and every export of the errors snippet the glue does not use itself: the error classes),
//   re-exported by the ESM entries.
// - dist/node.cjs: the Node entry as one CommonJS file (the glue bundled by esbuild),
//   reading the .wasm next to it. Every Node supported can `require` it, and the ESM
//   entry re-exports it, so `import` and `require` share one instance per process.
// - dist/node.mjs: the ESM face of dist/node.cjs (entries/node.mjs re-exports it).
// - dist/inline/wasm.js: the .wasm as hex, for the entry that carries its bytes.
// - dist/types/**.d.cts: the declarations for `require`, copied from the .d.ts files.
// - dist/sizes.json: the gzipped sizes.
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative, dirname } from "node:path";
import { build } from "esbuild";

const pkg = new URL("../pkg/", import.meta.url).pathname;
const dist = join(pkg, "dist");
const web = join(dist, "web");
const glue = join(web, "conveyor_client.js");
const wasm = join(web, "conveyor_client_bg.wasm");

/** Every file below `dir` whose path ends with `suffix`. */
function files(dir, suffix) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p, suffix);
    return p.endsWith(suffix) ? [p] : [];
  });
}

/** Replaces `from` in `text` exactly once, or fails the build (the glue changed shape). */
function replaceOnce(text, from, to, what) {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`post-build: expected one ${what} in the glue, found ${n}`);
  return text.replace(from, () => to);
}

// 1. The glue's own default .wasm URL (`new URL(..., import.meta.url)`) is never used: each
// entry passes its module or URL. Left in, it would make bundlers that emit CommonJS warn
// about an empty `import.meta`, and keep `import.meta` in bundles that never need it.
const NO_DEFAULT = 'throw new Error("conveyor-client: the entry passes the .wasm to init");';
let source = readFileSync(glue, "utf8");
if (!source.includes(NO_DEFAULT)) {
  source = replaceOnce(source, "module_or_path = new URL('conveyor_client_bg.wasm', import.meta.url);", NO_DEFAULT, "default .wasm URL");
}
if (source.includes("import.meta")) throw new Error("post-build: the glue still reads import.meta");
writeFileSync(glue, source);

// 2. The public surface.
const INIT = new Set(["initSync", "default"]);
const glueExports = [
  ...[...source.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]),
  ...[...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) =>
    m[1].split(",").map((s) => s.trim().split(/\s+as\s+/).pop()),
  ),
].filter((name) => name && !INIT.has(name));
const errorsSnippet = files(join(web, "snippets"), "/errors.js");
if (errorsSnippet.length !== 1) throw new Error(`post-build: expected one errors.js snippet, found ${errorsSnippet.length}`);
// The errors snippet's exports are public, except what the glue itself imports from it
// (`makeError`, the shell's way to build them).
const glueImports = new Set(
  [...source.matchAll(/^import \{([^}]*)\} from '\.\/snippets\/[^']*\/errors\.js'/gm)].flatMap((m) => m[1].split(",").map((n) => n.trim())),
);
const errorsExports = [...readFileSync(errorsSnippet[0], "utf8").matchAll(/^export (?:class|function) (\w+)/gm)]
  .map((m) => m[1])
  .filter((name) => !glueImports.has(name));
if (!glueImports.has("makeError")) throw new Error("post-build: the glue no longer imports makeError from the errors snippet");
if (!glueExports.includes("ConveyorClient") || !errorsExports.includes("ConveyorAuthError")) {
  throw new Error(`post-build: unexpected surface: ${glueExports} / ${errorsExports}`);
}
writeFileSync(
  join(web, "api.js"),
  `export { ${glueExports.join(", ")} } from "./conveyor_client.js";\n` +
    `export { ${errorsExports.join(", ")} } from "./${relative(web, errorsSnippet[0])}";\n`,
);

// 3. The Node entry as CommonJS. esbuild annotates the export names so that Node's ESM
// loader sees them as named exports of this file (for whoever imports it from ESM directly;
// the package's own ESM entry goes through dist/node.mjs, below).
await build({
  stdin: {
    resolveDir: dist,
    sourcefile: "node-entry.mjs",
    contents: [
      'import { readFileSync } from "node:fs";',
      'import { initSync } from "./web/conveyor_client.js";',
      'initSync({ module: readFileSync(__dirname + "/web/conveyor_client_bg.wasm") });',
      'import * as api from "./web/api.js";',
      // Names show in stack traces and util.inspect: where bundling renamed an exported class
      // (`_ConveyorClient`), it gets its own name back, once, at load.
      'for (const [k, v] of Object.entries(api)) if (typeof v === "function" && v.name !== k) Object.defineProperty(v, "name", { value: k });',
      'export * from "./web/api.js";',
    ].join("\n"),
  },
  outfile: join(dist, "node.cjs"),
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node18",
  // Not `keepNames`: it wraps every function the glue and the snippets create per call
  // (closures, promise callbacks) in an `Object.defineProperty`, which tripled the client's
  // own CPU per call in Node (~35 µs instead of ~9 with `fetch` stubbed). The exported
  // classes get their names back above.
  keepNames: false,
  logLevel: "warning",
  banner: { js: "// conveyor-client for Node (CommonJS), built from dist/web/ by scripts/post-build.mjs." },
});

// 3b. The Node ESM face of that same CommonJS file. Importing a CommonJS file from ESM makes
// Node scan its whole text with cjs-module-lexer to find the export names before it runs it
// (about half of the package's import time in Node 20); `createRequire` loads it through
// the CommonJS loader directly, so this file names the exports itself, from the list above.
// It is still the one module `require` loads, so both share one instance.
const nodeExports = [...glueExports, ...errorsExports].sort();
writeFileSync(
  join(dist, "node.mjs"),
  "// conveyor-client for Node (ESM), built by scripts/post-build.mjs: dist/node.cjs, loaded without the CommonJS export scan.\n" +
    'import { createRequire } from "node:module";\n' +
    'const api = createRequire(import.meta.url)("./node.cjs");\n' +
    `export const { ${nodeExports.join(", ")} } = api;\n`,
);

// 4. The bytes for the inline entry. Hex, because it survives every bundler's string
// handling (a byte string with escapes would be re-escaped to \uXXXX by some) and, unlike
// base64, keeps each byte's repeats visible to gzip (entries/load-inline.mjs).
const bytes = readFileSync(wasm);
mkdirSync(join(dist, "inline"), { recursive: true });
writeFileSync(join(dist, "inline", "wasm.js"), `export default "${bytes.toString("hex")}";\n`);

// 5. Declarations for `require`: the same text, as CommonJS declaration files whose
// relative imports name the .cjs siblings.
const declarations = [join(pkg, "index.d.ts"), join(pkg, "resources.d.ts"), join(pkg, "records.d.ts"), ...files(join(pkg, "stores"), ".d.ts")];
for (const file of declarations) {
  const out = join(dist, "types", relative(pkg, file)).replace(/\.d\.ts$/, ".d.cts");
  mkdirSync(dirname(out), { recursive: true });
  const text = readFileSync(file, "utf8").replace(/(from\s+["'])(\.{1,2}\/[^"']*)\.js(["'])/g, "$1$2.cjs$3");
  writeFileSync(out, text);
}

// 6. Sizes.
const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const wasmGz = gz(wasm);
const snippetsGz = files(join(web, "snippets"), ".js").reduce((n, p) => n + gz(p), 0);
const rows = [
  { loader: "web", "wasm (gzip B)": wasmGz, "JS glue (gzip B)": gz(glue) + snippetsGz, "total (gzip B)": wasmGz + gz(glue) + snippetsGz },
  { loader: "node (cjs)", "wasm (gzip B)": wasmGz, "JS glue (gzip B)": gz(join(dist, "node.cjs")), "total (gzip B)": wasmGz + gz(join(dist, "node.cjs")) },
  { loader: "inline (hex)", "wasm (gzip B)": gz(join(dist, "inline", "wasm.js")), "JS glue (gzip B)": gz(glue) + snippetsGz, "total (gzip B)": gz(join(dist, "inline", "wasm.js")) + gz(glue) + snippetsGz },
];
console.log("Package sizes (gzip -9):");
console.table(rows);
writeFileSync(join(dist, "sizes.json"), JSON.stringify(rows, null, 2));
