// The hostile world, through the packed package in Node: the caller's own objects, servers,
// stores and custom fetches that throw, stall, lie or overflow. Every call settles (resolves
// or rejects with a ConveyorError subclass) within its deadline, nothing escapes as an
// uncaught exception or a wasm trap, nothing invalid is sent, and the client keeps working.
// The server half also runs inside workerd.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import * as pkg from "conveyor-client/stores";
import { startHostileServer } from "./lib/hostile-server.mjs";
import { serverCases } from "./lib/hostile-cases.mjs";
import { startWorker } from "./lib/workerd.mjs";

const { ConveyorClient, ConveyorError, MemoryStore } = pkg;
const KEY = "sk_test_hostile_0123456789abcdefghij";

let server;
let foreign;
const escaped = [];
const onEscape = (e) => escaped.push(e);
before(async () => {
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  [server, foreign] = await Promise.all([startHostileServer(), startHostileServer()]);
});
after(async () => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  await Promise.all([server?.stop(), foreign?.stop()]);
});

const base = (mode = "ok") => `${server.url}/${mode}/api/v2`;
const client = (extra = {}) => new ConveyorClient({ apiKey: KEY, baseUrl: base(), maxRetries: 0, ...extra });
const sentSince = (n) => server.requests.slice(n);

test("hostile servers: stalls, trickles, oversized and key-echoing bodies (Node)", async () => {
  const { failures, ran } = await serverCases(pkg, { server: server.url, foreign: foreign.url, key: KEY });
  assert.ok(ran.length > 30, `ran ${ran.length} cases`);
  assert.deepEqual(failures, []);
  // util.inspect, which JSON.stringify does not cover, shows no key either.
  const e = await client({ baseUrl: base("echo") }).request("GET", "/x").catch((x) => x);
  assert.ok(e instanceof ConveyorError);
  assert.ok(!util.inspect(e, { depth: null }).includes(KEY.slice(4, 12)), util.inspect(e, { depth: null }));
});

test("hostile servers: the same cases inside workerd", async () => {
  const worker = await startWorker(new URL("./runtimes/hostile-worker.mjs", import.meta.url).pathname);
  try {
    const q = new URLSearchParams({ server: server.url, foreign: foreign.url, key: KEY });
    const res = await worker.mf.dispatchFetch(`http://worker.test/?${q}`);
    const { failures, ran } = await res.json();
    assert.ok(ran.length > 30, `ran ${ran.length} cases`);
    assert.deepEqual(failures, []);
  } finally {
    await worker.mf.dispose();
  }
});

// ---- hostile objects ----------------------------------------------------------------

const boom = () => {
  throw new Error("hostile");
};
const trapAll = {
  get: boom, set: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom,
  getPrototypeOf: boom, defineProperty: boom, deleteProperty: boom, apply: boom, construct: boom,
};

/** Values whose every use throws somewhere: getters, coercion, iteration, Proxy traps. */
function hostileValues(keys = ["a"]) {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const throwingGetters = {};
  for (const k of keys) Object.defineProperty(throwingGetters, k, { get: boom, enumerable: true });
  const badIterator = [1, 2];
  badIterator[Symbol.iterator] = boom;
  const badLength = new Proxy([1, 2], { get: (t, k) => (k === "length" ? boom() : t[k]) });
  const badElement = new Proxy(["a", "b"], { get: (t, k) => (k === "0" ? boom() : t[k]) });
  const badDate = new Date();
  badDate.getTime = boom;
  badDate.toISOString = boom;
  const badSignal = new AbortController().signal;
  Object.defineProperty(badSignal, "aborted", { get: boom });
  Object.defineProperty(badSignal, "reason", { get: boom });
  return {
    "an object with throwing getters": throwingGetters,
    "a Proxy whose traps all throw": new Proxy({}, trapAll),
    "a Proxy of an array whose traps all throw": new Proxy([], trapAll),
    "a Proxy of a function whose traps all throw": new Proxy(function f() {}, trapAll),
    "a revoked Proxy": revocable.proxy,
    "a revoked Proxy of an array": revokedArray.proxy,
    "throwing toString/valueOf/toPrimitive": { toString: boom, valueOf: boom, [Symbol.toPrimitive]: boom, toJSON: boom },
    "an array whose iterator throws": badIterator,
    "an array whose length throws": badLength,
    "an array whose element getter throws": badElement,
    "a Date whose methods throw": badDate,
    "an AbortSignal whose getters throw": badSignal,
    "a fake AbortSignal": Object.create(AbortSignal.prototype),
    "a fake Blob": Object.create(Blob.prototype),
    "a Proxy of a Blob whose traps all throw": new Proxy(new Blob(["x"]), trapAll),
    "a Symbol": Symbol("s"),
    "a BigInt": 10n,
    "a function": () => {},
    "an object with a null prototype": Object.create(null),
  };
}

