// Benchmark 3: queue scale. Q requests enqueued at once behind a limiter with one token,
// with a `fetch` that answers at once, so only the client is measured: memory per queued
// request, timers armed, enqueue and cancel cost per request; then Q requests with a
// limit of Q (all go through at once): dispatch cost per request.
// Run with --expose-gc. The timer functions are wrapped before the package is imported.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { envInt, report } from "./lib.mjs";

const realSet = globalThis.setTimeout;
const realClear = globalThis.clearTimeout;
const live = new Set();
let armed = 0;
let maxLive = 0;
globalThis.setTimeout = function setTimeout(fn, ms, ...args) {
  const t = realSet(
    (...a) => {
      live.delete(t);
      fn(...a);
    },
    ms,
    ...args,
  );
  live.add(t);
  armed += 1;
  maxLive = Math.max(maxLive, live.size);
  return t;
};
globalThis.clearTimeout = function clearTimeout(t) {
  live.delete(t);
  realClear(t);
};
// `live` counts the timers that hold the process open; `idle`, those unref'd (a deadline
// group's timer kept between calls: it holds nothing open and fires nothing).
const refed = () => [...live].filter((t) => t.hasRef?.() !== false).length;
const timers = () => ({ armed, maxLive, live: refed(), idle: live.size - refed() });
const resetTimers = () => {
  armed = 0;
  maxLive = live.size;
};

// `--before`: the same measurement of the package in BENCH_BASELINE (a copy of an older
// pkg/), each in its own process, for a side-by-side A/B.
const BEFORE = process.argv.includes("--before");
const { ConveyorClient } = BEFORE
  ? await import(pathToFileURL(join(resolve(process.env.BENCH_BASELINE), "dist/node.mjs")).href)
  : await import("conveyor-client");

const Q = envInt("BENCH_QUEUE", 100_000);
const gc = globalThis.gc ?? (() => {});
const instant = () => Promise.resolve(new Response("{}"));
const turn = () => new Promise((r) => setImmediate(r));
function memory() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}
const diff = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));
const perReq = (d, n) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / n]));

// Warm the code paths (and the wasm allocator) so the measurement is of the queue.
{
  const warm = new ConveyorClient({ apiKey: "sk_test_warm_0123456789", baseUrl: "http://127.0.0.1:9/api/v2", fetch: instant, rateLimit: { limit: 1000, windowMs: 1000, shared: false } });
  await Promise.all(Array.from({ length: 1000 }, () => warm.fetch("/exchange/access_groups")));
}

