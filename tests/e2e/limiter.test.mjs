// The rolling-window limiter through the packed package in Node, against a sandbox that
// counts strictly at arrival with a scaled window.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { ConveyorClient, ConveyorRateLimitError, ConveyorAbortError } from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { exitsPromptly } from "./lib/check.mjs";

const LIMIT = 50;
const WINDOW_MS = 2000;
let sb;
before(async () => {
  sb = await startSandbox(["--rate-limit", `${LIMIT}/${WINDOW_MS / 1000}`]);
});
after(() => sb.stop());

test("at saturation for 4 windows: zero 429s, and the busiest window holds exactly the limit", async () => {
  await sb.reset();
  const client = new ConveyorClient({
    apiKey: KEYS.bench,
    baseUrl: sb.api,
    rateLimit: { limit: LIMIT, windowMs: WINDOW_MS },
    maxRetries: 0, // a 429 must surface, not be papered over by a retry
  });
  const total = LIMIT * 4;
  const t0 = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: total }, () => client.fetch("/exchange/access_groups").then((r) => r.status)),
  );
  const elapsed = Date.now() - t0;
  const failed = results.filter((r) => r.status === "rejected");
  assert.deepEqual(failed.map((r) => r.reason?.code), []);
  const stats = (await sb.stats()).keys.bench;
  assert.equal(stats.rate_limited, 0);
  assert.equal(stats.max_in_window, LIMIT);
  // 4 windows' worth needs just over 3 windows: the allowance is used, not wasted.
  assert.ok(elapsed >= 3 * WINDOW_MS, `took ${elapsed} ms`);
  assert.ok(elapsed < 3 * WINDOW_MS + 1500, `took ${elapsed} ms: the allowance was not fully used`);
});

test("clients of one key share a bucket; shared: false opts out", async () => {
  const opts = { apiKey: KEYS.full, baseUrl: sb.api, rateLimit: { limit: 7, windowMs: 60_000 } };
  const a = new ConveyorClient(opts);
  const b = new ConveyorClient(opts);
  const c = new ConveyorClient({ ...opts, rateLimit: { ...opts.rateLimit, shared: false } });
  await a.fetch("/exchange/access_groups");
  assert.equal(b.rateLimitState().available, 6, "b sees a's spent token");
  assert.equal(c.rateLimitState().available, 7, "c has its own bucket");
});

test("waiters are queued FIFO, reported through onRateLimitWait and rateLimitState, and honour abort", async () => {
  const events = [];
  // One token: each waiter is granted only after the previous response plus a window, so
  // completion order is grant order.
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 1, windowMs: 250, shared: false },
    onRateLimitWait: (e) => events.push(e),
  });
  const order = [];
  const ac = new AbortController();
  const calls = [0, 1, 2, 3, 4].map((i) =>
    client
      .fetch("/exchange/access_groups", i === 3 ? { signal: ac.signal } : {})
      .then(() => order.push(i), (e) => order.push(`${i}:${e.code}`)),
  );
  await new Promise((r) => setTimeout(r, 20));
  const state = client.rateLimitState();
  assert.equal(state.queued, 4);
  assert.equal(state.available, 0);
  assert.ok(state.nextTokenInMs === null || (state.nextTokenInMs > 0 && state.nextTokenInMs <= 250), JSON.stringify(state));
  ac.abort();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(client.rateLimitState().queued, 3, "abort left the queue at once");
  await Promise.all(calls);
  assert.deepEqual(order.filter((x) => typeof x === "number"), [0, 1, 2, 4]);
  assert.ok(order.indexOf("3:aborted") < order.indexOf(1), "the aborted waiter left before the next grant");
  assert.equal(events.length, 4);
  assert.ok(events.every((e) => e.method === "GET" && e.path === "/exchange/access_groups" && e.waitMs > 0));
});

