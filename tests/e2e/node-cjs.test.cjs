// The packed tarball, installed into a scratch project, loaded from Node with require().
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const pkg = require("conveyor-client");
const stores = require("conveyor-client/stores");

let sb;
let lib;
before(async () => {
  lib = {
    ...(await import("./lib/sandbox.mjs")),
    ...(await import("./lib/scenario.mjs")),
    ...(await import("./lib/webhooks.mjs")),
  };
  sb = await lib.startWebhookSandbox();
});
after(() => sb.stop());

test("the node/require condition resolves to the CommonJS entry", () => {
  // dist/node.cjs itself: no re-exporting file in between.
  assert.match(require.resolve("conveyor-client"), /conveyor-client\/dist\/node\.cjs$/);
});

test("the shared scenario passes in Node (CommonJS)", async () => {
  const result = await lib.runScenario(pkg, { sandbox: sb.url, keys: lib.KEYS, webhookSecret: sb.webhookSecret }, stores);
  assert.deepEqual(result.failures, []);
});
