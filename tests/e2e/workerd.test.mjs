// The packed package inside real workerd (miniflare), bundled with the `workerd` condition.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS } from "./lib/sandbox.mjs";
import { startWebhookSandbox } from "./lib/webhooks.mjs";
import { startWorker } from "./lib/workerd.mjs";

let sb;
let worker;
before(async () => {
  sb = await startWebhookSandbox();
  worker = await startWorker(new URL("./runtimes/worker.mjs", import.meta.url).pathname);
});
after(async () => {
  await worker?.mf.dispose();
  await sb?.stop();
});

test("the workerd condition picked the entry that imports the .wasm as a module", () => {
  assert.deepEqual(worker.wasmModules, ["conveyor_client_bg.wasm"]);
  assert.match(worker.bundle, /load-workerd\.mjs/);
});

test("the shared scenario passes in workerd", async () => {
  const q = new URLSearchParams({ sandbox: sb.url, keys: JSON.stringify(KEYS), webhookSecret: sb.webhookSecret });
  const res = await worker.mf.dispatchFetch(`http://worker.test/?${q}`);
  const result = await res.json();
  assert.deepEqual(result.failures, []);
});

test("a module-level client serves concurrent requests that wait for tokens (workerd scopes timers to a request)", async () => {
  // Each waiting request keeps a timer of its own: a wake-up armed by another request dies
  // with that request, and workerd cancels a request waiting on nothing of its own as hung.
  const w = await startWorker(new URL("./runtimes/module-client.mjs", import.meta.url).pathname);
  try {
    const WINDOW_MS = 300;
    const q = new URLSearchParams({ api: sb.api, key: KEYS.bench, windowMs: String(WINDOW_MS) });
    const results = await Promise.all(
      [0, 1, 2].map(() => w.mf.dispatchFetch(`http://worker.test/?${q}`).then((r) => r.json())),
    );
    assert.deepEqual(results.map((r) => r.error ?? r.status), [200, 200, 200]);
    const waits = results.map((r) => r.waitedMs).sort((a, b) => a - b);
    // One token: the second waits a window after the first response, the third two.
    assert.ok(waits[1] >= WINDOW_MS && waits[2] >= 2 * WINDOW_MS, `waited ${waits}`);
    assert.ok(waits[2] < 2 * WINDOW_MS + 1000, `waited ${waits}`);
  } finally {
    await w.mf.dispose();
  }
});
