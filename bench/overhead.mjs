// Benchmark 1: the client's overhead over a plain `fetch` carrying the same headers, side by
// side with what a user could use instead: ky, ofetch and a hand wrapper (hand-wrapper.mjs).
// N GETs per variant against the sandbox, concurrency 1 and 32, variants interleaved in
// rounds (the starting variant rotates every round), in Node and in workerd.
// BENCH_BASELINE=<a copy of an older pkg/> adds its client's Node rows ("before: ..."),
// interleaved in the same rounds, for a side-by-side A/B of a change. "plain, the client's
// init" is `fetch` with what the client hands it (method, the frozen header record,
// `redirect: "manual"`, an AbortController's signal and a 30 s timer): undici's share of a
// call, apart from the client's own. BENCH_VARIANTS=<regex> keeps only the Node variants
// whose name matches (plain always stays: it is the ratio's base); BENCH_WORKERD=0 skips
// workerd.
import { ConveyorClient } from "conveyor-client";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ky from "ky";
import { ofetch } from "ofetch";
import { handWrapper } from "./hand-wrapper.mjs";
import { startSandbox, KEYS, envInt, cpuMicros, pool, report } from "./lib.mjs";
import { startWorker } from "../tests/e2e/lib/workerd.mjs";

const N = envInt("BENCH_N", 20_000);
const ROUNDS = envInt("BENCH_ROUNDS", 10);
const WORKERD_N = envInt("BENCH_WORKERD_N", Math.min(N, 4000));
const PATH = "/exchange/access_groups";
const CONCURRENCY = [1, 32];

// The sandbox's own limiter is set far out of the way: only the client is measured.
const sb = await startSandbox(["--rate-limit", "1000000000/1"]);
const headers = { "X-API-KEY": KEYS.bench, Accept: "application/json" };
const url = sb.api + PATH;

const off = new ConveyorClient({ apiKey: KEYS.bench, baseUrl: sb.api, rateLimit: false });
const high = new ConveyorClient({
  apiKey: KEYS.bench,
  baseUrl: sb.api,
  rateLimit: { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000, shared: false },
});
// The others with their retries off (nothing fails here) and the same limit out of the way.
const kyApi = ky.create({ prefix: sb.api, headers, retry: 0 });
const ofetchApi = ofetch.create({ baseURL: sb.api, headers, retry: 0, responseType: "arrayBuffer" });
const hand = handWrapper({ apiKey: KEYS.bench, baseUrl: sb.api, limit: 1_000_000_000, windowMs: 1000 });
// The same two with a 30 s deadline per request, as the client always has (`timeoutMs`).
const ofetchDeadline = ofetch.create({ baseURL: sb.api, headers, retry: 0, responseType: "arrayBuffer", timeout: 30_000 });
const handDeadline = handWrapper({ apiKey: KEYS.bench, baseUrl: sb.api, limit: 1_000_000_000, windowMs: 1000, timeoutMs: 30_000 });
const Before = process.env.BENCH_BASELINE
  ? (await import(pathToFileURL(join(resolve(process.env.BENCH_BASELINE), "dist/node.mjs")).href)).ConveyorClient
  : undefined;
const before = Before && new Before({
  apiKey: KEYS.bench,
  baseUrl: sb.api,
  rateLimit: { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000, shared: false },
});
const clientHeaders = Object.freeze({ Accept: "application/json", "X-API-KEY": KEYS.bench });
const fired = (ctl) => ctl.abort();
const allVariants = {
  plain: async () => {
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`plain fetch got ${res.status}`);
    await res.arrayBuffer();
  },
  "plain, the client's init": async () => {
    const ctl = new AbortController();
    const timer = setTimeout(fired, 30_000, ctl);
    let res;
    try {
      res = await fetch(url, { method: "GET", headers: clientHeaders, redirect: "manual", signal: ctl.signal });
    } finally {
      clearTimeout(timer);
    }
    if (res.status !== 200) throw new Error(`plain fetch got ${res.status}`);
    await res.arrayBuffer();
  },
  "client (rateLimit: false)": async () => {
    await (await off.fetch(PATH)).arrayBuffer();
  },
  "client (limit 1e9/s)": async () => {
    await (await high.fetch(PATH)).arrayBuffer();
  },
  "client request() (limit 1e9/s)": async () => {
    await high.request("GET", PATH);
  },
  ...(before
    ? {
        "before: client (limit 1e9/s)": async () => {
          await (await before.fetch(PATH)).arrayBuffer();
        },
        "before: client request() (limit 1e9/s)": async () => {
          await before.request("GET", PATH);
        },
      }
    : {}),
  ky: async () => {
    await kyApi.get(PATH.slice(1)).arrayBuffer();
  },
  ofetch: async () => {
    await ofetchApi(PATH);
  },
  "hand wrapper": async () => {
    await (await hand(PATH)).arrayBuffer();
  },
  "ofetch, 30 s deadline": async () => {
    await ofetchDeadline(PATH);
  },
  "hand wrapper, 30 s deadline": async () => {
    await (await handDeadline(PATH)).arrayBuffer();
  },
};
const keep = process.env.BENCH_VARIANTS ? new RegExp(process.env.BENCH_VARIANTS) : undefined;
const variants = Object.fromEntries(Object.entries(allVariants).filter(([n]) => n === "plain" || !keep || keep.test(n)));
const names = Object.keys(variants);

