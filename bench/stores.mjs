// Benchmark 5: what a shared rate-limit store costs.
//
// Latency: each request's time from call to resolved body, against the sandbox with its
// limiter out of the way and the client's limit far above what is sent (nobody waits for
// a token: only the store's round trips are measured). Variants run interleaved in rounds
// (the first variant rotates), at 1 and 16 in flight; "added" is a variant's quantile minus
// plain fetch's from the same rounds. Node: plain fetch, the in-memory limiter, MemoryStore,
// the Redis store over node-redis and over ioredis (a real redis-server on loopback).
// workerd (Miniflare): plain fetch, the in-memory limiter, the Durable Object store.
//
// Allowance: fleets sharing one key through a store against a sandbox allowing LIMIT per
// WINDOW_S, saturated for WINDOWS windows; the fraction is tests/e2e/redis.test.mjs's (see
// allowanceUsed in bench/saturate.mjs). Contenders: one client with the in-memory limiter
// (the baseline), 4 clients in one process over MemoryStore, 4 Node processes over Redis
// (tests/e2e/lib/redis-fleet-member.mjs, node-redis and ioredis alternating), 4 workerd
// isolates over one Durable Object.
import { fork } from "node:child_process";
import { once } from "node:events";
import { Miniflare } from "miniflare";
import { createClient } from "redis";
import IORedis from "ioredis";
import { ConveyorClient, MemoryStore } from "conveyor-client/stores";
import { createRedisStore } from "conveyor-client/redis";
import { startSandbox, KEYS, envInt, pool, quantile, report, sleep, ROOT } from "./lib.mjs";
import { saturate, allowanceUsed } from "./saturate.mjs";
import { startRedis } from "../tests/e2e/lib/redis.mjs";
import { bundleWorker } from "../tests/e2e/lib/workerd.mjs";

const N = envInt("BENCH_STORES_N", 2000); // per variant and concurrency, in Node
const WORKERD_N = envInt("BENCH_STORES_WORKERD_N", 1000);
const ROUNDS = envInt("BENCH_ROUNDS", 10);
const CONCURRENCY = [1, 16];
const FLEET = 4;
const LIMIT = envInt("BENCH_FLEET_LIMIT", 200);
const WINDOW_S = envInt("BENCH_FLEET_WINDOW_S", 2);
const WINDOW_MS = WINDOW_S * 1000;
const WINDOWS = envInt("BENCH_FLEET_WINDOWS", 4); // windows 1 .. WINDOWS-1 are measured
const PATH = "/exchange/access_groups";
const HIGH = { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000 };
const log = (...a) => process.stderr.write(`[stores] ${a.join(" ")}\n`);

const [sb, fsb, redis] = await Promise.all([
  startSandbox(["--rate-limit", "1000000000/1"]),
  startSandbox(["--rate-limit", `${LIMIT}/${WINDOW_S}`]),
  startRedis(),
]);
const nodeRedis = createClient({ url: redis.url });
await nodeRedis.connect();
const ioredis = new IORedis(redis.url);

/** The added latency of each variant over `base`, from the same rounds. */
function summarize(ms, base = "plain") {
  const q = (name, p) => quantile(ms[name], p);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return Object.fromEntries(
    Object.keys(ms).map((name) => [
      name,
      {
        requests: ms[name].length,
        p50Ms: q(name, 0.5),
        p99Ms: q(name, 0.99),
        addedP50Ms: q(name, 0.5) - q(base, 0.5),
        addedP99Ms: q(name, 0.99) - q(base, 0.99),
        addedMeanMs: mean(ms[name]) - mean(ms[base]),
      },
    ]),
  );
}

/** A store that counts its calls (one Redis round trip each). */
function counting(store, calls) {
  return Object.fromEntries(["acquire", "settle", "release"].map((m) => [m, (req) => ((calls[m] += 1), store[m](req))]));
}

