// After wasm-bindgen (web target) has built the two builds of the crate, dist/web/ (lean:
// what `conveyor-client` loads) and dist/stores/ (with the `stores` feature: what
// `conveyor-client/stores` and `conveyor-client/durable-object` load): everything else the
// package ships is derived from those glues and their .wasm, so every entry of a build
// exposes the same surface and no list of exports is written by hand.
//
// - dist/errors.js: the one copy of the error classes (src/js/errors.js) both glues import,
//   so a `ConveyorError` from either build is an instance of the classes both export, and
//   the module where each build registers its rate-limit bucket checker (src/realms.rs).
//   dist/errors.cjs is its CommonJS form, which both Node bundles require.
// - dist/webhook.js: `verifyWebhook` (src/js/webhook.js), plain JS that imports the errors
//   module, so no glue imports it and it is copied as it is; every build's surface
//   re-exports it. Each Node bundle carries its own copy (below), its errors from errors.cjs.
// Then, for each build (<b> = dist/web for the lean one, dist/stores for the other):
// - <b>/api.js: the public surface (every export of the glue but its init functions,
//   `verifyWebhook`, and every export of the errors module the glue does not use itself:
//   the error classes), re-exported by the ESM entries.
// - dist/node.cjs, dist/stores/node.cjs: the Node entry as one CommonJS file (the glue
//   bundled by esbuild with the webhook module, errors.cjs left out and required), reading the .wasm next to it
//   at the package's first use, not at import.
//   Every Node supported can `require` it, and the ESM face loads it, so `import` and
//   `require` share one instance per process.
// - dist/node.mjs, dist/stores/node.mjs: the ESM face of that CommonJS file. The package's
//   `exports` name these two files for Node themselves (no re-exporting file in entries/:
//   one module fewer for Node to resolve and load at import).
// - dist/inline/wasm.js, dist/stores/inline/wasm.js: the .wasm as hex, for the entry
//   that carries its bytes.
// - dist/stores/entries/: the stores build's entries, pkg/entries/* with their paths moved
//   to the stores build (one set of entries to maintain).
// - dist/types/**.d.cts: the declarations for `require`, copied from the .d.ts files.
// - dist/sizes.json: the gzipped sizes.
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, rmSync, copyFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative, dirname, resolve } from "node:path";
import { build } from "esbuild";

const pkg = new URL("../pkg/", import.meta.url).pathname;
const dist = join(pkg, "dist");
const errorsFile = join(dist, "errors.js");
const errorsCjs = join(dist, "errors.cjs");
const webhookFile = join(dist, "webhook.js");
const memoryStoreSource = new URL("../src/js/memory_store.js", import.meta.url).pathname;
/** The two builds: where their glue and .wasm are, and where their Node and inline files go. */
const BUILDS = [
  { name: "lean", stem: "conveyor_client", web: join(dist, "web"), node: join(dist, "node"), inline: join(dist, "inline", "wasm.js") },
  { name: "stores", stem: "conveyor_client_stores", web: join(dist, "stores"), node: join(dist, "stores", "node"), inline: join(dist, "stores", "inline", "wasm.js") },
];

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

/** `to` as a relative specifier from the directory `fromDir`. */
function rel(fromDir, to) {
  const r = relative(fromDir, to);
  return r.startsWith(".") ? r : `./${r}`;
}

// 1. The one errors module: each build's snippet copy must be the same text (the same
// source file); the first becomes dist/errors.js, both glues import it, the copies go.
let errorsText;
for (const b of BUILDS) {
  const snippet = files(join(b.web, "snippets"), "/errors.js");
  if (snippet.length !== 1) throw new Error(`post-build: expected one errors.js snippet in ${b.web}, found ${snippet.length}`);
  const text = readFileSync(snippet[0], "utf8");
  if (errorsText !== undefined && text !== errorsText) throw new Error("post-build: the two builds' errors.js differ");
  errorsText = text;
  rmSync(snippet[0]);
  b.errorsSpecifier = `./${relative(b.web, snippet[0])}`;
  // The typed calls' snippet builds its validation errors itself: its import of the errors
  // snippet beside it now names the one shared module too.
  const resources = files(join(b.web, "snippets"), "/resources.js");
  if (resources.length !== 1) throw new Error(`post-build: expected one resources.js snippet in ${b.web}, found ${resources.length}`);
  const resourcesText = readFileSync(resources[0], "utf8");
  writeFileSync(resources[0], replaceOnce(resourcesText, 'from "./errors.js";', `from "${rel(dirname(resources[0]), errorsFile)}";`, "resources.js's import of the errors module"));
}
writeFileSync(errorsFile, errorsText);
await build({ entryPoints: [errorsFile], outfile: errorsCjs, format: "cjs", platform: "neutral", target: "es2022", logLevel: "warning" });

