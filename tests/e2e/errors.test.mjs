// The error model and the request pipeline, through the packed package in Node, against
// the sandbox's fault modes: every class, every retry rule, timeouts, aborts, redirects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as pkg from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { rejection } from "./lib/check.mjs";

const {
  ConveyorClient,
  ConveyorError,
  ConveyorNotFoundError,
  ConveyorValidationError,
  ConveyorRateLimitError,
  ConveyorServerError,
  ConveyorTimeoutError,
  ConveyorAbortError,
  ConveyorNetworkError,
  ConveyorResponseError,
  ConveyorConfigError,
} = pkg;

let sb;
let other; // a second origin, to prove the key never reaches it
let faultSeq = 0;
before(async () => {
  [sb, other] = await Promise.all([startSandbox(), startSandbox()]);
});
after(async () => {
  await Promise.all([sb.stop(), other.stop()]);
});

/** A client with fast backoff so retry tests stay quick. */
const client = (extra = {}) =>
  new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false, ...extra });

/** Headers that make the sandbox misbehave for this request (and, with times=N, the next N). */
const fault = (spec) => ({ "X-Sandbox-Fault": spec, "X-Sandbox-Fault-Id": `t${process.pid}-${++faultSeq}` });

/** How many requests for `path` the sandbox has seen so far. */
async function seen(s, path) {
  return (await s.requests()).filter((r) => r.path === path).length;
}


export const collected = [];
function keep(e) {
  collected.push(e);
  return e;
}

test("404 → ConveyorNotFoundError", async () => {
  const e = keep(await rejection(client().fetch("/no/such/route")));
  assert.ok(e instanceof ConveyorNotFoundError && e instanceof ConveyorError);
  assert.equal(e.code, "not_found");
  assert.equal(e.status, 404);
  assert.equal(e.method, "GET");
  assert.equal(e.path, "/no/such/route");
  assert.equal(e.retryable, false);
});

test("422 → ConveyorValidationError with the parsed body in details, never retried", async () => {
  const before = (await sb.requests()).length;
  const e = keep(
    await rejection(client().request("PATCH", "/exchange/authorization_requests/1", { body: { status: "ignored" } })),
  );
  assert.ok(e instanceof ConveyorValidationError);
  assert.equal(e.code, "invalid_request");
  assert.equal(e.status, 422);
  assert.equal(e.details?.field, "reviewer_email");
  assert.equal((await sb.requests()).length - before, 1, "a 422 is not retried");
});

test("5xx on GET is retried and then succeeds", async () => {
  const res = await client().fetch("/exchange/access_groups", { headers: fault("status=503;times=2") });
  assert.equal(res.status, 200);
});

test("5xx on GET past the retries → ConveyorServerError after 1 + maxRetries attempts", async () => {
  const path = "/api/v2/exchange/folders";
  const before = await seen(sb, path);
  const e = keep(await rejection(client({ maxRetries: 2 }).fetch("/exchange/folders", { headers: fault("status=500") })));
  assert.ok(e instanceof ConveyorServerError);
  assert.equal(e.code, "server_error");
  assert.equal(e.status, 500);
  assert.equal(e.retryable, true);
  assert.equal((await seen(sb, path)) - before, 3);
});

test("5xx on POST is not retried (not idempotent)", async () => {
  const path = "/api/v2/exchange/folders";
  const before = await seen(sb, path);
  const e = keep(
    await rejection(
      client().request("POST", "/exchange/folders", { body: { name: "x" }, headers: fault("status=502;times=1") }),
    ),
  );
  assert.ok(e instanceof ConveyorServerError);
  assert.equal((await seen(sb, path)) - before, 1);
});

test("429 with Retry-After in seconds is retried for any method after the pause", async () => {
  const t0 = Date.now();
  const out = await client().request("POST", "/exchange/folders", {
    body: { name: "after-429" },
    headers: fault("rate_limit=1;times=1"),
  });
  assert.ok(Date.now() - t0 >= 900, "waited for Retry-After");
  assert.ok(out);
});

test("429 with Retry-After as an HTTP date is honoured", async () => {
  const t0 = Date.now();
  const res = await client().fetch("/exchange/access_groups", { headers: fault("rate_limit_date=2;times=1") });
  assert.equal(res.status, 200);
  assert.ok(Date.now() - t0 >= 900, "waited for the date");
});

test("429 without Retry-After is retried after a default pause", async () => {
  const res = await client().fetch("/exchange/access_groups", { headers: fault("rate_limit;times=1") });
  assert.equal(res.status, 200);
});

test("a Retry-After beyond maxRetryAfterMs rejects at once with retryAfterMs", async () => {
  const t0 = Date.now();
  const e = keep(
    await rejection(client({ maxRetryAfterMs: 500 }).fetch("/exchange/access_groups", { headers: fault("rate_limit=30") })),
  );
  assert.ok(e instanceof ConveyorRateLimitError);
  assert.equal(e.code, "rate_limited");
  assert.equal(e.retryAfterMs, 30_000);
  assert.ok(Date.now() - t0 < 2000, "did not wait");
});