const log = (...a) => process.stderr.write(`[overhead] ${a.join(" ")}\n`);
const node = {};
for (const conc of CONCURRENCY) {
  const acc = Object.fromEntries(names.map((n) => [n, { requests: 0, ms: 0, cpuUs: 0 }]));
  for (const n of names) await pool(Math.min(500, N), conc, variants[n]); // warm-up
  log(`node concurrency ${conc}: warmed up`);
  const per = Math.max(1, Math.round(N / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await pool(per, conc, variants[name]);
      const ms = performance.now() - t0;
      const cpu = cpuMicros(process.cpuUsage(cpu0));
      acc[name].requests += per;
      acc[name].ms += ms;
      acc[name].cpuUs += cpu;
    }
  }
  log(`node concurrency ${conc}: done`);
  const base = acc.plain;
  const baseRps = (base.requests / base.ms) * 1000;
  const baseCpu = base.cpuUs / base.requests;
  node[conc] = Object.fromEntries(
    names.map((n) => {
      const a = acc[n];
      const rps = (a.requests / a.ms) * 1000;
      const cpu = a.cpuUs / a.requests;
      return [n, { requests: a.requests, rps, cpuUsPerRequest: cpu, ratio: rps / baseRps, addedCpuUs: cpu - baseCpu }];
    }),
  );
}

// workerd: the same loop inside a worker, timed there with Date.now() (which only moves
// after I/O, so each reading follows an awaited response).
let workerd = null;
let workerdError = null;
try {
  if (process.env.BENCH_WORKERD === "0") throw new Error("skipped (BENCH_WORKERD=0)");
  const worker = await startWorker(new URL("./worker-overhead.mjs", import.meta.url).pathname);
  try {
    const q = (mode, n, conc) =>
      worker.mf
        .dispatchFetch(`http://bench.test/?${new URLSearchParams({ api: sb.api, key: KEYS.bench, mode, n, conc })}`)
        .then((r) => r.json());
    const modes = ["plain", "client-off", "client-high", "ky", "ofetch", "hand", "ofetch-deadline", "hand-deadline"];
    workerd = {};
    log("workerd started");
    for (const conc of CONCURRENCY) {
      const acc = Object.fromEntries(modes.map((m) => [m, { requests: 0, ms: 0 }]));
      for (const m of modes) await q(m, 200, conc); // warm-up
      const per = Math.max(1, Math.round(WORKERD_N / ROUNDS));
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < modes.length; k++) {
          const m = modes[(round + k) % modes.length];
          const r = await q(m, per, conc);
          if (r.error) throw new Error(`worker ${m}: ${r.error}`);
          acc[m].requests += r.n;
          acc[m].ms += r.ms;
        }
      }
      const baseRps = (acc.plain.requests / acc.plain.ms) * 1000;
      workerd[conc] = Object.fromEntries(
        modes.map((m) => {
          const rps = (acc[m].requests / acc[m].ms) * 1000;
          return [m, { requests: acc[m].requests, rps, ratio: rps / baseRps }];
        }),
      );
    }
  } finally {
    await worker.mf.dispose();
  }
} catch (e) {
  workerdError = String(e?.stack ?? e);
}

const stats = (await sb.stats()).keys.bench;
await sb.stop();
report({ n: N, rounds: ROUNDS, workerdN: WORKERD_N, node, workerd, workerdError, sandbox: stats });
