// Shortens the names the .wasm and its wasm-bindgen glue use to talk to each other, after
// wasm-opt: `node scripts/minify-names.mjs <dir>` rewrites <dir>/<name>_bg.wasm (the one
// there; or name the .wasm itself: `<dir>/<name>_bg.wasm`) and its glue <dir>/<name>.js in
// place.
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and each export after its
// Rust item (`conveyorclient_fetch`, `wasm_bindgen__convert__closures_____invoke__h<hex>`).
// Every name is written twice: in the .wasm's import or export section, and in the glue, as a
// key of the import object or as `wasm.<name>`, which no minifier renames because they are
// property names. The hex does not compress. binaryen's
// `--minify-imports-and-exports-and-modules` renames them all (and every import module to
// one) and prints the mapping, which this script applies to the glue.
//
// Any name it cannot account for fails the build: an import left unmapped or a mapping that
// is ambiguous would be a LinkError at instantiation, an export left unmapped a
// `wasm.x is not a function` on first use, in whichever runtime met it first.
import { readFileSync, writeFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { basename, dirname, join, resolve } from "node:path";

let minified; // the new .wasm, until it replaces the old one
const fail = (message) => {
  if (minified) rmSync(minified, { force: true });
  throw new Error(`minify-names: ${message}`);
};

const arg = process.argv[2] ?? fail("usage: node scripts/minify-names.mjs <dir with the glue and its .wasm | the _bg.wasm>");
const [dir, wasmName] = arg.endsWith("_bg.wasm") ? [dirname(arg), basename(arg)] : [arg, undefined];
const wasms = wasmName ? [wasmName] : readdirSync(dir).filter((f) => f.endsWith("_bg.wasm"));
if (wasms.length !== 1) fail(`expected one *_bg.wasm in ${dir}, found ${wasms.length}: name the one to minify`);
const wasmPath = join(dir, wasms[0]);
const gluePath = join(dir, wasms[0].replace(/_bg\.wasm$/, ".js"));
const IDENT = "[A-Za-z_$][\\w$]*";

const before = new WebAssembly.Module(readFileSync(wasmPath));
const oldImports = WebAssembly.Module.imports(before);
const oldExports = WebAssembly.Module.exports(before);
let glue = readFileSync(gluePath, "utf8");
if (oldImports.every((i) => i.name.length <= 3) && oldExports.every((e) => e.name.length <= 3)) {
  fail(`${wasmPath} looks minified already: run the whole build again`);
}

// 1. The .wasm, and binaryen's mapping: {"imports": [[module, name, new]], "exports": [[name, new]]}.
const wasmOpt = resolve(new URL("../node_modules/.bin/wasm-opt", import.meta.url).pathname);
// Written beside the .wasm, and over it only once the glue is rewritten and checked.
minified = `${wasmPath}.min`;
// The last pass over the .wasm, so it also drops the target_features section, which only
// wasm-opt reads (it tells this run which features the module uses).
const printed = execFileSync(wasmOpt, ["--minify-imports-and-exports-and-modules", "--strip-target-features", wasmPath, "-o", minified], {
  encoding: "utf8",
});
let mapping;
try {
  mapping = JSON.parse(printed);
} catch (e) {
  fail(`wasm-opt printed no mapping this script can read (${e.message}):\n${printed.slice(0, 500)}`);
}
const after = new WebAssembly.Module(readFileSync(minified));
const newImports = WebAssembly.Module.imports(after);
const newExports = WebAssembly.Module.exports(after);

/** A Map from each key to its value, failing when a key or a value occurs twice. */
function oneToOne(pairs, what) {
  const map = new Map();
  const values = new Set();
  for (const [key, value] of pairs) {
    if (map.has(key)) fail(`${what}: ${key} is mapped twice`);
    if (values.has(value)) fail(`${what}: two names map to ${value}`);
    map.set(key, value);
    values.add(value);
  }
  return map;
}
const importKey = (module, name) => JSON.stringify([module, name]);
const imports = oneToOne(
  (mapping.imports ?? fail("no imports in the mapping")).map(([module, name, to]) => [importKey(module, name), to]),
  "imports",
);
const exports = oneToOne(
  (mapping.exports ?? fail("no exports in the mapping")).map(([name, to]) => [name, to]),
  "exports",
);
for (const i of oldImports) if (!imports.has(importKey(i.module, i.name))) fail(`import ${i.module} ${i.name} is not in the mapping`);
for (const e of oldExports) if (!exports.has(e.name)) fail(`export ${e.name} is not in the mapping`);
if (imports.size !== oldImports.length || exports.size !== oldExports.length) fail("the mapping names more than the .wasm has");
const modules = [...new Set(newImports.map((i) => i.module))];
if (modules.length !== 1) fail(`expected the imports in one module after minifying, found ${modules.length}`);
const [newModule] = modules;
for (const i of newImports) if (i.kind !== "function") fail(`import ${i.module} ${i.name} is a ${i.kind}: only functions are handled`);
const newExportNames = new Set(newExports.map((e) => e.name));
for (const to of exports.values()) if (!newExportNames.has(to)) fail(`the mapping names export ${to}, which the new .wasm lacks`);

// 2. The import object: `function __wbg_get_imports() { const import0 = { key: function…, … };
// return { "<module>": import0, "<snippet>": import1, … }; }`, where import1… are the
// namespaces of the snippets the .wasm imports from directly (`import * as import1 from …`).
const fn = /^function __wbg_get_imports\(\) \{\n([\s\S]*?)\n\}\n/m.exec(glue) ?? fail("no __wbg_get_imports() in the glue");
const returned = /\n {4}return \{\n {8}__proto__: null,\n([^}]*)\n {4}\};$/.exec(fn[1]) ?? fail("__wbg_get_imports() returns an object of a new shape");
const objects = new Map(); // the module each import object is passed as
for (const line of returned[1].split("\n")) {
  const m = new RegExp(`^ {8}"([^"]+)": (${IDENT}),?$`).exec(line) ?? fail(`unexpected line in __wbg_get_imports()'s result: ${line}`);
  objects.set(m[2], m[1]);
}
const literals = [...fn[1].matchAll(new RegExp(`^ {4}const (${IDENT}) = \\{\\n {8}__proto__: null,\\n`, "gm"))].map((m) => m[1]);
if (literals.length !== 1) fail(`expected one import object literal in __wbg_get_imports(), found ${literals.length}`);
const [literal] = literals;
const literalModule = objects.get(literal) ?? fail(`${literal} is not passed to the .wasm`);
let body = fn[1];
// Each key of the literal: one line `        <name>: function(` (its body is indented further).
const keys = [...body.matchAll(new RegExp(`^ {8}(${IDENT}): function\\(`, "gm"))].map((m) => m[1]);
const wanted = oldImports.filter((i) => i.module === literalModule).map((i) => i.name);
const missing = wanted.filter((n) => !keys.includes(n));
const extra = keys.filter((n) => !wanted.includes(n));
if (missing.length || extra.length) fail(`the import object and the .wasm disagree: missing ${missing}, extra ${extra}`);
body = body.replace(new RegExp(`^ {8}(${IDENT}): function\\(`, "gm"), (_, name) => `        ${imports.get(importKey(literalModule, name))}: function(`);
// The snippets' namespaces: their functions join the one module under their new names.
// wasm-bindgen may pass one snippet under two namespace objects (the same key twice in the
// returned object); its functions are aliased once.
const aliases = [];
const aliased = new Set();
for (const [object, module] of objects) {
  if (object === literal || aliased.has(module)) continue;
  aliased.add(module);
  const ns = new RegExp(`^import \\* as ${object.replace(/\$/g, "\\$")} from "([^"]+)"$`, "m").exec(glue) ?? fail(`${object} is neither the import object nor a namespace import`);
  if (ns[1] !== module) fail(`${object} is imported from ${ns[1]} but passed as ${module}`);
  const snippet = readFileSync(join(dir, module), "utf8");
  for (const i of oldImports.filter((i) => i.module === module)) {
    if (!new RegExp(`^export (?:async )?(?:function\\*? |const |let |class )${i.name.replace(/\$/g, "\\$")}\\b`, "m").test(snippet)) {
      fail(`${module} does not export ${i.name}, which the .wasm imports from it`);
    }
    aliases.push(`        ${imports.get(importKey(module, i.name))}: ${object}.${i.name},`);
  }
}
const literalEnd = new RegExp(`\\n {4}\\};\\n {4}return \\{`);
if (!literalEnd.test(body)) fail("the import object literal does not end where expected");
body = body.replace(literalEnd, () => `\n${aliases.map((a) => a + "\n").join("")}    };\n    return {`);
body = body.replace(returned[0].slice(1), () => `    return { ${JSON.stringify(newModule)}: ${literal} };`);
glue = glue.replace(fn[1], () => body);

