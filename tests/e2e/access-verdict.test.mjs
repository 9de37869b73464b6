// client.checkAccess() as shipped (src/js/resources.js): the groups it probes, how each
// probe's outcome is read, the verdict and its message over every pattern of outcomes, and
// how its options are checked, against a client whose `fetch` answers each group as told.
// access.test.mjs runs it against a real HTTP server and the sandbox; this file pins the
// details. The verdict property runs a seeded generator loop (the seed is in every failure
// message).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConveyorClient, ConveyorError, ConveyorAbortError, ConveyorValidationError } from "conveyor-client";
import { ENDPOINTS } from "./lib/endpoints.mjs";
import { seeded } from "./lib/seeded.mjs";

const BASE = "https://api.example/v2";

/** The groups in the order the API documents its areas, as README.md lists them. */
const GROUPS = [
  ["access_requests", "/exchange/authorization_requests"],
  ["authorizations", "/exchange/authorizations"],
  ["access_groups", "/exchange/access_groups"],
  ["folders", "/exchange/folders"],
  ["documents", "/exchange/documents"],
  ["connections", "/exchange/connections"],
  ["questionnaires", "/questionnaires"],
  ["knowledge_base", "/knowledge_base/questions"],
  ["interactions", "/interactions"],
  ["product_lines", "/product_lines"],
];
const NAMES = GROUPS.map(([resource]) => resource);

/**
 * The answers a probe can get: a status (the body an empty page, or nothing for a 403 as
 * the API sends it), or "network" (the `fetch` rejects).
 */
const OUTCOMES = [200, 204, 403, 401, 404, 400, 408, 429, 500, 503, "network"];
/** How checkAccess must read each answer. */
const readOf = (outcome) => (outcome === 403 ? "forbidden" : typeof outcome === "number" && outcome < 300 ? "ok" : "error");

/**
 * A client whose `fetch` answers the group probed at `path` with `answer(path)` after
 * `delayMs` (0: at once), recording each request and the most in flight.
 */
function stubbed({ answer = () => 200, delayMs = 0, options = {} } = {}) {
  const sent = [];
  let inFlight = 0;
  let max = 0;
  const fetch = async (input, init = {}) => {
    const url = typeof input === "string" ? input : input.url;
    const [path, query = ""] = url.slice(BASE.length).split("?");
    sent.push({ method: init.method ?? "GET", path, query: `?${query}` });
    inFlight += 1;
    max = Math.max(max, inFlight);
    try {
      if (delayMs > 0) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, delayMs);
          init.signal?.addEventListener("abort", () => (clearTimeout(timer), reject(init.signal.reason)));
        });
      }
      const outcome = answer(path);
      if (outcome === "network") throw new TypeError("fetch failed");
      if (outcome === 403 || outcome === 204) return new Response(null, { status: outcome });
      return Response.json({ items: [], page: 1, per_page: 1, total_pages: 1 }, { status: outcome });
    } finally {
      inFlight -= 1;
    }
  };
  const client = new ConveyorClient({ apiKey: "sk_test_access_verdict_0123456789", baseUrl: BASE, rateLimit: false, maxRetries: 0, fetch, ...options });
  return { client, sent, max: () => max };
}

/** checkAccess() where the group `name` answers `outcomes[name]` (200 when not given). */
async function check(outcomes, options) {
  const { client } = stubbed({ answer: (path) => outcomes[GROUPS.find(([, p]) => p === path)[0]] ?? 200 });
  return client.checkAccess(options);
}

/**
 * The verdict and message the documented rules give for `reads` (one per group, in order),
 * written out independently of the shipped code.
 */
function expected(reads) {
  const where = (read) => NAMES.filter((_, i) => reads[i] === read);
  const forbidden = where("forbidden");
  const unchecked = where("error");
  const readable = where("ok").length;
  if (readable === NAMES.length) return ["ok", "the key is valid and can read every resource"];
  if (forbidden.length === NAMES.length) {
    return ["invalid_key", "the key is invalid or inactive: every resource answered 403. Check it in Conveyor (Settings > Integrations > Conveyor API)"];
  }
  if (readable > 0 && forbidden.length > 0) {
    const notChecked = unchecked.length > 0 ? `; not checked: ${unchecked.join(", ")}` : "";
    return ["missing_permissions", `the key lacks these permissions: ${forbidden.join(", ")} (403); the others are readable${notChecked}`];
  }
  const mostLikely = readable === 0 && forbidden.length > 0 ? "; every other resource answered 403, so the key is most likely invalid or inactive" : "";
  return ["incomplete", `some resources could not be checked (${unchecked.join(", ")}): try again${mostLikely}`];
}

