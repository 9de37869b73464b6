//! Checking and encoding one call's parameters against its [`Endpoint`] description (pure Rust).
//!
//! The JS shell turns the caller's arguments into [`Value`]s (uploads become
//! [`Value::File`] indexes into a list the shell keeps) and calls [`prepare`], which either
//! rejects the call with a [`ErrorKind::Validation`] error naming the field (nothing is
//! sent) or returns a [`Prepared`] request: the filled, encoded path and query, and a JSON
//! or multipart body.
//!
//! ```
//! use conveyor_client::params::{prepare, Value};
//! use conveyor_client::resources;
//! let ep = resources::find("exchange.authorizationRequests.ignore").unwrap();
//! let p = prepare(ep, &[Value::Str("../x?y#z".into())], &[
//!     ("reviewer_email".into(), Value::Str("a@b.c".into())),
//! ]).unwrap();
//! assert_eq!(p.path_and_query(), "/exchange/authorization_requests/..%2Fx%3Fy%23z");
//! ```

use crate::errors::{Error, ErrorKind};
use crate::json;
use crate::resources::{BodyKind, Endpoint, Kind, Param, MAX_PER_PAGE};
use crate::text::{cat, Cat};
use crate::url::{encode_query, fill_path};
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// A caller's value, as the JS shell read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `undefined` or `null`: treated as "not given".
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (may be NaN or infinite: [`prepare`] rejects those).
    Num(f64),
    /// A string (a JS `Date` arrives as its ISO string).
    Str(String),
    /// An array.
    List(Vec<Value>),
    /// An upload (`Blob`, `File`, `Uint8Array`, `ArrayBuffer`): an index into the shell's list.
    File(usize),
    /// Anything else (a plain object, a function...), named by its JS type for messages.
    Other(String),
}

/// One multipart field.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A text field.
    Text(String),
    /// The upload at this index of the shell's list, with the file name to send (when the
    /// caller gave one; otherwise the platform's default for that value).
    File {
        /// Index into the shell's list of uploads.
        index: usize,
        /// The `filename` parameter, when given.
        filename: Option<String>,
    },
}

/// The body of a prepared request.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// JSON text (`Content-Type: application/json`).
    Json(String),
    /// `multipart/form-data` fields in order; the shell builds a `FormData` from them.
    Multipart(Vec<(String, Field)>),
}

/// A checked call, ready for the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// HTTP method.
    pub method: &'static str,
    /// The path with its arguments filled in and encoded.
    pub path: String,
    /// Query pairs, not yet encoded; arrays appear as repeated `name[]` pairs.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Prepared {
    /// The path and encoded query, relative to the base URL.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        [self.path.as_str(), &encode_query(&self.query)].cat()
    }
}

/// A rejected call: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The offending field (`access_group_ids[1]` for an array element), or the path
    /// argument's name.
    pub field: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl ParamError {
    fn new(field: &str, message: String) -> ParamError {
        ParamError {
            field: field.to_owned(),
            message,
        }
    }

    /// The typed error the caller sees: a [`ErrorKind::Validation`] naming the endpoint and field.
    pub fn into_error(self, ep: &Endpoint) -> Error {
        Error::new(ErrorKind::Validation, [ep.name, ": ", &self.message].cat())
            .with_request(ep.method, ep.path)
    }
}

/// Prints a number that is not a small integer, as JavaScript's `String(n)` would.
///
/// Injected so the wasm build can use the platform's own printing instead of linking
/// Rust's float formatting (about 10 KB gzipped); [`rust_number_text`] is the native one.
pub type NumberText = fn(f64) -> String;

/// Rust's shortest round-trip printing; the same digits as JavaScript for the numbers the
/// API takes (thresholds, amounts).
pub fn rust_number_text(n: f64) -> String {
    format!("{n}")
}

/// Checks `path_args` (positional, as in [`Endpoint::path_args`]) and `params` (the params
/// object's own entries) against `ep`, and builds the request.
///
/// `Null` values count as not given. Rejects: a missing required parameter or path
/// argument, a value of the wrong type, NaN or infinite numbers, a non-integer where an
/// integer or id is expected, `page < 1`, `per_page` outside 1..=100, and any parameter the
/// endpoint does not accept (a typo should not silently do nothing). Enum parameters accept
/// any string: the API may add values.
pub fn prepare(
    ep: &Endpoint,
    path_args: &[Value],
    params: &[(String, Value)],
) -> Result<Prepared, Error> {
    prepare_with(ep, path_args, params, rust_number_text).map_err(|e| e.into_error(ep))
}

