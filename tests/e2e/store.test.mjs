// The `rateLimit.store` seam through the packed package in Node: several clients with
// private buckets share one budget through a store, a failing or hung store falls back to
// the configured share and recovers, and the store never sees the key.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConveyorClient, MemoryStore, ConveyorConfigError } from "conveyor-client/stores";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { exitsPromptly } from "./lib/check.mjs";
import { runStoreConformance } from "./lib/store-conformance.mjs";

const LIMIT = 20;
const WINDOW_MS = 1000;
let sb;
before(async () => {
  sb = await startSandbox(["--rate-limit", `${LIMIT}/${WINDOW_MS / 1000}`]);
});
after(() => sb.stop());

/** A store around a MemoryStore that records every call and can be switched off. */
function controlledStore() {
  const inner = new MemoryStore();
  const calls = [];
  const ctl = { mode: "up", calls, inner };
  const call = (name) => (req) => {
    calls.push({ name, req: structuredClone(req) });
    if (ctl.mode === "down") throw new Error("store unreachable");
    if (ctl.mode === "hung") return new Promise(() => {});
    if (ctl.mode === "garbage") return { tokens: "nope" };
    return inner[name](req);
  };
  ctl.store = { acquire: call("acquire"), settle: call("settle"), release: call("release") };
  return ctl;
}

const client = (store, extra = {}) =>
  new ConveyorClient({
    apiKey: KEYS.bench,
    baseUrl: sb.api,
    maxRetries: 0, // a 429 must surface
    rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, store, fleetSize: 4, shared: false, ...extra.rateLimit },
    ...extra.options,
  });

const hit = (c) => c.fetch("/exchange/access_groups").then((r) => r.status);

test("four clients with private buckets share one budget through the store: no 429, the window is full", async () => {
  const total = LIMIT * 4;
  // The control, timed on the same machine just before: one client owning the whole budget
  // in memory. A loaded machine slows both alike, so the fleet is held to it, not to a fixed
  // time.
  await sb.reset();
  const alone = new ConveyorClient({
    apiKey: KEYS.bench,
    baseUrl: sb.api,
    maxRetries: 0,
    rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, shared: false },
  });
  let t0 = Date.now();
  await Promise.allSettled(Array.from({ length: total }, () => hit(alone)));
  const control = Date.now() - t0;

  await sb.reset();
  const { store } = controlledStore();
  const clients = Array.from({ length: 4 }, () => client(store));
  t0 = Date.now();
  const results = await Promise.allSettled(Array.from({ length: total }, (_, i) => hit(clients[i % 4])));
  const elapsed = Date.now() - t0;
  assert.deepEqual(results.filter((r) => r.status === "rejected").map((r) => r.reason?.code), []);
  const stats = (await sb.stats()).keys.bench;
  assert.equal(stats.rate_limited, 0);
  assert.equal(stats.max_in_window, LIMIT);
  // 4 windows' worth needs just over 3 windows when the store regrants promptly: as long as
  // one client alone takes, give or take half a window (a store that regranted a window late
  // would cost a whole one).
  assert.ok(elapsed >= 3 * WINDOW_MS, `took ${elapsed} ms`);
  assert.ok(elapsed < control + WINDOW_MS / 2, `took ${elapsed} ms (one client alone: ${control} ms): the shared budget was not fully used`);
  for (const c of clients) assert.equal(c.rateLimitState().store, "connected");
});

test("the same clients without the store each believe they own the budget and earn 429s", async () => {
  // The control for the test above: it is the store that keeps them within the limit.
  await sb.reset();
  const clients = Array.from({ length: 4 }, () =>
    new ConveyorClient({
      apiKey: KEYS.bench,
      baseUrl: sb.api,
      maxRetries: 0,
      rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, shared: false },
    }),
  );
  await Promise.allSettled(Array.from({ length: LIMIT * 2 }, (_, i) => hit(clients[i % 4])));
  assert.ok((await sb.stats()).keys.bench.rate_limited > 0);
});

