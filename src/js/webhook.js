// `verifyWebhook`: checks a webhook delivery (Svix / Standard Webhooks) and resolves with its
// JSON event. A delivery carries three headers — an id, a Unix timestamp in seconds and one
// or more signatures — and is genuine when one `v1,` signature is the base64 HMAC-SHA256,
// keyed with the decoded secret, of `id.timestamp.body`, and the timestamp is within a
// tolerance of now (so a captured delivery cannot be replayed later).
//
// Plain JS, not the .wasm: verification is a pure function of the platform (WebCrypto's
// HMAC, `atob`/`btoa`, `TextDecoder`, `JSON.parse`), so the wasm had nothing to add but a
// crossing, and in the .wasm every browser app paid for it (about 4 KB gzipped) although a
// signing secret must never be in a browser. As a module of its own, with nothing run at
// import, bundlers drop it from apps that do not import `verifyWebhook`. The package ships
// it as pkg/dist/webhook.js, which every ESM entry of both builds re-exports (each Node
// bundle carries a copy), importing the error classes from the one shared errors module,
// so `instanceof` holds whichever entry a caller imports them from.
//
// Every failure rejects the returned promise (an async function never throws), with a
// `ConveyorWebhookError` (its `code` says why) or, for options of the wrong type or whose
// reading throws, a `ConveyorConfigError`. No message ever quotes the secret or a signature.
// The other exports, the pure steps, are for this module's tests: the package's entries
// re-export `verifyWebhook` alone (scripts/post-build.mjs).
import { ConveyorConfigError, ConveyorWebhookError } from "./errors.js";

/** How far the timestamp may be from now, either way, unless the caller says otherwise. */
const DEFAULT_TOLERANCE_SEC = 300;
/** The largest body accepted unless `maxBodyBytes` says otherwise. Conveyor's events are
 * about a kilobyte; a bound keeps a forged multi-megabyte delivery from costing a hash. */
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** The longest secret read; Svix secrets decode to 24 to 64 bytes. */
const MAX_SECRET_LEN = 1024;
/** The length of an HMAC-SHA256 (32 bytes) in padded base64, as Svix writes it. */
const MAC_BASE64_LEN = 44;
// The bounds below are written out in their messages too (a test pins each to its bound).
/** The longest message id read. Svix ids are about 30 characters; a bound keeps a hostile
 * header from being copied or hashed. */
const MAX_ID_LEN = 256;
/** The longest timestamp header read (seconds since 1970 have 10 digits until 2286). */
const MAX_TIMESTAMP_LEN = 20;
/** The longest signature header read: room for over a hundred signatures (a secret being
 * rotated has two). */
const MAX_SIGNATURE_HEADER_LEN = 8192;
/** Svix's header names (id, timestamp, signature), then the Standard Webhooks ones, in the
 * order they are tried. */
const SVIX = ["svix-id", "svix-timestamp", "svix-signature"];
const STANDARD = ["webhook-id", "webhook-timestamp", "webhook-signature"];

/** A `ConveyorWebhookError` with its `code`, or with `code` "config" a `ConveyorConfigError`. */
function fail(code, message) {
  return new (code === "config" ? ConveyorConfigError : ConveyorWebhookError)(message, { code, retryable: false });
}

/** The error for a secret that cannot be used; `why` never quotes it. */
const badSecret = (why) => fail("bad_secret", "the webhook secret " + why + ": pass it as shown in Conveyor (`whsec_` and base64)");

/** The error for a body that is signed but not a JSON event, or too large to hash. */
const badPayload = (why) => fail("bad_payload", "the webhook body " + why);

/** The number of UTF-8 bytes of `s` (a lone surrogate counts as U+FFFD's three). */
const utf8Length = (s) => new TextEncoder().encode(s).length;

