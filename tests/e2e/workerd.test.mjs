// The packed package inside real workerd (miniflare), bundled with the `workerd` condition.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { startWorker } from "./lib/workerd.mjs";

let sb;
let worker;
before(async () => {
  sb = await startSandbox();
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
  const q = new URLSearchParams({ sandbox: sb.url, keys: JSON.stringify(KEYS) });
  const res = await worker.mf.dispatchFetch(`http://worker.test/?${q}`);
  const result = await res.json();
  assert.deepEqual(result.failures, []);
});