/**
 * `target` behind a Proxy whose `n`-th trap call throws (every trap counts): run with
 * n = 1, 2, ... it makes each read the client does, in turn, the one that fails.
 */
function failingAt(target, n) {
  let calls = 0;
  const handler = {};
  for (const trap of ["get", "has", "ownKeys", "getOwnPropertyDescriptor", "getPrototypeOf"]) {
    handler[trap] = (...args) => {
      calls += 1;
      if (calls === n) throw new Error(`hostile at trap call ${n}`);
      return Reflect[trap](...args);
    };
  }
  return new Proxy(target, handler);
}

/** Awaits `run()`; it must settle in time, resolving or rejecting with a ConveyorError. */
async function settles(what, run) {
  let outcome;
  try {
    let guard;
    const hung = new Promise((r) => (guard = setTimeout(() => r("hung"), 10_000)));
    outcome = await Promise.race([Promise.resolve().then(run).then(() => "resolved", (e) => e), hung]);
    clearTimeout(guard);
  } catch (e) {
    outcome = e;
  }
  assert.notEqual(outcome, "hung", `${what}: never settled`);
  if (outcome === "resolved") return;
  assert.ok(!(outcome instanceof WebAssembly.RuntimeError), `${what}: wasm trap ${outcome && outcome.stack}`);
  assert.ok(outcome instanceof ConveyorError, `${what}: rejected with ${outcome && outcome.stack}`);
}

/** A normal request through `c` still works. */
async function stillWorks(c, what) {
  const before = server.requests.length;
  const body = await c.request("GET", "/exchange/access_groups");
  assert.equal(body.ok, true, `${what}: the next request`);
  assert.equal(server.requests.length, before + 1);
}

/** Every typed method, found by walking the namespaces: [path, fn, pathArgCount]. */
function typedMethods(c) {
  const out = [];
  const walk = (node, path) => {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === "function") out.push([`${path}.${k}`, v]);
      else walk(v, `${path}.${k}`);
    }
  };
  for (const ns of ["exchange", "questionnaires", "questionnaireRequests", "knowledgeBase", "interactions", "productLines", "singleQuestion", "reviews"]) {
    walk(c[ns], ns);
  }
  return out;
}

const OPTION_NAMES = ["apiKey", "baseUrl", "apiKeyHeader", "fetch", "timeoutMs", "maxRetries", "maxRetryAfterMs",
  "maxResponseBytes", "rateLimit", "onRateLimitWait", "onRateLimitStore"];
const RATE_LIMIT_NAMES = ["limit", "windowMs", "maxQueue", "shared", "store", "fleetSize", "lease", "storeTimeoutMs"];