test("429 with no retries left → ConveyorRateLimitError", async () => {
  const e = keep(await rejection(client({ maxRetries: 0 }).fetch("/exchange/access_groups", { headers: fault("rate_limit=1") })));
  assert.ok(e instanceof ConveyorRateLimitError);
  assert.equal(e.status, 429);
  assert.equal(e.retryAfterMs, 1000);
});

test("a connection reset is retried for GET and rejects with ConveyorNetworkError for POST", async () => {
  const res = await client().fetch("/exchange/access_groups", { headers: fault("reset;times=1") });
  assert.equal(res.status, 200);
  const e = keep(
    await rejection(client().request("POST", "/exchange/folders", { body: { name: "r" }, headers: fault("reset;times=1") })),
  );
  assert.ok(e instanceof ConveyorNetworkError);
  assert.equal(e.code, "network");
  assert.ok(e.cause, "the fetch error is the cause");
});

test("an attempt past timeoutMs → ConveyorTimeoutError", async () => {
  const t0 = Date.now();
  const e = keep(
    await rejection(client({ maxRetries: 0, timeoutMs: 200 }).fetch("/exchange/access_groups", { headers: fault("latency=3000") })),
  );
  assert.ok(e instanceof ConveyorTimeoutError);
  assert.equal(e.code, "timeout");
  assert.ok(Date.now() - t0 < 2000);
});

test("the caller's signal aborts an attempt in flight at once", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error("user gave up")), 100);
  const t0 = Date.now();
  const e = keep(await rejection(client().fetch("/exchange/access_groups", { signal: ac.signal, headers: fault("latency=3000") })));
  assert.ok(e instanceof ConveyorAbortError);
  assert.equal(e.code, "aborted");
  assert.equal(e.cause?.message, "user gave up");
  assert.ok(Date.now() - t0 < 1500);
});

test("the caller's signal aborts a backoff wait", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const t0 = Date.now();
  const e = keep(
    await rejection(client().request("GET", "/exchange/access_groups", { signal: ac.signal, headers: fault("rate_limit=20;times=1") })),
  );
  assert.ok(e instanceof ConveyorAbortError);
  assert.ok(Date.now() - t0 < 2000);
});

test("an already-aborted signal sends nothing", async () => {
  const path = "/api/v2/exchange/access_groups";
  const before = await seen(sb, path);
  const e = keep(await rejection(client().fetch("/exchange/access_groups", { signal: AbortSignal.abort() })));
  assert.ok(e instanceof ConveyorAbortError);
  assert.equal(await seen(sb, path), before);
});

test("malformed and truncated 2xx JSON → ConveyorResponseError", async () => {
  for (const spec of ["malformed", "truncated"]) {
    const e = keep(await rejection(client().request("GET", "/exchange/access_groups", { headers: fault(spec) })));
    assert.ok(e instanceof ConveyorResponseError, spec);
    assert.equal(e.code, "bad_response");
    assert.equal(e.status, 200);
  }
});

test("a redirect to another origin is refused and the key never reaches it", async () => {
  const target = `${other.api}/exchange/connections`;
  const e = keep(await rejection(client().fetch("/exchange/connections", { headers: fault(`redirect=${target}`) })));
  assert.ok(e instanceof ConveyorNetworkError);
  assert.match(e.message, /another origin/);
  const arrived = await other.requests();
  assert.equal(arrived.filter((r) => r.had_api_key).length, 0, "no X-API-KEY at the other origin");
  assert.equal(arrived.filter((r) => r.path.startsWith("/api/")).length, 0, "nothing sent there at all");
});

test("a same-origin redirect is followed", async () => {
  const res = await client().fetch("/exchange/folders", { headers: fault(`redirect=${sb.api}/exchange/access_groups;times=1`) });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray((await res.json()).access_groups));
});

test("an absolute URL on another origin is refused before anything is sent", async () => {
  const before = (await other.requests()).length;
  const e = keep(await rejection(client().fetch(`${other.api}/exchange/connections`)));
  assert.ok(e instanceof ConveyorConfigError);
  assert.equal((await other.requests()).length, before);
  const res = await client().fetch(`${sb.api}/exchange/access_groups`);
  assert.equal(res.status, 200, "an absolute URL on the same origin is fine");
});

