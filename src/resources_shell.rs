//! The JS face of [`crate::resources`]: the namespace getters on `ConveyorClient`
//! (`client.exchange`, `client.knowledgeBase`...) and the internal `__call` every
//! generated method calls back into.
//!
//! The namespace objects and the paging `ListResult` are built by `src/js/resources.js`
//! from the endpoint table; this file reads the caller's JS arguments into
//! [`crate::params::Value`]s, lets [`crate::params::prepare_with`] check and encode them,
//! builds a `FormData` for uploads, and sends the request through the client's pipeline.

use crate::client::{ConveyorClient, Finish, RawCall};
use crate::errors::{Error, ErrorKind};
use crate::fallible;
use crate::js_error::{self, JsExtras};
use crate::options::{self, CallOptions};
use crate::params::{self, Body, Field, Value};
use crate::resources::{self, Endpoint, Envelope, ResponseKind};
use crate::text::{cat, Cat};
use alloc::{borrow::ToOwned, boxed::Box, string::String, vec::Vec};
use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Blob;

#[wasm_bindgen(module = "/src/js/resources.js")]
extern "C" {
    #[wasm_bindgen(js_name = cachedNamespace)]
    fn cached_namespace(namespace: &str, client_id: f64) -> JsValue;
    #[wasm_bindgen(js_name = makeNamespace)]
    fn make_namespace(client: JsValue, table: &Array, namespace: &str, client_id: f64) -> JsValue;
    #[wasm_bindgen(js_name = paramEntries)]
    fn param_entries(params: &JsValue) -> JsValue;
    #[wasm_bindgen(catch, js_name = formData)]
    fn form_data_of(fields: &Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = dateText)]
    fn date_text(value: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = withItems)]
    fn with_items(page: &JsValue, plural: &str, hal: bool) -> bool;
}

// The namespace getters (`client.exchange`...) are generated from the endpoint table.
include!("resources/namespace_getters.rs");

#[wasm_bindgen]
impl ConveyorClient {
    /// Internal: calls the endpoint at `index` in the endpoint table with the method's
    /// arguments (`...pathArgs, params?, options?`), asking for page `page` when it is a
    /// number. Use the namespace methods instead.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __call)]
    pub fn call_endpoint(&self, index: f64, args: Array, page: JsValue) -> Promise {
        // An index, not the method's name: a typed call then decodes no string to find it.
        match prepare(self, index, &args, &page) {
            Ok((call, finish)) => self.launch(call, true, Some(finish)),
            Err(e) => Promise::reject(&e),
        }
    }

    /// Internal: a `ConveyorValidationError` with `message`, for the list helpers' own
    /// argument checks.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __invalid)]
    pub fn invalid_error(&self, message: &str) -> JsValue {
        js_error::to_js(&Error::new(ErrorKind::Validation, message))
    }
}

impl ConveyorClient {
    /// The namespace object, built once per client (and again only if it was collected):
    /// the cache is in `src/js/resources.js`, weak, because the namespace holds the client.
    fn namespace(&self, namespace: &'static str) -> JsValue {
        // The client's identity: the address of its key, a non-empty string owned by the
        // state every handle on this client shares. A namespace holds a handle, so while a
        // cached namespace lives, no other client's key can be at that address.
        let id = self.api_key().as_ptr() as usize as f64;
        let cached = cached_namespace(namespace, id);
        if !cached.is_undefined() {
            return cached;
        }
        let table = Array::new();
        let mut index = 0;
        while let Some(ep) = resources::get(index) {
            if ep.namespace() == namespace {
                let row = Array::new();
                row.push(&JsValue::from_f64(index as f64));
                row.push(&JsValue::from_str(ep.name));
                row.push(&JsValue::from_bool(ep.is_list()));
                row.push(&JsValue::from_f64(ep.path_args.len() as f64));
                table.push(&row);
            }
            index += 1;
        }
        make_namespace(JsValue::from(self.handle()), &table, namespace, id)
    }
}

/// A rejection before anything is sent.
fn invalid(ep: &Endpoint, field: &str, message: String) -> JsValue {
    let err = Error::new(ErrorKind::Validation, [ep.name, ": ", &message].cat())
        .with_request(ep.method, ep.path);
    let details = Object::new();
    let _ = Reflect::set(&details, &"param".into(), &JsValue::from_str(field));
    js_error::to_js_with(
        &err,
        JsExtras {
            cause: None,
            details: Some(details.into()),
        },
    )
}

