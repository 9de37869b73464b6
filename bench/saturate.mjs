// One member of a saturated fleet, for bench/stores.mjs in Node and in workerd
// (bench/worker-stores.mjs bundles it): its own ConveyorClient keeps `backlog` requests
// waiting from epoch ms `at` until `until` (each completion starts the next), then lets
// them finish. Answers when each request left (Date.now()) and what became of it.
import { ConveyorClient } from "conveyor-client/stores";

export async function saturate(options, { backlog, at, until }) {
  const dispatched = [];
  const events = [];
  const statuses = {};
  const failures = [];
  const client = new ConveyorClient({
    ...options,
    maxRetries: 0, // a 429 must surface, not be retried away
    fetch: (input, init) => {
      dispatched.push(Date.now());
      return fetch(input, init);
    },
    onRateLimitStore: (e) => events.push(e.type),
  });
  await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
  const chain = async () => {
    while (Date.now() < until) {
      try {
        const r = await client.fetch("/exchange/access_groups");
        await r.arrayBuffer();
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      } catch (e) {
        failures.push(e.code ?? String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: backlog }, chain));
  client.free();
  return { dispatched, statuses, failures, events };
}

/**
 * The fleet's use of the allowance as tests/e2e/redis.test.mjs defines it: requests that
 * left in the full windows after the first, [at + W, at + windows·W), over limit × (windows - 1).
 * Window 0 is the burst any limiter grants at once; from then on a request may leave only
 * when one leaves the rolling window. With no 429 every request that left was admitted.
 * It reads 1 while each window's batch still leaves inside its window, so it also gives
 * bench/limiter.mjs's figure, which sees the drift: requests beyond the first window's
 * over the time the sends took, against limit per windowMs.
 */
export function allowanceUsed(dispatched, { at, limit, windowMs, windows }) {
  const counts = new Array(windows + 1).fill(0);
  for (const t of dispatched) counts[Math.min(windows, Math.max(0, Math.floor((t - at) / windowMs)))] += 1;
  const measured = counts.slice(1, windows).reduce((a, b) => a + b, 0);
  const span = Math.max(...dispatched) - Math.min(...dispatched);
  return { counts, fraction: measured / (limit * (windows - 1)), spanFraction: (((dispatched.length - limit) / limit) * windowMs) / span };
}
