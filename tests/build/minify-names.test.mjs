// scripts/minify-names.mjs on a small module and a glue of wasm-bindgen's shape: the renamed
// pair still links and runs in Node, and every name the script cannot account for fails it
// (left alone, each would be a LinkError or a missing export in some runtime).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = join(root, "scripts/minify-names.mjs");
const HASH = "0123456789abcdef";
const INVOKE = `wasm_bindgen__convert__closures_____invoke__h${HASH}`;

const WAT = `(module
  (import "./fix_bg.js" "__wbg_now_${HASH}" (func $now (result f64)))
  (import "./fix_bg.js" "__wbindgen_throw_${HASH}" (func $throw (param i32 i32)))
  (import "./snippets/s/helper.js" "helper" (func $helper (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "thing_now") (result f64) (call $now))
  (func (export "thing_bump") (param i32) (result i32) (call $helper (local.get 0)))
  (func (export "${INVOKE}") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "thing_fail") (call $throw (i32.const 0) (i32.const 0))))`;

const GLUE = `import * as import1 from "./snippets/s/helper.js"

export function now() { return wasm.thing_now(); }
export function bump(x) { return wasm.thing_bump(x); }
export function twice(x) { return ${INVOKE}(x); }
export function fail() { wasm.thing_fail(); }
export function memoryPages() { return wasm.memory.buffer.byteLength / 65536; }
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_now_${HASH}: function() {
            return 42;
        },
        __wbindgen_throw_${HASH}: function(arg0, arg1) {
            throw new Error("thrown from the .wasm");
        },
    };
    return {
        __proto__: null,
        "./fix_bg.js": import0,
        "./snippets/s/helper.js": import1,
    };
}

function ${INVOKE}(arg0) {
    return wasm.${INVOKE}(arg0);
}

let wasm;
export function initSync(bytes) {
    wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports()).exports;
}
`;

const dirs = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A fresh directory with the fixture's .wasm, glue (edited by `edit`) and snippet. */
function fixture(edit = (glue) => glue, snippet = "export function helper(x) { return x + 1; }\n") {
  const dir = mkdtempSync(join(tmpdir(), "minify-names-"));
  dirs.push(dir);
  writeFileSync(join(dir, "fix.wat"), WAT);
  execFileSync(join(root, "node_modules/.bin/wasm-as"), [join(dir, "fix.wat"), "-o", join(dir, "fix_bg.wasm")]);
  writeFileSync(join(dir, "fix.js"), edit(GLUE));
  mkdirSync(join(dir, "snippets/s"), { recursive: true });
  writeFileSync(join(dir, "snippets/s/helper.js"), snippet);
  return dir;
}

const run = (dir) => spawnSync(process.execPath, [script, dir], { encoding: "utf8" });
const names = (bytes) => {
  const m = new WebAssembly.Module(bytes);
  return [...WebAssembly.Module.imports(m).flatMap((i) => [i.module, i.name]), ...WebAssembly.Module.exports(m).map((e) => e.name)];
};

test("the renamed .wasm and glue link and run, with no long name left", async () => {
  const dir = fixture();
  const result = run(dir);
  assert.equal(result.status, 0, result.stderr);
  const bytes = readFileSync(join(dir, "fix_bg.wasm"));
  assert.deepEqual(names(bytes).filter((n) => n.length > 3), []);
  const glue = readFileSync(join(dir, "fix.js"), "utf8");
  assert.equal(glue.match(/[0-9a-f]{16}/), null, glue);
  const api = await import(pathToFileURL(join(dir, "fix.js")));
  api.initSync(bytes);
  assert.equal(api.now(), 42);
  assert.equal(api.bump(1), 2, "a snippet's function, imported by the .wasm directly");
  assert.equal(api.twice(21), 42, "a glue wrapper named after a hashed export");
  assert.equal(api.memoryPages(), 1);
  assert.throws(() => api.fail(), /thrown from the \.wasm/);
});

/** Runs the script on a fixture edited by `edit`: it must fail with `message` and leave the .wasm as it was. */
function refuses(edit, message, snippet) {
  const dir = fixture(edit, snippet);
  const before = readFileSync(join(dir, "fix_bg.wasm"));
  const result = run(dir);
  assert.notEqual(result.status, 0, "the script should fail");
  assert.match(result.stderr, message);
  assert.deepEqual(readFileSync(join(dir, "fix_bg.wasm")), before, "the .wasm should be left as it was");
}

test("an import the glue does not provide fails the build", () => {
  refuses((g) => g.replace(`__wbg_now_${HASH}: function`, "__wbg_now_ffffffffffffffff: function"), /import object and the \.wasm disagree/);
});

test("an export the glue reads and the .wasm lacks fails the build", () => {
  refuses((g) => g.replace("wasm.thing_bump(x)", "wasm.thing_bumps(x)"), /reads wasm\.thing_bumps, which the \.wasm does not export/);
});

test("an export read by a computed name fails the build", () => {
  refuses((g) => g.replace("wasm.thing_now()", 'wasm["thing_now"]()'), /computed name/);
});

test("a snippet that does not export what the .wasm imports from it fails the build", () => {
  refuses((g) => g, /does not export helper/, "export function helpers(x) { return x + 1; }\n");
});

test("an import object of another shape fails the build", () => {
  refuses((g) => g.replace('"./snippets/s/helper.js": import1,', '"./snippets/s/helper.js": { helper: import1.helper },'), /new shape|unexpected line/);
});

test("the .wasm can be named, for a folder holding more than one build", async () => {
  const dir = fixture();
  writeFileSync(join(dir, "other_bg.wasm"), readFileSync(join(dir, "fix_bg.wasm")));
  const result = run(dir);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /expected one \*_bg\.wasm/);
  const named = spawnSync(process.execPath, [script, join(dir, "fix_bg.wasm")], { encoding: "utf8" });
  assert.equal(named.status, 0, named.stderr);
  const api = await import(pathToFileURL(join(dir, "fix.js")));
  api.initSync(readFileSync(join(dir, "fix_bg.wasm")));
  assert.equal(api.bump(41), 42);
  assert.ok(names(readFileSync(join(dir, "other_bg.wasm"))).some((n) => n.length > 3), "the other build is left alone");
});

test("a .wasm minified already fails the build", () => {
  const dir = fixture();
  assert.equal(run(dir).status, 0);
  const result = run(dir);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /minified already/);
});

test("a snippet passed under two namespace objects (as wasm-bindgen does) is aliased once", async () => {
  const dir = fixture((g) =>
    g
      .replace('import * as import1 from "./snippets/s/helper.js"', 'import * as import1 from "./snippets/s/helper.js"\nimport * as import2 from "./snippets/s/helper.js"')
      .replace('"./snippets/s/helper.js": import1,', '"./snippets/s/helper.js": import1,\n        "./snippets/s/helper.js": import2,'),
  );
  const result = run(dir);
  assert.equal(result.status, 0, result.stderr);
  const api = await import(pathToFileURL(join(dir, "fix.js")));
  api.initSync(readFileSync(join(dir, "fix_bg.wasm")));
  assert.equal(api.bump(1), 2);
});
