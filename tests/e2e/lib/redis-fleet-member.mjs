// One member of the Redis fleet in tests/e2e/redis.test.mjs: a Node process of its own
// with its own ConveyorClient, sharing the key's budget through the Redis store. Forked
// with the settings in its environment; the parent sends { type: "go", at, until } and gets
// back what became of every request.
//
// It keeps BACKLOG requests waiting from `at` until `until` (each completion starts the
// next), so the fleet is saturated the whole time, then lets the rest finish. The key
// comes in the environment, as it would in production, never in a message.
import { ConveyorClient } from "conveyor-client/stores";
import { createRedisStore } from "conveyor-client/redis";
import { createClient } from "redis";
import IORedis from "ioredis";

const env = process.env;
const BACKLOG = Number(env.BACKLOG);

// Reconnect every 100 ms so recovery shows within the test; a Redis client needs an error
// listener or a dropped connection is an unhandled 'error' event.
let redis;
if (env.REDIS_LIB === "ioredis") {
  redis = new IORedis(env.REDIS_URL, { retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
} else {
  redis = createClient({ url: env.REDIS_URL, socket: { reconnectStrategy: () => 100 } });
  redis.on("error", () => {});
  await redis.connect();
}

// The store as the client sees it, counting the tokens it grants after a recovery.
const store = createRedisStore(redis);
const events = [];
let grantedAfterRecovery = 0;
const counted = {
  acquire: async (req) => {
    const grant = await store.acquire(req);
    if (events.some((e) => e.type === "recovered")) grantedAfterRecovery += grant.tokens.length;
    return grant;
  },
  settle: (req) => store.settle(req),
  release: (req) => store.release(req),
};

const dispatched = []; // Date.now() as each request leaves for the sandbox
const client = new ConveyorClient({
  apiKey: env.CONVEYOR_API_KEY,
  baseUrl: env.CONVEYOR_BASE_URL,
  maxRetries: 0, // a 429 must surface, not be retried away
  fetch: (input, init) => {
    dispatched.push(Date.now());
    return globalThis.fetch(input, init);
  },
  rateLimit: {
    limit: Number(env.LIMIT),
    windowMs: Number(env.WINDOW_MS),
    store: counted,
    fleetSize: Number(env.FLEET),
  },
  onRateLimitStore: (e) => events.push({ ...e, error: e.error && String(e.error), at: Date.now() }),
});

process.once("message", async ({ at, until }) => {
  await new Promise((r) => setTimeout(r, at - Date.now()));
  const statuses = {};
  const failures = [];
  const failedAt = []; // Date.now() of each failure, to tell when in the run it came
  const one = async () => {
    try {
      const r = await client.fetch("/exchange/access_groups");
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    } catch (e) {
      failures.push(e.code ?? String(e));
      failedAt.push(Date.now());
    }
    if (Date.now() < until) await one();
  };
  await Promise.all(Array.from({ length: BACKLOG }, one));
  process.send({ dispatched, statuses, failures, failedAt, events, grantedAfterRecovery }, () => process.exit(0));
});
process.send({ ready: true });
