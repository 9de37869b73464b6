// Benchmark 2: limiter accuracy at saturation. The sandbox counts strictly at arrival
// with a scaled window (LIMIT per WINDOW); each contender sends (WINDOWS + 1) × LIMIT
// requests at once, so saturation lasts WINDOWS windows. Contenders: this client, and a
// plain fetch behind p-throttle (strict and default) and behind bottleneck's reservoir,
// each configured with the documented limit, as a user would.
import pThrottle from "p-throttle";
import Bottleneck from "bottleneck";
import { ConveyorClient } from "conveyor-client";
import { startSandbox, KEYS, envInt, report, sleep } from "./lib.mjs";

const LIMIT = envInt("BENCH_LIMIT", 200);
const WINDOW_S = envInt("BENCH_WINDOW_S", 2);
const WINDOW_MS = WINDOW_S * 1000;
const WINDOWS = envInt("BENCH_WINDOWS", 5);
const TOTAL = (WINDOWS + 1) * LIMIT;
const PATH = "/exchange/access_groups";
const log = (...a) => process.stderr.write(`[limiter] ${a.join(" ")}\n`);

const sb = await startSandbox(["--rate-limit", `${LIMIT}/${WINDOW_S}`]);
const headers = { "X-API-KEY": KEYS.bench, Accept: "application/json" };

/** A plain fetch that records when each request left. */
function timedFetch(sends) {
  return (input, init) => {
    sends.push(performance.now());
    return fetch(input, init);
  };
}

const contenders = {
  "conveyor-client": (sends) => {
    const client = new ConveyorClient({
      apiKey: KEYS.bench,
      baseUrl: sb.api,
      rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, maxQueue: TOTAL, shared: false },
      maxRetries: 0, // a 429 must show, not be retried away
      fetch: timedFetch(sends),
    });
    return () => client.fetch(PATH).then(
      async (r) => (await r.arrayBuffer(), r.status),
      (e) => e.status ?? e.code,
    );
  },
  "p-throttle (strict)": (sends) => pthrottled(sends, true),
  "p-throttle (default)": (sends) => pthrottled(sends, false),
  "bottleneck (reservoir)": (sends) => {
    const limiter = new Bottleneck({
      reservoir: LIMIT,
      reservoirRefreshAmount: LIMIT,
      reservoirRefreshInterval: WINDOW_MS,
    });
    const f = timedFetch(sends);
    const call = () => limiter.schedule(() => f(sb.api + PATH, { headers }).then(async (r) => (await r.arrayBuffer(), r.status)));
    call.stop = () => limiter.stop({ dropWaitingJobs: true });
    return call;
  },
};

function pthrottled(sends, strict) {
  const throttle = pThrottle({ limit: LIMIT, interval: WINDOW_MS, strict });
  const f = timedFetch(sends);
  return throttle(() => f(sb.api + PATH, { headers }).then(async (r) => (await r.arrayBuffer(), r.status)));
}

const results = {};
for (const [name, make] of Object.entries(contenders)) {
  await sb.reset();
  await sleep(WINDOW_MS + 100); // nothing of the previous run left in any window
  await sb.reset();
  const sends = [];
  const call = make(sends);
  const t0 = performance.now();
  const statuses = await Promise.all(Array.from({ length: TOTAL }, () => call()));
  const elapsed = performance.now() - t0;
  call.stop?.();
  const s = (await sb.stats()).keys.bench ?? {};
  const ok = statuses.filter((x) => x === 200).length;
  const span = sends[sends.length - 1] - sends[0];
  // Accepted requests beyond the first window's, over the time the sends took, against
  // the allowance of LIMIT per WINDOW_MS.
  const fraction = ((ok - LIMIT) / LIMIT) * WINDOW_MS / span;
  results[name] = {
    sent: sends.length,
    ok,
    rejected429: s.rate_limited ?? 0,
    maxInWindow: s.max_in_window ?? null,
    spanMs: span,
    elapsedMs: elapsed,
    allowanceFraction: fraction,
    otherStatuses: [...new Set(statuses.filter((x) => x !== 200))],
  };
  log(`${name}: ${JSON.stringify(results[name])}`);
}
await sb.stop();
report({ limit: LIMIT, windowMs: WINDOW_MS, windows: WINDOWS, total: TOTAL, results });
