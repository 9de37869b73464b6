// The Durable Object host for tests/e2e/durable-object.test.mjs, run in workerd.
//
// - `ConveyorRateLimiter` is the package's class as shipped (the LIMITER binding).
// - `InspectableLimiter` adds read-only views for the tests (the INSPECT binding): what
//   its storage holds, and every request the object received, so a test can check that
//   the API key never reached it. Its store behaviour is the parent's, untouched.
// - `fetch` exposes `durableObjectStore(env[ns])` over HTTP, so Node can run the store
//   protocol through the real store function, stubs, RPC and object:
//     POST /store/<acquire|settle|release>?ns=LIMITER|INSPECT  body: { req } as JSON, with
//       non-finite numbers as { $num: "NaN" } so malformed requests arrive as sent
//       -> 200 { value } or 200 { error: { name, message } }
//     GET /inspect?bucket=<bucket>  -> InspectableLimiter.inspect()
//     GET /received                 -> every request any InspectableLimiter received
//     GET /trace                    -> every call any InspectableLimiter answered, in order:
//       { at (the object's clock, epoch ms), op, bucket, want, carry, tokens, retryInMs,
//       occupied } (the fleet test prints it when a run is slow)
import { ConveyorRateLimiter, durableObjectStore } from "conveyor-client/durable-object";

export { ConveyorRateLimiter };

/** Every request any InspectableLimiter in this isolate received, as JSON. */
const received = [];
/** Every call any InspectableLimiter answered, with the object's clock and its answer. */
const trace = [];

export class InspectableLimiter extends ConveyorRateLimiter {
  #seen = [];

  #record(req) {
    const json = JSON.stringify(req);
    this.#seen.push(json);
    received.push(json);
  }

  acquire(req) {
    this.#record(req);
    const grant = super.acquire(req);
    trace.push({
      at: Date.now(),
      op: "acquire",
      bucket: req?.bucket,
      want: req?.want,
      carry: Array.isArray(req?.carry) ? req.carry.length : 0,
      tokens: grant.tokens,
      retryInMs: grant.retryInMs,
      occupied: grant.occupied,
    });
    return grant;
  }

  settle(req) {
    this.#record(req);
    const out = super.settle(req);
    trace.push({ at: Date.now(), op: "settle", bucket: req?.bucket, tokens: req?.tokens });
    return out;
  }

  release(req) {
    this.#record(req);
    const out = super.release(req);
    trace.push({ at: Date.now(), op: "release", bucket: req?.bucket, tokens: req?.tokens });
    return out;
  }

  /** Storage keys, the alarm, the stored index record, and the requests seen. */
  async inspect() {
    const all = await this.ctx.storage.list();
    const chunks = [...all].filter(([k]) => k !== "meta").map(([k, v]) => [k, v?.constructor?.name, v?.length]);
    return {
      keys: [...all.keys()].sort(),
      meta: all.get("meta") ?? null,
      chunks,
      alarm: await this.ctx.storage.getAlarm(),
      seen: this.#seen,
    };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/received") return Response.json(received);
    if (url.pathname === "/trace") return Response.json(trace);
    if (url.pathname === "/inspect") {
      const ns = env.INSPECT;
      return Response.json(await ns.get(ns.idFromName(url.searchParams.get("bucket"))).inspect());
    }
    const op = url.pathname.match(/^\/store\/(acquire|settle|release)$/)?.[1];
    if (!op || request.method !== "POST") return new Response("not found", { status: 404 });
    try {
      const store = durableObjectStore(env[url.searchParams.get("ns") ?? "LIMITER"]);
      const { req } = JSON.parse(await request.text(), (_, v) => (v && typeof v === "object" && "$num" in v ? Number(v.$num) : v));
      const value = await store[op](req);
      return Response.json({ value: value ?? null });
    } catch (e) {
      return Response.json({ error: { name: e?.name, message: String(e?.message ?? e) } });
    }
  },
};