test("the store sees a hash of the key, never the key; one bucket per key and base URL", async () => {
  await sb.reset();
  const ctl = controlledStore();
  await hit(client(ctl.store));
  const other = new ConveyorClient({
    apiKey: KEYS.full,
    baseUrl: sb.api,
    rateLimit: { store: ctl.store, fleetSize: 2, shared: false },
  });
  await other.fetch("/exchange/access_groups");
  const text = JSON.stringify(ctl.calls);
  for (const key of Object.values(KEYS)) assert.ok(!text.includes(key), "a key reached the store");
  const buckets = new Set(ctl.calls.map((c) => c.req.bucket));
  assert.equal(buckets.size, 2);
  for (const b of buckets) assert.match(b, /^[0-9a-f]{32}$/);
  const first = ctl.calls.find((c) => c.name === "acquire").req;
  assert.equal(first.limit, LIMIT);
  assert.equal(first.windowMs, WINDOW_MS);
  assert.ok(first.holdMs > 30_000, "hold covers a whole attempt's timeout");
  assert.ok(ctl.calls.some((c) => c.name === "settle" && c.req.tokens.length === 1));
});

test("a store that throws: the client falls back to limit / fleetSize, says so, carries its usage back on recovery", async () => {
  await sb.reset();
  const ctl = controlledStore();
  const events = [];
  const c = client(ctl.store, { options: { onRateLimitStore: (e) => events.push(e) } });
  await hit(c);
  ctl.mode = "down";
  // 10 requests on a share of 20 / 4 = 5: 5 go at once, 5 wait a window.
  const t0 = Date.now();
  const statuses = await Promise.all(Array.from({ length: 10 }, () => hit(c)));
  const elapsed = Date.now() - t0;
  assert.deepEqual(statuses, Array(10).fill(200));
  assert.equal(events[0].type, "fallback");
  assert.equal(events[0].localLimit, 5);
  assert.match(String(events[0].error?.message), /store unreachable/);
  assert.equal(c.rateLimitState().store, "fallback");
  assert.ok(elapsed >= WINDOW_MS, `the share was not enforced: ${elapsed} ms`);
  const stats = (await sb.stats()).keys.bench;
  assert.ok(stats.max_in_window <= 5 + 1, `fallback sent ${stats.max_in_window} in a window`);

  ctl.mode = "up";
  await new Promise((r) => setTimeout(r, 300)); // past the probe interval (window / 4)
  await hit(c);
  assert.equal(events.at(-1).type, "recovered");
  assert.ok(events.at(-1).downMs > 0);
  assert.equal(c.rateLimitState().store, "connected");
  // What the client spent on its share while the store was down is now in the store.
  const carried = ctl.calls.filter((x) => x.name === "acquire" && x.req.carry).flatMap((x) => x.req.carry);
  assert.ok(carried.length >= 5, `carried ${carried.length}`);
  assert.ok(carried.every((ms) => ms > 0 && ms <= WINDOW_MS + first(ctl).holdMs));
});

const first = (ctl) => ctl.calls.find((c) => c.name === "acquire").req;

test("a hung store times out into the fallback instead of hanging requests", async () => {
  await sb.reset();
  const ctl = controlledStore();
  ctl.mode = "hung";
  const events = [];
  const c = client(ctl.store, {
    rateLimit: { storeTimeoutMs: 100 },
    options: { onRateLimitStore: (e) => events.push(e) },
  });
  const t0 = Date.now();
  assert.equal(await hit(c), 200);
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 100 && elapsed < 1000, `took ${elapsed} ms`);
  assert.equal(events[0]?.type, "fallback");
  assert.match(String(events[0].error?.message), /did not answer within 100 ms/);
});

test("a store answering nonsense falls back with a typed reason", async () => {
  await sb.reset();
  const ctl = controlledStore();
  ctl.mode = "garbage";
  const events = [];
  const c = client(ctl.store, { options: { onRateLimitStore: (e) => events.push(e) } });
  assert.equal(await hit(c), 200);
  assert.equal(events[0]?.type, "fallback");
  assert.ok(events[0].error instanceof TypeError);
});

