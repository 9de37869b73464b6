// client.checkAccess() from the packed package, against a node:http server that answers
// each resource group as told and records what it was sent, and against the sandbox.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { ConveyorClient, ConveyorAbortError, ConveyorValidationError, ConveyorAuthError } from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";

const PATHS = {
  access_requests: "/exchange/authorization_requests",
  authorizations: "/exchange/authorizations",
  access_groups: "/exchange/access_groups",
  folders: "/exchange/folders",
  documents: "/exchange/documents",
  connections: "/exchange/connections",
  questionnaires: "/questionnaires",
  knowledge_base: "/knowledge_base/questions",
  interactions: "/interactions",
  product_lines: "/product_lines",
};

/** A server answering `status(path)` after `delayMs`, counting requests in flight. */
async function server({ status = () => 200, delayMs = 20 } = {}) {
  const seen = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const srv = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const url = new URL(req.url, "http://x");
    seen.push({ method: req.method, path: url.pathname.replace(/^\/api\/v2/, ""), query: url.search, key: req.headers["x-api-key"] });
    setTimeout(() => {
      inFlight -= 1;
      const s = status(url.pathname.replace(/^\/api\/v2/, ""));
      if (s === 403) res.writeHead(403).end();
      else res.writeHead(s, { "content-type": "application/json" }).end(JSON.stringify({ items: [], page: 1, per_page: 1, total_pages: 1 }));
    }, delayMs);
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  return { api: `http://127.0.0.1:${port}/api/v2`, seen, max: () => maxInFlight, close: () => srv.close() };
}

const servers = [];
after(() => servers.forEach((s) => s.close()));
const serve = async (o) => {
  const s = await server(o);
  servers.push(s);
  return s;
};

test("one GET of one record per group, at most 4 at once, through the limiter", async () => {
  const s = await serve({ delayMs: 50 });
  const client = new ConveyorClient({ apiKey: "sk_test_probe_0123456789", baseUrl: s.api, rateLimit: { limit: 100, windowMs: 60_000 } });
  const check = await client.checkAccess();
  assert.deepEqual(check.map((e) => e.resource), Object.keys(PATHS));
  assert.ok(check.every((e) => e.read === "ok" && e.status === 200 && !("error" in e)));
  assert.equal(check.verdict, "ok");
  assert.deepEqual(s.seen.map((r) => r.method), Array(10).fill("GET"), "never a write");
  assert.deepEqual(s.seen.map((r) => r.path).sort(), Object.values(PATHS).sort());
  assert.ok(s.seen.every((r) => r.query === "?page=1&per_page=1"), "the first page of one record");
  assert.equal(s.max(), 4, "parallel, up to 4");
  assert.equal(client.rateLimitState().available, 90, "every probe took a token");
});

test("the verdict: all forbidden, some forbidden, and a failed probe", async () => {
  const all = await serve({ status: () => 403 });
  const c1 = await new ConveyorClient({ apiKey: "sk_test_probe_0123456789", baseUrl: all.api }).checkAccess();
  assert.equal(c1.verdict, "invalid_key");
  assert.match(c1.message, /invalid or inactive/);
  assert.ok(c1.every((e) => e.read === "forbidden" && e.status === 403));

  const some = await serve({ status: (p) => (p === PATHS.documents || p === PATHS.product_lines ? 403 : 200) });
  const c2 = await new ConveyorClient({ apiKey: "sk_test_probe_0123456789", baseUrl: some.api }).checkAccess();
  assert.equal(c2.verdict, "missing_permissions");
  assert.match(c2.message, /lacks these permissions: documents, product_lines/);

  const broken = await serve({ status: (p) => (p === PATHS.folders ? 500 : 200) });
  const c3 = await new ConveyorClient({ apiKey: "sk_test_probe_0123456789", baseUrl: broken.api, maxRetries: 0 }).checkAccess();
  const folders = c3.find((e) => e.resource === "folders");
  assert.equal(folders.read, "error");
  assert.equal(folders.status, 500);
  assert.equal(folders.error.code, "server_error");
  assert.equal(c3.verdict, "incomplete");
});

test("an abort rejects with ConveyorAbortError; bad options with ConveyorValidationError", async () => {
  const s = await serve({ delayMs: 500 });
  const client = new ConveyorClient({ apiKey: "sk_test_probe_0123456789", baseUrl: s.api });
  const ac = new AbortController();
  const p = client.checkAccess({ signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p, ConveyorAbortError);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(s.seen.length, 4, "no probe starts after the abort");
  await assert.rejects(client.checkAccess({ signal: "soon" }), ConveyorValidationError);
  await assert.rejects(client.checkAccess({ timeoutMs: -1 }), ConveyorValidationError);
  await assert.rejects(client.checkAccess(42), ConveyorValidationError);
});

test("against the sandbox, with each kind of key; a 403's message points to checkAccess()", async () => {
  const sb = await startSandbox();
  try {
    const check = (key) => new ConveyorClient({ apiKey: key, baseUrl: sb.api }).checkAccess();
    assert.equal((await check(KEYS.full)).verdict, "ok");
    assert.equal((await check(KEYS.readonly)).verdict, "ok");
    assert.equal((await check(KEYS.inactive)).verdict, "invalid_key");
    const partial = await check(KEYS.exchange);
    assert.equal(partial.verdict, "missing_permissions");
    assert.deepEqual(partial.filter((e) => e.read === "forbidden").map((e) => e.resource), ["questionnaires", "knowledge_base", "interactions", "product_lines"]);
    const log = await sb.requests();
    assert.ok(log.every((r) => r.method === "GET"));
    const err = await new ConveyorClient({ apiKey: KEYS.exchange, baseUrl: sb.api }).productLines.list().catch((e) => e);
    assert.ok(err instanceof ConveyorAuthError);
    assert.match(err.message, /`client\.checkAccess\(\)` shows which resources this key can read/);
    assert.ok(!err.message.includes(KEYS.exchange));
  } finally {
    await sb.stop();
  }
});