test("hostile objects: the constructor throws ConveyorConfigError or builds a working client", async () => {
  const values = Object.entries(hostileValues([...OPTION_NAMES, ...RATE_LIMIT_NAMES]));
  for (const [name, h] of values) {
    const tries = [
      [`options = ${name}`, () => new ConveyorClient(h)],
      ...OPTION_NAMES.map((o) => [`options.${o} = ${name}`, () => new ConveyorClient({ apiKey: KEY, baseUrl: base(), [o]: h })]),
      ...RATE_LIMIT_NAMES.map((o) => [`rateLimit.${o} = ${name}`,
        () => new ConveyorClient({ apiKey: KEY, baseUrl: base(), rateLimit: { store: new MemoryStore(), fleetSize: 2, shared: false, [o]: h } })]),
    ];
    for (const [what, make] of tries) {
      let c;
      try {
        c = make();
      } catch (e) {
        assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: wasm trap`);
        assert.equal(e?.name, "ConveyorConfigError", `${what}: threw ${e && e.stack}`);
        continue;
      }
      // Accepted (e.g. a value that is ignored): the client must work or fail typed.
      await settles(`${what}: a request`, () => c.request("GET", "/exchange/access_groups", { timeoutMs: 2000 }));
    }
  }
  // A getter that throws is reported, not read as "not given" (which would silently mean
  // the default: the global fetch, a 30 s timeout, the default rate limit...).
  for (const name of ["fetch", "timeoutMs", "rateLimit", "apiKeyHeader", "maxResponseBytes"]) {
    const options = { apiKey: KEY, baseUrl: base() };
    Object.defineProperty(options, name, { get: boom, enumerable: true });
    assert.throws(() => new ConveyorClient(options), (e) => e.name === "ConveyorConfigError" && e.message.includes(name), name);
  }
  await stillWorks(client(), "after the constructor cases");
  assert.deepEqual(escaped, []);
});

test("hostile objects: fetch(), request() and every typed method settle, and the client keeps working", async () => {
  const c = client({ timeoutMs: 2000 });
  const values = Object.entries(hostileValues(["query", "body", "headers", "signal", "timeoutMs", "method", "page", "per_page", "a", "name", "limit"]));
  const methods = typedMethods(c);
  assert.ok(methods.length >= 27, `${methods.length} typed methods`);
  for (const [name, h] of values) {
    const calls = [
      ["fetch(h)", () => c.fetch(h)],
      ["fetch(path, h)", () => c.fetch("/x", h)],
      ...["method", "headers", "body", "signal", "timeoutMs"].map((k) => [`fetch init.${k}`, () => c.fetch("/x", { method: k === "body" ? "POST" : "GET", [k]: h })]),
      ["request(h)", () => c.request(h, "/x")],
      ["request(GET, h)", () => c.request("GET", h)],
      ["request(GET, path, h)", () => c.request("GET", "/x", h)],
      ...["query", "body", "headers", "signal", "timeoutMs"].map((k) => [`request options.${k}`, () => c.request("POST", "/x", { [k]: h })]),
      ["request query value", () => c.request("GET", "/x", { query: { a: h } })],
      ["request query array value", () => c.request("GET", "/x", { query: { a: [h] } })],
    ];
    for (const [path, fn] of methods) {
      for (let i = 0; i < 4; i++) {
        const args = ["1", "2", "3"].slice(0, i);
        calls.push([`${path} arg ${i}`, () => fn(...args, h)]);
        calls.push([`${path} params value at ${i}`, () => fn(...args, { name: h, a: h, page: h, per_page: h })]);
        calls.push([`${path} options.signal at ${i}`, () => fn(...args, {}, { signal: h })]);
        calls.push([`${path} options.timeoutMs at ${i}`, () => fn(...args, {}, { timeoutMs: h })]);
      }
    }
    for (const [what, run] of calls) await settles(`${what} = ${name}`, run);
  }
  await stillWorks(c, "after the call cases");
  assert.deepEqual(escaped, []);
});

test("hostile objects: a Proxy that throws at the 1st, 2nd, ... read, for every object argument", async () => {
  const c = client({ timeoutMs: 2000 });
  const store = new MemoryStore();
  for (let n = 1; n <= 40; n++) {
    const opts = () => ({ apiKey: KEY, baseUrl: base(), timeoutMs: 2000, maxRetries: 0, rateLimit: { limit: 50, windowMs: 1000, shared: false } });
    for (const [what, options] of [
      ["options", failingAt(opts(), n)],
      ["options.rateLimit", { ...opts(), rateLimit: failingAt({ store, fleetSize: 2, shared: false }, n) }],
    ]) {
      let made;
      try {
        made = new ConveyorClient(options);
      } catch (e) {
        assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what} at ${n}: wasm trap`);
        assert.equal(e?.name, "ConveyorConfigError", `${what} at ${n}: ${e && e.stack}`);
      }
      if (made) await settles(`${what} at ${n}: a request`, () => made.request("GET", "/exchange/access_groups"));
    }
    const calls = [
      ["request options", () => c.request("POST", "/x", failingAt({ query: { a: 1, b: [1, 2] }, body: { x: 1 }, headers: { "x-a": "1" }, timeoutMs: 1000 }, n))],
      ["request query", () => c.request("GET", "/x", { query: failingAt({ a: 1, b: [1, 2], c: "x" }, n) })],
      ["request query array", () => c.request("GET", "/x", { query: { b: failingAt([1, 2, 3], n) } })],
      ["fetch init", () => c.fetch("/x", failingAt({ method: "POST", body: "x", headers: { "x-a": "1" }, timeoutMs: 1000 }, n))],
      ["typed params", () => c.exchange.authorizations.create(failingAt({ email: "a@b.c", access_group_ids: [1, 2], nda_bypass: true }, n))],
      ["typed params array", () => c.exchange.authorizations.create({ email: "a@b.c", access_group_ids: failingAt([1, 2], n) })],
      ["typed options", () => c.exchange.accessGroups.list({}, failingAt({ timeoutMs: 1000 }, n))],
      ["list pages", async () => {
        for await (const _ of c.exchange.accessGroups.list(failingAt({ per_page: 1 }, n)).pages());
      }],
      ["toArray options", () => c.exchange.accessGroups.list().toArray(failingAt({ limit: 1 }, n))],
    ];
    for (const [what, run] of calls) await settles(`${what} failing at read ${n}`, run);
  }
  await stillWorks(c, "after the n-th-read cases");
  assert.deepEqual(escaped, []);
});

