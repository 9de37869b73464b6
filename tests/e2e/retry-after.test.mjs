// `Retry-After` as a server sends it, through the packed package in Node against a node:http
// server (lib/hostile-server.mjs sends `?s=` as the header of a 429): delay-seconds and the
// three HTTP-date forms RFC 9110 makes recipients accept (IMF-fixdate, RFC 850, asctime)
// delay the retry by what they say; anything else is not a delay and is ignored, however
// leniently `Date.parse` would read it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ConveyorClient, ConveyorRateLimitError } from "conveyor-client";
import { startHostileServer } from "./lib/hostile-server.mjs";

const KEY = "sk_test_retry_after_0123456789abcdef";
const LONGEST = 2 ** 31 - 1;

let server;
before(async () => {
  server = await startHostileServer();
});
after(() => server.stop());

const client = (extra = {}) =>
  new ConveyorClient({
    apiKey: KEY,
    baseUrl: `${server.url}/retry-after/api/v2`,
    rateLimit: false,
    maxRetries: 0,
    maxRetryAfterMs: LONGEST,
    ...extra,
  });

/**
 * What a 429 with `Retry-After: value` asked the client to wait, as its error reports it
 * (no retry is made: `maxRetries` is 0), and the clock before and after the call.
 */
async function askedFor(value, c = client()) {
  const t0 = Date.now();
  const e = await c.request("GET", "/x", { query: { s: value } }).catch((x) => x);
  const t1 = Date.now();
  assert.ok(e instanceof ConveyorRateLimitError, `${JSON.stringify(value)}: ${e}`);
  return { ms: e.retryAfterMs, t0, t1 };
}

/** Asserts the client reads `value` as the instant `at` (ms since the epoch). */
async function readsAs(value, at, c) {
  const { ms, t0, t1 } = await askedFor(value, c);
  assert.equal(typeof ms, "number", `${JSON.stringify(value)} was not read as a date`);
  // The client compared `at` with its clock somewhere between t0 and t1.
  const low = Math.max(0, at - t1);
  const high = Math.max(0, at - t0);
  assert.ok(ms >= low && ms <= high, `${JSON.stringify(value)}: ${ms} ms, expected ${low}..${high}`);
}

const SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const LONG = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n) => String(n).padStart(2, "0");

/** `at` (whole seconds) in the three forms; `yy` overrides RFC 850's two-digit year. */
function forms(at, yy) {
  const d = new Date(at);
  const [wd, day, mon, y] = [d.getUTCDay(), d.getUTCDate(), MONTHS[d.getUTCMonth()], d.getUTCFullYear()];
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return {
    imf: `${SHORT[wd]}, ${two(day)} ${mon} ${y} ${time} GMT`,
    rfc850: `${LONG[wd]}, ${two(day)}-${mon}-${two(yy ?? y % 100)} ${time} GMT`,
    asctime: `${SHORT[wd]} ${mon} ${String(day).padStart(2, " ")} ${time} ${y}`,
  };
}

test("IMF-fixdate, RFC 850 and asctime dates are the delay until that instant", async () => {
  const at = Math.floor(Date.now() / 1000) * 1000 + 3_600_000;
  const f = forms(at);
  assert.equal(f.imf, new Date(at).toUTCString());
  for (const value of Object.values(f)) await readsAs(value, at);
  // The same instant with the zone spelled UTC, and with runs of spaces between the parts.
  await readsAs(f.imf.replace("GMT", "UTC"), at);
  await readsAs(f.rfc850.replace("GMT", "UTC"), at);
  await readsAs(f.imf.replaceAll(" ", "   "), at);
  await readsAs(f.asctime.replace(/ +/g, " "), at);
  // asctime's day may also be written with two digits.
  await readsAs(f.asctime.replace(/ (\d) /, " 0$1 "), at);
  // A date in the past asks for no wait at all.
  for (const value of Object.values(forms(784_111_777_000))) await readsAs(value, 784_111_777_000);
  await readsAs("Thu, 01 Jan 1970 00:00:00 GMT", 0);
  // A leap second is the next minute's first, here the next year's; the last year there is.
  await readsAs("Fri, 31 Dec 2099 23:59:60 GMT", Date.UTC(2100, 0, 1));
  await readsAs("Fri, 31 Dec 9999 23:59:59 GMT", Date.UTC(9999, 11, 31, 23, 59, 59));
  await readsAs("Thu, 29 Feb 2052 12:00:00 GMT", Date.UTC(2052, 1, 29, 12));
});

