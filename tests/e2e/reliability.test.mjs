// The reliability suite through the packed package in Node: every sandbox fault mode with
// 200 requests in flight, bad input of every kind, and a 100,000-request soak through the
// limiter. Every promise settles with a success or the right typed error; nothing else.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as pkg from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { memorySample, maxInAnyWindow } from "./lib/reliability.mjs";

const { ConveyorClient, ConveyorError } = pkg;
const IN_FLIGHT = 200;

let sb;
let other; // a second origin, for the cross-origin redirect
const unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);
before(async () => {
  process.on("unhandledRejection", onUnhandled);
  // The sandbox's limiter is set out of the way: these tests are about faults, not pacing.
  [sb, other] = await Promise.all([startSandbox(["--rate-limit", "1000000/1"]), startSandbox()]);
});
after(async () => {
  process.off("unhandledRejection", onUnhandled);
  await Promise.all([sb?.stop(), other?.stop()]);
});

let faultSeq = 0;
/** Fault headers; with `times`, each request gets its own id so each sees the fault once. */
const fault = (spec) => ({ "X-Sandbox-Fault": spec, "X-Sandbox-Fault-Id": `rel-${process.pid}-${++faultSeq}` });

/** A `fetch` that adds fault headers to every request, for calls that take no headers. */
const faultingFetch = (spec) => (input, init = {}) => {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(fault(spec))) headers.set(k, v);
  return fetch(input, { ...init, headers });
};

const CLASS = {
  forbidden: "ConveyorAuthError",
  not_found: "ConveyorNotFoundError",
  invalid_request: "ConveyorValidationError",
  rate_limited: "ConveyorRateLimitError",
  queue_full: "ConveyorRateLimitError",
  server_error: "ConveyorServerError",
  timeout: "ConveyorTimeoutError",
  aborted: "ConveyorAbortError",
  network: "ConveyorNetworkError",
  bad_response: "ConveyorResponseError",
  too_large: "ConveyorResponseError",
  config: "ConveyorConfigError",
};

const GET = "/exchange/access_groups";
// name, what each request does, and the outcome every one of them must have.
const MODES = [
  ["latency=300", { spec: "latency=300" }, "ok"],
  ["latency past timeoutMs", { spec: "latency=2000", opts: { timeoutMs: 150, maxRetries: 0 } }, "timeout"],
  ["status=503 once, then fine (GET is retried)", { spec: "status=503;times=1" }, "ok"],
  ["status=503 always", { spec: "status=503", opts: { maxRetries: 1 } }, "server_error"],
  ["status=500 on POST (not retried)", { spec: "status=500", method: "POST" }, "server_error"],
  ["status=403", { spec: "status=403" }, "forbidden"],
  ["status=404", { spec: "status=404" }, "not_found"],
  ["status=422", { spec: "status=422" }, "invalid_request"],
  ["rate_limit=1 once (whole bucket pauses, then retried)", { spec: "rate_limit=1;times=1" }, "ok"],
  ["rate_limit without Retry-After once", { spec: "rate_limit;times=1" }, "ok"],
  ["rate_limit_date=1 once", { spec: "rate_limit_date=1;times=1" }, "ok"],
  ["rate_limit=30 beyond maxRetryAfterMs", { spec: "rate_limit=30", opts: { maxRetryAfterMs: 500 } }, "rate_limited"],
  ["reset once (GET is retried)", { spec: "reset;times=1" }, "ok"],
  ["reset always", { spec: "reset", opts: { maxRetries: 1 } }, "network"],
  ["truncated", { spec: "truncated" }, "bad_response"],
  ["malformed", { spec: "malformed" }, "bad_response"],
  ["wrong_shape through request() (no shape expected)", { spec: "wrong_shape" }, "ok"],
  ["wrong_shape through a typed list", { spec: "wrong_shape", typed: true }, "bad_response"],
  ["drip=300", { spec: "drip=300" }, "ok"],
  // The deadline covers the body: a body still coming at timeoutMs ends the attempt.
  ["drip past timeoutMs", { spec: "drip=3000", opts: { timeoutMs: 300, maxRetries: 0 } }, "timeout"],
  ["stall_body=200 (within timeoutMs)", { spec: "stall_body=200" }, "ok"],
  ["stall_body past timeoutMs", { spec: "stall_body=5000", opts: { timeoutMs: 300, maxRetries: 0 } }, "timeout"],
  ["redirect to the same origin once", { spec: () => `redirect=${sb.api}${GET};times=1` }, "ok"],
  ["redirect to another origin", { spec: () => `redirect=${other.api}${GET}` }, "network"],
];

