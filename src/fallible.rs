//! Reading outside JS objects without letting them throw through the wasm.
//!
//! Anything the caller, a custom `fetch` or a store hands over may be a `Proxy`, carry
//! throwing getters or a hostile iterator. A JS exception that unwinds through wasm frames
//! skips their cleanup (borrows stay taken, the shadow stack is left moved), so every read
//! of such a value goes through a binding that catches: the exception comes back as an
//! `Err` for the caller to turn into a typed error. js-sys/web-sys getters such as
//! `Response::status` or `Array::from` do not catch; use these instead.

#[cfg(feature = "stores")]
use alloc::{string::String, vec::Vec};
#[cfg(feature = "stores")]
use js_sys::Array;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

// Only a store's replies are read item by item from Rust (a call's arguments are read in JS,
// src/js/resources.js, and so are `MemoryStore`'s requests and snapshots, src/js/transport.js).
#[cfg(feature = "stores")]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(v: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn array_is_array(v: &JsValue) -> Result<bool, JsValue>;
}

/// `obj[key]`; a throwing getter or trap, or a non-object, is an `Err`.
pub(crate) fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &JsValue::from_str(key))
}

/// The items of `v` when it is an array (through its iterator, as `Array.from` reads it, into
/// a fresh array whose reads cannot throw), `None` when it is not one; more than `max` items
/// is an `Err` (an array of length 2^32 - 1 would otherwise be walked for minutes).
#[cfg(feature = "stores")]
pub(crate) fn list(v: &JsValue, max: usize) -> Result<Option<Array>, JsValue> {
    if !array_is_array(v)? {
        return Ok(None);
    }
    let len = get(v, "length")?.as_f64().unwrap_or(f64::INFINITY);
    if len > max as f64 {
        return Err(js_sys::RangeError::new("too many items").into());
    }
    let items = array_from(v)?;
    if items.length() as usize > max {
        return Err(js_sys::RangeError::new("too many items").into());
    }
    Ok(Some(items))
}

/// The items as strings, each passing `ok`; `None` if any is not a string or fails it.
// A loop over a function pointer, not `collect::<Option<Vec<_>>>()` per caller: each such
// collect adds its own copy of the iterator machinery to the .wasm.
#[cfg(feature = "stores")]
pub(crate) fn strings(items: &Array, ok: fn(&str) -> bool) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(items.length() as usize);
    for item in items.iter() {
        out.push(item.as_string().filter(|s| ok(s))?);
    }
    Some(out)
}
