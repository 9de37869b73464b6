// `client.fetch(path, init)` and `client.request(method, path, options)`, against the package
// as shipped: JS methods of `ConveyorClient` (src/js/resources.js, installed on the class by
// the build) that check their arguments and send through the client's `__send`, where Rust
// resolves the path and adds the key. What each call sends (method, path and query bytes,
// body, headers), seen by a `fetch` that records it; the order of the refusals across the
// two sides (the path's, found in Rust, before what JS checks after it); the methods' shape;
// and hostile receivers. errors.test.mjs pins each refusal's words, hostile.test.mjs hostile
// arguments. Property checks run a seeded generator loop (the seed is in every failure).
import { test } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import { ConveyorClient, ConveyorConfigError, ConveyorError, ConveyorValidationError } from "conveyor-client";
import { seeded } from "./lib/seeded.mjs";

const BASE = "https://api.example/v2";
const KEY = "k_test_calls_0123456789abcdef";
const SEED = Number(process.env.CALLS_SEED ?? Date.now() % 1_000_000);

/** A client whose `fetch` records each request and answers `{}`. */
function recording(options = {}) {
  const sent = [];
  const fetch = async (url, init = {}) => {
    sent.push({ method: init.method, url, path: url.startsWith(BASE) ? url.slice(BASE.length) : url, body: init.body, headers: new Headers(init.headers) });
    return Response.json({});
  };
  const client = new ConveyorClient({ apiKey: KEY, baseUrl: BASE, rateLimit: false, maxRetries: 0, fetch, ...options });
  return { client, sent };
}

/** What `run(client)` did: `{ sent }` (the one request) or `{ error }` (nothing was sent). A
 * synchronous throw fails the test. */
async function outcome(run) {
  const { client, sent } = recording();
  const p = run(client);
  assert.ok(p instanceof Promise, "a promise, not a synchronous throw");
  try {
    await p;
  } catch (error) {
    assert.equal(sent.length, 0, `a refused call sent nothing: ${error.message}`);
    return { error };
  }
  assert.equal(sent.length, 1, "one request");
  return { sent: sent[0] };
}

async function sends(run) {
  const o = await outcome(run);
  assert.ok(o.sent, `refused: ${o.error?.message}`);
  return o.sent;
}

async function refused(run, message, cls = ConveyorValidationError) {
  const o = await outcome(run);
  assert.ok(o.error, `accepted: ${JSON.stringify(o.sent)}`);
  assert.ok(o.error instanceof cls, `${cls.name} expected: ${o.error.name}: ${o.error.message}`);
  assert.equal(o.error.retryable, false);
  if (message !== undefined) assert.equal(o.error.message, message);
  return o.error;
}

/** A string's UTF-8 bytes percent-encoded but RFC 3986's unreserved characters: the query
 * encoding the typed calls use, written out independently. */
