//! `verifyWebhook`: the JS half of [`crate::webhook`], in two synchronous calls.
//!
//! [`verify`] reads the caller's options, looks headers up case-insensitively in a `Headers`
//! or a plain object, and makes every check that needs no MAC; then `src/js/webhook.js`
//! computes the HMAC with the platform's WebCrypto and hands it to [`verified`] (through the
//! realm's one callback), which decides whether a signature matches and parses the body with
//! the platform's `JSON.parse`. No Rust future is involved: `verifyWebhook` returns the
//! snippet's promise, whose continuation is the second call. The body never enters wasm
//! memory: it goes from the caller's string or bytes to WebCrypto and `JSON.parse` on the
//! JS side, so its size does not grow the wasm heap.

use crate::errors::Error;
use crate::fallible;
use crate::js_error;
use crate::options::{get, get_number};
use crate::text::cat;
use crate::webhook::{self, Delivery, HeaderSource, HeaderValue, HEADER_SETS, MAC_BASE64_LEN};
use alloc::{string::String, vec::Vec};
use core::cell::Cell;
use js_sys::{Array, Date, JsString, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

/// The second call's signature: the MAC (a string, or undefined when WebCrypto failed), the
/// delivery's `v1` signatures as [`Delivery::signatures`] holds them, and the body.
type Verified = dyn FnMut(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>;

#[wasm_bindgen(module = "/src/js/webhook.js")]
extern "C" {
    #[wasm_bindgen(js_name = setVerified)]
    fn set_verified(f: &Closure<Verified>);
    /// Resolves with what `verified(mac, signatures, body)` returns, or rejects with what it
    /// throws; never throws itself.
    #[wasm_bindgen(js_name = hmacThen)]
    fn hmac_then(key: &Uint8Array, prefix: &[u8], body: &Uint8Array, signatures: &str) -> Promise;
    /// `atob(b64)` as bytes (one per character of its binary string); `None` when `atob`
    /// refuses it.
    #[wasm_bindgen(js_name = secretBytes)]
    fn secret_bytes(b64: &str) -> Option<Uint8Array>;
    #[wasm_bindgen(catch)]
    fn utf8(bytes: &Uint8Array) -> Result<JsString, JsValue>;
    #[wasm_bindgen(catch, js_name = bodyBytes)]
    fn body_view(body: &JsValue, max: f64) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    // JSON bound to JS strings, so the body is never copied into wasm memory.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
}

realm_local! {
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

/// The largest body accepted unless `maxBodyBytes` says otherwise. Conveyor's events are
/// about a kilobyte; a bound keeps a forged multi-megabyte delivery from costing a hash.
pub const DEFAULT_MAX_BODY_BYTES: f64 = 1024.0 * 1024.0;

/// Headers as the caller passed them: a `Headers` (anything with a `get` method), or a
/// plain object such as Node's `req.headers`, whose names may be in any case.
enum JsHeaders {
    Getter(JsValue, js_sys::Function),
    /// The values of the six names we read, found once by a case-insensitive scan.
    Plain(Vec<(&'static str, JsValue)>),
}

impl JsHeaders {
    fn new(headers: &JsValue) -> Result<JsHeaders, Error> {
        if let Some(f) = get(headers, "get")?.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            return Ok(JsHeaders::Getter(headers.clone(), f));
        }
        let [svix, standard] = HEADER_SETS;
        let wanted = [
            svix.id,
            svix.timestamp,
            svix.signature,
            standard.id,
            standard.timestamp,
            standard.signature,
        ];
        let mut found = Vec::new();
        if headers.is_object() {
            // A `Proxy` whose `ownKeys` trap throws is a bad option, not a trap of the wasm.
            let keys = fallible::keys(headers).map_err(|_| config("reading `headers` threw"))?;
            for key in keys.iter() {
                // Only a short key can be one of ours: a hostile long one is never copied.
                let Some(k) = key.dyn_ref::<JsString>() else {
                    continue;
                };
                if k.length() > 20 {
                    continue;
                }
                let name = String::from(k);
                for w in wanted {
                    if w.eq_ignore_ascii_case(&name) {
                        if let Ok(v) = Reflect::get(headers, &key) {
                            found.push((w, v));
                        }
                    }
                }
            }
        }
        Ok(JsHeaders::Plain(found))
    }

    fn raw(&self, name: &str) -> Option<JsValue> {
        let v = match self {
            JsHeaders::Getter(h, f) => f.call1(h, &JsValue::from_str(name)).ok()?,
            JsHeaders::Plain(found) => found.iter().find(|(n, _)| *n == name)?.1.clone(),
        };
        // A value that is not a string (null from Headers.get, an array) counts as absent.
        v.is_string().then_some(v)
    }
}

impl HeaderSource for JsHeaders {
    fn get(&mut self, name: &str, max_len: usize) -> HeaderValue {
        let Some(v) = self.raw(name) else {
            return HeaderValue::Absent;
        };
        let s: JsString = v.unchecked_into();
        if s.length() as usize > max_len {
            return HeaderValue::TooLong;
        }
        HeaderValue::Present(String::from(s))
    }
}

/// A step's error as its JS error, made where the step fails: carrying the Rust [`Error`]
/// up through each `?` instead copied it at every one (484 B of .wasm).
#[inline(never)]
fn js(e: Error) -> JsValue {
    js_error::to_js(&e)
}

fn config(message: &str) -> Error {
    Error::config(message)
}

/// The body as bytes, without copying it into wasm memory.
fn body_bytes(body: &JsValue, max: f64) -> Result<Uint8Array, Error> {
    // `max` is whole: formatting it as an integer keeps float formatting out of the .wasm.
    let too_big = || {
        let max = max as u64;
        webhook::bad_payload(&cat!("is larger than ", max, " bytes (`maxBodyBytes`)"))
    };
    // A subclassed view whose getters throw is a bad option, not a trap of the wasm.
    let bytes = body_view(body, max).map_err(|_| config("reading `body` threw"))?;
    if bytes.is_null() {
        return Err(too_big());
    }
    if bytes.is_undefined() {
        return Err(config(
            "`body` must be the raw request body as received: a string, a Uint8Array (or Buffer) or an ArrayBuffer; a parsed and re-serialised body cannot be verified",
        ));
    }
    let bytes: Uint8Array = bytes.unchecked_into();
    if f64::from(bytes.length()) > max {
        return Err(too_big());
    }
    Ok(bytes)
}

/// `verifyWebhook(options)`: every check that needs no MAC, then the promise of the event
/// (or of a `ConveyorWebhookError`) that [`verified`] settles once WebCrypto has answered.
/// A check that fails gives the JS error for the caller's rejected promise.
pub(crate) fn verify(options: JsValue) -> Result<Promise, JsValue> {
    if !options.is_object() {
        return Err(js(config(
            "verifyWebhook needs an options object: { body, headers, secret }",
        )));
    }
    let tolerance = get_number(&options, "toleranceSec", 0.0, true)
        .map_err(js)?
        .unwrap_or(webhook::DEFAULT_TOLERANCE_SEC as f64);
    let max_body = get_number(&options, "maxBodyBytes", 0.0, true)
        .map_err(js)?
        .unwrap_or(DEFAULT_MAX_BODY_BYTES);
    let now_ms = match get(&options, "now").map_err(js)? {
        None => Date::now(),
        Some(d) if d.is_instance_of::<Date>() => d.unchecked_into::<Date>().get_time(),
        Some(n) => n.as_f64().unwrap_or(f64::NAN),
    };
    if !now_ms.is_finite() {
        return Err(js(config(
            "`now` must be a valid Date or a number of milliseconds since 1970",
        )));
    }

    let secret = match get(&options, "secret").map_err(js)? {
        Some(s) if s.is_string() => s.unchecked_into::<JsString>(),
        _ => {
            return Err(js(webhook::bad_secret(
                "is missing (`secret` must be a string)",
            )))
        }
    };
    // A hostile or mistaken multi-megabyte "secret" is refused before it is copied.
    let key = if secret.length() as usize > webhook::MAX_SECRET_LEN {
        Err(webhook::secret_too_long())
    } else {
        decode_secret(&String::from(secret))
    }
    .map_err(js)?;

    let headers = get(&options, "headers")
        .map_err(js)?
        .unwrap_or(JsValue::UNDEFINED);
    let delivery = Delivery::read(&mut JsHeaders::new(&headers).map_err(js)?).map_err(js)?;
    webhook::check_timestamp(
        delivery.timestamp,
        libm::floor(now_ms / 1000.0) as i64,
        tolerance as u64,
    )
    .map_err(js)?;
    let body = body_bytes(
        &get(&options, "body")
            .map_err(js)?
            .unwrap_or(JsValue::UNDEFINED),
        max_body,
    )
    .map_err(js)?;

    if !HOOKED.with(Cell::get) {
        HOOKED.with(|h| h.set(true));
        // Lives as long as the realm: one callback for every verification.
        let f = Closure::<Verified>::new(|mac, signatures: JsValue, body| {
            verified(mac, &signatures.as_string().unwrap_or_default(), body)
                .map_err(|e| js_error::to_js(&e))
        });
        set_verified(&f);
        f.forget();
    }
    Ok(hmac_then(
        &key,
        delivery.signed_prefix().as_bytes(),
        &body,
        &delivery.signatures,
    ))
}

/// The second call: the event, once WebCrypto's `mac` is known for the delivery whose `v1`
/// signatures are `signatures` and whose body is `body`.
fn verified(mac: JsValue, signatures: &str, body: JsValue) -> Result<JsValue, Error> {
    // Base64 of a SHA-256 MAC: 44 characters; anything else is not WebCrypto's answer.
    let expected = mac
        .as_string()
        .filter(|m| m.len() == MAC_BASE64_LEN)
        .ok_or_else(|| {
            config("verifyWebhook needs WebCrypto (`crypto.subtle`), which this runtime lacks")
        })?;
    if !webhook::is_signed_by(signatures, &expected) {
        return Err(webhook::no_match(signatures));
    }
    let text = utf8(body.unchecked_ref()).map_err(|_| webhook::bad_payload("is not UTF-8 text"))?;
    let event = json_parse(&text).map_err(|_| webhook::bad_payload("is not JSON"))?;
    if !event.is_object() || Array::is_array(&event) {
        return Err(webhook::bad_payload("is not a JSON object"));
    }
    Ok(event)
}

/// The secret's key bytes, decoded by the platform's `atob` on the JS side: they never
/// enter wasm memory.
fn decode_secret(secret: &str) -> Result<Uint8Array, Error> {
    let b64 = webhook::secret_base64(secret)?;
    let key = secret_bytes(b64).ok_or_else(|| webhook::bad_secret("is not base64"))?;
    if key.length() == 0 {
        return Err(webhook::bad_secret("decodes to no bytes"));
    }
    Ok(key)
}
