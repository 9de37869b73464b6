// How the constructor reads its options (src/js/config.js reads and checks them; Rust checks
// the key, parses `baseUrl` and checks the key header's syntax), against the package as
// shipped, both entries: every number option against its rule over seeded values of every
// kind (the seed is in each failure), each option read once and in one order, reading
// stopped at the first refusal, an option Rust checks refused before a later one the reader
// refused, and hostile objects (throwing getters, Proxies, revoked Proxies, getters that
// answer differently each time, values of every type) refused as typed errors, never a trap.
// options.test.mjs pins each refusal's words.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as lean from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { seeded } from "./lib/seeded.mjs";

const KEY = "sk_test_config_0123456789abcdef";
const BASE = "https://api.example.com/api/v2";
const TIMER = 2 ** 31 - 1;
const AT_MOST_A_TIMER = "at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer";
const ENTRIES = [["conveyor-client", lean], ["conveyor-client/stores", stores]];

/** What `new ConveyorClient(options)` threw, or the client. A throw that is not a
 * `ConveyorConfigError` of the entry (a wasm trap, a TypeError) fails the test. */
function make(pkg, options, what) {
  try {
    return { client: new pkg.ConveyorClient(options) };
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: wasm trap ${e.stack}`);
    assert.ok(e instanceof pkg.ConveyorConfigError, `${what}: threw ${e?.stack ?? String(e)}`);
    assert.equal(e.code, "config", what);
    assert.equal(e.retryable, false, what);
    assert.ok(!e.message.includes(KEY), `${what}: the key in the message`);
    return { error: e };
  }
}

/**
 * Each number option's rule: [where, name, min, whole, max]. `max` is `TIMER` for an option
 * that sets a timer, `Infinity` for one that takes `Infinity` itself, `undefined` for none.
 */
const NUMBERS = [
  ["", "maxRetries", 0, true, undefined],
  ["", "maxRetryAfterMs", 0, false, TIMER],
  ["", "timeoutMs", 1, false, TIMER],
  ["", "maxResponseBytes", 0, true, Infinity],
  ["rateLimit", "limit", 1, true, undefined],
  ["rateLimit", "windowMs", 1, false, TIMER],
  ["rateLimit", "maxQueue", 0, true, undefined],
];
const STORE_NUMBERS = [
  ["rateLimit", "fleetSize", 1, true, undefined],
  ["rateLimit", "lease", 1, true, undefined],
  ["rateLimit", "storeTimeoutMs", 1, false, TIMER],
];

/** The refusal the rule gives `v`, or `undefined` when it is accepted. */
function expected(name, v, min, whole, max) {
  if (typeof v !== "number") return `\`${name}\` must be a number`;
  if (v === max) return undefined;
  if (!Number.isFinite(v)) return `\`${name}\` must be a finite number`;
  if (whole && !Number.isInteger(v)) return `\`${name}\` must be a whole number`;
  if (v < min) return `\`${name}\` must be at least ${min}`;
  if (max !== undefined && v > max) return `\`${name}\` must be ${AT_MOST_A_TIMER}`;
  return undefined;
}

const EDGES = [0, -0, 0.5, 1, 1.5, -1, -0.5, TIMER, TIMER + 1, 2 ** 31, 2 ** 32, 2 ** 32 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, Infinity, -Infinity, NaN, 1e300, -1e-300];
const NOT_NUMBERS = ["1", "", 1n, Symbol("n"), true, {}, [], [1], () => 1, new Number(1), new Date(0)];

/** A value for a number option as a caller's code may pass it: any bit pattern, a range, an
 * edge, or something else entirely. */
function value(next) {
  const pick = next();
  if (pick < 0.25) {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, (next() * 2 ** 32) >>> 0);
    view.setUint32(4, (next() * 2 ** 32) >>> 0);
    return view.getFloat64(0);
  }
  if (pick < 0.5) return -2 + next() * 3e9;
  if (pick < 0.7) return Math.floor(next() * 5e9);
  if (pick < 0.9) return EDGES[Math.floor(next() * EDGES.length)];
  return NOT_NUMBERS[Math.floor(next() * NOT_NUMBERS.length)];
}

