//! The thin shell around the runtime's `fetch`.
//!
//! One attempt = one call of `fetch` with `redirect: "manual"` (redirects are followed by
//! the pipeline, so the key can be kept from other origins). Everything else here is glue:
//! building the init object, turning a JS rejection into a classified failure, and
//! reading what came back through catching bindings, since a custom `fetch` may hand back
//! a `Response` subclass whose getters throw, a fake, or a `Proxy`.

use crate::fallible;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Headers, Response};

#[wasm_bindgen]
extern "C" {
    // Bound to the global scope on purpose: a detached `fetch` reference throws
    // "Illegal invocation" in browsers and Workers.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(input: &str, init: &JsValue) -> Result<Promise, JsValue>;
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
    /// `fetch` resolved with something that is not a `Response`.
    NotAResponse,
}

/// The parts of a response the pipeline decides on, read once.
pub(crate) struct Head {
    pub status: u16,
    /// `type`: `basic`, `cors`, `default`, `opaque`, `opaqueredirect`, `error`.
    pub kind: String,
    /// The response's final URL (`""` when the runtime or a custom `fetch` left it out).
    pub url: String,
    pub redirected: bool,
    headers: JsValue,
}

impl Head {
    /// Reads `res`'s status, type, URL and headers; an `Err` when any read throws or the
    /// status is not an HTTP status.
    pub(crate) fn read(res: &Response) -> Result<Head, JsValue> {
        let status = fallible::get(res, "status")?
            .as_f64()
            .filter(|s| s.fract() == 0.0 && (100.0..=599.0).contains(s))
            .ok_or_else(|| JsValue::from(js_sys::TypeError::new("not an HTTP status")))?;
        Ok(Head {
            status: status as u16,
            kind: fallible::get(res, "type")?.as_string().unwrap_or_default(),
            url: fallible::get(res, "url")?.as_string().unwrap_or_default(),
            redirected: fallible::get(res, "redirected")?.as_bool() == Some(true),
            headers: fallible::get(res, "headers")?,
        })
    }

    /// A header's value, `None` when absent or unreadable.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        fallible::call(&self.headers, "get", &Array::of1(&JsValue::from_str(name)))
            .ok()?
            .as_string()
    }

    /// Whether the status is 2xx.
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
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
        let sent = match self {
            FetchFn::Global => global_fetch(out.url, &init).map(JsValue::from),
            FetchFn::Custom(f) => f.call2(&JsValue::UNDEFINED, &JsValue::from_str(out.url), &init),
        };
        let reply = match sent {
            Ok(v) => fallible::future(&v).await,
            Err(e) => Err(e),
        };
        match reply {
            Ok(v) => v
                .dyn_into::<Response>()
                .map_err(|_| SendError::NotAResponse),
            Err(e) if out.signal.aborted() => Err(SendError::Aborted(e)),
            Err(e) => Err(SendError::Network(e)),
        }
    }
}
