// A Cloudflare Worker whose isolates all draw on one Conveyor rate-limit budget.
//
//   GET /?page=N   one page (50) of the knowledge base's verified answers, as JSON
//
// Cloudflare runs a busy Worker in many isolates at once. Each client's own limiter
// would believe it owns the key's whole allowance (2000 requests per 5 minutes), and
// together they would earn 429s. With `rateLimit.store` every client asks one Durable
// Object (one per key, addressed by a hash of the key, never the key) for its tokens, so
// the whole fleet stays inside the allowance and still uses all of it.
//
// Bindings (wrangler.toml): CONVEYOR_API_KEY (a secret), CONVEYOR_LIMITER (the Durable
// Object namespace of ConveyorRateLimiter, re-exported below), and optionally
// CONVEYOR_BASE_URL, CONVEYOR_FLEET_SIZE, CONVEYOR_LIMIT and CONVEYOR_WINDOW_MS.
import { ConveyorClient, ConveyorError } from "conveyor-client/stores";
import { durableObjectStore } from "conveyor-client/durable-object";

// The Durable Object class must be exported by the Worker that declares its binding.
export { ConveyorRateLimiter } from "conveyor-client/durable-object";

export default {
  async fetch(request, env) {
    const page = Number(new URL(request.url).searchParams.get("page") ?? 1);
    // A client per request: nothing of one request's I/O is left for another to resume.
    // The budget lives in the Durable Object, so this costs no accuracy.
    const client = new ConveyorClient({
      apiKey: env.CONVEYOR_API_KEY,
      baseUrl: env.CONVEYOR_BASE_URL || undefined,
      rateLimit: {
        store: durableObjectStore(env.CONVEYOR_LIMITER),
        // If the object cannot be reached, each client falls back to limit / fleetSize:
        // set it to the most clients you expect to run at once.
        fleetSize: Number(env.CONVEYOR_FLEET_SIZE) || 10,
        // Not the realm-wide bucket: the store already shares the budget, and a waiter
        // must not depend on a timer or fetch of another request, which workerd cancels
        // when that request ends (it then kills this one as hung).
        shared: false,
        // Conveyor's allowance unless overridden (the e2e test scales it down).
        limit: Number(env.CONVEYOR_LIMIT) || undefined,
        windowMs: Number(env.CONVEYOR_WINDOW_MS) || undefined,
      },
      onRateLimitStore: (e) => console.warn(`conveyor rate-limit store: ${e.type}`),
    });
    try {
      const res = await client.knowledgeBase.questions.list({ page, per_page: 50, status: "verified" }, { signal: request.signal });
      return Response.json({
        page,
        totalPages: res.total_pages ?? null,
        questions: res.items.map((q) => ({ id: q.id, question: q.question ?? null, answer: q.answer ?? null })),
      });
    } catch (e) {
      if (e instanceof ConveyorError) {
        // Never echo the key: the error's message and fields do not contain it.
        return Response.json({ error: e.code, message: e.message }, { status: e.code === "rate_limited" ? 429 : 502 });
      }
      throw e;
    }
  },
};
