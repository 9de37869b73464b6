// The rate-limit store protocol (docs/store-protocol.md) as checks any store must pass: MemoryStore, the
// Durable Object store, the Redis store. Each check uses buckets of its own, so one store
// may serve them all, concurrently or one after another.
//
//   import { storeConformance, runStoreConformance } from "./lib/store-conformance.mjs";
//   test("memory store", (t) => runStoreConformance(t, () => new MemoryStore()));
//   // or: for (const { name, run } of storeConformance(factory)) { ... await run() }
//
// retryInMs, when short, is max(1, min(earliest freeAt, now + windowMs) - now): a token in
// flight frees one window after its settle, which may come at any moment, so a store never
// sends a client away for longer than a window (MemoryStore's rule, the reference).
//
// Times come from the store's own clock, so the checks read `retryInMs` right after a call
// rather than sampling with timers (a late timer would make an "is it still occupied"
// check flaky); they wait only to see that something frees, where lateness does no harm.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";

/** How far two back-to-back store calls may be apart on the store's clock, in ms. */
const SLACK_MS = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The conformance checks for the stores `makeStore` makes.
 * @param {() => any} makeStore returns a store (or a promise of one); called once per check
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function storeConformance(makeStore) {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  // A bucket no other check (or earlier run against a persistent store) has used.
  const bucket = () => `conformance-${run}-${n++}`;
  // A synchronous throw and a rejection are the same failure to the client.
  const call = async (store, method, req) => store[method](req);
  const acquire = (store, req) => call(store, "acquire", { holdMs: 5000, windowMs: 300, ...req });

  /** Asserts a well-formed grant of `count` tokens and returns it. */
  function expectGrant(grant, count, want) {
    assert.ok(grant && Array.isArray(grant.tokens), `acquire answered ${JSON.stringify(grant)}`);
    assert.equal(grant.tokens.length, count, `granted ${JSON.stringify(grant)}`);
    // The epoch names the store's memory of the bucket; ids carry it, so ids stay unique
    // across a store that lost its data.
    assert.ok(typeof grant.epoch === "string" && grant.epoch.length > 0, `epoch ${JSON.stringify(grant.epoch)}`);
    for (const id of grant.tokens) {
      assert.ok(typeof id === "string" && id.startsWith(`${grant.epoch}-`), `token id ${JSON.stringify(id)} of epoch ${grant.epoch}`);
    }
    assert.equal(new Set(grant.tokens).size, count, "token ids are unique");
    if (count === want) assert.equal(grant.retryInMs, null, "retryInMs is null when all were granted");
    else assert.ok(Number.isFinite(grant.retryInMs) && grant.retryInMs >= 1, `retryInMs ${grant.retryInMs}`);
    return grant;
  }
  /** Asserts `ms` lies in (expected - SLACK_MS, expected]. */
  function expectAbout(ms, expected, what) {
    assert.ok(ms <= expected && ms > expected - SLACK_MS, `${what}: retryInMs ${ms}, expected just under ${expected}`);
  }

  const checks = {
    async "grants up to the limit and no more, with unique token ids"(store) {
      const b = bucket();
      const first = expectGrant(await acquire(store, { bucket: b, want: 3, limit: 5 }), 3, 3);
      const second = expectGrant(await acquire(store, { bucket: b, want: 3, limit: 5 }), 2, 3);
      expectGrant(await acquire(store, { bucket: b, want: 1, limit: 5 }), 0, 1);
      assert.equal(new Set([...first.tokens, ...second.tokens]).size, 5, "ids unique across calls");
      assert.equal(second.epoch, first.epoch, "one epoch while the bucket's data lives");
    },

    async "occupied counts the window's entries after the grant, carry included"(store) {
      const b = bucket();
      const first = await acquire(store, { bucket: b, want: 2, limit: 5 });
      assert.equal(first.occupied, 2, `occupied ${first.occupied}`);
      const second = await acquire(store, { bucket: b, want: 9, limit: 5, carry: [200] });
      assert.equal(second.tokens.length, 2);
      assert.equal(second.occupied, 5, "2 + 1 carried + 2 granted");
      await call(store, "release", { bucket: b, tokens: first.tokens });
      const third = await acquire(store, { bucket: b, want: 1, limit: 5 });
      assert.equal(third.occupied, 4, "released tokens no longer count");
    },

    async "an unsettled token occupies holdMs + windowMs; retryInMs is the earliest it could free"(store) {
      const b = bucket();
      const req = { bucket: b, want: 1, limit: 1, holdMs: 400, windowMs: 300 };
      expectGrant(await acquire(store, req), 1, 1);
      // It frees at +700 unless settled; a settle now would free it at +300, so that is
      // the earliest worth asking again.
      const short = expectGrant(await acquire(store, req), 0, 1);
      expectAbout(short.retryInMs, 300, "token in flight");
      const t0 = Date.now();
      await sleep(400); // past a window, before the hold ends (a timer up to 300 ms late is fine)
      expectGrant(await acquire(store, req), 0, 1);
      await sleep(t0 + 750 - Date.now());
      expectGrant(await acquire(store, req), 1, 1);
    },

    async "settle frees a token windowMs after the settle, not before"(store) {
      const b = bucket();
      const { tokens } = expectGrant(await acquire(store, { bucket: b, want: 2, limit: 2 }), 2, 2);
      await call(store, "settle", { bucket: b, tokens: [tokens[0]], windowMs: 300 });
      const short = expectGrant(await acquire(store, { bucket: b, want: 1, limit: 2 }), 0, 1);
      // The settled token frees first (300 ms), the other only after its hold (5300 ms).
      expectAbout(short.retryInMs, 300, "settled token");
      await sleep(short.retryInMs + 20);
      expectGrant(await acquire(store, { bucket: b, want: 2, limit: 2 }), 1, 2);
    },

    async "release frees tokens at once; unknown ids are ignored"(store) {
      const b = bucket();
      const { tokens } = expectGrant(await acquire(store, { bucket: b, want: 2, limit: 2 }), 2, 2);
      await call(store, "release", { bucket: b, tokens: ["never-granted"] });
      expectGrant(await acquire(store, { bucket: b, want: 1, limit: 2 }), 0, 1);
      await call(store, "release", { bucket: b, tokens });
      expectGrant(await acquire(store, { bucket: b, want: 2, limit: 2 }), 2, 2);
    },

    async "carry occupies the bucket for its own duration, even past the limit"(store) {
      const b = bucket();
      const one = expectGrant(await acquire(store, { bucket: b, want: 3, limit: 3, carry: [200, 250] }), 1, 3);
      expectAbout(one.retryInMs, 200, "carried token");
      const other = bucket();
      const none = expectGrant(await acquire(store, { bucket: other, want: 1, limit: 2, carry: [1000, 300, 200] }), 0, 1);
      expectAbout(none.retryInMs, 200, "overfilled by carry");
      // Once the two short ones have freed, one entry is left: one token below the limit.
      await sleep(350);
      const later = expectGrant(await acquire(store, { bucket: other, want: 2, limit: 2 }), 1, 2);
      assert.ok(later.retryInMs <= 650, `the 1000 ms carry frees in ${later.retryInMs} ms`);
    },

    async "carry values are clamped to (0, windowMs + holdMs]"(store) {
      const b = bucket();
      const req = { bucket: b, want: 1, limit: 1, windowMs: 300, holdMs: 200 };
      expectGrant(await acquire(store, { ...req, carry: [1e12] }), 0, 1);
      await sleep(520);
      expectGrant(await acquire(store, req), 1, 1);
      // Zero and negative carry values are past usage that has already freed: never an error.
      const b2 = bucket();
      const grant = await acquire(store, { bucket: b2, want: 1, limit: 3, carry: [0, -5] });
      assert.ok(grant.tokens.length === 1, JSON.stringify(grant));
    },

    async "settling an unknown id occupies the window anyway (conservative)"(store) {
      const b = bucket();
      await call(store, "settle", { bucket: b, tokens: ["lost-or-expired"], windowMs: 300 });
      const short = expectGrant(await acquire(store, { bucket: b, want: 1, limit: 1 }), 0, 1);
      expectAbout(short.retryInMs, 300, "unknown id settled");
    },

    async "buckets are independent"(store) {
      const a = bucket();
      const b = bucket();
      expectGrant(await acquire(store, { bucket: a, want: 2, limit: 2 }), 2, 2);
      expectGrant(await acquire(store, { bucket: a, want: 1, limit: 2 }), 0, 1);
      expectGrant(await acquire(store, { bucket: b, want: 2, limit: 2 }), 2, 2);
    },

    async "concurrent acquires never over-grant: 50 x want 3 against limit 40 grant exactly 40"(store) {
      const b = bucket();
      const grants = await Promise.all(
        Array.from({ length: 50 }, () => acquire(store, { bucket: b, want: 3, limit: 40, holdMs: 30_000 })),
      );
      const ids = grants.flatMap((g) => g.tokens);
      assert.equal(ids.length, 40);
      assert.equal(new Set(ids).size, 40, "no id granted twice");
      for (const g of grants) expectGrant(g, g.tokens.length, 3);
    },

    async "bad input rejects (or throws) and leaves the bucket usable"(store) {
      const b = bucket();
      const ok = { bucket: b, want: 1, limit: 2, windowMs: 300, holdMs: 1000 };
      const bad = [
        { want: 0 },
        { want: 1.5 },
        { want: "1" },
        { want: -1 },
        { limit: 0 },
        { limit: Number.NaN },
        { windowMs: Number.POSITIVE_INFINITY },
        { windowMs: "300" },
        { holdMs: Number.NaN },
        { carry: "200" },
        { carry: [200, "x"] },
        { carry: [Number.NaN] },
        { carry: [Number.POSITIVE_INFINITY] },
        { bucket: 42 },
      ];
      for (const patch of bad) {
        const req = { ...ok, ...patch };
        const err = await call(store, "acquire", req).then(
          (v) => assert.fail(`acquire(${JSON.stringify(patch)}) answered ${JSON.stringify(v)}`),
          (e) => e,
        );
        assert.ok(err instanceof Error, `acquire(${JSON.stringify(patch)}) rejected with ${err}`);
      }
      for (const [method, req] of [
        ["acquire", null],
        ["settle", { bucket: b, tokens: "t", windowMs: 300 }],
        ["settle", { bucket: b, tokens: [1], windowMs: 300 }],
        ["settle", { bucket: b, tokens: ["t"], windowMs: Number.NaN }],
        ["release", { bucket: b, tokens: null }],
        ["release", undefined],
      ]) {
        const err = await call(store, method, req).then(
          () => assert.fail(`${method}(${JSON.stringify(req)}) resolved`),
          (e) => e,
        );
        assert.ok(err instanceof Error, `${method} rejected with ${err}`);
      }
      // Nothing above granted or occupied anything.
      expectGrant(await acquire(store, { ...ok, want: 2 }), 2, 2);
    },
  };

  return Object.entries(checks).map(([name, check]) => ({
    name,
    run: async () => check(await makeStore()),
  }));
}

/**
 * Runs every conformance check as a subtest of `t` (a node:test context).
 * @param {import("node:test").TestContext} t
 * @param {() => any} makeStore
 */
export async function runStoreConformance(t, makeStore) {
  for (const { name, run } of storeConformance(makeStore)) await t.test(name, run);
}
