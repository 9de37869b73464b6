// Benchmark 4: size and start-up. Gzipped bytes of the .wasm and the JS glue (from
// pkg/dist/sizes.json, written by `make build`, plus each entry bundled and minified the way
// a user's bundler emits it, with the .wasm it loads); what a cold start costs in a fresh
// Node process (median of RUNS: the import, the first request, and their sum, since work
// the import leaves for first use shows up in the first request) and in a fresh workerd
// (median of WORKERD_RUNS: start, i.e. Miniflare ready, workerd having loaded the modules,
// compiled the .wasm and run the glue's top level; the first request, where anything lazy
// happens; their sum, the cold start at run time; and the bundle, esbuild as wrangler, a
// deploy-time cost, in a column of its own), each next to a plain worker's or a plain
// fetch's, and where the time goes: in Node, the .wasm alone read, compiled and
// instantiated in a fresh process; in workerd, a worker that imports only the .wasm.
// BENCH_BASELINE=<a copy of an older pkg/> adds its client, in the same interleaved rounds
// ("before"), so a change reads as a ratio measured side by side.
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { mkdirSync, symlinkSync } from "node:fs";
import { Miniflare } from "miniflare";
import { tmpdir } from "node:os";
import { bundledSize, CLIENT_IMPORT } from "../tests/e2e/lib/size.mjs";
import { bundleWorker } from "../tests/e2e/lib/workerd.mjs";
import { ROOT, startSandbox, KEYS, envInt, median, report } from "./lib.mjs";

const RUNS = envInt("BENCH_STARTUP_RUNS", 10);
const WORKERD_RUNS = envInt("BENCH_WORKERD_STARTUP_RUNS", 5);
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;
const range = (xs) => [Math.min(...xs), Math.max(...xs)];
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
  ["browser: import { ConveyorClient } from conveyor-client/stores", 'export { ConveyorClient } from "conveyor-client/stores";', "browser", ["browser", "production"]],
  ["workerd + conveyor-client/durable-object", 'export * from "conveyor-client/stores"; export * from "conveyor-client/durable-object";', "neutral", ["workerd", "worker", "browser"]],
  ["node + conveyor-client/redis", 'export * from "conveyor-client/stores"; export * from "conveyor-client/redis";', "node", ["node", "import"]],
]) {
  const size = await bundledSize({ resolveDir: ROOT, contents, platform, conditions });
  entries[name] = { glueGzip: size.jsGzip, wasmGzip: size.wasmGzip, totalGzip: size.totalGzip, jsBytes: size.jsBytes };
}
log(`entries: ${JSON.stringify(entries)}`);