test("one GET of one record per group, in the documented order, each a list read of a known endpoint", async () => {
  const { client, sent } = stubbed();
  const result = await client.checkAccess();
  assert.deepEqual(
    result.map((e) => [e.resource, e.path]),
    GROUPS,
  );
  assert.deepEqual(
    sent.map((r) => [r.method, r.path, r.query]),
    GROUPS.map(([, path]) => ["GET", path, "?page=1&per_page=1"]),
    "the probes start in the groups' order, each the first page of one record",
  );
  for (const [resource, path] of GROUPS) {
    const ep = ENDPOINTS.find((e) => e.path === path && e.method === "GET");
    assert.ok(ep, `${resource} probes ${path}, which is no GET endpoint`);
    assert.ok(ep.list, `${ep.name} must be a list (it takes per_page)`);
  }
  assert.equal(new Set(NAMES).size, NAMES.length, "resource names are unique");
  assert.equal(new Set(GROUPS.map(([, p]) => p)).size, GROUPS.length, "each group has its own read");
});

test("at most 4 probes in flight, the next starting as one ends", async () => {
  const { client, sent, max } = stubbed({ delayMs: 10 });
  const result = await client.checkAccess();
  assert.equal(max(), 4);
  assert.equal(sent.length, GROUPS.length);
  assert.equal(result.verdict, "ok");
});

test("how each answer is read: 2xx ok, 403 forbidden, anything else an error with its typed error", async () => {
  for (const outcome of OUTCOMES) {
    const result = await check({ folders: outcome });
    const entry = result[3];
    const want = readOf(outcome);
    assert.equal(entry.resource, "folders");
    assert.equal(entry.path, "/exchange/folders");
    assert.equal(entry.read, want, `${outcome}`);
    assert.equal(entry.status, outcome === "network" ? null : outcome, `${outcome}`);
    if (want === "error") {
      assert.ok(entry.error instanceof ConveyorError, `${outcome}: ${entry.error}`);
      assert.deepEqual(Object.keys(entry), ["resource", "path", "read", "status", "error"]);
    } else {
      assert.deepEqual(Object.keys(entry), ["resource", "path", "read", "status"], `${outcome}: no error`);
    }
    for (const other of result.filter((e) => e !== entry)) assert.equal(other.read, "ok");
  }
});

test("the verdict: all readable, all forbidden, some forbidden, failed probes", async () => {
  const all = (outcome) => Object.fromEntries(NAMES.map((n) => [n, outcome]));
  const cases = [
    [{}, "ok", "the key is valid and can read every resource"],
    [all(403), "invalid_key", "the key is invalid or inactive: every resource answered 403. Check it in Conveyor (Settings > Integrations > Conveyor API)"],
    [{ knowledge_base: 403, product_lines: 403 }, "missing_permissions", "the key lacks these permissions: knowledge_base, product_lines (403); the others are readable"],
    [{ access_requests: 403, authorizations: 500 }, "missing_permissions", "the key lacks these permissions: access_requests (403); the others are readable; not checked: authorizations"],
    [
      { ...all(403), folders: 500 },
      "incomplete",
      "some resources could not be checked (folders): try again; every other resource answered 403, so the key is most likely invalid or inactive",
    ],
    [{ folders: "network" }, "incomplete", "some resources could not be checked (folders): try again"],
    [all(500), "incomplete", `some resources could not be checked (${NAMES.join(", ")}): try again`],
    [{ ...all(401), documents: 403 }, "incomplete", `some resources could not be checked (${NAMES.filter((n) => n !== "documents").join(", ")}): try again; every other resource answered 403, so the key is most likely invalid or inactive`],
  ];
  for (const [outcomes, verdict, message] of cases) {
    const result = await check(outcomes);
    assert.equal(result.verdict, verdict, JSON.stringify(outcomes));
    assert.equal(result.message, message, JSON.stringify(outcomes));
    assert.ok(Array.isArray(result));
    assert.deepEqual(Object.keys(result).slice(-2), ["verdict", "message"], "enumerable, after the entries");
  }
});

test("property: the verdict and message over random patterns of answers", async () => {
  const seed = Number(process.env.ACCESS_SEED ?? Date.now() % 1_000_000);
  const next = seeded(seed);
  // Weighted towards the patterns that decide the verdict: mostly ok and 403, a few failures.
  const pickOutcome = () => (next() < 0.4 ? 200 : next() < 0.75 ? 403 : OUTCOMES[Math.floor(next() * OUTCOMES.length)]);
  for (let run = 0; run < 300; run++) {
    const outcomes = Object.fromEntries(NAMES.map((n) => [n, pickOutcome()]));
    const result = await check(outcomes);
    const reads = NAMES.map((n) => readOf(outcomes[n]));
    const why = `seed ${seed}, run ${run}: ${JSON.stringify(outcomes)}`;
    assert.deepEqual(
      result.map((e) => [e.resource, e.read]),
      NAMES.map((n, i) => [n, reads[i]]),
      why,
    );
    assert.deepEqual([result.verdict, result.message], expected(reads), why);
  }
});

