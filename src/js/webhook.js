// WebCrypto's HMAC for `verifyWebhook` (src/webhook_shell.rs): Rust owns every decision
// (headers, timestamp window, body bound, which signature matches, the payload); this awaits
// the platform between its two synchronous calls. Only `export function`, no imports: the
// build rewrites it to CJS.

// Rust's one callback per realm, `verified(mac, signatures, body)`: the second call, which
// returns the event or throws its typed error. Each verification carries its own
// `signatures` and `body` through it, so any number can be in flight.
let verified;

/** Sets the callback that finishes a verification (once per realm). */
export function setVerified(f) {
  verified = f;
}

/**
 * The promise of `verified(mac, signatures, body)`, `mac` being the base64 of
 * HMAC-SHA256(`key`, `prefix` + `body`), or undefined when WebCrypto is missing or fails.
 * Never throws: an async function rejects instead. `prefix` is a view on wasm memory:
 * copied before anything is awaited.
 */
export async function hmacThen(key, prefix, body, signatures) {
  let mac;
  try {
    const data = new Uint8Array(prefix.length + body.length);
    data.set(prefix);
    data.set(body, prefix.length);
    const subtle = crypto.subtle;
    const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    mac = btoa(String.fromCharCode(...new Uint8Array(await subtle.sign("HMAC", k, data))));
  } catch {}
  return verified(mac, signatures, body);
}

/** The key bytes of a base64 secret (`atob` gives one character per byte); `undefined` when
 * `atob` refuses it. */
export function secretBytes(b64) {
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {}
}

/** `bytes` as text, throwing on bytes that are not UTF-8. */
export function utf8(bytes) {
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The raw body as bytes, a view rather than a copy: `null` for a string of more than `max`
 * UTF-16 units (UTF-8 never has fewer bytes, so it is refused before it is encoded),
 * `undefined` for anything but a string, an ArrayBuffer or a view (a Buffer is one). */
export function bodyBytes(body, max) {
  if (typeof body === "string") return body.length > max ? null : new TextEncoder().encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}
