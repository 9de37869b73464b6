// After wasm-bindgen: give the entries a stable path to the error classes the glue uses,
// and make the CommonJS copy of them loadable by `require` on every supported Node.
//
// wasm-bindgen puts JS snippets under a hashed folder. Re-exporting that exact file (not a
// copy) keeps one class object per loader, so `instanceof` holds for errors the glue throws.
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative } from "node:path";

const dist = new URL("../pkg/dist/", import.meta.url).pathname;

function findSnippet(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      const found = findSnippet(p);
      if (found) return found;
    } else if (name === "errors.js") {
      return p;
    }
  }
  return null;
}

for (const target of ["web", "nodejs"]) {
  const root = join(dist, target);
  const snippet = findSnippet(join(root, "snippets"));
  if (!snippet) throw new Error(`no errors.js snippet under ${root}/snippets`);
  const source = readFileSync(snippet, "utf8");
  const names = [...source.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
  const rel = "./" + relative(root, snippet);
  if (target === "web") {
    writeFileSync(join(root, "errors.js"), `export { ${names.join(", ")} } from "${rel}";\n`);
  } else {
    // The nodejs glue `require`s the snippet; Node before 20.19 cannot require ESM, so the
    // snippet is rewritten in place to CommonJS (it has only `export class`/`export function`).
    const cjs =
      source.replace(/^export (class|function) /gm, "$1 ") +
      `\nmodule.exports = { ${[...source.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]).join(", ")} };\n`;
    if (!source.includes("module.exports")) writeFileSync(snippet, cjs);
    writeFileSync(join(root, "errors.js"), `module.exports = require("${rel}");\n`);
    // pkg/ is "type": "module"; this folder holds CommonJS.
    writeFileSync(join(root, "package.json"), '{ "type": "commonjs" }\n');
  }
}

const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
const rows = [];
for (const target of ["web", "nodejs"]) {
  const root = join(dist, target);
  const wasm = gz(join(root, "conveyor_client_bg.wasm"));
  const glue = gz(join(root, "conveyor_client.js")) + gz(findSnippet(join(root, "snippets")));
  rows.push({ loader: target, "wasm (gzip B)": wasm, "JS glue (gzip B)": glue, "total (gzip B)": wasm + glue });
}
console.log("Package sizes (gzip -9):");
console.table(rows);
writeFileSync(join(dist, "sizes.json"), JSON.stringify(rows, null, 2));
