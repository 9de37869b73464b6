// The packed tarball, installed into a scratch project, imported from Node as ESM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import * as pkg from "conveyor-client";
import { KEYS } from "./lib/sandbox.mjs";
import { runScenario } from "./lib/scenario.mjs";
import { startWebhookSandbox } from "./lib/webhooks.mjs";

let sb;
before(async () => {
  sb = await startWebhookSandbox();
});
after(() => sb.stop());

test("the node/import condition resolves to the Node ESM entry", () => {
  assert.match(import.meta.resolve("conveyor-client"), /entries\/node\.mjs$/);
});

test("the shared scenario passes in Node (ESM)", async () => {
  const result = await runScenario(pkg, { sandbox: sb.url, keys: KEYS, webhookSecret: sb.webhookSecret });
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