test("clients of one key share a realm bucket only with the same store", async () => {
  await sb.reset();
  const a = controlledStore();
  const b = controlledStore();
  const opts = (store) => ({ apiKey: KEYS.bench, baseUrl: sb.api, rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, store, fleetSize: 2 } });
  const [ca, ca2, cb] = [new ConveyorClient(opts(a.store)), new ConveyorClient(opts(a.store)), new ConveyorClient(opts(b.store))];
  await Promise.all([hit(ca), hit(ca2), hit(cb)]);
  const asked = (ctl) => ctl.calls.filter((x) => x.name === "acquire").reduce((n, x) => n + x.req.want, 0);
  assert.equal(asked(a), 2, "the two clients on store a asked store a");
  assert.equal(asked(b), 1, "the client on store b asked its own store, not a's");
});

test("a store whose getter makes a client of the same key: both are made, nothing traps", async () => {
  await sb.reset();
  const inner = new MemoryStore();
  let made;
  const store = {
    // Outside code runs while the outer client looks for its bucket: the realm's registry
    // must not be held then.
    get acquire() {
      made ??= new ConveyorClient({ apiKey: KEYS.bench, baseUrl: sb.api, rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
      return (req) => inner.acquire(req);
    },
    settle: (req) => inner.settle(req),
    release: (req) => inner.release(req),
  };
  const outer = new ConveyorClient({ apiKey: KEYS.bench, baseUrl: sb.api, rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, store, fleetSize: 1 } });
  assert.ok(made instanceof ConveyorClient, "the getter's client was made");
  assert.deepEqual(await Promise.all([hit(outer), hit(made)]), [200, 200]);
  // Both buckets are registered: a later client of each kind joins its own.
  const again = new ConveyorClient({ apiKey: KEYS.bench, baseUrl: sb.api, rateLimit: { limit: LIMIT, windowMs: WINDOW_MS } });
  await hit(again);
  assert.equal(made.rateLimitState().inFlight + made.rateLimitState().available, LIMIT - 2, "the in-memory bucket is shared");
});

test("a grant that arrives after the timeout is released, not leaked", async () => {
  await sb.reset();
  const inner = new MemoryStore();
  const DELAY = 300;
  let bucket;
  const store = {
    acquire: (r) => {
      bucket = r.bucket;
      return new Promise((res) => setTimeout(() => res(inner.acquire(r)), DELAY));
    },
    settle: (r) => inner.settle(r),
    release: (r) => inner.release(r),
  };
  const c = client(store, { rateLimit: { storeTimeoutMs: 50 } });
  assert.equal(await hit(c), 200); // served from the fallback share after 50 ms
  await new Promise((r) => setTimeout(r, DELAY + 100));
  // The store granted one token at 300 ms to a client that had stopped listening; left
  // alone it would occupy the budget for holdMs + windowMs (36 s).
  assert.equal(inner.occupied(bucket), 0, "the late token was released");
});

test("a settle that throws or hangs: the client falls back, says why, and carries the usage to the store", async () => {
  const cases = [
    ["throws", () => { throw new Error("settle refused"); }, /settle refused/],
    ["hangs", () => new Promise(() => {}), /`settle` did not answer within 100 ms/],
  ];
  for (const [how, settle, why] of cases) {
    await sb.reset();
    const inner = new MemoryStore();
    const asks = [];
    const events = [];
    const store = { acquire: (r) => (asks.push(structuredClone(r)), inner.acquire(r)), settle, release: (r) => inner.release(r) };
    const c = client(store, { rateLimit: { storeTimeoutMs: 100 }, options: { onRateLimitStore: (e) => events.push(e) } });
    assert.equal(await hit(c), 200);
    for (let i = 0; i < 50 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(events[0]?.type, "fallback", `a settle that ${how}: ${JSON.stringify(events)}`);
    assert.match(String(events[0].error?.message), why);
    assert.equal(c.rateLimitState().store, "fallback");
    await new Promise((r) => setTimeout(r, 300)); // past the probe interval (window / 4)
    assert.equal(await hit(c), 200);
    // The token whose settle failed is usage the store has not seen: the probe carries it.
    assert.ok(asks.slice(1).some((a) => a.carry?.length >= 1), `a settle that ${how}: ${JSON.stringify(asks)}`);
  }
});

test("a release that throws: the client keeps settling with the store", async () => {
  await sb.reset();
  const ctl = controlledStore();
  const released = [];
  // Two more tokens than asked: the client releases the spare ones and settles the used one.
  const store = {
    acquire: (r) => ctl.store.acquire({ ...r, want: r.want + 2 }),
    settle: ctl.store.settle,
    release: (r) => {
      released.push(r.tokens.length);
      throw new Error("release refused");
    },
  };
  const c = client(store);
  assert.equal(await hit(c), 200);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(released.length > 0, "the spare tokens were released");
  assert.ok(ctl.calls.some((x) => x.name === "settle"), "the used token was settled all the same");
  assert.equal(c.rateLimitState().store, "connected");
});

test("with a store, an idle client leaves no timer: a Node script exits as soon as its work is done", async () => {
  const script = `
    import { ConveyorClient, MemoryStore } from "conveyor-client/stores";
    const c = new ConveyorClient({ apiKey: ${JSON.stringify(KEYS.readonly)}, baseUrl: ${JSON.stringify(sb.api)},
      rateLimit: { limit: 5, windowMs: 300000, store: new MemoryStore(), fleetSize: 2, shared: false, storeTimeoutMs: 60000 } });
    await Promise.all([c.fetch("/exchange/access_groups"), c.fetch("/exchange/access_groups")]);
    console.log("done");`;
  await exitsPromptly(script, "the process lingered: a store call's timeout timer (60 s) or the window (5 min)");
});

test("aborting a waiter hands its token back to the store", async () => {
  await sb.reset();
  const ctl = controlledStore();
  const c = client(ctl.store, { rateLimit: { limit: 1, windowMs: 60_000 } });
  await hit(c); // the only token is spent for a minute
  const ac = new AbortController();
  const waiting = c.fetch("/exchange/access_groups", { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(c.rateLimitState().queued, 1);
  ac.abort();
  await assert.rejects(waiting, { name: "ConveyorAbortError" });
  assert.equal(c.rateLimitState().queued, 0);
  assert.equal(ctl.inner.occupied(first(ctl).bucket), 1, "only the spent token occupies the store");
});

test("bad store options throw at construction", () => {
  const base = { apiKey: KEYS.full, baseUrl: sb.api };
  const bad = [
    [{ store: {}, fleetSize: 2 }, /acquire/],
    [{ store: { acquire() {}, settle() {} }, fleetSize: 2 }, /release/],
    [{ store: "redis://", fleetSize: 2 }, /must be an object/],
    [{ store: new MemoryStore() }, /fleetSize` is required/],
    [{ fleetSize: 3 }, /only makes sense with `rateLimit.store`/],
    [{ store: new MemoryStore(), fleetSize: 0 }, /fleetSize/],
    [{ store: new MemoryStore(), fleetSize: 2, lease: 1.5 }, /lease/],
    [{ store: new MemoryStore(), fleetSize: 2, storeTimeoutMs: -1 }, /storeTimeoutMs/],
  ];
  for (const [rateLimit, message] of bad) {
    assert.throws(() => new ConveyorClient({ ...base, rateLimit }), (e) => {
      assert.ok(e instanceof ConveyorConfigError, `${JSON.stringify(rateLimit)}: ${e}`);
      assert.match(e.message, message);
      return true;
    });
  }
  assert.throws(() => new ConveyorClient({ ...base, onRateLimitStore: 1 }), ConveyorConfigError);
});

test("MemoryStore passes the store conformance suite", (t) => runStoreConformance(t, () => new MemoryStore()));

test("a store that lost its data (new epoch) is told the client's usage at once; the client takes no more than its share for a window", async () => {
  await sb.reset();
  let inner = new MemoryStore();
  const calls = [];
  const store = {
    acquire: (r) => (calls.push(structuredClone(r)), inner.acquire(r)),
    settle: (r) => inner.settle(r),
    release: (r) => inner.release(r),
  };
  const events = [];
  const c = client(store, { options: { onRateLimitStore: (e) => events.push(e) } });
  await Promise.all(Array.from({ length: 6 }, () => hit(c)));
  await new Promise((r) => setTimeout(r, 20)); // the batched settles reach the store
  const bucket = calls[0].bucket;
  assert.equal(inner.occupied(bucket), 6);
  inner = new MemoryStore(); // the store restarts empty, as a Redis without persistence does
  const t0 = Date.now();
  const waiting = hit(c);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, [{ type: "forgotten", localLimit: 5 }]);
  assert.equal(c.rateLimitState().store, "connected");
  // The blind grant went back, and the six tokens still in their window are in the new
  // store again, carried by a one-token ask whose token was handed back too.
  assert.equal(inner.occupied(bucket), 6);
  assert.equal(calls.at(-1).carry?.length, 6);
  // Six of a share of five are in the window: the request waits for the first to free.
  assert.equal(await waiting, 200);
  const waited = Date.now() - t0;
  assert.ok(waited > WINDOW_MS / 2 && waited < WINDOW_MS + 500, `waited ${waited} ms`);
});

test("MemoryStore checks its input and its snapshot round-trips", () => {
  const s = new MemoryStore();
  const req = { bucket: "b", want: 3, limit: 2, windowMs: 1000, holdMs: 10 };
  const g = s.acquire(req);
  assert.equal(g.tokens.length, 2);
  assert.equal(typeof g.retryInMs, "number");
  s.settle({ bucket: "b", tokens: [g.tokens[0]], windowMs: 1000 });
  const back = MemoryStore.restore(JSON.parse(JSON.stringify(s.snapshot())));
  assert.equal(back.occupied("b"), 2);
  const again = back.acquire(req);
  assert.deepEqual(again.tokens, []);
  assert.equal(again.epoch, g.epoch, "a restored store keeps its epoch: it did not forget");
  assert.notEqual(new MemoryStore().acquire(req).epoch, g.epoch, "a new store is a new epoch");
  for (const broken of [
    { ...req, want: 0 },
    { ...req, want: 1.5 },
    { ...req, bucket: "" },
    { ...req, windowMs: NaN },
    { ...req, carry: [1, "x"] },
    { ...req, carry: "1" },
  ]) {
    assert.throws(() => s.acquire(broken), TypeError, JSON.stringify(broken));
  }
  // Each message names the field and what it must be.
  for (const [broken, message] of [
    [{ ...req, windowMs: 0 }, /^MemoryStore: `windowMs` must be a finite number greater than 0$/],
    [{ ...req, holdMs: -1 }, /^MemoryStore: `holdMs` must be a finite number of at least 0$/],
    [{ ...req, limit: 0 }, /^MemoryStore: `limit` must be a whole number of at least 1$/],
  ]) {
    assert.throws(() => s.acquire(broken), { name: "TypeError", message }, JSON.stringify(broken));
  }
  assert.throws(() => s.settle({ bucket: "b", tokens: [g.tokens[1]], windowMs: -5 }), {
    name: "TypeError",
    message: /^MemoryStore: `windowMs` must be a finite number greater than 0$/,
  });
  assert.throws(() => s.settle({ bucket: "b", tokens: [1], windowMs: 1000 }), TypeError);
  assert.throws(() => s.release({ bucket: "b" }), TypeError);
  assert.equal(MemoryStore.restore("garbage").occupied("b"), 0);
});
