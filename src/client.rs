//! `ConveyorClient`: the exported class. It reads the options, prepares each call (URL,
//! headers, body) synchronously and hands it to the [`crate::pipeline`]: `fetch()`,
//! `request()` and the typed methods share one preparation path and one way of running
//! ([`ConveyorClient::launch`]): a [`Task`], whose first attempt starts at once when the
//! token is free.

use crate::errors::{Error, ErrorKind};
use crate::fallible;
use crate::http_checks;
use crate::js_error;
use crate::options::{self, CallOptions, ClientConfig};
pub(crate) use crate::pipeline::Finish;
use crate::pipeline::{self, Call, Pipeline, Task};
use crate::scheduler::Scheduler;
use crate::text::{cat, Cat};
use crate::transport;
use crate::url as urls;
use alloc::{borrow::ToOwned, rc::Rc, string::String, vec::Vec};
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
    /// The key header and `Accept` as a frozen record, made once (see `src/js/config.js`).
    headers: JsValue,
    /// The same with `Content-Type: application/json`.
    json_headers: JsValue,
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

    /// Sends an authenticated request and resolves with the standard `Response` (body
    /// unread). `path` is relative to `baseUrl`, or an absolute URL on the same origin.
    /// Rejects with a `ConveyorError` subclass on every failure, including every 4xx/5xx.
    // Arguments are taken as `JsValue` and checked here: a typed `String` parameter lets a
    // number through to wasm-bindgen's string copy, which traps the whole instance.
    pub fn fetch(&self, path: JsValue, init: JsValue) -> Promise {
        match self.inner.prepare_fetch(&path, &init) {
            Ok(call) => self.launch(call, false, None),
            Err(e) => Promise::reject(&e),
        }
    }

    /// Sends `method` to `path` with `{ query, body, headers, signal, timeoutMs }` and
    /// resolves with the parsed JSON (`undefined` for an empty body).
    pub fn request(&self, method: JsValue, path: JsValue, options: JsValue) -> Promise {
        match self.inner.prepare_request(&method, &path, &options) {
            Ok(call) => self.launch(call, true, None),
            Err(e) => Promise::reject(&e),
        }
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

/// A call prepared by a typed method: path and query already encoded, body already built.
pub(crate) struct RawCall {
    pub method: String,
    /// Relative to `baseUrl`, e.g. `/exchange/connections?page=2`.
    pub path_and_query: String,
    /// JSON text, a `FormData`, or `undefined`.
    pub body: JsValue,
    /// Whether `body` is JSON (sets `Content-Type: application/json`).
    pub json: bool,
    pub options: CallOptions,
}

impl ConveyorClient {
    /// A second JS handle on the same client, for namespace objects to call back into.
    pub(crate) fn handle(&self) -> ConveyorClient {
        ConveyorClient {
            inner: Rc::clone(&self.inner),
        }
    }

    /// The key, only to mask it out of what servers send back.
    pub(crate) fn api_key(&self) -> &str {
        &self.inner.api_key
    }

    /// A typed method's call, ready for [`ConveyorClient::launch`].
    pub(crate) fn prepare_raw(&self, call: RawCall) -> Result<Call, JsValue> {
        let inner = &self.inner;
        let (url, display_from) = inner.resolve(&call.path_and_query)?;
        Ok(Call {
            method: call.method,
            url,
            display_from,
            headers: inner.headers_for(call.json),
            body: call.body,
            signal: call
                .options
                .signal
                .map_or(JsValue::UNDEFINED, JsValue::from),
            timeout_ms: call.options.timeout_ms,
        })
    }

    /// Runs a prepared call, every kind the same way. Resolves with the `Response`, or with
    /// `json` the parsed body (through `finish` when given).
    ///
    /// The call is one [`Task`], its state machine: a call that holds its token at once (no
    /// limiter, or a free token and nobody queued) starts its attempt in this crossing and
    /// returns that attempt's promise; any other waits for its token first. Each later step
    /// runs when the snippet settles the wait it is parked on.
    pub(crate) fn launch(&self, call: Call, json: bool, finish: Option<Finish>) -> Promise {
        match Task::new(Rc::clone(&self.inner.pipeline), call, json, finish).start() {
            // The promise of the call's first wait (`resolve` hands a promise back as is).
            Ok(v) => Promise::resolve(&v),
            Err(e) => Promise::reject(&e),
        }
    }
}

/// What `request()` takes in its options (the typed methods take `signal` and `timeoutMs`).
const REQUEST_OPTIONS: &[&str] = &["query", "body", "headers", "signal", "timeoutMs"];

/// The longest path (with its query) a call may have: far above any real one, and below
/// what servers refuse with 431 after a token was spent on it.
const MAX_PATH_LEN: usize = 8192;

/// A string argument, or a validation error naming it; its value is never echoed, since it
/// may be huge or carry a secret.
fn string_arg(v: &JsValue, name: &str, max_len: usize) -> Result<String, JsValue> {
    let s = v
        .as_string()
        .ok_or_else(|| invalid(&["`", name, "` must be a string"].cat()))?;
    if s.len() > max_len {
        return Err(invalid(&cat!(
            "`",
            name,
            "` is ",
            s.len(),
            " bytes long, more than the ",
            max_len,
            " allowed"
        )));
    }
    Ok(s)
}

/// `init`/`options` may be left out, but when given must be an object.
fn check_init(v: &JsValue, name: &str) -> Result<(), JsValue> {
    if v.is_undefined() || v.is_null() || v.is_object() {
        Ok(())
    } else {
        Err(invalid(&["`", name, "` must be an object"].cat()))
    }
}

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
        Ok(Inner {
            headers: c.headers,
            json_headers: c.json_headers,
            api_key: c.api_key.clone(),
            api_key_header: c.api_key_header,
            pipeline: Rc::new(Pipeline {
                origin: c.origin.clone(),
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

    /// Resolves a caller's path (relative, or absolute on our origin) to a URL, and where
    /// in it the path its errors show begins ([`Call::display_from`]), refusing anything
    /// that would carry the key to another origin.
    fn resolve(&self, path: &str) -> Result<(String, u32), JsValue> {
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
            let url = [&*self.origin, &urls::join(&self.base_path, path)].cat();
            // `join` ends with a checked path as it is: errors show the caller's path.
            let from = url.len().saturating_sub(path.len()) as u32;
            return Ok((url, from));
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
        // (which redaction drops): errors show all of the path.
        let href = url.href();
        Ok((href, self.origin.len() as u32))
    }

    /// The per-client header record, with the JSON content type or without.
    fn headers_for(&self, json: bool) -> JsValue {
        if json {
            self.json_headers.clone()
        } else {
            self.headers.clone()
        }
    }

    /// The call's own `headers` merged with the key, or the per-client record without them.
    fn call_headers(&self, init: &JsValue, json: bool) -> Result<JsValue, JsValue> {
        let Some(h) = options::get(init, "headers").map_err(per_call_error)? else {
            return Ok(self.headers_for(json));
        };
        let merged = transport::call_headers(&h, &self.api_key_header, &self.api_key, json);
        if merged.is_undefined() {
            return Err(invalid("`headers` is not a valid HeadersInit"));
        }
        Ok(merged)
    }

    fn prepare_fetch(&self, path: &JsValue, init: &JsValue) -> Result<Call, JsValue> {
        let path = string_arg(path, "path", MAX_PATH_LEN)?;
        check_init(init, "init")?;
        let method = match options::get_string(init, "method").map_err(per_call_error)? {
            Some(m) => checked_method(&m)?,
            None => "GET".to_owned(),
        };
        let body = options::get(init, "body").map_err(per_call_error)?;
        if let Some(b) = &body {
            if !is_raw_body(b) {
                return Err(invalid(
                    "`body` must be a string, FormData, Blob, ArrayBuffer, typed array or URLSearchParams (request() sends objects as JSON)",
                ));
            }
        }
        check_body_allowed(&method, body.is_some())?;
        let (url, display_from) = self.resolve(&path)?;
        let headers = self.call_headers(init, false)?;
        let o = options::call_options(init).map_err(error_to_js)?;
        Ok(Call {
            method,
            url,
            display_from,
            headers,
            body: body.unwrap_or(JsValue::UNDEFINED),
            signal: o.signal.map_or(JsValue::UNDEFINED, JsValue::from),
            timeout_ms: o.timeout_ms,
        })
    }

    fn prepare_request(
        &self,
        method: &JsValue,
        path: &JsValue,
        opts: &JsValue,
    ) -> Result<Call, JsValue> {
        let method = string_arg(method, "method", usize::MAX)?;
        let path = string_arg(path, "path", MAX_PATH_LEN)?;
        check_init(opts, "options")?;
        options::check_call_keys(
            opts,
            REQUEST_OPTIONS,
            "request() takes `query`, `body`, `headers`, `signal` and `timeoutMs`",
        )
        .map_err(error_to_js)?;
        let method = checked_method(&method)?;
        let query = match options::get(opts, "query").map_err(per_call_error)? {
            None => String::new(),
            Some(q) => urls::encode_query(&query_pairs(&q)?),
        };
        let raw_body = options::get(opts, "body").map_err(per_call_error)?;
        check_body_allowed(&method, raw_body.is_some())?;
        let (url, display_from) = self.resolve(&[&*path, &query].cat())?;
        let (body, json) = match raw_body {
            None => (JsValue::UNDEFINED, false),
            Some(b) if is_raw_body(&b) => (b, false),
            Some(b) => {
                // `undefined` for a Symbol, a function or a `toJSON` that returns nothing:
                // sending no body for those would be a silent lie.
                let json = js_sys::JSON::stringify(&b)
                    .ok()
                    .filter(|j| j.is_string())
                    .ok_or_else(|| invalid("`body` cannot be serialised as JSON"))?;
                (json.into(), true)
            }
        };
        let headers = self.call_headers(opts, json)?;
        let o = options::call_options(opts).map_err(error_to_js)?;
        Ok(Call {
            method,
            url,
            display_from,
            headers,
            body,
            signal: o.signal.map_or(JsValue::UNDEFINED, JsValue::from),
            timeout_ms: o.timeout_ms,
        })
    }
}

/// A call's own option that could not be read, as the JS validation error (one function,
/// so every `map_err` over the same result type is one copy).
fn per_call_error(e: Error) -> JsValue {
    error_to_js(options::per_call(e))
}

/// A validation error before anything is sent, as a JS value.
fn invalid(message: &str) -> JsValue {
    error_to_js(Error::new(ErrorKind::Validation, message))
}

/// The method upper-cased, or a validation error that does not repeat it.
fn checked_method(method: &str) -> Result<String, JsValue> {
    http_checks::check_method(method).map_err(|m| invalid(&m))
}

/// `fetch` refuses a body on GET and HEAD; refused here, before a token is spent.
fn check_body_allowed(method: &str, has_body: bool) -> Result<(), JsValue> {
    if has_body && !http_checks::allows_body(method) {
        return Err(invalid(
            &["a ", method, " request cannot have a body"].cat(),
        ));
    }
    Ok(())
}

/// Bodies `fetch` takes as they are; anything else is sent as JSON.
// `instanceof` is caught by the glue and `isView` reads internal slots: neither throws.
fn is_raw_body(b: &JsValue) -> bool {
    b.is_string()
        || b.is_instance_of::<web_sys::FormData>()
        || b.is_instance_of::<web_sys::Blob>()
        || b.is_instance_of::<js_sys::ArrayBuffer>()
        || js_sys::ArrayBuffer::is_view(b)
        || b.is_instance_of::<web_sys::UrlSearchParams>()
}

/// `{ a: 1, ids: [1, 2] }` → `[("a","1"), ("ids[]","1"), ("ids[]","2")]`; `undefined` and
/// `null` values are left out, as callers expect of optional parameters.
fn query_pairs(q: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let bad = |k: &str| {
        invalid(
            &[
                "query parameter `",
                k,
                "` must be a string, number or boolean, or an array of them",
            ]
            .cat(),
        )
    };
    let threw = |_| invalid("reading `query` threw");
    // An array would be sent as `?0=a&1=b`: refused, as the typed methods refuse it.
    if !q.is_object() || fallible::is_array(q) {
        return Err(invalid("`query` must be an object of parameters"));
    }
    let mut pairs = Vec::new();
    for (k, v) in fallible::entries(q).map_err(threw)? {
        if v.is_undefined() || v.is_null() {
            continue;
        }
        match fallible::list(&v, fallible::MAX_ITEMS).map_err(|_| bad(&k))? {
            // Repeated as `name[]`, as the typed methods send arrays.
            Some(items) => {
                let name = if k.ends_with("[]") {
                    k.clone()
                } else {
                    [&*k, "[]"].cat()
                };
                for item in items {
                    pairs.push((name.clone(), scalar(&item).ok_or_else(|| bad(&k))?));
                }
            }
            None => pairs.push((k.clone(), scalar(&v).ok_or_else(|| bad(&k))?)),
        }
    }
    Ok(pairs)
}

fn scalar(v: &JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    if let Some(b) = v.as_bool() {
        return Some((if b { "true" } else { "false" }).to_owned());
    }
    let n = v.as_f64()?;
    // JS formats the number (as the API's other clients would), not Rust's float code.
    if !n.is_finite() {
        return None;
    }
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .ok()
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::RetryPolicy;

    fn pipeline() -> Rc<Pipeline> {
        Rc::new(Pipeline {
            origin: "https://api.conveyor.test".into(),
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
            method: "GET".into(),
            url: "https://api.conveyor.test/api/v2/exchange/access_groups".into(),
            display_from: 32,
            headers: JsValue::UNDEFINED,
            body: JsValue::UNDEFINED,
            signal: JsValue::UNDEFINED,
            timeout_ms: None,
        }
    }

    /// A call's whole state in wasm, queued or between any two of its steps, is this one
    /// box (and the strings it owns): nothing is kept twice, and no error, body read or
    /// `fetch` init is held across a wait. In pointer-sized words, so the bound holds
    /// natively and in wasm32 alike (the future it replaced was 84 words, 114 before that;
    /// the step that reads an error body is boxed, else every call would carry it: 32;
    /// a redirect's URL is boxed too, and the signal is a bare handle: 23 before that).
    #[test]
    fn a_call_task_is_small() {
        let task = Task::new(pipeline(), call(), true, None);
        let words = std::mem::size_of_val(&*task) / std::mem::size_of::<usize>();
        eprintln!("a call's task: {words} words");
        // A store's grant carries its token's name: two words more.
        let bound = if cfg!(feature = "stores") { 19 } else { 17 };
        assert!(words <= bound, "a call's task is {words} words");
    }
}
