// The CLI's pure parts, imported from the installed package's bin/: the ETA with the
// limiter, CSV quoting, tables, the command line's dates, ids and rate limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const cli = (m) => import(pathToFileURL(join(process.cwd(), "node_modules/conveyor-client/bin/cli", m)).href);
const { estimate, fmtDuration, createProgress } = await cli("progress.mjs");
const { csvField, formatOf } = await cli("export-file.mjs");
const { table, palette, colourOn } = await cli("output.mjs");
const { parseIds, parseExpires, domainOf } = await cli("select.mjs");
const { parseRateLimit } = await cli("main.mjs");
const { exitCodeFor, stopsTheJob } = await cli("exit.mjs");
const { parseQuery } = await cli("commands/api.mjs");

test("the ETA is the larger of the observed rate and what the limiter will make the rest wait", () => {
  // 10 done in 0.1 s, 20 left: 0.2 s at that rate; but 5 tokens left of 10 per 1 s, so 15
  // wait for tokens: the next in 0.3 s, then 14 more at 10 per second.
  const limiter = { limit: 10, windowMs: 1000, available: 5, nextTokenInMs: 300, queued: 3 };
  const e = estimate({ done: 10, total: 30, elapsedMs: 100, limiter });
  assert.equal(e.ratePerSec, 100);
  assert.equal(e.etaMs, 300 + (14 / 10) * 1000);
  // Enough tokens: the rate alone.
  assert.equal(estimate({ done: 10, total: 30, elapsedMs: 100, limiter: { ...limiter, available: 50 } }).etaMs, 200);
  // A slow rate beyond the limiter's wait: the rate.
  assert.equal(estimate({ done: 10, total: 30, elapsedMs: 10_000, limiter }).etaMs, 20_000);
  // Nothing done yet and no limiter: unknown, not zero or infinite.
  assert.equal(estimate({ done: 0, total: 30, elapsedMs: 5 }).etaMs, null);
  assert.equal(estimate({ done: 30, total: 30, elapsedMs: 5 }).etaMs, 0);
  assert.equal(estimate({ done: 3, total: null, elapsedMs: 1000 }).etaMs, null);
  assert.deepEqual([500, 12_400, 125_000, 7_500_000, null].map(fmtDuration), ["0.5s", "12s", "2m05s", "2h05m", "?"]);
});

test("progress: a bar redrawn in place on a terminal, plain lines at most once a second otherwise", () => {
  let t = 0;
  const sink = () => {
    const s = { text: "", columns: 200, write: (x) => (s.text += x) };
    return s;
  };
  const plain = sink();
  const p = createProgress({ label: "approve", unit: "requests", stream: plain, tty: false, now: () => t });
  p.update(0, 30);
  assert.equal(plain.text, "", "nothing before there is progress");
  t = 100;
  p.update(1, 30);
  t = 500;
  p.update(5, 30);
  t = 1200;
  p.update(12, 30);
  p.end();
  const lines = plain.text.trim().split("\n");
  assert.deepEqual(lines.map((l) => /(\d+)\/30/.exec(l)[1]), ["1", "12", "12"]);
  assert.ok(!plain.text.includes("\x1b"), "no escapes in a log");
  t = 0;
  const term = sink();
  const q = createProgress({ label: "export", unit: "pages", stream: term, tty: true, now: () => t });
  t = 1000;
  q.update(1, 4);
  q.log("1: failed");
  q.end();
  assert.match(term.text, /\r\x1b\[2K\[#####-+\] export: 1\/4 pages, 25%, 1\.0\/s, ETA 3\.0s/);
  assert.match(term.text, /\r\x1b\[2K1: failed\n/, "a log line clears the bar first");
  assert.ok(term.text.endsWith("\n"));
});

test("CSV fields are quoted when they must be", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "yes", please'), '"say ""yes"", please"');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField(null), "");
  assert.equal(csvField({ a: 1 }), '"{""a"":1}"');
  assert.deepEqual(["kb.json", "kb.JSONL", "x.ndjson", "x.csv", "x.txt", undefined].map(formatOf), ["json", "jsonl", "jsonl", "csv", undefined, undefined]);
});

test("tables fit the terminal and colour only where asked", () => {
  const rows = [{ id: 1, q: "a".repeat(80), s: "ok" }, { id: 22, q: "short", s: "forbidden" }];
  const cols = [{ key: "id", title: "ID" }, { key: "q", title: "QUESTION" }, { key: "s", title: "READ" }];
  const text = table(rows, cols, { maxWidth: 40 });
  for (const line of text.trimEnd().split("\n")) assert.ok(line.length <= 40, `${line.length}: ${line}`);
  assert.match(text, /a…/, "the widest column is cut with an ellipsis");
  assert.match(text.split("\n")[2], /^22  short\s+forbidden$/);
  const painted = table(rows, cols, { paint: palette(true), colour: { s: (r, t, p) => p.red(t) } });
  assert.match(painted, /\x1b\[31mforbidden\x1b\[39m/);
  assert.equal(colourOn({ isTTY: true }, {}), true);
  assert.equal(colourOn({ isTTY: true }, { NO_COLOR: "1" }), false);
  assert.equal(colourOn({ isTTY: false }, {}), false);
});

test("ids, dates, rate limits and queries from the command line", () => {
  assert.deepEqual(parseIds(["3", "1,2", "3"]), [3, 1, 2]);
  for (const bad of ["0", "-1", "1.5", "x", ""]) assert.throws(() => parseIds([bad]), { name: "UsageError" });
  assert.equal(parseExpires("2027-01-31"), "2027-01-31");
  assert.equal(parseExpires("2027-01-31T12:00:00Z"), "2027-01-31T12:00:00Z");
  assert.equal(parseExpires("30d", Date.UTC(2026, 0, 1)), "2026-01-31T00:00:00.000Z");
  for (const bad of ["tomorrow", "2027-13-45", "31/01/2027"]) assert.throws(() => parseExpires(bad), { name: "UsageError" });
  assert.deepEqual(parseRateLimit("10/1"), { limit: 10, windowMs: 1000 });
  assert.deepEqual(parseRateLimit("50/2.5"), { limit: 50, windowMs: 2500 });
  for (const bad of ["0/1", "10/0", "10", "ten/1"]) assert.throws(() => parseRateLimit(bad), { name: "UsageError" });
  assert.deepEqual(parseQuery(["a=1", "b=x=y", "a=2"]), { a: ["1", "2"], b: "x=y" });
  assert.equal(domainOf("Ann@Example.COM"), "example.com");
});

test("exit codes per error class; which errors stop a bulk job", () => {
  const e = (name) => Object.assign(new Error("x"), { name });
  assert.deepEqual(
    ["ConveyorAuthError", "ConveyorRateLimitError", "ConveyorNetworkError", "ConveyorServerError", "ConveyorTimeoutError", "ConveyorAbortError", "ConveyorValidationError", "ConveyorNotFoundError", "TypeError"].map((n) => exitCodeFor(e(n))),
    [3, 4, 5, 5, 5, 130, 1, 1, 1],
  );
  assert.equal(stopsTheJob(e("ConveyorAuthError")), true);
  assert.equal(stopsTheJob(e("ConveyorValidationError")), false, "one bad id does not stop the others");
  assert.equal(stopsTheJob(e("ConveyorNotFoundError")), false);
});
