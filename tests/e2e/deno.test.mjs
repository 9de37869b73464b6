// The packed package in real Deno, resolved through the project's node_modules.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { KEYS } from "./lib/sandbox.mjs";
import { startWebhookSandbox } from "./lib/webhooks.mjs";

let sb;
before(async () => {
  sb = await startWebhookSandbox();
});
after(() => sb.stop());

test("the shared scenario passes in Deno, through the deno entry", async () => {
  const script = new URL("./runtimes/deno.mjs", import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(
    "deno",
    // The keys and the secret go in the environment: a command line is visible to every
    // process on the machine (the CLI's tests check `ps` for keys while this may run).
    ["run", "--quiet", "--allow-net=127.0.0.1", "--allow-read", "--allow-env=SCENARIO_KEYS,SCENARIO_WEBHOOK_SECRET", script, sb.url],
    {
      env: {
        ...process.env,
        DENO_NO_UPDATE_CHECK: "1",
        NO_COLOR: "1",
        SCENARIO_KEYS: JSON.stringify(KEYS),
        SCENARIO_WEBHOOK_SECRET: sb.webhookSecret,
      },
    },
  );
  const result = JSON.parse(stdout.trim().split("\n").pop());
  assert.deepEqual(result.failures, []);
  assert.match(result.resolved, /entries\/deno\.mjs$/);
});
