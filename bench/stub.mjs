// Benchmark 1b: the client's own CPU per call, with `fetch` stubbed out (no network, no
// server): the precise A/B measure on a noisy machine. Each variant makes one call at a
// time; variants are interleaved in rounds (the starting one rotates) and each round's CPU
// time (process.cpuUsage, so other processes' load does not count) is taken minus the stub
// alone in the same round; the medians over rounds are reported.
// BENCH_BASELINE=<a copy of an older pkg/> adds its client's rows ("before: ..."), measured
// in the same rounds, for a side-by-side A/B of a change.
import { ConveyorClient } from "conveyor-client";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ky from "ky";
import { ofetch } from "ofetch";
import { handWrapper } from "./hand-wrapper.mjs";
import { envInt, cpuMicros, median, report } from "./lib.mjs";

const N = envInt("BENCH_STUB_N", 2000); // calls per variant per round
const ROUNDS = envInt("BENCH_STUB_ROUNDS", 20);
const BASE = "https://api.conveyor.test/api/v2";
const PATH = "/exchange/access_groups";
const KEY = "bench_0123456789abcdef";
const BODY = '{"access_groups":[]}';
const RESPONSE_INIT = { status: 200, headers: { "content-type": "application/json" } };
const stub = (_input, _init) => Promise.resolve(new Response(BODY, RESPONSE_INIT));
const headers = { "X-API-KEY": KEY, Accept: "application/json" };

const off = new ConveyorClient({ apiKey: KEY, baseUrl: BASE, rateLimit: false, fetch: stub });
const high = new ConveyorClient({
  apiKey: KEY,
  baseUrl: BASE,
  fetch: stub,
  rateLimit: { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000, shared: false },
});
const accessGroups = off.exchange.accessGroups;
const kyApi = ky.create({ prefix: BASE, headers, retry: 0, fetch: stub });
const ofetchApi = ofetch.create({ baseURL: BASE, headers, retry: 0, responseType: "arrayBuffer" }, { fetch: stub });
const hand = handWrapper({ apiKey: KEY, baseUrl: BASE, limit: 1_000_000_000, windowMs: 1000, fetch: stub });
// The same two with a 30 s deadline per request, as the client always has (`timeoutMs`): an
// AbortController and a timer per request, the part of the client's cost a peer without a
// deadline does not pay.
const ofetchDeadline = ofetch.create({ baseURL: BASE, headers, retry: 0, responseType: "arrayBuffer", timeout: 30_000 }, { fetch: stub });
const handDeadline = handWrapper({ apiKey: KEY, baseUrl: BASE, limit: 1_000_000_000, windowMs: 1000, fetch: stub, timeoutMs: 30_000 });

const baseline = process.env.BENCH_BASELINE
  ? (await import(pathToFileURL(join(resolve(process.env.BENCH_BASELINE), "dist/node.mjs")).href)).ConveyorClient
  : undefined;
const before = baseline && {
  off: new baseline({ apiKey: KEY, baseUrl: BASE, rateLimit: false, fetch: stub }),
  high: new baseline({
    apiKey: KEY,
    baseUrl: BASE,
    fetch: stub,
    rateLimit: { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000, shared: false },
  }),
};
const beforeGroups = before?.off.exchange.accessGroups;