/// [`prepare`] with the number printing injected, keeping the field apart from the message
/// (the shell reports it as `details.param`).
///
/// Checking and encoding are two passes over the caller's values, not a checked copy of
/// them: the first rejects in the caller's order, the second writes the accepted values in
/// declaration order straight into the query, JSON text or multipart fields. (Without the
/// intermediate representation the .wasm is 1.3 KB gzip smaller.)
pub fn prepare_with(
    ep: &Endpoint,
    path_args: &[Value],
    params: &[(String, Value)],
    num: NumberText,
) -> Result<Prepared, ParamError> {
    // Path arguments.
    let mut ids: Vec<(&str, String)> = Vec::with_capacity(ep.path_args.len());
    for (i, name) in ep.path_args.iter().enumerate() {
        let v = path_args.get(i).unwrap_or(&Value::Null);
        if matches!(v, Value::Null) {
            let position = format_num((i + 1) as f64, num);
            let message = ["`", name, "` (argument ", &position, ") is required"].cat();
            return Err(ParamError::new(name, message));
        }
        if !is_id(v) {
            return Err(wrong(name, Kind::Id, v, num));
        }
        let id = scalar_text(v, num);
        if id == "." || id == ".." {
            let message = ["`", name, "` must not be `.` or `..`"].cat();
            return Err(ParamError::new(name, message));
        }
        ids.push((name, id));
    }
    // Most paths have no placeholder: a byte scan, then a copy.
    let path = if ep.path.bytes().any(|b| b == b'{' || b == b'}') {
        fill_path(ep.path, &ids).map_err(|m| ParamError::new("path", m))?
    } else {
        ep.path.to_owned()
    };

    // Check: unknown names and each value, in the caller's order.
    let mut filename: Option<String> = None;
    for (name, value) in params {
        let Some(param) = ep.param(name) else {
            return Err(unknown(ep, name));
        };
        check(&param, value, num)?;
        if let ("filename", Value::Str(s)) = (param.name, value) {
            filename = Some(s.clone());
        }
    }
    let given = |name: &str| value_of(params, name).is_some();
    if let Some(p) = ep.params.iter().find(|p| p.required && !given(p.name)) {
        let message = ["`", p.name, "` is required"].cat();
        return Err(ParamError::new(p.name, message));
    }
    if !ep.any_of.is_empty() && !ep.any_of.iter().any(|n| given(n)) {
        let message = ["one of `", &ep.any_of.joined("` or `"), "` is required"].cat();
        return Err(ParamError::new(&ep.any_of.joined("|"), message));
    }

    // Encode in declaration order, whatever the order of the caller's object. The file
    // name goes with the upload, and as its own field only where the API names it.
    let sends_filename = ep.params.iter().any(|p| p.name == "filename");
    let mut query = Vec::new();
    let mut json = String::from("{");
    let mut fields = Vec::new();
    let mut emit = |name: &str, value: &Value| match ep.body {
        BodyKind::None => {}
        BodyKind::Query => match value {
            Value::List(items) => {
                let key = [name, "[]"].cat();
                for item in items {
                    query.push((key.clone(), scalar_text(item, num)));
                }
            }
            // Query endpoints take no uploads.
            Value::File(_) => {}
            v => query.push((name.to_owned(), scalar_text(v, num))),
        },
        BodyKind::Json => {
            if json.len() > 1 {
                json.push(',');
            }
            json::push_string(&mut json, name);
            json.push(':');
            push_json_value(&mut json, value, num);
        }
        BodyKind::Multipart => match value {
            Value::File(index) => fields.push((
                name.to_owned(),
                Field::File {
                    index: *index,
                    filename: filename.clone(),
                },
            )),
            Value::List(items) => {
                let key = [name, "[]"].cat();
                for item in items {
                    fields.push((key.clone(), Field::Text(scalar_text(item, num))));
                }
            }
            v => fields.push((name.to_owned(), Field::Text(scalar_text(v, num)))),
        },
    };
    for name in ep.accepted_names() {
        if name == "filename" && !sends_filename {
            continue;
        }
        if let Some(value) = value_of(params, name) {
            emit(name, value);
        }
    }
    for (k, v) in ep.fixed {
        emit(k, &Value::Str((*v).to_owned()));
    }
    json.push('}');
    let body = match ep.body {
        BodyKind::None | BodyKind::Query => Body::None,
        BodyKind::Json => Body::Json(json),
        BodyKind::Multipart => Body::Multipart(fields),
    };
    Ok(Prepared {
        method: ep.method,
        path,
        query,
        body,
    })
}

