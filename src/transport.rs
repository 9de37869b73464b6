//! The thin shell around the runtime's `fetch`.
//!
//! One attempt = one call of `fetch` with `redirect: "manual"` (redirects are followed by
//! the pipeline, so the key can be kept from other origins). Everything else here is glue:
//! building the init object, racing the caller's signal and the attempt timeout, and
//! turning a JS rejection into a classified failure.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Response};

#[wasm_bindgen]
extern "C" {
    // Bound to the global scope on purpose: a detached `fetch` reference throws
    // "Illegal invocation" in browsers and Workers.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &JsValue) -> Promise;
}

/// Which `fetch` to call.
#[derive(Clone)]
pub(crate) enum FetchFn {
    /// `globalThis.fetch`, looked up at call time so a polyfill installed later is used.
    Global,
    /// A `fetch` passed in the client options.
    Custom(Function),
}

/// One outgoing attempt.
pub(crate) struct Outgoing<'a> {
    pub url: &'a str,
    pub method: &'a str,
    pub headers: &'a Headers,
    pub body: Option<&'a JsValue>,
    pub signal: &'a AbortSignal,
}

/// How an attempt ended when no response came back.
pub(crate) enum SendError {
    /// The attempt's signal fired (caller abort or timeout; the caller tells which).
    Aborted(JsValue),
    /// `fetch` rejected for any other reason (DNS, reset, CORS...).
    Network(JsValue),
}

impl FetchFn {
    /// Sends one attempt and resolves with the response headers (the body is left unread).
    pub(crate) async fn send(&self, out: &Outgoing<'_>) -> Result<Response, SendError> {
        let init = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&init, &JsValue::from_str(k), v);
        };
        set("method", &JsValue::from_str(out.method));
        set("headers", out.headers.as_ref());
        set("redirect", &JsValue::from_str("manual"));
        set("signal", out.signal.as_ref());
        if let Some(body) = out.body {
            set("body", body);
        }
        let promise = match self {
            FetchFn::Global => global_fetch(out.url, &init),
            FetchFn::Custom(f) => {
                match f.call2(&JsValue::UNDEFINED, &JsValue::from_str(out.url), &init) {
                    Ok(v) => Promise::resolve(&v),
                    Err(e) => return Err(SendError::Network(e)),
                }
            }
        };
        match JsFuture::from(promise).await {
            Ok(v) => v.dyn_into::<Response>().map_err(SendError::Network),
            Err(e) => {
                if out.signal.aborted() {
                    Err(SendError::Aborted(e))
                } else {
                    Err(SendError::Network(e))
                }
            }
        }
    }
}
