//! What a call resolves with ([`Finish`]): its `Response`, its parsed JSON, nothing, or a
//! list page checked for its envelope and given `items`. The last step of every call in
//! [`crate::pipeline`]; the typed calls, `request()` and `fetch()` say which in `__send`.

use crate::errors::{Error, ErrorKind};
use crate::js_error::{self, JsExtras};
use crate::text::Cat;
use crate::transport::Plain2xx;
use alloc::string::String;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/resources.js")]
extern "C" {
    #[wasm_bindgen(js_name = withItems)]
    fn with_items(page: &JsValue, plural: &JsValue, hal: bool) -> bool;
}

/// What a call resolves with. A plain value, not a closure: a boxed closure per list call
/// cost two string copies and an allocation, and its vtable shim was code in the .wasm.
pub(crate) enum Finish {
    /// The `Response`, its body unread (`fetch()`).
    Response,
    /// The parsed JSON.
    Json,
    /// Nothing: the JSON is read and dropped.
    Empty,
    /// A list page: its records under `plural` (a JS string, never copied into wasm), or
    /// under `_embedded.plural` first when `hal`; checked, and given `items`.
    List { plural: JsValue, hal: bool },
}

impl Finish {
    /// Whether the 2xx body is read and parsed within the deadline (else handed over).
    pub(crate) fn json(&self) -> bool {
        !matches!(self, Finish::Response)
    }

    /// What the snippet does with a 2xx plainly from the URL asked for: it resolves the call
    /// itself where the value is the response or its JSON as it is.
    pub(crate) fn plain_2xx(&self) -> Plain2xx {
        match self {
            Finish::Response => Plain2xx::Response,
            Finish::Json => Plain2xx::Json,
            Finish::Empty => Plain2xx::Empty,
            Finish::List { .. } => Plain2xx::Read,
        }
    }

    /// The call's value from what its attempt resolved with (the `Response` or the parsed
    /// JSON). A list page without its array rejects with the page in `details`, `api_key`
    /// masked out of it, named by the call's method and display path (`call`, asked only
    /// then).
    pub(crate) fn value(
        &self,
        v: JsValue,
        api_key: &str,
        call: impl FnOnce() -> (String, String),
    ) -> Result<JsValue, JsValue> {
        match self {
            Finish::Empty => Ok(JsValue::UNDEFINED),
            Finish::List { plural, hal } => {
                // One crossing: the lookups, which may meet throwing getters, are caught in JS.
                if with_items(&v, plural, *hal) {
                    Ok(v)
                } else {
                    let (method, path) = call();
                    Err(no_envelope(v, api_key, &method, &path, plural, *hal))
                }
            }
            Finish::Response | Finish::Json => Ok(v),
        }
    }
}

/// The typed error of a list page without its records' array.
fn no_envelope(
    page: JsValue,
    api_key: &str,
    method: &str,
    path: &str,
    plural: &JsValue,
    hal: bool,
) -> JsValue {
    let plural = plural.as_string().unwrap_or_default();
    let plural = plural.as_str();
    let where_ = if hal {
        ["`_embedded.", plural, "`"].cat()
    } else {
        ["`", plural, "`"].cat()
    };
    let err = Error::new(
        ErrorKind::BadResponse,
        [
            method,
            " ",
            path,
            ": the response has no ",
            &where_,
            " array; the API may have changed (the body is in `details`)",
        ]
        .cat(),
    )
    .with_request(method, path);
    js_error::to_js_with(
        &err,
        JsExtras {
            cause: None,
            details: js_error::details_of(&page, api_key),
        },
    )
}