function percent(s) {
  return Array.from(new TextEncoder().encode(s), (b) =>
    /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
}

test("fetch and request are methods of the class: one function each, named and sized as before", () => {
  const { client } = recording();
  for (const [name, length] of [["fetch", 2], ["request", 3]]) {
    assert.equal(typeof client[name], "function");
    assert.equal(client[name], client[name]);
    assert.equal(client[name], recording().client[name], "shared by every client");
    assert.equal(client[name], ConveyorClient.prototype[name]);
    assert.equal(client[name].name, name);
    assert.equal(client[name].length, length);
    assert.ok(!Object.hasOwn(client, name), "not an own property of a client");
    const d = Object.getOwnPropertyDescriptor(ConveyorClient.prototype, name);
    assert.equal(d.enumerable, false, "not enumerable, as a class method");
  }
  for (const k in client) assert.ok(k !== "fetch" && k !== "request", `${k} is enumerable`);
  // The JS side keeps nothing on the client: the key shows nowhere.
  for (const text of [util.inspect(client, { depth: null, showHidden: true }), JSON.stringify(client), String(client)]) {
    assert.ok(!text.includes(KEY.slice(4)), text);
  }
});

test("fetch sends its init: method upper-cased, the body as it is, the caller's headers with the key and Accept", async () => {
  const s = await sends((c) => c.fetch("/exchange/folders?a=1", { method: "post", body: "raw", headers: { "X-Trace": "t", "X-API-KEY": "forged" } }));
  assert.equal(s.method, "POST");
  assert.equal(s.path, "/exchange/folders?a=1");
  assert.equal(s.body, "raw");
  assert.equal(s.headers.get("x-trace"), "t");
  assert.equal(s.headers.get("x-api-key"), KEY, "the key wins over a header of its name");
  assert.equal(s.headers.get("accept"), "application/json");
  assert.equal(s.headers.get("content-type"), null, "fetch() adds no content type");
  // A caller's Accept is kept; a Headers the caller passed is not changed.
  const mine = new Headers([["Accept", "text/csv"]]);
  const t = await sends((c) => c.fetch("/x", { headers: mine }));
  assert.equal(t.headers.get("accept"), "text/csv");
  assert.deepEqual([...mine], [["accept", "text/csv"]]);
  // No init, or null members: a GET with the client's own headers.
  for (const init of [undefined, null, {}, { method: null, body: undefined, headers: null, signal: null, timeoutMs: undefined }]) {
    const g = await sends((c) => c.fetch("/x", init));
    assert.equal(g.method, "GET");
    assert.equal(g.body, undefined);
    assert.equal(g.headers.get("x-api-key"), KEY);
  }
  // Every raw body kind goes as it is.
  for (const body of [new FormData(), new Blob(["b"]), new ArrayBuffer(2), new Uint8Array(2), new DataView(new ArrayBuffer(1)), new URLSearchParams("a=1")]) {
    assert.equal((await sends((c) => c.fetch("/x", { method: "PUT", body }))).body, body);
  }
});

test("an absolute URL on the origin: sent as given, a relative redirect resolved against it, its errors naming the path after the origin", async () => {
  const origin = new URL(BASE).origin;
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, method: init.method, accept: new Headers(init.headers).get("accept"), key: new Headers(init.headers).get("x-api-key") });
    if (seen.length === 1) return new Response(null, { status: 302, headers: { location: "next?b=2" } });
    return new Response(null, { status: 404 });
  };
  const c = new ConveyorClient({ apiKey: KEY, baseUrl: BASE, rateLimit: false, maxRetries: 0, fetch });
  const e = await c.request("GET", `${origin}/elsewhere/start?a=1`).then(() => assert.fail("resolved"), (x) => x);
  assert.deepEqual(
    seen.map((r) => r.url),
    [`${origin}/elsewhere/start?a=1`, `${origin}/elsewhere/next?b=2`],
  );
  for (const r of seen) {
    assert.equal(r.method, "GET");
    assert.equal(r.key, KEY);
    assert.equal(r.accept, "application/json");
  }
  assert.equal(e.status, 404);
  assert.equal(e.path, "/elsewhere/start?a=1", "the path after the origin, as a relative call's");
  assert.ok(e.message.startsWith("GET /elsewhere/start?a=1"), e.message);
  // A relative call's path goes after the base path; request()'s JSON body gets its type on
  // the client's own headers, which a call without a body does not carry.
  const { client, sent } = recording();
  await client.request("POST", "/exchange/folders", { body: { a: 1 } });
  await client.request("GET", "/exchange/folders");
  assert.deepEqual(sent.map((r) => [r.url, r.headers.get("content-type"), r.headers.get("x-api-key")]), [
    [`${BASE}/exchange/folders`, "application/json", KEY],
    [`${BASE}/exchange/folders`, null, KEY],
  ]);
});

