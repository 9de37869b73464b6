// `verifyWebhook`'s own rules, against the module the package ships (dist/webhook.js, the
// one every ESM entry re-exports, and its CommonJS form through the package's Node entry):
// which headers are read and how far, the timestamp window, the secret, the signature list,
// the constant-time match, every message word for word, and options that throw or lie.
// Property checks run a seeded generator loop (the seed is in every failure message).
// The shared scenario (lib/webhook-scenario.mjs) checks the same function end to end
// against svix's signer in every runtime; this file pins the details it does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import * as pkg from "conveyor-client";
import { seeded } from "./lib/seeded.mjs";

const dist = new URL("../../node_modules/conveyor-client/dist/", import.meta.url);
const core = await import(new URL("webhook.js", dist).href);
const errors = await import(new URL("errors.js", dist).href);
const { parseSignatures, checkTimestamp, secretKey, isSignedBy } = core;

const KEY = Buffer.from("a webhook secret of 24 b");
const SECRET = "whsec_" + KEY.toString("base64");
const NOW = new Date(1_700_000_000_000);
const TS = 1_700_000_000;
const BODY = '{"type":"access.requested","data":{"id":7}}';
const MAC = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/** `v1,` and the base64 HMAC-SHA256 of `id.ts.body` (node:crypto: independent of WebCrypto). */
const sign = (id, ts, body, key = KEY) => "v1," + createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
const headersFor = (id = "msg_1", ts = TS, body = BODY) => ({ "svix-id": id, "svix-timestamp": String(ts), "svix-signature": sign(id, ts, body) });

/** Both shipped forms: the ESM module (browsers, workers, Deno) with its errors module, and
 * the CommonJS one through the package's Node entry with the package's classes. */
const FORMS = [
  ["dist/webhook.js", core.verifyWebhook, errors],
  ["the package's Node entry", pkg.verifyWebhook, pkg],
];

/** The settled outcome of `verify(options)`; a synchronous throw fails the test. */
async function outcome(verify, options) {
  let p;
  try {
    p = verify(options);
  } catch (e) {
    assert.fail(`verifyWebhook threw synchronously: ${e}`);
  }
  assert.ok(p instanceof Promise, "returns a promise");
  return p.then(
    (value) => ({ ok: true, value }),
    (err) => ({ ok: false, err }),
  );
}

/** Asserts `options` (completed with a secret, `now` and a body) rejects with `code` (and
 * `message`, when given, exactly or matching). */
const rejects = (options, code, message) => rejectsAsIs({ secret: SECRET, now: NOW, body: BODY, ...options }, code, message);

/** `rejects` with `options` passed as they are (an object whose getters must not run here). */
async function rejectsAsIs(options, code, message) {
  for (const [form, verify, classes] of FORMS) {
    const r = await outcome(verify, options);
    assert.ok(!r.ok, `${form}: should reject with ${code}, resolved ${JSON.stringify(r.value)}`);
    const cls = code === "config" ? classes.ConveyorConfigError : classes.ConveyorWebhookError;
    assert.ok(r.err instanceof cls && r.err instanceof classes.ConveyorError, `${form}: ${r.err?.name} is a ${cls.name}`);
    assert.equal(r.err.code, code, `${form}: ${r.err.message}`);
    assert.equal(r.err.name, cls.name);
    assert.equal(r.err.retryable, false);
    if (typeof message === "string") assert.equal(r.err.message, message, form);
    else if (message) assert.match(r.err.message, message, form);
    const text = [r.err.message, r.err.stack, JSON.stringify(r.err)].join("\n");
    assert.ok(!text.includes(KEY.toString("base64")), `${form}: the secret is not in the error`);
  }
}

/** Asserts `options` verifies, in both forms, with the event of `body`. */
async function verifies(options, body = options.body ?? BODY) {
  for (const [form, verify] of FORMS) {
    const r = await outcome(verify, { secret: SECRET, now: NOW, body: BODY, ...options });
    assert.ok(r.ok, `${form}: should verify, got ${r.err?.code}: ${r.err?.message}`);
    assert.deepEqual(r.value, JSON.parse(typeof body === "string" ? body : new TextDecoder().decode(body)));
  }
}

