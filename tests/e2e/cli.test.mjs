// The `conveyor` command from the packed tarball (node_modules/.bin/conveyor), spawned as a
// user would, against real sandboxes: every command's happy path, the key check with each
// kind of key, bulk writes at a scaled rate limit, dry runs, partial failures, Ctrl-C, and
// the key kept out of stdout, stderr and every process's arguments.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConveyorClient } from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";

const bin = join(process.cwd(), "node_modules/.bin/conveyor");
const dir = mkdtempSync(join(tmpdir(), "conveyor-cli-"));
const ALL_KEYS = Object.values(KEYS);
const GROUPS = ["access_requests", "authorizations", "access_groups", "folders", "documents", "connections", "questionnaires", "knowledge_base", "interactions", "product_lines"];

/** The environment without anything of the caller's that would change the CLI's behaviour. */
function cleanEnv(extra) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("CONVEYOR_") || k === "NO_COLOR" || k === "FORCE_COLOR") delete env[k];
  return { ...env, ...extra };
}

/** Asserts no sandbox key appears anywhere in `text`. */
function assertNoKey(text, where) {
  for (const k of ALL_KEYS) {
    // The lines that hold it (the key itself masked), not the first 2,000 characters.
    const lines = text.split("\n").filter((l) => l.includes(k)).map((l) => l.split(k).join("<key>").slice(0, 300));
    assert.ok(lines.length === 0, `a key appeared in ${where}:\n${lines.join("\n")}`);
  }
}

/**
 * Spawns `conveyor args…` and resolves when it exits. The key travels in the environment;
 * every run checks that no key reached stdout or stderr. `onStderr(text, child)` sees
 * stderr as it grows (to send a signal at the right moment).
 */
function conveyor(args, { key = KEYS.full, base, env = {}, input, onStderr, onStdout } = {}) {
  const child = spawn(bin, args, {
    env: cleanEnv({ ...(key ? { CONVEYOR_API_KEY: key } : {}), CONVEYOR_BASE_URL: base ?? sb.api, ...env }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => {
    stdout += d;
    onStdout?.(stdout, child);
  });
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
    onStderr?.(stderr, child);
  });
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  // A hung CLI fails its test instead of hanging the suite.
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      assertNoKey(stdout, "stdout");
      assertNoKey(stderr, "stderr");
      resolve({ code, signal, stdout, stderr });
    });
  });
  done.child = child;
  return done;
}

/** JSON Lines → records (every line must parse). */
const jsonl = (text) =>
  text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

/** A shell-quoted word, for `script -c`. */
const sh = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

/**
 * Runs `conveyor args…` on a pseudo-terminal (util-linux `script`), so stdin, stdout and
 * stderr are all a TTY; `answer(output)` returns what to type once the output shows it.
 */
