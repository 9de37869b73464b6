// conveyor-client/durable-object in real workerd (miniflare), bundled the way wrangler
// bundles a Worker: the store protocol through durableObjectStore -> stub -> RPC -> the
// ConveyorRateLimiter object, its persistence across a restart of the runtime, and its
// cleanup. No fetch or Durable Object is mocked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import { bundleWorker } from "./lib/workerd.mjs";
import { typecheck } from "./lib/check.mjs";
import { runStoreConformance } from "./lib/store-conformance.mjs";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";

const runtimes = new URL("./runtimes/", import.meta.url).pathname;
const COMPAT = "2025-06-01";

// The fleet test's budget: the sandbox allows LIMIT requests in any rolling WINDOW_MS.
const LIMIT = 40;
const WINDOW_MS = 4000;
/** How long after the test sends the fleet's requests all members start together. */
const GO_AFTER_MS = 1000;

let host; // the bundled do-host.mjs
let fleet; // the bundled do-fleet.mjs
let sb;
const dirs = [];
before(async () => {
  [host, fleet] = await Promise.all([bundleWorker(join(runtimes, "do-host.mjs")), bundleWorker(join(runtimes, "do-fleet.mjs"))]);
  sb = await startSandbox(["--rate-limit", `${LIMIT}/${WINDOW_MS / 1000}`]);
});
after(async () => {
  await sb?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Miniflare options of the DO host worker; SQLite-backed, as `new_sqlite_classes` makes them. */
function hostWorker(extra = {}) {
  return {
    name: "host",
    modules: host.modules,
    compatibilityDate: COMPAT,
    durableObjects: {
      LIMITER: { className: "ConveyorRateLimiter", useSQLite: true },
      INSPECT: { className: "InspectableLimiter", useSQLite: true },
    },
    ...extra,
  };
}

/** A store object in Node whose calls run durableObjectStore(env[ns]) inside workerd. */
function remoteStore(mf, ns = "LIMITER") {
  // JSON would turn NaN and Infinity into null: they travel as { $num } (see do-host.mjs).
  const encode = (req) => JSON.stringify({ req }, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? { $num: String(v) } : v));
  const call = (op) => async (req) => {
    const res = await mf.dispatchFetch(`http://host.test/store/${op}?ns=${ns}`, { method: "POST", body: encode(req) });
    const out = await res.json();
    if (out.error) {
      const E = out.error.name === "TypeError" ? TypeError : Error;
      throw new E(out.error.message);
    }
    return out.value ?? undefined;
  };
  return { acquire: call("acquire"), settle: call("settle"), release: call("release") };
}

const inspect = async (mf, bucket) => (await mf.dispatchFetch(`http://host.test/inspect?bucket=${bucket}`)).json();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const persistDir = () => {
  const d = mkdtempSync(join(tmpdir(), "conveyor-do-"));
  dirs.push(d);
  return d;
};

test("bundled as wrangler does: cloudflare:workers stays external, one CompiledWasm module (the stores build's)", () => {
  assert.deepEqual(host.wasmModules, ["conveyor_client_stores_bg.wasm"]);
  assert.match(host.bundle, /from "cloudflare:workers"/);
  assert.match(host.bundle, /load-workerd\.mjs/);
});

test("the declarations type-check strict usage", () => typecheck("durable-object-usage.ts"));

test("the store protocol's conformance checks, through stub, RPC and object", async (t) => {
  const mf = new Miniflare(hostWorker());
  try {
    const store = remoteStore(mf);
    await runStoreConformance(t, () => store);
  } finally {
    await mf.dispose();
  }
});

test("a bad namespace or bucket is a TypeError, not a stub call", async () => {
  const mf = new Miniflare(hostWorker());
  try {
    const store = remoteStore(mf);
    await assert.rejects(store.acquire({ bucket: "", want: 1, limit: 1, windowMs: 1, holdMs: 0 }), TypeError);
    await assert.rejects(store.acquire({ bucket: "b", want: 0, limit: 1, windowMs: 1, holdMs: 0 }), /want/);
    await assert.rejects(store.settle({ bucket: "b", tokens: "1", windowMs: 1 }), /tokens/);
    // An unbound name: the function refuses it before any call.
    await assert.rejects(remoteStore(mf, "NOPE").acquire({ bucket: "b", want: 1, limit: 1, windowMs: 1, holdMs: 0 }), /namespace binding/);
  } finally {
    await mf.dispose();
  }
});

test("the ledger survives a restart of the runtime (same persist directory)", async () => {
  const dir = persistDir();
  const bucket = "persist-" + Date.now();
  const req = { bucket, limit: 5, windowMs: 60_000, holdMs: 1_000 };
  let first;
  let epoch;
  const mf1 = new Miniflare(hostWorker({ durableObjectsPersist: dir }));
  try {
    const store = remoteStore(mf1, "INSPECT");
    ({ tokens: first, epoch } = await store.acquire({ ...req, want: 3 }));
    assert.equal(first.length, 3);
    await store.settle({ bucket, tokens: [first[0]], windowMs: req.windowMs });
    // A settle of an id the ledger never granted counts (conservative) and is written.
    await store.settle({ bucket, tokens: ["77"], windowMs: req.windowMs });
    const stored = await inspect(mf1, bucket);
    assert.deepEqual(stored.keys, ["c0", "meta"]);
    assert.deepEqual(
      stored.meta.buckets.map(([name, e, , tokens, carried]) => [name, e, tokens, carried]),
      [[bucket, epoch, 3, 1]], // "77" is no id of this epoch: an anonymous entry
    );
    assert.ok(stored.alarm > Date.now() + 50_000, "the cleanup alarm is set for when the last token frees");
  } finally {
    await mf1.dispose();
  }

  // A new workerd process: the object is constructed again and reads its storage.
  const mf2 = new Miniflare(hostWorker({ durableObjectsPersist: dir }));
  try {
    const store = remoteStore(mf2, "INSPECT");
    const t0 = Date.now();
    const again = await store.acquire({ ...req, want: 5 });
    assert.equal(again.tokens.length, 1, "4 of 5 are still occupied after the restart");
    assert.ok(again.retryInMs > 55_000 && again.retryInMs <= 60_000 + (Date.now() - t0), `retryInMs ${again.retryInMs}`);
    assert.equal(again.epoch, epoch, "the same memory: clients need not re-carry");
    assert.ok(again.tokens.every((t) => !first.includes(t)), "new ids never repeat old ones");
    // A token granted before the restart can still be released.
    await store.release({ bucket, tokens: [first[2]] });
    const freed = await store.acquire({ ...req, want: 5 });
    assert.equal(freed.tokens.length, 1, "the released pre-restart token freed its place");
  } finally {
    await mf2.dispose();
  }
});

test("an empty ledger deletes its storage; the next call starts a new epoch", async () => {
  const mf = new Miniflare(hostWorker());
  try {
    const store = remoteStore(mf, "INSPECT");
    const bucket = "cleanup-" + Date.now();
    const req = { bucket, limit: 3, windowMs: 300, holdMs: 0 };
    const { tokens: a, epoch } = await store.acquire({ ...req, want: 2 });
    await store.settle({ bucket, tokens: a, windowMs: req.windowMs });
    let s = await inspect(mf, bucket);
    assert.deepEqual(s.keys, ["c0", "meta"]);
    assert.ok(s.alarm !== null);
    // The alarm fires when the last entry frees (~300 ms); allow for a slow machine.
    const deadline = Date.now() + 5_000;
    do {
      await sleep(100);
      s = await inspect(mf, bucket);
    } while (s.keys.length > 0 && Date.now() < deadline);
    assert.deepEqual(s.keys, [], "storage is empty once nothing occupies the window");
    assert.equal(s.alarm, null);
    const after = await store.acquire({ ...req, want: 3 });
    assert.equal(after.tokens.length, 3, "the whole limit is free again");
    assert.notEqual(after.epoch, epoch, "a new memory, a new epoch");
    assert.ok(after.tokens.every((t) => !a.includes(t) && t.startsWith(`${after.epoch}-`)), `ids ${after.tokens} vs ${a}`);
  } finally {
    await mf.dispose();
  }
});

test("4 isolates, one key, one Durable Object: no 429, the busiest window holds the limit, each freed place granted again promptly", async () => {
  const MEMBERS = 4;
  const WINDOWS = 4; // 4 windows' worth of requests: the run spans 3 windows
  const perMember = (WINDOWS * LIMIT) / MEMBERS;
  // Each member is a separate Worker, so its own isolate with its own wasm instance and
  // client; all bind the host's ConveyorRateLimiter (through the recording subclass).
  const members = Array.from({ length: MEMBERS }, (_, i) => ({
    name: `member-${i}`,
    modules: fleet.modules,
    compatibilityDate: COMPAT,
    bindings: { CONVEYOR_API_KEY: KEYS.bench, CONVEYOR_BASE_URL: sb.api },
    durableObjects: { CONVEYOR_LIMITER: { className: "InspectableLimiter", scriptName: "host", useSQLite: true } },
  }));
  // Everything Miniflare and workerd print (console output of every isolate included).
  const logs = [];
  const log = new (class extends Log {
    log(message) {
      logs.push(message);
    }
  })(LogLevel.DEBUG);
  const handleRuntimeStdio = (stdout, stderr) => {
    for (const s of [stdout, stderr]) s.on("data", (chunk) => logs.push(String(chunk)));
  };
  const mf = new Miniflare({ log, handleRuntimeStdio, workers: [hostWorker(), ...members] });
  try {
    const workers = await Promise.all(members.map((m) => mf.getWorker(m.name)));
    // Start-up (workerd, each isolate's wasm) is not the limiter's to account for.
    for (const w of workers) assert.equal(await (await w.fetch("http://member.test/?ping")).text(), "pong");
    await sb.reset();
    // One go for all: Node dispatches the four requests one after another (hundreds of ms
    // apart on a busy machine), and a member that starts late is no part of the limiter.
    const at = Date.now() + GO_AFTER_MS;
    const q = new URLSearchParams({ n: String(perMember), limit: String(LIMIT), windowMs: String(WINDOW_MS), fleet: String(MEMBERS), at: String(at) });
    const t0 = Date.now();
    const results = await Promise.all(workers.map(async (w) => (await w.fetch(`http://member.test/?${q}`)).json()));
    const wall = Date.now() - t0;

    for (const r of results) {
      assert.deepEqual(r.failures, [], "no request failed");
      assert.deepEqual(r.statuses, [], "every response was a 200");
      assert.equal(r.ok, perMember);
      assert.deepEqual(r.events, [], "the store never failed over to the local share");
    }
    const stats = (await sb.stats()).keys.bench;
    assert.equal(stats.rate_limited, 0, "zero 429s");
    assert.equal(stats.ok, WINDOWS * LIMIT);
    assert.equal(stats.max_in_window, LIMIT, "the busiest rolling window held exactly the limit");
    // Throughput. The sandbox admits at most LIMIT arrivals in any rolling window, so
    // WINDOWS * LIMIT requests cannot all have arrived sooner than (WINDOWS - 1) * WINDOW_MS
    // after the first. The fleet's share of the allowance is that ideal over the time the
    // fleet took: from the object's first grant to the last response arriving, on workerd's
    // clock. Before it, nothing the limiter decides: Node's dispatch into Miniflare
    // (`wall`), each member's start, and the object's cold start on its first call (up to
    // 300 ms on a busy machine). That share is printed, not asserted: the limiter is
    // conservative, a place is free again one window after its response (its settle), so
    // every window also waits for the previous batch's responses, which a slow machine
    // stretches (94% of the allowance at 250 ms per batch) and no limiter can shorten.
    const trace = await (await mf.dispatchFetch("http://host.test/trace")).json();
    const firstGrant = Math.min(...trace.filter((c) => c.op === "acquire" && c.tokens.length > 0).map((c) => c.at));
    const lastResponse = Math.max(...results.map((r) => r.finished));
    const ideal = (WINDOWS - 1) * WINDOW_MS;
    const span = lastResponse - firstGrant;
    const fraction = ideal / span;
    const firstStart = Math.min(...results.map((r) => r.started));
    console.log(
      `# fleet of ${MEMBERS}: ${WINDOWS * LIMIT} requests in ${span} ms from the first grant (ideal ${ideal} ms; ` +
        `${lastResponse - firstStart} ms from the go, ${firstGrant - firstStart} ms to the first grant, ${wall} ms from Node): ` +
        `${(fraction * 100).toFixed(1)}% of the allowance`,
    );
    // A slow run is a discrete event worth reading: what each member and the object saw.
    if (fraction < 0.95 || process.env.FLEET_TRACE) console.log(fleetTimeline(results, trace, WINDOW_MS, at));
    assert.ok(span >= ideal, `took ${span} ms: faster than the limit allows`);
    // What the limiter does control: how soon a freed place is granted again. With the
    // settles as the object received them, the i-th grant (in time order, i >= LIMIT) could
    // have come one window after the (i - LIMIT)-th settle at the earliest (at once after a
    // release); a fleet that left places free while its members waited (a lost settle, a
    // member sleeping a window too long, a retry hint too late) shows here.
    const late = placeLateness(trace, LIMIT, WINDOW_MS);
    console.log(`# fleet of ${MEMBERS}: a freed place was granted again ${late.mean.toFixed(0)} ms after it was free on average (at most ${late.max} ms)`);
    assert.ok(late.mean <= 0.05 * WINDOW_MS, `freed places waited ${late.mean.toFixed(0)} ms on average before a member took them`);
    // Every token came back: one left in flight would cost the others a place until its hold
    // ends. A member's last settles may still be on their way when its results arrive.
    assert.deepEqual(await unreturnedTokens(mf), [], "every granted token was settled or released");

    // What the Durable Object saw: a 32-hex-digit bucket, never the key.
    const received = await (await mf.dispatchFetch("http://host.test/received")).json();
    assert.ok(received.length > 0);
    const buckets = new Set(received.map((j) => JSON.parse(j).bucket));
    assert.equal(buckets.size, 1, "one bucket for one key");
    const [bucket] = buckets;
    assert.match(bucket, /^[0-9a-f]{32}$/);
    assert.ok(received.every((j) => !j.includes(KEYS.bench)), "no request to the object held the key");
    const stored = await inspect(mf, bucket);
    assert.ok(stored.keys.includes("meta"));
    assert.ok(!JSON.stringify(stored).includes(KEYS.bench), "nor does its storage");
    assert.ok(logs.some((l) => l.includes("fleet member done")), "the isolates' output was captured");
    assert.ok(!logs.some((l) => l.includes(KEYS.bench)), "no log line holds the key");
  } finally {
    await mf.dispose();
  }
});

/**
 * How late each grant came after its place was free, from the object's record: a settled
 * place is free one window after the settle, a released one at once, and the i-th grant
 * (i >= `limit`) needs the (i - `limit`)-th freed place. Mean and max, in ms.
 */
function placeLateness(trace, limit, windowMs) {
  const grants = trace.filter((c) => c.op === "acquire").flatMap((c) => c.tokens.map(() => c.at)).sort((a, b) => a - b);
  const frees = trace
    .filter((c) => c.op !== "acquire")
    .flatMap((c) => c.tokens.map(() => (c.op === "release" ? c.at : c.at + windowMs)))
    .sort((a, b) => a - b);
  const late = grants.slice(limit).map((g, i) => Math.max(0, g - frees[i]));
  return { mean: late.reduce((a, b) => a + b, 0) / Math.max(1, late.length), max: Math.max(0, ...late) };
}

/**
 * The tokens the InspectableLimiters granted and nobody settled or released, from the
 * object's record of every call; waits up to 2 s for settles still on their way. With
 * `granted`, checks that many tokens were granted in all.
 */
async function unreturnedTokens(mf, granted) {
  for (const deadline = Date.now() + 2_000; ; await sleep(50)) {
    const trace = await (await mf.dispatchFetch("http://host.test/trace")).json();
    const returned = new Set(trace.filter((c) => c.op !== "acquire").flatMap((c) => c.tokens));
    const all = trace.filter((c) => c.op === "acquire").flatMap((c) => c.tokens);
    if (granted !== undefined) assert.equal(all.length, granted);
    const lost = all.filter((id) => !returned.has(id));
    if (lost.length === 0 || Date.now() > deadline) return lost;
  }
}

/**
 * The fleet run as each member and the Durable Object saw it, in ms after the first member
 * started (every clock here is workerd's, in one process; `go` is the agreed start): for each member its responses
 * per window and each store call (sent -> answered: what went and what came back), then
 * the object's calls in order. Printed when a run is slow, so a lost window can be read.
 */
function fleetTimeline(results, trace, windowMs, go) {
  const t0 = Math.min(...results.map((r) => r.started));
  const lines = [];
  results.forEach((r, m) => {
    const off = r.started - t0;
    const perWindow = [];
    for (const at of r.responses) perWindow[Math.floor((at + off) / windowMs)] = (perWindow[Math.floor((at + off) / windowMs)] ?? 0) + 1;
    lines.push(`member ${m}: started +${off} (${r.started - go} ms after the go), finished +${r.finished - t0}, responses per window [${Array.from(perWindow, (n) => n ?? 0)}], events [${r.events}]`);
    for (const [op, sent, answered, asked, answer] of r.calls) {
      const when = `+${sent + off} -> ${answered === null ? "rejected" : `+${answered + off}`}`;
      if (op === "acquire") {
        const got = typeof answer === "string" ? answer : `got ${answer.tokens.length} [${answer.tokens}] retryInMs ${answer.retryInMs} occupied ${answer.occupied}`;
        lines.push(`  ${when} acquire want ${asked.want} carry ${asked.carry}: ${got}`);
      } else {
        lines.push(`  ${when} ${op} [${asked.tokens}]`);
      }
    }
  });
  // A token granted and never settled or released occupies the window until its hold
  // expires: the one kind of loss the object's record shows outright.
  const returned = new Set(trace.filter((c) => c.op !== "acquire").flatMap((c) => c.tokens));
  const unreturned = trace.filter((c) => c.op === "acquire").flatMap((c) => c.tokens.filter((id) => !returned.has(id)).map((id) => `${id} (+${c.at - t0})`));
  lines.push(`granted, never settled or released: [${unreturned.join(", ")}]`);
  lines.push("the object:");
  for (const c of trace) {
    const what = c.op === "acquire" ? `want ${c.want} carry ${c.carry}: got [${c.tokens}] retryInMs ${c.retryInMs} occupied ${c.occupied}` : `[${c.tokens}]`;
    lines.push(`  +${c.at - t0} ${c.op} ${what}`);
  }
  return lines.map((l) => `# ${l}`).join("\n");
}

test("every settle reaches the object, even a request's last ones, sent as its handler returns", async () => {
  // A client per request, as examples/worker-shared-limit has it: each request's last
  // settles leave after its responses arrived, while the handler returns. workerd cancels
  // what a finished request left running, and a settle cancelled on its way never arrives:
  // the object would hold that token as in flight for timeoutMs + 5 s and then a window.
  const MEMBERS = 4;
  const ROUNDS = 40;
  const PER_REQUEST = 5;
  // Its own sandbox, far from any limit: nobody waits, each request is five quick trips.
  const roomy = await startSandbox(["--rate-limit", "100000/4"]);
  const members = Array.from({ length: MEMBERS }, (_, i) => ({
    name: `member-${i}`,
    modules: fleet.modules,
    compatibilityDate: COMPAT,
    bindings: { CONVEYOR_API_KEY: KEYS.bench, CONVEYOR_BASE_URL: roomy.api },
    durableObjects: { CONVEYOR_LIMITER: { className: "InspectableLimiter", scriptName: "host", useSQLite: true } },
  }));
  const mf = new Miniflare({ workers: [hostWorker(), ...members] });
  try {
    const workers = await Promise.all(members.map((m) => mf.getWorker(m.name)));
    const q = new URLSearchParams({ n: String(PER_REQUEST), limit: "100000", windowMs: String(WINDOW_MS), fleet: String(MEMBERS) });
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(workers.map(async (w) => (await w.fetch(`http://member.test/?${q}`)).json()));
      for (const r of results) assert.equal(r.ok, PER_REQUEST, JSON.stringify(r.failures));
    }
    const lost = await unreturnedTokens(mf, MEMBERS * ROUNDS * PER_REQUEST);
    assert.deepEqual(lost, [], `${lost.length} of ${MEMBERS * ROUNDS * PER_REQUEST} tokens were never settled`);
  } finally {
    await mf.dispose();
    await roomy.stop();
  }
});

