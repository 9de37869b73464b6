// The webhook part of `make demo`: a sandbox that delivers signed `access.requested`
// events to a small Node receiver, which verifies each delivery with verifyWebhook and
// acts on it with the auto-approval rules of examples/worker-auto-approve/.
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { ConveyorClient, ConveyorWebhookError, verifyWebhook } from "conveyor-client";
import { actOn, readRules } from "./worker-auto-approve/auto-approve.mjs";

const bin = process.env.SANDBOX_BIN ?? fileURLToPath(new URL("../target/debug/conveyor-sandbox", import.meta.url));
const apiKey = process.env.CONVEYOR_API_KEY ?? "sk_test_full_0123456789abcdef";
const secret = "whsec_" + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64");
const rules = readRules({ APPROVE_DOMAINS: "partner.example", APPROVE_ACCESS_GROUP_IDS: "1", APPROVE_NDA_BYPASS: "true" });

let client;
let done;
const finished = new Promise((r) => (done = r));
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const body = Buffer.concat(chunks);
    console.log(`  delivery ${req.headers["svix-id"]}: ${body.length} bytes, svix-signature ${req.headers["svix-signature"].slice(0, 12)}…`);
    try {
      const event = await verifyWebhook({ body, headers: req.headers, secret });
      console.log(`  verifyWebhook -> ${event.type} for ${event.data.email} (request ${event.data.id})`);
      res.writeHead(202).end();
      const result = await actOn(event, client, rules);
      console.log(`  acted: ${result.outcome}${result.authorizationId ? ` (authorization ${result.authorizationId})` : ""}`);
      done(event.data.id);
    } catch (e) {
      res.writeHead(e instanceof ConveyorWebhookError ? 400 : 500).end();
      console.log(`  refused: ${e.name} (${e.code})`);
    }
  });
});
receiver.listen(0, "127.0.0.1");
await once(receiver, "listening");
const hook = `http://127.0.0.1:${receiver.address().port}/webhooks/conveyor`;

const sandbox = spawn(bin, ["--port", "0", "--quiet", "--webhook-url", hook, "--webhook-secret", secret], { stdio: ["ignore", "pipe", "inherit"] });
const [line] = await once(sandbox.stdout, "data");
const url = /(http:\/\/\S+)/.exec(String(line))[1];
client = new ConveyorClient({ apiKey, baseUrl: `${url}/api/v2` });

try {
  console.log(`\nWebhooks: a sandbox delivering to ${hook}, rules: approve @partner.example into access group 1, NDA bypassed`);
  const created = await (
    await fetch(`${url}/_sandbox/access_requests`, { method: "POST", body: JSON.stringify({ email: "ada@partner.example" }) })
  ).json();
  console.log(`  POST /_sandbox/access_requests -> request ${created.authorization_request.id} from ada@partner.example`);
  const id = await finished;
  const request = await client.exchange.authorizationRequests.get(id);
  console.log(`  the sandbox now says request ${id} is ${request.status}`);
  console.log("  a forged delivery (an event for the same request under another email, with a made-up signature):");
  const forged = await fetch(hook, {
    method: "POST",
    body: JSON.stringify({ type: "access.requested", data: { id, email: "mallory@partner.example" } }),
    headers: { "svix-id": "msg_forged", "svix-timestamp": String(Math.floor(Date.now() / 1000)), "svix-signature": "v1,bm90IHRoZSByaWdodCBzaWduYXR1cmUgYXQgYWxsIQ==" },
  });
  console.log(`  -> HTTP ${forged.status}`);
} finally {
  sandbox.kill();
  receiver.close();
}
