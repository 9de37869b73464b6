// The two builds in one Node process: `conveyor-client` (lean, no store code) and
// `conveyor-client/stores`. The lean entry refuses store options by name; both entries
// share one set of error classes; `import` and `require` of each give one instance; and a
// key and base URL get one rate-limit bucket across both builds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import * as lean from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";

const require = createRequire(import.meta.url);
const run = promisify(execFile);
let sb;
before(async () => {
  sb = await startSandbox();
});
after(() => sb.stop());
const api = () => `${sb.url}/api/v2`;

/** What `make` throws (or fails the test). */
function thrown(make) {
  try {
    make();
  } catch (e) {
    return e;
  }
  assert.fail("expected a throw");
}

test("the lean entry has no MemoryStore and refuses every store option with a ConveyorConfigError naming conveyor-client/stores", () => {
  assert.equal("MemoryStore" in lean, false);
  assert.equal("MemoryStore" in require("conveyor-client"), false);
  assert.equal(typeof stores.MemoryStore, "function");
  const store = new stores.MemoryStore();
  const cases = [
    ["rateLimit.store", { rateLimit: { store, fleetSize: 2 } }],
    ["rateLimit.store", { rateLimit: { store: {}, fleetSize: 2, shared: false } }],
    ["rateLimit.fleetSize", { rateLimit: { fleetSize: 2 } }],
    ["rateLimit.lease", { rateLimit: { lease: 4 } }],
    ["rateLimit.storeTimeoutMs", { rateLimit: { storeTimeoutMs: 100 } }],
    ["onRateLimitStore", { onRateLimitStore: () => {} }],
  ];
  for (const [name, opts] of cases) {
    const e = thrown(() => new lean.ConveyorClient({ apiKey: KEYS.full, baseUrl: api(), ...opts }));
    assert.ok(e instanceof lean.ConveyorConfigError, `${name}: ${e}`);
    assert.match(e.message, new RegExp(`\`${name.replace(".", "\\.")}\``), name);
    assert.match(e.message, /conveyor-client\/stores/, name);
    assert.ok(!e.message.includes(KEYS.full));
  }
  // The same options are what the stores build takes.
  const c = new stores.ConveyorClient({ apiKey: KEYS.full, baseUrl: api(), rateLimit: { store, fleetSize: 2, lease: 4, storeTimeoutMs: 100, shared: false }, onRateLimitStore: () => {} });
  assert.equal(c.rateLimitState()?.store, "connected");
  c.free();
});

test("import and require of each entry give one instance; the two builds are two", () => {
  const leanCjs = require("conveyor-client");
  const storesCjs = require("conveyor-client/stores");
  assert.equal(leanCjs.ConveyorClient, lean.ConveyorClient);
  assert.equal(storesCjs.ConveyorClient, stores.ConveyorClient);
  assert.equal(storesCjs.MemoryStore, stores.MemoryStore);
  assert.notEqual(lean.ConveyorClient, stores.ConveyorClient);
  assert.match(require.resolve("conveyor-client/stores"), /dist\/stores\/node\.cjs$/);
  assert.match(import.meta.resolve("conveyor-client/stores"), /dist\/stores\/node\.mjs$/);
});

test("one set of error classes: an error from either build is an instance of the classes both export", async () => {
  for (const name of Object.keys(lean).filter((n) => n.endsWith("Error"))) {
    assert.equal(stores[name], lean[name], name);
    assert.equal(require("conveyor-client/stores")[name], lean[name], name);
  }
  // A 403 from the stores build's client, and a config error from each build.
  const c = new stores.ConveyorClient({ apiKey: KEYS.inactive, baseUrl: api() });
  const forbidden = await c.fetch("/exchange/connections").then(
    () => assert.fail("expected a 403"),
    (e) => e,
  );
  c.free();
  assert.ok(forbidden instanceof lean.ConveyorAuthError && forbidden instanceof lean.ConveyorError, `${forbidden}`);
  assert.equal(forbidden.status, 403);
  const fromStores = thrown(() => new stores.ConveyorClient({ apiKey: KEYS.full, baseUrl: api(), rateLimit: { fleetSize: 2 } }));
  assert.ok(fromStores instanceof lean.ConveyorConfigError, `${fromStores}`);
  const fromLean = thrown(() => new lean.ConveyorClient({ apiKey: KEYS.full, baseUrl: api(), rateLimit: { store: {} } }));
  assert.ok(fromLean instanceof stores.ConveyorConfigError, `${fromLean}`);
});

test("one bucket per key and base URL across the builds: the second build's client is refused, in either order", () => {
  const refusedAfter = (first, second) => {
    const a = new first.ConveyorClient({ apiKey: KEYS.full, baseUrl: api() });
    const e = thrown(() => new second.ConveyorClient({ apiKey: KEYS.full, baseUrl: api() }));
    assert.ok(e instanceof lean.ConveyorConfigError, `${e}`);
    assert.match(e.message, /conveyor-client\/stores/);
    assert.ok(!e.message.includes(KEYS.full), "the message never holds the key");
    // Within one build, clients of a key share its bucket as before.
    const same = new first.ConveyorClient({ apiKey: KEYS.full, baseUrl: api() });
    assert.equal(same.rateLimitState()?.limit, a.rateLimitState()?.limit);
    // Another key, another base URL or a private bucket is not that bucket.
    new second.ConveyorClient({ apiKey: KEYS.inactive, baseUrl: api() }).free();
    new second.ConveyorClient({ apiKey: KEYS.full, baseUrl: `${sb.url}/api/v3` }).free();
    new second.ConveyorClient({ apiKey: KEYS.full, baseUrl: api(), rateLimit: { shared: false } }).free();
    // Once the first build's clients are gone, so is its bucket.
    a.free();
    same.free();
    new second.ConveyorClient({ apiKey: KEYS.full, baseUrl: api() }).free();
  };
  refusedAfter(lean, stores);
  refusedAfter(stores, lean);
});

test("the builds' registry keeps no key in a global", () => {
  const before = new Set([...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis)]);
  const a = new lean.ConveyorClient({ apiKey: KEYS.full, baseUrl: api() });
  thrown(() => new stores.ConveyorClient({ apiKey: KEYS.full, baseUrl: api() }));
  const added = [...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis)].filter((k) => !before.has(k));
  assert.deepEqual(added, []);
  a.free();
});

test("CommonJS: require of both entries, one bucket per key across them and one set of classes", async () => {
  const main = `
    const lean = require("conveyor-client");
    const stores = require("conveyor-client/stores");
    const a = new stores.ConveyorClient({ apiKey: ${JSON.stringify(KEYS.full)}, baseUrl: "http://127.0.0.1:9/api/v2" });
    let e;
    try { new lean.ConveyorClient({ apiKey: ${JSON.stringify(KEYS.full)}, baseUrl: "http://127.0.0.1:9/api/v2" }); } catch (x) { e = x; }
    console.log(JSON.stringify({
      refused: e instanceof stores.ConveyorConfigError && e instanceof lean.ConveyorError,
      sameClasses: stores.ConveyorError === lean.ConveyorError,
      leanHasStore: "MemoryStore" in lean,
      alive: a.rateLimitState() !== null,
    }));`;
  // The script on stdin, not in `-e`: it holds a key, and a command line is visible to every
  // process on the machine (the CLI's tests check `ps` for keys while this may run).
  const node = run(process.execPath, []);
  node.child.stdin.end(main);
  const { stdout } = await node;
  assert.deepEqual(JSON.parse(stdout.trim()), { refused: true, sameClasses: true, leanHasStore: false, alive: true });
});