test("both Node builds' verifyWebhook reject with the one set of error classes", async () => {
  assert.equal(typeof core.verifyWebhook, "function");
  const stores = await import("conveyor-client/stores");
  assert.equal(stores.ConveyorWebhookError, pkg.ConveyorWebhookError);
  for (const verify of [pkg.verifyWebhook, stores.verifyWebhook]) {
    const e = await verify({ secret: SECRET, now: NOW, body: BODY, headers: {} }).catch((err) => err);
    assert.ok(e instanceof pkg.ConveyorWebhookError && e instanceof stores.ConveyorError, String(e));
    assert.equal(e.code, "missing_header");
  }
});

test("Svix headers: the signed text is `id.timestamp.body`, the timestamp as a plain integer", async () => {
  await verifies({ headers: headersFor() });
  // Spaces around the timestamp and leading zeros are read, and the integer is what was signed.
  await verifies({ headers: { ...headersFor(), "svix-timestamp": ` 0${TS} ` } });
  await rejects({ headers: { ...headersFor(), "svix-signature": sign("msg_1", ` 0${TS} `, BODY) } }, "bad_signature");
  // A non-ASCII id is signed as its UTF-8 bytes.
  await verifies({ headers: headersFor("msg_é🙂") });
});

test("Standard Webhooks names when no Svix name is present, and the schemes never mix", async () => {
  const h = headersFor("msg_2");
  await verifies({ headers: { "webhook-id": h["svix-id"], "webhook-timestamp": h["svix-timestamp"], "webhook-signature": h["svix-signature"] } });
  await rejects(
    { headers: { "svix-id": "msg_2", "webhook-timestamp": String(TS), "webhook-signature": h["svix-signature"] } },
    "missing_header",
    "the webhook has no `svix-timestamp` header: pass the request's headers as received",
  );
  // Only the Svix set is read when both are there, even if the other set alone is valid.
  await rejects(
    { headers: { ...headersFor("msg_3"), "svix-signature": "v1," + MAC, "webhook-id": "msg_3", "webhook-timestamp": String(TS), "webhook-signature": sign("msg_3", TS, BODY) } },
    "bad_signature",
  );
  await rejects({ headers: { "webhook-id": "m", "webhook-timestamp": String(TS) } }, "missing_header", "the webhook has no `webhook-signature` header: pass the request's headers as received");
});

test("missing and empty headers", async () => {
  await rejects({ headers: {} }, "missing_header", "the webhook has no `svix-id` header: pass the request's headers as received");
  await rejects({ headers: undefined }, "missing_header", /`svix-id`/);
  await rejects({ headers: "svix-id: m" }, "missing_header", /`svix-id`/);
  await rejects({ headers: () => {} }, "missing_header", /`svix-id`/);
  await rejects({ headers: { ...headersFor(), "svix-signature": "  " } }, "missing_header", "the webhook's `svix-signature` header is empty");
  // Unicode white space (U+0085 and U+3000 included) is empty; U+FEFF is not white space.
  await rejects({ headers: { ...headersFor(), "svix-id": "\x85\u3000\t" } }, "missing_header", "the webhook's `svix-id` header is empty");
  await rejects({ headers: { ...headersFor(), "svix-id": "\uFEFF" } }, "bad_signature");
  // Arrays and other non-strings count as not sent.
  await rejects({ headers: { ...headersFor(), "svix-id": ["msg_1"] } }, "missing_header", /no `svix-id`/);
  await rejects({ headers: { ...headersFor(), "svix-timestamp": TS } }, "missing_header", /no `svix-timestamp`/);
});

