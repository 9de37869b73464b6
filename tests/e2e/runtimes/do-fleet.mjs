// One member of the fleet in tests/e2e/durable-object.test.mjs: a Worker (its own isolate)
// with its own ConveyorClient that shares the key's budget through the Durable Object
// store. GET /?n=<requests>&limit=&windowMs=&fleet=&at= sends n requests at once (at the
// instant `at`, epoch ms, if it is still to come) and answers
// what became of them, and when it started and finished (epoch ms). The key is a binding (a secret, in production), never in a URL.
// It also answers what it saw, for the test to print when a run is slow: every store call
// as this isolate made it (sent, answered, what went and came back) and when each
// response arrived, all on this isolate's clock.
import { ConveyorClient } from "conveyor-client/stores";
import { durableObjectStore } from "conveyor-client/durable-object";

export default {
  async fetch(request, env) {
    const p = new URL(request.url).searchParams;
    if (p.has("ping")) return new Response("pong");
    const events = [];
    let started = Date.now();
    const t = () => Date.now() - started;
    /** Every store call: [op, sent, answered (null: rejected), request summary, answer]. */
    const calls = [];
    const store = durableObjectStore(env.CONVEYOR_LIMITER);
    const traced = Object.fromEntries(
      ["acquire", "settle", "release"].map((op) => [
        op,
        async (req) => {
          const sent = t();
          const asked = op === "acquire" ? { want: req.want, carry: req.carry?.length ?? 0 } : { tokens: req.tokens };
          try {
            const out = await store[op](req);
            calls.push([op, sent, t(), asked, op === "acquire" ? { tokens: out.tokens, retryInMs: out.retryInMs, occupied: out.occupied } : null]);
            return out;
          } catch (e) {
            calls.push([op, sent, null, asked, String(e?.message ?? e)]);
            throw e;
          }
        },
      ]),
    );
    const client = new ConveyorClient({
      apiKey: env.CONVEYOR_API_KEY,
      baseUrl: env.CONVEYOR_BASE_URL,
      maxRetries: 0, // a 429 must surface, not be retried away
      rateLimit: {
        limit: Number(p.get("limit")),
        windowMs: Number(p.get("windowMs")),
        store: traced,
        fleetSize: Number(p.get("fleet")),
      },
      onRateLimitStore: (e) => events.push(e.type),
    });
    // Every member starts at the instant the test chose (`at`, epoch ms), so how late Node
    // and Miniflare dispatched each member's request does not count: the fleet's run
    // starts together. workerd's clock reads the time of the latest I/O: here, the timer's.
    const at = Number(p.get("at") ?? 0);
    if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
    started = Date.now();
    /** When each response arrived (ms after `started`). */
    const responses = [];
    const results = await Promise.allSettled(
      Array.from({ length: Number(p.get("n")) }, () =>
        client.fetch("/exchange/access_groups").then(
          (r) => (responses.push(t()), r.status),
          (e) => {
            responses.push(t());
            throw e;
          },
        ),
      ),
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
      responses,
      calls,
    });
  },
};