test("request sends JSON with its content type (over the caller's), a raw body as it is, and the query encoded", async () => {
  const s = await sends((c) => c.request("patch", "/exchange/folders/1", { body: { name: "a\u2028b" }, headers: { "content-type": "text/plain", "x-a": "1" } }));
  assert.equal(s.method, "PATCH");
  assert.equal(s.body, JSON.stringify({ name: "a\u2028b" }));
  assert.equal(s.headers.get("content-type"), "application/json");
  assert.equal(s.headers.get("x-a"), "1");
  assert.equal(s.headers.get("x-api-key"), KEY);
  const plain = await sends((c) => c.request("POST", "/x", { body: { a: 1 } }));
  assert.equal(plain.headers.get("content-type"), "application/json");
  const raw = await sends((c) => c.request("POST", "/x", { body: "text", headers: [["x-b", "2"]] }));
  assert.equal(raw.body, "text");
  assert.equal(raw.headers.get("content-type"), null);
  assert.equal(raw.headers.get("x-b"), "2");
  // JSON of what JSON.stringify makes of it: a `toJSON`, a number, null-free arrays.
  assert.equal((await sends((c) => c.request("POST", "/x", { body: { toJSON: () => [1, "b"] } }))).body, '[1,"b"]');
  assert.equal((await sends((c) => c.request("POST", "/x", { body: 0 }))).body, "0");
  const q = await sends((c) => c.request("GET", "/x?z=0", { query: { a: "b c", n: 1.5, t: true, f: false, skip: undefined, none: null, ids: [1, "&"], "k[]": ["v"], empty: [] } }));
  assert.equal(q.path, "/x?z=0?a=b%20c&n=1.5&t=true&f=false&ids%5B%5D=1&ids%5B%5D=%26&k%5B%5D=v");
  assert.equal((await sends((c) => c.request("GET", "/x", { query: {} }))).path, "/x");
  // Lone surrogates go as U+FFFD, as on their way to the server anywhere else.
  assert.equal((await sends((c) => c.request("GET", "/x", { query: { "\ud800": "\udc00" } }))).path, "/x?%EF%BF%BD=%EF%BF%BD");
});

test("request's query: random names and values encode byte for byte (seeded)", async () => {
  const next = seeded(SEED);
  const int = (n) => Math.floor(next() * n);
  const pools = ["abcXYZ019", "-._~ !'()*", "/?#&=+%[]", "\n\r\t\u0000\u007f", "é漢\u2028", "😀𝔸", "\ud800\udfff"];
  const text = () => {
    let s = "";
    for (let n = int(8); n > 0; n--) {
      const pool = [...pools[int(pools.length)]];
      s += pool[int(pool.length)];
    }
    return s;
  };
  const scalar = () => [text, () => int(1e6) - 5e5, () => next() * 1e3, () => next() < 0.5][int(4)]();
  const { client, sent } = recording();
  for (let i = 0; i < 300; i++) {
    const query = {};
    const want = [];
    for (let n = int(5); n > 0; n--) {
      const key = `${text()}${i}${n}`;
      const v = next() < 0.3 ? Array.from({ length: int(3) }, scalar) : scalar();
      query[key] = v;
    }
    for (const [k, v] of Object.entries(query)) {
      const name = Array.isArray(v) && !k.endsWith("[]") ? `${k}[]` : k;
      for (const item of Array.isArray(v) ? v : [v]) want.push(`${percent(name.toWellFormed())}=${percent(String(item).toWellFormed())}`);
    }
    await client.request("GET", "/q", { query });
    const got = sent.pop().path;
    assert.equal(got, want.length ? `/q?${want.join("&")}` : "/q", `seed ${SEED}, case ${i}: ${JSON.stringify(query)}`);
  }
});