test("oversized headers are refused with their bound in the message, before they are read", async () => {
  await rejects(
    { headers: { ...headersFor(), "svix-signature": "x".repeat(8193) } },
    "bad_signature",
    "the webhook's `svix-signature` header is longer than 8192 characters",
  );
  await rejects({ headers: { ...headersFor(), "svix-id": "i".repeat(257) } }, "bad_signature", "the webhook's `svix-id` header is longer than 256 characters");
  await verifies({ headers: headersFor("i".repeat(256)) });
  // A 2 MB timestamp or white-space-only header is refused by length, never trimmed.
  await rejects({ headers: { ...headersFor(), "svix-timestamp": "1".repeat(2 << 20) } }, "timestamp_out_of_range", /`svix-timestamp` header is not a Unix time/);
  await rejects({ headers: { ...headersFor(), "svix-id": " ".repeat(2 << 20) } }, "bad_signature", /longer than 256/);
  const sig = sign("msg_1", TS, BODY);
  const list = Array.from({ length: 100 }, () => "v1," + MAC).join(" ") + " " + sig;
  assert.ok(list.length <= 8192);
  await verifies({ headers: { ...headersFor(), "svix-signature": list } });
  // The order of the checks: a missing header first, then the id's length, then the timestamp.
  await rejects({ headers: { "svix-id": "i".repeat(300), "svix-timestamp": "soon" } }, "missing_header", /svix-signature/);
  await rejects({ headers: { "svix-id": "i".repeat(300), "svix-timestamp": "soon", "svix-signature": "v1,x" } }, "bad_signature", /svix-id/);
  await rejects({ headers: { "svix-id": "m", "svix-timestamp": "soon", "svix-signature": "x".repeat(9000) } }, "timestamp_out_of_range");
});

test("timestamps: ASCII digits only, at most 15, white space around", async () => {
  for (const good of [` ${TS} `, `\u3000${TS}\x85`, `000${TS}`]) {
    await verifies({ headers: { ...headersFor(), "svix-timestamp": good } });
  }
  for (const bad of ["-5", "+5", "1.5", "5s", "0x10", "9999999999999999", "١٢", `\uFEFF${TS}`, `${TS}n`, "1e9", "Infinity"]) {
    await rejects({ headers: { ...headersFor(), "svix-timestamp": bad } }, "timestamp_out_of_range", "the webhook's `svix-timestamp` header is not a Unix time in seconds");
  }
  // 15 digits read, far in the future.
  await rejects({ headers: { ...headersFor(), "svix-timestamp": "999999999999999" } }, "timestamp_out_of_range", /too new: 999998299999999 s ahead of/);
});

test("the window: both directions, inclusive, the exact words", () => {
  assert.doesNotThrow(() => checkTimestamp(1000, 1300_000, 300));
  assert.doesNotThrow(() => checkTimestamp(1600, 1300_999, 300));
  const err = (f) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    assert.fail("should throw");
  };
  const old = err(() => checkTimestamp(999, 1300_000, 300));
  assert.ok(old instanceof errors.ConveyorWebhookError);
  assert.equal(old.code, "timestamp_out_of_range");
  assert.equal(old.message, "the webhook's timestamp is too old: 301 s behind this clock, more than the 300 s tolerance (a replay, or a wrong clock)");
  const ahead = err(() => checkTimestamp(1601, 1300_000, 300));
  assert.equal(ahead.message, "the webhook's timestamp is too new: 301 s ahead of this clock, more than the 300 s tolerance (a replay, or a wrong clock)");
  // Whole seconds of `now`, rounded down (a negative time too).
  assert.doesNotThrow(() => checkTimestamp(0, -1, 1));
  assert.match(err(() => checkTimestamp(0, -1, 0)).message, /too new: 1 s ahead of this clock, more than the 0 s tolerance/);
  assert.match(err(() => checkTimestamp(0, -1001, 0)).message, /too new: 2 s ahead of this clock, more than the 0 s tolerance/);
  // Exact in 64-bit integers however far off `now` is: the seconds saturate as the Rust
  // verifier's did, and the skew and the tolerance are written in full.
  assert.match(err(() => checkTimestamp(5, 1e300, 0)).message, /too old: 9223372036854775802 s behind this clock, more than the 0 s tolerance/);
  assert.match(err(() => checkTimestamp(5, -1e300, 2 ** 62)).message, /too new: 9223372036854775813 s ahead of this clock, more than the 4611686018427387904 s tolerance/);
  assert.doesNotThrow(() => checkTimestamp(999999999999999, -1e300, Number.MAX_VALUE));
});

