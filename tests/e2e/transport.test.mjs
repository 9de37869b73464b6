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
import { exitsPromptly } from "./lib/check.mjs";

const KEY = "sk_test_transport_0123456789abcdef";
let server;
let base;
const sockets = new Set();
// Requests to /hang the server is still holding (it never answers them).
const hanging = new Set();
before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url.includes("/slow")) {
      // Headers and half a body at once, the rest 600 ms later.
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"part":');
      setTimeout(() => res.end('"whole"}'), 600);
      return;
    }
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

/** A client whose fetch records each init before passing it to `answer` (the real fetch). */
function recording(options = {}, answer = fetch) {
  const seen = [];
  const client = new ConveyorClient({
    apiKey: KEY,
    baseUrl: base,
    rateLimit: false,
    fetch: (url, init) => {
      seen.push(init);
      return answer(url, init);
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
  // A call's own deadline wins over the client's; a fraction of a ms counts as a whole one
  // (a timer counts whole ms), so the deadline is never earlier than asked.
  for (const [timeoutMs, words] of [[150, "150 ms"], [1.5, "2 ms"], [149.01, "150 ms"]]) {
    const e = await never.request("GET", "/a", { timeoutMs }).then(() => assert.fail("resolved"), (x) => x);
    assert.ok(e instanceof ConveyorTimeoutError, e.message);
    assert.ok(e.message.endsWith(`no complete response within ${words}`), e.message);
  }
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

// Attempts without a caller's signal share a timer with the others of the same timeout
// started at nearly the same time, and those that read their whole body within the deadline
// share its signal too (an `AbortSignal` costs Node 20 more than the rest of the call);
// `fetch()` hands its body over, so it keeps a signal of its own.

/** A client whose fetch records each init, calls `onInit` with it and answers `{}` at once. */
function stubbed(onInit = () => {}) {
  return recording({}, (url, init) => {
    onInit(url, init);
    return Promise.resolve(new Response("{}", { headers: { "content-type": "application/json" } }));
  });
}

test("calls that read their body share a deadline signal; fetch() and a caller's signal get their own", async () => {
  const { client, seen } = stubbed();
  await Promise.all([
    ...Array.from({ length: 5 }, () => client.request("GET", "/a")),
    ...Array.from({ length: 5 }, () => client.exchange.accessGroups.list().catch(() => {})),
  ]);
  const shared = new Set(seen.map((i) => i.signal));
  // Started in one tick: one group (two if a pause fell between them), not ten signals.
  assert.ok(shared.size <= 2, `${shared.size} signals for 10 calls started together`);
  for (const s of shared) assert.equal(s.aborted, false, "not aborted after calls that succeeded");
  seen.length = 0;
  const responses = await Promise.all([client.fetch("/b"), client.fetch("/b")]);
  for (const r of responses) await r.arrayBuffer();
  await client.request("GET", "/a", { signal: new AbortController().signal });
  assert.equal(new Set(seen.map((i) => i.signal)).size, 3, "each fetch() and the call with a signal have their own");
  for (const init of seen) assert.ok(!shared.has(init.signal));
});

test("a deadline group holds at most 64 requests: undici's listeners on one signal stay under its warning", async () => {
  const warnings = [];
  const onWarning = (w) => warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    // `new Request(url, { signal })` is where undici adds its listener to the signal, kept
    // until the request is collected.
    const { client, seen } = stubbed((url, init) => new Request(url, init));
    await Promise.all(Array.from({ length: 1600 }, () => client.request("GET", "/a")));
    const perSignal = new Map();
    for (const i of seen) perSignal.set(i.signal, (perSignal.get(i.signal) ?? 0) + 1);
    assert.ok(Math.max(...perSignal.values()) <= 64, `a signal shared by ${Math.max(...perSignal.values())} requests`);
    assert.ok(perSignal.size < 1600 / 32, `${perSignal.size} signals for 1,600 calls: they should share`);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(warnings.filter((n) => n === "MaxListenersExceededWarning"), []);
  } finally {
    process.off("warning", onWarning);
  }
});

test("another call's deadline never cuts a body that fetch() handed over", async () => {
  const client = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 300 });
  const fetched = client.fetch("/slow");
  const hung = client.request("GET", "/hang").catch((e) => e);
  const res = await fetched;
  assert.ok((await hung) instanceof ConveyorTimeoutError);
  // The request above times out at 300 ms; this body ends at 600.
  assert.deepEqual(await res.json(), { part: "whole" });
});

test("a deadline group never stops a member before its own deadline", async () => {
  const client = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 320 });
  const timed = async () => {
    const t0 = performance.now();
    await assert.rejects(client.request("GET", "/hang"), ConveyorTimeoutError);
    return performance.now() - t0;
  };
  const first = timed();
  // Within the group's 16 ms of joining (on a loaded machine it may open a group of its own).
  await new Promise((r) => setTimeout(r, 8));
  const elapsed = await Promise.all([first, timed()]);
  for (const ms of elapsed) assert.ok(ms >= 315, `stopped after ${ms.toFixed(1)} ms of a 320 ms deadline`);
  for (let i = 0; i < 100 && hanging.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(hanging.size, 0, "both hung requests were closed by the client");
});