for (const [name, mode, expected] of MODES) {
  test(`fault ${name}: ${IN_FLIGHT} in flight all settle as ${expected}`, async () => {
    const spec = typeof mode.spec === "function" ? mode.spec() : mode.spec;
    const client = new ConveyorClient({
      apiKey: KEYS.full,
      baseUrl: sb.api,
      rateLimit: { limit: 100_000, windowMs: 1000, shared: false },
      ...(mode.typed ? { fetch: faultingFetch(spec) } : {}),
      ...mode.opts,
    });
    const one = () => {
      if (mode.typed) return client.exchange.accessGroups.list();
      if (mode.method === "POST") return client.request("POST", "/exchange/folders", { body: { name: "rel" }, headers: fault(spec) });
      return client.request("GET", GET, { headers: fault(spec) });
    };
    const settled = await Promise.allSettled(Array.from({ length: IN_FLIGHT }, one));
    const outcomes = {};
    for (const s of settled) {
      let key;
      if (s.status === "fulfilled") key = "ok";
      else if (!(s.reason instanceof ConveyorError)) key = `untyped ${s.reason?.name}: ${s.reason?.message}`;
      else if (s.reason.name !== CLASS[s.reason.code]) key = `${s.reason.code} as ${s.reason.name}`;
      else key = s.reason.code;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    assert.deepEqual(outcomes, { [expected]: IN_FLIGHT });
    // Afterwards: nothing stuck in the limiter, and the same client still works.
    assert.deepEqual(
      (({ inFlight, queued }) => ({ inFlight, queued }))(client.rateLimitState()),
      { inFlight: 0, queued: 0 },
    );
    if (!mode.typed) {
      const ok = await client.request("GET", GET);
      assert.ok(Array.isArray(ok.access_groups));
    }
    assert.deepEqual(unhandled, [], "no unhandled rejection");
  });
}

// ---------------------------------------------------------------------------------------
// Bad input: a typed error and nothing sent.
// ---------------------------------------------------------------------------------------

const HUGE = "x".repeat(1 << 20);

async function sentCount() {
  const s = await sb.stats();
  return Object.values(s.keys).reduce((n, k) => n + k.served, 0) + (await sb.requests()).length;
}

/** The error `f` throws or rejects with, or undefined. */
async function failure(f) {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return undefined;
}

test("bad constructor options throw a typed error", async () => {
  const good = { apiKey: KEYS.full, baseUrl: sb.api };
  const cases = [
    ["no options", undefined],
    ["null options", null],
    ["a number as options", 42],
    ["a string as options", "sk_test_full_0123456789abcdef"],
    ["apiKey missing", { baseUrl: sb.api }],
    ["apiKey null", { ...good, apiKey: null }],
    ["apiKey a number", { ...good, apiKey: 1234567890123 }],
    ["apiKey an object", { ...good, apiKey: { toString: () => KEYS.full } }],
    ["apiKey empty", { ...good, apiKey: "" }],
    ["apiKey whitespace", { ...good, apiKey: "   " }],
    ["apiKey huge", { ...good, apiKey: HUGE }],
    ["apiKey non-ASCII", { ...good, apiKey: "sk_test_ключ_0123456789" }],
    ["apiKey with NUL", { ...good, apiKey: "sk_test_\u0000_0123456789" }],
    ["apiKey with CRLF", { ...good, apiKey: "sk_test_x\r\nX-Evil: 1" }],
    ["apiKey NaN", { ...good, apiKey: NaN }],
    ["baseUrl a number", { ...good, baseUrl: 8080 }],
    ["baseUrl empty", { ...good, baseUrl: "" }],
    ["baseUrl not a URL", { ...good, baseUrl: "not a url" }],
    ["baseUrl javascript:", { ...good, baseUrl: "javascript:alert(1)" }],
    ["baseUrl plain http to a remote host", { ...good, baseUrl: "http://ключ.example/api/v2" }],
    ["rateLimit a string", { ...good, rateLimit: "yes" }],
    ["rateLimit true", { ...good, rateLimit: true }],
    ["rateLimit.limit NaN", { ...good, rateLimit: { limit: NaN } }],
    ["rateLimit.limit 0", { ...good, rateLimit: { limit: 0 } }],
    ["rateLimit.limit negative", { ...good, rateLimit: { limit: -5 } }],
    ["rateLimit.limit fractional", { ...good, rateLimit: { limit: 1.5 } }],
    ["rateLimit.limit a string", { ...good, rateLimit: { limit: "2000" } }],
    ["rateLimit.windowMs NaN", { ...good, rateLimit: { windowMs: NaN } }],
    ["rateLimit.windowMs negative", { ...good, rateLimit: { windowMs: -1000 } }],
    ["rateLimit.windowMs Infinity", { ...good, rateLimit: { windowMs: Infinity } }],
    ["rateLimit.maxQueue negative", { ...good, rateLimit: { maxQueue: -1 } }],
    ["rateLimit.maxQueue NaN", { ...good, rateLimit: { maxQueue: NaN } }],
    ["maxRetries negative", { ...good, maxRetries: -1 }],
    ["maxRetries NaN", { ...good, maxRetries: NaN }],
    ["maxRetries fractional", { ...good, maxRetries: 1.5 }],
    ["timeoutMs negative", { ...good, timeoutMs: -1 }],
    ["timeoutMs NaN", { ...good, timeoutMs: NaN }],
    ["maxRetryAfterMs negative", { ...good, maxRetryAfterMs: -1 }],
    ["fetch not a function", { ...good, fetch: "fetch" }],
    ["onRateLimitWait not a function", { ...good, onRateLimitWait: 7 }],
  ];
  const before = await sentCount();
  const wrong = [];
  for (const [what, opts] of cases) {
    const e = await failure(() => new ConveyorClient(opts));
    if (!(e instanceof ConveyorError)) wrong.push(`${what}: ${e === undefined ? "no error" : `${e?.name}: ${String(e?.message).slice(0, 80)}`}`);
    else if (e.code !== "config") wrong.push(`${what}: code ${e.code}`);
    else if (String(e.message).includes(HUGE.slice(0, 1000))) wrong.push(`${what}: the huge value is in the message`);
  }
  assert.deepEqual(wrong, []);
  assert.equal(await sentCount(), before, "nothing was sent");
});

/** Runs `cases` against a fresh client; returns what went wrong, and checks nothing was sent. */
async function badArguments(makeCases) {
  const client = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: { limit: 1000, windowMs: 1000, shared: false } });
  const cases = makeCases(client);
  await sb.reset();
  const wrong = [];
  for (const [what, f] of cases) {
    const before = await sentCount();
    const e = await failure(f);
    const sent = (await sentCount()) - before;
    if (sent !== 0) wrong.push(`${what}: reached the server`);
    if (!(e instanceof ConveyorError)) wrong.push(`${what}: ${e === undefined ? "no error" : `${e?.name}: ${String(e?.message).slice(0, 100)}`}`);
    else if (e.name !== CLASS[e.code]) wrong.push(`${what}: code ${e.code} on ${e.name}`);
    else if (String(e.message).length > 5000) wrong.push(`${what}: a ${String(e.message).length}-character message`);
  }
  const state = client.rateLimitState();
  if (state.inFlight !== 0 || state.queued !== 0) wrong.push(`limiter left with ${JSON.stringify(state)}`);
  const ok = await client.request("GET", GET).then((b) => Array.isArray(b.access_groups), (e) => `${e.name}: ${e.message}`);
  if (ok !== true) wrong.push(`the client stopped working: ${ok}`);
  return wrong;
}