// 1b. `verifyWebhook`: not the wasm's (a browser, which must never hold a signing secret,
// would pay for it in every .wasm), one JS module next to the errors module it imports.
const webhookText = readFileSync(new URL("../src/js/webhook.js", import.meta.url), "utf8");
if (!webhookText.includes('from "./errors.js";')) throw new Error("post-build: src/js/webhook.js no longer imports ./errors.js");
writeFileSync(webhookFile, webhookText);
// Only `verifyWebhook` is public: the module's other exports are there for its tests.
const webhookExports = ["verifyWebhook"];
if (!webhookText.includes("export async function verifyWebhook(")) throw new Error("post-build: src/js/webhook.js no longer exports verifyWebhook");

const errorsExportsAll = [...errorsText.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]);
const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const rows = [];
const surfaces = [];

for (const b of BUILDS) {
  const glue = join(b.web, `${b.stem}.js`);
  const wasm = join(b.web, `${b.stem}_bg.wasm`);

  // 2. The glue's own default .wasm URL (`new URL(..., import.meta.url)`) is never used:
  // each entry passes its module or URL. Left in, it would make bundlers that emit CommonJS
  // warn about an empty `import.meta`, and keep `import.meta` in bundles that never need it.
  // Its imports of the errors snippet now name the one shared module.
  const NO_DEFAULT = 'throw new Error("conveyor-client: the entry passes the .wasm to init");';
  let source = readFileSync(glue, "utf8");
  source = replaceOnce(source, `module_or_path = new URL('${b.stem}_bg.wasm', import.meta.url);`, NO_DEFAULT, "default .wasm URL");
  if (source.includes("import.meta")) throw new Error("post-build: the glue still reads import.meta");
  const errorsImport = `from '${b.errorsSpecifier}'`;
  if (!source.includes(errorsImport)) throw new Error(`post-build: the ${b.name} glue does not import ${b.errorsSpecifier}`);
  source = source.split(errorsImport).join(`from '${rel(b.web, errorsFile)}'`);
  // `fetch()` and `request()` are JS (src/js/resources.js): installed on the class where the
  // glue defines it, so every entry, and whatever imports the glue, has them.
  const resourcesImport = /^(import \{[^}]*)( \} from '\.\/snippets\/[^']*\/src\/js\/resources\.js';)$/m;
  if (!resourcesImport.test(source)) throw new Error(`post-build: the ${b.name} glue does not import src/js/resources.js`);
  source = `${source.replace(resourcesImport, "$1, installCalls$2")}\ninstallCalls(ConveyorClient);\n`;
  // The snippets call back into the .wasm through its exports, which the glue hands them
  // here, when it loads: `done` and the scheduler's `tick` (src/js/transport.js), and the
  // build's bucket check (the errors module, src/realms.rs). So the .wasm makes no JS
  // function at run time (a wasm-bindgen `Closure` cost it invoke and vtable shims and
  // destructors, and the glue `makeMutClosure` and a FinalizationRegistry). They stay the
  // glue's own: not exported, so no entry or api.js carries them. A build asks the others
  // only once its .wasm is instantiated (the Node entry instantiates at first use): until
  // then it holds no bucket, and answering must not load it.
  for (const hook of ["__done", "__tick", "__hasBucket"]) {
    source = replaceOnce(source, `\nexport function ${hook}(`, `\nfunction ${hook}(`, `export of ${hook}`);
  }
  const transportImport = /^(import \{[^}]*)( \} from '\.\/snippets\/[^']*\/src\/js\/transport\.js';)$/m;
  if (!transportImport.test(source)) throw new Error(`post-build: the ${b.name} glue does not import src/js/transport.js`);
  source = source.replace(transportImport, "$1, setDone$2");
  source = replaceOnce(source, ` } from '${rel(b.web, errorsFile)}';`, `, addBucketCheck } from '${rel(b.web, errorsFile)}';`, "import from the errors module");
  replaceOnce(source, "let wasmModule, wasmInstance, wasm;", "", "declaration of the instance");
  source += "setDone(__done, __tick);\naddBucketCheck((key, baseUrl) => wasmInstance !== undefined && __hasBucket(key, baseUrl));\n";
  if (/\bmake(?:Mut)?Closure\b|CLOSURE_DTORS/.test(source)) {
    throw new Error(`post-build: the ${b.name} .wasm makes a wasm-bindgen Closure: hand the snippet an export through the glue instead`);
  }
  // `MemoryStore`'s public methods are JS (src/js/memory_store.js, which reads and checks the
  // requests and snapshots): a module of the stores build, which its glue imports and
  // installs on the class. The lean glue never names it, so no lean bundle carries it.
  if (b.name === "stores") {
    copyFileSync(memoryStoreSource, join(b.web, "memory_store.js"));
    source = `import { installMemoryStore } from './memory_store.js';\n${source}installMemoryStore(MemoryStore);\n`;
  }
  writeFileSync(glue, source);

  // 3. The public surface.
  const INIT = new Set(["initSync", "default"]);
  const glueExports = [
    ...[...source.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]),
    ...[...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) =>
      m[1].split(",").map((s) => s.trim().split(/\s+as\s+/).pop()),
    ),
  ].filter((name) => name && !INIT.has(name));
  // The errors module's exports are public, except what the glue itself imports from it
  // (`makeError`, the shell's way to build them; `bucketElsewhere`, the realm's registry).
  const glueImports = new Set(
    [...source.matchAll(/^import \{([^}]*)\} from '[^']*errors\.js'/gm)].flatMap((m) => m[1].split(",").map((n) => n.trim())),
  );
  const errorsExports = errorsExportsAll.filter((name) => !glueImports.has(name));
  if (!glueImports.has("makeError") || !glueImports.has("bucketElsewhere")) {
    throw new Error(`post-build: the ${b.name} glue no longer imports makeError and bucketElsewhere from the errors module`);
  }
  if (glueExports.includes("verifyWebhook")) throw new Error(`post-build: the ${b.name} glue exports verifyWebhook, which is webhook.js's`);
  if (!glueExports.includes("ConveyorClient") || !errorsExports.includes("ConveyorAuthError")) {
    throw new Error(`post-build: unexpected surface: ${glueExports} / ${errorsExports}`);
  }
  if (glueExports.includes("MemoryStore") !== (b.name === "stores")) {
    throw new Error(`post-build: MemoryStore should be exported by the stores build only (${b.name}: ${glueExports})`);
  }
  writeFileSync(
    join(b.web, "api.js"),
    `export { ${glueExports.join(", ")} } from "./${b.stem}.js";\n` +
      `export { ${webhookExports.join(", ")} } from "${rel(b.web, webhookFile)}";\n` +
      `export { ${errorsExports.join(", ")} } from "${rel(b.web, errorsFile)}";\n`,
  );
  const publicNames = [...glueExports, ...webhookExports, ...errorsExports].sort();
  surfaces.push({ name: b.name, exports: publicNames });

  // 4. The Node entry as CommonJS. esbuild annotates the export names so that Node's ESM
  // loader sees them as named exports of this file (for whoever imports it from ESM
  // directly; the package's own ESM entry goes through the .mjs face, below). The errors
  // module stays out of the bundle: both builds' bundles require the one errors.cjs. The
  // webhook module is bundled in, each build its own copy: a webhook.cjs of its own, required
  // at import like errors.cjs, made Node's import of the package 0.35 ms slower (medians of
  // 60 runs), and only the error classes need to be one set.
  //
  // In Node the .wasm is read, compiled and instantiated at the package's first use, not at
  // import: Node may compile a module of any size synchronously, so the first call into the
  // wasm (a constructor's, MemoryStore's) does it then and carries on, and a bad option
  // still throws from the constructor itself. An import that never makes a client (a CLI's
  // --help, code that only needs the error classes) never pays for the wasm. The glue's
  // `wasm` starts as a stand-in whose first property read instantiates the real exports
  // and puts them in its place, so every later call reads `wasm` directly, as before; if
  // the .wasm cannot be loaded, the stand-in stays, and each use throws that error again.
  const LAZY_FROM = "let wasmModule, wasmInstance, wasm;";
  const LAZY_TO = `${LAZY_FROM}
export function initOnFirstUse(load) {
    const standIn = new Proxy({}, {
        get(_, name) {
            wasm = undefined;
            try {
                initSync({ module: load() });
            } catch (e) {
                wasm = standIn;
                throw e;
            }
            return wasm[name];
        },
    });
    wasm = standIn;
}`;
  const nodeDir = dirname(b.node);
  await build({
    stdin: {
      resolveDir: b.web,
      sourcefile: "node-entry.mjs",
      contents: [
        'import { readFileSync } from "node:fs";',
        `import { initOnFirstUse } from "./${b.stem}.js";`,
        `initOnFirstUse(() => readFileSync(__dirname + ${JSON.stringify("/" + relative(nodeDir, wasm))}));`,
        'import * as api from "./api.js";',
        // Names show in stack traces and util.inspect: where bundling renamed an exported class
        // (`_ConveyorClient`), it gets its own name back, once, at load.
        'for (const [k, v] of Object.entries(api)) if (typeof v === "function" && v.name !== k) Object.defineProperty(v, "name", { value: k });',
        'export * from "./api.js";',
      ].join("\n"),
    },
    outfile: `${b.node}.cjs`,
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
    plugins: [
      {
        name: "glue-initialised-on-first-use",
        setup(on) {
          on.onLoad({ filter: /\.js$/ }, (args) =>
            args.path === glue ? { contents: replaceOnce(source, LAZY_FROM, LAZY_TO, "declaration of the wasm exports"), loader: "js" } : undefined,
          );
        },
      },
      {
        name: "shared-errors",
        setup(on) {
          on.onResolve({ filter: /errors\.js$/ }, (args) =>
            resolve(args.resolveDir, args.path) === errorsFile ? { path: rel(nodeDir, errorsCjs), external: true } : undefined,
          );
        },
      },
    ],
    banner: { js: `// conveyor-client for Node (CommonJS), the ${b.name} build, built from ${relative(pkg, b.web)}/ by scripts/post-build.mjs.` },
  });
  const nodeText = readFileSync(`${b.node}.cjs`, "utf8");
  if (!nodeText.includes(`require(${JSON.stringify(rel(nodeDir, errorsCjs))})`)) {
    throw new Error(`post-build: the ${b.name} Node bundle does not require the shared errors.cjs`);
  }
  if (!nodeText.includes("async function verifyWebhook(")) throw new Error(`post-build: the ${b.name} Node bundle does not carry verifyWebhook`);

  // 4b. The Node ESM face of that same CommonJS file. Importing a CommonJS file from ESM
  // makes Node scan its whole text with cjs-module-lexer to find the export names before it
  // runs it (about half of the package's import time in Node 20); `createRequire` loads it
  // through the CommonJS loader directly, so this file names the exports itself, from the
  // list above. It is still the one module `require` loads, so both share one instance.
  writeFileSync(
    `${b.node}.mjs`,
    `// conveyor-client for Node (ESM), the ${b.name} build, built by scripts/post-build.mjs: node.cjs, loaded without the CommonJS export scan.\n` +
      'import { createRequire } from "node:module";\n' +
      'const api = createRequire(import.meta.url)("./node.cjs");\n' +
      `export const { ${publicNames.join(", ")} } = api;\n`,
  );

  // 5. The bytes for the inline entry. Hex, because it survives every bundler's string
  // handling (a byte string with escapes would be re-escaped to \uXXXX by some) and, unlike
  // base64, keeps each byte's repeats visible to gzip (entries/load-inline.mjs).
  mkdirSync(dirname(b.inline), { recursive: true });
  writeFileSync(b.inline, `export default "${readFileSync(wasm).toString("hex")}";\n`);

  // Sizes.
  const wasmGz = gz(wasm);
  const nodeGz = gz(`${b.node}.cjs`) + gz(errorsCjs);
  const memoryStore = b.name === "stores" ? gz(join(b.web, "memory_store.js")) : 0;
  const glueGz = gz(glue) + files(join(b.web, "snippets"), ".js").reduce((n, p) => n + gz(p), 0) + gz(errorsFile) + gz(webhookFile) + memoryStore;
  rows.push(
    { build: b.name, loader: "web", "wasm (gzip B)": wasmGz, "JS glue (gzip B)": glueGz, "total (gzip B)": wasmGz + glueGz },
    { build: b.name, loader: "node (cjs)", "wasm (gzip B)": wasmGz, "JS glue (gzip B)": nodeGz, "total (gzip B)": wasmGz + nodeGz },
    { build: b.name, loader: "inline (hex)", "wasm (gzip B)": gz(b.inline), "JS glue (gzip B)": glueGz, "total (gzip B)": gz(b.inline) + glueGz },
  );
}