test("toleranceSec, maxBodyBytes and now: types, bounds and words", async () => {
  const at = (offsetSec) => ({ "svix-id": "m", "svix-timestamp": String(TS + offsetSec), "svix-signature": sign("m", TS + offsetSec, BODY) });
  await verifies({ headers: at(-10), toleranceSec: 10 });
  await rejects({ headers: at(-11), toleranceSec: 10 }, "timestamp_out_of_range", /too old: 11 s behind this clock, more than the 10 s tolerance/);
  await rejects({ headers: at(1), toleranceSec: 0 }, "timestamp_out_of_range", /too new: 1 s ahead/);
  await verifies({ headers: at(0), toleranceSec: 0 });
  await verifies({ headers: at(-1e9), toleranceSec: Number.MAX_VALUE });
  await verifies({ headers: at(-300), toleranceSec: null });
  await rejects({ headers: at(-301), toleranceSec: undefined }, "timestamp_out_of_range", /more than the 300 s tolerance/);
  for (const [value, what] of [
    ["5", "a number"],
    [5n, "a number"],
    [new Number(5), "a number"],
    [NaN, "a finite number"],
    [Infinity, "a finite number"],
    [1.5, "a whole number"],
    [-1, "at least 0"],
  ]) {
    await rejects({ headers: at(0), toleranceSec: value }, "config", `\`toleranceSec\` must be ${what}`);
    await rejects({ headers: at(0), maxBodyBytes: value }, "config", `\`maxBodyBytes\` must be ${what}`);
  }
  await rejects({ headers: at(0), maxBodyBytes: 10 }, "bad_payload", "the webhook body is larger than 10 bytes (`maxBodyBytes`)");
  await rejects({ headers: at(0), maxBodyBytes: -0 }, "bad_payload", "the webhook body is larger than 0 bytes (`maxBodyBytes`)");
  await verifies({ headers: at(0), maxBodyBytes: BODY.length });
  // The bound is on UTF-8 bytes: a string within it in UTF-16 units may still be over.
  const wide = '{"a":"' + "é".repeat(10) + '"}';
  await rejects({ headers: { ...at(0), "svix-signature": sign("m", TS, wide) }, body: wide, maxBodyBytes: wide.length }, "bad_payload", `the webhook body is larger than ${wide.length} bytes (\`maxBodyBytes\`)`);

  await verifies({ headers: at(0), now: NOW.getTime() });
  await verifies({ headers: at(0), now: NOW.getTime() + 999 });
  for (const now of ["yesterday", new Date(NaN), NaN, Infinity, {}, [], true, 5n, Object.create(Date.prototype, {})]) {
    await rejects({ headers: at(0), now }, "config", "`now` must be a valid Date or a number of milliseconds since 1970");
  }
  // A Proxy whose prototype trap throws, or a Date whose getTime throws, is not a valid Date.
  const proxy = new Proxy({}, { getPrototypeOf: () => { throw new Error("trap"); } });
  await rejects({ headers: at(0), now: proxy }, "config", "`now` must be a valid Date or a number of milliseconds since 1970");
  const broken = new Date(NOW);
  broken.getTime = () => {
    throw new Error("hostile");
  };
  await rejects({ headers: at(0), now: broken }, "config", "`now` must be a valid Date or a number of milliseconds since 1970");
  class Later extends Date {}
  await verifies({ headers: at(0), now: new Later(NOW) });
});