test("asctime has no zone and means GMT, whatever the local time zone", async () => {
  const saved = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    assert.notEqual(new Date(0).getTimezoneOffset(), 0, "the zone change took effect");
    const at = Math.floor(Date.now() / 1000) * 1000 + 7_200_000;
    await readsAs(forms(at).asctime, at);
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test("RFC 850's two-digit year is within fifty years from now, as RFC 9110 says", async () => {
  const now = new Date();
  const year = now.getUTCFullYear();
  // 49 years ahead is that future year; 51 years ahead is a century earlier, in the past.
  const soon = Date.UTC(year + 49, 0, 2, 12, 0, 0);
  await readsAs(forms(soon, (year + 49) % 100).rfc850, soon);
  const late = Date.UTC(year + 51, 0, 2, 12, 0, 0);
  await readsAs(forms(late, (year + 51) % 100).rfc850, Date.UTC(year - 49, 0, 2, 12, 0, 0));
});

test("delay-seconds: digits, with the fraction the client tolerates", async () => {
  assert.equal((await askedFor("120")).ms, 120_000);
  assert.equal((await askedFor("0")).ms, 0);
  assert.equal((await askedFor("1.5")).ms, 1500);
  assert.equal((await askedFor("007")).ms, 7000);
});

test("what is not delay-seconds or an HTTP date is ignored, however Date.parse reads it", async () => {
  // A day of one digit (mangled below), decades ahead: read as a date, it would be a delay.
  const { imf, rfc850, asctime } = forms(Date.UTC(2094, 10, 6, 8, 49, 37));
  const garbage = [
    // Date.parse reads each of these as some instant.
    "1 GMT",
    "2 3 GMT",
    "2094 GMT",
    "Nov 6 2094 GMT",
    "2094-11-06T08:49:37Z",
    "Sat Nov 06 2094 08:49:37 GMT+0000",
    imf.replace(/^\w+/, "Xyz"),
    imf.replace(/ \d{4} /, (y) => ` ${y.slice(3)}`),
    imf.replace(/^(\w+),/, "$1"),
    imf.replace(/ (\w)(\w\w) /, (m, a, b) => ` ${a.toLowerCase()}${b} `),
    imf.replace(/ (\d\d) /, (m, d) => ` ${+d} `),
    imf.replace(/(\d\d:\d\d):\d\d/, "$1"),
    imf.replace("GMT", "PST"),
    imf.replace("GMT", "+0000"),
    imf.slice(0, -4),
    `${imf} extra`,
    rfc850.replace(/^[A-Za-z]+/, (d) => d.slice(0, 3)),
    rfc850.replace(/-(\d\d) /, (m, y) => `-20${y} `),
    asctime.replace(/ \d{4}$/, (y) => ` ${y.slice(3)}`),
    `${asctime} GMT`,
    imf.replace("GMT", "2094"),
    imf.replace(/^\w+/, (d) => LONG[SHORT.indexOf(d)]),
    asctime.replace(/ +(\d+) /, " 106 "),
    imf.replace(/(\d\d:\d\d:\d\d)/, "$1:00"),
    imf.replace(/ \d(\d:\d\d:\d\d)/, " +$1"),
    // Out of range.
    "Sun, 06 Nov 2094 24:00:00 GMT",
    "Sun, 06 Nov 2094 08:60:00 GMT",
    "Sun, 06 Nov 2094 08:49:61 GMT",
    "Sun, 00 Nov 2094 08:49:37 GMT",
    "Sun, 32 Nov 2094 08:49:37 GMT",
    "Tue, 31 Nov 2094 08:49:37 GMT",
    "Sun, 29 Feb 2100 08:49:37 GMT",
    // Not delay-seconds either.
    "-1",
    "+1",
    "1e3",
    ".5",
    "Infinity",
    "0x10",
    "tomorrow",
    "",
  ];
  for (const value of garbage) {
    const { ms } = await askedFor(value);
    assert.equal(ms, undefined, `${JSON.stringify(value)} was read as ${ms} ms`);
  }
});

test("a date Retry-After delays the retry: each form, a second or two ahead", async () => {
  const c = client({ maxRetries: 1 });
  for (const form of ["imf", "rfc850", "asctime"]) {
    const before = server.requests.length;
    const at = Math.floor(Date.now() / 1000) * 1000 + 2000;
    const t0 = Date.now();
    const e = await c.request("GET", "/x", { query: { s: forms(at)[form] } }).catch((x) => x);
    assert.ok(e instanceof ConveyorRateLimitError, `${form}: ${e}`);
    assert.equal(server.requests.length - before, 2, `${form}: one retry`);
    // The retry waited for the date: at least until `at`, less scheduling slack.
    assert.ok(Date.now() >= at - 50, `${form}: retried ${at - Date.now()} ms early (began ${at - t0} ms before)`);
    // The second answer's date was already past: no wait asked.
    assert.equal(e.retryAfterMs, 0, form);
  }
});

test("random instants over two centuries, in the three forms, read as those instants", async () => {
  const c = client();
  const year = new Date().getUTCFullYear();
  for (let i = 0; i < 150; i++) {
    const at = Date.UTC(1900 + Math.floor(Math.random() * 200), 0, 1) + Math.floor(Math.random() * 366 * 86_400) * 1000;
    const f = forms(at);
    await readsAs(f.imf, at, c);
    await readsAs(f.asctime, at, c);
    // RFC 850 names only the last two digits: within fifty years from now.
    const y = new Date(at).getUTCFullYear();
    const within = y - year <= 50 && year - y < 50;
    if (within) await readsAs(f.rfc850, at, c);
  }
});
