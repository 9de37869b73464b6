//! `ConveyorClient`: the exported class. It reads the options, and finishes each call JS
//! checked and encoded (`fetch()`, `request()` and the typed methods alike, through `__send`
//! in `resources_shell`): the path resolved against the base URL, the key put in the
//! headers, then one way of running ([`ConveyorClient::launch`]): a [`Task`], whose first
//! attempt starts at once when the token is free.

use crate::errors::{Error, ErrorKind};
pub(crate) use crate::finish::Finish;
use crate::js_error;
use crate::options::ClientConfig;
use crate::pipeline::{self, Call, Pipeline, Task};
use crate::scheduler::Scheduler;
use crate::text::{cat, Cat};
use crate::transport;
use crate::url as urls;
use alloc::{rc::Rc, string::String};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

/// A client for the Conveyor API.
///
/// ```js
/// import { ConveyorClient, ConveyorAuthError } from "conveyor-client";
/// const client = new ConveyorClient({ apiKey: process.env.CONVEYOR_API_KEY });
/// try {
///   const { connections } = await client.request("GET", "/exchange/connections", { query: { per_page: 10 } });
/// } catch (e) {
///   if (e instanceof ConveyorAuthError) console.error("check the key's permissions");
/// }
/// ```
#[wasm_bindgen]
pub struct ConveyorClient {
    inner: Rc<Inner>,
}

struct Inner {
    api_key: String,
    api_key_header: String,
    /// e.g. `https://api.conveyor.com`
    origin: String,
    /// e.g. `/api/v2`, no trailing slash
    base_path: String,
    pipeline: Rc<Pipeline>,
}

#[wasm_bindgen]
impl ConveyorClient {
    /// Creates a client. Throws `ConveyorConfigError` on a missing key or a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<ConveyorClient, JsValue> {
        Inner::from_options(&options)
            .map(|inner| ConveyorClient {
                inner: Rc::new(inner),
            })
            .map_err(|e| js_error::to_js(&e))
    }

    /// `{ limit, windowMs, available, inFlight, queued, nextTokenInMs }`, or `null` when
    /// rate limiting is off.
    #[wasm_bindgen(js_name = rateLimitState)]
    pub fn rate_limit_state(&self) -> JsValue {
        match &self.inner.pipeline.scheduler {
            Some(s) => {
                let (state, fallback) = s.borrow_mut().state();
                pipeline::state_to_js(&state, fallback)
            }
            None => JsValue::NULL,
        }
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        [&*self.inner.origin, &self.inner.base_path].cat()
    }

    /// A safe summary for `JSON.stringify`: never the key, at most its first 4 characters.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        let _ = Reflect::set(&o, &"baseUrl".into(), &self.base_url().into());
        let _ = Reflect::set(
            &o,
            &"apiKey".into(),
            &urls::key_hint(&self.inner.api_key).into(),
        );
        o.into()
    }

    /// `String(client)`: never the key.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        [
            "ConveyorClient(",
            &self.base_url(),
            ", key ",
            &urls::key_hint(&self.inner.api_key),
            ")",
        ]
        .cat()
    }
}

/// A call JS checked and encoded (src/js/resources.js): `fetch()`'s, `request()`'s or a
/// typed method's.
pub(crate) struct RawCall {
    /// Upper-cased, a checked token: a JS string, kept as JS (see [`Call::method`]).
    pub method: JsValue,
    /// Relative to `baseUrl` (`/exchange/connections?page=2`), or an absolute URL: a JS
    /// value, refused unless a string (see [`Call::path`]).
    pub path_and_query: JsValue,
    /// JSON text, a `FormData`, another body `fetch` takes, or `undefined`.
    pub body: JsValue,
    /// Whether `body` is JSON (sets `Content-Type: application/json`).
    pub json: bool,
    /// A checked `AbortSignal`, or `undefined`.
    pub signal: JsValue,
    pub timeout_ms: Option<f64>,
    /// What JS adds: `undefined` (the client's headers), the call's own `Headers` (without
    /// the key), or, as a string, the message of a refusal JS met in what it checks after
    /// the path (the JSON body, the headers, the signal, the timeout), refused here after
    /// the path's own, so the first problem is the one reported whichever side found it.
    /// One value, so the usual call pays one test of it.
    pub own: JsValue,
}