// Non-strings and huge values: a non-string path or method once reached wasm-bindgen's
// string copy and trapped ("memory access out of bounds"); a 1 MB path, method or id was
// sent and echoed whole in the error; a number as `init` was ignored; control characters
// in an id were encoded and sent. Each must now be a typed error with nothing sent.
test("bad arguments: non-strings and huge values reject with a typed error and send nothing", async () => {
  const wrong = await badArguments((client) => [
    ["fetch(undefined)", () => client.fetch(undefined)],
    ["fetch(null)", () => client.fetch(null)],
    ["fetch(42)", () => client.fetch(42)],
    ["fetch({})", () => client.fetch({})],
    ["fetch(NaN)", () => client.fetch(NaN)],
    ["request(42, path)", () => client.request(42, GET)],
    ["request(method, undefined)", () => client.request("GET", undefined)],
    ["fetch with a huge path", () => client.fetch(`/${HUGE}`)],
    ["request with a huge method", () => client.request(HUGE, GET)],
    ["a typed call with a huge id", () => client.exchange.folders.delete(HUGE)],
    ["fetch with init a number", () => client.fetch(GET, 5)],
    // Percent-encoded (`/exchange/folders/%00%01`), so harmless, but sent: the server's 404
    // comes back instead of a local ConveyorValidationError.
    ["a typed call with an id of control characters", () => client.exchange.folders.delete("\u0000\u0001")],
  ]);
  assert.deepEqual(wrong, []);
});