test("hostile objects: list results (.pages(), toArray, for await) settle with ConveyorErrors", async () => {
  const c = client({ timeoutMs: 2000 });
  for (const [name, h] of Object.entries(hostileValues(["limit", "page", "per_page"]))) {
    const list = () => c.exchange.accessGroups.list(h);
    await settles(`list(${name}) awaited`, async () => await list());
    await settles(`list(${name}).pages()`, async () => {
      for await (const _ of list().pages());
    });
    await settles(`list(${name}) for await`, async () => {
      for await (const _ of list());
    });
    await settles(`toArray(${name})`, () => c.exchange.accessGroups.list().toArray(h));
    await settles(`toArray({ limit: ${name} })`, () => c.exchange.accessGroups.list().toArray({ limit: h }));
  }
  // A params getter that throws only on its second read (the next page's request).
  let reads = 0;
  const flaky = { get per_page() { reads += 1; if (reads > 1) throw new Error("hostile"); return 1; } };
  const items = c.exchange.accessGroups.list(flaky);
  await settles("a params getter that throws on the second page", async () => {
    for await (const _ of items.pages());
  });
  await stillWorks(c, "after the list cases");
  assert.deepEqual(escaped, []);
});

test("hostile custom fetch: Responses whose getters throw, fakes and Proxies end as typed errors", async () => {
  const real = () => new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });
  const withGetter = (prop) => {
    const r = real();
    Object.defineProperty(r, prop, { get: boom });
    return r;
  };
  class Sub extends Response {
    get status() {
      return boom();
    }
  }
  const answers = {
    ...Object.fromEntries(["status", "ok", "headers", "body", "url", "redirected", "type", "text", "arrayBuffer"].map((p) => [`a Response whose ${p} throws`, () => withGetter(p)])),
    "a Response subclass whose status getter throws": () => new Sub("{}"),
    "a fake Response": () => Object.create(Response.prototype),
    "a Proxy of a Response whose traps all throw": () => new Proxy(real(), trapAll),
    "a plain object": () => ({ status: 200, ok: true }),
    "a thenable whose then throws": () => ({ get then() { return boom(); } }),
    "a promise whose constructor getter throws": () => {
      const p = Promise.resolve(real());
      Object.defineProperty(p, "constructor", { get: boom });
      return p;
    },
    "a promise whose own then throws": () => {
      const p = Promise.resolve(real());
      p.then = boom;
      return p;
    },
    "a synchronous throw": boom,
    "undefined": () => undefined,
    "a body stream of strings": () => new Response(new ReadableStream({ start(c) { c.enqueue("not bytes"); c.close(); } })),
    "a body stream that errors": () => new Response(new ReadableStream({ pull(c) { c.error(new Error("hostile")); } })),
  };
  for (const [name, answer] of Object.entries(answers)) {
    const c = client({ fetch: answer, timeoutMs: 2000 });
    await settles(`request() with ${name}`, () => c.request("GET", "/x"));
    await settles(`fetch() with ${name}`, () => c.fetch("/x"));
    await settles(`a typed method with ${name}`, () => c.exchange.accessGroups.list());
  }
  await stillWorks(client(), "after the custom fetch cases");
  assert.deepEqual(escaped, []);
});