test("a full queue rejects at once with code queue_full", async () => {
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 1, windowMs: 500, maxQueue: 1, shared: false },
  });
  const settled = await Promise.allSettled([0, 1, 2].map(() => client.fetch("/exchange/access_groups")));
  assert.equal(settled[0].status, "fulfilled");
  assert.equal(settled[1].status, "fulfilled");
  const e = settled[2].reason;
  assert.ok(e instanceof ConveyorRateLimitError);
  assert.equal(e.code, "queue_full");
});

test("an idle client arms no timer: a Node script exits as soon as its work is done", async () => {
  const script = `
    import { ConveyorClient } from "conveyor-client";
    const c = new ConveyorClient({ apiKey: ${JSON.stringify(KEYS.readonly)}, baseUrl: ${JSON.stringify(sb.api)},
      rateLimit: { limit: 1, windowMs: 300000, shared: false } });
    await c.fetch("/exchange/access_groups");
    console.log("done");`;
  await exitsPromptly(script, "the process did not linger for the 5-minute window");
});

test("a 429 from the server pauses the whole bucket", async () => {
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 100, windowMs: 60_000, shared: false },
  });
  const t0 = Date.now();
  const first = client.fetch("/exchange/access_groups", {
    headers: { "X-Sandbox-Fault": "rate_limit=1;times=1", "X-Sandbox-Fault-Id": `pause-${process.pid}` },
  });
  await new Promise((r) => setTimeout(r, 200));
  const second = client.fetch("/exchange/access_groups").then(() => Date.now() - t0);
  await first;
  assert.ok((await second) >= 900, "the second request waited for the server's pause");
});

test("rateLimit: false turns the limiter off", () => {
  const client = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false });
  assert.equal(client.rateLimitState(), null);
});

test("an abort while queued rejects with ConveyorAbortError and sends nothing", async () => {
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 1, windowMs: 5000, shared: false },
  });
  await client.fetch("/exchange/access_groups");
  const before = (await sb.requests()).length;
  const ac = new AbortController();
  const p = client.fetch("/exchange/access_groups", { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p, (e) => e instanceof ConveyorAbortError);
  assert.equal((await sb.requests()).length, before);
});

test("a long-lived signal keeps no listener of the requests that waited on it", async () => {
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 3, windowMs: 300, shared: false },
  });
  const ac = new AbortController();
  // The signal's own methods, counted: what the client adds for "abort" and takes back.
  const live = new Set();
  const add = ac.signal.addEventListener.bind(ac.signal);
  const remove = ac.signal.removeEventListener.bind(ac.signal);
  ac.signal.addEventListener = (type, f, o) => {
    if (type === "abort") live.add(f);
    return add(type, f, o);
  };
  ac.signal.removeEventListener = (type, f, o) => {
    if (type === "abort") live.delete(f);
    return remove(type, f, o);
  };
  let waited = 0;
  const watching = [];
  const rs = await Promise.all(
    Array.from({ length: 9 }, async () => {
      const r = await client.fetch("/exchange/access_groups", { signal: ac.signal });
      watching.push(live.size);
      await r.arrayBuffer();
      return r;
    }),
  );
  waited = Math.max(...watching);
  assert.ok(rs.every((r) => r.status === 200));
  assert.ok(waited > 0, "requests waiting for a token listen to the signal");
  assert.equal(live.size, 0, `${live.size} abort listeners left on the signal`);
});

test("a signal that keeps the listener a request left and calls it later wakes no other request", async () => {
  // A server slow enough that the next request is still in flight when the signal acts.
  const server = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    }, 150);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const client = new ConveyorClient({
      apiKey: KEYS.readonly,
      baseUrl: `http://127.0.0.1:${server.address().port}/api/v2`,
      rateLimit: { limit: 10, windowMs: 1000, shared: false },
    });
    const ac = new AbortController();
    // A signal (a subclass could do the same) that keeps every listener and never removes one.
    const kept = [];
    const add = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = (type, l, o) => {
      kept.push(l);
      return add(type, l, o);
    };
    ac.signal.removeEventListener = () => {};
    await (await client.fetch("/exchange/access_groups", { signal: ac.signal })).arrayBuffer();
    assert.ok(kept.length > 0);
    const next = client.request("GET", "/exchange/access_groups");
    await new Promise((r) => setTimeout(r, 40));
    // The finished request's listeners, called again while the next one waits for its response.
    for (const l of kept) typeof l === "function" ? l() : l.handleEvent();
    assert.deepEqual(await next, {});
  } finally {
    server.close();
  }
});