impl ConveyorClient {
    /// A second JS handle on the same client, for namespace objects to call back into.
    pub(crate) fn handle(&self) -> ConveyorClient {
        ConveyorClient {
            inner: Rc::clone(&self.inner),
        }
    }

    /// A call JS checked, ready for [`ConveyorClient::launch`]: its path resolved, the key
    /// in its headers.
    pub(crate) fn prepare_raw(&self, call: RawCall) -> Result<Call, JsValue> {
        let inner = &self.inner;
        // JS checked it; `__send` is reachable, and only a string may reach `fetch`.
        if !call.method.is_string() {
            return Err(invalid("`method` must be a string"));
        }
        let Some(text) = call.path_and_query.as_string() else {
            return Err(invalid("`path` must be a string"));
        };
        let (path, absolute) = match inner.resolve(&text)? {
            None => (call.path_and_query, false),
            Some(rest) => (JsValue::from_str(&rest), true),
        };
        let headers = if call.own.is_undefined() {
            JsValue::UNDEFINED
        } else if let Some(refusal) = call.own.as_string() {
            return Err(invalid(&refusal));
        } else {
            let keyed = transport::call_headers(&call.own, &inner.api_key_header, &inner.api_key);
            if keyed.is_undefined() {
                return Err(invalid("`headers` is not a valid HeadersInit"));
            }
            keyed
        };
        // JS checked it (1 to 2^31 - 1, so it fits once rounded up); a direct `__send` with
        // anything else saturates (NaN to 0, an immediate timeout), never traps.
        let timeout_ms = libm::ceil(call.timeout_ms.unwrap_or(inner.pipeline.timeout_ms)) as u32;
        Ok(Call {
            method: call.method,
            path,
            absolute,
            headers,
            json: call.json,
            body: call.body,
            signal: call.signal,
            timeout_ms,
        })
    }

    /// Runs a prepared call, every kind the same way. Resolves with the `Response`, or with
    /// the parsed body as `finish` says.
    ///
    /// The call is one [`Task`], its state machine: a call that holds its token at once (no
    /// limiter, or a free token and nobody queued) starts its attempt in this crossing and
    /// returns that attempt's promise; any other waits for its token first. Each later step
    /// runs when the snippet settles the wait it is parked on.
    pub(crate) fn launch(&self, call: Call, finish: Finish) -> Promise {
        match Task::new(Rc::clone(&self.inner.pipeline), call, finish).start() {
            // The promise of the call's first wait (`resolve` hands a promise back as is).
            Ok(v) => Promise::resolve(&v),
            Err(e) => Promise::reject(&e),
        }
    }
}

/// The longest path (with its query) a call may have: far above any real one, and below
/// what servers refuse with 431 after a token was spent on it.
const MAX_PATH_LEN: usize = 8192;

/// [`js_error::to_js`] by value, for `map_err` on any error found before sending.
fn error_to_js(e: Error) -> JsValue {
    js_error::to_js(&e)
}

impl Inner {
    fn from_options(opts: &JsValue) -> Result<Inner, Error> {
        let c = ClientConfig::read(opts)?;
        let scheduler = match c.rate_limit {
            None => None,
            Some((plan, shared)) => {
                let base_url = [&*c.origin, &c.base_path].cat();
                Some(
                    Scheduler::for_client(plan, shared, &c.api_key, &base_url)
                        .map_err(Error::config)?,
                )
            }
        };
        let prefix = [&*c.origin, &urls::base_prefix(&c.base_path)].cat();
        Ok(Inner {
            api_key: c.api_key.clone(),
            api_key_header: c.api_key_header,
            pipeline: Rc::new(Pipeline {
                origin: c.origin.clone(),
                prefix: prefix.clone(),
                prefix_js: JsValue::from_str(&prefix),
                headers: c.headers,
                json_headers: c.json_headers,
                fetch: c.fetch,
                scheduler,
                retry: c.retry,
                timeout_ms: c.timeout_ms,
                max_response_bytes: c.max_response_bytes,
                api_key: c.api_key,
                on_rate_limit_wait: c.on_rate_limit_wait,
            }),
            origin: c.origin,
            base_path: c.base_path,
        })
    }

