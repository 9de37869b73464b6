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

test("the workerd condition picked the entries that import the .wasm as a module (the lean build's and the stores build's)", () => {
  assert.deepEqual(worker.wasmModules.sort(), ["conveyor_client_bg.wasm", "conveyor_client_stores_bg.wasm"]);
  assert.match(worker.bundle, /entries\/load-workerd\.mjs/);
  assert.match(worker.bundle, /dist\/stores\/entries\/load-workerd\.mjs/);
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
  // A token is often handed over while serving another request (its timer fired first, or
  // it is still busy after its own response: `holdMs`); the waiter must still go on in its
  // own request, or its `fetch` (slowed by `latencyMs`, so it outlives the waiter's timers)
  // belongs to the other one and workerd cancels the waiter as hung.
  const w = await startWorker(new URL("./runtimes/module-client.mjs", import.meta.url).pathname);
  try {
    const WINDOW_MS = 300;
    const LATENCY_MS = 100;
    const N = 4;
    const q = new URLSearchParams({
      api: sb.api,
      key: KEYS.bench,
      windowMs: String(WINDOW_MS),
      latencyMs: String(LATENCY_MS),
      holdMs: String(WINDOW_MS + LATENCY_MS),
    });
    // A request resumed in another one can also leave the token it holds unsettled for good
    // (its `fetch` died with that request), and the rest then wait forever: bounded here.
    const answer = (r) =>
      r.text().then((text) => {
        try {
          return JSON.parse(text);
        } catch {
          return { error: text.slice(0, 200) };
        }
      });
    const results = await Promise.all(
      Array.from({ length: N }, () =>
        Promise.race([
          w.mf.dispatchFetch(`http://worker.test/?${q}`).then(answer),
          new Promise((r) => setTimeout(r, 15_000, { error: "no answer within 15 s" }).unref()),
        ]),
      ),
    );
    assert.deepEqual(results.map((r) => r.error ?? r.status), Array(N).fill(200));
    // One token: each response comes at least a window after the one before (the limiter
    // settles a token when its response arrives and sends the next a window later). Measured
    // between responses, not from each request's start: a request that arrives after the
    // first response has less than a window left to wait. workerd's clock reads whole ms
    // (and moves only on I/O), so a reading may lose up to 1 ms.
    const done = results.map((r) => r.doneAt).sort((a, b) => a - b);
    const gaps = done.slice(1).map((t, i) => t - done[i]);
    assert.ok(gaps.every((g) => g >= WINDOW_MS - 1), `gaps between responses ${gaps}`);
    assert.ok(done[N - 1] - done[0] < (N - 1) * (WINDOW_MS + LATENCY_MS) + 1000, `gaps ${gaps}`);
  } finally {
    await w.mf.dispose();
  }
});