// scripts/e2e.sh runs the tests from <repo>/target/e2e/project; the example lives in the repo
// and is copied into the project, so its imports of `conveyor-client/stores` are the packed tarball.
const repo = process.env.REPO_ROOT ?? resolve(process.env.PWD ?? process.cwd(), "../../..");

/** The few settings of the example's wrangler.toml that Miniflare needs (a tiny reader). */
function wranglerSettings(toml) {
  const field = (section, name) => {
    const body = toml.split(/^\[/m).find((s) => s.startsWith(section)) ?? "";
    return body.match(new RegExp(`^${name}\\s*=\\s*(.+)$`, "m"))?.[1].trim();
  };
  const vars = {};
  for (const [, k, v] of (toml.split(/^\[/m).find((s) => s.startsWith("vars]")) ?? "").matchAll(/^(\w+)\s*=\s*"(.*)"$/gm)) vars[k] = v;
  return {
    main: JSON.parse(toml.match(/^main\s*=\s*(.+)$/m)[1]),
    compatibilityDate: JSON.parse(toml.match(/^compatibility_date\s*=\s*(.+)$/m)[1]),
    vars,
    binding: JSON.parse(field("[durable_objects.bindings]]", "name")),
    className: JSON.parse(field("[durable_objects.bindings]]", "class_name")),
    sqliteClasses: JSON.parse(field("[migrations]]", "new_sqlite_classes")),
  };
}

test("examples/worker-shared-limit: two isolates of it stay inside one scaled allowance", async () => {
  const dir = join(repo, "examples/worker-shared-limit");
  const cfg = wranglerSettings(readFileSync(join(dir, "wrangler.toml"), "utf8"));
  assert.equal(cfg.binding, "CONVEYOR_LIMITER");
  assert.deepEqual(cfg.sqliteClasses, [cfg.className], "the migration creates the bound class");
  const local = join(process.cwd(), "examples/worker-shared-limit");
  mkdirSync(local, { recursive: true });
  copyFileSync(join(dir, cfg.main), join(local, cfg.main));
  const example = await bundleWorker(join(local, cfg.main));

  // Its own sandbox: 6 requests per 1.5 s. Two isolates that each believed they owned
  // the whole allowance would send 12 at once and earn six 429s.
  const LIM = 6;
  const WIN = 1500;
  const small = await startSandbox(["--rate-limit", `${LIM}/${WIN / 1000}`]);
  const bindings = {
    ...cfg.vars,
    CONVEYOR_API_KEY: KEYS.full,
    CONVEYOR_BASE_URL: small.api,
    CONVEYOR_FLEET_SIZE: "2",
    CONVEYOR_LIMIT: String(LIM),
    CONVEYOR_WINDOW_MS: String(WIN),
  };
  const isolate = (name, scriptName) => ({
    name,
    modules: example.modules,
    compatibilityDate: cfg.compatibilityDate,
    bindings,
    durableObjects: { [cfg.binding]: { className: cfg.className, scriptName, useSQLite: true } },
  });
  const mf = new Miniflare({ workers: [isolate("example-a"), isolate("example-b", "example-a")] });
  try {
    const workers = await Promise.all(["example-a", "example-b"].map((n) => mf.getWorker(n)));
    const t0 = Date.now();
    const responses = await Promise.all(
      workers.flatMap((w) => Array.from({ length: LIM }, () => w.fetch("http://example.test/?page=1").then(async (r) => [r.status, await r.json()]))),
    );
    const elapsed = Date.now() - t0;
    for (const [status, body] of responses) {
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(Array.isArray(body.questions) && body.questions.length > 0);
      assert.ok(!JSON.stringify(body).includes(KEYS.full));
    }
    const stats = (await small.stats()).keys.full;
    assert.equal(stats.rate_limited, 0);
    assert.equal(stats.max_in_window, LIM);
    assert.ok(elapsed >= WIN, `12 requests in ${elapsed} ms: the second six waited a window`);
  } finally {
    await mf.dispose();
    await small.stop();
  }
});
