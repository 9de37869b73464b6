//! The one place a Rust [`Error`] becomes a JS `Error` subclass instance.
//!
//! Every rejection and every constructor throw goes through [`to_js`], so the class, `name`,
//! `code` and fields are always consistent with [`crate::errors::ErrorKind`].

use crate::errors::Error;
use crate::redact;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(kind: u8, code: &str, message: &str, fields: &JsValue) -> JsValue;
}

/// Extra JS values an error may carry that have no Rust representation.
#[derive(Default)]
pub(crate) struct JsExtras {
    /// The underlying JS error (a fetch `TypeError`, an abort reason...).
    pub cause: Option<JsValue>,
    /// The parsed error body, when it was JSON.
    pub details: Option<JsValue>,
}

/// Builds the JS error for `err`, with optional `cause` and `details`.
pub(crate) fn to_js_with(err: &Error, extras: JsExtras) -> JsValue {
    let fields = Object::new();
    let set = |k: &str, v: JsValue| {
        // Reflect::set on a fresh plain object cannot fail; a failure would only drop a field.
        let _ = Reflect::set(&fields, &JsValue::from_str(k), &v);
    };
    set("retryable", JsValue::from_bool(err.retryable));
    if let Some(m) = &err.method {
        set("method", JsValue::from_str(m));
    }
    if let Some(p) = &err.path {
        set("path", JsValue::from_str(p));
    }
    if let Some(s) = err.status {
        set("status", JsValue::from_f64(f64::from(s)));
    }
    if let Some(r) = &err.request_id {
        set("requestId", JsValue::from_str(r));
    }
    if let Some(ms) = err.retry_after_ms {
        set("retryAfterMs", JsValue::from_f64(ms));
    }
    if let Some(c) = extras.cause {
        set("cause", c);
    }
    if let Some(d) = extras.details {
        set("details", d);
    }
    // The class by the kind's number: `makeError` holds the classes in `ErrorKind`'s order
    // (a test in `errors` reads them from errors.js against `ErrorKind::class_name`), so
    // no class name travels in the .wasm.
    make_error(err.kind as u8, err.kind.code(), &err.message, &fields)
}

/// Builds the JS error for `err` with no JS extras.
pub(crate) fn to_js(err: &Error) -> JsValue {
    to_js_with(err, JsExtras::default())
}

/// `details` from an error body's text: its JSON, masked for the key and bounded (see
/// [`crate::redact`]); a body cut at the read cap, or too deep or large once parsed, comes
/// as a masked, bounded string instead; a body that is not JSON gives none.
pub(crate) fn details_from_text(text: &str, truncated: bool, key: &str) -> Option<JsValue> {
    if text.trim().is_empty() {
        return None;
    }
    let as_string = |t: &str| {
        let bounded = redact::bounded_details(t, key).unwrap_or_else(|cut| cut);
        Some(JsValue::from_str(&bounded))
    };
    if truncated {
        return as_string(text);
    }
    let parsed = js_sys::JSON::parse(text).ok()?;
    details_of(&parsed, key).or_else(|| as_string(text))
}

/// `details` from a value the client parsed itself (a page without its records), masked
/// and bounded; `None` when it cannot be serialised (too deep).
pub(crate) fn details_of(value: &JsValue, key: &str) -> Option<JsValue> {
    canonical_json(value).and_then(|c| mask_value(c, key))
}

/// `JSON.stringify(value)`, or `None` when it throws or gives nothing.
fn canonical_json(value: &JsValue) -> Option<JsValue> {
    // Canonical text: escapes cannot hide the key from the mask. A value too deep to
    // serialise throws here rather than in the caller's `JSON.stringify(err)`.
    js_sys::JSON::stringify(value)
        .ok()
        .filter(|s| s.is_string())
        .map(JsValue::from)
}

/// Masks canonical JSON text and parses it back; a result too deep or large, or no longer
/// JSON once masked, becomes a masked string.
fn mask_value(canonical: JsValue, key: &str) -> Option<JsValue> {
    let text = canonical.as_string()?;
    match redact::bounded_details(&text, key) {
        Ok(masked) => {
            Some(js_sys::JSON::parse(&masked).unwrap_or_else(|_| JsValue::from_str(&masked)))
        }
        Err(cut) => Some(JsValue::from_str(&cut)),
    }
}