// The stores build's surface is the lean one plus MemoryStore, nothing else.
const [lean, full] = surfaces;
const extra = full.exports.filter((n) => !lean.exports.includes(n));
if (extra.join() !== "MemoryStore" || lean.exports.some((n) => !full.exports.includes(n))) {
  throw new Error(`post-build: the stores build should add MemoryStore to the lean surface, found +${extra} / ${lean.exports}`);
}

// 6. The stores build's entries: each of pkg/entries/, its relative paths moved from the
// lean build's files to the stores build's (dist/web/ -> dist/stores/, dist/node.* ->
// dist/stores/node.*, dist/inline/ -> dist/stores/inline/, entries/ -> dist/stores/entries/,
// and the glue and .wasm to the stores build's names).
const entries = join(pkg, "entries");
const storesEntries = join(dist, "stores", "entries");
const MOVES = [
  [join(dist, "web") + "/", join(dist, "stores") + "/"],
  [join(dist, "node."), join(dist, "stores", "node.")],
  [join(dist, "inline") + "/", join(dist, "stores", "inline") + "/"],
  [entries + "/", storesEntries + "/"],
];
mkdirSync(storesEntries, { recursive: true });
for (const name of readdirSync(entries)) {
  const text = readFileSync(join(entries, name), "utf8").replace(/(["'])(\.\.?\/[^"'?]*)(\?[^"']*)?\1/g, (_, q, spec, query = "") => {
    const target = resolve(entries, spec);
    const move = MOVES.find(([from]) => target.startsWith(from));
    if (!move) throw new Error(`post-build: entries/${name}: no stores-build counterpart for ${spec}`);
    const moved = (move[1] + target.slice(move[0].length)).replace(/\/conveyor_client(\.js|_bg\.wasm)$/, `/${BUILDS[1].stem}$1`);
    return `${q}${rel(storesEntries, moved)}${query}${q}`;
  });
  writeFileSync(join(storesEntries, name), `// The stores build's copy of entries/${name}, written by scripts/post-build.mjs.\n${text}`);
}

// 7. Declarations for `require`: the same text, as CommonJS declaration files whose
// relative imports name the .cjs siblings.
const declarations = [
  join(pkg, "index.d.ts"),
  join(pkg, "stores.d.ts"),
  join(pkg, "resources.d.ts"),
  join(pkg, "records.d.ts"),
  ...files(join(pkg, "stores"), ".d.ts"),
];
for (const file of declarations) {
  const out = join(dist, "types", relative(pkg, file)).replace(/\.d\.ts$/, ".d.cts");
  mkdirSync(dirname(out), { recursive: true });
  const text = readFileSync(file, "utf8").replace(/(from\s+["'])(\.{1,2}\/[^"']*)\.js(["'])/g, "$1$2.cjs$3");
  writeFileSync(out, text);
}

console.log("Package sizes (gzip -9):");
console.table(rows);
writeFileSync(join(dist, "sizes.json"), JSON.stringify(rows, null, 2));