// The method rule (an RFC 9110 token of at most 32 characters, upper-cased; CONNECT, TRACE and
// TRACK refused; no body on GET or HEAD), once src/http_checks.rs's.
test("methods: tokens are sent upper-cased; anything else, and CONNECT/TRACE/TRACK, is refused", async () => {
  for (const ok of ["GET", "post", "PATCH", "DELETE", "PROPFIND", "M-SEARCH", "X".repeat(32), "a!#$%&'*+-.^_`|~9"]) {
    assert.equal((await sends((c) => c.request(ok, "/x"))).method, ok.toUpperCase());
    assert.equal((await sends((c) => c.fetch("/x", { method: ok }))).method, ok.toUpperCase());
  }
  for (const bad of ["", "GE T", "GET\r\n", "G\u00c9T", "TRACE", "track", "Connect", "(GET)", "X".repeat(33), "GET\u0000"]) {
    await refused((c) => c.request(bad, "/x"));
    await refused((c) => c.fetch("/x", { method: bad }));
  }
  for (const m of ["GET", "HEAD", "get", "head"]) {
    await refused((c) => c.request(m, "/x", { body: {} }), `a ${m.toUpperCase()} request cannot have a body`);
    await refused((c) => c.fetch("/x", { method: m, body: "x" }), `a ${m.toUpperCase()} request cannot have a body`);
  }
  for (const m of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) await sends((c) => c.fetch("/x", { method: m, body: "x" }));
});

