// The constructor's options, through the packed package in Node: every refusal's exact words
// (both entries, since each build reads the options with code of its own), which of two bad
// options is reported, and which `http:` base URLs count as loopback once the platform's
// `URL` has spelled the host its own way. Nothing here reaches a server.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as lean from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { HTTP_ONLY_LOOPBACK, loopbackFailures } from "./lib/loopback.mjs";

const KEY = "sk_test_opts_0123456789abcdef";
const BASE = "https://api.example.com/api/v2";
const good = { apiKey: KEY, baseUrl: BASE, rateLimit: { shared: false } };

const TIMER = "at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer";
const NEEDS_STORES = ' needs rate-limit store support, which this entry leaves out: import { ConveyorClient } from "conveyor-client/stores"';
const throwing = (name) => Object.defineProperty({}, name, { get() { throw new Error("getter"); }, enumerable: true });

/** [what, options, the error's exact message], the same in both entries. */
const REFUSED = [
  ["no options", undefined, "ConveyorClient needs an options object: new ConveyorClient({ apiKey })"],
  ["null", null, "ConveyorClient needs an options object: new ConveyorClient({ apiKey })"],
  ["a string", KEY, "ConveyorClient needs an options object: new ConveyorClient({ apiKey })"],
  ["no apiKey", { baseUrl: BASE }, "`apiKey` is required"],
  ["apiKey null", { apiKey: null }, "`apiKey` is required"],
  ["apiKey a number", { apiKey: 12345 }, "`apiKey` must be a string"],
  ["apiKey getter throws", throwing("apiKey"), "reading `apiKey` threw"],
  ["apiKey empty", { apiKey: "" }, "`apiKey` is empty; pass your Conveyor API key"],
  ["apiKey 513 long", { apiKey: "k".repeat(513) }, "`apiKey` is 513 characters long, more than the 512 allowed; check that only the key was pasted"],
  ["apiKey 513 non-ASCII characters", { apiKey: "é".repeat(513) }, "`apiKey` is 513 characters long, more than the 512 allowed; check that only the key was pasted"],
  ["apiKey with a space", { apiKey: "ab cd" }, "`apiKey` contains whitespace (a space, tab or line break) at position 3; copy the key again without it"],
  ["apiKey with CRLF", { apiKey: "abcdefghij\r\nX: 1" }, "`apiKey` contains whitespace (a space, tab or line break) at position 11; copy the key again without it"],
  ["apiKey with NBSP", { apiKey: "ab\u00a0" }, "`apiKey` contains whitespace (a space, tab or line break) at position 3; copy the key again without it"],
  ["apiKey with NUL", { apiKey: "ab\u0000" }, "`apiKey` contains a control character at position 3; copy the key again without it"],
  ["apiKey with DEL", { apiKey: "\u007fab" }, "`apiKey` contains a control character at position 1; copy the key again without it"],
  ["apiKey non-ASCII", { apiKey: "aéb" }, "`apiKey` contains a non-ASCII character at position 2; copy the key again without it"],
  ["baseUrl a number", { apiKey: KEY, baseUrl: 8080 }, "`baseUrl` must be a string"],
  ["baseUrl not a URL", { apiKey: KEY, baseUrl: "api.example.com" }, "`baseUrl` is not an absolute URL (e.g. https://api.conveyor.com/api/v2)"],
  ["baseUrl ftp", { apiKey: KEY, baseUrl: "ftp://127.0.0.1/api" }, "`baseUrl` must be an https: URL; got the scheme `ftp`"],
  ["baseUrl a long scheme", { apiKey: KEY, baseUrl: "ABCDEFGHIJKLMNOPQRSTUVWXYZ://x/" }, "`baseUrl` must be an https: URL; got the scheme `abcdefghijklmnopqrst…`"],
  ["baseUrl a 20-letter scheme", { apiKey: KEY, baseUrl: "abcdefghijklmnopqrst://x/" }, "`baseUrl` must be an https: URL; got the scheme `abcdefghijklmnopqrst`"],
  ["baseUrl javascript:", { apiKey: KEY, baseUrl: "javascript:alert(1)" }, "`baseUrl` must be an https: URL; got the scheme `javascript`"],
  ["baseUrl http remote", { apiKey: KEY, baseUrl: "http://api.example.com/api/v2" }, `${HTTP_ONLY_LOOPBACK}api.example.com`],
  ["baseUrl http IDN", { apiKey: KEY, baseUrl: "http://ключ.example/" }, `${HTTP_ONLY_LOOPBACK}xn--j1ac0b1a.example`],
  ["baseUrl with a query", { apiKey: KEY, baseUrl: `${BASE}?a=1` }, "`baseUrl` must not carry a query, a fragment or credentials"],
  ["baseUrl with a fragment", { apiKey: KEY, baseUrl: `${BASE}#x` }, "`baseUrl` must not carry a query, a fragment or credentials"],
  ["baseUrl with a user", { apiKey: KEY, baseUrl: "https://u@api.example.com/" }, "`baseUrl` must not carry a query, a fragment or credentials"],
  ["baseUrl with a password", { apiKey: KEY, baseUrl: "https://:p@api.example.com/" }, "`baseUrl` must not carry a query, a fragment or credentials"],
  ["apiKeyHeader a number", { ...good, apiKeyHeader: 1 }, "`apiKeyHeader` must be a string"],
  ["apiKeyHeader empty", { ...good, apiKeyHeader: "" }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
  ["apiKeyHeader with a space", { ...good, apiKeyHeader: "X Key" }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
  ["apiKeyHeader 65 long", { ...good, apiKeyHeader: "x".repeat(65) }, "`apiKeyHeader` must be a header name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~"],
  ["apiKeyHeader Host", { ...good, apiKeyHeader: "Host" }, "`apiKeyHeader` cannot be Host: runtimes forbid or drop it, proxies strip it, or the client sets it itself"],
  ["apiKeyHeader Sec-", { ...good, apiKeyHeader: "SEC-Fetch-Mode" }, "`apiKeyHeader` cannot be SEC-Fetch-Mode: runtimes forbid or drop it, proxies strip it, or the client sets it itself"],
  ["apiKeyHeader Proxy-", { ...good, apiKeyHeader: "proxy-x" }, "`apiKeyHeader` cannot be proxy-x: runtimes forbid or drop it, proxies strip it, or the client sets it itself"],
  ["fetch a string", { ...good, fetch: "fetch" }, "`fetch` must be a function"],
  ["maxRetries a string", { ...good, maxRetries: "3" }, "`maxRetries` must be a number"],
  ["maxRetries NaN", { ...good, maxRetries: NaN }, "`maxRetries` must be a finite number"],
  ["maxRetries Infinity", { ...good, maxRetries: Infinity }, "`maxRetries` must be a finite number"],
  ["maxRetries fractional", { ...good, maxRetries: 1.5 }, "`maxRetries` must be a whole number"],
  ["maxRetries negative", { ...good, maxRetries: -1 }, "`maxRetries` must be at least 0"],
  ["maxRetryAfterMs negative", { ...good, maxRetryAfterMs: -0.5 }, "`maxRetryAfterMs` must be at least 0"],
  ["maxRetryAfterMs too long", { ...good, maxRetryAfterMs: 2 ** 31 }, `\`maxRetryAfterMs\` must be ${TIMER}`],
  ["timeoutMs 0", { ...good, timeoutMs: 0 }, "`timeoutMs` must be at least 1"],
  ["timeoutMs 0.5", { ...good, timeoutMs: 0.5 }, "`timeoutMs` must be at least 1"],
  ["timeoutMs too long", { ...good, timeoutMs: 3e9 }, `\`timeoutMs\` must be ${TIMER}`],
  ["timeoutMs a bigint", { ...good, timeoutMs: 5n }, "`timeoutMs` must be a number"],
  ["maxResponseBytes a string", { ...good, maxResponseBytes: "1" }, "`maxResponseBytes` must be a number"],
  ["maxResponseBytes NaN", { ...good, maxResponseBytes: NaN }, "`maxResponseBytes` must be a finite number"],
  ["maxResponseBytes -Infinity", { ...good, maxResponseBytes: -Infinity }, "`maxResponseBytes` must be a finite number"],
  ["maxResponseBytes fractional", { ...good, maxResponseBytes: 0.5 }, "`maxResponseBytes` must be a whole number"],
  ["maxResponseBytes negative", { ...good, maxResponseBytes: -1 }, "`maxResponseBytes` must be at least 0"],
  ["rateLimit a string", { ...good, rateLimit: "yes" }, "`rateLimit` must be an object or false"],
  ["rateLimit true", { ...good, rateLimit: true }, "`rateLimit` must be an object or false"],
  ["rateLimit 0", { ...good, rateLimit: 0 }, "`rateLimit` must be an object or false"],
  ["limit a string", { ...good, rateLimit: { limit: "2000" } }, "`limit` must be a number"],
  ["limit 0", { ...good, rateLimit: { limit: 0 } }, "`limit` must be at least 1"],
  ["limit fractional", { ...good, rateLimit: { limit: 1.5 } }, "`limit` must be a whole number"],
  ["limit getter throws", { ...good, rateLimit: throwing("limit") }, "reading `limit` threw"],
  ["windowMs 0", { ...good, rateLimit: { windowMs: 0 } }, "`windowMs` must be at least 1"],
  ["windowMs Infinity", { ...good, rateLimit: { windowMs: Infinity } }, "`windowMs` must be a finite number"],
  ["windowMs too long", { ...good, rateLimit: { windowMs: 2 ** 32 } }, `\`windowMs\` must be ${TIMER}`],
  ["maxQueue negative", { ...good, rateLimit: { maxQueue: -1 } }, "`maxQueue` must be at least 0"],
  ["maxQueue fractional", { ...good, rateLimit: { maxQueue: 0.5 } }, "`maxQueue` must be a whole number"],
  ["shared a string", { ...good, rateLimit: { shared: "no" } }, "`rateLimit.shared` must be a boolean"],
  ["onRateLimitWait a number", { ...good, onRateLimitWait: 7 }, "`onRateLimitWait` must be a function"],
  // Two mistakes: the first option read is the one named.
  ["apiKey and baseUrl bad", { apiKey: "", baseUrl: "ftp://x/" }, "`apiKey` is empty; pass your Conveyor API key"],
  ["baseUrl and apiKeyHeader bad", { apiKey: KEY, baseUrl: "http://x.example/", apiKeyHeader: "Host" }, `${HTTP_ONLY_LOOPBACK}x.example`],
  ["fetch and maxRetries bad", { ...good, fetch: 1, maxRetries: -1 }, "`fetch` must be a function"],
  ["maxRetries and maxRetryAfterMs bad", { ...good, maxRetries: -1, maxRetryAfterMs: -1 }, "`maxRetries` must be at least 0"],
  ["maxRetryAfterMs and timeoutMs bad", { ...good, maxRetryAfterMs: -1, timeoutMs: 0 }, "`maxRetryAfterMs` must be at least 0"],
  ["timeoutMs and maxResponseBytes bad", { ...good, timeoutMs: 0, maxResponseBytes: -1 }, "`timeoutMs` must be at least 1"],
  ["maxResponseBytes and rateLimit bad", { ...good, maxResponseBytes: -1, rateLimit: 1 }, "`maxResponseBytes` must be at least 0"],
  ["limit and windowMs bad", { ...good, rateLimit: { limit: 0, windowMs: 0 } }, "`limit` must be at least 1"],
  ["windowMs and maxQueue bad", { ...good, rateLimit: { windowMs: 0, maxQueue: -1 } }, "`windowMs` must be at least 1"],
  ["maxQueue and shared bad", { ...good, rateLimit: { maxQueue: -1, shared: 1 } }, "`maxQueue` must be at least 0"],
  ["limit and onRateLimitWait bad", { ...good, rateLimit: { limit: 0 }, onRateLimitWait: 1 }, "`limit` must be at least 1"],
];

/**
 * Options both entries accept. `key` is each entry's own: a realm's two builds must not both
 * hold a shared bucket for one key.
 */
const accepted = (key) => [
  ["the defaults", { apiKey: key }],
  ["a 512-character key", { apiKey: "k".repeat(512), rateLimit: { shared: false } }],
  ["every printable ASCII character in the key", { apiKey: Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(""), rateLimit: { shared: false } }],
  ["maxRetries 0, maxRetryAfterMs 0 and 0.5", { ...good, maxRetries: 0, maxRetryAfterMs: 0.5 }],
  ["the longest timer", { ...good, timeoutMs: 2 ** 31 - 1, maxRetryAfterMs: 2 ** 31 - 1, rateLimit: { windowMs: 2 ** 31 - 1, shared: false } }],
  ["maxResponseBytes Infinity", { ...good, maxResponseBytes: Infinity }],
  ["maxResponseBytes 0", { ...good, maxResponseBytes: 0 }],
  ["rateLimit false with anything in it", { ...good, rateLimit: false, onRateLimitStore: 1 }],
  ["null options are absent", { apiKey: key, baseUrl: null, apiKeyHeader: null, fetch: null, timeoutMs: null, rateLimit: null, onRateLimitWait: null }],
  ["a huge limit and queue", { ...good, rateLimit: { limit: 2 ** 40, maxQueue: 2 ** 40, windowMs: 1.5, shared: false } }],
  ["apiKeyHeader Authorization", { ...good, apiKeyHeader: "Authorization" }],
  ["apiKeyHeader of every token character", { ...good, apiKeyHeader: "!#$%&'*+-.^_`|~09AZaz" }],
];

function attempt(ConveyorClient, options) {
  try {
    new ConveyorClient(options);
  } catch (e) {
    return e;
  }
  return undefined;
}

for (const [entry, pkg] of [["conveyor-client", lean], ["conveyor-client/stores", stores]]) {
  test(`${entry}: each bad option is refused with its own words`, () => {
    const wrong = [];
    for (const [what, options, message] of REFUSED) {
      const e = attempt(pkg.ConveyorClient, options);
      if (!(e instanceof pkg.ConveyorConfigError)) wrong.push(`${what}: ${e === undefined ? "accepted" : `${e.name}: ${e.message}`}`);
      else if (e.message !== message) wrong.push(`${what}: ${JSON.stringify(e.message)}, not ${JSON.stringify(message)}`);
    }
    assert.deepEqual(wrong, []);
  });

  test(`${entry}: good options are accepted`, () => {
    const wrong = accepted(`${KEY}_${entry.length}`).map(([what, options]) => [what, attempt(pkg.ConveyorClient, options)])
      .filter(([, e]) => e !== undefined)
      .map(([what, e]) => `${what}: ${e.message}`);
    assert.deepEqual(wrong, []);
  });

  test(`${entry}: plain http is allowed only to a loopback host, however URL spells it`, () => {
    assert.deepEqual(loopbackFailures(pkg.ConveyorClient, KEY), []);
  });

  test(`${entry}: a second client of a shared bucket must ask for the same limit and window`, () => {
    const apiKey = `${KEY}_shared_${entry.length}`;
    const first = new pkg.ConveyorClient({ apiKey, baseUrl: BASE, rateLimit: { limit: 10, windowMs: 2000.9 } });
    const e = attempt(pkg.ConveyorClient, { apiKey, baseUrl: BASE, rateLimit: { limit: 4294967295, windowMs: 1000 } });
    assert.ok(e instanceof pkg.ConveyorConfigError, String(e));
    assert.equal(
      e.message,
      "`rateLimit` asks for 4294967295 requests per 1000 ms, but another client of this key and baseUrl already shares a bucket of 10 per 2000 ms in this realm: pass the same limit and windowMs, or `shared: false` for a bucket of its own",
    );
    // The same limit and window join it; `shared: false` or another base URL is a bucket of its own.
    new pkg.ConveyorClient({ apiKey, baseUrl: BASE, rateLimit: { limit: 10, windowMs: 2000.9 } });
    new pkg.ConveyorClient({ apiKey, baseUrl: BASE, rateLimit: { limit: 5, shared: false } });
    new pkg.ConveyorClient({ apiKey, baseUrl: `${BASE}/other`, rateLimit: { limit: 5 } });
    assert.equal(first.rateLimitState().limit, 10);
  });
}

test("conveyor-client: the store options are refused, naming the entry that has them, in the order read", () => {
  const { ConveyorClient, ConveyorConfigError } = lean;
  const fn = () => {};
  for (const [options, name] of [
    [{ ...good, onRateLimitStore: fn }, "onRateLimitStore"],
    [{ ...good, onRateLimitStore: 1, rateLimit: { store: {} } }, "onRateLimitStore"],
    [{ ...good, rateLimit: { store: {}, fleetSize: 2 } }, "rateLimit.store"],
    [{ ...good, rateLimit: { fleetSize: 2, lease: 1 } }, "rateLimit.fleetSize"],
    [{ ...good, rateLimit: { lease: 1 } }, "rateLimit.lease"],
    [{ ...good, rateLimit: { storeTimeoutMs: 1 } }, "rateLimit.storeTimeoutMs"],
    [{ ...good, rateLimit: { storeTimeoutMs: 1, limit: 0 } }, undefined],
  ]) {
    const e = attempt(ConveyorClient, options);
    assert.ok(e instanceof ConveyorConfigError, String(e));
    assert.equal(e.message, name === undefined ? "`limit` must be at least 1" : `\`${name}\`${NEEDS_STORES}`);
  }
});

test("conveyor-client/stores: the store options' own words", () => {
  const { ConveyorClient, ConveyorConfigError, MemoryStore } = stores;
  const store = new MemoryStore();
  for (const [options, message] of [
    [{ ...good, rateLimit: { fleetSize: 2 } }, "`rateLimit.fleetSize` only makes sense with `rateLimit.store`"],
    [{ ...good, rateLimit: { store } }, "`rateLimit.fleetSize` is required with `rateLimit.store`: how many processes share the key (their share when the store is unreachable)"],
    [{ ...good, rateLimit: { store, fleetSize: 0 } }, "`fleetSize` must be at least 1"],
    [{ ...good, rateLimit: { store, fleetSize: 2, lease: 1.5 } }, "`lease` must be a whole number"],
    [{ ...good, rateLimit: { store, fleetSize: 2, storeTimeoutMs: 2 ** 31 } }, `\`storeTimeoutMs\` must be ${TIMER}`],
    [{ ...good, onRateLimitStore: 1, rateLimit: { store, fleetSize: 0 } }, "`onRateLimitStore` must be a function"],
  ]) {
    const e = attempt(ConveyorClient, options);
    assert.ok(e instanceof ConveyorConfigError, String(e));
    assert.equal(e.message, message);
  }
  new ConveyorClient({ ...good, rateLimit: { store, fleetSize: 2, lease: 4, storeTimeoutMs: 500 }, onRateLimitStore: () => {} });
});
