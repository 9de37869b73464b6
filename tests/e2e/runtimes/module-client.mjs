// One client at module scope, used by every request the isolate serves: the common Workers
// pattern. With a one-token bucket, concurrent requests wait on each other's tokens.
// `latencyMs` has the sandbox answer that much later, and `holdMs` keeps each request busy
// that long after its response (as a request that goes on to other work does), so the
// timer it armed for the next token's return is still alive when that token returns.
import { ConveyorClient } from "conveyor-client";

let client;

export default {
  async fetch(request) {
    const p = new URL(request.url).searchParams;
    client ??= new ConveyorClient({
      apiKey: p.get("key"),
      baseUrl: p.get("api"),
      rateLimit: { limit: 1, windowMs: Number(p.get("windowMs")) },
    });
    const latency = p.get("latencyMs");
    const init = latency ? { headers: { "X-Sandbox-Fault": `latency=${latency}` } } : {};
    const t0 = Date.now();
    try {
      const res = await client.fetch("/exchange/access_groups", init);
      // Read in the same I/O turn as the response: workerd's clock only moves on I/O, so
      // this is the instant the limiter settled this request's token at.
      const doneAt = Date.now();
      const hold = Number(p.get("holdMs") ?? 0);
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
      return Response.json({ status: res.status, waitedMs: doneAt - t0, doneAt });
    } catch (e) {
      return Response.json({ error: String(e) });
    }
  },
};
