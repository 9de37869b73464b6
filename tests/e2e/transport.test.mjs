// What one attempt hands `fetch`, through the packed package in Node: the headers are made
// once per client (a frozen record carrying the key, not a `Headers` per request), `fetch`
// gets a signal the client aborts at the attempt's deadline (and which follows the caller's
// own), so a server that never answers does not keep the connection; and the deadline still
// holds against a `fetch` that ignores every signal. Against a real node:http server where a
// response is needed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { ConveyorAbortError, ConveyorClient, ConveyorTimeoutError, ConveyorValidationError } from "conveyor-client";

const KEY = "sk_test_transport_0123456789abcdef";
let server;
let base;
const sockets = new Set();
// Requests to /hang the server is still holding (it never answers them).
const hanging = new Set();
before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url.includes("/hang")) {
      hanging.add(req);
      res.on("close", () => hanging.delete(req));
      return; // never answers
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ key: req.headers["x-api-key"] ?? null, type: req.headers["content-type"] ?? null }));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}/api/v2`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

/** A client whose fetch records each init before passing it to the real fetch. */
function recording(options = {}) {
  const seen = [];
  const client = new ConveyorClient({
    apiKey: KEY,
    baseUrl: base,
    rateLimit: false,
    fetch: (url, init) => {
      seen.push(init);
      return fetch(url, init);
    },
    ...options,
  });
  return { client, seen };
}

test("the headers are one frozen record per client: the key, Accept, and no Headers per request", async () => {
  const { client, seen } = recording();
  await client.request("GET", "/a");
  await (await client.fetch("/b")).arrayBuffer();
  await client.exchange.accessGroups.list().catch(() => {});
  assert.equal(seen.length, 3);
  const [first] = seen;
  assert.ok(!(first.headers instanceof Headers), "a plain record, not a Headers");
  assert.ok(Object.isFrozen(first.headers), "frozen: a custom fetch cannot change the next call's headers");
  assert.equal(first.headers["X-API-KEY"], KEY);
  assert.equal(first.headers.Accept, "application/json");
  for (const init of seen) assert.equal(init.headers, first.headers, "the same record for every call");
  assert.equal(first.redirect, "manual");
  // Another client has its own.
  const other = recording({ apiKey: `${KEY}x` });
  await other.client.request("GET", "/a");
  assert.notEqual(other.seen[0].headers, first.headers);
  assert.equal(other.seen[0].headers["X-API-KEY"], `${KEY}x`);
});

test("a JSON body gets the JSON record; a call's own headers get a Headers in which the key wins", async () => {
  const { client, seen } = recording();
  const sent = await client.request("POST", "/a", { body: { name: "x" } });
  assert.equal(sent.type, "application/json");
  assert.equal(seen[0].headers["Content-Type"], "application/json");
  assert.ok(Object.isFrozen(seen[0].headers));
  const echoed = await client.request("GET", "/a", { headers: { "X-API-KEY": "someone else", "X-Note": "n" } });
  assert.equal(echoed.key, KEY, "the client's key, whatever the call's headers say");
  assert.ok(seen[1].headers instanceof Headers);
  assert.equal(seen[1].headers.get("x-note"), "n");
  assert.equal(seen[1].headers.get("accept"), "application/json");
  await assert.rejects(client.request("GET", "/a", { headers: 42 }), ConveyorValidationError);
  assert.equal(seen.length, 2, "a bad headers option sends nothing");
});

test("fetch gets a signal of the attempt's own, which follows the caller's", async () => {
  const { client, seen } = recording();
  await client.request("GET", "/a");
  assert.ok(seen[0].signal instanceof AbortSignal, "a signal even when the caller gave none");
  assert.equal(seen[0].signal.aborted, false, "not aborted after a call that succeeded");
  const controller = new AbortController();
  const res = await client.fetch("/a", { signal: controller.signal });
  assert.ok(seen[1].signal instanceof AbortSignal);
  assert.equal(seen[1].signal.aborted, false);
  // After the headers, the caller's signal still reaches the body, as fetch's own would.
  controller.abort(new Error("caller stopped"));
  assert.equal(seen[1].signal.aborted, true, "the caller's abort reaches fetch");
  await assert.rejects(res.arrayBuffer());
});

test("a timed-out attempt is cancelled: a server that never answers does not keep the connection", async () => {
  const client = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 200 });
  await Promise.all([1, 2, 3].map(() => assert.rejects(client.request("GET", "/hang"), ConveyorTimeoutError)));
  // The server sees each request go away (without the abort they stay open until undici's
  // own five-minute headers timeout; in a browser, six such requests use up an origin's
  // HTTP/1.1 connections).
  for (let i = 0; i < 100 && hanging.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(hanging.size, 0, "every hung request was closed by the client");
});

test("the deadline holds without a signal: a fetch that never settles, and a server that never answers", async () => {
  const never = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 200, fetch: () => new Promise(() => {}) });
  let t0 = performance.now();
  await assert.rejects(never.request("GET", "/a"), ConveyorTimeoutError);
  assert.ok(performance.now() - t0 < 2000, "rejected at the deadline");
  const hang = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 200 });
  t0 = performance.now();
  await assert.rejects(hang.fetch("/hang"), ConveyorTimeoutError);
  assert.ok(performance.now() - t0 < 2000, "rejected at the deadline");
  // And the client goes on working.
  assert.equal((await hang.request("GET", "/a")).key, KEY);
});

test("a body that never ends is cut by the deadline or the caller's signal, from a fetch that ignores its signal", async () => {
  // A platform stream whose source never delivers: nothing but a cancel ends a pending read.
  const endless = () => Promise.resolve(new Response(new ReadableStream({ pull: () => new Promise(() => {}) })));
  const client = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 200, fetch: endless });
  const t0 = performance.now();
  await assert.rejects(client.request("GET", "/a"), ConveyorTimeoutError);
  assert.ok(performance.now() - t0 < 2000, "rejected at the deadline");
  const patient = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 60_000, fetch: endless });
  const controller = new AbortController();
  const call = patient.request("GET", "/a", { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("caller stopped")), 50);
  const e = await call.catch((x) => x);
  assert.ok(e instanceof ConveyorAbortError, String(e));
  assert.equal(e.cause?.message, "caller stopped");
});