test("secrets: whsec_ or bare base64, refused without being quoted", async () => {
  assert.deepEqual([...secretKey("whsec_AAEC")], [0, 1, 2]);
  assert.deepEqual([...secretKey(" AAEC\n")], [0, 1, 2]);
  assert.deepEqual([...secretKey("\u3000whsec_AAEC\x85")], [0, 1, 2]);
  const words = (why) => `the webhook secret ${why}: pass it as shown in Conveyor (\`whsec_\` and base64)`;
  for (const [bad, why] of [
    ["", "is empty"],
    ["whsec_", "is empty"],
    ["  whsec_ ", "is empty"],
    ["whsec_!!!!", "is not base64"],
    ["whsec_AA EC", "is not base64"],
    ["whsec_AA\nEC", "is not base64"],
    ["whsec_A", "is not base64"],
    ["whsec_AA=A", "is not base64"],
    ["\uFEFFAAEC", "is not base64"],
    ["A".repeat(1025), "is longer than 1024 characters"],
    // 1024 UTF-16 units, but more than 1024 UTF-8 bytes: the bound is on bytes too.
    ["é".repeat(600), "is longer than 1024 characters"],
  ]) {
    let e;
    try {
      secretKey(bad);
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof errors.ConveyorWebhookError, JSON.stringify(bad));
    assert.equal(e.code, "bad_secret");
    assert.equal(e.message, words(why), JSON.stringify(bad));
    if (why !== "is empty") assert.ok(!e.message.includes(bad.trim()), "the secret is not in the message");
  }
  await verifies({ headers: headersFor(), secret: KEY.toString("base64") });
  await verifies({ headers: headersFor(), secret: ` ${SECRET}\n` });
  for (const secret of [undefined, null, 5, new String(SECRET), { toString: () => SECRET }]) {
    await rejects({ headers: headersFor(), secret }, "bad_secret", words("is missing (`secret` must be a string)"));
  }
  await rejects({ headers: headersFor(), secret: "whsec_" + "A".repeat(2 << 20) }, "bad_secret", words("is longer than 1024 characters"));
});

test("signature lists keep only v1 MACs of a padded MAC's length", () => {
  const unpadded = MAC.replace(/=+$/, "");
  const header = `v2,${MAC} v1,${MAC}  v1,short v1,${unpadded} v1a,${MAC} ${MAC} v1,${MAC}AAAA v1,${MAC}`;
  assert.deepEqual(parseSignatures(header), [MAC, MAC]);
  assert.deepEqual(parseSignatures(""), []);
  assert.deepEqual(parseSignatures(`V1,${MAC}\tv1,${MAC}`), []);
  // 44 bytes of UTF-8 count as one (it can never match): "has no signature that matches".
  assert.deepEqual(parseSignatures("v1," + "é".repeat(22)), ["é".repeat(22)]);
});

test("matching is any of the signatures, the bad_signature words say which case", async () => {
  const [a, b] = ["a".repeat(44), "b".repeat(44)];
  assert.ok(isSignedBy([a, b], b));
  assert.ok(isSignedBy([a, b], a));
  assert.ok(!isSignedBy([a, b], "c".repeat(44)));
  assert.ok(!isSignedBy([a, b], b.slice(1)));
  assert.ok(!isSignedBy([a, b], a + b));
  assert.ok(!isSignedBy([], a));
  const advice = ": check the secret, and verify the raw body exactly as received (not parsed and re-serialised JSON)";
  await rejects({ headers: { ...headersFor(), "svix-signature": "v1," + MAC } }, "bad_signature", "the webhook has no signature that matches its body with this secret" + advice);
  await rejects({ headers: { ...headersFor(), "svix-signature": "v2," + MAC } }, "bad_signature", "the webhook carries no `v1` signature" + advice);
  await rejects({ headers: { ...headersFor(), "svix-signature": "v1," + "é".repeat(22) } }, "bad_signature", "the webhook has no signature that matches its body with this secret" + advice);
  const good = sign("msg_1", TS, BODY);
  await verifies({ headers: { ...headersFor(), "svix-signature": `v1,${MAC} v2,${good.slice(3)} ${good}` } });
});