// ---- latency in Node ----
const headers = { "X-API-KEY": KEYS.bench, Accept: "application/json" };
const storeCalls = {};
const make = (rateLimit) => {
  const c = new ConveyorClient({ apiKey: KEYS.bench, baseUrl: sb.api, rateLimit });
  return async () => {
    await (await c.fetch(PATH)).arrayBuffer();
  };
};
const viaStore = (name, store) => {
  storeCalls[name] = { acquire: 0, settle: 0, release: 0, requests: 0 };
  // shared: false, or every client of the key in this realm would use the first one's store.
  return make({ ...HIGH, shared: false, store: counting(store, storeCalls[name]), fleetSize: 1 });
};
const memoryStore = new MemoryStore();
const variants = {
  plain: async () => {
    const res = await fetch(sb.api + PATH, { headers });
    if (res.status !== 200) throw new Error(`plain fetch got ${res.status}`);
    await res.arrayBuffer();
  },
  "in-memory limiter": make({ ...HIGH, shared: false }),
  MemoryStore: viaStore("MemoryStore", memoryStore),
  "Redis (node-redis)": viaStore("Redis (node-redis)", createRedisStore(nodeRedis, { prefix: "bench:nr:" })),
  "Redis (ioredis)": viaStore("Redis (ioredis)", createRedisStore(ioredis, { prefix: "bench:io:" })),
};
const names = Object.keys(variants);
const node = {};
for (const conc of CONCURRENCY) {
  const ms = Object.fromEntries(names.map((n) => [n, []]));
  for (const n of names) await pool(Math.min(300, N), conc, variants[n]); // warm-up
  for (const c of Object.values(storeCalls)) for (const k of Object.keys(c)) c[k] = 0;
  const per = Math.max(1, Math.round(N / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      await pool(per, conc, async () => {
        const t0 = performance.now();
        await variants[name]();
        ms[name].push(performance.now() - t0);
      });
      if (storeCalls[name]) storeCalls[name].requests += per;
    }
  }
  await sleep(50); // settles go out batched per tick
  node[conc] = summarize(ms);
  for (const [n, c] of Object.entries(storeCalls)) node[conc][n].storeCallsPerRequest = { acquire: c.acquire / c.requests, settle: c.settle / c.requests, release: c.release / c.requests };
  log(`node concurrency ${conc}: ${JSON.stringify(node[conc])}`);
}

