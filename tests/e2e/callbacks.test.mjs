// How the JS calls back into the .wasm: through exports that each glue hands its snippets
// when it loads (the calls' `done`, the scheduler timer's `tick`, the build's bucket check
// for the other build), never through a function Rust makes at run time. What that must
// keep: a timer that fires for a scheduler gone is nothing (never a trap), a build that was
// never used is not loaded to answer the other's question, and none of those exports is
// part of the package's surface.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as lean from "conveyor-client";
import * as stores from "conveyor-client/stores";

const require = createRequire(import.meta.url);
const dist = fileURLToPath(new URL("../../node_modules/conveyor-client/dist/", import.meta.url));
// A key of the right shape; no request leaves the process (each client has its own `fetch`).
const KEY = "sk_test_callbacks_0123456789";

/** Runs `script` in a fresh Node process (on stdin: it holds a key); its stdout, stderr and exit code. */
async function node(script, args = []) {
  const child = spawn(process.execPath, args, { cwd: process.cwd() });
  child.stdin.end(script);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise((r) => child.on("exit", r));
  return { code, stdout, stderr };
}

test("a scheduler's timer that fires after its client is gone does nothing, even once its number is another scheduler's", async () => {
  // `clearTimeout` made a no-op, so every timer the scheduler ever set fires: the one of a
  // client freed, and (the numbers are reused) onto the next client's scheduler.
  const script = `
    globalThis.clearTimeout = () => {};
    const { ConveyorClient } = await import("conveyor-client");
    const fetch = async () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    const opts = { apiKey: ${JSON.stringify(KEY)}, fetch, rateLimit: { limit: 1, windowMs: 150, shared: false } };
    const a = new ConveyorClient(opts);
    await a.request("GET", "/exchange/folders");
    // Queued: the scheduler's timer is set for the token's return, 150 ms after the response.
    const ctl = new AbortController();
    const queued = a.request("GET", "/exchange/folders", { signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 20));
    ctl.abort();
    const aborted = await queued.then(() => "resolved", (e) => e.code);
    a.free();
    // A new scheduler, under the number of the one just gone: the stale timer ticks it.
    const b = new ConveyorClient(opts);
    await b.request("GET", "/exchange/folders");
    const early = b.request("GET", "/exchange/folders");
    const second = await early.then(() => "resolved", (e) => e.code);
    // Past every timer either client set.
    await new Promise((r) => setTimeout(r, 400));
    console.log(JSON.stringify({ aborted, second, limit: b.rateLimitState().limit }));
    // Each attempt's deadline timer, never cleared here either, would hold the process.
    process.exit(0);
  `;
  const { code, stdout, stderr } = await node(script, ["--input-type=module"]);
  assert.equal(stderr, "", "nothing thrown from a timer");
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout.trim()), { aborted: "aborted", second: "resolved", limit: 1 });
});

test("in Node a build is loaded only when used: making a client does not load the other build to ask it", async () => {
  const script = `
    let instances = 0;
    WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
      construct(target, args, newTarget) {
        instances++;
        return Reflect.construct(target, args, newTarget);
      },
    });
    const lean = require("conveyor-client");
    const stores = require("conveyor-client/stores");
    const opts = { apiKey: ${JSON.stringify(KEY)}, baseUrl: "http://127.0.0.1:9/api/v2" };
    const a = new lean.ConveyorClient(opts);
    const afterLean = instances;
    // The stores build, loaded now, asks the lean one, which holds the key's bucket.
    let refused = false;
    try {
      new stores.ConveyorClient(opts);
    } catch (e) {
      refused = e instanceof lean.ConveyorConfigError;
    }
    console.log(JSON.stringify({ afterLean, afterStores: instances, refused }));
  `;
  const { code, stdout, stderr } = await node(script);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout.trim()), { afterLean: 1, afterStores: 2, refused: true });
});

test("the glue's hooks are its own: no entry exports them, and the .wasm makes no wasm-bindgen closure", () => {
  const internal = /^(__|setDone$|timer$|scopedTimers$|addBucketCheck$|bucketElsewhere$)/;
  for (const surface of [lean, stores, require("conveyor-client"), require("conveyor-client/stores")]) {
    assert.deepEqual(Object.keys(surface).filter((n) => internal.test(n)), []);
  }
  for (const glue of ["web/conveyor_client.js", "stores/conveyor_client_stores.js", "node.cjs", "stores/node.cjs"]) {
    const text = readFileSync(dist + glue, "utf8");
    assert.doesNotMatch(text, /^export function __/m, glue);
    assert.doesNotMatch(text, /makeMutClosure|makeClosure|CLOSURE_DTORS/, glue);
    // navigator.userAgent is read by the snippet, not through js_sys::global().
    assert.doesNotMatch(text, /typeof global === 'undefined'/, glue);
  }
});
