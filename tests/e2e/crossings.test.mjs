// How often one call crosses between JS and the .wasm, through the packed package in Node:
// every import the .wasm calls and every export the glue calls is wrapped and counted (the
// Node entry instantiates the .wasm at its first use, after this file has wrapped
// `WebAssembly.Instance`). Unlike a time, a count is deterministic, so it can hold a
// budget: a plain 2xx that `fetch()` or `request()` resolves with is ended by the snippet,
// which tells the .wasm only that the attempt ended, instead of handing the attempt back for
// Rust to read its code, status, source and value one crossing each.
import { test } from "node:test";
import assert from "node:assert/strict";

let crossings = 0;
const counted = (f) =>
  function (...args) {
    crossings += 1;
    return f.apply(this, args);
  };
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const wrapped = {};
  for (const [space, fns] of Object.entries(imports ?? {})) {
    wrapped[space] = {};
    for (const [name, f] of Object.entries(fns)) wrapped[space][name] = typeof f === "function" ? counted(f) : f;
  }
  const instance = new Instance(module, wrapped);
  const exports = {};
  for (const [name, f] of Object.entries(instance.exports)) exports[name] = typeof f === "function" ? counted(f) : f;
  return { exports };
};
const { ConveyorClient } = await import("conveyor-client");

const BASE = "https://api.conveyor.test/api/v2";
const PATH = "/exchange/access_groups";
const KEY = "sk_test_crossings_0123456789abcdef";
const stub = async () => new Response('{"access_groups":[{"id":1}]}', { status: 200, headers: { "content-type": "application/json" } });

/** Crossings per call of `call`, over 100 calls after a first one (a stray crossing, such as
 * a collected handle's release, cannot lift the whole number). */
async function perCall(call) {
  await call();
  const before = crossings;
  for (let i = 0; i < 100; i++) await call();
  return Math.floor((crossings - before) / 100);
}

for (const limited of [false, true]) {
  test(`a plain 2xx${limited ? ", the limiter on" : ""}: fetch() and request() cross ${limited ? 13 : 10} times, typed calls ${limited ? 19 : 16}; every value and token as before`, async () => {
    const client = new ConveyorClient({
      apiKey: KEY,
      baseUrl: BASE,
      fetch: stub,
      rateLimit: limited ? { limit: 1000, windowMs: 60_000, shared: false } : false,
    });
    const groups = client.exchange.accessGroups;
    const fetchCount = await perCall(async () => {
      const res = await client.fetch(PATH);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { access_groups: [{ id: 1 }] });
    });
    const requestCount = await perCall(async () => assert.deepEqual(await client.request("GET", PATH), { access_groups: [{ id: 1 }] }));
    const typedCount = await perCall(async () => assert.deepEqual((await groups.list()).items, [{ id: 1 }]));
    assert.ok(crossings > 0, "the .wasm was instantiated through the wrapped constructor");
    // Five calls' worth of crossings before the snippet ended a plain 2xx itself: 15 (18).
    assert.ok(fetchCount <= (limited ? 13 : 10), `fetch(): ${fetchCount} crossings per call`);
    assert.ok(requestCount <= (limited ? 13 : 10), `request(): ${requestCount} crossings per call`);
    assert.ok(typedCount <= (limited ? 19 : 16), `a typed call: ${typedCount} crossings per call`);
    if (limited) {
      // 303 calls, each token settled when its response came, though no step of the call
      // looked at the response in the .wasm.
      const s = client.rateLimitState();
      assert.equal(s.inFlight, 0);
      assert.equal(s.available, 1000 - 303);
    }
  });
}
