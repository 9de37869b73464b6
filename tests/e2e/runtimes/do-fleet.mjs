// One member of the fleet in tests/e2e/durable-object.test.mjs: a Worker (its own isolate)
// with its own ConveyorClient that shares the key's budget through the Durable Object
// store. GET /?n=<requests>&limit=&windowMs=&fleet= sends n requests at once and answers
// what became of them, and when it started and finished (epoch ms). The key is a binding (a secret, in production), never in a URL.
import { ConveyorClient } from "conveyor-client";
import { durableObjectStore } from "conveyor-client/durable-object";

export default {
  async fetch(request, env) {
    const p = new URL(request.url).searchParams;
    if (p.has("ping")) return new Response("pong");
    // workerd's clock reads the time of the latest I/O: here, this request's arrival.
    const started = Date.now();
    const events = [];
    const client = new ConveyorClient({
      apiKey: env.CONVEYOR_API_KEY,
      baseUrl: env.CONVEYOR_BASE_URL,
      maxRetries: 0, // a 429 must surface, not be retried away
      rateLimit: {
        limit: Number(p.get("limit")),
        windowMs: Number(p.get("windowMs")),
        store: durableObjectStore(env.CONVEYOR_LIMITER),
        fleetSize: Number(p.get("fleet")),
      },
      onRateLimitStore: (e) => events.push(e.type),
    });
    const results = await Promise.allSettled(
      Array.from({ length: Number(p.get("n")) }, () => client.fetch("/exchange/access_groups").then((r) => r.status)),
    );
    const finished = Date.now(); // the last response's arrival
    // A line for the test's log capture to find (it checks no log line holds the key).
    console.log(`fleet member done: ${results.length} requests`);
    return Response.json({
      started,
      finished,
      ok: results.filter((r) => r.status === "fulfilled" && r.value === 200).length,
      failures: results.filter((r) => r.status === "rejected").map((r) => r.reason?.code ?? String(r.reason)),
      statuses: results.filter((r) => r.status === "fulfilled" && r.value !== 200).map((r) => r.value),
      events,
    });
  },
};
