// µs per verifyWebhook call on a 1 KB access.requested event, interleaved in rounds with
// svix's own Webhook.verify (pure JS) as a reference. BENCH_WEBHOOK_PKG names another build
// of the package's Node entry to measure instead (used to compare HMAC implementations).
import { Webhook } from "svix";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { ROOT, envInt, median } from "./lib.mjs";

const entry = process.env.BENCH_WEBHOOK_PKG ?? join(ROOT, "pkg/dist/node.mjs");
const { verifyWebhook } = await import(pathToFileURL(entry).href);
const N = envInt("BENCH_WEBHOOK_N", 5000);
const ROUNDS = 5;

const secret = "whsec_" + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64");
const data = { id: 4242, _type: "AuthorizationRequest", email: "ada@example.com", status: "requested", message: "x".repeat(700), dataroom_id: 1 };
const body = JSON.stringify({ type: "access.requested", timestamp: new Date().toISOString(), data });
const wh = new Webhook(secret);
const now = new Date();
const headers = { "svix-id": "msg_bench", "svix-timestamp": String(Math.floor(now / 1000)), "svix-signature": wh.sign("msg_bench", now, body) };
const bytes = new TextEncoder().encode(body);

async function time(fn) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return ((performance.now() - t0) * 1000) / N;
}
const ours = { string: [], bytes: [] };
const svix = [];
for (let r = 0; r < ROUNDS; r++) {
  ours.string.push(await time(() => verifyWebhook({ body, headers, secret })));
  ours.bytes.push(await time(() => verifyWebhook({ body: bytes, headers, secret })));
  svix.push(await time(() => wh.verify(body, headers)));
}
const result = {
  bodyBytes: bytes.length,
  usPerVerifyString: +median(ours.string).toFixed(1),
  usPerVerifyBytes: +median(ours.bytes).toFixed(1),
  usPerSvixVerify: +median(svix).toFixed(1),
  entry: process.env.BENCH_WEBHOOK_PKG ? entry : "pkg",
};
console.log(JSON.stringify(result));
console.log("BENCH_RESULT " + JSON.stringify(result));
