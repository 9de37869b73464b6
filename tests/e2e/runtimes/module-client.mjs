// One client at module scope, used by every request the isolate serves: the common Workers
// pattern. With a one-token bucket, concurrent requests wait on each other's tokens.
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
    const t0 = Date.now();
    try {
      const res = await client.fetch("/exchange/access_groups");
      return Response.json({ status: res.status, waitedMs: Date.now() - t0 });
    } catch (e) {
      return Response.json({ error: String(e) });
    }
  },
};