/// The caller's value for `name`, unless absent or `Null` (the first, should a name repeat).
fn value_of<'a>(params: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .filter(|v| !matches!(v, Value::Null))
}

fn unknown(ep: &Endpoint, name: &str) -> ParamError {
    let accepted = ep.accepted_names();
    let message = if accepted.is_empty() {
        [
            "unknown parameter `",
            name,
            "`: this method takes no parameters",
        ]
        .cat()
    } else {
        [
            "unknown parameter `",
            name,
            "` (accepted: `",
            &accepted.joined("`, `"),
            "`)",
        ]
        .cat()
    };
    ParamError::new(name, message)
}

/// A record id: a non-empty string or a non-negative integer.
fn is_id(v: &Value) -> bool {
    match v {
        Value::Str(s) => !s.is_empty(),
        Value::Num(n) => is_integer(*n) && *n >= 0.0,
        _ => false,
    }
}

fn is_integer(n: f64) -> bool {
    n.is_finite() && libm::trunc(n) == n
}

/// Whether `v` (given, not `Null`) has the type `kind` takes. A list's items, a date's
/// shape and the paging bounds are [`check`]'s.
fn fits(kind: Kind, v: &Value) -> bool {
    match (kind, v) {
        (Kind::Str | Kind::Enum(_) | Kind::Date, Value::Str(_)) => true,
        (Kind::Int, Value::Num(n)) => is_integer(*n),
        (Kind::Num, Value::Num(n)) => n.is_finite(),
        (Kind::Bool, Value::Bool(_)) => true,
        (Kind::Id, v) => is_id(v),
        (Kind::IdList | Kind::StrList, Value::List(_)) => true,
        (Kind::File, Value::File(_)) => true,
        _ => false,
    }
}

/// "`field` must be <what `kind` takes>, not <what the caller passed>".
fn wrong(field: &str, kind: Kind, v: &Value, num: NumberText) -> ParamError {
    let what = match kind {
        Kind::Str => "a string",
        Kind::Int => "an integer",
        Kind::Num => "a finite number",
        Kind::Bool => "true or false",
        Kind::Date => "an ISO-8601 date string or a Date",
        Kind::Id => "a non-empty string or an integer id",
        Kind::IdList => "an array of ids",
        Kind::StrList => "an array of strings",
        Kind::File => "a Blob, File, Uint8Array or ArrayBuffer",
        Kind::Enum(_) => "a string such as \"",
    };
    let mut message = ["`", field, "` must be ", what].cat();
    if let Kind::Enum(values) = kind {
        message.push_str(&values.list().joined("\", \""));
        message.push('"');
    }
    message.push_str(", not ");
    let passed = match v {
        Value::Null => "nothing",
        Value::Bool(true) => "the boolean true",
        Value::Bool(false) => "the boolean false",
        Value::Num(n) if n.is_nan() => "NaN",
        Value::Num(n) => {
            message.push_str("the number ");
            &format_num(*n, num)
        }
        Value::Str(s) if s.is_empty() => "an empty string",
        Value::Str(_) => "a string",
        Value::List(_) => "an array",
        Value::File(_) => "a file",
        Value::Other(t) => {
            message.push_str("a value of type ");
            t
        }
    };
    message.push_str(passed);
    ParamError::new(field, message)
}