// 3. The exports: every `wasm.<name>`, and the glue's own wrappers named after a hashed
// export (`function wasm_bindgen__convert__closures_____invoke__h…`), which keep their
// 16 hex digits in the shipped file otherwise (a minifier renames them, but not every
// entry is minified).
if (/\bwasm\s*\[/.test(glue)) fail("the glue reads an export by a computed name (wasm[…])");
glue = glue.replace(new RegExp(`\\bwasm\\.(${IDENT})`, "g"), (_, name) => `wasm.${exports.get(name) ?? fail(`the glue reads wasm.${name}, which the .wasm does not export`)}`);
for (const [from, to] of exports) {
  if (/_h[0-9a-f]{16}$/.test(from)) glue = glue.replace(new RegExp(`\\b${from}\\b`, "g"), () => `invoke_${to}`);
}

// 4. What the glue now asks of the .wasm, read back from the rewritten text, must be exactly
// what the new .wasm has: the import object's keys (checked by instantiating with them, which
// throws a LinkError for any missing one) and the exports it reads.
const fn2 = /^function __wbg_get_imports\(\) \{\n([\s\S]*?)\n\}\n/m.exec(glue)[1];
const newKeys = [...fn2.matchAll(new RegExp(`^ {8}(${IDENT}): (?:function\\(|${IDENT}\\.)`, "gm"))].map((m) => m[1]);
if (new Set(newKeys).size !== newKeys.length) fail("the rewritten import object has a key twice");
const wantedNow = newImports.map((i) => i.name).sort();
if (JSON.stringify([...newKeys].sort()) !== JSON.stringify(wantedNow)) fail("the rewritten import object's keys are not the .wasm's imports");
new WebAssembly.Instance(after, { [newModule]: Object.fromEntries(newKeys.map((k) => [k, () => {}])) });
for (const m of glue.matchAll(new RegExp(`\\bwasm\\.(${IDENT})`, "g"))) {
  if (!newExportNames.has(m[1])) fail(`the rewritten glue reads wasm.${m[1]}, which the new .wasm does not export`);
}
const left = [...oldImports.map((i) => i.name), ...oldExports.map((e) => e.name)].filter(
  (n) => n.length > 3 && new RegExp(`\\b${n.replace(/\$/g, "\\$")}\\b`).test(glue) && !newExportNames.has(n),
);
// A snippet function keeps its own name (the alias reads it from the namespace).
const snippetNames = new Set(oldImports.filter((i) => i.module !== literalModule).map((i) => i.name));
const stale = left.filter((n) => !snippetNames.has(n) && /^(__wbg|__wbindgen|wasm_bindgen)|[0-9a-f]{16}$/.test(n));
if (stale.length) fail(`names left unmapped in the glue: ${stale.join(", ")}`);
writeFileSync(gluePath, glue);
renameSync(minified, wasmPath);
console.log(
  `minify-names: ${oldImports.length} imports and ${oldExports.length} exports renamed; ` +
    `${readFileSync(wasmPath).length} B .wasm, ${glue.length} B glue`,
);
