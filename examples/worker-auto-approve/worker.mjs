// A Cloudflare Worker that answers Conveyor's `access.requested` webhooks: it verifies the
// delivery, acknowledges at once, and then approves, ignores or leaves the request per the
// rules in its environment (see auto-approve.mjs and README.md).
//
//   POST /webhooks/conveyor   the endpoint to register in Conveyor's webhook settings
//
// Bindings (wrangler.toml): CONVEYOR_API_KEY and CONVEYOR_WEBHOOK_SECRET (secrets), the rule
// variables, and optionally the KV namespace DELIVERIES that remembers delivery ids.
import { ConveyorClient, ConveyorWebhookError, verifyWebhook } from "conveyor-client";
import { actOn, readRules } from "./auto-approve.mjs";

/** How long a delivery id is remembered: longer than Svix retries a message (about 1.5 days). */
const SEEN_TTL_SEC = 7 * 24 * 3600;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname !== "/webhooks/conveyor") return new Response("not found", { status: 404 });
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });

    let event;
    try {
      // The raw text: a parsed and re-serialised body would no longer match its signature.
      event = await verifyWebhook({ body: await request.text(), headers: request.headers, secret: env.CONVEYOR_WEBHOOK_SECRET });
    } catch (e) {
      // Unsigned, tampered, stale or for another secret: refuse, do nothing.
      if (e instanceof ConveyorWebhookError) return Response.json({ error: e.code }, { status: 400 });
      throw e;
    }
    if (event.type !== "access.requested") return new Response(null, { status: 204 });

    const deliveryId = request.headers.get("svix-id") ?? request.headers.get("webhook-id");
    const seenKey = `conveyor-webhook:${deliveryId}`;
    if (env.DELIVERIES && (await env.DELIVERIES.get(seenKey)) !== null) {
      return new Response(null, { status: 204 }); // a redelivery of one already handled
    }
    // Acknowledge now; the API calls run after the response, within the request's lifetime.
    ctx.waitUntil(handle(event, env, seenKey));
    return new Response(null, { status: 202 });
  },
};

async function handle(event, env, seenKey) {
  const client = new ConveyorClient({ apiKey: env.CONVEYOR_API_KEY, baseUrl: env.CONVEYOR_BASE_URL || undefined });
  try {
    const result = await actOn(event, client, readRules(env));
    await env.DELIVERIES?.put(seenKey, JSON.stringify({ ...result, at: new Date().toISOString() }), { expirationTtl: SEEN_TTL_SEC });
    console.log("conveyor webhook", seenKey, result.outcome);
  } catch (e) {
    // Not recorded as seen: a person can redeliver it from Conveyor once the cause is fixed.
    console.error("conveyor webhook", seenKey, "failed:", e?.code ?? "", e?.message ?? e);
  }
}