test("construction rejects unsafe keys and base URLs with ConveyorConfigError", () => {
  for (const opts of [
    { apiKey: "abc\r\nX-Evil: 1", baseUrl: sb.api },
    { apiKey: "has space", baseUrl: sb.api },
    { apiKey: KEYS.full, baseUrl: "http://api.conveyor.com/api/v2" },
    { apiKey: KEYS.full, baseUrl: "ftp://127.0.0.1/api" },
    { apiKey: KEYS.full, baseUrl: sb.api, timeoutMs: -1 },
    { apiKey: KEYS.full, baseUrl: sb.api, maxRetries: 1.5 },
    { apiKey: KEYS.full, baseUrl: sb.api, rateLimit: { limit: 0 } },
    { apiKey: KEYS.full, baseUrl: sb.api, rateLimit: { windowMs: Number.NaN } },
    { apiKey: KEYS.full, baseUrl: sb.api, rateLimit: { maxQueue: -1 } },
    { apiKey: KEYS.full, baseUrl: sb.api, rateLimit: "fast" },
  ]) {
    let thrown;
    try {
      new ConveyorClient(opts);
    } catch (e) {
      thrown = keep(e);
    }
    assert.ok(thrown instanceof ConveyorConfigError, JSON.stringify(opts));
    assert.equal(thrown.code, "config");
  }
  // https anywhere and http on loopback are fine.
  new ConveyorClient({ apiKey: KEYS.full, baseUrl: "https://api.conveyor.com/api/v2" });
  new ConveyorClient({ apiKey: KEYS.full, baseUrl: "http://localhost:1/api/v2" });
});

// Each refusal of fetch()'s and request()'s own arguments, word for word: the code that builds
// these messages is trimmed for size, and its words must not move with it.
test("fetch() and request() refuse bad arguments with these exact messages, sending nothing", async () => {
  const c = client();
  const before = (await sb.requests()).length;
  const long = `/${"a".repeat(8192)}`;
  const METHOD = "`method` must be an HTTP method such as GET or POST (a token of letters, digits and !#$%&'*+-.^_`|~)";
  const QUERY = (k) => `query parameter \`${k}\` must be a string, number or boolean, or an array of them`;
  const cases = [
    [() => c.fetch(42), "`path` must be a string"],
    [() => c.fetch(undefined), "`path` must be a string"],
    [() => c.fetch(long), "`path` is 8193 bytes long, more than the 8192 allowed"],
    [() => c.fetch("/x", 5), "`init` must be an object"],
    [() => c.fetch("/x", { method: "GET /x" }), METHOD],
    [() => c.fetch("/x", { method: "trace" }), "`method` TRACE is not allowed"],
    [() => c.fetch("/x", { body: "a" }), "a GET request cannot have a body"],
    [() => c.fetch("/x", { method: "HEAD", body: "a" }), "a HEAD request cannot have a body"],
    [() => c.fetch("/x", { method: "POST", body: { a: 1 } }), "`body` must be a string, FormData, Blob, ArrayBuffer, typed array or URLSearchParams (request() sends objects as JSON)"],
    [() => c.fetch("/x", { headers: 7 }), "`headers` is not a valid HeadersInit"],
    [() => c.fetch("no-slash"), "`no-slash` is neither a path starting with \"/\" nor an absolute URL"],
    [() => c.fetch(`${new URL(other.api).origin}/x`), `refused to send the API key to ${new URL(other.api).origin}: only ${new URL(sb.api).origin} is allowed`],
    [() => c.fetch(`${sb.api.replace("://", "://u:p@")}/x`), "the URL carries credentials (user:password@); the client sends only the API key"],
    [() => c.request(42, "/x"), "`method` must be a string"],
    [() => c.request("GET", 42), "`path` must be a string"],
    [() => c.request("GET", long), "`path` is 8193 bytes long, more than the 8192 allowed"],
    [() => c.request("GET", "/x", 5), "`options` must be an object"],
    [() => c.request("", "/x"), METHOD],
    [() => c.request("connect", "/x"), "`method` CONNECT is not allowed"],
    [() => c.request("GET", "/x", { body: {} }), "a GET request cannot have a body"],
    [() => c.request("POST", "/x", { body: { n: 1n } }), "`body` cannot be serialised as JSON"],
    [() => c.request("GET", "/x", { query: "page=1" }), "`query` must be an object of parameters"],
    [() => c.request("GET", "/x", { query: [1] }), "`query` must be an object of parameters"],
    [() => c.request("GET", "/x", { query: new Proxy({}, { ownKeys: () => { throw new Error("no"); } }) }), "reading `query` threw"],
    [() => c.request("GET", "/x", { query: { page: { a: 1 } } }), QUERY("page")],
    [() => c.request("GET", "/x", { query: { ids: [1, {}] } }), QUERY("ids")],
    [() => c.request("GET", "/x", { query: { n: Infinity } }), QUERY("n")],
    [() => c.request("GET", "/x", { query: { a: "b".repeat(8192) } }), "the path and query are 8197 bytes long, more than the 8192 allowed"],
    [() => c.request("GET", "/x", { headers: 7 }), "`headers` is not a valid HeadersInit"],
  ];
  for (const [call, message] of cases) {
    const e = await rejection(call());
    assert.ok(e instanceof ConveyorError, `${message}: ${e}`);
    assert.equal(e.message, message);
  }
  assert.equal((await sb.requests()).length, before, "nothing may be sent");
});

test("no error produced above carries a key in its message, stack, fields or JSON", () => {
  assert.ok(collected.length >= 15);
  for (const e of collected) {
    const text = [e.message, e.stack, JSON.stringify(e), String(e), JSON.stringify(Object.entries(e))].join("\n");
    for (const key of [KEYS.full, "abc\r\nX-Evil: 1", "has space"]) assert.ok(!text.includes(key), text);
  }
});