test("header lookup: Headers, anything with get, plain objects in any ASCII case", async () => {
  const h = headersFor();
  await verifies({ headers: new Headers(h) });
  const calls = [];
  await verifies({
    headers: {
      get(name) {
        calls.push(name);
        return h[name] ?? null;
      },
    },
  });
  assert.ok(calls.every((n) => n === n.toLowerCase()), "asked in lower case");
  assert.deepEqual([...new Set(calls)].sort(), ["svix-id", "svix-signature", "svix-timestamp"]);
  // A `get` that throws for a name: that header is not sent.
  await rejects({ headers: { get: (n) => (n === "svix-timestamp" ? (() => { throw new Error("x"); })() : h[n]) } }, "missing_header", /no `svix-timestamp`/);
  // A `get` that is not a function: the object's own names are read instead.
  await verifies({ headers: { ...h, get: 5 } });
  await verifies({ headers: { "SVIX-ID": h["svix-id"], "Svix-Timestamp": h["svix-timestamp"], "svix-SIGNATURE": h["svix-signature"] } });
  // ASCII case only: a Kelvin sign is not a K (String#toLowerCase would make it one).
  await rejects(
    { headers: { "webhoo\u212A-id": "m", "webhook-timestamp": String(TS), "webhook-signature": sign("m", TS, BODY) } },
    "missing_header",
    /no `webhook-id`/,
  );
  // The first of two spellings in key order wins.
  await verifies({ headers: { "Svix-Id": "msg_1", "svix-id": "other", "svix-timestamp": h["svix-timestamp"], "svix-signature": h["svix-signature"] } });
  await rejects({ headers: { "svix-id": "other", "Svix-Id": "msg_1", "svix-timestamp": h["svix-timestamp"], "svix-signature": h["svix-signature"] } }, "bad_signature");
  // Inherited names are not the object's own.
  await rejects({ headers: Object.create(h) }, "missing_header", /no `svix-id`/);
});

test("options and headers that throw or lie are configuration errors naming what threw", async () => {
  const h = headersFor();
  const good = { secret: SECRET, now: NOW, body: BODY, headers: h };
  for (const name of ["toleranceSec", "maxBodyBytes", "now", "secret", "headers", "body"]) {
    const getter = Object.defineProperty({ ...good }, name, {
      get() {
        throw new Error("hostile getter " + SECRET);
      },
    });
    await rejectsAsIs(getter, "config", `reading \`${name}\` threw`);
    const proxy = new Proxy(good, {
      get(t, k) {
        if (k === name) throw new Error("hostile trap");
        return Reflect.get(t, k);
      },
    });
    await rejectsAsIs(proxy, "config", `reading \`${name}\` threw`);
  }
  await rejects({ headers: new Proxy(h, { ownKeys: () => { throw new Error("trap"); } }) }, "config", "reading `headers` threw");
  await rejects({ headers: Object.defineProperty({ ...h }, "get", { get: () => { throw new Error("x"); } }) }, "config", "reading `get` threw");
  // A value getter that throws: that header is not sent.
  await rejects({ headers: Object.defineProperty({ ...h }, "svix-id", { enumerable: true, get: () => { throw new Error("x"); } }) }, "missing_header", /no `svix-id`/);
  // A Proxy of the headers that answers normally verifies; a revoked one is a bad option.
  await verifies({ headers: new Proxy(h, {}) });
  const { proxy, revoke } = Proxy.revocable(h, {});
  revoke();
  await rejects({ headers: proxy }, "config", "reading `get` threw");
  for (const options of [undefined, null, 5, "options", () => {}]) {
    await rejectsAsIs(options, "config", "verifyWebhook needs an options object: { body, headers, secret }");
  }
});

