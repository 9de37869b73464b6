// The auto-approval examples end to end against the sandbox's webhook deliveries: the
// Worker (examples/worker-auto-approve/) in real workerd through Miniflare, and the Node
// server (examples/webhook-node.mjs) as a real process. Access requests created in the
// sandbox become signed deliveries; the handler approves, ignores or leaves them per its
// rules; a redelivery changes nothing; forged, tampered and stale deliveries get a 4xx and
// change nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { ConveyorClient } from "conveyor-client";
import { Webhook } from "./lib/vendor/svix.mjs";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { newSecret } from "./lib/webhooks.mjs";
import { bundleWorker } from "./lib/workerd.mjs";

const repo = process.env.REPO_ROOT ?? resolve(process.env.PWD ?? process.cwd(), "../../..");
const local = join(process.cwd(), "examples");
const RULES = {
  APPROVE_DOMAINS: "partner.example, northwindtraders.io",
  APPROVE_ACCESS_GROUP_IDS: "1,2",
  APPROVE_NDA_BYPASS: "true",
  IGNORE_DOMAINS: "competitor.example",
  REVIEWER_EMAIL: "trust@vendor.example",
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The headers a webhook handler reads, as the sandbox sent them (no hop-by-hop ones). */
const forwardable = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => /^(svix-|webhook-|content-type$)/.test(k)));

/** A forwarding receiver: the sandbox delivers here, `forward` answers (set once the handler runs). */
async function startForwarder() {
  const state = { forward: null, answers: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const status = state.forward ? await state.forward(req, Buffer.concat(chunks)) : 503;
      state.answers.push({ id: req.headers["svix-id"], status });
      res.writeHead(status).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${server.address().port}/webhooks/conveyor`;
  state.close = () => new Promise((r) => server.close(r));
  return state;
}

let sb;
let fwd;
let secret;
let api;
before(async () => {
  mkdirSync(join(local, "worker-auto-approve"), { recursive: true });
  for (const f of ["worker-auto-approve/worker.mjs", "worker-auto-approve/auto-approve.mjs", "webhook-node.mjs"]) {
    copyFileSync(join(repo, "examples", f), join(local, f));
  }
  secret = newSecret();
  fwd = await startForwarder();
  sb = await startSandbox(["--webhook-url", fwd.url, "--webhook-secret", secret]);
  api = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false });
});
after(async () => {
  await sb?.stop();
  await fwd?.close();
});

/** Creates an access request in the sandbox; resolves with its id and the delivery's id. */
async function createRequest(email) {
  const res = await fetch(`${sb.url}/_sandbox/access_requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, message: "Please share your SOC 2 report." }),
  });
  assert.equal(res.status, 201);
  const out = await res.json();
  return { id: out.authorization_request.id, msgId: out.webhook_msg_id };
}
const status = async (id) => (await api.exchange.authorizationRequests.get(id)).status;
const authorizationsFor = async (email) => (await api.exchange.authorizations.list({ email }).toArray()).filter((a) => a.email === email);
const apiCalls = async () => (await sb.requests()).filter((r) => r.path.startsWith("/api/v2/")).length;
const delivered = (msgId) => async () => {
  const s = await sb.stats();
  return s.webhooks.deliveries.filter((d) => d.msg_id === msgId && d.status >= 200 && d.status < 300).length;
};

/** Deliveries that must be refused, built from a real one. */
function forgeries(body, headers) {
  const other = new Webhook(newSecret());
  const now = new Date();
  const ts = String(Math.floor(now / 1000));
  const stale = new Date(now.getTime() - 10 * 60 * 1000);
  return [
    ["unsigned", body, { "content-type": "application/json" }],
    ["signed with another secret", body, { "svix-id": headers["svix-id"], "svix-timestamp": ts, "svix-signature": other.sign(headers["svix-id"], now, body) }],
    ["tampered body", body.replace("requested", "approved "), headers],
    [
      "stale (signed 10 minutes ago)",
      body,
      { "svix-id": headers["svix-id"], "svix-timestamp": String(Math.floor(stale / 1000)), "svix-signature": new Webhook(secret).sign(headers["svix-id"], stale, body) },
    ],
  ];
}

