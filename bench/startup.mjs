// Benchmark 4: size and start-up. Gzipped bytes of the .wasm and the JS glue (from
// pkg/dist/sizes.json, written by `make build`, plus each entry bundled and minified the way
// a user's bundler emits it, with the .wasm it loads); time to import the package and make the first request in a
// fresh Node process (median of RUNS) and in a fresh workerd (median of WORKERD_RUNS),
// next to the same first request with a plain fetch.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { bundledSize, CLIENT_IMPORT } from "../tests/e2e/lib/size.mjs";
import { startWorker } from "../tests/e2e/lib/workerd.mjs";
import { ROOT, startSandbox, KEYS, envInt, median, report } from "./lib.mjs";

const RUNS = envInt("BENCH_STARTUP_RUNS", 10);
const WORKERD_RUNS = envInt("BENCH_WORKERD_STARTUP_RUNS", 5);
const log = (...a) => process.stderr.write(`[startup] ${a.join(" ")}\n`);
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

// Sizes as `make build` measured them.
const sizes = JSON.parse(readFileSync(join(ROOT, "pkg/dist/sizes.json"), "utf8"));
const wasmGzip = gz(readFileSync(join(ROOT, "pkg/dist/web/conveyor_client_bg.wasm")));

// Each entry as a bundler emits it (esbuild --bundle --minify) plus the .wasm it loads, gzip
// -9: what a user ships. The first row is the figure the size budget test gates on.
const entries = {};
for (const [name, contents, platform, conditions] of [
  ["browser: import { ConveyorClient }", CLIENT_IMPORT, "browser", ["browser", "production"]],
  ["browser: everything", 'export * from "conveyor-client";', "browser", ["browser", "production"]],
  ["workerd: everything", 'export * from "conveyor-client";', "neutral", ["workerd", "worker", "browser"]],
  ["node ESM: everything", 'export * from "conveyor-client";', "node", ["node", "import"]],
  ["deno: everything", 'export * from "conveyor-client";', "neutral", ["deno"]],
  ["workerd + conveyor-client/durable-object", 'export * from "conveyor-client"; export * from "conveyor-client/durable-object";', "neutral", ["workerd", "worker", "browser"]],
  ["node + conveyor-client/redis", 'export * from "conveyor-client"; export * from "conveyor-client/redis";', "node", ["node", "import"]],
]) {
  const size = await bundledSize({ resolveDir: ROOT, contents, platform, conditions });
  entries[name] = { glueGzip: size.jsGzip, wasmGzip: size.wasmGzip, totalGzip: size.totalGzip, jsBytes: size.jsBytes };
}
log(`entries: ${JSON.stringify(entries)}`);

const sb = await startSandbox(["--rate-limit", "1000000000/1"]);
const dir = mkdtempSync(join(ROOT, "bench/.startup-"));
try {
  // Node: a fresh process per run; the script times itself with performance.now().
  const clientScript = `
    const t0 = performance.now();
    const { ConveyorClient } = await import("conveyor-client");
    const t1 = performance.now();
    const c = new ConveyorClient({ apiKey: ${JSON.stringify(KEYS.bench)}, baseUrl: ${JSON.stringify(sb.api)}, rateLimit: false });
    const r = await c.fetch("/exchange/access_groups");
    await r.arrayBuffer();
    const t2 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1, totalMs: t2, status: r.status }));`;
  const plainScript = `
    const t1 = performance.now();
    const r = await fetch(${JSON.stringify(sb.api + "/exchange/access_groups")}, { headers: { "X-API-KEY": ${JSON.stringify(KEYS.bench)}, Accept: "application/json" } });
    await r.arrayBuffer();
    const t2 = performance.now();
    console.log(JSON.stringify({ importMs: 0, firstRequestMs: t2 - t1, totalMs: t2, status: r.status }));`;
  const files = { client: join(dir, "client.mjs"), plain: join(dir, "plain.mjs") };
  writeFileSync(files.client, clientScript);
  writeFileSync(files.plain, plainScript);
  const runNode = (file) =>
    new Promise((resolve, reject) => {
      const t = performance.now();
      const child = spawn(process.execPath, [file], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("exit", (code) => {
        const wall = performance.now() - t;
        if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
        resolve({ ...JSON.parse(out.trim().split("\n").pop()), processMs: wall });
      });
    });
  const node = { client: [], plain: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const k of i % 2 ? ["plain", "client"] : ["client", "plain"]) node[k].push(await runNode(files[k]));
  }
  const med = (xs, f) => median(xs.map((x) => x[f]));
  const nodeSummary = Object.fromEntries(
    Object.entries(node).map(([k, xs]) => [
      k,
      { importMs: med(xs, "importMs"), firstRequestMs: med(xs, "firstRequestMs"), processMs: med(xs, "processMs"), statuses: [...new Set(xs.map((x) => x.status))] },
    ]),
  );
  log(`node: ${JSON.stringify(nodeSummary)}`);

  // workerd: a fresh workerd per run; boot (bundle, compile, instantiate at module load)
  // and the first request are timed from outside.
  let workerd = null;
  let workerdError = null;
  try {
    const workerFile = (client) =>
      client
        ? `import { ConveyorClient } from "conveyor-client";
           export default { async fetch(req) {
             const p = new URL(req.url).searchParams;
             const c = new ConveyorClient({ apiKey: p.get("key"), baseUrl: p.get("api"), rateLimit: false });
             const r = await c.fetch("/exchange/access_groups"); await r.arrayBuffer();
             return new Response(String(r.status)); } };`
        : `export default { async fetch(req) {
             const p = new URL(req.url).searchParams;
             const r = await fetch(p.get("api") + "/exchange/access_groups", { headers: { "X-API-KEY": p.get("key"), Accept: "application/json" } });
             await r.arrayBuffer();
             return new Response(String(r.status)); } };`;
    writeFileSync(join(dir, "worker-client.mjs"), workerFile(true));
    writeFileSync(join(dir, "worker-plain.mjs"), workerFile(false));
    const runs = { client: [], plain: [] };
    for (let i = 0; i < WORKERD_RUNS; i++) {
      for (const k of ["client", "plain"]) {
        const t0 = performance.now();
        const w = await startWorker(join(dir, `worker-${k}.mjs`));
        const t1 = performance.now();
        const res = await w.mf.dispatchFetch(`http://start.test/?${new URLSearchParams({ api: sb.api, key: KEYS.bench })}`);
        const status = await res.text();
        const t2 = performance.now();
        await w.mf.dispose();
        runs[k].push({ bootMs: t1 - t0, firstRequestMs: t2 - t1, status });
      }
    }
    workerd = Object.fromEntries(
      Object.entries(runs).map(([k, xs]) => [
        k,
        { bootMs: median(xs.map((x) => x.bootMs)), firstRequestMs: median(xs.map((x) => x.firstRequestMs)), statuses: [...new Set(xs.map((x) => x.status))] },
      ]),
    );
    log(`workerd: ${JSON.stringify(workerd)}`);
  } catch (e) {
    workerdError = String(e?.stack ?? e);
  }
  report({ sizes, wasmGzip, entries, runs: RUNS, workerdRuns: WORKERD_RUNS, node: nodeSummary, workerd, workerdError });
} finally {
  rmSync(dir, { recursive: true, force: true });
  await sb.stop();
}
