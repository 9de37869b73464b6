// The examples in examples/, run against the sandbox through the packed package:
// the Node knowledge-base export and the Cloudflare Worker listing the access-request queue.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { ConveyorClient } from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { startWorker } from "./lib/workerd.mjs";

// scripts/e2e.sh runs the tests from <repo>/target/e2e/project (PWD keeps that path even
// when target/ is a symlink); the examples live in the repo.
const repo = process.env.REPO_ROOT ?? resolve(process.env.PWD ?? process.cwd(), "../../..");
const examples = join(repo, "examples");
// Copied into the project, so `import "conveyor-client"` resolves to the packed tarball.
const local = join(process.cwd(), "examples");

let sb;
before(async () => {
  assert.ok(existsSync(join(examples, "export-knowledge-base.mjs")), `examples not found under ${examples} (set REPO_ROOT)`);
  mkdirSync(join(local, "worker-access-queue"), { recursive: true });
  copyFileSync(join(examples, "export-knowledge-base.mjs"), join(local, "export-knowledge-base.mjs"));
  copyFileSync(join(examples, "worker-access-queue/worker.mjs"), join(local, "worker-access-queue/worker.mjs"));
  sb = await startSandbox();
});
after(async () => {
  await sb?.stop();
});

test("export-knowledge-base.mjs exports every question with a progress line", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "kb-")), "kb.json");
  const { stderr } = await promisify(execFile)(
    process.execPath,
    [join(local, "export-knowledge-base.mjs"), out, "--per-page", "50"],
    { env: { ...process.env, CONVEYOR_API_KEY: KEYS.full, CONVEYOR_BASE_URL: sb.api } },
  );
  const doc = JSON.parse(readFileSync(out, "utf8"));
  const client = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false });
  const expected = await client.knowledgeBase.questions.list().toArray();
  assert.equal(doc.count, expected.length);
  assert.deepEqual(
    doc.questions.map((q) => q.id),
    expected.map((q) => q.id),
  );
  assert.ok(doc.questions.every((q) => "question" in q && "answer" in q), "records are exported whole");
  const first = await client.knowledgeBase.questions.list({ per_page: 50 });
  const lines = stderr.split("\n").filter((l) => l.startsWith("exporting the knowledge base"));
  assert.equal(lines.length, first.total_pages, `one progress line per page:\n${stderr}`);
  assert.match(lines.at(-1), new RegExp(`page ${first.total_pages}/${first.total_pages}, ${expected.length} questions`));
  assert.match(stderr, new RegExp(`wrote ${expected.length} questions`));
});

test("export-knowledge-base.mjs fails cleanly with a read-less key", async () => {
  const r = await promisify(execFile)(process.execPath, [join(local, "export-knowledge-base.mjs"), join(tmpdir(), "never.json")], {
    env: { ...process.env, CONVEYOR_API_KEY: KEYS.inactive, CONVEYOR_BASE_URL: sb.api },
  }).catch((e) => e);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ConveyorAuthError \(forbidden\)/);
  assert.ok(!r.stderr.includes(KEYS.inactive), "the key is not printed");
});

test("worker-access-queue lists the open access-request queue in workerd", async () => {
  const entry = join(local, "worker-access-queue/worker.mjs");
  const built = await startWorker(entry);
  await built.mf.dispose();
  // Same bundle, now with the bindings wrangler.toml declares.
  const wasmPath = join(process.cwd(), "node_modules/conveyor-client/dist/web/conveyor_client_bg.wasm");
  const mf = new Miniflare({
    modules: [
      { type: "ESModule", path: "worker.mjs", contents: built.bundle },
      ...built.wasmModules.map((name) => ({ type: "CompiledWasm", path: name, contents: readFileSync(wasmPath) })),
    ],
    compatibilityDate: "2025-06-01",
    bindings: { CONVEYOR_API_KEY: KEYS.full, CONVEYOR_BASE_URL: sb.api },
  });
  try {
    const client = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false });
    const expected = await client.exchange.authorizationRequests.queue().toArray();
    const json = await (await mf.dispatchFetch("http://worker.test/?format=json")).json();
    assert.equal(json.count, expected.length);
    assert.deepEqual(
      json.requests.map((r) => r.id),
      expected.map((r) => r.id),
    );
    assert.ok(json.count > 0, "the sandbox's queue is not empty");
    const html = await (await mf.dispatchFetch("http://worker.test/", { headers: { accept: "text/html" } })).text();
    assert.match(html, new RegExp(`${expected.length} open access request`));
    assert.ok(html.includes(expected[0].email.replace(/&/g, "&amp;")));
  } finally {
    await mf.dispose();
  }
  // A bad key answers 502 with the typed error's code, never the key.
  const bad = new Miniflare({
    modules: [
      { type: "ESModule", path: "worker.mjs", contents: built.bundle },
      ...built.wasmModules.map((name) => ({ type: "CompiledWasm", path: name, contents: readFileSync(wasmPath) })),
    ],
    compatibilityDate: "2025-06-01",
    bindings: { CONVEYOR_API_KEY: KEYS.inactive, CONVEYOR_BASE_URL: sb.api },
  });
  try {
    const res = await bad.dispatchFetch("http://worker.test/?format=json");
    assert.equal(res.status, 502);
    const text = await res.text();
    assert.match(text, /forbidden/);
    assert.ok(!text.includes(KEYS.inactive));
  } finally {
    await bad.dispose();
  }
});