/// Reads and checks a typed call's arguments: the call to launch, and what to do with its
/// parsed JSON.
fn prepare(
    client: &ConveyorClient,
    index: f64,
    args: &Array,
    page: &JsValue,
) -> Result<(crate::pipeline::Call, Finish), JsValue> {
    // A float, so that whatever else JS passes (a name, NaN, -1) is refused, not wrapped.
    let found = (index >= 0.0 && libm::trunc(index) == index)
        .then(|| resources::get(index as usize))
        .flatten();
    let Some(ep) = found else {
        // `String(index)`: formatting the f64 in Rust would link its float printing.
        return Err(js_error::to_js(&Error::config(
            [
                "no Conveyor endpoint has the index ",
                &js_number_text(index),
            ]
            .cat(),
        )));
    };
    let n = ep.path_args.len() as u32;
    let max_args = n + if ep.takes_params() { 2 } else { 1 };
    if args.length() > max_args {
        return Err(invalid(
            ep,
            "arguments",
            cat!(
                "takes at most ",
                max_args,
                " argument",
                if max_args == 1 { "" } else { "s" },
                " (",
                signature(ep),
                ")"
            ),
        ));
    }
    let mut files: Vec<JsValue> = Vec::new();
    let mut path_args = Vec::new();
    for (i, field) in ep.path_args.iter().enumerate() {
        path_args
            .push(to_value(&args.get(i as u32), &mut files).map_err(|m| invalid(ep, field, m))?);
    }
    let (params_js, options_js) = if ep.takes_params() {
        (args.get(n), args.get(n + 1))
    } else {
        (JsValue::UNDEFINED, args.get(n))
    };
    let mut params = read_params(ep, &params_js, &mut files)?;
    // The next page of a list: the caller's params as they are now, with `page` replaced.
    if let Some(p) = page.as_f64() {
        // In place: the page JS asks for is always valid, so its position in the caller's
        // order (which decides the first error reported) does not matter.
        match params.iter_mut().find(|(k, _)| k == "page") {
            Some((_, v)) => *v = Value::Num(p),
            None => params.push(("page".to_owned(), Value::Num(p))),
        }
    }
    let options = read_options(ep, &options_js)?;
    let mut prepared = params::prepare_with(ep, &path_args, &params, js_number_text)
        .map_err(|e| invalid(ep, &e.field, e.message))?;
    let path_and_query = if prepared.query.is_empty() {
        core::mem::take(&mut prepared.path)
    } else {
        prepared.path_and_query()
    };
    let (body, json) = match &prepared.body {
        Body::None => (JsValue::UNDEFINED, false),
        Body::Json(text) => (JsValue::from_str(text), true),
        Body::Multipart(fields) => (form_data(ep, fields, &files)?, false),
    };
    let call = client.prepare_raw(RawCall {
        method: prepared.method.to_owned(),
        path_and_query: path_and_query.clone(),
        body,
        json,
        options,
    })?;
    let finish: Finish = match ep.response {
        ResponseKind::List { plural, envelope } => {
            // The key is read only when the page is refused: no copy of it per call.
            let client = client.handle();
            Box::new(move |value| {
                unwrap_list(&client, ep, &path_and_query, value, plural, envelope)
            })
        }
        ResponseKind::Record => Box::new(Ok),
        ResponseKind::Empty => Box::new(|_| Ok(JsValue::UNDEFINED)),
    };
    Ok((call, finish))
}

/// `String(n)`, so numbers go out exactly as JavaScript prints them (and the wasm does not
/// link Rust's float formatting).
fn js_number_text(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// `(id, params?, options?)`, for messages.
fn signature(ep: &Endpoint) -> String {
    let mut parts: Vec<&str> = ep.path_args.to_vec();
    if ep.takes_params() {
        parts.push("params?");
    }
    parts.push("options?");
    [ep.name, "(", &parts.joined(", "), ")"].cat()
}

/// Reads one JS value; uploads go to `files` and are referred to by index. A value whose
/// getters, iterator or methods throw is an `Err` with the message to show.
fn to_value(v: &JsValue, files: &mut Vec<JsValue>) -> Result<Value, String> {
    let threw = |_| "reading it threw".to_owned();
    // Each test is a crossing into JS, and they are disjoint: the common kinds first.
    if let Some(n) = v.as_f64() {
        return Ok(Value::Num(n));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::Str(s));
    }
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(items) = fallible::list(v, fallible::MAX_ITEMS).map_err(threw)? {
        let mut list = Vec::new();
        for x in &items {
            list.push(to_value(x, files)?);
        }
        return Ok(Value::List(list));
    }
    // A `Date`: its text, read in JS (which catches what its methods throw).
    let date = date_text(v);
    if let Some(text) = date.as_string() {
        return Ok(Value::Str(text));
    }
    if !date.is_undefined() {
        return Err("reading it threw".to_owned());
    }
    if v.is_instance_of::<Blob>() || v.is_instance_of::<ArrayBuffer>() || ArrayBuffer::is_view(v) {
        files.push(v.clone());
        return Ok(Value::File(files.len() - 1));
    }
    Ok(Value::Other(
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "unknown".to_owned()),
    ))
}

