//! The JS face of the calls: the internal `__send` every call ends in, typed or not
//! (`client.fetch()`, `client.request()` and the namespaces' methods, `client.exchange`...,
//! are JS that ends in it).
//!
//! The namespace getters and objects, the paging `ListResult`, `fetch()`, `request()`, and
//! the checking and encoding of each call's arguments are in `src/js/resources.js`, the
//! typed ones from the endpoint table generated into it from [`crate::resources`]: the platform does that
//! well (`encodeURIComponent`, `JSON.stringify`, `FormData`, `Headers`), reading a caller's
//! object from Rust costs a crossing per option, and the table, the checks and their
//! messages would otherwise be in the .wasm. What comes here is the finished request; this
//! file resolves its path, puts the key in its headers, sends it through the client's
//! pipeline (limiter, retries, redirects, typed errors), saying what it resolves with
//! ([`crate::finish::Finish`]).

use crate::client::{ConveyorClient, Finish, RawCall};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// What a call resolves with, as `src/js/resources.js` passes it to `__send` (0: the parsed
/// JSON as it is).
const EMPTY: u8 = 1;
const FLAT_LIST: u8 = 2;
const HAL_LIST: u8 = 3;
/// `fetch()`'s: the `Response`, its body unread.
const RESPONSE: u8 = 4;

#[wasm_bindgen]
impl ConveyorClient {
    /// Internal: sends a call that `src/js/resources.js` checked and encoded (a typed
    /// method's, `fetch()`'s or `request()`'s): the upper-cased `method`, `pathAndQuery`
    /// relative to the base URL (or absolute on its origin), `body` JSON text (`json`), a
    /// `FormData`, another body `fetch` takes, or undefined, the call's checked `signal` and
    /// `timeoutMs`, what it resolves with (`kind`: 0 the parsed JSON, 1 nothing, 2 a flat
    /// list, 3 a HAL list, the records under `plural`, 4 the `Response`), and `own`: the
    /// call's own headers (a `Headers` without the key), undefined for the client's, or the
    /// message of a refusal found after the path, refused once the path is found good (see
    /// [`RawCall::own`]).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __send)]
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        &self,
        method: JsValue,
        path_and_query: JsValue,
        body: JsValue,
        json: bool,
        signal: JsValue,
        timeout_ms: Option<f64>,
        kind: u8,
        plural: JsValue,
        own: JsValue,
    ) -> Promise {
        let finish = match kind {
            FLAT_LIST | HAL_LIST => Finish::List {
                plural,
                hal: kind == HAL_LIST,
            },
            EMPTY => Finish::Empty,
            RESPONSE => Finish::Response,
            _ => Finish::Json,
        };
        let call = self.prepare_raw(RawCall {
            method,
            path_and_query,
            body,
            json,
            signal,
            timeout_ms,
            own,
        });
        match call {
            Ok(call) => self.launch(call, finish),
            Err(e) => Promise::reject(&e),
        }
    }

    /// Internal: another handle on this client's shared state, for the namespaces
    /// `src/js/resources.js` builds: a namespace holds a handle, not the client object, so
    /// it keeps calling after that object is gone, and caching it keeps neither alive.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __handle)]
    pub fn handle_js(&self) -> ConveyorClient {
        self.handle()
    }
}