test("options: each refusal rejects with its ConveyorValidationError and sends nothing", async () => {
  const throwing = (name) => ({
    get [name]() {
      throw new Error("boom");
    },
  });
  const cases = [
    [42, "checkAccess: the options must be an object"],
    ["soon", "checkAccess: the options must be an object"],
    [true, "checkAccess: the options must be an object"],
    [() => {}, "checkAccess: the options must be an object"],
    [{ signal: "soon" }, "checkAccess: `signal` must be an AbortSignal"],
    [{ signal: {} }, "checkAccess: `signal` must be an AbortSignal"],
    [{ signal: new AbortController() }, "checkAccess: `signal` must be an AbortSignal"],
    [throwing("signal"), "reading `signal` threw"],
    [throwing("timeoutMs"), "reading `timeoutMs` threw"],
    [Object.defineProperty({ signal: 1 }, "timeoutMs", { get: () => assert.fail("read after the refusal") }), "checkAccess: `signal` must be an AbortSignal"],
    [{ timeoutMs: "5000" }, "checkAccess: `timeoutMs` must be a number"],
    [{ timeoutMs: 5000n }, "checkAccess: `timeoutMs` must be a number"],
    [{ timeoutMs: new Number(5) }, "checkAccess: `timeoutMs` must be a number"],
    [Object.create({ timeoutMs: "5000" }), "checkAccess: `timeoutMs` must be a number"],
    [{ timeoutMs: NaN }, "checkAccess: `timeoutMs` must be a finite number"],
    [{ timeoutMs: Infinity }, "checkAccess: `timeoutMs` must be a finite number"],
    [{ timeoutMs: -1 }, "checkAccess: `timeoutMs` must be at least 1"],
    [{ timeoutMs: 0.5 }, "checkAccess: `timeoutMs` must be at least 1"],
    [{ timeoutMs: 2 ** 31 }, "checkAccess: `timeoutMs` must be at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer"],
    [new Proxy({}, { get: () => { throw new Error("trap"); } }), "reading `signal` threw"],
  ];
  for (const [options, message] of cases) {
    const { client, sent } = stubbed();
    let p;
    assert.doesNotThrow(() => (p = client.checkAccess(options)), "never a synchronous throw");
    const error = await p.then(
      () => assert.fail(`accepted ${String(options)}`),
      (e) => e,
    );
    assert.ok(error instanceof ConveyorValidationError, `${error}`);
    assert.equal(error.code, "invalid_request");
    assert.equal(error.message, message);
    assert.equal(error.retryable, false);
    assert.equal(error.method, undefined);
    assert.equal(error.path, undefined);
    assert.equal(sent.length, 0, `${message}: nothing sent`);
  }
});

test("options: absent, null, empty, an array, null and undefined values, and the bounds are accepted", async () => {
  for (const options of [undefined, null, {}, [], { signal: null, timeoutMs: undefined }, { timeoutMs: 1 }, { timeoutMs: 1.5 }, { timeoutMs: 2 ** 31 - 1 }, { signal: new AbortController().signal }]) {
    const { client, sent } = stubbed();
    const result = await client.checkAccess(options);
    assert.equal(result.verdict, "ok", `${JSON.stringify(options)}: ${result.message}`);
    assert.equal(sent.length, GROUPS.length);
  }
});

test("timeoutMs bounds each probe: a probe past it is an error entry, not a rejection", async () => {
  const slow = stubbed({ delayMs: 200 });
  const result = await slow.client.checkAccess({ timeoutMs: 20 });
  assert.ok(result.every((e) => e.read === "error" && e.error.code === "timeout" && e.status === null));
  assert.equal(result.verdict, "incomplete");
  const quick = stubbed({ delayMs: 5 });
  assert.equal((await quick.client.checkAccess({ timeoutMs: 5000 })).verdict, "ok");
});

test("an abort rejects with ConveyorAbortError; after it no probe starts", async () => {
  const pre = stubbed();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(pre.client.checkAccess({ signal: ac.signal }), ConveyorAbortError);
  assert.equal(pre.sent.length, 0, "an aborted signal sends nothing");

  const mid = stubbed({ delayMs: 100 });
  const ac2 = new AbortController();
  const p = mid.client.checkAccess({ signal: ac2.signal });
  setTimeout(() => ac2.abort(), 20);
  await assert.rejects(p, ConveyorAbortError);
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(mid.sent.length, 4, "no probe starts after the abort");
});