// Each variant names the baseline it is measured against: the stub with its body read as
// bytes (what `fetch` callers do) or parsed as JSON (what `request` and typed calls do).
// Every variant is an async function awaiting its call, as the baselines are, so the
// difference is the call's own: a row without the wrapper would have the wrapper's cost
// (about 1 µs) subtracted without paying it.
const variants = {
  "stub fetch alone": [null, async () => (await stub(BASE + PATH, { headers })).arrayBuffer()],
  "stub fetch alone, JSON": [null, async () => (await stub(BASE + PATH, { headers })).json()],
  "stub fetch alone, body not read": [null, async () => await stub(BASE + PATH, { headers })],
  "client fetch (rateLimit: false)": ["stub fetch alone", async () => (await off.fetch(PATH)).arrayBuffer()],
  // The call alone, its body left unread: the client's own path. Read after the client's
  // call, the same stubbed body costs the caller more than read straight after the stub
  // (about 3 µs more in Node 22, where a hand wrapper with a deadline adds 0.6): no step of
  // the client's does that reading, but the row above counts it.
  "client fetch (rateLimit: false), body not read": ["stub fetch alone, body not read", async () => await off.fetch(PATH)],
  "client fetch (limit 1e9/s)": ["stub fetch alone", async () => (await high.fetch(PATH)).arrayBuffer()],
  "client request() (rateLimit: false)": ["stub fetch alone, JSON", async () => await off.request("GET", PATH)],
  "client typed call, namespace held": ["stub fetch alone, JSON", async () => await accessGroups.list()],
  "client typed call through client.exchange…": ["stub fetch alone, JSON", async () => await off.exchange.accessGroups.list()],
  "client typed call with a param, namespace held": ["stub fetch alone, JSON", async () => await accessGroups.list({ per_page: 50 })],
  ...(before
    ? {
        "before: client fetch (rateLimit: false)": ["stub fetch alone", async () => (await before.off.fetch(PATH)).arrayBuffer()],
        "before: client fetch (limit 1e9/s)": ["stub fetch alone", async () => (await before.high.fetch(PATH)).arrayBuffer()],
        "before: client fetch (rateLimit: false), body not read": ["stub fetch alone, body not read", async () => await before.off.fetch(PATH)],
        "before: client request() (rateLimit: false)": ["stub fetch alone, JSON", async () => await before.off.request("GET", PATH)],
        "before: client typed call, namespace held": ["stub fetch alone, JSON", async () => await beforeGroups.list()],
        "before: client typed call through client.exchange…": ["stub fetch alone, JSON", async () => await before.off.exchange.accessGroups.list()],
        "before: client typed call with a param, namespace held": ["stub fetch alone, JSON", async () => await beforeGroups.list({ per_page: 50 })],
      }
    : {}),
  ky: ["stub fetch alone", async () => await kyApi.get(PATH.slice(1)).arrayBuffer()],
  ofetch: ["stub fetch alone", async () => await ofetchApi(PATH)],
  "hand wrapper": ["stub fetch alone", async () => (await hand(PATH)).arrayBuffer()],
  "ofetch, 30 s deadline": ["stub fetch alone", async () => await ofetchDeadline(PATH)],
  "hand wrapper, 30 s deadline": ["stub fetch alone", async () => (await handDeadline(PATH)).arrayBuffer()],
  "hand wrapper, 30 s deadline, body not read": ["stub fetch alone, body not read", async () => await handDeadline(PATH)],
};
const names = Object.keys(variants);

async function loop(one, n) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await one();
  return { cpuUs: cpuMicros(process.cpuUsage(cpu0)) / n, wallUs: ((performance.now() - t0) * 1000) / n };
}

const log = (...a) => process.stderr.write(`[stub] ${a.join(" ")}\n`);
for (const n of names) await loop(variants[n][1], N); // warm-up
log("warmed up");
const perRound = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    perRound[name].push(await loop(variants[name][1], N));
  }
}
const out = {};
for (const name of names) {
  const [base] = variants[name];
  const xs = perRound[name];
  out[name] = {
    baseline: base,
    cpuUsPerCall: median(xs.map((x) => x.cpuUs)),
    wallUsPerCall: median(xs.map((x) => x.wallUs)),
    ownUs: base ? median(xs.map((x, i) => x.cpuUs - perRound[base][i].cpuUs)) : null,
    ownWallUs: base ? median(xs.map((x, i) => x.wallUs - perRound[base][i].wallUs)) : null,
  };
}
log(JSON.stringify(out));
report({ n: N, rounds: ROUNDS, variants: out });