fn read_params(
    ep: &Endpoint,
    params: &JsValue,
    files: &mut Vec<JsValue>,
) -> Result<Vec<(String, Value)>, JsValue> {
    if params.is_undefined() || params.is_null() {
        return Ok(Vec::new());
    }
    // One crossing for the checks and every entry; `paramEntries` catches what it reads.
    let entries = param_entries(params);
    match entries.as_f64() {
        Some(0.0) => {
            return Err(invalid(
                ep,
                "params",
                ["`params` must be an object (", &signature(ep), ")"].cat(),
            ))
        }
        Some(_) => return Err(invalid(ep, "params", "reading `params` threw".to_owned())),
        None => {}
    }
    // A fresh plain array of `[key, value, ...]`: reading it cannot throw.
    let entries: Array = entries.unchecked_into();
    let mut out = Vec::new();
    let (mut i, len) = (0, entries.length());
    while i + 1 < len {
        let key = entries.get(i).as_string().unwrap_or_default();
        let value = to_value(&entries.get(i + 1), files)
            .map_err(|m| invalid(ep, &key, ["`", &key, "`: ", &m].cat()))?;
        out.push((key, value));
        i += 2;
    }
    Ok(out)
}

/// The per-call options `{ signal, timeoutMs }`, checked by the rules `fetch()` and
/// `request()` use ([`options::call_signal`], [`options::call_timeout`]); an unknown option
/// is refused, since a typed method takes nothing else.
fn read_options(ep: &Endpoint, opts: &JsValue) -> Result<CallOptions, JsValue> {
    let mut out = CallOptions::default();
    if opts.is_undefined() || opts.is_null() {
        return Ok(out);
    }
    if !opts.is_object() || fallible::is_array(opts) {
        return Err(invalid(
            ep,
            "options",
            ["`options` must be an object (", &signature(ep), ")"].cat(),
        ));
    }
    let threw = |_| invalid(ep, "options", "reading `options` threw".to_owned());
    for (key, value) in fallible::entries(opts).map_err(threw)? {
        if value.is_undefined() || value.is_null() {
            continue;
        }
        match key.as_str() {
            "signal" => {
                out.signal = Some(
                    options::call_signal(value).map_err(|e| invalid(ep, "signal", e.message))?,
                )
            }
            "timeoutMs" => {
                out.timeout_ms = Some(
                    options::call_timeout(&value)
                        .map_err(|e| invalid(ep, "timeoutMs", e.message))?,
                )
            }
            other => {
                let hint = if ep.param(other).is_some() || !ep.takes_params() {
                    [" (this method's arguments are ", &signature(ep), ")"].cat()
                } else {
                    String::new()
                };
                return Err(invalid(
                    ep,
                    other,
                    [
                        "unknown option `",
                        other,
                        "`: the options are `signal` and `timeoutMs`",
                        &hint,
                    ]
                    .cat(),
                ));
            }
        }
    }
    Ok(out)
}

/// The platform's `FormData` for a multipart body, built by `formData` in
/// `src/js/resources.js` from `[name, value, filename, ...]`.
fn form_data(
    ep: &Endpoint,
    fields: &[(String, Field)],
    files: &[JsValue],
) -> Result<JsValue, JsValue> {
    let rows = Array::new();
    for (name, field) in fields {
        rows.push(&JsValue::from_str(name));
        match field {
            Field::Text(text) => {
                rows.push(&JsValue::from_str(text));
                rows.push(&JsValue::UNDEFINED);
            }
            Field::File { index, filename } => {
                let Some(value) = files.get(*index) else {
                    return Err(invalid(ep, name, ["`", name, "` is not a file"].cat()));
                };
                rows.push(value);
                // A `File` keeps its own name (no file name given to `append`).
                let named = Reflect::get(value, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string())
                    .is_some();
                let filename = match filename {
                    Some(f) => JsValue::from_str(f),
                    None if named && value.is_instance_of::<Blob>() => JsValue::UNDEFINED,
                    None => JsValue::from_str("upload"),
                };
                rows.push(&filename);
            }
        }
    }
    form_data_of(&rows)
}

/// Checks a list response's envelope and adds the non-enumerable `items` array.
fn unwrap_list(
    client: &ConveyorClient,
    ep: &Endpoint,
    path: &str,
    page: JsValue,
    plural: &'static str,
    envelope: Envelope,
) -> Result<JsValue, JsValue> {
    // One crossing: the lookups, which may meet throwing getters, are caught in JS.
    let hal = envelope == Envelope::Hal;
    let found = with_items(&page, plural, hal);
    if found {
        return Ok(page);
    }
    let where_ = match envelope {
        Envelope::Flat => ["`", plural, "`"].cat(),
        Envelope::Hal => ["`_embedded.", plural, "`"].cat(),
    };
    let err = Error::new(
        ErrorKind::BadResponse,
        [
            ep.method,
            " ",
            path,
            ": the response has no ",
            &where_,
            " array; the API may have changed (the body is in `details`)",
        ]
        .cat(),
    )
    .with_request(ep.method, path);
    Err(js_error::to_js_with(
        &err,
        JsExtras {
            cause: None,
            details: js_error::details_of(&page, client.api_key()),
        },
    ))
}