test("bodies: strings, bytes at any offset, buffers; anything else is a configuration error", async () => {
  const h = headersFor();
  const bytes = new TextEncoder().encode(BODY);
  await verifies({ headers: h, body: bytes });
  await verifies({ headers: h, body: Buffer.from(BODY) }, BODY);
  await verifies({ headers: h, body: bytes.slice().buffer }, BODY);
  for (const offset of [1, 3, 7]) {
    const big = new Uint8Array(bytes.length + 2 * offset).fill(0x20);
    big.set(bytes, offset);
    await verifies({ headers: h, body: big.subarray(offset, offset + bytes.length) }, BODY);
    await verifies({ headers: h, body: new DataView(big.buffer, offset, bytes.length) }, BODY);
  }
  const words =
    "`body` must be the raw request body as received: a string, a Uint8Array (or Buffer) or an ArrayBuffer; a parsed and re-serialised body cannot be verified";
  for (const body of [undefined, null, JSON.parse(BODY), 5, [1, 2], new Blob([BODY])]) await rejects({ headers: h, body }, "config", words);
  const detached = bytes.slice().buffer;
  structuredClone(detached, { transfer: [detached] });
  await rejects({ headers: headersFor("m", TS, ""), body: detached }, "config", "reading `body` threw");
  // The bytes hashed are the bytes parsed: a buffer changed while WebCrypto works does not
  // change the event (it was copied when verifyWebhook was called).
  for (const [form, verify] of FORMS) {
    const live = new TextEncoder().encode(BODY);
    const pending = verify({ secret: SECRET, now: NOW, headers: h, body: live });
    live.set(new TextEncoder().encode('{"type":"forged.event"'));
    assert.deepEqual(await pending, JSON.parse(BODY), form);
  }
});

test("signed bodies that are not a JSON object", async () => {
  const signed = (body) => ({ headers: headersFor("m", TS, body), body });
  await rejects(signed(Uint8Array.from([0x7b, 0xe9, 0xff, 0x7d])), "bad_payload", "the webhook body is not UTF-8 text");
  await rejects(signed(Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22])), "bad_payload", "the webhook body is not UTF-8 text");
  for (const [body, why] of [
    ["{nope", "is not JSON"],
    ["", "is not JSON"],
    ["[1,2]", "is not a JSON object"],
    ["42", "is not a JSON object"],
    ["null", "is not a JSON object"],
    ['"text"', "is not a JSON object"],
  ]) {
    await rejects(signed(body), "bad_payload", `the webhook body ${why}`);
  }
  // A UTF-8 byte order mark is dropped before parsing, as TextDecoder does.
  const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(BODY)]);
  await verifies(signed(bom), BODY);
});

// --- Properties, over a seeded generator (xorshift32): the seed reproduces a failure. ---

const SEED = Number(process.env.WEBHOOK_SEED ?? Date.now() % 2 ** 31) || 1;
const CASES = 300;
function rng(seed) {
  const next = seeded(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo));
  const bytes = (lo, hi) => Uint8Array.from({ length: int(lo, hi) }, () => int(0, 256));
  const string = (alphabet, lo, hi) => Array.from({ length: int(lo, hi) }, () => alphabet[int(0, alphabet.length)]).join("");
  /** Any UTF-16 units, lone surrogates, white space and the header's separators included. */
  const units = (lo, hi) => Array.from({ length: int(lo, hi) }, () => (next() < 0.5 ? " ,v1=+/0a\u3000\x85\uFEFF"[int(0, 12)] : String.fromCharCode(int(0, 0x10000)))).join("");
  return { next, int, bytes, string, units };
}
const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

test(`property: the constant-time match is equality (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const a = r.string("ab", 0, 6);
    const b = r.string("ab", 0, 6);
    assert.equal(isSignedBy([a], b), a === b, `${JSON.stringify([a, b])}, seed ${SEED}`);
    assert.ok(isSignedBy([a], a));
    const list = Array.from({ length: r.int(0, 4) }, () => r.string("ab", 0, 6));
    assert.equal(isSignedBy(list, b), list.includes(b), `${JSON.stringify([list, b])}, seed ${SEED}`);
  }
});

test(`property: every encoded secret is accepted with or without its prefix (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const key = r.bytes(1, 64);
    assert.deepEqual(secretKey("whsec_" + b64(key)), key, `seed ${SEED}`);
    assert.deepEqual(secretKey(b64(key)), key, `seed ${SEED}`);
  }
});