function onTerminal(args, { key = KEYS.full, base, env = {}, answer } = {}) {
  const command = [bin, ...args].map(sh).join(" ");
  const child = spawn("script", ["-qefc", command, "/dev/null"], {
    env: cleanEnv({ ...(key ? { CONVEYOR_API_KEY: key } : {}), CONVEYOR_BASE_URL: base ?? sb.api, TERM: "xterm", ...env }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let answered = false;
  child.stdout.setEncoding("utf8").on("data", (d) => {
    out += d;
    const typed = !answered && answer?.(out);
    if (typed) {
      answered = true;
      child.stdin.write(typed);
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

let sb; // the everyday sandbox (reset before each test)
let scaled; // 10 requests per second, for the bulk-approve runs
let slow; // every request takes 1 s, for Ctrl-C in mid-export

before(async () => {
  [sb, scaled, slow] = await Promise.all([startSandbox(), startSandbox(["--rate-limit", "10/1"]), startSandbox(["--fault", "latency=1000"])]);
});
after(async () => {
  await Promise.all([sb, scaled, slow].map((s) => s?.stop()));
});
beforeEach(async () => {
  await sb.reset();
});

const clientFor = (s, key = KEYS.full) => new ConveyorClient({ apiKey: key, baseUrl: s.api, rateLimit: false });
const writesIn = async (s) => (await s.requests()).filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2"));

test("the bin is installed from the tarball and every command has --help", async () => {
  assert.ok(existsSync(bin), "node_modules/.bin/conveyor exists");
  const commands = [
    ["key", "check"], ["requests", "list"], ["requests", "approve"], ["requests", "ignore"], ["kb", "export"], ["kb", "search"],
    ["documents", "list"], ["documents", "upload"], ["documents", "delete"], ["questionnaires", "list"], ["questionnaires", "upload"], ["api"],
  ];
  for (const c of commands) {
    const r = await conveyor([...c, "--help"], { key: null });
    assert.equal(r.code, 0, `${c.join(" ")} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: conveyor ${c.join(" ")}`), c.join(" "));
    assert.match(r.stdout, /Exit codes: 0 ok/);
  }
  const first = await conveyor(["--json", "--base-url", sb.api, "key", "check"]);
  assert.equal(first.code, 0, `global options before the command: ${first.stderr}`);
  assert.equal(JSON.parse(first.stdout).verdict, "ok");
  const top = await conveyor(["--help"], { key: null });
  assert.equal(top.code, 0);
  for (const c of commands) assert.ok(top.stdout.includes(`  ${c.join(" ")}`), `conveyor --help lists ${c.join(" ")}`);
  assert.equal((await sb.requests()).length, 10, "--help sent nothing (the 10 are the key check's)");
});

test("key check: full and read-only keys read everything, exit 0", async () => {
  for (const key of [KEYS.full, KEYS.readonly]) {
    const r = await conveyor(["key", "check", "--json"], { key });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.verdict, "ok");
    assert.deepEqual(doc.resources.map((e) => e.resource), GROUPS);
    assert.ok(doc.resources.every((e) => e.read === "ok" && e.status === 200));
  }
  // A pipe without --json gets JSON Lines, and the verdict on stderr.
  const r = await conveyor(["key", "check"]);
  assert.equal(r.code, 0);
  assert.equal(jsonl(r.stdout).length, GROUPS.length);
  assert.match(r.stderr, /^ok: the key is valid/m);
  assert.equal((await writesIn(sb)).length, 0, "the check never writes");
});

test("key check: an inactive key is called invalid or inactive, exit 3", async () => {
  const r = await conveyor(["key", "check", "--json"], { key: KEYS.inactive });
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, "invalid_key");
  assert.match(doc.message, /invalid or inactive/);
  assert.ok(doc.resources.every((e) => e.read === "forbidden" && e.status === 403));
  const stats = await sb.stats();
  assert.equal(stats.keys.inactive.served, GROUPS.length, "one probe per group");
});

test("key check: a key missing permissions names exactly the groups it cannot read", async () => {
  const r = await conveyor(["key", "check", "--json"], { key: KEYS.exchange });
  assert.equal(r.code, 3, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.verdict, "missing_permissions");
  // The fixture's exchange key has exchange:read and exchange:write only.
  const forbidden = doc.resources.filter((e) => e.read === "forbidden").map((e) => e.resource);
  assert.deepEqual(forbidden, ["questionnaires", "knowledge_base", "interactions", "product_lines"]);
  assert.match(doc.message, /lacks these permissions: questionnaires, knowledge_base, interactions, product_lines/);
});

test("a 403 from any command says what it was and points to `key check`", async () => {
  const r = await conveyor(["kb", "search", "soc"], { key: KEYS.exchange });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /ConveyorAuthError/);
  assert.match(r.stderr, /checkAccess\(\)/);
  assert.match(r.stderr, /conveyor key check/);
});

test("requests list: all pages, as JSON, JSON Lines, and filtered by status", async () => {
  const expected = await clientFor(sb).exchange.authorizationRequests.list({ status: "requested" }).toArray();
  const json = await conveyor(["requests", "list", "--status", "requested", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).map((r) => r.id), expected.map((r) => r.id));
  const lines = await conveyor(["requests", "list"]);
  const all = await clientFor(sb).exchange.authorizationRequests.list().toArray();
  assert.deepEqual(jsonl(lines.stdout).map((r) => r.id), all.map((r) => r.id));
  assert.ok(!lines.stdout.includes("\x1b["), "no colour in a pipe");
});

test("lists stream: Ctrl-C after the first page leaves valid JSON of what was printed", async () => {
  let sent = false;
  const r = await conveyor(["requests", "list", "--json"], {
    base: slow.api,
    onStdout: (text, child) => {
      if (!sent && (text.match(/\n/g) ?? []).length >= 100) {
        sent = true;
        child.kill("SIGINT");
      }
    },
  });
  assert.ok(sent, "the first page was printed before the second arrived");
  assert.equal(r.code, 130, r.stderr);
  const printed = JSON.parse(r.stdout);
  const first = await clientFor(sb).exchange.authorizationRequests.list();
  assert.deepEqual(printed.map((x) => x.id), first.items.map((x) => x.id));
  assert.ok(first.total_pages > 1);
});

test("requests approve: 30 at a scaled limit, zero 429s, every one approved", async () => {
  await scaled.reset();
  const queue = await new ConveyorClient({ apiKey: KEYS.full, baseUrl: scaled.api, rateLimit: { limit: 10, windowMs: 1000 } })
    .exchange.authorizationRequests.queue().toArray();
  const ids = queue.slice(0, 30).map((r) => r.id);
  assert.equal(ids.length, 30);
  // The read above used the key's window too: start the CLI on a fresh one.
  await scaled.reset();
  const r = await conveyor(["requests", "approve", ...ids.map(String), "--groups", "1,2", "--nda-bypass", "--expires", "2030-01-31", "--rate-limit", "10/1"], {
    base: scaled.api,
  });
  assert.equal(r.code, 0, r.stderr);
  const records = jsonl(r.stdout);
  assert.deepEqual(records.map((x) => x.id), ids);
  assert.ok(records.every((x) => x.outcome === "done" && Number.isInteger(x.authorization_id)));
  assert.match(r.stderr, /approved 30 of 30/);
  assert.match(r.stderr, /approve: \d+\/30 requests/, "plain progress lines off a terminal");
  const stats = await scaled.stats();
  assert.equal(stats.keys.full.rate_limited, 0, "zero 429s");
  assert.ok(stats.keys.full.max_in_window <= 10, `busiest window ${stats.keys.full.max_in_window}`);
  const writes = await writesIn(scaled);
  assert.equal(writes.filter((w) => w.method === "POST" && w.path === "/api/v2/exchange/authorizations").length, 30);
  const client = clientFor(scaled);
  for (const id of ids) assert.equal((await client.exchange.authorizationRequests.get(id)).status, "approved", `request ${id}`);
  const auths = await client.exchange.authorizations.list().toArray();
  const mine = auths.filter((a) => records.some((x) => x.authorization_id === a.id));
  assert.equal(mine.length, 30);
  assert.ok(mine.every((a) => a.nda_bypass === true && String(a.expires_at).startsWith("2030-01-31")));
  assert.ok(mine.every((a) => (a._embedded?.access_groups ?? a.access_groups ?? []).map((g) => g.id).sort().join() === "1,2"));
});

/** A domain with at least two open requests, and their ids. */
async function busyDomain(s) {
  const queue = await clientFor(s).exchange.authorizationRequests.queue().toArray();
  const byDomain = new Map();
  for (const r of queue) {
    const d = r.email.split("@")[1].toLowerCase();
    byDomain.set(d, [...(byDomain.get(d) ?? []), r.id]);
  }
  const [domain, ids] = [...byDomain].sort((a, b) => b[1].length - a[1].length)[0];
  assert.ok(ids.length >= 2, "the fixtures have a domain with several open requests");
  return { domain, ids };
}

test("requests approve --dry-run sends only reads (the sandbox's log proves it)", async () => {
  const { domain, ids } = await busyDomain(sb);
  await sb.reset();
  const byDomain = await conveyor(["requests", "approve", "--domain", domain, "--groups", "1", "--dry-run", "--json"]);
  assert.equal(byDomain.code, 0, byDomain.stderr);
  const plan = JSON.parse(byDomain.stdout);
  assert.deepEqual(plan.map((p) => p.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
  assert.ok(plan.every((p) => p.outcome === "dry_run"));
  assert.match(byDomain.stderr, new RegExp(`Approve ${ids.length} requests from ${domain.replace(/\./g, "\\.")}`));
  const byId = await conveyor(["requests", "ignore", String(ids[0]), "--reviewer", "me@example.com", "--dry-run"]);
  assert.equal(byId.code, 0, byId.stderr);
  assert.equal(jsonl(byId.stdout)[0].email.split("@")[1].toLowerCase(), domain);
  const log = await sb.requests();
  assert.ok(log.length > 0, "the dry runs read");
  assert.deepEqual(log.filter((r) => r.method !== "GET"), [], "and sent nothing else");
  const stats = await sb.stats();
  assert.equal(stats.keys.full.served, log.length);
});

test("requests approve --domain: off a terminal it needs --yes; with it, exactly the domain's open requests", async () => {
  const { domain, ids } = await busyDomain(sb);
  const refused = await conveyor(["requests", "approve", "--domain", domain, "--groups", "1"]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /pass --yes/);
  assert.equal((await writesIn(sb)).length, 0, "nothing written without confirmation");
  const r = await conveyor(["requests", "approve", "--domain", domain, "--groups", "1", "--yes", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((x) => x.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
  assert.equal((await writesIn(sb)).length, ids.length);
});

test("requests approve --domain on a terminal lists the requests and asks first", async () => {
  const { domain, ids } = await busyDomain(sb);
  const no = await onTerminal(["requests", "approve", "--domain", domain, "--groups", "1"], { answer: (o) => /\[y\/N\] $/.test(o) && "n\r" });
  assert.equal(no.code, 1, no.out);
  assert.match(no.out, new RegExp(`Approve these ${ids.length} requests\\? \\[y/N\\]`));
  for (const id of ids) assert.match(no.out, new RegExp(`\\b${id}\\b`), "the list shows every id");
  assert.match(no.out, /cancelled: nothing was changed/);
  assert.equal((await writesIn(sb)).length, 0);
  const ctrlC = await onTerminal(["requests", "approve", "--domain", domain, "--groups", "1"], { answer: (o) => /\[y\/N\] $/.test(o) && "\x03" });
  assert.equal(ctrlC.code, 130, ctrlC.out);
  assert.equal((await writesIn(sb)).length, 0, "Ctrl-C at the prompt changes nothing");
  const yes = await onTerminal(["requests", "approve", "--domain", domain, "--groups", "1"], { answer: (o) => /\[y\/N\] $/.test(o) && "y\r" });
  assert.equal(yes.code, 0, yes.out);
  assert.match(yes.out, new RegExp(`approved ${ids.length} of ${ids.length}`));
  assert.equal((await writesIn(sb)).length, ids.length);
  assertNoKey(no.out + yes.out, "the terminal");
});

test("a partial failure reports exactly which ids were done and which not", async () => {
  const r = await conveyor(["requests", "approve", "1", "99999", "4", "--groups", "1"]);
  assert.equal(r.code, 1, r.stderr);
  const records = jsonl(r.stdout);
  assert.deepEqual(records.map((x) => [x.id, x.outcome]), [[1, "done"], [99999, "failed"], [4, "done"]]);
  assert.equal(records[1].error.code, "invalid_request");
  assert.match(r.stderr, /approved 2 of 3: 1, 4/);
  assert.match(r.stderr, /failed \(1\): 99999/);
});

test("a key refused writes stops the job at the first 403: failed and not attempted ids add up", async () => {
  const queue = await clientFor(sb).exchange.authorizationRequests.queue().toArray();
  const ids = queue.slice(0, 30).map((q) => q.id);
  const r = await conveyor(["requests", "approve", ...ids.map(String), "--groups", "1"], { key: KEYS.readonly });
  assert.equal(r.code, 3, r.stderr);
  const records = jsonl(r.stdout);
  assert.deepEqual(records.map((x) => x.id), ids);
  const failed = records.filter((x) => x.outcome === "failed");
  const skipped = records.filter((x) => x.outcome === "not_attempted");
  assert.equal(records.filter((x) => x.outcome === "done").length, 0);
  assert.ok(failed.length >= 1 && skipped.length >= 1, `${failed.length} failed, ${skipped.length} skipped`);
  assert.equal(failed.length + skipped.length, 30);
  const posts = (await writesIn(sb)).filter((w) => w.method === "POST");
  assert.equal(posts.length, failed.length, "every id reported failed was sent, and no other");
  assert.match(r.stderr, new RegExp(`not attempted \\(${skipped.length}\\)`));
  assert.match(r.stderr, /conveyor key check/);
});

test("Ctrl-C in a bulk approve stops it and accounts for every id", async () => {
  await scaled.reset();
  const queue = await new ConveyorClient({ apiKey: KEYS.full, baseUrl: scaled.api, rateLimit: { limit: 10, windowMs: 1000 } })
    .exchange.authorizationRequests.queue().toArray();
  const ids = queue.slice(0, 30).map((q) => q.id);
  await scaled.reset();
  let sent = false;
  const r = await conveyor(["requests", "approve", ...ids.map(String), "--groups", "1", "--rate-limit", "10/1"], {
    base: scaled.api,
    onStderr: (text, child) => {
      if (!sent && /approve: [1-9]\d*\/30/.test(text)) {
        sent = true;
        child.kill("SIGINT");
      }
    },
  });
  assert.ok(sent);
  assert.equal(r.code, 130, r.stderr);
  const records = jsonl(r.stdout);
  assert.deepEqual(records.map((x) => x.id), ids, "every id is accounted for once");
  const done = records.filter((x) => x.outcome === "done").map((x) => x.id);
  const skipped = records.filter((x) => x.outcome === "not_attempted").map((x) => x.id);
  assert.ok(done.length >= 1 && done.length < 30, `${done.length} done`);
  assert.ok(skipped.length >= 1);
  assert.match(r.stderr, new RegExp(`approved ${done.length} of 30`));
  const client = clientFor(scaled);
  for (const id of done) assert.equal((await client.exchange.authorizationRequests.get(id)).status, "approved");
  for (const id of skipped) assert.equal((await client.exchange.authorizationRequests.get(id)).status, "requested");
});

test("requests ignore: by id, recorded with the reviewer", async () => {
  const r = await conveyor(["requests", "ignore", "1", "4", "--reviewer", "me@example.com", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((x) => x.outcome), ["done", "done"]);
  const client = clientFor(sb);
  for (const id of [1, 4]) {
    const req = await client.exchange.authorizationRequests.get(id);
    assert.equal(req.status, "ignored");
    assert.equal(req.reviewer_email, "me@example.com");
  }
});

test("kb export: json, jsonl and csv hold every question", async () => {
  const expected = await clientFor(sb).knowledgeBase.questions.list({ status: "verified" }).toArray();
  const json = join(dir, "kb.json");
  const r = await conveyor(["kb", "export", "--status", "verified", "-o", json]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(json, "utf8")).map((q) => q.id), expected.map((q) => q.id));
  assert.match(r.stderr, new RegExp(`wrote ${expected.length} questions to ${json}`));
  assert.match(r.stderr, /exporting the knowledge base: \d+\/\d+ pages/);

  const lines = await conveyor(["kb", "export", "--status", "verified", "--format", "jsonl"]);
  assert.deepEqual(jsonl(lines.stdout).map((q) => q.id), expected.map((q) => q.id));

  const csvPath = join(dir, "kb.csv");
  const csv = await conveyor(["kb", "export", "--status", "verified", "-o", csvPath]);
  assert.equal(csv.code, 0, csv.stderr);
  const text = readFileSync(csvPath, "utf8");
  assert.ok(text.startsWith("id,question,answer,status,created_at,updated_at\r\n"));
  // Records start at a line beginning with an id; quoted fields may hold commas and quotes.
  const ids = [...text.matchAll(/\r\n(\d+),/g)].map((m) => Number(m[1]));
  assert.deepEqual(ids, expected.map((q) => q.id));
  const withComma = expected.find((q) => q.answer.includes(","));
  assert.ok(withComma && text.includes(`"${withComma.answer.replace(/"/g, '""')}"`), "fields with commas are quoted");
});

test("Ctrl-C mid-export leaves a valid partial file and exits 130; the key is in no process's arguments", async () => {
  const out = join(dir, "partial.json");
  let sawPs = "";
  let sent = false;
  const run = conveyor(["kb", "export", "-o", out], {
    base: slow.api,
    onStderr: (text, child) => {
      if (!sent && /1\/3 pages/.test(text)) {
        sent = true;
        // While it runs, every process's command line, as `ps` shows it.
        sawPs = execFileSync("ps", ["-eo", "pid,args", "--no-headers"], { encoding: "utf8" });
        child.kill("SIGINT");
      }
    },
  });
  const r = await run;
  assert.ok(sent, r.stderr);
  assert.equal(r.code, 130, r.stderr);
  assert.ok(sawPs.split("\n").some((l) => l.trim().startsWith(`${run.child.pid} `) && l.includes("conveyor")), "ps saw the CLI");
  assertNoKey(sawPs, "ps");
  const partial = JSON.parse(readFileSync(out, "utf8"));
  assert.equal(partial.length, 100, "the first page, whole");
  assert.deepEqual(partial.map((q) => q.id), (await clientFor(sb).knowledgeBase.questions.list({ per_page: 100 })).items.map((q) => q.id));
  assert.match(r.stderr, /interrupted: wrote the first 100 questions/);
});

test("kb search: every word, case-insensitive", async () => {
  const all = await clientFor(sb).knowledgeBase.questions.list().toArray();
  const expected = all.filter((q) => /encrypt/i.test(q.question + q.answer) && /rest/i.test(q.question + q.answer)).map((q) => q.id);
  assert.ok(expected.length > 1);
  const r = await conveyor(["kb", "search", "ENCRYPT", "rest", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((q) => q.id), expected);
});

test("documents: list, upload, delete", async () => {
  const list = await conveyor(["documents", "list", "--access-level", "public", "--json"]);
  assert.equal(list.code, 0, list.stderr);
  const expected = (await clientFor(sb).exchange.documents.list().toArray()).filter((d) => d.access_level === "public");
  assert.deepEqual(JSON.parse(list.stdout).map((d) => d.id), expected.map((d) => d.id));

  const a = join(dir, "policy-a.txt");
  const b = join(dir, "policy-b.pdf");
  writeFileSync(a, "first policy\n");
  writeFileSync(b, "%PDF-1.4 not really\n");
  const up = await conveyor(["documents", "upload", a, b, "--folder", "2", "--access-level", "protected", "--json"]);
  assert.equal(up.code, 0, up.stderr);
  const made = JSON.parse(up.stdout);
  assert.deepEqual(made.map((m) => m.outcome), ["done", "done"]);
  const client = clientFor(sb);
  const docs = await client.exchange.documents.list().toArray();
  for (const [m, name, filename] of [[made[0], "policy-a", "policy-a.txt"], [made[1], "policy-b", "policy-b.pdf"]]) {
    const d = docs.find((x) => x.id === m.document_id);
    assert.ok(d, `document ${m.document_id} exists`);
    assert.equal(d.name, name);
    assert.equal(d.access_level, "protected");
    assert.equal(d.folder?.id, 2);
    assert.equal(d.versions[0].filename, filename);
  }

  const del = await conveyor(["documents", "delete", String(made[0].document_id), "--yes"]);
  assert.equal(del.code, 0, del.stderr);
  const after = await client.exchange.documents.list().toArray();
  assert.ok(!after.some((d) => d.id === made[0].document_id));
  assert.ok(after.some((d) => d.id === made[1].document_id));
  const missing = await conveyor(["documents", "upload", join(dir, "nope.pdf")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*nope\.pdf: ENOENT/);
});

test("questionnaires: list and upload", async () => {
  const list = await conveyor(["questionnaires", "list", "--status", "completed", "--json"]);
  assert.equal(list.code, 0, list.stderr);
  const expected = await clientFor(sb).questionnaires.list({ status: "completed" }).toArray();
  assert.deepEqual(JSON.parse(list.stdout).map((q) => q.id), expected.map((q) => q.id));
  const file = join(dir, "vsa.xlsx");
  writeFileSync(file, "not really a spreadsheet");
  const up = await conveyor(["questionnaires", "upload", file, "--domain", "acme.example", "--email", "buyer@acme.example", "--type", "rfp", "--due", "2030-06-01"]);
  assert.equal(up.code, 0, up.stderr);
  const [rec] = jsonl(up.stdout);
  assert.equal(rec.outcome, "done");
  const q = (await clientFor(sb).questionnaires.list().toArray()).find((x) => x.id === rec.questionnaire_id);
  assert.equal(q.domain, "acme.example");
  assert.equal(q.original_format, "spreadsheet", "the format follows the extension");
  assert.equal(q.questionnaire_type, "rfp");
});

test("api: GET with --query, POST with --data from a file", async () => {
  const get = await conveyor(["api", "GET", "/exchange/connections", "--query", "per_page=3", "-q", "page=2"]);
  assert.equal(get.code, 0, get.stderr);
  const page = JSON.parse(get.stdout);
  assert.equal(page.page, 2);
  assert.equal(page.connections.length, 3);
  const body = join(dir, "folder.json");
  writeFileSync(body, JSON.stringify({ name: "From the CLI" }));
  const post = await conveyor(["api", "post", "/exchange/folders", "--data", `@${body}`]);
  assert.equal(post.code, 0, post.stderr);
  assert.equal(JSON.parse(post.stdout).name, "From the CLI");
  const bad = await conveyor(["api", "GET", "/exchange/connections", "--data", "{nope"]);
  assert.equal(bad.code, 2);
});

test("the key: --key-file works, a key flag is refused, none at all is a usage error", async () => {
  const file = join(dir, "key");
  writeFileSync(file, KEYS.full + "\n");
  chmodSync(file, 0o600);
  const r = await conveyor(["key", "check", "--key-file", file], { key: null });
  assert.equal(r.code, 0, r.stderr);
  const flag = await conveyor(["key", "check", `--key=${KEYS.bench}`], { key: null });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /there is no --key/);
  const none = await conveyor(["key", "check"], { key: null });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no API key: set CONVEYOR_API_KEY/);
  assert.equal((await sb.stats()).keys.bench, undefined, "the flag's key was never sent");
});

test("a key put in the wrong place is refused and never echoed", async () => {
  const k = KEYS.bench;
  const mistakes = [
    [k],
    ["key", k],
    ["key", "check", k],
    ["requests", "approve", k, "--groups", "1"],
    ["requests", "approve", "1", "--groups", k],
    ["requests", "approve", "1", "--groups", "1", "--expires", k],
    ["requests", "approve", "--domain", k, "--groups", "1"],
    ["kb", "export", "--format", k],
    ["kb", "search", "x", "--limit", k],
    ["api", "GET", "/exchange/connections", "--query", k],
    ["api", "GET", "/exchange/connections", "--data", k],
    ["key", "check", "--key-file", k],
    ["key", "check", `--${k}`],
    ["key", "check", "--api-key", k],
  ];
  for (const args of mistakes) {
    const r = await conveyor(args, { key: KEYS.full });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^conveyor: /, args.join(" "));
  }
  // The key in argv while the real one is in the environment: refused too.
  const r = await conveyor(["kb", "search", KEYS.full]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the API key is on the command line/);
  assert.equal((await sb.stats()).keys.bench, undefined, "the misplaced key was never sent");
});

test("on a terminal the key is asked for without echo, and tables and colour follow NO_COLOR", async () => {
  const asked = await onTerminal(["key", "check"], { key: null, answer: (o) => /input hidden\): $/.test(o) && `${KEYS.full}\r` });
  assert.equal(asked.code, 0, asked.out);
  assertNoKey(asked.out, "the terminal");
  assert.match(asked.out.replace(/\x1b\[\d+m/g, ""), /RESOURCE\s+READ\s+STATUS/);
  assert.match(asked.out, /\x1b\[32mok\x1b\[39m/, "colour on a terminal");
  const plain = await onTerminal(["key", "check"], { env: { NO_COLOR: "1" } });
  assert.equal(plain.code, 0, plain.out);
  assert.match(plain.out, /RESOURCE\s+READ\s+STATUS/);
  assert.ok(!plain.out.includes("\x1b[3"), "no colour with NO_COLOR");
});

test("on a terminal long jobs draw a progress bar with the rate and the limiter's ETA", async () => {
  const out = join(dir, "tty.json");
  const exp = await onTerminal(["kb", "export", "-o", out], { base: slow.api });
  assert.equal(exp.code, 0, exp.out);
  assert.match(exp.out, /\r\x1b\[2K\[#*-*\] exporting the knowledge base: [0-3]\/3 pages, \d+%, [\d.]+\/s, ETA [\d.?]/);
  assert.equal(JSON.parse(readFileSync(out, "utf8")).length, 300);

  await scaled.reset();
  const queue = await clientFor(scaled).exchange.authorizationRequests.queue().toArray();
  await scaled.reset();
  const ids = queue.slice(0, 25).map((q) => String(q.id));
  const bulk = await onTerminal(["requests", "approve", ...ids, "--groups", "1", "--rate-limit", "10/1"], { base: scaled.api });
  assert.equal(bulk.code, 0, bulk.out);
  assert.match(bulk.out, /approve: \d+\/25 requests, \d+%, [\d.]+\/s, ETA [\d.]+s, \d+ waiting for the rate limit/, "the bar shows the limiter's queue");
  assert.match(bulk.out, /approved 25 of 25/);
  assert.equal((await scaled.stats()).keys.full.rate_limited, 0);
});

test("exit codes: 4 for a rate limit, 5 for an unreachable server", async () => {
  const limited = await startSandbox(["--fault", "rate_limit=3600"]);
  try {
    const r = await conveyor(["requests", "list"], { base: limited.api });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /ConveyorRateLimitError/);
  } finally {
    await limited.stop();
  }
  const r = await conveyor(["requests", "list"], { base: "http://127.0.0.1:9/api/v2" });
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /ConveyorNetworkError/);
});

test('import "conveyor-client" loads none of the CLI', () => {
  const hook = join(dir, "hook.mjs");
  writeFileSync(hook, 'export async function resolve(s, c, next) { const r = await next(s, c); console.log("resolved " + r.url); return r; }\n');
  const register = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify("file://" + hook)});`;
  const run = (code) => execFileSync(process.execPath, ["--import", register, "--input-type=module", "-e", code], { encoding: "utf8" });
  const pkg = run('await import("conveyor-client");');
  assert.match(pkg, /resolved .*conveyor-client\/dist\/node\.mjs/, "the hook sees the package load");
  assert.doesNotMatch(pkg, /\/bin\//);
  const cli = run('await import(new URL("node_modules/conveyor-client/bin/cli/main.mjs", "file://" + process.cwd() + "/").href);');
  assert.match(cli, /\/bin\/cli\//, "the hook would see the CLI if it were loaded");
  const cjs = execFileSync(process.execPath, ["-e", 'require("conveyor-client"); console.log(Object.keys(require.cache).join("\\n"))'], { encoding: "utf8" });
  assert.match(cjs, /conveyor-client\/dist\/node\.cjs/);
  assert.doesNotMatch(cjs, /\/bin\//);
});