/** `s` without the white space around it: Unicode's White_Space, as the verifier always
 * trimmed (not `String#trim`, which also trims U+FEFF but not U+0085). A loop, not a
 * regular expression anchored at the end, which takes quadratic time on a long run of
 * spaces. */
function trim(s) {
  const space = /[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  let start = 0;
  let end = s.length;
  while (start < end && space.test(s[start])) start++;
  while (end > start && space.test(s[end - 1])) end--;
  return s.slice(start, end);
}

/** `options[name]`, `undefined` for null too; a getter or `Proxy` trap that throws is the
 * caller's bad option, named. */
function read(options, name) {
  let v;
  try {
    v = options[name];
  } catch {
    throw fail("config", "reading `" + name + "` threw");
  }
  return v === null ? undefined : v;
}

/** An optional whole number of at least 0, `fallback` when it is not given. */
function wholeNumber(options, name, fallback) {
  const n = read(options, name);
  const must = (what) => fail("config", "`" + name + "` must be " + what);
  if (n === undefined) return fallback;
  if (typeof n !== "number") throw must("a number");
  if (n === Number.MAX_VALUE) return n;
  if (!Number.isFinite(n)) throw must("a finite number");
  if (n !== Math.trunc(n)) throw must("a whole number");
  if (n < 0) throw must("at least 0");
  return n;
}

/**
 * A lookup of the delivery headers in `headers`: a `Headers` (anything with a `get` method)
 * or a plain object such as Node's `req.headers`, whose names may be in any case. The lookup
 * gives a header's string value, or `undefined` when it was not sent (or is not a string:
 * null from `Headers.get`, an array).
 */
function headerLookup(headers) {
  if (typeof headers !== "object" || headers === null) return () => undefined;
  const get = read(headers, "get");
  if (typeof get === "function") {
    return (name) => {
      try {
        const v = get.call(headers, name);
        if (typeof v === "string") return v;
      } catch {}
    };
  }
  // The values of the six names read, found once by an ASCII case-insensitive scan.
  let keys;
  try {
    keys = Object.keys(headers);
  } catch {
    throw fail("config", "reading `headers` threw");
  }
  const found = [];
  for (const key of keys) {
    // Only a short key can be one of ours: a hostile long one is never looked at.
    if (key.length > 20 || /[^\0-\x7f]/.test(key)) continue;
    const lower = key.toLowerCase();
    for (const name of [...SVIX, ...STANDARD]) {
      if (name !== lower) continue;
      try {
        found.push([name, headers[key]]);
      } catch {}
    }
  }
  return (name) => {
    const v = found.find((f) => f[0] === name);
    if (v && typeof v[1] === "string") return v[1];
  };
}

/**
 * The delivery's headers, read and bounded: its id, timestamp (seconds) and `v1` signatures.
 * The Svix names are used when any of them is present, else the Standard Webhooks names; a
 * scheme is never mixed with the other.
 */
function readDelivery(lookup) {
  const has = (name) => lookup(name) !== undefined;
  const names = !has(SVIX[0]) && !has(SVIX[1]) && !has(SVIX[2]) && (has(STANDARD[0]) || has(STANDARD[1]) || has(STANDARD[2])) ? STANDARD : SVIX;
  // A header's value, or null when it is longer than `max` (then it is never copied or
  // trimmed: a hostile header stays where it is).
  const value = (name, max) => {
    const v = lookup(name);
    if (v === undefined) throw fail("missing_header", "the webhook has no `" + name + "` header: pass the request's headers as received");
    if (v.length > max) return null;
    if (!trim(v)) throw fail("missing_header", "the webhook's `" + name + "` header is empty");
    return v;
  };
  const id = value(names[0], MAX_ID_LEN);
  const timestamp = value(names[1], MAX_TIMESTAMP_LEN);
  const signature = value(names[2], MAX_SIGNATURE_HEADER_LEN);
  if (id === null) throw fail("bad_signature", "the webhook's `" + names[0] + "` header is longer than 256 characters");
  // ASCII digits only (`\d` without the `u` flag), surrounding white space allowed, at most 15.
  const digits = timestamp === null ? "" : trim(timestamp);
  if (!/^\d{1,15}$/.test(digits)) throw fail("timestamp_out_of_range", "the webhook's `" + names[1] + "` header is not a Unix time in seconds");
  if (signature === null) throw fail("bad_signature", "the webhook's `" + names[2] + "` header is longer than 8192 characters");
  return { id, timestamp: Number(digits), signatures: parseSignatures(signature) };
}

/**
 * The `v1` signatures of a signature header (space-separated `version,base64` entries).
 * Other versions are skipped, and so are entries that cannot be a padded base64 MAC (no
 * other length can equal one).
 */
export function parseSignatures(header) {
  const out = [];
  for (const entry of header.split(" ")) {
    const b64 = entry.slice(3);
    if (entry.startsWith("v1,") && b64.length <= MAC_BASE64_LEN && utf8Length(b64) === MAC_BASE64_LEN) out.push(b64);
  }
  return out;
}

/** Checks that `timestamp` is within `toleranceSec` of `nowMs`, either way (a clock ahead of
 * ours is as suspect as a replay). In 64-bit integers, as the seconds always were: exact for
 * any `now`, however far off. */
export function checkTimestamp(timestamp, nowMs, toleranceSec) {
  const limit = 2n ** 63n;
  let now = BigInt(Math.floor(nowMs / 1000));
  if (now >= limit) now = limit - 1n;
  if (now < -limit) now = -limit;
  const ts = BigInt(timestamp);
  const skew = ts < now ? now - ts : ts - now;
  if (skew > toleranceSec) {
    const [how, dir] = ts < now ? ["old", "behind"] : ["new", "ahead of"];
    throw fail(
      "timestamp_out_of_range",
      "the webhook's timestamp is too " + how + ": " + skew + " s " + dir + " this clock, more than the " + BigInt(toleranceSec) + " s tolerance (a replay, or a wrong clock)",
    );
  }
}

/** The key bytes of the secret (`whsec_<base64>` as Conveyor shows it, or the bare base64).
 * Refuses what is plainly not a secret, and what `atob` would silently accept (white space
 * inside). */
export function secretKey(secret) {
  // A hostile or mistaken multi-megabyte "secret" is refused before it is encoded.
  if (secret.length > MAX_SECRET_LEN || utf8Length(secret) > MAX_SECRET_LEN) throw badSecret("is longer than 1024 characters");
  let b64 = trim(secret);
  if (b64.startsWith("whsec_")) b64 = b64.slice(6);
  if (!b64) throw badSecret("is empty");
  if (/[^A-Za-z0-9+/=]/.test(b64)) throw badSecret("is not base64");
  let key;
  try {
    key = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    throw badSecret("is not base64");
  }
  if (!key.length) throw badSecret("decodes to no bytes");
  return key;
}

/** Whether one of `signatures` is `expected` (the MAC in padded base64), in time
 * independent of where (or whether) they differ from it: every signature is compared,
 * matched or not, and each comparison reads every character. The base64 texts are compared,
 * as Svix's own verifier does: the MAC is encoded once instead of every signature decoded. */
export function isSignedBy(signatures, expected) {
  let found = false;
  for (const sig of signatures) {
    let diff = sig.length ^ expected.length;
    for (let i = 0; i < expected.length; i++) diff |= sig.charCodeAt(i) ^ expected.charCodeAt(i);
    found = found || diff === 0;
  }
  return found;
}

/** The raw body as bytes, a view rather than a copy: `null` for a string of more than `max`
 * UTF-16 units (UTF-8 never has fewer bytes, so it is refused before it is encoded),
 * `undefined` for anything but a string, an ArrayBuffer or a view (a Buffer is one). */
function bodyView(body, max) {
  if (typeof body === "string") return body.length > max ? null : new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/** The raw body as bytes, at most `max` of them. */
function bodyBytes(body, max) {
  let bytes;
  try {
    bytes = bodyView(body, max);
  } catch {
    // A subclassed view whose getters throw or lie is a bad option.
    throw fail("config", "reading `body` threw");
  }
  if (bytes === undefined) {
    throw fail(
      "config",
      "`body` must be the raw request body as received: a string, a Uint8Array (or Buffer) or an ArrayBuffer; a parsed and re-serialised body cannot be verified",
    );
  }
  if (bytes === null || bytes.length > max) throw badPayload("is larger than " + max + " bytes (`maxBodyBytes`)");
  return bytes;
}

/**
 * `verifyWebhook({ body, headers, secret, toleranceSec, maxBodyBytes, now })`: every check
 * that needs no MAC, in the order the options are read, then WebCrypto's HMAC; resolves
 * with the parsed JSON object, or rejects (never throws).
 */
export async function verifyWebhook(options) {
  if (typeof options !== "object" || options === null) throw fail("config", "verifyWebhook needs an options object: { body, headers, secret }");
  const toleranceSec = wholeNumber(options, "toleranceSec", DEFAULT_TOLERANCE_SEC);
  const maxBodyBytes = wholeNumber(options, "maxBodyBytes", DEFAULT_MAX_BODY_BYTES);
  const now = read(options, "now");
  let nowMs = NaN;
  if (now === undefined) nowMs = Date.now();
  else if (typeof now === "number") nowMs = now;
  else {
    // A `Proxy` whose `getPrototypeOf` trap throws, or a Date whose `getTime` does (an object
    // made from Date.prototype without being one), is not a valid Date.
    try {
      if (now instanceof Date) nowMs = +now.getTime();
    } catch {}
  }
  if (!Number.isFinite(nowMs)) throw fail("config", "`now` must be a valid Date or a number of milliseconds since 1970");

  const secret = read(options, "secret");
  if (typeof secret !== "string") throw badSecret("is missing (`secret` must be a string)");
  const key = secretKey(secret);

  const delivery = readDelivery(headerLookup(read(options, "headers")));
  checkTimestamp(delivery.timestamp, nowMs, toleranceSec);
  const body = bodyBytes(read(options, "body"), maxBodyBytes);

  // What is signed: `id.timestamp.` (the timestamp as a plain integer, which is how Svix
  // formats it when it signs), then the body. Copied now, so the bytes hashed are the bytes
  // parsed below whatever the caller does with its buffer meanwhile.
  const prefix = new TextEncoder().encode(delivery.id + "." + delivery.timestamp + ".");
  const data = new Uint8Array(prefix.length + body.length);
  data.set(prefix);
  data.set(body, prefix.length);
  let mac;
  try {
    const subtle = crypto.subtle;
    const hmacKey = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    mac = btoa(String.fromCharCode(...new Uint8Array(await subtle.sign("HMAC", hmacKey, data))));
  } catch {}
  // Base64 of a SHA-256 MAC: 44 characters; anything else is not WebCrypto's answer.
  if (typeof mac !== "string" || mac.length !== MAC_BASE64_LEN) {
    throw fail("config", "verifyWebhook needs WebCrypto (`crypto.subtle`), which this runtime lacks");
  }
  if (!isSignedBy(delivery.signatures, mac)) {
    throw fail(
      "bad_signature",
      "the webhook " +
        (delivery.signatures.length ? "has no signature that matches its body with this secret" : "carries no `v1` signature") +
        ": check the secret, and verify the raw body exactly as received (not parsed and re-serialised JSON)",
    );
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(prefix.length));
  } catch {
    throw badPayload("is not UTF-8 text");
  }
  let event;
  try {
    event = JSON.parse(text);
  } catch {
    throw badPayload("is not JSON");
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) throw badPayload("is not a JSON object");
  return event;
}