test("methods: whatever is accepted is a safe token, upper-cased; a refusal stays short (seeded)", async () => {
  const next = seeded(SEED + 1);
  const pool = [..."GETPOSTgetpost!#$%&'*+-.^_`|~09 \t\r\n:()/\u00c9\u0000漢😀"];
  const { client, sent } = recording();
  for (let i = 0; i < 500; i++) {
    let m = "";
    for (let n = Math.floor(next() * 41); n > 0; n--) m += pool[Math.floor(next() * pool.length)];
    const from = [() => client.request(m, "/x"), () => client.fetch("/x", { method: m })][i % 2];
    try {
      await from();
      const up = sent.pop().method;
      assert.equal(up, m.toUpperCase(), `seed ${SEED + 1}: ${JSON.stringify(m)}`);
      assert.ok(/^[!#$%&'*+\-.^_`|~0-9A-Z]{1,32}$/.test(up) && !["CONNECT", "TRACE", "TRACK"].includes(up), JSON.stringify(m));
    } catch (e) {
      assert.ok(e instanceof ConveyorValidationError, `seed ${SEED + 1}: ${e}`);
      assert.ok(e.message.length < 200);
      assert.equal(sent.length, 0);
    }
  }
});

test("the first refusal wins, in the order the client always checked, across JS and Rust", async () => {
  const bad = { signal: {}, timeoutMs: 0, headers: 7 };
  const throwing = (name, rest = {}) => Object.defineProperty({ ...rest }, name, { get() { throw new Error("hostile"); }, enumerable: true });
  const cases = [
    // The arguments before the init, the method before the body, the body before the path.
    [(c) => c.fetch(42, 5), "`path` must be a string"],
    [(c) => c.fetch("no-slash", 5), "`init` must be an object"],
    [(c) => c.fetch("no-slash", { method: "GE T", body: {} }), "`method` must be an HTTP method such as GET or POST (a token of letters, digits and !#$%&'*+-.^_`|~)"],
    [(c) => c.fetch("no-slash", { method: 1 }), "`method` must be a string"],
    [(c) => c.fetch("no-slash", { body: {} , ...bad }), "`body` must be a string, FormData, Blob, ArrayBuffer, typed array or URLSearchParams (request() sends objects as JSON)"],
    [(c) => c.fetch("no-slash", { body: "x", ...bad }), "a GET request cannot have a body"],
    [(c) => c.fetch("/x", throwing("method")), "reading `method` threw"],
    [(c) => c.request(1, 2, 3), "`method` must be a string"],
    [(c) => c.request("GE T", 2, 3), "`path` must be a string"],
    [(c) => c.request("GE T", "/x", 3), "`options` must be an object"],
    [(c) => c.request("GE T", "/x", { nope: 1, query: 5 }), "unknown option `nope`: request() takes `query`, `body`, `headers`, `signal` and `timeoutMs`"],
    [(c) => c.request("GE T", "/x", { query: 5 }), "`method` must be an HTTP method such as GET or POST (a token of letters, digits and !#$%&'*+-.^_`|~)"],
    [(c) => c.request("GET", "no-slash", { query: 5, body: {} }), "`query` must be an object of parameters"],
    [(c) => c.request("GET", "no-slash", { body: {} }), "a GET request cannot have a body"],
    [(c) => c.request("GET", "/x", throwing("query")), "reading `query` threw"],
    // The path (Rust's) before the JSON body, the headers, the signal and the timeout (JS's).
    [(c) => c.request("POST", "/x", { query: { a: "b".repeat(8192) }, body: { n: 1n }, ...bad }), "the path and query are 8197 bytes long, more than the 8192 allowed"],
    [(c) => c.request("POST", "https://u:p@api.example/v2/x", { body: { n: 1n }, ...bad }), "the URL carries credentials (user:password@); the client sends only the API key"],
    [(c) => c.request("POST", "/x", { body: { n: 1n }, ...bad }), "`body` cannot be serialised as JSON"],
    [(c) => c.request("POST", "/x", { body: {}, ...bad }), "`headers` is not a valid HeadersInit"],
    [(c) => c.fetch("/x", bad), "`headers` is not a valid HeadersInit"],
    [(c) => c.fetch("/x", throwing("headers", { signal: {} })), "reading `headers` threw"],
    [(c) => c.fetch("/x", { signal: {}, timeoutMs: 0 }), "`signal` must be an AbortSignal"],
    [(c) => c.fetch("/x", throwing("signal", { timeoutMs: 0 })), "reading `signal` threw"],
    [(c) => c.request("GET", "/x", { timeoutMs: 2 ** 31 }), "`timeoutMs` must be a number of ms from 1 to 2147483647 (2^31 - 1)"],
    [(c) => c.request("GET", "/x", throwing("timeoutMs")), "reading `timeoutMs` threw"],
  ];
  for (const [run, message] of cases) await refused(run, message);
  // The path's configuration errors too come before anything checked after the path.
  for (const run of [(c) => c.fetch("no-slash", bad), (c) => c.request("POST", "https://other.example/x", { body: { n: 1n }, ...bad })]) {
    const e = await refused(run, undefined, ConveyorConfigError);
    assert.ok(/neither a path|refused to send the API key/.test(e.message), e.message);
  }
  // A long key in an unknown option is cut to 64 characters (code points).
  const long = `${"😀".repeat(70)}`;
  await refused((c) => c.request("GET", "/x", { [long]: 1 }), `unknown option \`${"😀".repeat(64)}\`: request() takes \`query\`, \`body\`, \`headers\`, \`signal\` and \`timeoutMs\``);
  // The path's length is counted in UTF-8 bytes.
  await refused((c) => c.fetch(`/${"é".repeat(4096)}`), "`path` is 8193 bytes long, more than the 8192 allowed");
  await sends((c) => c.fetch(`/${"é".repeat(4095)}`));
  await refused((c) => c.fetch(`/${"\ud800".repeat(2731)}`), "`path` is 8194 bytes long, more than the 8192 allowed");
});

test("hostile: fetch and request called on something that is not a client, or a freed one, reject", async () => {
  const { fetch, request } = ConveyorClient.prototype;
  const freed = recording().client;
  freed.free();
  for (const self of [undefined, null, {}, 1, Object.create(ConveyorClient.prototype), new Proxy({}, { get() { throw new Error("hostile"); } }), freed]) {
    for (const run of [() => fetch.call(self, "/x"), () => request.call(self, "GET", "/x"), () => fetch.call(self, 42), () => request.call(self, 1)]) {
      let p;
      assert.doesNotThrow(() => (p = run()), "no synchronous throw");
      const e = await p.then(() => undefined, (x) => x);
      assert.ok(e !== undefined, "rejected");
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `a wasm trap: ${e && e.stack}`);
    }
  }
  // A client still works after them.
  await sends((c) => c.request("GET", "/x"));
});

test("hostile: the key goes only into a real Headers the client made, even through the internal __send", async () => {
  // `__send` is internal but reachable; its own headers come from the JS checks, which make
  // a `Headers`. Anything else is refused before the key is written into it.
  let stolen;
  const fake = { set: (_name, key) => (stolen = key), has: () => false };
  class Sneaky extends Headers {
    set(_name, key) {
      stolen = key;
    }
  }
  for (const own of [fake, new Sneaky(), new Proxy(new Headers(), {})]) {
    const o = await outcome((c) => c.__send("GET", "/x", undefined, false, undefined, undefined, 4, "", own));
    assert.equal(stolen, undefined, "the key reached the caller's object");
    if (own instanceof Sneaky) {
      // A real Headers: sent, the key in a copy the client made, never in the caller's object.
      assert.equal(o.sent?.headers.get("x-api-key"), KEY, o.error?.message);
      assert.equal(own.has("x-api-key"), false);
    } else assert.ok(o.error instanceof ConveyorValidationError, `refused: ${o.error?.message}`);
  }
});

test("hostile: the internal __send sends only a string method and path, refusing anything else before a request", async () => {
  // The method stays the caller's JS value all the way to `fetch`: anything but a string
  // (whose own conversion could run code or send another method) is refused.
  let converted = 0;
  const sly = { toString: () => (converted++, "DELETE") };
  for (const method of [sly, 1, undefined, null, Symbol("GET"), new String("GET")]) {
    const o = await outcome((c) => c.__send(method, "/x", undefined, false, undefined, undefined, 4, "", undefined));
    assert.ok(o.error instanceof ConveyorValidationError, `refused: ${o.error?.message ?? o.sent?.method}`);
    assert.equal(o.error.message, "`method` must be a string");
  }
  // The path too: Rust checks its text, and the attempt sends the string it checked.
  for (const path of [{ toString: () => (converted++, "//evil.example/x") }, 1, undefined, new String("/x")]) {
    const o = await outcome((c) => c.__send("GET", path, undefined, false, undefined, undefined, 4, "", undefined));
    assert.ok(o.error instanceof ConveyorValidationError, `refused: ${o.error?.message ?? o.sent?.path}`);
    assert.equal(o.error.message, "`path` must be a string");
  }
  assert.equal(converted, 0, "no object was converted");
  const ok = await outcome((c) => c.__send("PATCH", "/x?a=1", undefined, false, undefined, undefined, 4, "", undefined));
  assert.equal(ok.sent.method, "PATCH");
  assert.equal(ok.sent.path, "/x?a=1");
});

test("hostile: a Headers whose methods throw is refused as invalid headers; nothing goes without the key", async () => {
  const { set, has } = Headers.prototype;
  const boom = () => {
    throw new Error("hostile");
  };
  // Throwing while the call's headers are built (JS), then only when the key is set (Rust's).
  const patches = [
    () => (Headers.prototype.has = boom),
    () => (Headers.prototype.set = boom),
    () => (Headers.prototype.set = function (name, value) {
      return name === "X-API-KEY" ? boom() : set.call(this, name, value);
    }),
  ];
  for (const patch of patches) {
    patch();
    try {
      await refused((c) => c.fetch("/x", { headers: { "x-a": "1" } }), "`headers` is not a valid HeadersInit");
      await refused((c) => c.request("POST", "/x", { body: {}, headers: { "x-a": "1" } }), "`headers` is not a valid HeadersInit");
    } finally {
      Headers.prototype.set = set;
      Headers.prototype.has = has;
    }
  }
  assert.equal((await sends((c) => c.fetch("/x", { headers: { "x-a": "1" } }))).headers.get("x-api-key"), KEY);
});

test("hostile: every refusal is a ConveyorError that carries no key", async () => {
  const { client } = recording();
  const errors = [];
  for (const run of [() => client.fetch(1), () => client.fetch("/x", { headers: 7 }), () => client.request("POST", "/x", { body: { n: 1n } }), () => client.request("GET", "https://other.example/x")]) {
    errors.push(await run().catch((e) => e));
  }
  for (const e of errors) {
    assert.ok(e instanceof ConveyorError);
    assert.ok(!util.inspect(e, { depth: null, showHidden: true }).includes(KEY.slice(4)));
  }
});