test("bad arguments to fetch, request and typed calls reject with a typed error and send nothing", async () => {
  const circular = {};
  circular.self = circular;
  const wrong = await badArguments((client) => [
    ["fetch on another origin", () => client.fetch(`${other.api}${GET}`)],
    ["fetch with CRLF in a header value", () => client.fetch(GET, { headers: { "X-Note": "a\r\nX-Evil: 1" } })],
    ["fetch with a NUL in a header name", () => client.fetch(GET, { headers: { "X-\u0000": "1" } })],
    ["fetch with a non-Latin-1 header value", () => client.fetch(GET, { headers: { "X-Note": "ключ" } })],
    ["fetch with a method that is not a token", () => client.fetch(GET, { method: "GET /x" })],
    ["fetch with a control character in the method", () => client.fetch(GET, { method: "G\u0007T" })],
    ["fetch with a signal that is not one", () => client.fetch(GET, { signal: "stop" })],
    ["request('', path)", () => client.request("", GET)],
    ["request with a non-ASCII method", () => client.request("ПОЛУЧИТЬ", GET)],
    ["request with CRLF in the method", () => client.request("GET\r\n", GET)],
    ["request with a BigInt body", () => client.request("POST", "/exchange/folders", { body: { n: 1n } })],
    ["request with a circular body", () => client.request("POST", "/exchange/folders", { body: circular })],
    // One reader and one rule for a call's own options across fetch, request and typed calls.
    ["request with a misspelled option", () => client.request("GET", GET, { timeoutMS: 5 })],
    ["fetch with timeoutMs 0.5", () => client.fetch(GET, { timeoutMs: 0.5 })],
    ["request with timeoutMs 0.5", () => client.request("GET", GET, { timeoutMs: 0.5 })],
    ["a typed call with timeoutMs 0.5", () => client.exchange.accessGroups.list({}, { timeoutMs: 0.5 })],
    ["a typed call with timeoutMs 2^31", () => client.exchange.accessGroups.list({}, { timeoutMs: 2 ** 31 })],
    ["request with timeoutMs a string", () => client.request("GET", GET, { timeoutMs: "5" })],
    ["request with a query value that is an object", () => client.request("GET", GET, { query: { page: { a: 1 } } })],
    ["request with a query value that is a function", () => client.request("GET", GET, { query: { page: () => 1 } })],
    ["request with a query value that is a symbol", () => client.request("GET", GET, { query: { page: Symbol("x") } })],
    ["request with query a string", () => client.request("GET", GET, { query: "page=1" })],
    ["request with headers a number", () => client.request("GET", GET, { headers: 7 })],
    ["request with CRLF in a header", () => client.request("GET", GET, { headers: { "X-Note": "a\r\nb" } })],
    ["request with an already-aborted signal", () => client.request("GET", GET, { signal: AbortSignal.abort() })],
    ["a typed call with per_page NaN", () => client.exchange.accessGroups.list({ per_page: NaN })],
    ["a typed call with page -1", () => client.exchange.accessGroups.list({ page: -1 })],
    ["a typed call with params a string", () => client.exchange.folders.create("folder")],
  ]);
  assert.deepEqual(wrong, []);
});