const sb = await startSandbox(["--rate-limit", "1000000000/1"]);
const dir = mkdtempSync(join(ROOT, "bench/.startup-"));
try {
  // Node: a fresh process per run; the script times itself with performance.now().
  // Wall time and the process's CPU time (all its threads): on a shared machine the CPU time
  // is what the process itself spent, whoever else held the cores.
  const cpuMs = "((u) => (u.user + u.system) / 1000)(process.cpuUsage())";
  const clientScript = `
    const c0 = ${cpuMs}, t0 = performance.now();
    const { ConveyorClient } = await import("conveyor-client");
    const c1 = ${cpuMs}, t1 = performance.now();
    const c = new ConveyorClient({ apiKey: ${JSON.stringify(KEYS.bench)}, baseUrl: ${JSON.stringify(sb.api)}, rateLimit: false });
    const r = await c.fetch("/exchange/access_groups");
    await r.arrayBuffer();
    const c2 = ${cpuMs}, t2 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1, importCpuMs: c1 - c0, firstRequestCpuMs: c2 - c1, totalMs: t2, status: r.status }));`;
  const plainScript = `
    const c1 = ${cpuMs}, t1 = performance.now();
    const r = await fetch(${JSON.stringify(sb.api + "/exchange/access_groups")}, { headers: { "X-API-KEY": ${JSON.stringify(KEYS.bench)}, Accept: "application/json" } });
    await r.arrayBuffer();
    const c2 = ${cpuMs}, t2 = performance.now();
    console.log(JSON.stringify({ importMs: 0, firstRequestMs: t2 - t1, importCpuMs: 0, firstRequestCpuMs: c2 - c1, totalMs: t2, status: r.status }));`;
  // The .wasm alone: read, compiled and instantiated (every import a stub; nothing runs).
  const wasmScript = `
    import { readFileSync } from "node:fs";
    const t0 = performance.now();
    const bytes = readFileSync(${JSON.stringify(join(ROOT, "pkg/dist/web/conveyor_client_bg.wasm"))});
    const t1 = performance.now();
    const module = new WebAssembly.Module(bytes);
    const t2 = performance.now();
    const imports = {};
    for (const i of WebAssembly.Module.imports(module)) (imports[i.module] ??= {})[i.name] = () => { throw new Error("stub"); };
    new WebAssembly.Instance(module, imports);
    const t3 = performance.now();
    console.log(JSON.stringify({ readMs: t1 - t0, compileMs: t2 - t1, instantiateMs: t3 - t2, importMs: t3 - t0, firstRequestMs: 0, status: 0 }));`;
  // Node's own floor: the same timed dynamic import of an empty ES module.
  const emptyScript = `
    const t0 = performance.now();
    await import("./empty-module.mjs");
    console.log(JSON.stringify({ importMs: performance.now() - t0, firstRequestMs: 0, status: 0 }));`;
  writeFileSync(join(dir, "empty-module.mjs"), "export {};\n");
  // And of an empty package by name, through an `exports` map as the client's: what Node
  // spends finding any package in node_modules (reading its package.json, resolving the
  // conditions, the real path) before loading a byte of it.
  const tinyScript = `
    const t0 = performance.now();
    await import("tiny-package");
    console.log(JSON.stringify({ importMs: performance.now() - t0, firstRequestMs: 0, status: 0 }));`;
  mkdirSync(join(dir, "tiny/node_modules/tiny-package"), { recursive: true });
  writeFileSync(join(dir, "tiny/node_modules/tiny-package/package.json"), JSON.stringify({ name: "tiny-package", type: "module", exports: { ".": { node: { import: "./index.mjs" }, default: "./index.mjs" } } }));
  writeFileSync(join(dir, "tiny/node_modules/tiny-package/index.mjs"), "export {};\n");
  const files = { client: join(dir, "client.mjs"), plain: join(dir, "plain.mjs"), wasm: join(dir, "wasm.mjs"), empty: join(dir, "empty.mjs"), tiny: join(dir, "tiny/tiny.mjs") };
  writeFileSync(files.empty, emptyScript);
  writeFileSync(files.tiny, tinyScript);
  writeFileSync(files.client, clientScript);
  writeFileSync(files.plain, plainScript);
  writeFileSync(files.wasm, wasmScript);
  if (BASELINE) {
    // The same client script, in a folder whose node_modules holds the baseline package.
    mkdirSync(join(dir, "before/node_modules"), { recursive: true });
    symlinkSync(BASELINE, join(dir, "before/node_modules/conveyor-client"), "dir");
    files.before = join(dir, "before/client.mjs");
    writeFileSync(files.before, clientScript);
  }
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
  const node = Object.fromEntries(Object.keys(files).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    const order = Object.keys(files);
    for (const k of i % 2 ? order.reverse() : order) node[k].push(await runNode(files[k]));
  }
  const med = (xs, f) => median(xs.map((x) => x[f]));
  const nodeSummary = Object.fromEntries(
    Object.entries(node).map(([k, xs]) => [
      k,
      {
        importMs: med(xs, "importMs"),
        importRangeMs: range(xs.map((x) => x.importMs)),
        firstRequestMs: med(xs, "firstRequestMs"),
        // Per run, then the median: work moved from the import to first use still counts.
        coldMs: median(xs.map((x) => x.importMs + x.firstRequestMs)),
        coldRangeMs: range(xs.map((x) => x.importMs + x.firstRequestMs)),
        ...(k === "client" || k === "before" || k === "plain"
          ? {
              importCpuMs: med(xs, "importCpuMs"),
              firstRequestCpuMs: med(xs, "firstRequestCpuMs"),
              coldCpuMs: median(xs.map((x) => x.importCpuMs + x.firstRequestCpuMs)),
            }
          : {}),
        processMs: med(xs, "processMs"),
        ...(k === "wasm" ? { readMs: med(xs, "readMs"), compileMs: med(xs, "compileMs"), instantiateMs: med(xs, "instantiateMs") } : {}),
        statuses: [...new Set(xs.map((x) => x.status))],
      },
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
    const workers = { client: join(dir, "worker-client.mjs"), plain: join(dir, "worker-plain.mjs"), wasm: join(dir, "worker-wasm.mjs") };
    writeFileSync(workers.client, workerFile(true));
    writeFileSync(workers.plain, workerFile(false));
    // Only the .wasm, as the package's workerd entry imports it (a compiled module), unused.
    writeFileSync(
      workers.wasm,
      `import wasm from ${JSON.stringify(join(ROOT, "pkg/dist/web/conveyor_client_bg.wasm"))};
       export default { async fetch() { return new Response(String(wasm instanceof WebAssembly.Module ? 200 : 500)); } };`,
    );
    if (BASELINE) {
      workers.before = join(dir, "before/worker-client.mjs");
      writeFileSync(workers.before, workerFile(true));
    }
    // The CPU time the workerd process Miniflare started has spent so far, all its threads
    // (Linux: /proc/<pid>/task/*/schedstat, nanoseconds on the CPU); NaN elsewhere.
    const workerdCpuMs = () => {
      try {
        let ns = 0;
        let found = 0;
        for (const pid of readdirSync("/proc")) {
          if (!/^\d+$/.test(pid)) continue;
          let stat;
          try {
            stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          } catch {
            continue;
          }
          const [, comm, rest] = stat.match(/^\d+ \((.*)\) (.*)$/s) ?? [];
          if (!comm?.startsWith("workerd") || Number(rest.split(" ")[1]) !== process.pid) continue;
          found++;
          for (const t of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
        }
        return found === 1 ? ns / 1e6 : NaN;
      } catch {
        return NaN;
      }
    };
    const runs = Object.fromEntries(Object.keys(workers).map((k) => [k, []]));
    // One round not counted: the first Miniflare of this process pays for loading its own
    // code and spawning its first workerd, which would land on whichever worker came first.
    for (let i = -1; i < WORKERD_RUNS; i++) {
      // Alternating order, as in Node: no worker always runs right after the same other one.
      const order = Object.keys(workers);
      for (const k of i % 2 ? order : order.reverse()) {
        // The bundle is made at deploy, never at a cold start: timed apart, before the clock
        // that times the start. Then as tests/e2e/lib/workerd.mjs's startWorker.
        const t0 = performance.now();
        const { modules } = await bundleWorker(workers[k]);
        const t1 = performance.now();
        const mf = new Miniflare({ modules, compatibilityDate: "2025-06-01" });
        await mf.ready;
        const t2 = performance.now();
        const cpu2 = workerdCpuMs();
        const res = await mf.dispatchFetch(`http://start.test/?${new URLSearchParams({ api: sb.api, key: KEYS.bench })}`);
        const status = await res.text();
        const t3 = performance.now();
        const cpu3 = workerdCpuMs();
        await mf.dispose();
        if (i >= 0) {
          runs[k].push({
            bundleMs: t1 - t0,
            startMs: t2 - t1,
            firstRequestMs: t3 - t2,
            coldMs: t3 - t1,
            totalMs: t3 - t0,
            startCpuMs: cpu2,
            firstRequestCpuMs: cpu3 - cpu2,
            coldCpuMs: cpu3,
            status,
          });
        }
      }
    }
    const FIELDS = ["bundleMs", "startMs", "firstRequestMs", "coldMs", "totalMs", "startCpuMs", "firstRequestCpuMs", "coldCpuMs"];
    workerd = Object.fromEntries(
      Object.entries(runs).map(([k, xs]) => [
        k,
        {
          ...Object.fromEntries(FIELDS.map((f) => [f, median(xs.map((x) => x[f]))])),
          ranges: Object.fromEntries(FIELDS.map((f) => [f, range(xs.map((x) => x[f]))])),
          // Against the plain worker of the same round (the rounds interleave), then the median.
          overPlain: Object.fromEntries(FIELDS.map((f) => [f, median(xs.map((x, i) => x[f] - runs.plain[i][f]))])),
          statuses: [...new Set(xs.map((x) => x.status))],
        },
      ]),
    );
    log(`workerd: ${JSON.stringify(workerd)}`);
  } catch (e) {
    workerdError = String(e?.stack ?? e);
  }
  report({ sizes, wasmGzip, entries, runs: RUNS, workerdRuns: WORKERD_RUNS, baseline: BASELINE, node: nodeSummary, workerd, workerdError });
} finally {
  rmSync(dir, { recursive: true, force: true });
  await sb.stop();
}