test("hostile stores: replies whose getters throw fall back to the local share; the request succeeds", async () => {
  const memory = new MemoryStore();
  const fine = (req) => memory.acquire(req);
  const replies = {
    "a reply whose tokens getter throws": () => ({ get tokens() { return boom(); } }),
    "tokens as a Proxy whose traps throw": () => ({ tokens: new Proxy([], trapAll) }),
    "tokens whose element getter throws": (req) => ({ tokens: new Proxy(fine(req).tokens, { get: (t, k) => (k === "0" ? boom() : t[k]) }) }),
    "tokens whose length throws": (req) => ({ tokens: new Proxy(fine(req).tokens, { get: (t, k) => (k === "length" ? boom() : t[k]) }) }),
    "a revoked Proxy": () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; },
    "a reply whose retryInMs/epoch/occupied throw": (req) => {
      const r = fine(req);
      for (const k of ["retryInMs", "epoch", "occupied"]) Object.defineProperty(r, k, { get: boom });
      return r;
    },
    "a thenable whose then throws": () => ({ get then() { return boom(); } }),
    "a promise whose own then throws": (req) => {
      const p = Promise.resolve(fine(req));
      p.then = boom;
      return p;
    },
    "a synchronous throw": boom,
  };
  for (const [name, reply] of Object.entries(replies)) {
    const store = { acquire: reply, settle: (r) => memory.settle(r), release: (r) => memory.release(r) };
    const c = client({ rateLimit: { store, fleetSize: 2, shared: false, storeTimeoutMs: 200 } });
    await settles(`a request with ${name}`, () => c.request("GET", "/exchange/access_groups"));
    await stillWorks(c, name);
  }
  const proxyStore = new Proxy({ acquire: fine, settle: () => {}, release: () => {} }, trapAll);
  assert.throws(() => client({ rateLimit: { store: proxyStore, fleetSize: 2 } }), (e) => e.name === "ConveyorConfigError");
  const throwingSettle = { acquire: fine, get settle() { return boom(); }, release: () => {} };
  assert.throws(() => client({ rateLimit: { store: throwingSettle, fleetSize: 2 } }), (e) => e.name === "ConveyorConfigError");
  assert.deepEqual(escaped, []);
});

test("hostile stores: settles, releases and late answers that throw, hang or lie neither trap nor escape; the client keeps working", async () => {
  const memory = new MemoryStore();
  // Two more tokens than asked: the client hands the spare ones back with `release`.
  const generous = (req) => memory.acquire({ ...req, want: req.want + 2 });
  const answers = {
    "a synchronous throw": boom,
    "a rejection": () => Promise.reject(new Error("hostile")),
    "a promise that never settles": () => new Promise(() => {}),
    "a thenable whose then throws": () => ({ get then() { return boom(); } }),
    "a reply of the wrong shape": () => ({ tokens: new Proxy([], trapAll) }),
  };
  for (const [name, answer] of Object.entries(answers)) {
    const store = { acquire: generous, settle: answer, release: answer };
    const c = client({ rateLimit: { store, fleetSize: 2, shared: false, storeTimeoutMs: 50 } });
    for (let i = 0; i < 3; i++) {
      await settles(`a request whose settle and release give ${name}`, () => c.request("GET", "/exchange/access_groups"));
    }
    await new Promise((r) => setTimeout(r, 100)); // past storeTimeoutMs: every store call has ended
    await stillWorks(c, `settle and release giving ${name}`);
  }
  // An `acquire` answered after storeTimeoutMs, when nobody waits for it any more.
  const late = (value) => (req) => new Promise((res) => setTimeout(() => res(value(req)), 80));
  const lateAnswers = {
    "a rejection": late(() => Promise.reject(new Error("hostile"))),
    "a throwing getter": late(() => ({ get tokens() { return boom(); } })),
    "a thenable whose then throws": late(() => ({ get then() { return boom(); } })),
    "a grant": late(generous),
  };
  for (const [name, acquire] of Object.entries(lateAnswers)) {
    const store = { acquire, settle: (r) => memory.settle(r), release: (r) => memory.release(r) };
    const c = client({ rateLimit: { store, fleetSize: 2, shared: false, storeTimeoutMs: 20 } });
    await settles(`a request whose acquire answers ${name} late`, () => c.request("GET", "/exchange/access_groups"));
    await new Promise((r) => setTimeout(r, 150)); // the late answer has come
    await stillWorks(c, `acquire answering ${name} late`);
  }
  assert.deepEqual(escaped, []);
});