test("a deadline group's timer does not keep a Node process alive once its calls are done", async () => {
  // One after another (the group joined now keeps its timer, unref'd, between calls), then
  // a few at once; the 30 s deadline must not hold the process open.
  const script = `
    import { ConveyorClient } from "conveyor-client";
    const c = new ConveyorClient({ apiKey: ${JSON.stringify(KEY)}, baseUrl: ${JSON.stringify(base)}, rateLimit: false, timeoutMs: 30000 });
    for (let i = 0; i < 5; i++) await c.request("GET", "/a");
    await Promise.all([1, 2, 3].map(() => c.request("GET", "/a")));
    await c.exchange.accessGroups.list().catch(() => {});
    console.log("done");`;
  await exitsPromptly(script, "the process lingered for a deadline group's timer");
});

test("fetch() calls share their deadline group's timer (not its signal), and a timed-out one is still cancelled", async () => {
  const { client } = stubbed();
  const realSetTimeout = globalThis.setTimeout;
  const RealController = globalThis.AbortController;
  let armed = 0;
  let controllers = 0;
  globalThis.setTimeout = (...a) => {
    armed++;
    return realSetTimeout(...a);
  };
  globalThis.AbortController = class extends RealController {
    constructor() {
      super();
      controllers++;
    }
  };
  try {
    for (let i = 0; i < 20; i++) await (await client.fetch("/b")).arrayBuffer();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    globalThis.AbortController = RealController;
  }
  // One timer for the group (two if a pause split the calls), not one per call.
  assert.ok(armed <= 2, `${armed} timers for 20 calls one after another`);
  // Each its own controller; a group of fetch() calls makes none of its own.
  assert.equal(controllers, 20);
  const hang = new ConveyorClient({ apiKey: KEY, baseUrl: base, rateLimit: false, maxRetries: 0, timeoutMs: 200 });
  await Promise.all([1, 2].map(() => assert.rejects(hang.fetch("/hang"), ConveyorTimeoutError)));
  for (let i = 0; i < 100 && hanging.size > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(hanging.size, 0, "every hung fetch() was closed by the client");
});

test("the longest timeout's deadline group never fires early (its delay stays within a timer's range)", async () => {
  // Each call opens a group of its own (no slack at 2^31 - 1 ms); a delay computed as
  // `due - now` in floating point can land just over 2^31 - 1, which Node fires after 1 ms.
  const client = new ConveyorClient({
    apiKey: KEY,
    baseUrl: base,
    rateLimit: false,
    maxRetries: 0,
    timeoutMs: 2 ** 31 - 1,
    fetch: () => new Promise((r) => setTimeout(() => r(new Response("{}", { headers: { "content-type": "application/json" } })), 15)),
  });
  for (let i = 0; i < 40; i++) assert.deepEqual(await client.request("GET", "/a"), {});
});
