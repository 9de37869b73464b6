// WebCrypto's HMAC for `verifyWebhook` (src/webhook_shell.rs): Rust owns every decision
// (headers, timestamp window, body bound, which signature matches); this awaits the
// platform in one call. Only `export function`, no imports: the build rewrites it to CJS.

/** Base64 of HMAC-SHA256(`key`, `prefix` + `body`). Rejects when WebCrypto is missing.
 * `key` and `prefix` are views on wasm memory: copied before anything is awaited. */
export function hmacBase64(key, prefix, body) {
  const data = new Uint8Array(prefix.length + body.length);
  data.set(prefix);
  data.set(body, prefix.length);
  const raw = key.slice();
  return (async () => {
    const subtle = crypto.subtle;
    const k = await subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return btoa(String.fromCharCode(...new Uint8Array(await subtle.sign("HMAC", k, data))));
  })();
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
