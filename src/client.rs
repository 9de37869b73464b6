//! `ConveyorClient`: the exported class, and the request pipeline behind it.

use crate::errors::{Error, ErrorKind};
use crate::js_error;
use crate::options::{self, DEFAULT_API_KEY_HEADER, DEFAULT_BASE_URL};
use crate::transport::{self, FetchFn, Outgoing, SendError};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{Headers, Response};

/// The parsed base URL: its origin and path prefix, kept apart so a caller's path can be
/// joined without letting it change the origin.
struct Base {
    origin: String,
    /// The path without a trailing slash, e.g. `/api/v2`.
    path: String,
}

struct Inner {
    api_key: String,
    api_key_header: String,
    base: Base,
    fetch: FetchFn,
}

/// A client for the Conveyor API.
///
/// ```js
/// import { ConveyorClient, ConveyorAuthError } from "conveyor-client";
/// const client = new ConveyorClient({ apiKey: process.env.CONVEYOR_API_KEY });
/// const res = await client.fetch("/exchange/connections");
/// ```
#[wasm_bindgen]
pub struct ConveyorClient {
    inner: Rc<Inner>,
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

    /// Sends an authenticated request and resolves with the standard `Response`.
    ///
    /// `path` is relative to `baseUrl` (e.g. `/exchange/connections`). Rejects with a
    /// `ConveyorError` subclass on every failure, `ConveyorAuthError` for a 403.
    pub fn fetch(&self, path: String, init: JsValue) -> js_sys::Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            inner
                .fetch(&path, &init)
                .await
                .map(JsValue::from)
                .map_err(|(e, cause)| {
                    js_error::to_js_with(
                        &e,
                        js_error::JsExtras {
                            cause,
                            details: None,
                        },
                    )
                })
        })
    }

    /// The base URL requests go to.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        format!("{}{}", self.inner.base.origin, self.inner.base.path)
    }

    /// A safe summary for `JSON.stringify`: never the key, at most its first 4 characters.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &"baseUrl".into(), &self.base_url().into());
        let _ = js_sys::Reflect::set(&o, &"apiKey".into(), &key_hint(&self.inner.api_key).into());
        o.into()
    }

    /// `String(client)`: never the key.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "ConveyorClient({}, key {})",
            self.base_url(),
            key_hint(&self.inner.api_key)
        )
    }
}

fn key_hint(key: &str) -> String {
    let head: String = key.chars().take(4).collect();
    if key.chars().count() >= 8 {
        format!("{head}…")
    } else {
        "…".to_owned()
    }
}

type Failure = (Error, Option<JsValue>);

impl Inner {
    fn from_options(opts: &JsValue) -> Result<Inner, Error> {
        if !opts.is_object() {
            return Err(Error::config(
                "ConveyorClient needs an options object: new ConveyorClient({ apiKey })",
            ));
        }
        let api_key = options::get_string(opts, "apiKey")?
            .ok_or_else(|| Error::config("`apiKey` is required"))?;
        if api_key.is_empty() {
            return Err(Error::config("`apiKey` must not be empty"));
        }
        let base_url =
            options::get_string(opts, "baseUrl")?.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let parsed = web_sys::Url::new(&base_url).map_err(|_| {
            Error::config("`baseUrl` is not an absolute URL (e.g. https://api.conveyor.com/api/v2)")
        })?;
        let base = Base {
            origin: parsed.origin(),
            path: parsed.pathname().trim_end_matches('/').to_owned(),
        };
        let api_key_header = options::get_string(opts, "apiKeyHeader")?
            .unwrap_or_else(|| DEFAULT_API_KEY_HEADER.to_owned());
        let fetch = match options::get_function(opts, "fetch")? {
            Some(f) => FetchFn::Custom(f),
            None => FetchFn::Global,
        };
        Ok(Inner {
            api_key,
            api_key_header,
            base,
            fetch,
        })
    }

    async fn fetch(&self, path: &str, init: &JsValue) -> Result<Response, Failure> {
        let method = options::get_string(init, "method")
            .map_err(|e| (e, None))?
            .unwrap_or_else(|| "GET".to_owned())
            .to_ascii_uppercase();
        let url = format!("{}{}{}", self.base.origin, self.base.path, path);
        let headers = Headers::new().map_err(|e| (Error::new(ErrorKind::Config, "bad headers"), Some(e)))?;
        let _ = headers.set("Accept", "application/json");
        let _ = headers.set(&self.api_key_header, &self.api_key);
        let controller = transport::new_controller()
            .map_err(|e| (Error::new(ErrorKind::Network, "AbortController unavailable"), Some(e)))?;
        let body = options::get(init, "body");
        let out = Outgoing {
            url: &url,
            method: &method,
            headers: &headers,
            body: body.as_ref(),
            signal: &controller.signal(),
        };
        let res = match self.fetch.send(&out).await {
            Ok(r) => r,
            Err(SendError::Aborted(c)) => {
                return Err((Error::new(ErrorKind::Aborted, "the request was aborted"), Some(c)))
            }
            Err(SendError::Network(c)) => {
                return Err((
                    Error::new(ErrorKind::Network, format!("{method} {path}: the request could not be sent")),
                    Some(c),
                ))
            }
        };
        let status = res.status();
        if res.ok() {
            return Ok(res);
        }
        let kind = if status == 403 { ErrorKind::Auth } else { ErrorKind::Http };
        let message = if status == 403 {
            format!("{method} {path}: 403 Forbidden: the API key is invalid, inactive or lacks the permission for this endpoint")
        } else {
            format!("{method} {path}: HTTP {status}")
        };
        Err((
            Error::new(kind, message)
                .with_request(&method, path)
                .with_status(status),
            None,
        ))
    }
}
