// The packaging matrix: the packed tarball in tiny projects built with the real tools, each
// with no configuration for conveyor-client, and each output run where it is meant to run:
// browser bundles in headless Chromium, Node bundles by `node` from a copy of the output
// folder alone, Worker bundles in workerd. Every run is the shared scenario (a request
// succeeds, a 403 is `instanceof ConveyorAuthError` from the package's own import, bad
// options throw ConveyorConfigError, a request through a store). The gzip size of what each
// bundler emitted is reported and written to target/packaging/sizes.json.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync, copyFileSync, existsSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { startSandbox } from "../e2e/lib/sandbox.mjs";
import { project, run, start, alone, emitted, pool, bin, cli, REPO, listFiles } from "./lib/project.mjs";
import { inProcess, inStaticPage, inPage, inWorkerd, closeBrowser } from "./lib/targets.mjs";

const node = process.execPath;
const esbuild = bin("esbuild");
const bun = bin("bun");
const vite = { 8: cli("vite", "bin/vite.js"), 7: cli("vite7", "bin/vite.js"), 6: cli("vite6", "bin/vite.js") };
const webpack = cli("webpack-cli", "bin/cli.js");

/**
 * name: the case; dir: its folder in cases/; app: src/ files; build: [cmd, args]; out: the
 * output folder; run: how its output runs ("browser" page, "node"/"bun" + file, "workerd" +
 * main); wasm: how the .wasm must travel ("asset": a .wasm file the page fetches,
 * "module": a .wasm module beside the Worker, "embedded": hex inside the JS, no .wasm).
 */
const CASES = [
  { name: "vite 8 build", wasm: "asset", dir: "vite", app: { "main.js": "browser.mjs" }, build: [node, [vite[8], "build"]], out: "dist", run: ["browser"] },
  { name: "vite 7 build", wasm: "asset", dir: "vite", app: { "main.js": "browser.mjs" }, build: [node, [vite[7], "build"]], out: "dist", run: ["browser"] },
  {
    name: "vite 6 build, build.target es2022",
    wasm: "asset",
    dir: "vite6",
    app: { "main.js": "browser.mjs" },
    build: [node, [vite[6], "build"]],
    out: "dist",
    run: ["browser"],
  },
  { name: "webpack 5", wasm: "asset", dir: "webpack", app: { "index.js": "browser.mjs" }, build: [node, [webpack]], out: "dist", run: ["browser"] },
  {
    name: "webpack 5 --mode development",
    wasm: "embedded",
    dir: "webpack",
    app: { "index.js": "browser.mjs" },
    build: [node, [webpack, "--mode", "development"]],
    out: "dist",
    run: ["browser"],
  },
  {
    name: "esbuild browser",
    wasm: "embedded",
    dir: "esbuild-browser",
    app: { "main.js": "browser.mjs" },
    build: [esbuild, ["src/main.js", "--bundle", "--platform=browser", "--format=esm", "--outfile=out/main.js"]],
    out: "out",
    run: ["browser"],
  },
  // Rollup emits no asset for `new URL(..., import.meta.url)` without a plugin: the app
  // imports the entry that carries the bytes (the one line README documents for Rollup).
  {
    name: "rollup + node-resolve",
    wasm: "embedded",
    dir: "rollup",
    app: { "main.js": "browser.mjs" },
    specifier: "conveyor-client/inline",
    build: [bin("rollup"), ["-c"]],
    out: "out",
    run: ["browser"],
  },
  {
    name: "bun build --target=browser",
    wasm: "embedded",
    dir: "bun-build",
    app: { "main.js": "browser.mjs" },
    build: [bun, ["build", "src/main.js", "--target=browser", "--outdir=out"]],
    out: "out",
    run: ["browser"],
  },
  {
    name: "esbuild node, ESM output",
    wasm: "embedded",
    dir: "esbuild-node",
    app: { "main.mjs": "node.mjs" },
    build: [esbuild, ["src/main.mjs", "--bundle", "--platform=node", "--format=esm", "--outfile=out/main.mjs"]],
    out: "out",
    run: ["node", "main.mjs"],
  },
  {
    name: "esbuild node, CJS output",
    wasm: "embedded",
    dir: "esbuild-node",
    app: { "main.mjs": "node.mjs" },
    build: [esbuild, ["src/main.mjs", "--bundle", "--platform=node", "--format=cjs", "--outfile=out/main.cjs"]],
    out: "out",
    run: ["node", "main.cjs"],
  },
  {
    name: "esbuild node, require() source",
    wasm: "embedded",
    dir: "esbuild-node",
    app: { "main.cjs": "node.cjs" },
    build: [esbuild, ["src/main.cjs", "--bundle", "--platform=node", "--format=cjs", "--outfile=out/main.cjs"]],
    out: "out",
    run: ["node", "main.cjs"],
  },
  // Bun's bundler resolves the Node runtime's own conditions for --target=node, and bakes the
  // build machine's absolute path of the .wasm into the bundle: the app imports the inline entry.
  {
    name: "bun build --target=node",
    wasm: "embedded",
    dir: "esbuild-node",
    app: { "main.mjs": "node.mjs" },
    specifier: "conveyor-client/inline",
    build: [bun, ["build", "src/main.mjs", "--target=node", "--outdir=out"]],
    out: "out",
    run: ["node", "main.js"],
  },
  {
    name: "wrangler deploy --dry-run",
    wasm: "module",
    dir: "wrangler",
    app: { "worker.mjs": "worker.mjs" },
    // Wrangler 4 refuses Node 20; Bun runs its CLI (the bundling is wrangler's own esbuild).
    build: [bun, ["--bun", cli("wrangler", "bin/wrangler.js"), "deploy", "--dry-run", "--outdir=out"]],
    env: { WRANGLER_SEND_METRICS: "false", CI: "1" },
    out: "out",
    run: ["workerd", "worker.js"],
  },
  {
    name: "edge-light (Vercel Edge's bundling)",
    wasm: "module",
    dir: "edge-light",
    app: { "worker.mjs": "worker.mjs" },
    build: [node, ["build.mjs"]],
    out: "out",
    run: ["workerd", "worker.mjs"],
    entry: /entries\/load-edge-light\.mjs/,
  },
];