test("a call whose signal has already fired spends no token, even with one free", async () => {
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 3, windowMs: 60_000, shared: false },
  });
  const before = (await sb.requests()).length;
  const ac = new AbortController();
  ac.abort(new Error("gone"));
  await assert.rejects(client.fetch("/exchange/access_groups", { signal: ac.signal }), (e) => e instanceof ConveyorAbortError);
  await assert.rejects(client.request("GET", "/exchange/access_groups", { signal: ac.signal }), (e) => e instanceof ConveyorAbortError);
  const s = client.rateLimitState();
  assert.equal(s.available, 3, "no token was taken for a call that could not be sent");
  assert.equal(s.inFlight, 0);
  assert.equal((await sb.requests()).length, before);
});

test("a custom fetch that calls the client again from inside itself: both calls end, each token settled once", async () => {
  let nested;
  let started = false;
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 4, windowMs: 60_000, shared: false },
    fetch: (url, init) => {
      // The first call starts a second one while its own attempt is being sent.
      // (`fetch` may be called before `client.fetch` returns: the flag, not `nested`.)
      if (!started) {
        started = true;
        nested = client.request("GET", "/exchange/access_groups");
      }
      return fetch(url, init);
    },
  });
  const res = await client.fetch("/exchange/access_groups");
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const body = await nested;
  assert.ok(Array.isArray(body.access_groups));
  const s = client.rateLimitState();
  assert.equal(s.inFlight, 0);
  assert.equal(s.available, 2, "two calls, two tokens, each settled when its response came");
});

test("a queued call's signal whose listener methods call the client again: every call ends, nothing is refused", async () => {
  // Adding and removing a queued call's abort listener runs the signal's code. The grant
  // that wakes a queued call is made inside the scheduler; its listener is removed only
  // when the call runs next, so a signal calling back in finds the client free.
  const client = new ConveyorClient({
    apiKey: KEYS.readonly,
    baseUrl: sb.api,
    rateLimit: { limit: 1, windowMs: 150, shared: false },
  });
  const nested = [];
  const thrown = [];
  // The first listener added and the first removed are the queued wait's (the attempt's
  // come later); each of those two calls the client.
  const hostile = () => {
    const signal = new AbortController().signal;
    let added = false;
    let removed = false;
    // What throws here is swallowed by the client: it is recorded instead.
    const callBack = () => {
      try {
        client.rateLimitState();
      } catch (e) {
        thrown.push(e);
      }
      nested.push(client.fetch("/exchange/access_groups").then((r) => r.status, (e) => e.code));
    };
    signal.addEventListener = function (...args) {
      if (!added) {
        added = true;
        callBack();
      }
      return EventTarget.prototype.addEventListener.apply(this, args);
    };
    signal.removeEventListener = function (...args) {
      if (!removed) {
        removed = true;
        callBack();
      }
      return EventTarget.prototype.removeEventListener.apply(this, args);
    };
    return signal;
  };
  const first = client.fetch("/exchange/access_groups").then((r) => r.status);
  const queued = [0, 1].map(() => client.fetch("/exchange/access_groups", { signal: hostile() }).then((r) => r.status));
  assert.equal(nested.length, 2, "each queued call's listener was added, and called the client");
  assert.deepEqual(await Promise.all([first, ...queued]), [200, 200, 200]);
  // The removals came as the queued calls ran, and started calls of their own.
  assert.equal(nested.length, 4);
  assert.deepEqual(await Promise.all(nested), [200, 200, 200, 200]);
  assert.deepEqual(thrown, [], "rateLimitState() never found the scheduler busy");
  const s = client.rateLimitState();
  assert.equal(s.queued, 0);
  assert.equal(s.inFlight, 0);
});