test("hostile objects: MemoryStore methods throw TypeErrors, never trap, and keep working", () => {
  const store = new MemoryStore();
  const good = { bucket: "b", want: 1, limit: 5, windowMs: 1000, holdMs: 1000 };
  for (const [name, h] of Object.entries(hostileValues(["bucket", "want", "limit", "windowMs", "holdMs", "carry", "tokens"]))) {
    const reqs = [h, { ...good, bucket: h }, { ...good, want: h }, { ...good, carry: h }, { ...good, windowMs: h }];
    for (const method of ["acquire", "settle", "release"]) {
      for (const req of [...reqs, { bucket: "b", tokens: h, windowMs: 1000 }]) {
        try {
          store[method](req);
        } catch (e) {
          assert.ok(!(e instanceof WebAssembly.RuntimeError), `${method}(${name}): wasm trap`);
          assert.ok(e instanceof TypeError, `${method}(${name}): threw ${e && e.stack}`);
        }
      }
    }
    try {
      store.restore?.(h);
    } catch (e) {
      assert.ok(!(e instanceof WebAssembly.RuntimeError) && e instanceof TypeError, `restore(${name}): ${e && e.stack}`);
    }
  }
  const granted = store.acquire(good);
  assert.equal(granted.tokens.length, 1);
});

// ---- timers and validation: each asserts that nothing was sent ------------------------