for (const [entry, pkg] of ENTRIES) {
  const rules = entry.endsWith("stores") ? [...NUMBERS, ...STORE_NUMBERS] : NUMBERS;
  test(`${entry}: each number option follows its rule (seeded)`, () => {
    const seed = 0x5eed0000 + entry.length;
    const next = seeded(seed);
    for (let i = 0; i < 3000; i++) {
      const [where, name, min, whole, max] = rules[i % rules.length];
      const v = value(next);
      const rateLimit = { shared: false };
      if (name === "fleetSize" || name === "lease" || name === "storeTimeoutMs") Object.assign(rateLimit, { store: new stores.MemoryStore(), fleetSize: 2 });
      const options = where === "" ? { apiKey: KEY, baseUrl: BASE, rateLimit, [name]: v } : { apiKey: KEY, baseUrl: BASE, rateLimit: { ...rateLimit, [name]: v } };
      const what = `seed ${seed} case ${i}: ${name} = ${typeof v === "symbol" ? "a Symbol" : typeof v === "bigint" ? `${v}n` : typeof v === "number" ? Object.is(v, -0) ? "-0" : String(v) : JSON.stringify(v) ?? typeof v}`;
      const want = expected(name, v, min, whole, max);
      const { client, error } = make(pkg, options, what);
      if (want === undefined) {
        assert.equal(error, undefined, `${what}: refused: ${error?.message}`);
        // Where the value shows, it is the value given (a limit past 2^32 - 1 saturates).
        if (name === "limit") assert.equal(client.rateLimitState().limit, Math.min(v, 2 ** 32 - 1), what);
        if (name === "windowMs") assert.equal(client.rateLimitState().windowMs, v, what);
      } else {
        assert.equal(error?.message, want, `${what}: ${error ? "the words" : "accepted"}`);
      }
    }
  });

  test(`${entry}: the number rule's edges, word for word`, () => {
    const TIMER_WORDS = `must be ${AT_MOST_A_TIMER}`;
    for (const [rateLimit, options, message] of [
      [{ limit: NaN }, {}, "`limit` must be a finite number"],
      [{ limit: 0 }, {}, "`limit` must be at least 1"],
      [{ limit: 1.5 }, {}, "`limit` must be a whole number"],
      [{ limit: -3 }, {}, "`limit` must be at least 1"],
      [{ limit: 2000 }, {}, undefined],
      [{ maxQueue: -1 }, {}, "`maxQueue` must be at least 0"],
      [{ maxQueue: -0.5 }, {}, "`maxQueue` must be a whole number"],
      [{ windowMs: 0.5 }, {}, "`windowMs` must be at least 1"],
      [{ windowMs: 1.5 }, {}, undefined],
      [{ windowMs: TIMER }, {}, undefined],
      [{ windowMs: TIMER + 1 }, {}, `\`windowMs\` ${TIMER_WORDS}`],
      [{ windowMs: 3e9 }, {}, `\`windowMs\` ${TIMER_WORDS}`],
      [{}, { timeoutMs: TIMER }, undefined],
      [{}, { timeoutMs: TIMER + 0.5 }, `\`timeoutMs\` ${TIMER_WORDS}`],
      [{}, { maxRetryAfterMs: -0 }, undefined],
      [{}, { maxRetryAfterMs: -0.5 }, "`maxRetryAfterMs` must be at least 0"],
      [{}, { maxResponseBytes: Infinity }, undefined],
      [{}, { maxResponseBytes: -Infinity }, "`maxResponseBytes` must be a finite number"],
      [{}, { maxRetries: 2 ** 53 }, undefined],
    ]) {
      const what = JSON.stringify({ rateLimit, ...options });
      const { error } = make(pkg, { apiKey: KEY, baseUrl: BASE, rateLimit: { shared: false, ...rateLimit }, ...options }, what);
      assert.equal(error?.message, message, what);
    }
  });

  test(`${entry}: values of the wrong type are refused by name, never a trap`, () => {
    const odd = { "a Symbol": Symbol("s"), "a BigInt": 5n, "a function": () => {}, "an object": {}, "a Proxy": new Proxy({}, {}), "a boolean": true, "a number": 7, "a string": "x" };
    const kinds = { apiKey: "string", baseUrl: "string", apiKeyHeader: "string", fetch: "function", onRateLimitWait: "function" };
    for (const [name, type] of Object.entries(kinds)) {
      for (const [what, v] of Object.entries(odd)) {
        const { error } = make(pkg, { apiKey: KEY, baseUrl: BASE, rateLimit: false, [name]: v }, `${name} = ${what}`);
        if (typeof v === type) continue;
        assert.equal(error?.message, `\`${name}\` must be ${type === "string" ? "a string" : "a function"}`, `${name} = ${what}`);
      }
    }
    for (const [what, v] of Object.entries(odd)) {
      const { error } = make(pkg, v, `options = ${what}`);
      const object = typeof v === "object";
      assert.equal(error?.message, object ? "`apiKey` is required" : "ConveyorClient needs an options object: new ConveyorClient({ apiKey })", `options = ${what}`);
      const r = make(pkg, { apiKey: KEY, baseUrl: BASE, rateLimit: v }, `rateLimit = ${what}`);
      if (!object) assert.equal(r.error?.message, "`rateLimit` must be an object or false", `rateLimit = ${what}`);
      const s = make(pkg, { apiKey: KEY, baseUrl: BASE, rateLimit: { shared: v } }, `shared = ${what}`);
      if (typeof v !== "boolean") assert.equal(s.error?.message, "`rateLimit.shared` must be a boolean", `shared = ${what}`);
    }
    // A function carrying the options is not an options object.
    const f = Object.assign(() => {}, { apiKey: KEY });
    assert.equal(make(pkg, f, "options = a function").error?.message, "ConveyorClient needs an options object: new ConveyorClient({ apiKey })");
  });

  test(`${entry}: each option is read once, in one order`, () => {
    const store = new stores.MemoryStore();
    const isStores = entry.endsWith("stores");
    const reads = [];
    const spy = (target, prefix) => new Proxy(target, { get(t, k, r) { reads.push(prefix + String(k)); return Reflect.get(t, k, r); } });
    const rateLimit = spy({ limit: 50, windowMs: 1000, maxQueue: 5, shared: false, ...(isStores ? { store, fleetSize: 2, lease: 4, storeTimeoutMs: 500 } : {}) }, "rateLimit.");
    const options = spy({ apiKey: KEY, baseUrl: BASE, apiKeyHeader: "X-Key", fetch: async () => new Response("{}"), maxRetries: 1, maxRetryAfterMs: 10,
      timeoutMs: 1000, maxResponseBytes: 1e6, rateLimit, ...(isStores ? { onRateLimitStore: () => {} } : {}), onRateLimitWait: () => {} }, "");
    const { error } = make(pkg, options, "spied options");
    assert.equal(error, undefined, error?.message);
    // The lean entry reads the store's options too, to refuse them.
    const store4 = ["onRateLimitStore", "rateLimit.store", "rateLimit.fleetSize", "rateLimit.lease", "rateLimit.storeTimeoutMs"];
    assert.deepEqual(reads, ["apiKey", "baseUrl", "apiKeyHeader", "fetch", "maxRetries", "maxRetryAfterMs", "timeoutMs", "maxResponseBytes", "rateLimit",
      "rateLimit.limit", "rateLimit.windowMs", "rateLimit.maxQueue", "rateLimit.shared", ...store4, "onRateLimitWait"]);
  });

  test(`${entry}: a getter that answers differently each time is read once, its first answer kept`, async () => {
    const flip = (first, then) => { let n = 0; return { get: () => (n++ === 0 ? first : then), enumerable: true }; };
    const rateLimit = Object.defineProperties({ shared: false }, { limit: flip(7, 0), windowMs: flip(1500, -1) });
    const options = Object.defineProperties({ baseUrl: BASE, rateLimit }, { apiKey: flip(KEY, ""), timeoutMs: flip(1000, 0), fetch: flip(async () => Response.json({ ok: 1 }), "not a function") });
    const { client, error } = make(pkg, options, "flipping getters");
    assert.equal(error, undefined, error?.message);
    const state = client.rateLimitState();
    assert.equal(state.limit, 7);
    assert.equal(state.windowMs, 1500);
    assert.deepEqual(await client.request("GET", "/x"), { ok: 1 });
    assert.equal(JSON.stringify(client).includes(KEY), false);
  });

  test(`${entry}: reading stops at the first refusal; an option Rust checks, read before it, is refused first`, () => {
    const touched = [];
    const after = (name) => ({ get() { touched.push(name); return undefined; }, enumerable: true });
    const options = Object.defineProperties({ apiKey: KEY, baseUrl: BASE, maxRetries: -1 }, { timeoutMs: after("timeoutMs"), rateLimit: after("rateLimit"), onRateLimitWait: after("onRateLimitWait") });
    assert.equal(make(pkg, options, "stops").error?.message, "`maxRetries` must be at least 0");
    assert.deepEqual(touched, []);
    for (const [options, message] of [
      [{ apiKey: "", maxRetries: -1 }, "`apiKey` is empty; pass your Conveyor API key"],
      [{ apiKey: "a b", baseUrl: 1 }, "`apiKey` contains whitespace (a space, tab or line break) at position 2; copy the key again without it"],
      [{ apiKey: KEY, baseUrl: "ftp://x/", apiKeyHeader: 1 }, "`baseUrl` must be an https: URL; got the scheme `ftp`"],
      [{ apiKey: KEY, baseUrl: "nope", rateLimit: "x" }, "`baseUrl` is not an absolute URL (e.g. https://api.conveyor.com/api/v2)"],
      [{ apiKey: KEY, baseUrl: BASE, apiKeyHeader: "X Key", timeoutMs: 0 }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
      [{ apiKey: KEY, baseUrl: BASE, apiKeyHeader: "Cookie", timeoutMs: 0 }, "`apiKeyHeader` cannot be Cookie: runtimes forbid or drop it, proxies strip it, or the client sets it itself"],
      // A header name that is no token is refused as such, whatever it lower-cases to.
      [{ apiKey: KEY, baseUrl: BASE, apiKeyHeader: "\u212aeep-alive" }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
      [{ apiKey: KEY, baseUrl: BASE, apiKeyHeader: `Host${"x".repeat(70)}` }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
      [{ apiKey: KEY, baseUrl: BASE, apiKeyHeader: "Sec-X\r\n" }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
    ]) {
      assert.equal(make(pkg, options, message).error?.message, message);
    }
  });

  test(`${entry}: throwing getters, Proxy traps and revoked Proxies are refused by the option's name`, () => {
    const boom = () => { throw new Error(`boom ${KEY}`); };
    const revoked = () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; };
    const trapAll = new Proxy({}, { get: () => boom });
    for (const [what, options, message] of [
      ["a revoked Proxy", revoked(), "reading `apiKey` threw"],
      ["a Proxy whose traps throw", new Proxy({}, trapAll), "reading `apiKey` threw"],
      ["a revoked Proxy of a function", (() => { const r = Proxy.revocable(() => {}, {}); r.revoke(); return r.proxy; })(), "ConveyorClient needs an options object: new ConveyorClient({ apiKey })"],
      ["rateLimit a revoked Proxy", { apiKey: KEY, baseUrl: BASE, rateLimit: revoked() }, "reading `limit` threw"],
      ["rateLimit a Proxy whose traps throw", { apiKey: KEY, baseUrl: BASE, rateLimit: new Proxy({}, trapAll) }, "reading `limit` threw"],
      ["a getter that throws a Symbol", Object.defineProperty({ apiKey: KEY }, "baseUrl", { get() { throw Symbol("s"); } }), "reading `baseUrl` threw"],
      ["a getter that throws undefined", Object.defineProperty({ apiKey: KEY }, "baseUrl", { get() { throw undefined; } }), "reading `baseUrl` threw"],
      ["a getter that throws a string", Object.defineProperty({ apiKey: KEY }, "fetch", { get() { throw "`apiKey` is required"; } }), "reading `fetch` threw"],
    ]) {
      assert.equal(make(pkg, options, what).error?.message, message, what);
    }
    // Whatever the refusal, no secret it came with shows.
    for (const name of ["apiKey", "baseUrl", "apiKeyHeader", "fetch", "maxRetries", "rateLimit", "onRateLimitWait", "onRateLimitStore"]) {
      const e = make(pkg, Object.defineProperty({ apiKey: KEY, baseUrl: BASE }, name, { get: boom }), name).error;
      assert.equal(e?.message, `reading \`${name}\` threw`);
      assert.equal(e.cause, undefined);
    }
  });

  test(`${entry}: the header records carry the key under the name given, frozen`, async () => {
    const seen = [];
    const fetch = async (url, init) => { seen.push(init.headers); return Response.json({}); };
    const { client } = make(pkg, { apiKey: KEY, baseUrl: BASE, rateLimit: false, apiKeyHeader: "Authorization", fetch }, "Authorization");
    await client.request("GET", "/a");
    await client.request("POST", "/a", { body: { x: 1 } });
    assert.deepEqual(seen.map((h) => ({ ...h })), [
      { Accept: "application/json", Authorization: KEY },
      { Accept: "application/json", "Content-Type": "application/json", Authorization: KEY },
    ]);
    assert.ok(seen.every(Object.isFrozen));
    // A name like `__proto__` is an own property, not the record's prototype.
    const odd = make(pkg, { apiKey: KEY, baseUrl: BASE, rateLimit: false, apiKeyHeader: "__proto__", fetch }, "__proto__").client;
    await odd.request("GET", "/a");
    assert.equal(Object.getOwnPropertyDescriptor(seen.at(-1), "__proto__")?.value, KEY);
  });
}

test("conveyor-client: the lean entry refuses each store option, read in order, before onRateLimitWait", () => {
  const touched = [];
  const rateLimit = new Proxy({ lease: 2 }, { get(t, k) { touched.push(String(k)); return t[k]; } });
  const e = make(lean, { apiKey: KEY, baseUrl: BASE, rateLimit, onRateLimitWait: 1 }, "lease").error;
  assert.equal(e?.message, '`rateLimit.lease` needs rate-limit store support, which this entry leaves out: import { ConveyorClient } from "conveyor-client/stores"');
  assert.deepEqual(touched, ["limit", "windowMs", "maxQueue", "shared", "store", "fleetSize", "lease"]);
});

test("conveyor-client/stores: without a store, only fleetSize of the store's options is read", () => {
  const touched = [];
  const rateLimit = new Proxy({ lease: "x", storeTimeoutMs: "y", shared: false }, { get(t, k) { touched.push(String(k)); return t[k]; } });
  assert.equal(make(stores, { apiKey: KEY, baseUrl: BASE, rateLimit }, "no store").error, undefined);
  assert.deepEqual(touched, ["limit", "windowMs", "maxQueue", "shared", "store", "fleetSize"]);
  // A store option that is not a function is refused even without a store.
  assert.equal(make(stores, { apiKey: KEY, baseUrl: BASE, rateLimit: { shared: false }, onRateLimitStore: "x" }, "x").error?.message, "`onRateLimitStore` must be a function");
  // Any value given as the store is the store's to check (an unusable one is refused by Rust).
  assert.ok(make(stores, { apiKey: KEY, baseUrl: BASE, rateLimit: { store: 1, fleetSize: 2, shared: false } }, "store 1").error instanceof stores.ConveyorConfigError);
});