/// `Ok` when `value` is absent or fits `param`.
fn check(param: &Param, value: &Value, num: NumberText) -> Result<(), ParamError> {
    let (name, kind) = (param.name, param.kind);
    if matches!(value, Value::Null) {
        return Ok(());
    }
    if !fits(kind, value) {
        return Err(wrong(name, kind, value, num));
    }
    match value {
        Value::List(items) => {
            let item_kind = if matches!(kind, Kind::IdList) {
                Kind::Id
            } else {
                Kind::Str
            };
            for (i, item) in items.iter().enumerate() {
                if !fits(item_kind, item) {
                    let field = [name, "[", &format_num(i as f64, num), "]"].cat();
                    return Err(wrong(&field, item_kind, item, num));
                }
            }
        }
        Value::Str(s) if matches!(kind, Kind::Date) && !is_iso_date(s) => {
            let message = [
                "`",
                name,
                "` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not \"",
                s,
                "\"",
            ]
            .cat();
            return Err(ParamError::new(name, message));
        }
        Value::Num(n) if name == "page" && *n < 1.0 => {
            return Err(ParamError::new(name, "`page` must be 1 or more".to_owned()));
        }
        Value::Num(n) if name == "per_page" && !(1.0..=MAX_PER_PAGE).contains(n) => {
            let message = "`per_page` must be between 1 and 100".to_owned();
            return Err(ParamError::new(name, message));
        }
        _ => {}
    }
    Ok(())
}

/// `YYYY-MM-DD`, optionally followed by `T` and a time: the shape every ISO-8601 date the
/// API takes starts with. The server judges the rest.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: core::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && (b.len() == 10 || matches!(b.get(10), Some(b'T' | b't' | b' ')))
}

/// A number as JavaScript prints it: small integers here, the rest by `num`.
fn format_num(n: f64, num: NumberText) -> String {
    if is_integer(n) && n.abs() < 1e15 {
        cat!(n as i64)
    } else {
        num(n)
    }
}

/// A checked scalar as query or form text. Lists and files never reach here: callers
/// expand them first.
fn scalar_text(v: &Value, num: NumberText) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Num(n) => format_num(*n, num),
        Value::Bool(b) => (if *b { "true" } else { "false" }).to_owned(),
        _ => String::new(),
    }
}