// ---------------------------------------------------------------------------------------
// Soak: 100,000 requests through the limiter with a scaled window.
// ---------------------------------------------------------------------------------------

test("soak: 100,000 requests through the limiter; memory flat, no queue error, exact window accounting", async () => {
  const TOTAL = Number(process.env.SOAK_TOTAL ?? 100_000);
  const LIMIT = 1000;
  const WINDOW_MS = 40;
  const WAVE = 5000;
  const sends = [];
  const client = new ConveyorClient({
    apiKey: "sk_test_soak_0123456789",
    baseUrl: "http://127.0.0.1:9/api/v2", // never reached: the fetch option answers
    rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, maxQueue: WAVE, shared: false },
    fetch: () => {
      sends.push(Date.now());
      return Promise.resolve(new Response('{"ok":true}', { headers: { "content-type": "application/json" } }));
    },
  });
  const samples = [];
  const failures = {};
  let done = 0;
  for (let wave = 0; done < TOTAL; wave++) {
    const n = Math.min(WAVE, TOTAL - done);
    const settled = await Promise.allSettled(Array.from({ length: n }, () => client.request("GET", "/soak")));
    for (const s of settled) {
      if (s.status !== "rejected") continue;
      const key = s.reason?.code ?? String(s.reason);
      failures[key] = (failures[key] ?? 0) + 1;
    }
    done += n;
    if (wave % 2 === 1) samples.push(await memorySample());
  }
  assert.deepEqual(failures, {}, "no 429, no queue_full, nothing else");
  // Counting at send (stricter than the server, which counts at arrival), no window of
  // WINDOW_MS holds more than LIMIT; a 1 ms slack for the clock's granularity.
  assert.ok(maxInAnyWindow(sends, WINDOW_MS - 1) <= LIMIT, `max ${maxInAnyWindow(sends, WINDOW_MS - 1)} in a window`);
  // Memory: compare the sample after warm-up (the second) with the last.
  const warm = samples[1];
  const last = samples[samples.length - 1];
  const growth = last.heapUsed + last.external - (warm.heapUsed + warm.external);
  process.stdout.write(
    `# soak: ${TOTAL} requests, memory after warm-up ${(warm.heapUsed / 2 ** 20).toFixed(1)} MB heap + ${(warm.external / 2 ** 20).toFixed(1)} MB external, growth to the end ${(growth / 1024).toFixed(0)} KB (${(growth / TOTAL).toFixed(2)} B/request)\n`,
  );
  assert.ok(growth < 8 * 2 ** 20, `memory grew by ${growth} bytes over the soak`);
  // The window accounting drifts nowhere: once a window has passed, every token is back.
  await new Promise((r) => setTimeout(r, WINDOW_MS * 3));
  assert.deepEqual(
    (({ inFlight, queued, available, nextTokenInMs }) => ({ inFlight, queued, available, nextTokenInMs }))(client.rateLimitState()),
    { inFlight: 0, queued: 0, available: LIMIT, nextTokenInMs: null },
  );
  assert.deepEqual(unhandled, []);
});