/** Q requests behind a limiter with one token; with signals, then cancelled. */
async function queueRun(withSignals) {
  const client = new ConveyorClient({
    apiKey: `sk_test_queue${withSignals ? "s" : ""}_0123456789`,
    baseUrl: "http://127.0.0.1:9/api/v2",
    fetch: instant,
    rateLimit: { limit: 1, windowMs: 60_000, maxQueue: Q, shared: false },
  });
  // One controller per request, made before the baseline: Node's EventTarget checks for
  // duplicate listeners with a list walk, so Q listeners on one shared signal would cost
  // O(Q^2) in Node itself and measure that instead of the client.
  const controllers = withSignals ? Array.from({ length: Q }, () => new AbortController()) : null;
  const before = memory();
  resetTimers();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const settled = new Array(Q);
  for (let i = 0; i < Q; i++) {
    settled[i] = client.fetch("/exchange/access_groups", withSignals ? { signal: controllers[i].signal } : undefined).then(
      () => "ok",
      (e) => e.code,
    );
  }
  let spins = 0;
  while (client.rateLimitState().queued < Q - 1 && spins < 100_000) {
    await turn();
    spins += 1;
  }
  const enqueueMs = performance.now() - t0;
  const enqueueCpu = process.cpuUsage(cpu0);
  const out = {
    enqueue: { usPerRequest: (enqueueMs * 1000) / Q, cpuUsPerRequest: (enqueueCpu.user + enqueueCpu.system) / Q },
    state: client.rateLimitState(),
    timersWhileQueued: timers(),
  };
  const during = memory();
  out.memoryPerQueuedRequest = perReq(diff(before, during), Q);
  if (withSignals) {
    const t1 = performance.now();
    for (const c of controllers) c.abort();
    const outcomes = await Promise.all(settled);
    out.cancel = {
      usPerRequest: ((performance.now() - t1) * 1000) / Q,
      outcomes: outcomes.reduce((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {}),
      after: { state: client.rateLimitState(), timers: timers() },
    };
  }
  return out;
}
/**
 * What the harness and a promise cost without any client: Q pending promises whose
 * resolving functions are kept (as any promise-returning client must), each with the same
 * `.then` as above. A client's own share of a queued request is what it adds to this.
 */
async function floorRun() {
  const resolves = new Array(Q).fill(undefined);
  const rejects = new Array(Q).fill(undefined);
  const settled = new Array(Q).fill(undefined);
  const before = memory();
  for (let i = 0; i < Q; i++) {
    settled[i] = new Promise((res, rej) => {
      resolves[i] = res;
      rejects[i] = rej;
    }).then(
      () => "ok",
      (e) => e.code,
    );
  }
  const during = memory();
  const out = { memoryPerQueuedRequest: perReq(diff(before, during), Q) };
  for (const res of resolves) res();
  if (rejects.length !== Q) throw new Error("rejects lost");
  await Promise.all(settled);
  return out;
}

// One measurement per process (`node --expose-gc bench/queue.mjs queue|signals|dispatch|floor`),
// so none inherits the heap, the grown wasm memory or the JIT state of another.
const MODE = process.argv[2] ?? "queue";
if (MODE === "floor") {
  report({ mode: MODE, queued: Q, ...(await floorRun()) });
  process.exit(0);
}
if (MODE === "queue" || MODE === "signals") {
  const out = await queueRun(MODE === "signals");
  report({ mode: MODE, queued: Q, ...out });
  // A plain queue still waits for its 60 s window; nothing more to measure.
  process.exit(0);
}

// Dispatch: a limit of Q, so every request goes straight through the limiter; then the
// same with the limiter off, and the bare `fetch` option alone. First Q/4 requests through
// a client of their own: linear time means the same cost per request at Q/4 and at Q.
const quarter = new ConveyorClient({
  apiKey: "sk_test_dispatch_quarter_0123456789",
  baseUrl: "http://127.0.0.1:9/api/v2",
  fetch: instant,
  rateLimit: { limit: Q, windowMs: 60_000, maxQueue: Q, shared: false },
});
const open = new ConveyorClient({
  apiKey: "sk_test_dispatch_0123456789",
  baseUrl: "http://127.0.0.1:9/api/v2",
  fetch: instant,
  rateLimit: { limit: Q, windowMs: 60_000, maxQueue: Q, shared: false },
});
const off = new ConveyorClient({
  apiKey: "sk_test_dispatch_0123456789",
  baseUrl: "http://127.0.0.1:9/api/v2",
  fetch: instant,
  rateLimit: false,
});
// `request()` reads each body within its deadline, so its attempts share deadline groups
// (an `AbortController` and a timer per group, not per request); `fetch()` hands the body
// over and keeps both per request.
const openRequest = new ConveyorClient({
  apiKey: "sk_test_dispatch_request_0123456789",
  baseUrl: "http://127.0.0.1:9/api/v2",
  fetch: instant,
  rateLimit: { limit: Q, windowMs: 60_000, maxQueue: Q, shared: false },
});
async function dispatch(c, n = Q, viaRequest = false) {
  gc();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const r = await Promise.all(Array.from({ length: n }, () => (viaRequest ? c.request("GET", "/exchange/access_groups").then(() => ({ status: 200 })) : c.fetch("/exchange/access_groups"))));
  const ms = performance.now() - t;
  const us = process.cpuUsage(cpu);
  if (r.length !== n || r.some((x) => x.status !== 200)) throw new Error("dispatch run failed");
  return { usPerRequest: (ms * 1000) / n, cpuUsPerRequest: (us.user + us.system) / n };
}
const dispatchQuarter = await dispatch(quarter, Math.floor(Q / 4));
resetTimers();
const dispatchLimited = await dispatch(open);
const dispatchTimers = timers();
const dispatchOff = await dispatch(off);
resetTimers();
const dispatchRequest = await dispatch(openRequest, Q, true);
const dispatchRequestTimers = timers();
// The same loop around the bare `fetch` option, to show what part is the harness's.
const bare = await (async () => {
  const t = performance.now();
  await Promise.all(Array.from({ length: Q }, () => instant().then((r) => r)));
  return { usPerRequest: ((performance.now() - t) * 1000) / Q };
})();

report({ mode: MODE, queued: Q, limitedQuarter: dispatchQuarter, limited: dispatchLimited, rateLimitOff: dispatchOff, viaRequest: dispatchRequest, bareFetchOption: bare, timers: dispatchTimers, timersViaRequest: dispatchRequestTimers });
