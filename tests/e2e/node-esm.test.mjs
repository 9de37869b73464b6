// The packed tarball, installed into a scratch project, imported from Node as ESM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { inspect, promisify } from "node:util";
import { execFile } from "node:child_process";
import * as pkg from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { KEYS } from "./lib/sandbox.mjs";
import { runScenario } from "./lib/scenario.mjs";
import { startWebhookSandbox } from "./lib/webhooks.mjs";

const run = promisify(execFile);

let sb;
before(async () => {
  sb = await startWebhookSandbox();
});
after(() => sb.stop());

test("the node/import condition resolves to the Node ESM entry", () => {
  // dist/node.mjs itself: no re-exporting file in between (one module fewer at import).
  assert.match(import.meta.resolve("conveyor-client"), /conveyor-client\/dist\/node\.mjs$/);
});

test("importing the package hands no CommonJS module to Node's ESM loader (whose export scan of the glue cost half the import time)", async () => {
  // A load hook in a fresh process records the format of every module the ESM loader loads.
  const hooks = `export async function load(url, context, next) {
    const r = await next(url, context);
    if (r.format === "commonjs" && url.includes("conveyor-client")) console.log("CJS " + url);
    return r;
  }`;
  const main = `import { register } from "node:module";
    register(${JSON.stringify("data:text/javascript," + encodeURIComponent(hooks))});
    const m = await import("conveyor-client");
    console.log("OK " + typeof m.ConveyorClient + " " + new m.ConveyorClient({ apiKey: "sk_test_x" }).baseUrl);`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", main]);
  const lines = stdout.trim().split("\n");
  assert.deepEqual(lines.filter((l) => l.startsWith("CJS ")), []);
  assert.match(lines.at(-1), /^OK function https:\/\//);
});

test("the .wasm is read at the package's first use, not at import; a failed read is thrown by each use until one succeeds", async () => {
  // A fresh process whose fs.readFileSync records (and the first time refuses) every .wasm read.
  const main = `import fs from "node:fs";
    const read = fs.readFileSync;
    let reads = 0;
    fs.readFileSync = function (p, ...rest) {
      if (String(p).endsWith(".wasm") && reads++ === 0) throw new Error("the .wasm could not be read");
      return read.call(this, p, ...rest);
    };
    const { ConveyorClient, ConveyorConfigError } = await import("conveyor-client");
    const out = { atImport: reads };
    try { new ConveyorClient({ apiKey: "sk_test_x" }); } catch (e) { out.firstUse = e.message; }
    try { new ConveyorClient({}); } catch (e) { out.badOptions = e instanceof ConveyorConfigError && e.message; }
    out.baseUrl = new ConveyorClient({ apiKey: "sk_test_x" }).baseUrl;
    out.reads = reads;
    console.log(JSON.stringify(out));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", main]);
  assert.deepEqual(JSON.parse(stdout.trim().split("\n").at(-1)), {
    atImport: 0,
    firstUse: "the .wasm could not be read",
    badOptions: "`apiKey` is required",
    baseUrl: "https://api.conveyor.com/api/v2",
    reads: 2,
  });
});

test("the shared scenario passes in Node (ESM)", async () => {
  const result = await runScenario(pkg, { sandbox: sb.url, keys: KEYS, webhookSecret: sb.webhookSecret }, stores);
  assert.deepEqual(result.failures, []);
});

test("the key never shows in JSON.stringify, String or util.inspect of a client", () => {
  const client = new pkg.ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api });
  for (const text of [JSON.stringify(client), String(client), inspect(client, { showHidden: true, depth: 5 })]) {
    assert.ok(!text.includes(KEYS.full), text);
  }
  assert.match(JSON.stringify(client), /sk_t…/);
});

test("a fetch passed in the options is used instead of the global one", async () => {
  const seen = [];
  const client = new pkg.ConveyorClient({
    apiKey: KEYS.full,
    baseUrl: sb.api,
    fetch: (url, init) => {
      seen.push(url);
      return fetch(url, init);
    },
  });
  const res = await client.fetch("/exchange/connections");
  assert.equal(res.status, 200);
  assert.deepEqual(seen, [`${sb.api}/exchange/connections`]);
});

test("verifyWebhook without a working WebCrypto rejects with a ConveyorConfigError, the secret nowhere in it", async () => {
  const secret = "whsec_" + Buffer.from("a webhook secret of 24 b").toString("base64");
  const { Webhook } = await import("./lib/vendor/svix.mjs");
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const body = '{"type":"access.requested"}';
  const headers = { "svix-id": "msg_1", "svix-timestamp": String(now.getTime() / 1000), "svix-signature": new Webhook(secret).sign("msg_1", now, body) };
  const verify = () => pkg.verifyWebhook({ secret, now, headers, body });
  assert.equal((await verify()).type, "access.requested", "verifies with the platform's WebCrypto");
  const real = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const withCrypto = async (fake) => {
    Object.defineProperty(globalThis, "crypto", { value: fake, configurable: true, writable: true });
    try {
      return await verify().then(() => null, (e) => e);
    } finally {
      Object.defineProperty(globalThis, "crypto", real);
    }
  };
  const subtle = globalThis.crypto.subtle;
  const fakes = {
    "no crypto": undefined,
    "no crypto.subtle": {},
    "a sign that rejects": { subtle: { importKey: (...a) => subtle.importKey(...a), sign: () => Promise.reject(new Error("no")) } },
    "a sign that answers a short MAC": { subtle: { importKey: (...a) => subtle.importKey(...a), sign: async () => new ArrayBuffer(8) } },
  };
  for (const [what, fake] of Object.entries(fakes)) {
    const e = await withCrypto(fake);
    assert.ok(e instanceof pkg.ConveyorConfigError, `${what}: ${e}`);
    assert.match(e.message, /needs WebCrypto/, what);
    assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(secret.slice(6)), what);
  }
});

// A throw inside the wasm's await chain used to leave the promise pending: the timeout fails
// the test instead of hanging it.
test("verifyWebhook: a body view whose getters throw or lie is a ConveyorConfigError, and the instance still verifies", { timeout: 10_000 }, async () => {
  const secret = "whsec_" + Buffer.from("a webhook secret of 24 b").toString("base64");
  const { Webhook } = await import("./lib/vendor/svix.mjs");
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const body = '{"type":"access.requested"}';
  const headers = { "svix-id": "msg_1", "svix-timestamp": String(now.getTime() / 1000), "svix-signature": new Webhook(secret).sign("msg_1", now, body) };
  class Throwing extends Uint8Array {
    get byteOffset() {
      throw new Error("hostile getter");
    }
  }
  class Lying extends Uint8Array {
    get byteLength() {
      return 1e9;
    }
  }
  for (const [what, view] of [["a throwing byteOffset", new Throwing(4)], ["a byteLength past the buffer", new Lying(4)]]) {
    const e = await pkg.verifyWebhook({ secret, now, headers, body: view }).then(() => null, (e) => e);
    assert.ok(e instanceof pkg.ConveyorConfigError, `${what}: ${e}`);
  }
  assert.equal((await pkg.verifyWebhook({ secret, now, headers, body: Buffer.from(body) })).type, "access.requested");
});
