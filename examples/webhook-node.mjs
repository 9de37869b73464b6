// The auto-approval webhook handler as a plain Node server (node:http): the same rules as
// the Worker in worker-auto-approve/, for a server instead of the edge.
//
//   CONVEYOR_API_KEY=… CONVEYOR_WEBHOOK_SECRET=whsec_… APPROVE_DOMAINS=partner.example \
//     node examples/webhook-node.mjs            # listens on $PORT (default 8787)
//
// The body is read as raw bytes and verified as such: never put a JSON body parser in
// front of a webhook route, because a parsed and re-serialised body no longer matches its
// signature.
import { createServer } from "node:http";
import { ConveyorClient, ConveyorWebhookError, verifyWebhook } from "conveyor-client";
import { actOn, readRules } from "./worker-auto-approve/auto-approve.mjs";

const rules = readRules(process.env);
const client = new ConveyorClient({ apiKey: process.env.CONVEYOR_API_KEY, baseUrl: process.env.CONVEYOR_BASE_URL || undefined });
const secret = process.env.CONVEYOR_WEBHOOK_SECRET;
/** Delivery ids handled by this process (a redelivery is also caught by the request's status). */
const seen = new Set();
const MAX_BODY = 1024 * 1024;

const server = createServer((req, res) => {
  if (req.url !== "/webhooks/conveyor") return res.writeHead(404).end();
  if (req.method !== "POST") return res.writeHead(405, { allow: "POST" }).end();
  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    size += c.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(c);
  });
  req.on("end", async () => {
    let event;
    try {
      event = await verifyWebhook({ body: Buffer.concat(chunks), headers: req.headers, secret });
    } catch (e) {
      if (e instanceof ConveyorWebhookError) return res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: e.code }));
      return res.writeHead(500).end();
    }
    const id = req.headers["svix-id"] ?? req.headers["webhook-id"];
    if (event.type !== "access.requested" || seen.has(id)) return res.writeHead(204).end();
    seen.add(id);
    res.writeHead(202).end(); // acknowledge first; act afterwards
    try {
      const result = await actOn(event, client, rules);
      console.log("conveyor webhook", id, result.outcome);
    } catch (e) {
      seen.delete(id); // let a redelivery try again
      console.error("conveyor webhook", id, "failed:", e?.code ?? "", e?.message ?? e);
    }
  });
});
server.listen(Number(process.env.PORT ?? 8787), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}/webhooks/conveyor`);
});