test(`property: the window is symmetric and inclusive (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const now = r.int(-1_000_000_000, 4_000_000_000);
    const skew = r.int(0, 10_000);
    const tol = r.int(0, 5_000);
    const ms = now * 1000 + r.int(0, 1000);
    const ok = (ts) => {
      try {
        checkTimestamp(ts, ms, tol);
        return true;
      } catch (e) {
        assert.equal(e.code, "timestamp_out_of_range");
        assert.ok(e.message.includes(` ${skew} s `) && e.message.includes(` ${tol} s tolerance`), e.message);
        return false;
      }
    };
    assert.equal(ok(now - skew), skew <= tol, `now ${now} skew ${skew} tol ${tol}, seed ${SEED}`);
    assert.equal(ok(now + skew), skew <= tol, `now ${now} skew ${skew} tol ${tol}, seed ${SEED}`);
  }
});

test(`property: every v1 MAC in a list is found, nothing else is kept (seed ${SEED})`, () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const macs = Array.from({ length: r.int(0, 6) }, () => b64(r.bytes(32, 33)));
    const noise = Array.from({ length: r.int(0, 6) }, () => r.string(B64_CHARS + ",", 0, 50)).filter((n) => !n.startsWith("v1,"));
    const entries = [...macs.map((m) => "v1," + m), ...noise, ...macs.map((m) => "v2," + m)];
    const parsed = parseSignatures(entries.join(" "));
    assert.deepEqual(parsed, macs, `seed ${SEED}`);
    for (const m of macs) assert.ok(isSignedBy(parsed, m));
  }
});

test(`property: any headers settle with a typed error or the event, never a throw (seed ${SEED})`, async () => {
  const r = rng(SEED);
  for (let i = 0; i < CASES; i++) {
    const headers = { "svix-id": r.units(0, 300), "svix-timestamp": r.next() < 0.3 ? String(TS + r.int(-400, 400)) : r.units(0, 30), "svix-signature": r.units(0, 200) };
    for (const [form, verify, classes] of FORMS) {
      const out = await outcome(verify, { secret: SECRET, now: NOW, body: BODY, headers });
      assert.ok(!out.ok, `${form}: ${JSON.stringify(headers)} cannot verify, seed ${SEED}`);
      assert.ok(out.err instanceof classes.ConveyorWebhookError, `${form}: ${out.err}, seed ${SEED}`);
      assert.ok(["missing_header", "bad_signature", "timestamp_out_of_range"].includes(out.err.code), `${out.err.code}, seed ${SEED}`);
    }
  }
});

test(`property: a genuine delivery verifies whatever its id, body and key (seed ${SEED})`, async () => {
  const r = rng(SEED);
  for (let i = 0; i < 100; i++) {
    const id = r.units(1, 256).replace(/^[\s\x85\uFEFF]+|[\s\x85\uFEFF]+$/g, "") || "m";
    const key = r.bytes(1, 64);
    const event = { type: "access.requested", text: r.units(0, 100), n: r.int(0, 1e9) };
    const body = JSON.stringify(event);
    const ts = TS + r.int(-300, 301);
    // Lone surrogates are signed as U+FFFD, as TextEncoder writes them.
    const signature = "v1," + createHmac("sha256", key).update(new TextEncoder().encode(`${id}.${ts}.`)).update(new TextEncoder().encode(body)).digest("base64");
    for (const [form, verify] of FORMS) {
      const out = await outcome(verify, { secret: "whsec_" + b64(key), now: NOW, body, headers: { "svix-id": id, "svix-timestamp": String(ts), "svix-signature": signature } });
      assert.ok(out.ok, `${form}: ${out.err?.message}, seed ${SEED}`);
      assert.deepEqual(out.value, JSON.parse(body));
    }
  }
});
