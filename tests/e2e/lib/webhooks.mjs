// Node-side helpers for the webhook tests: a fresh signing secret, a receiver that records
// what the sandbox delivers, and a sandbox started with --webhook-url/--webhook-secret.
import { createServer } from "node:http";
import { startSandbox } from "./sandbox.mjs";

/** A random secret as Conveyor shows one: `whsec_` and 24 bytes of base64. */
export function newSecret() {
  return "whsec_" + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64");
}

/**
 * An HTTP receiver on a free loopback port. `answer(req, body)` returns the status to
 * answer with (default 204); every delivery is kept in `received` with its raw body.
 */
export async function startReceiver(answer = () => 204) {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: req.headers, body });
      res.writeHead(answer(req, body)).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/webhooks/conveyor`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A sandbox that delivers signed webhooks to a receiver of its own; stop() stops both. */
export async function startWebhookSandbox(args = []) {
  const secret = newSecret();
  const receiver = await startReceiver();
  const sb = await startSandbox(["--webhook-url", receiver.url, "--webhook-secret", secret, ...args]);
  return {
    ...sb,
    webhookSecret: secret,
    receiver,
    async stop() {
      await sb.stop();
      await receiver.close();
    },
  };
}
