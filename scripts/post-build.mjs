// After wasm-bindgen: give the entries a stable path to the error classes the glue uses,
// and make the CommonJS build's snippets loadable by `require` on every supported Node.
//
// wasm-bindgen puts JS snippets (src/js/*.js) under a hashed folder. Re-exporting that
// exact file (not a copy) keeps one class object per loader, so `instanceof` holds for
// errors the glue throws.
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative } from "node:path";

const dist = new URL("../pkg/dist/", import.meta.url).pathname;

/** Every .js file below `dir`. */
function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return jsFiles(p);
    return name.endsWith(".js") ? [p] : [];
  });
}

const exported = (source) => [...source.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]);

for (const target of ["web", "nodejs"]) {
  const root = join(dist, target);
  const snippets = jsFiles(join(root, "snippets"));
  const errors = snippets.find((p) => p.endsWith("/errors.js"));
  if (!errors) throw new Error(`no errors.js snippet under ${root}/snippets`);
  const rel = "./" + relative(root, errors);
  if (target === "web") {
    const classes = [...readFileSync(errors, "utf8").matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
    writeFileSync(join(root, "errors.js"), `export { ${classes.join(", ")} } from "${rel}";\n`);
    continue;
  }
  // The nodejs glue `require`s each snippet; Node before 20.19 cannot require ESM, so each
  // is rewritten in place to CommonJS (our snippets use only `export class`/`export function`).
  for (const p of snippets) {
    const source = readFileSync(p, "utf8");
    if (source.includes("module.exports")) continue;
    const cjs = source.replace(/^export (class|function) /gm, "$1 ") + `\nmodule.exports = { ${exported(source).join(", ")} };\n`;
    writeFileSync(p, cjs);
  }
  writeFileSync(join(root, "errors.js"), `module.exports = require("${rel}");\n`);
  // pkg/ is "type": "module"; this folder holds CommonJS.
  writeFileSync(join(root, "package.json"), '{ "type": "commonjs" }\n');
}

const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const rows = [];
for (const target of ["web", "nodejs"]) {
  const root = join(dist, target);
  const wasm = gz(join(root, "conveyor_client_bg.wasm"));
  const glue = [join(root, "conveyor_client.js"), ...jsFiles(join(root, "snippets"))].reduce((n, p) => n + gz(p), 0);
  rows.push({ loader: target, "wasm (gzip B)": wasm, "JS glue (gzip B)": glue, "total (gzip B)": wasm + glue });
}
console.log("Package sizes (gzip -9):");
console.table(rows);
writeFileSync(join(dist, "sizes.json"), JSON.stringify(rows, null, 2));
