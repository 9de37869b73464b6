// `make bench`: runs every benchmark in its own Node process (so none inherits another's
// heap, JIT state or timers), prints one table and writes bench/results.json (or the file
// BENCH_RESULTS names). Each part runs under the Node that runs this script: another Node's
// figures come from running it with that Node, into a file of their own.
// Scale down with BENCH_N, BENCH_QUEUE, BENCH_WINDOWS, BENCH_STARTUP_RUNS; pick parts with
// BENCH_ONLY=overhead,stub,limiter,queue,startup,stores (stub: BENCH_STUB_N, BENCH_STUB_ROUNDS;
// stores: BENCH_STORES_N, BENCH_FLEET_*).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, relative, resolve as resolvePath } from "node:path";
import { ROOT, envInt } from "./lib.mjs";

const only = process.env.BENCH_ONLY?.split(",");
const want = (p) => !only || only.includes(p);

/**
 * Runs one part in a fresh process. A crash is retried (up to 3 attempts) and counted:
 * Node 20.20's V8 sometimes aborts in its deoptimizer ("Fatal error ... unreachable code",
 * SIGTRAP) early in the 100,000-signal queue run.
 */
async function part(script, args = [], flags = [], env = {}) {
  for (let attempt = 1; ; attempt++) {
    const r = await new Promise((resolve) => {
      const child = spawn(process.execPath, [...flags, join(ROOT, "bench", script), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("exit", (code, signal) => resolve({ code, signal, out }));
    });
    const line = r.out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
    if (line) return { ...JSON.parse(line.slice("BENCH_RESULT ".length)), ...(attempt > 1 ? { crashesBeforeThisRun: attempt - 1 } : {}) };
    if (attempt >= 3) throw new Error(`bench/${script} ${args.join(" ")} failed (${r.code ?? r.signal})`);
    process.stderr.write(`bench/${script} ${args.join(" ")} died (${r.code ?? r.signal}); running it again\n`);
  }
}

// With BENCH_ONLY, the other parts keep their figures from the last full run.
const file = process.env.BENCH_RESULTS ? resolvePath(process.env.BENCH_RESULTS) : join(ROOT, "bench/results.json");
const previous = only && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
const results = { ...previous, date: new Date().toISOString(), node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length };
const failed = [];
async function run(name, f) {
  if (!want(name)) return;
  try {
    results[name] = await f();
  } catch (e) {
    failed.push(`${name}: ${e.message}`);
    delete results[name];
  }
}
await run("overhead", () => part("overhead.mjs"));
await run("stub", () => part("stub.mjs"));
await run("limiter", () => part("limiter.mjs"));
await run("queue", async () => {
  const q = {};
  for (const mode of ["queue", "signals", "dispatch", "floor"]) q[mode] = await part("queue.mjs", [mode], ["--expose-gc"]);
  if (process.env.BENCH_BASELINE) {
    q.before = {};
    for (const mode of ["queue", "signals", "dispatch"]) q.before[mode] = await part("queue.mjs", [mode, "--before"], ["--expose-gc"]);
  }
  // The wasm memory grows in steps (an eighth of itself at a time, src/heap.rs), and a
  // queue's arrays double: at one queue length a change can vanish into a step or look
  // larger than it is. The same measure at nine lengths around it, each in its own process
  // (and the baseline's, interleaved), gives the mean a change moves.
  const base = envInt("BENCH_QUEUE", 100_000);
  q.lengths = [];
  for (const k of [6, 7, 8, 9, 10, 11, 12, 13, 14]) {
    const env = { BENCH_QUEUE: String(Math.round((base * k) / 10)) };
    const at = { queued: Number(env.BENCH_QUEUE), after: (await part("queue.mjs", ["queue"], ["--expose-gc"], env)).memoryPerQueuedRequest };
    if (process.env.BENCH_BASELINE) at.before = (await part("queue.mjs", ["queue", "--before"], ["--expose-gc"], env)).memoryPerQueuedRequest;
    q.lengths.push(at);
  }
  return q;
});
await run("startup", () => part("startup.mjs"));
await run("stores", () => part("stores.mjs"));
await run("webhook", () => part("webhook.mjs"));
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");

// ---- the table ----
const rows = [];
const f = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? "n/a" : Number(x).toFixed(d));
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const goal = (ok) => (ok ? "met" : "MISSED");
const row = (area, what, value, target = "", verdict = "") => rows.push([area, what, value, target, verdict]);

const WORKERD_MODES = {
  "client-off": "client (rateLimit: false)",
  "client-high": "client (limit 1e9/s)",
  ky: "ky",
  ofetch: "ofetch",
  hand: "hand wrapper",
  "ofetch-deadline": "ofetch, 30 s deadline",
  "hand-deadline": "hand wrapper, 30 s deadline",
};
const isClient = (name) => name.startsWith("client");
if (results.overhead) {
  const o = results.overhead;
  for (const conc of ["1", "32"]) {
    const target = conc === "1" ? 0.95 : 0.9;
    for (const [name, v] of Object.entries(o.node[conc])) {
      if (name === "plain") continue;
      const mine = isClient(name);
      row("1 overhead", `Node c=${conc} ${name}: throughput vs plain fetch`, f(v.ratio, 3), mine ? `>= ${target}` : "", mine ? goal(v.ratio >= target) : "");
      row("1 overhead", `Node c=${conc} ${name}: added CPU per request`, `${f(v.addedCpuUs, 1)} µs`, "", "");
    }
    row("1 overhead", `Node c=${conc} plain fetch`, `${f(o.node[conc].plain.rps, 0)} req/s, ${f(o.node[conc].plain.cpuUsPerRequest, 1)} µs CPU/req`);
    if (o.workerd) {
      for (const [m, name] of Object.entries(WORKERD_MODES)) {
        const v = o.workerd[conc][m];
        if (!v) continue;
        const mine = isClient(name);
        row("1 overhead", `workerd c=${conc} ${name}: throughput vs plain fetch`, f(v.ratio, 3), mine ? `>= ${target}` : "", mine ? goal(v.ratio >= target) : "");
      }
    }
  }
  if (!o.workerd) row("1 overhead", "workerd", `failed: ${o.workerdError?.split("\n")[0]}`);
}
if (results.stub) {
  const s = results.stub;
  for (const [name, v] of Object.entries(s.variants)) {
    if (name.startsWith("stub fetch alone")) continue;
    const budget = name.startsWith("client fetch") ? 3 : name.startsWith("client typed") ? 5 : null;
    row("1 stub fetch", `${name}: own CPU per call`, `${f(v.ownUs, 2)} µs (${f(v.cpuUsPerCall, 2)} with the stub)`, budget ? `<= ${budget} µs` : "", budget ? goal(v.ownUs <= budget) : "");
  }
  row("1 stub fetch", "the stub fetch alone (a new Response, its body read as bytes / as JSON / not read)", `${f(s.variants["stub fetch alone"].cpuUsPerCall, 2)} / ${f(s.variants["stub fetch alone, JSON"].cpuUsPerCall, 2)} / ${f(s.variants["stub fetch alone, body not read"].cpuUsPerCall, 2)} µs per call`);
}
if (results.limiter) {
  const l = results.limiter;
  for (const [name, r] of Object.entries(l.results)) {
    const mine = name === "conveyor-client";
    row("2 limiter", `${name}: 429s (${r.sent} sent, ${l.limit}/${l.windowMs / 1000} s, ${l.windows} windows)`, String(r.rejected429), mine ? "0" : "", mine ? goal(r.rejected429 === 0) : "");
    row("2 limiter", `${name}: largest count in any window`, String(r.maxInWindow), mine ? `= ${l.limit}` : "", mine ? goal(r.maxInWindow === l.limit) : "");
    row("2 limiter", `${name}: accepted throughput / allowance`, f(r.allowanceFraction, 3), mine ? ">= 0.99" : "", mine ? goal(r.allowanceFraction >= 0.99) : "");
    if (mine) {
      // Each window's batch waits for the previous batch's responses (a token returns one
      // window after its response), so a cycle is window + the batch's latency L; the same
      // L against the production window (2000 per 300 s) gives this fraction.
      const cycleExtra = r.spanMs / l.windows - l.windowMs;
      row("2 limiter", `${name}: batch latency per window (L)`, `${f(cycleExtra, 0)} ms`);
      row("2 limiter", `${name}: same L at 2000 per 300 s`, f(300_000 / (300_000 + Math.max(0, cycleExtra)), 4), ">= 0.99", goal(300_000 / (300_000 + Math.max(0, cycleExtra)) >= 0.99));
    }
  }
}
if (results.queue) {
  const { queue: q, signals: s, dispatch: d } = results.queue;
  const mem = (m) => `${f(m.heapUsed + m.external, 0)} B (heap ${f(m.heapUsed, 0)} + external/wasm ${f(m.external, 0)}; rss ${f(m.rss, 0)})`;
  const total = (m) => m.heapUsed + m.external;
  row("3 queue", `${q.queued} queued at once: memory per queued request`, mem(q.memoryPerQueuedRequest), "<= 500 B", goal(total(q.memoryPerQueuedRequest) <= 500));
  const fl = results.queue.floor;
  if (fl) row("3 queue", "the same without a client: a pending promise with its resolvers kept, and the harness's .then", mem(fl.memoryPerQueuedRequest));
  const lengths = results.queue.lengths;
  if (lengths?.length) {
    const spread = (side) => {
      const xs = lengths.map((l) => total(l[side]));
      const ext = lengths.map((l) => l[side].external);
      const mean = (ys) => ys.reduce((a, y) => a + y, 0) / ys.length;
      return `${f(mean(xs), 0)} B (${f(Math.min(...xs), 0)}-${f(Math.max(...xs), 0)}; external/wasm ${f(mean(ext), 0)})`;
    };
    const span = `${lengths[0].queued}-${lengths[lengths.length - 1].queued}`;
    row("3 queue", `memory per queued request, mean over ${lengths.length} queue lengths ${span} (the wasm memory grows in steps)`, lengths[0].before ? `${spread("before")} -> ${spread("after")}` : spread("after"));
  }
  const b = results.queue.before;
  if (b) {
    row("3 queue", "memory per queued request, before -> after (BENCH_BASELINE, separate processes)", `${f(total(b.queue.memoryPerQueuedRequest), 0)} -> ${f(total(q.memoryPerQueuedRequest), 0)} B (external/wasm ${f(b.queue.memoryPerQueuedRequest.external, 0)} -> ${f(q.memoryPerQueuedRequest.external, 0)})`);
    row("3 queue", "with an AbortSignal each: memory per queued request, before -> after", `${f(total(b.signals.memoryPerQueuedRequest), 0)} -> ${f(total(s.memoryPerQueuedRequest), 0)} B`);
    row("3 queue", "dispatched at once: per request, before -> after", `${f(b.dispatch.limited.usPerRequest, 1)} -> ${f(d.limited.usPerRequest, 1)} µs (rateLimit: false ${f(b.dispatch.rateLimitOff.usPerRequest, 1)} -> ${f(d.rateLimitOff.usPerRequest, 1)} µs); Q/4: ${f(b.dispatch.limitedQuarter.usPerRequest, 1)} -> ${f(d.limitedQuarter.usPerRequest, 1)} µs`);
  }
  row("3 queue", "timers live while queued (limiter + the first request's attempt timeout)", `${q.timersWhileQueued.maxLive} max, ${q.timersWhileQueued.live} after the send`, "1 for the limiter", goal(q.timersWhileQueued.live <= 1));
  row("3 queue", "enqueue cost per request", `${f(q.enqueue.usPerRequest, 1)} µs`);
  row("3 queue", "with an AbortSignal each: memory per queued request", mem(s.memoryPerQueuedRequest));
  row("3 queue", "with an AbortSignal each: enqueue / cancel per request", `${f(s.enqueue.usPerRequest, 1)} µs / ${f(s.cancel.usPerRequest, 1)} µs`);
  row("3 queue", "after cancelling all: queued, inFlight, timers live", `${s.cancel.after.state.queued}, ${s.cancel.after.state.inFlight}, ${s.cancel.after.timers.live}${s.cancel.after.timers.idle ? ` (and ${s.cancel.after.timers.idle} unref'd: the idle deadline group's)` : ""}`, "0, 0, 0", goal(s.cancel.after.state.queued === 0 && s.cancel.after.timers.live === 0));
  row("3 queue", `${d.queued} dispatched at once (limit ${d.queued}): per request`, `${f(d.limited.usPerRequest, 1)} µs (rateLimit: false ${f(d.rateLimitOff.usPerRequest, 1)} µs; the bare fetch option ${f(d.bareFetchOption.usPerRequest, 1)} µs)`, "<= 20 µs", goal(d.limited.usPerRequest <= 20));
  row("3 queue", `${Math.floor(d.queued / 4)} dispatched at once (a client of their own): per request`, `${f(d.limitedQuarter.usPerRequest, 1)} µs`, "linear: about the same as Q");
  row("3 queue", "timers armed during dispatch through fetch() (one per deadline group)", `${d.timers.armed}`);
  if (d.viaRequest)
    row("3 queue", `${d.queued} dispatched at once through request() (deadline groups): per request`, `${f(d.viaRequest.usPerRequest, 1)} µs (${f(d.viaRequest.cpuUsPerRequest, 1)} µs CPU; timers armed ${d.timersViaRequest.armed})${b?.dispatch.viaRequest ? `; before ${f(b.dispatch.viaRequest.usPerRequest, 1)} µs` : ""}`, "<= 20 µs", goal(d.viaRequest.usPerRequest <= 20));
}
if (results.startup) {
  const st = results.startup;
  for (const s of st.sizes) {
    const total = s["total (gzip B)"];
    row("4 size", `${s.build ? `${s.build} build, ` : ""}${s.loader} loader: .wasm + glue gzipped`, `${kb(s["wasm (gzip B)"])} + ${kb(s["JS glue (gzip B)"])} = ${kb(total)}`, "< 40 KB", goal(total < 40 * 1024));
  }
  for (const [name, e] of Object.entries(st.entries)) {
    const first = name === "browser: import { ConveyorClient }";
    row("4 size", `${name}: minified bundle + .wasm, gzip -9`, `${kb(e.glueGzip)} + ${kb(e.wasmGzip ?? st.wasmGzip)} = ${kb(e.totalGzip)}`, first ? "<= 40 KB" : "", first ? goal(e.totalGzip <= 40 * 1024) : "");
  }
  const n = st.node;
  const ratio = (after, before) => `${f(after / before, 2)}×`;
  row("4 start-up", `Node: import (median of ${st.runs})`, `${f(n.client.importMs, 1)} ms`, "< 10 ms", goal(n.client.importMs < 10));
  if (n.before) row("4 start-up", "Node: import, before -> after (BENCH_BASELINE, same rounds)", `${f(n.before.importMs, 1)} -> ${f(n.client.importMs, 1)} ms (${ratio(n.client.importMs, n.before.importMs)})`);
  row("4 start-up", "Node: import + first request (per process), client vs plain fetch", `${f(n.client.coldMs, 1)} ms vs ${f(n.plain.coldMs, 1)} ms`);
  const cpu = (x) => `${f(x.importCpuMs, 1)} + ${f(x.firstRequestCpuMs, 1)} = ${f(x.coldCpuMs, 1)} ms`;
  row("4 start-up", "Node: process CPU, import + first request: client / plain fetch", `${cpu(n.client)} / ${cpu(n.plain)}`);
  if (n.before) row("4 start-up", "Node: process CPU, import + first request: before (BENCH_BASELINE)", cpu(n.before));
  if (n.before) row("4 start-up", "Node: import + first request, before -> after (BENCH_BASELINE, same rounds)", `${f(n.before.coldMs, 1)} -> ${f(n.client.coldMs, 1)} ms (${ratio(n.client.coldMs, n.before.coldMs)})`);
  if (n.wasm) row("4 start-up", "Node: the .wasm alone, fresh process: read / compile / instantiate", `${f(n.wasm.readMs, 1)} / ${f(n.wasm.compileMs, 1)} / ${f(n.wasm.instantiateMs, 1)} ms`);
  if (n.empty) row("4 start-up", "Node: import of an empty ES module (the loader's own floor)", `${f(n.empty.importMs, 1)} ms`);
  if (n.tiny) row("4 start-up", "Node: import of an empty package by name (the floor for any package: finding it in node_modules)", `${f(n.tiny.importMs, 1)} ms`);
  row("4 start-up", "Node: first request, client vs plain fetch", `${f(n.client.firstRequestMs, 1)} ms vs ${f(n.plain.firstRequestMs, 1)} ms`);
  row("4 start-up", "Node: whole process, client vs plain fetch", `${f(n.client.processMs, 0)} ms vs ${f(n.plain.processMs, 0)} ms`);
  if (st.workerd) {
    // The cold start at run time is start (workerd loads the modules, compiles the .wasm, runs
    // the glue's top level) plus the first request; the bundle is made at deploy.
    const w = st.workerd;
    const extra = w.client.overPlain.coldMs;
    const cols = (x) => `${f(x.bundleMs, 0)} | ${f(x.startMs, 1)} | ${f(x.firstRequestMs, 1)} | ${f(x.coldMs, 1)} | ${f(x.totalMs, 0)}`;
    const signed = (x) => `${x >= 0 ? "+" : ""}${f(x, 1)}`;
    const over = (x) => `${signed(x.overPlain.startMs)} | ${signed(x.overPlain.firstRequestMs)} | ${signed(x.overPlain.coldMs)}`;
    row("4 start-up", `workerd: cold start at run time (start + first request, median of ${st.workerdRuns}), client vs plain`, `${f(w.client.coldMs, 1)} ms vs ${f(w.plain.coldMs, 1)} ms (${signed(extra)} ms, paired)`, "<= +15 ms", goal(extra <= 15));
    for (const [k, name] of [["client", "client"], ["before", "before (BENCH_BASELINE)"], ["wasm", "only the .wasm"], ["plain", "plain"]]) {
      if (w[k]) row("4 start-up", `workerd ${name}: bundle | start | first request | start + first | all (ms)`, cols(w[k]));
    }
    for (const [k, name] of [["client", "client"], ["before", "before (BENCH_BASELINE)"], ["wasm", "only the .wasm"]]) {
      if (w[k]) row("4 start-up", `workerd ${name} over plain, paired: start | first request | start + first (ms)`, over(w[k]));
    }
    // workerd's own CPU time (all threads): what it spent, which the machine's load disturbs
    // less than wall time (it still moves some: caches, clock speed).
    const cpu = (x) => `${f(x.startCpuMs, 1)} | ${f(x.firstRequestCpuMs, 1)} | ${f(x.coldCpuMs, 1)}`;
    const overCpu = (x) => `${signed(x.overPlain.startCpuMs)} | ${signed(x.overPlain.firstRequestCpuMs)} | ${signed(x.overPlain.coldCpuMs)}`;
    for (const [k, name] of [["client", "client"], ["before", "before (BENCH_BASELINE)"], ["wasm", "only the .wasm"], ["plain", "plain"]]) {
      if (w[k]) row("4 start-up", `workerd ${name}, workerd CPU: start | first request | start + first (ms)${k === "plain" ? "" : "; over plain, paired"}`, `${cpu(w[k])}${k === "plain" ? "" : `; ${overCpu(w[k])}`}`);
    }
    if (w.before) row("4 start-up", "workerd: start + first request, before -> after (BENCH_BASELINE, same rounds)", `${f(w.before.coldMs, 1)} -> ${f(w.client.coldMs, 1)} ms (${ratio(w.client.coldMs, w.before.coldMs)})`);
  } else row("4 start-up", "workerd", `failed: ${st.workerdError?.split("\n")[0]}`);
}
if (results.stores) {
  const st = results.stores;
  const ms = (x) => `${f(x, 2)} ms`;
  const added = (v) => `${ms(v.addedP50Ms)} / ${ms(v.addedP99Ms)} (mean ${ms(v.addedMeanMs)}; p99 itself ${ms(v.p99Ms)})`;
  for (const conc of ["1", "16"]) {
    const nd = st.node[conc];
    row("5 stores", `Node c=${conc} plain fetch: p50 / p99 latency`, `${ms(nd.plain.p50Ms)} / ${ms(nd.plain.p99Ms)}`);
    for (const [name, v] of Object.entries(nd)) {
      if (name === "plain") continue;
      const calls = v.storeCallsPerRequest ? `; ${f(v.storeCallsPerRequest.acquire, 2)} acquire + ${f(v.storeCallsPerRequest.settle, 2)} settle calls/req` : "";
      row("5 stores", `Node c=${conc} ${name}: added p50 / p99`, added(v) + calls);
    }
    const wd = st.workerd[conc];
    row("5 stores", `workerd c=${conc} plain fetch: p50 / p99 (whole ms)`, `${ms(wd.plain.p50Ms)} / ${ms(wd.plain.p99Ms)}`);
    for (const name of ["in-memory limiter", "Durable Object"]) row("5 stores", `workerd c=${conc} ${name}: added p50 / p99 (whole ms)`, added(wd[name]));
  }
  row("5 stores", "redis-server PING p50 / p99 (node-redis, ioredis)", Object.values(st.ping).map((p) => `${ms(p.p50Ms)} / ${ms(p.p99Ms)}`).join("; "));
  const fl = st.fleet;
  for (const [name, r] of Object.entries(fl.results)) {
    const what = `${name} (${fl.limit}/${fl.windowMs / 1000} s, ${fl.windows} windows)`;
    row("5 stores", `${what}: 429s / busiest window`, `${r.rejected429} / ${r.maxInWindow}`, `0 / ${fl.limit}`, goal(r.rejected429 === 0 && r.maxInWindow === fl.limit));
    row("5 stores", `${what}: allowance used in windows 1-${fl.windows - 1} (per window ${r.perWindow.join(", ")})`, f(r.fraction, 3), ">= 0.95", goal(r.fraction >= 0.95));
    row("5 stores", `${what}: accepted throughput / allowance as in 2 limiter`, f(r.spanFraction, 3));
  }
}

const header = ["part", "measure", "result", "goal", ""];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log(`\n${results.node} on ${results.platform}, ${results.cpus} CPUs; raw figures in ${relative(ROOT, file)}`);
if (failed.length) {
  console.log(`\nFAILED: ${failed.join("; ")}`);
  process.exitCode = 1;
}