    /// Checks a caller's path, relative or absolute on our origin, refusing anything that
    /// would carry the key to another origin: `None` for a path that goes after the prefix
    /// as it is, else what an absolute URL has after its origin (its path and query).
    fn resolve(&self, path: &str) -> Result<Option<String>, JsValue> {
        // Checked again here because query strings and typed calls build paths too.
        if path.len() > MAX_PATH_LEN {
            return Err(invalid(&cat!(
                "the path and query are ",
                path.len(),
                " bytes long, more than the ",
                MAX_PATH_LEN,
                " allowed"
            )));
        }
        if urls::check_relative_path(path).is_ok() {
            // The URL is the prefix and this path end to end ([`urls::base_prefix`]).
            return Ok(None);
        }
        let url = web_sys::Url::new(path).map_err(|_| {
            error_to_js(Error::config(
                [
                    "`",
                    &urls::redact_path(path),
                    "` is neither a path starting with \"/\" nor an absolute URL",
                ]
                .cat(),
            ))
        })?;
        if url.origin() != self.origin {
            return Err(error_to_js(Error::config(
                [
                    "refused to send the API key to ",
                    &url.origin(),
                    ": only ",
                    &self.origin,
                    " is allowed",
                ]
                .cat(),
            )));
        }
        if !url.username().is_empty() || !url.password().is_empty() {
            return Err(invalid(
                "the URL carries credentials (user:password@); the client sends only the API key",
            ));
        }
        // Without credentials the href is the origin, then the path, query and fragment
        // (which redaction drops): what follows the origin is what errors show, and what is
        // sent after it. Anything else is refused, never joined to the origin.
        let href = url.href();
        match href.strip_prefix(&*self.origin) {
            Some(rest) if rest.starts_with('/') => Ok(Some(rest.into())),
            _ => Err(invalid("the URL is not a path on the client's origin")),
        }
    }
}

/// A validation error before anything is sent, as a JS value.
fn invalid(message: &str) -> JsValue {
    error_to_js(Error::new(ErrorKind::Validation, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::RetryPolicy;

    fn pipeline() -> Rc<Pipeline> {
        Rc::new(Pipeline {
            origin: "https://api.conveyor.test".into(),
            prefix: "https://api.conveyor.test/api/v2".into(),
            prefix_js: JsValue::UNDEFINED,
            headers: JsValue::UNDEFINED,
            json_headers: JsValue::UNDEFINED,
            fetch: JsValue::UNDEFINED,
            scheduler: None,
            retry: RetryPolicy::default(),
            timeout_ms: 30_000.0,
            max_response_bytes: f64::INFINITY,
            api_key: "sk_test_0123456789".into(),
            on_rate_limit_wait: None,
        })
    }

    fn call() -> Call {
        Call {
            method: JsValue::UNDEFINED,
            path: JsValue::UNDEFINED,
            absolute: false,
            headers: JsValue::UNDEFINED,
            json: false,
            body: JsValue::UNDEFINED,
            signal: JsValue::UNDEFINED,
            timeout_ms: 30_000,
        }
    }

    /// A call's whole state in wasm, queued or between any two of its steps, is this one
    /// box (and a redirect's URL): nothing is kept twice, and no error, body read or
    /// `fetch` init is held across a wait. In pointer-sized words, so the bound holds
    /// natively and in wasm32 alike (the future it replaced was 84 words, 114 before that;
    /// the step that reads an error body is boxed, else every call would carry it: 32;
    /// a redirect's URL is boxed too, and the signal is a bare handle: 23 before that; the
    /// method is a JS handle, not a `String`: 16 before that; the path too, the URL no
    /// longer a `String` here: 14 before that; the timeout in whole ms, the client's headers
    /// not held by the call: 11 before that). src/pipeline.rs holds its wasm32 size too.
    #[test]
    fn a_call_task_is_small() {
        let task = Task::new(pipeline(), call(), Finish::Json);
        let words = std::mem::size_of_val(&*task) / std::mem::size_of::<usize>();
        eprintln!("a call's task: {words} words");
        // A store's grant carries its token's name: two words more.
        let bound = if cfg!(feature = "stores") { 12 } else { 10 };
        assert!(words <= bound, "a call's task is {words} words");
    }
}