/// A checked value as JSON; ids keep numbers as numbers.
fn push_json_value(out: &mut String, v: &Value, num: NumberText) {
    match v {
        Value::Str(s) => json::push_string(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_value(out, item, num);
            }
            out.push(']');
        }
        // JSON endpoints take no uploads.
        Value::File(_) | Value::Null | Value::Other(_) => out.push_str("null"),
        scalar => out.push_str(&scalar_text(scalar, num)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::{self, Endpoint};

    fn prepare_inner(
        ep: &Endpoint,
        path: &[Value],
        params: &[(String, Value)],
    ) -> Result<Prepared, ParamError> {
        prepare_with(ep, path, params, rust_number_text)
    }

    fn ep(name: &str) -> Result<&'static Endpoint, String> {
        resources::find(name).ok_or_else(|| format!("no endpoint {name}"))
    }

    fn s(v: &str) -> Value {
        Value::Str(v.to_owned())
    }

    fn kv(k: &str, v: Value) -> (String, Value) {
        (k.to_owned(), v)
    }

    /// The field a rejected call names.
    fn rejects(
        name: &str,
        path: &[Value],
        params: &[(String, Value)],
    ) -> Result<ParamError, String> {
        match prepare_inner(ep(name)?, path, params) {
            Ok(p) => Err(format!("{name} accepted {params:?}: {p:?}")),
            Err(e) => Ok(e),
        }
    }

    #[test]
    fn get_list_with_query_and_arrays() -> Result<(), String> {
        let p = prepare_inner(
            ep("questionnaires.list")?,
            &[],
            &[
                kv(
                    "product_line_ids",
                    Value::List(vec![Value::Num(1.0), s("b")]),
                ),
                kv("status", s("completed")),
                kv("per_page", Value::Num(5.0)),
                kv("due_at_end", Value::Null),
            ],
        )
        .map_err(|e| e.message)?;
        assert_eq!(p.method, "GET");
        assert_eq!(p.body, Body::None);
        // Declaration order, whatever the object's order; null left out.
        assert_eq!(
            p.query,
            vec![
                ("status".to_owned(), "completed".to_owned()),
                ("product_line_ids[]".to_owned(), "1".to_owned()),
                ("product_line_ids[]".to_owned(), "b".to_owned()),
                ("per_page".to_owned(), "5".to_owned()),
            ]
        );
        assert!(p
            .path_and_query()
            .starts_with("/questionnaires?status=completed&"));
        Ok(())
    }

    #[test]
    fn json_body_with_fixed_values() -> Result<(), String> {
        let p = prepare_inner(
            ep("exchange.authorizationRequests.ignore")?,
            &[Value::Num(42.0)],
            &[kv("reviewer_email", s("r\"@x.com"))],
        )
        .map_err(|e| e.message)?;
        assert_eq!(p.method, "PATCH");
        assert_eq!(p.path, "/exchange/authorization_requests/42");
        assert_eq!(
            p.body,
            Body::Json(r#"{"reviewer_email":"r\"@x.com","status":"ignored"}"#.to_owned())
        );
        let p = prepare_inner(ep("exchange.authorizations.revoke")?, &[s("7")], &[])
            .map_err(|e| e.message)?;
        assert_eq!(p.body, Body::Json(r#"{"status":"revoked"}"#.to_owned()));
        Ok(())
    }

    #[test]
    fn json_lists_keep_number_ids_as_numbers() -> Result<(), String> {
        let p = prepare_inner(
            ep("exchange.authorizations.create")?,
            &[],
            &[
                kv("email", s("a@b.c")),
                kv(
                    "access_group_ids",
                    Value::List(vec![Value::Num(1.0), s("g2")]),
                ),
                kv("nda_bypass", Value::Bool(true)),
                kv("expires_at", s("2030-01-01T00:00:00.000Z")),
            ],
        )
        .map_err(|e| e.message)?;
        assert_eq!(
            p.body,
            Body::Json(
                r#"{"email":"a@b.c","access_group_ids":[1,"g2"],"nda_bypass":true,"expires_at":"2030-01-01T00:00:00.000Z"}"#
                    .to_owned()
            )
        );
        Ok(())
    }

    #[test]
    fn any_of_requires_one() -> Result<(), String> {
        let e = rejects(
            "exchange.authorizations.create",
            &[],
            &[kv("nda_bypass", Value::Bool(true))],
        )?;
        assert!(
            e.message.contains("`request_id` or `email`"),
            "{}",
            e.message
        );
        let ok = prepare_inner(
            ep("exchange.authorizations.create")?,
            &[],
            &[kv("request_id", Value::Num(3.0))],
        );
        assert!(ok.is_ok());
        Ok(())
    }

    #[test]
    fn multipart_fields_and_filename() -> Result<(), String> {
        let p = prepare_inner(
            ep("exchange.documents.create")?,
            &[],
            &[
                kv("filename", s("soc2.pdf")),
                kv("file", Value::File(0)),
                kv("name", s("SOC 2")),
                kv("featured", Value::Bool(false)),
                kv(
                    "access_group_ids",
                    Value::List(vec![Value::Num(1.0), Value::Num(2.0)]),
                ),
            ],
        )
        .map_err(|e| e.message)?;
        assert_eq!(
            p.body,
            Body::Multipart(vec![
                ("name".to_owned(), Field::Text("SOC 2".to_owned())),
                (
                    "file".to_owned(),
                    Field::File {
                        index: 0,
                        filename: Some("soc2.pdf".to_owned())
                    }
                ),
                ("featured".to_owned(), Field::Text("false".to_owned())),
                ("access_group_ids[]".to_owned(), Field::Text("1".to_owned())),
                ("access_group_ids[]".to_owned(), Field::Text("2".to_owned())),
            ])
        );
        // Where the API names `filename` itself, it is also sent as a field.
        let p = prepare_inner(
            ep("questionnaires.create")?,
            &[],
            &[
                kv("domain", s("a.com")),
                kv("email", s("a@a.com")),
                kv("original_format", s("file")),
                kv("file", Value::File(3)),
                kv("filename", s("q.xlsx")),
            ],
        )
        .map_err(|e| e.message)?;
        let Body::Multipart(fields) = p.body else {
            return Err("not multipart".into());
        };
        assert!(fields.contains(&("filename".to_owned(), Field::Text("q.xlsx".to_owned()))));
        assert!(fields.contains(&(
            "file".to_owned(),
            Field::File {
                index: 3,
                filename: Some("q.xlsx".to_owned())
            }
        )));
        Ok(())
    }

    #[test]
    fn required_parameters_are_named() -> Result<(), String> {
        let e = rejects("exchange.folders.create", &[], &[])?;
        assert_eq!(e.field, "name");
        assert!(e.message.contains("`name` is required"));
        // null counts as missing.
        let e = rejects("exchange.folders.create", &[], &[kv("name", Value::Null)])?;
        assert_eq!(e.field, "name");
        let e = rejects("reviews.create", &[], &[kv("email", s("a@b.c"))])?;
        assert_eq!(e.field, "vendor_name");
        let e = rejects("exchange.documents.create", &[], &[kv("name", s("x"))])?;
        assert_eq!(e.field, "file");
        Ok(())
    }

    #[test]
    fn path_arguments_are_required_and_checked() -> Result<(), String> {
        let e = rejects("exchange.folders.delete", &[], &[])?;
        assert_eq!(e.field, "id");
        assert!(e.message.contains("required"));
        for bad in [
            s(""),
            Value::Num(1.5),
            Value::Num(-1.0),
            Value::Num(f64::NAN),
            Value::Bool(true),
            s(".."),
            s("."),
        ] {
            let e = rejects("exchange.folders.delete", std::slice::from_ref(&bad), &[])?;
            assert_eq!(e.field, "id", "{bad:?}");
        }
        Ok(())
    }

    #[test]
    fn hostile_ids_stay_one_segment() -> Result<(), String> {
        for (id, want) in [
            ("../x?y#z", "/exchange/documents/..%2Fx%3Fy%23z"),
            ("a/b", "/exchange/documents/a%2Fb"),
            ("%2e%2e", "/exchange/documents/%252e%252e"),
            ("é ", "/exchange/documents/%C3%A9%20"),
        ] {
            let p = prepare_inner(ep("exchange.documents.delete")?, &[s(id)], &[])
                .map_err(|e| e.message)?;
            assert_eq!(p.path_and_query(), want);
        }
        Ok(())
    }

    #[test]
    fn unknown_parameters_are_rejected() -> Result<(), String> {
        let e = rejects("exchange.connections.list", &[], &[kv("domian", s("x"))])?;
        assert_eq!(e.field, "domian");
        assert!(
            e.message.contains("accepted: `domain`, `page`, `per_page`"),
            "{}",
            e.message
        );
        let e = rejects(
            "exchange.authorizations.revoke",
            &[s("1")],
            &[kv("status", s("gated"))],
        )?;
        assert!(e.message.contains("takes no parameters"), "{}", e.message);
        // `filename` only where there is a file.
        rejects(
            "exchange.folders.create",
            &[],
            &[kv("name", s("x")), kv("filename", s("f"))],
        )?;
        // page/per_page only on lists.
        rejects(
            "exchange.folders.create",
            &[],
            &[kv("name", s("x")), kv("page", Value::Num(1.0))],
        )?;
        Ok(())
    }

    #[test]
    fn each_kind_rejects_wrong_types() -> Result<(), String> {
        type Case = (&'static str, Vec<(String, Value)>, &'static str);
        let cases: Vec<Case> = vec![
            (
                "exchange.connections.list",
                vec![kv("domain", Value::Num(1.0))],
                "domain",
            ),
            (
                "exchange.connections.list",
                vec![kv("page", Value::Num(1.5))],
                "page",
            ),
            (
                "exchange.connections.list",
                vec![kv("page", Value::Num(f64::NAN))],
                "page",
            ),
            (
                "exchange.connections.list",
                vec![kv("page", Value::Num(0.0))],
                "page",
            ),
            (
                "exchange.connections.list",
                vec![kv("per_page", Value::Num(101.0))],
                "per_page",
            ),
            (
                "exchange.connections.list",
                vec![kv("per_page", s("10"))],
                "per_page",
            ),
            (
                "singleQuestion.ask",
                vec![
                    kv("question", s("q")),
                    kv("confidence_threshold", Value::Num(f64::INFINITY)),
                ],
                "confidence_threshold",
            ),
            (
                "singleQuestion.ask",
                vec![
                    kv("question", s("q")),
                    kv(
                        "multiple_choice_options",
                        Value::List(vec![s("a"), Value::Num(2.0)]),
                    ),
                ],
                "multiple_choice_options[1]",
            ),
            (
                "singleQuestion.ask",
                vec![
                    kv("question", s("q")),
                    kv("multiple_choice_options", s("a")),
                ],
                "multiple_choice_options",
            ),
            (
                "exchange.authorizations.create",
                vec![kv("email", s("e")), kv("nda_bypass", s("true"))],
                "nda_bypass",
            ),
            (
                "exchange.authorizations.create",
                vec![kv("email", s("e")), kv("expires_at", s("tomorrow"))],
                "expires_at",
            ),
            (
                "exchange.authorizations.create",
                vec![kv("email", s("e")), kv("expires_at", s("Invalid Date"))],
                "expires_at",
            ),
            (
                "exchange.authorizations.create",
                vec![
                    kv("email", s("e")),
                    kv(
                        "access_group_ids",
                        Value::List(vec![Value::Num(1.0), Value::Null]),
                    ),
                ],
                "access_group_ids[1]",
            ),
            (
                "exchange.authorizations.create",
                vec![kv("email", s("e")), kv("access_group_ids", Value::Num(1.0))],
                "access_group_ids",
            ),
            (
                "exchange.authorizations.update",
                vec![kv("status", Value::Num(1.0))],
                "status",
            ),
            (
                "exchange.documents.update",
                vec![kv("file", s("not a file"))],
                "file",
            ),
            (
                "exchange.documents.update",
                vec![kv("name", Value::Other("object".into()))],
                "name",
            ),
        ];
        for (name, params, field) in cases {
            let path = match ep(name)?.path_args.len() {
                0 => vec![],
                _ => vec![s("1")],
            };
            let e = rejects(name, &path, &params)?;
            assert_eq!(e.field, field, "{name}: {}", e.message);
            assert!(e.message.contains(&format!("`{field}`")), "{}", e.message);
        }
        Ok(())
    }

    #[test]
    fn enums_accept_unknown_strings() -> Result<(), String> {
        let p = prepare_inner(
            ep("knowledgeBase.questions.list")?,
            &[],
            &[kv("status", s("archived"))],
        )
        .map_err(|e| e.message)?;
        assert_eq!(
            p.path_and_query(),
            "/knowledge_base/questions?status=archived"
        );
        let p = prepare_inner(ep("interactions.list")?, &[], &[kv("type", s("Q & A"))])
            .map_err(|e| e.message)?;
        assert_eq!(p.path_and_query(), "/interactions?type=Q%20%26%20A");
        Ok(())
    }

    #[test]
    fn dates_accept_iso_shapes() {
        for ok in [
            "2024-05-01",
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00.000+02:00",
        ] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "",
            "2024-5-1",
            "01/05/2024",
            "2024-05-01X",
            "Invalid Date",
            "２０２４-05-01",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn the_validation_error_names_endpoint_and_field() -> Result<(), String> {
        let e = match prepare(ep("exchange.folders.create")?, &[], &[]) {
            Ok(_) => return Err("accepted".into()),
            Err(e) => e,
        };
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.message, "exchange.folders.create: `name` is required");
        assert_eq!(e.method.as_deref(), Some("POST"));
        Ok(())
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        assert_eq!(format_num(3.0, rust_number_text), "3");
        assert_eq!(format_num(0.25, rust_number_text), "0.25");
        assert_eq!(format_num(-0.0, rust_number_text), "0");
    }

    use percent_encoding::percent_decode_str;
    use proptest::prelude::*;

    /// Any scalar, list or upload a caller could pass.
    fn any_value() -> impl Strategy<Value = Value> {
        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            prop_oneof![
                any::<f64>(),
                (-3i64..200).prop_map(|n| n as f64),
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(0.5),
            ]
            .prop_map(Value::Num),
            prop_oneof![
                "[a-z]{0,3}",
                "\\PC{0,12}",
                Just("2024-05-01".to_owned()),
                Just("..".to_owned())
            ]
            .prop_map(Value::Str),
            (0usize..3).prop_map(Value::File),
            Just(Value::Other("object".to_owned())),
        ];
        prop_oneof![
            4 => scalar.clone(),
            1 => prop::collection::vec(scalar, 0..4).prop_map(Value::List),
        ]
    }

    /// The text of one query pair's value, decoded.
    fn decoded_query_value(path_and_query: &str, name: &str) -> Option<String> {
        let (_, query) = path_and_query.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (percent_decode_str(k).decode_utf8().ok()? == name)
                .then(|| {
                    percent_decode_str(v)
                        .decode_utf8()
                        .ok()
                        .map(|v| v.into_owned())
                })
                .flatten()
        })
    }

    proptest! {
        /// Whatever string a caller passes arrives intact: a JSON body parses back to it
        /// (with the fixed values beside it), a query decodes back to it.
        #[test]
        fn strings_arrive_intact(text in "\\PC{0,40}|[\\x00-\\x1f\"\\\\\u{2028}\u{2029}]{0,8}") {
            let p = prepare_inner(
                ep("exchange.authorizationRequests.ignore").map_err(TestCaseError::fail)?,
                &[s("1")],
                &[kv("reviewer_email", Value::Str(text.clone()))],
            ).map_err(|e| TestCaseError::fail(e.message))?;
            let Body::Json(json) = p.body else {
                return Err(TestCaseError::fail("not a JSON body"));
            };
            let parsed: serde_json::Value = serde_json::from_str(&json)
                .map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
            prop_assert_eq!(parsed["reviewer_email"].as_str(), Some(text.as_str()));
            prop_assert_eq!(parsed["status"].as_str(), Some("ignored"));
            prop_assert_eq!(parsed.as_object().map(|o| o.len()), Some(2));

            let p = prepare_inner(
                ep("exchange.connections.list").map_err(TestCaseError::fail)?,
                &[],
                &[kv("domain", Value::Str(text.clone()))],
            ).map_err(|e| TestCaseError::fail(e.message))?;
            let pq = p.path_and_query();
            prop_assert_eq!(decoded_query_value(&pq, "domain"), Some(text));
        }

        /// Any values for any endpoint: the call is either prepared, with a body that
        /// carries only what the endpoint accepts, or rejected naming one of the fields the
        /// call had. Nothing panics.
        #[test]
        fn any_call_is_prepared_or_rejected_by_name(
            index in 0usize..64,
            path in prop::collection::vec(any_value(), 0..3),
            picks in prop::collection::vec((0usize..16, any_value()), 0..6),
            unknown in prop::option::weighted(0.1, "[a-z_]{1,8}"),
        ) {
            let endpoints: Vec<&Endpoint> = resources::all().collect();
            let ep = endpoints[index % endpoints.len()];
            let accepted = ep.accepted_names();
            let mut params: Vec<(String, Value)> = Vec::new();
            for (i, v) in picks {
                if let Some(name) = accepted.get(i % accepted.len().max(1)) {
                    if params.iter().all(|(k, _)| k != name) {
                        params.push(((*name).to_owned(), v));
                    }
                }
            }
            if let Some(name) = unknown {
                if params.iter().all(|(k, _)| *k != name) {
                    params.push((name, Value::Bool(true)));
                }
            }
            match prepare_inner(ep, &path, &params) {
                Ok(p) => {
                    for name in &accepted {
                        prop_assert!(params.iter().any(|(k, _)| k == name) || !ep.param(name).is_some_and(|p| p.required));
                    }
                    if let Body::Json(json) = &p.body {
                        let parsed: serde_json::Value = serde_json::from_str(json)
                            .map_err(|e| TestCaseError::fail(format!("{json}: {e}")))?;
                        let object = parsed.as_object().ok_or_else(|| TestCaseError::fail("not an object"))?;
                        for key in object.keys() {
                            prop_assert!(
                                accepted.contains(&key.as_str()) || ep.fixed.iter().any(|(k, _)| k == key),
                                "{} sent `{}`", ep.name, key
                            );
                        }
                    }
                    prop_assert!(!p.path.contains('{'), "{}", p.path);
                }
                Err(e) => {
                    let base = e.field.split('[').next().unwrap_or_default();
                    let named = params.iter().any(|(k, _)| k == base)
                        || ep.path_args.contains(&base)
                        || ep.params.iter().any(|p| p.name == base)
                        || e.field == ep.any_of.join("|");
                    prop_assert!(named, "{}: field `{}` ({})", ep.name, e.field, e.message);
                    let first = base.split('|').next().unwrap_or_default();
                    prop_assert!(e.message.contains(&format!("`{first}")), "{}", e.message);
                }
            }
        }
    }
}