let sb;
const sizes = {};
const built = new Map();
before(async () => {
  sb = await startSandbox();
  // Build every case up front, two at a time, each in its own folder.
  const results = await pool(
    2,
    CASES.map((c, i) => async () => {
      const dir = await project(c.dir, { as: `case-${i}-${c.dir}`, app: c.app, specifier: c.specifier });
      await run(c.build[0], c.build[1], { cwd: dir, env: c.env });
      const out = join(dir, c.out);
      if (existsSync(join(dir, "page.html"))) copyFileSync(join(dir, "page.html"), join(out, "index.html"));
      return out;
    }),
  );
  results.forEach((r, i) => built.set(CASES[i].name, r));
});
after(async () => {
  await closeBrowser();
  await sb?.stop();
  writeFileSync(join(REPO, "target/packaging/sizes.json"), JSON.stringify(sizes, null, 2));
});

for (const c of CASES) {
  test(c.name, async (t) => {
    const b = built.get(c.name);
    if (b.status === "rejected") throw b.reason;
    const out = b.value;
    const size = emitted(out);
    sizes[c.name] = size;
    t.diagnostic(`emitted (gzip -9): JS ${size.js} B + .wasm ${size.wasm} B = ${size.total} B [${size.files.join(", ")}]`);
    const js = listFiles(out).filter((f) => /\.[mc]?js$/.test(f)).map((f) => readFileSync(join(out, f), "utf8")).join("\n");
    if (c.entry) assert.match(js, c.entry);
    // "0061736d" is the wasm magic number (00 61 73 6d) in hex.
    if (c.wasm === "embedded") assert.ok(size.wasm === 0 && js.includes('"0061736d'), "the .wasm is embedded in the JS");
    else assert.ok(size.wasm > 0 && !js.includes('"0061736d'), `the .wasm travels as a separate ${c.wasm}`);
    let result;
    if (c.run[0] === "browser") result = await inStaticPage(out, sb);
    else if (c.run[0] === "workerd") result = await inWorkerd(out, c.run[1], sb);
    else {
      // Serverless deploys ship the output folder alone: copy it out and delete the project,
      // so neither node_modules nor an absolute path into it can serve the .wasm.
      const copy = alone(out);
      rmSync(dirname(out), { recursive: true, force: true });
      result = await inProcess(c.run[0] === "node" ? node : bun, [c.run[1]], copy, sb);
    }
    assert.deepEqual(result.failures, []);
    assert.equal(result.checked, true);
  });
}

for (const major of [8, 7]) {
  test(`vite ${major} dev server`, async () => {
    const dir = await project("vite", { as: `vite-${major}-dev`, app: { "main.js": "browser.mjs" } });
    const server = await start(node, [vite[major], "--host", "127.0.0.1", "--port", "0"], {
      cwd: dir,
      ready: /Local:\s+(http:\/\/\S+)/,
    }).catch(async () =>
      // Older Vite versions refuse port 0: let them pick from their default.
      start(node, [vite[major], "--host", "127.0.0.1"], { cwd: dir, ready: /Local:\s+(http:\/\/\S+)/ }),
    );
    try {
      const result = await inPage(server.match[1], sb);
      assert.deepEqual(result.failures, [], server.output());
      assert.equal(result.checked, true);
    } finally {
      await server.stop();
    }
  });
}