test("the Worker approves, ignores or leaves requests per its rules, once, and refuses forgeries (workerd)", async () => {
  const { modules } = await bundleWorker(join(local, "worker-auto-approve/worker.mjs"));
  const mf = new Miniflare({
    modules,
    compatibilityDate: "2025-06-01",
    kvNamespaces: ["DELIVERIES"],
    bindings: { CONVEYOR_API_KEY: KEYS.full, CONVEYOR_WEBHOOK_SECRET: secret, CONVEYOR_BASE_URL: sb.api, ...RULES },
  });
  const kv = await mf.getKVNamespace("DELIVERIES");
  fwd.forward = async (req, body) => {
    const res = await mf.dispatchFetch(`http://worker.test${req.url}`, { method: req.method, headers: forwardable(req.headers), body });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    // Approve: the sandbox shows the authorization with the groups and the NDA bypass.
    const ada = await createRequest("ada@eu.partner.example");
    await until("the approval", async () => (await status(ada.id)) === "approved");
    const [auth] = await authorizationsFor("ada@eu.partner.example");
    assert.equal(auth.request_id, ada.id);
    assert.equal(auth.nda_bypass, true);
    assert.deepEqual(auth._embedded.access_groups.map((g) => g.id), [1, 2]);
    // The Worker acknowledges before it acts, so the approval can land before the sandbox
    // has recorded the 202 that came back through the forwarder: wait for the record.
    await until("the delivery's record", delivered(ada.msgId));
    assert.equal(await delivered(ada.msgId)(), 1, "one 2xx delivery");
    assert.equal(fwd.answers.find((a) => a.id === ada.msgId)?.status, 202, "acknowledged with 202 before acting");
    const seen = await until("the KV record", () => kv.get(`conveyor-webhook:${ada.msgId}`));
    assert.equal(JSON.parse(seen).outcome, "approved");

    // Ignore, and leave for a person.
    const eve = await createRequest("eve@competitor.example");
    await until("the ignore", async () => (await status(eve.id)) === "ignored");
    const bob = await createRequest("bob@elsewhere.example");
    const left = await until("bob's record", () => kv.get(`conveyor-webhook:${bob.msgId}`));
    assert.equal(JSON.parse(left).outcome, "left_for_review");
    assert.equal(await status(bob.id), "requested");
    assert.deepEqual(await authorizationsFor("bob@elsewhere.example"), []);

    // Redelivery of the same svix-id: acknowledged, no API call, nothing changes.
    const callsBefore = await apiCalls();
    const res = await fetch(`${sb.url}/_sandbox/webhooks/redeliver`, { method: "POST", body: JSON.stringify({ msg_id: ada.msgId }) });
    assert.equal(res.status, 202);
    await until("the redelivery", async () => (await delivered(ada.msgId)()) === 2);
    assert.equal(fwd.answers.filter((a) => a.id === ada.msgId).at(-1).status, 204);
    await sleep(300);
    assert.equal(await apiCalls(), callsBefore, "the redelivery made no API call");
    assert.equal((await authorizationsFor("ada@eu.partner.example")).length, 1, "still one authorization");

    // Without its KV record (eventual consistency), the request's status still stops a second approval.
    await kv.delete(`conveyor-webhook:${ada.msgId}`);
    await fetch(`${sb.url}/_sandbox/webhooks/redeliver`, { method: "POST", body: JSON.stringify({ msg_id: ada.msgId }) });
    const again = await until("the second record", () => kv.get(`conveyor-webhook:${ada.msgId}`));
    assert.equal(JSON.parse(again).outcome, "already_approved");
    assert.equal((await authorizationsFor("ada@eu.partner.example")).length, 1, "still one authorization");

    // Forgeries of a genuine delivery for an approvable, still-open request: 400, nothing done.
    const fatima = (await api.exchange.authorizationRequests.get(1)).email;
    assert.match(fatima, /@northwindtraders\.io$/);
    const genuine = (await sb.stats()).webhooks.deliveries.find((d) => d.msg_id === bob.msgId);
    const body = genuine.body.replace(/"id":\d+/, '"id":1').replace("bob@elsewhere.example", fatima);
    const calls = await apiCalls();
    for (const [what, b, headers] of forgeries(body, genuine.headers)) {
      const r = await mf.dispatchFetch("http://worker.test/webhooks/conveyor", { method: "POST", headers, body: b });
      assert.equal(r.status, 400, what);
      assert.match((await r.json()).error, /^(missing_header|bad_signature|timestamp_out_of_range)$/, what);
    }
    await sleep(300);
    assert.equal(await apiCalls(), calls, "no API call for a forgery");
    assert.equal(await status(1), "requested");
    assert.deepEqual(await authorizationsFor(fatima), []);
    assert.equal((await mf.dispatchFetch("http://worker.test/webhooks/conveyor")).status, 405);
  } finally {
    fwd.forward = null;
    await mf.dispose();
  }
});

test("the Node server (webhook-node.mjs) does the same from raw bytes", async () => {
  const child = spawn(process.execPath, [join(local, "webhook-node.mjs")], {
    env: { ...process.env, PORT: "0", CONVEYOR_API_KEY: KEYS.full, CONVEYOR_WEBHOOK_SECRET: secret, CONVEYOR_BASE_URL: sb.api, ...RULES },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const [line] = await once(child.stdout, "data");
    const url = /listening on (\S+)/.exec(String(line))[1];
    fwd.forward = async (req, body) => (await fetch(url, { method: "POST", headers: forwardable(req.headers), body })).status;
    const grace = await createRequest("grace@partner.example");
    await until("the approval", async () => (await status(grace.id)) === "approved");
    const calls = await apiCalls();
    await fetch(`${sb.url}/_sandbox/webhooks/redeliver`, { method: "POST", body: JSON.stringify({ msg_id: grace.msgId }) });
    await until("the redelivery", async () => (await delivered(grace.msgId)()) === 2);
    await sleep(300);
    assert.equal(await apiCalls(), calls, "the redelivery made no API call");
    assert.equal((await authorizationsFor("grace@partner.example")).length, 1);
    const genuine = (await sb.stats()).webhooks.deliveries.find((d) => d.msg_id === grace.msgId);
    for (const [what, b, headers] of forgeries(genuine.body, genuine.headers)) {
      const r = await fetch(url, { method: "POST", headers, body: b });
      assert.equal(r.status, 400, what);
    }
  } finally {
    fwd.forward = null;
    child.kill();
    await once(child, "exit");
  }
});

test("a delivery the receiver refuses is retried on the scaled-down schedule until it succeeds", async () => {
  let refusals = 2;
  fwd.forward = async () => (refusals-- > 0 ? 503 : 204);
  try {
    const { msgId } = await createRequest("retry@elsewhere.example");
    await until("a successful attempt", delivered(msgId));
    const attempts = (await sb.stats()).webhooks.deliveries.filter((d) => d.msg_id === msgId);
    assert.deepEqual(attempts.map((a) => [a.attempt, a.status]), [[1, 503], [2, 503], [3, 204]]);
    // Each attempt is signed afresh and verifies with svix.
    for (const a of attempts) new Webhook(secret).verify(a.body, a.headers);
  } finally {
    fwd.forward = null;
  }
});
