// A Cloudflare Worker that lists the open Trust Center access-request queue.
//
//   GET /            the queue as an HTML table
//   GET /?format=json the queue as JSON
//
// Bindings (wrangler.toml): CONVEYOR_API_KEY (a secret: `wrangler secret put CONVEYOR_API_KEY`)
// and optionally CONVEYOR_BASE_URL. The package's `workerd` entry loads its .wasm as a module,
// so there is nothing to initialise.
import { ConveyorClient, ConveyorError } from "conveyor-client";

/** At most this many requests are listed (the client pages through the queue lazily). */
const LIMIT = 500;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const client = new ConveyorClient({ apiKey: env.CONVEYOR_API_KEY, baseUrl: env.CONVEYOR_BASE_URL || undefined });
    let queue;
    try {
      queue = await client.exchange.authorizationRequests
        .queue({}, { signal: request.signal })
        .toArray({ limit: LIMIT });
    } catch (e) {
      if (e instanceof ConveyorError) {
        // Never echo the key: the error's message and fields do not contain it.
        return Response.json({ error: e.code, message: e.message, status: e.status ?? null }, { status: 502 });
      }
      throw e;
    }
    const rows = queue.map((r) => ({
      id: r.id,
      email: r.email ?? null,
      status: r.status ?? null,
      requested_at: r.requested_at ?? r.created_at ?? null,
      message: r.message ?? null,
    }));
    if (url.searchParams.get("format") === "json" || !(request.headers.get("accept") ?? "").includes("text/html")) {
      return Response.json({ count: rows.length, truncated: rows.length === LIMIT, requests: rows });
    }
    return new Response(html(rows), { headers: { "content-type": "text/html; charset=utf-8" } });
  },
};

const escape = (s) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function html(rows) {
  const body = rows
    .map((r) => `<tr><td>${escape(r.email)}</td><td>${escape(r.status)}</td><td>${escape(r.requested_at)}</td><td>${escape(r.message)}</td></tr>`)
    .join("\n");
  return `<!doctype html><meta charset="utf-8"><title>Access-request queue</title>
<h1>${rows.length} open access request${rows.length === 1 ? "" : "s"}</h1>
<table><thead><tr><th>Email</th><th>Status</th><th>Requested</th><th>Message</th></tr></thead>
<tbody>${body}</tbody></table>`;
}