// A bare round trip to redis-server for scale: PING, one at a time, both libraries.
const ping = {};
for (const [name, call] of [["node-redis", () => nodeRedis.ping()], ["ioredis", () => ioredis.ping()]]) {
  for (let i = 0; i < 200; i++) await call();
  const ms = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ping[name] = { p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
}

// ---- workerd: one Miniflare, FLEET isolates of bench/worker-stores.mjs; the first hosts the object ----
const worker = await bundleWorker(`${ROOT}/bench/worker-stores.mjs`);
const mf = new Miniflare({
  workers: Array.from({ length: FLEET }, (_, i) => ({
    name: `stores-${i}`,
    modules: worker.modules,
    compatibilityDate: "2025-06-01",
    bindings: { CONVEYOR_API_KEY: KEYS.bench },
    durableObjects: { LIMITER: { className: "ConveyorRateLimiter", useSQLite: true, ...(i ? { scriptName: "stores-0" } : {}) } },
  })),
});
const isolates = await Promise.all(Array.from({ length: FLEET }, (_, i) => mf.getWorker(`stores-${i}`)));
for (const w of isolates) await (await w.fetch("http://bench.test/")).text(); // started
const call = async (w, params) => {
  const r = await (await w.fetch(`http://bench.test/?${new URLSearchParams(params)}`)).json();
  if (r.error) throw new Error(`worker: ${r.error}`);
  return r;
};

const workerd = {};
const modes = { plain: "plain", memory: "in-memory limiter", do: "Durable Object" };
for (const conc of CONCURRENCY) {
  const ms = Object.fromEntries(Object.values(modes).map((n) => [n, []]));
  const totals = Object.fromEntries(Object.values(modes).map((n) => [n, { n: 0, ms: 0 }]));
  const keys = Object.keys(modes);
  for (const m of keys) await call(isolates[0], { op: "latency", mode: m, n: 200, conc, api: sb.api }); // warm-up
  const per = Math.max(1, Math.round(WORKERD_N / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < keys.length; k++) {
      const m = keys[(round + k) % keys.length];
      const r = await call(isolates[0], { op: "latency", mode: m, n: per, conc, api: sb.api });
      ms[modes[m]].push(...r.ms);
      totals[modes[m]].n += per;
      totals[modes[m]].ms += r.totalMs;
    }
  }
  workerd[conc] = summarize(ms, "plain");
  // Throughput per variant from the batches' totals (whole-ms readings over many requests).
  for (const [n, t] of Object.entries(totals)) workerd[conc][n].msPerRequestFromTotals = t.ms / t.n;
  log(`workerd concurrency ${conc}: ${JSON.stringify(workerd[conc])}`);
}

// ---- allowance: fleets on one key ----
const settings = { at: 0, limit: LIMIT, windowMs: WINDOW_MS, windows: WINDOWS };
const shareOf = (limit) => Math.max(1, Math.floor(limit / FLEET));

/** Forks FLEET Redis fleet members (the e2e test's) and gathers their results. */
async function redisFleet(at, until) {
  const members = Array.from({ length: FLEET }, (_, i) =>
    fork(`${ROOT}/tests/e2e/lib/redis-fleet-member.mjs`, {
      env: {
        ...process.env,
        CONVEYOR_API_KEY: KEYS.bench,
        CONVEYOR_BASE_URL: fsb.api,
        REDIS_URL: redis.url,
        REDIS_LIB: i % 2 ? "ioredis" : "node-redis",
        LIMIT: String(LIMIT),
        WINDOW_MS: String(WINDOW_MS),
        FLEET: String(FLEET),
        BACKLOG: String(shareOf(LIMIT)),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  try {
    await Promise.all(members.map((m) => once(m, "message"))); // ready: start-up is not the store's
    const replies = members.map(async (m) => (await once(m, "message"))[0]);
    for (const m of members) m.send({ at: at(), until: until() });
    return (await Promise.all(replies)).map((r) => ({ ...r, events: r.events.map((e) => e.type) }));
  } finally {
    for (const m of members) if (m.exitCode === null) m.kill();
  }
}

const fleets = {
  "in-memory limiter, 1 client": (at, until) =>
    Promise.all([saturate({ apiKey: KEYS.bench, baseUrl: fsb.api, rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, shared: false } }, { backlog: LIMIT, at: at(), until: until() })]),
  [`MemoryStore, ${FLEET} clients in one process`]: (at, until) => {
    const store = new MemoryStore();
    const options = { apiKey: KEYS.bench, baseUrl: fsb.api, rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, shared: false, store, fleetSize: FLEET } };
    return Promise.all(Array.from({ length: FLEET }, () => saturate(options, { backlog: shareOf(LIMIT), at: at(), until: until() }))).finally(() => store.free());
  },
  [`Redis, ${FLEET} processes`]: redisFleet,
  [`Durable Object, ${FLEET} isolates`]: (at, until) =>
    Promise.all(
      isolates.map((w) =>
        call(w, { op: "fleet", api: fsb.api, limit: LIMIT, windowMs: WINDOW_MS, fleet: FLEET, backlog: shareOf(LIMIT), at: at(), until: until() }),
      ),
    ),
};
const allowance = {};
for (const [name, run] of Object.entries(fleets)) {
  await fsb.reset();
  await sleep(WINDOW_MS + 100); // nothing of the previous run left in any window, here or in a store
  await fsb.reset();
  // `at` is fixed when the first member asks for it: every member gets the same instant.
  let at;
  const atFn = () => (at ??= Date.now() + 500);
  const members = await run(atFn, () => atFn() + WINDOWS * WINDOW_MS);
  const s = (await fsb.stats()).keys.bench ?? {};
  const { counts, fraction, spanFraction } = allowanceUsed(members.flatMap((m) => m.dispatched), { ...settings, at });
  allowance[name] = {
    members: members.length,
    sent: counts.reduce((a, b) => a + b, 0),
    ok: s.ok ?? 0,
    rejected429: s.rate_limited ?? 0,
    maxInWindow: s.max_in_window ?? null,
    perWindow: counts,
    fraction,
    spanFraction,
    failures: members.flatMap((m) => m.failures),
    storeEvents: members.flatMap((m) => m.events),
  };
  log(`${name}: ${JSON.stringify(allowance[name])}`);
}

await mf.dispose();
nodeRedis.destroy();
ioredis.disconnect();
memoryStore.free();
await Promise.all([sb.stop(), fsb.stop(), redis.stop()]);
report({ n: N, workerdN: WORKERD_N, rounds: ROUNDS, node, ping, workerd, fleet: { size: FLEET, limit: LIMIT, windowMs: WINDOW_MS, windows: WINDOWS, results: allowance } });
