// `MemoryStore`'s requests and snapshots as the package ships them: they are read and checked in
// JS (src/js/memory_store.js, installed on the stores build's class), which hands the ledgers in
// the .wasm plain values. These pin what that must keep: every refusal's words and the order
// the fields are checked in, the limits counted in UTF-8 bytes as Rust counts them, hostile
// requests ending as TypeErrors (never a trap, never a hang), the snapshot's JSON shape and
// its round trip, and a damaged snapshot skipped, never trusted (a seeded property loop; the
// seed is in every failure message). The protocol's semantics are store-conformance's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryStore } from "conveyor-client/stores";
import { inspect } from "node:util";
import { seeded } from "./lib/seeded.mjs";

const GOOD = { bucket: "b", want: 1, limit: 5, windowMs: 1000, holdMs: 500 };
const boom = () => {
  throw new Error("boom");
};

/** A short name for `v` in a failure message (`String` throws for a revoked Proxy). */
const label = (v) => inspect(v, { depth: 1, maxStringLength: 20 }).slice(0, 80);

/** The message `run` threw, after checking it is a TypeError and not a wasm trap. */
function refusal(run, what) {
  try {
    run();
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: a wasm trap: ${e.stack}`);
    assert.ok(e instanceof TypeError, `${what}: threw ${e && e.stack}`);
    return e.message;
  }
  assert.fail(`${what}: was accepted`);
}

test("MemoryStore's methods are installed as wasm-bindgen's were: non-enumerable, named, one argument", () => {
  for (const [name, length] of [["acquire", 1], ["settle", 1], ["release", 1], ["occupied", 1], ["snapshot", 0]]) {
    const d = Object.getOwnPropertyDescriptor(MemoryStore.prototype, name);
    assert.ok(d && typeof d.value === "function", name);
    assert.equal(d.enumerable, false, name);
    assert.equal(d.value.name, name);
    assert.equal(d.value.length, length, name);
  }
  const r = Object.getOwnPropertyDescriptor(MemoryStore, "restore");
  assert.ok(r && typeof r.value === "function" && !r.enumerable && r.value.name === "restore" && r.value.length === 1);
  assert.deepEqual(Object.keys(new MemoryStore()), Object.keys(new MemoryStore()).filter((k) => k.startsWith("__")));
});

test("acquire: each invalid field is refused with its words, in the protocol's order, before anything is recorded", () => {
  const cases = [
    [undefined, "the request must be an object"],
    ["b", "the request must be an object"],
    [() => GOOD, "the request must be an object"],
    [{ ...GOOD, bucket: undefined }, "`bucket` must be a non-empty string"],
    [{ ...GOOD, bucket: "" }, "`bucket` must be a non-empty string"],
    [{ ...GOOD, bucket: 5 }, "`bucket` must be a non-empty string"],
    [{ ...GOOD, bucket: "x".repeat(257) }, "`bucket` must be a non-empty string"],
    [{ ...GOOD, want: "1" }, "`want` must be a finite number"],
    [{ ...GOOD, want: 1n }, "`want` must be a finite number"],
    [{ ...GOOD, want: NaN }, "`want` must be a finite number"],
    [{ ...GOOD, want: null }, "`want` must be a finite number"],
    [{ ...GOOD, want: 0 }, "`want` must be a whole number of at least 1"],
    [{ ...GOOD, want: -0 }, "`want` must be a whole number of at least 1"],
    [{ ...GOOD, want: 1.5 }, "`want` must be a whole number of at least 1"],
    [{ ...GOOD, want: 2 ** 32 }, "`want` must be a whole number of at least 1"],
    [{ ...GOOD, want: 2 ** 53 }, "`want` must be a whole number of at least 1"],
    [{ ...GOOD, limit: 0 }, "`limit` must be a whole number of at least 1"],
    [{ ...GOOD, windowMs: Infinity }, "`windowMs` must be a finite number"],
    [{ ...GOOD, holdMs: undefined }, "`holdMs` must be a finite number"],
    [{ ...GOOD, carry: 5 }, "`carry` must be an array of numbers"],
    [{ ...GOOD, carry: [1, NaN] }, "`carry` must be an array of finite numbers"],
    [{ ...GOOD, carry: [1, "2"] }, "`carry` must be an array of finite numbers"],
    [{ ...GOOD, carry: new Array(100001) }, "`carry` could not be read, or holds too many entries"],
    [{ ...GOOD, windowMs: 0 }, "`windowMs` must be a finite number greater than 0"],
    [{ ...GOOD, holdMs: -1 }, "`holdMs` must be a finite number of at least 0"],
    // The order: bucket, want, limit, windowMs and holdMs as numbers, carry, then windowMs > 0
    // and holdMs >= 0.
    [{ ...GOOD, bucket: "", want: 0 }, "`bucket` must be a non-empty string"],
    [{ ...GOOD, want: 0, limit: 0 }, "`want` must be a whole number of at least 1"],
    [{ ...GOOD, windowMs: 0, holdMs: NaN }, "`holdMs` must be a finite number"],
    [{ ...GOOD, windowMs: 0, carry: [NaN] }, "`carry` must be an array of finite numbers"],
    [{ ...GOOD, windowMs: 0, holdMs: -1 }, "`windowMs` must be a finite number greater than 0"],
  ];
  const store = new MemoryStore();
  for (const [req, message] of cases) {
    assert.equal(refusal(() => store.acquire(req), label(req)), `MemoryStore: ${message}`);
  }
  assert.equal(store.occupied("b"), 0, "a refused acquire recorded something");
  // -0 is a valid holdMs, the largest whole `want` and `limit` are accepted, and carry may be empty.
  const g = store.acquire({ ...GOOD, want: 2 ** 32 - 1, limit: 2, holdMs: -0, carry: [] });
  assert.equal(g.tokens.length, 2);
  assert.deepEqual(Object.keys(g), ["tokens", "retryInMs", "epoch", "occupied"]);
  assert.equal(g.occupied, 2);
  assert.equal(typeof g.retryInMs, "number");
  assert.ok(g.tokens.every((t) => t.startsWith(`${g.epoch}-`)));
});

test("settle and release: bucket, then (settle) windowMs, then tokens, with the same words", () => {
  const store = new MemoryStore();
  const bad = "MemoryStore: `tokens` must be an array of token id strings";
  for (const method of ["settle", "release"]) {
    const s = (req) => refusal(() => store[method]({ windowMs: 1000, ...req }), `${method} ${label(req)}`);
    assert.equal(s({ bucket: "", tokens: 5 }), "MemoryStore: `bucket` must be a non-empty string");
    for (const tokens of [undefined, null, "t", [1], ["x".repeat(257)], new Array(100001).fill("t")]) assert.equal(s({ bucket: "b", tokens }), bad);
  }
  const s = (req) => refusal(() => store.settle(req), label(req));
  assert.equal(s({ bucket: "b", windowMs: 0, tokens: 5 }), "MemoryStore: `windowMs` must be a finite number greater than 0");
  assert.equal(s({ bucket: "b", windowMs: "1", tokens: 5 }), "MemoryStore: `windowMs` must be a finite number");
  // release does not read windowMs; an empty string is a token id (nobody's).
  store.release({ bucket: "b", windowMs: boom, tokens: [""] });
  store.settle({ bucket: "b", windowMs: 1000, tokens: ["", "x".repeat(256)] });
  assert.equal(store.occupied("b"), 2, "a settle of ids the store does not know is recorded all the same");
});

test("the 256-character limits count UTF-8 bytes, as the ledger does (a lone surrogate is U+FFFD's three)", () => {
  const store = new MemoryStore();
  const fits = [["é", 128], ["\ud800", 85], ["\udc00", 85], ["😀", 64], ["€", 85]];
  const over = [["é", 129], ["\ud800", 86], ["😀", 65], ["€", 86]];
  for (const [c, n] of fits) {
    const bucket = c.repeat(n);
    assert.equal(store.acquire({ ...GOOD, bucket }).tokens.length, 1, `${n} × ${escape(c)}`);
    store.settle({ bucket: "t", windowMs: 1000, tokens: [bucket] });
  }
  for (const [c, n] of over) {
    const bucket = c.repeat(n);
    assert.equal(refusal(() => store.acquire({ ...GOOD, bucket }), `${n} × ${escape(c)}`), "MemoryStore: `bucket` must be a non-empty string");
    assert.match(refusal(() => store.release({ bucket: "t", tokens: [bucket] }), "token"), /`tokens`/);
  }
});

test("hostile requests are TypeErrors, quickly: throwing getters, Proxies, huge and endless arrays, 10 MB strings", () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const trapAll = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
  const huge = [];
  huge.length = 2 ** 32 - 1;
  const endless = [1];
  endless[Symbol.iterator] = function* () {
    for (;;) yield 1;
  };
  const badLength = new Proxy([1], { get: (t, k) => (k === "length" ? boom() : t[k]) });
  const tenMB = "x".repeat(10 * 1024 * 1024);
  const values = [revoked.proxy, revokedArray.proxy, trapAll, huge, endless, badLength, tenMB, Symbol("s"), 10n, NaN, -0, 2 ** 53];
  const store = new MemoryStore();
  const started = Date.now();
  for (const v of values) {
    const getter = Object.defineProperty({ ...GOOD }, "holdMs", { get: boom });
    refusal(() => store.acquire(v), `acquire(${label(v)})`);
    refusal(() => store.acquire(getter), "a throwing getter");
    for (const field of ["bucket", "want", "limit", "windowMs", "carry"]) {
      if (field === "windowMs" && v === 2 ** 53) continue; // a valid window
      refusal(() => store.acquire({ ...GOOD, [field]: v }), `acquire ${field}: ${label(v)}`);
    }
    refusal(() => store.settle({ bucket: "b", windowMs: 1000, tokens: v }), `settle tokens: ${label(v)}`);
    refusal(() => store.release({ bucket: "b", tokens: [v] }), `release [${label(v)}]`);
    assert.equal(store.occupied(v), 0);
  }
  assert.equal(refusal(() => store.acquire({ ...GOOD, carry: huge }), "huge carry"), "MemoryStore: `carry` could not be read, or holds too many entries");
  assert.equal(refusal(() => store.acquire({ ...GOOD, carry: endless }), "endless carry"), "MemoryStore: `carry` could not be read, or holds too many entries");
  assert.equal(refusal(() => store.acquire({ ...GOOD, carry: revokedArray.proxy }), "revoked carry"), "MemoryStore: `carry` could not be read, or holds too many entries");
  assert.equal(refusal(() => store.acquire(revoked.proxy), "revoked request"), "MemoryStore: `bucket` could not be read");
  assert.equal(refusal(() => store.acquire(Object.defineProperty({ ...GOOD }, "want", { get: boom })), "getter"), "MemoryStore: `want` could not be read");
  assert.ok(Date.now() - started < 10_000, `hostile requests took ${Date.now() - started} ms`);
  // The store still works, and nothing refused was recorded.
  assert.equal(store.occupied("b"), 0);
  assert.equal(store.acquire(GOOD).tokens.length, 1);
});

test("snapshot: the JSON shape, bucket by bucket in name order, and restore gives the same memory back", () => {
  const store = new MemoryStore();
  const a = store.acquire({ ...GOOD, bucket: "z", want: 3, carry: [5000, -1, 0] });
  store.settle({ bucket: "z", windowMs: 1000, tokens: [a.tokens[0], "stranger"] });
  store.release({ bucket: "z", tokens: [a.tokens[1]] });
  store.acquire({ ...GOOD, bucket: "a" });
  store.acquire({ ...GOOD, bucket: "m" });
  store.release({ bucket: "m", tokens: [store.acquire({ ...GOOD, bucket: "m" }).tokens[0]] });
  const snap = store.snapshot();
  assert.deepEqual(Object.keys(snap), ["a", "m", "z"]);
  const z = snap.z;
  assert.deepEqual(Object.keys(z), ["epoch", "next", "tokens", "carried"]);
  assert.equal(z.epoch, a.epoch);
  assert.equal(z.next, 3);
  assert.deepEqual(z.tokens.map(([id]) => id), [0, 2]);
  assert.ok(z.tokens.every(([id, at]) => Number.isInteger(id) && Number.isFinite(at)));
  assert.equal(z.carried.length, 2, "the carried entry and the stranger's settle");
  const back = MemoryStore.restore(JSON.parse(JSON.stringify(snap)));
  assert.ok(back instanceof MemoryStore);
  assert.deepEqual(back.snapshot(), snap);
  for (const b of ["a", "m", "z"]) assert.equal(back.occupied(b), store.occupied(b), b);
  // The same memory: ids go on from `next`, in the same epoch; a settle of an old id is known.
  const more = back.acquire({ ...GOOD, bucket: "z", limit: 10 });
  assert.deepEqual(more.tokens, [`${a.epoch}-3`]);
  back.release({ bucket: "z", tokens: [`${a.epoch}-2`] });
  assert.equal(back.occupied("z"), store.occupied("z"));
  assert.deepEqual(new MemoryStore().snapshot(), {});
});

test("restore skips what a damaged snapshot holds, never trusts it, never throws (seeded)", () => {
  const now = Date.now();
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const odd = [undefined, null, 0, -0, -1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 64, "7", "", 1n, Symbol("s"), {}, [], revoked.proxy, new Proxy({}, { get: boom, ownKeys: boom }), () => 1, "é".repeat(129), "x".repeat(300)];
  for (let seed = 1; seed <= 300; seed++) {
    const next = seeded(seed);
    const pick = (xs) => xs[Math.floor(next() * xs.length)];
    const num = () => (next() < 0.5 ? now + Math.floor(next() * 5000) : pick(odd));
    const bucket = () => {
      if (next() < 0.1) return pick(odd);
      const b = {};
      if (next() < 0.8) b.epoch = next() < 0.5 ? "ep" : pick(odd);
      if (next() < 0.8) b.next = next() < 0.5 ? Math.floor(next() * 10) : pick(odd);
      if (next() < 0.8) b.tokens = next() < 0.8 ? Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.7 ? [Math.floor(next() * 10), num()] : pick(odd))) : pick(odd);
      if (next() < 0.8) b.carried = next() < 0.8 ? Array.from({ length: Math.floor(next() * 4) }, num) : pick(odd);
      return b;
    };
    const snapshot = next() < 0.05 ? pick(odd) : Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 3) }, (_, i) => [`b${i}`, bucket()]));
    let store;
    try {
      store = MemoryStore.restore(snapshot);
    } catch (e) {
      assert.fail(`seed ${seed}: restore threw ${e && e.stack}`);
    }
    const snap = store.snapshot();
    for (const [name, b] of Object.entries(snap)) {
      assert.ok(typeof b.epoch === "string" && b.epoch.length > 0 && b.epoch.length <= 256, `seed ${seed}: ${name}'s epoch`);
      assert.ok(Number.isInteger(b.next) && b.next >= 0, `seed ${seed}: ${name}'s next ${b.next}`);
      assert.ok(b.tokens.every(([id, at]) => Number.isInteger(id) && id >= 0 && id < Math.max(b.next, 1) && Number.isFinite(at)), `seed ${seed}: ${name}'s tokens`);
      assert.ok(b.carried.every(Number.isFinite), `seed ${seed}: ${name}'s carried`);
    }
    assert.deepEqual(MemoryStore.restore(JSON.parse(JSON.stringify(snap))).snapshot(), snap, `seed ${seed}: a restored snapshot's snapshot`);
    assert.equal(store.acquire({ ...GOOD, bucket: "fresh" }).tokens.length, 1, `seed ${seed}: the store works`);
  }
  // A bucket without a valid epoch takes the store's own (its clients re-carry).
  const s = MemoryStore.restore({ x: { epoch: "é".repeat(129), next: 2, tokens: [[1, now + 5000]], carried: [] } });
  assert.equal(s.snapshot().x.epoch, s.acquire({ ...GOOD, bucket: "y" }).epoch);
  assert.equal(MemoryStore.restore({ x: { epoch: "é".repeat(128), tokens: [[1, now + 5000]] } }).snapshot().x.epoch, "é".repeat(128));
  // Too many entries in a list: the list is skipped, not read.
  const many = new Array(100001).fill(now + 5000);
  assert.deepEqual(MemoryStore.restore({ x: { carried: many } }).snapshot(), {});
});