/** Expects `run` to reject/throw with `cls` and the server to have received nothing. */
async function refused(what, cls, run) {
  const before = server.requests.length;
  let error;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: was accepted`);
  assert.equal(error.name, cls, `${what}: ${error && error.stack}`);
  assert.deepEqual(sentSince(before), [], `${what}: something was sent`);
  return error;
}

test("timers: delays of 2^31 ms or more are refused at construction or per call, never fire at once", async () => {
  for (const [opt, v] of [["timeoutMs", 2 ** 31], ["maxRetryAfterMs", 1e10], ["timeoutMs", 1e12]]) {
    await refused(`${opt}: ${v}`, "ConveyorConfigError", () => client({ [opt]: v }));
  }
  await refused("rateLimit.windowMs: 3e9", "ConveyorConfigError", () => client({ rateLimit: { windowMs: 3e9 } }));
  await refused("rateLimit.storeTimeoutMs: 2^31", "ConveyorConfigError", () =>
    client({ rateLimit: { store: new MemoryStore(), fleetSize: 1, storeTimeoutMs: 2 ** 31 } }));
  const c = client();
  await refused("request timeoutMs: 2^31", "ConveyorValidationError", () => c.request("GET", "/x", { timeoutMs: 2 ** 31 }));
  await refused("fetch timeoutMs: 2^31", "ConveyorValidationError", () => c.fetch("/x", { timeoutMs: 2 ** 31 }));
  await refused("typed timeoutMs: 2^31", "ConveyorValidationError", () => c.exchange.accessGroups.list({}, { timeoutMs: 2 ** 31 }));
  // The largest allowed values work (and do not fire at once).
  const slow = client({ timeoutMs: 2 ** 31 - 1, maxRetryAfterMs: 2 ** 31 - 1, rateLimit: { windowMs: 2 ** 31 - 1, shared: false } });
  assert.equal((await slow.request("GET", "/x")).ok, true);
  // A 34-day Retry-After is over maxRetryAfterMs: it rejects at once, after one request.
  const before = server.requests.length;
  const e = await client({ baseUrl: base("retry-after"), maxRetries: 3 }).request("GET", "/x").catch((x) => x);
  assert.equal(e.name, "ConveyorRateLimitError");
  assert.equal(sentSince(before).length, 1);
});

test("validation: methods, bodies, headers, base URLs and queries are checked before anything is sent", async () => {
  const c = client();
  const tokens = () => c.rateLimitState().available;
  const start = tokens();
  for (const method of ["GET\r\nX-Injected: 1", "CONNECT", "TRACE", "TRACK", "connect", "GE T", "", "G\u00c9T", "X".repeat(40)]) {
    const e1 = await refused(`request(${JSON.stringify(method)})`, "ConveyorValidationError", () => c.request(method, "/x"));
    const e2 = await refused(`fetch method ${JSON.stringify(method)}`, "ConveyorValidationError", () => c.fetch("/x", { method }));
    for (const e of [e1, e2]) {
      assert.ok(!JSON.stringify(e).includes("X-Injected"), "the bad method is not echoed");
      assert.equal(e.retryable, false);
    }
  }
  for (const method of ["GET", "HEAD", "get"]) {
    await refused(`request ${method} with a body`, "ConveyorValidationError", () => c.request(method, "/x", { body: { a: 1 } }));
    await refused(`fetch ${method} with a body`, "ConveyorValidationError", () => c.fetch("/x", { method, body: "x" }));
  }
  for (const [name, body] of [["a Symbol", Symbol("s")], ["a function", () => 1], ["toJSON returning undefined", { toJSON: () => undefined }]]) {
    await refused(`request body ${name}`, "ConveyorValidationError", () => c.request("POST", "/x", { body }));
    await refused(`fetch body ${name}`, "ConveyorValidationError", () => c.fetch("/x", { method: "POST", body }));
  }
  await refused("query as an array", "ConveyorValidationError", () => c.request("GET", "/x", { query: ["a", "b"] }));
  await refused("a path with credentials", "ConveyorValidationError", () => c.request("GET", `${server.url.replace("//", "//u:p@")}/ok/x`));
  assert.equal(tokens(), start, "no token was spent on a refused call");

  // Array query values repeat the key as `name[]`, as the typed methods send them.
  const before = server.requests.length;
  await c.request("GET", "/x", { query: { ids: [1, 2], q: "a" } });
  assert.equal(sentSince(before)[0].url, "/ok/api/v2/x?ids%5B%5D=1&ids%5B%5D=2&q=a");

  for (const header of ["Host", "Content-Length", "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "TE", "Trailer",
    "Proxy-Authorization", "Proxy-Foo", "Sec-Fetch-Site", "Cookie", "Origin", "Content-Type", "Accept", "bad header", "",
    "x".repeat(1 << 20), "X-Key\r\n"]) {
    const e = await refused(`apiKeyHeader ${JSON.stringify(header.slice(0, 20))}`, "ConveyorConfigError", () => client({ apiKeyHeader: header }));
    assert.ok(e.message.length < 300, "the message does not echo a huge name");
  }
  assert.equal(client({ apiKeyHeader: "Authorization-Key" }).baseUrl, base());
  for (const url of [server.url.replace("//", "//:secret@"), server.url.replace("//", "//user:secret@"), server.url.replace("//", "//user@")]) {
    const e = await refused(`baseUrl ${url}`, "ConveyorConfigError", () => client({ baseUrl: `${url}/ok/api/v2` }));
    assert.ok(!e.message.includes("secret"), e.message);
  }
});

test("validation: a client whose rateLimit disagrees with its key's shared bucket is a ConveyorConfigError", async () => {
  const key = "sk_test_shared_bucket_0123456789";
  const first = new ConveyorClient({ apiKey: key, baseUrl: base() });
  await refused("a second client with another limit", "ConveyorConfigError", () =>
    new ConveyorClient({ apiKey: key, baseUrl: base(), rateLimit: { limit: 5, windowMs: 1000 } }));
  await refused("a second client with another window", "ConveyorConfigError", () =>
    new ConveyorClient({ apiKey: key, baseUrl: base(), rateLimit: { windowMs: 1000 } }));
  const same = new ConveyorClient({ apiKey: key, baseUrl: base(), rateLimit: { limit: 2000, windowMs: 300000 } });
  assert.equal(same.rateLimitState().limit, 2000);
  const own = new ConveyorClient({ apiKey: key, baseUrl: base(), rateLimit: { limit: 5, windowMs: 1000, shared: false } });
  assert.equal(own.rateLimitState().limit, 5);
  assert.equal(first.rateLimitState().limit, 2000);
});
