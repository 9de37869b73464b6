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
use crate::resources::{BodyKind, Endpoint, Kind, Param, MAX_PER_PAGE};
use crate::url::{encode_query, fill_path};

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

impl Value {
    fn describe(&self, num: NumberText) -> String {
        match self {
            Value::Null => "nothing".into(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Num(n) if n.is_nan() => "NaN".into(),
            Value::Num(n) => format!("the number {}", format_num(*n, num)),
            Value::Str(_) => "a string".into(),
            Value::List(_) => "an array".into(),
            Value::File(_) => "a file".into(),
            Value::Other(t) => format!("a value of type {t}"),
        }
    }
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
        format!("{}{}", self.path, encode_query(&self.query))
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
    fn new(field: impl Into<String>, message: impl Into<String>) -> ParamError {
        ParamError {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The typed error the caller sees: a [`ErrorKind::Validation`] naming the endpoint and field.
    pub fn into_error(self, ep: &Endpoint) -> Error {
        Error::new(
            ErrorKind::Validation,
            format!("{}: {}", ep.name, self.message),
        )
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

/// A checked value of a known kind.
enum Checked {
    Text(String),
    /// A number, already printed.
    Num(String),
    Bool(bool),
    Texts(Vec<String>),
    /// Ids keep numbers as numbers in JSON.
    Ids(Vec<Checked>),
    File(usize),
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
pub fn prepare_with(
    ep: &Endpoint,
    path_args: &[Value],
    params: &[(String, Value)],
    num: NumberText,
) -> Result<Prepared, ParamError> {
    // Path arguments.
    let mut filled: Vec<(&str, String)> = Vec::with_capacity(ep.path_args.len());
    for (i, name) in ep.path_args.iter().enumerate() {
        let v = path_args.get(i).unwrap_or(&Value::Null);
        let id = match check_id(v, num) {
            Some(Ok(c)) => checked_text(&c),
            Some(Err(got)) => {
                return Err(ParamError::new(
                    *name,
                    format!("`{name}` must be a non-empty string or an integer id, not {got}"),
                ))
            }
            None => {
                return Err(ParamError::new(
                    *name,
                    format!("`{name}` (argument {}) is required", i + 1),
                ))
            }
        };
        if id == "." || id == ".." {
            return Err(ParamError::new(
                *name,
                format!("`{name}` must not be `.` or `..`"),
            ));
        }
        filled.push((name, id));
    }
    let pairs: Vec<(&str, &str)> = filled.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let path = fill_path(ep.path, &pairs).map_err(|m| ParamError::new("path", m))?;

    // Parameters: unknown names first, then each value, in the caller's order.
    let mut given: Vec<(Param, Checked)> = Vec::new();
    let mut filename: Option<String> = None;
    for (name, value) in params {
        let Some(param) = ep.param(name) else {
            return Err(unknown(ep, name));
        };
        if matches!(value, Value::Null) {
            continue;
        }
        let checked = check(&param, value, num)?;
        if param.name == "filename" {
            if let Checked::Text(t) = &checked {
                filename = Some(t.clone());
            }
            // Sent as its own field only where the API names it.
            if !ep.params.iter().any(|p| p.name == "filename") {
                continue;
            }
        }
        given.push((param, checked));
    }
    let is_given = |n: &str| given.iter().any(|(p, _)| p.name == n);
    for p in ep.params.iter().filter(|p| p.required) {
        if !is_given(p.name) {
            return Err(ParamError::new(p.name, format!("`{}` is required", p.name)));
        }
    }
    if !ep.any_of.is_empty() && !ep.any_of.iter().any(|n| is_given(n)) {
        let names: Vec<String> = ep.any_of.iter().map(|n| format!("`{n}`")).collect();
        return Err(ParamError::new(
            ep.any_of.join("|"),
            format!("one of {} is required", join(&names, " or ")),
        ));
    }
    // Declaration order on the wire, whatever the order of the caller's object.
    let order = ep.accepted_names();
    let mut sorted = Vec::with_capacity(given.len());
    for name in order {
        if let Some(i) = given.iter().position(|(p, _)| p.name == name) {
            sorted.push(given.swap_remove(i));
        }
    }
    let given = sorted;

    let mut query = Vec::new();
    let body = match ep.body {
        BodyKind::None => Body::None,
        BodyKind::Query => {
            for (p, c) in &given {
                push_pairs(&mut query, p.name, c);
            }
            for (k, v) in ep.fixed {
                query.push(((*k).to_owned(), (*v).to_owned()));
            }
            Body::None
        }
        BodyKind::Json => {
            let mut members: Vec<String> = given
                .iter()
                .map(|(p, c)| format!("{}:{}", json_string(p.name), json_value(c)))
                .collect();
            members.extend(
                ep.fixed
                    .iter()
                    .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v))),
            );
            Body::Json(format!("{{{}}}", join(&members, ",")))
        }
        BodyKind::Multipart => {
            let mut fields = Vec::new();
            for (p, c) in &given {
                push_fields(&mut fields, p.name, c, &filename);
            }
            for (k, v) in ep.fixed {
                fields.push(((*k).to_owned(), Field::Text((*v).to_owned())));
            }
            Body::Multipart(fields)
        }
    };
    Ok(Prepared {
        method: ep.method,
        path,
        query,
        body,
    })
}

fn unknown(ep: &Endpoint, name: &str) -> ParamError {
    let accepted = ep.accepted_names();
    let message = if accepted.is_empty() {
        format!("unknown parameter `{name}`: this method takes no parameters")
    } else {
        let list: Vec<String> = accepted.iter().map(|n| format!("`{n}`")).collect();
        format!(
            "unknown parameter `{name}` (accepted: {})",
            join(&list, ", ")
        )
    };
    ParamError::new(name, message)
}

/// `None` when the value is absent; `Some(Err(description))` when it is not an id.
fn check_id(v: &Value, num: NumberText) -> Option<Result<Checked, String>> {
    match v {
        Value::Null => None,
        Value::Str(s) if !s.is_empty() => Some(Ok(Checked::Text(s.clone()))),
        Value::Num(n) if is_integer(*n) && *n >= 0.0 => Some(Ok(Checked::Num(format_num(*n, num)))),
        Value::Str(_) => Some(Err("an empty string".into())),
        other => Some(Err(other.describe(num))),
    }
}

fn is_integer(n: f64) -> bool {
    n.is_finite() && n.trunc() == n
}

fn check(param: &Param, value: &Value, num: NumberText) -> Result<Checked, ParamError> {
    let name = param.name;
    let wrong = |what: &str, v: &Value| {
        ParamError::new(
            name,
            format!("`{name}` must be {what}, not {}", v.describe(num)),
        )
    };
    let checked = match (param.kind, value) {
        (Kind::Str | Kind::Enum(_), Value::Str(s)) => Checked::Text(s.clone()),
        (Kind::Str, v) => return Err(wrong("a string", v)),
        (Kind::Enum(values), v) => {
            let list: Vec<String> = values.iter().map(|s| format!("\"{s}\"")).collect();
            return Err(wrong(&format!("a string such as {}", join(&list, ", ")), v));
        }
        (Kind::Int, Value::Num(n)) if is_integer(*n) => Checked::Num(format_num(*n, num)),
        (Kind::Int, v) => return Err(wrong("an integer", v)),
        (Kind::Num, Value::Num(n)) if n.is_finite() => Checked::Num(format_num(*n, num)),
        (Kind::Num, v) => return Err(wrong("a finite number", v)),
        (Kind::Bool, Value::Bool(b)) => Checked::Bool(*b),
        (Kind::Bool, v) => return Err(wrong("true or false", v)),
        (Kind::Date, Value::Str(s)) if is_iso_date(s) => Checked::Text(s.clone()),
        (Kind::Date, Value::Str(s)) => {
            return Err(ParamError::new(
                name,
                format!("`{name}` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not \"{s}\""),
            ))
        }
        (Kind::Date, v) => return Err(wrong("an ISO-8601 date string or a Date", v)),
        (Kind::Id, v) => match check_id(v, num) {
            Some(Ok(c)) => c,
            _ => return Err(wrong("a non-empty string or an integer id", v)),
        },
        (Kind::IdList, Value::List(items)) => {
            let mut ids = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match check_id(item, num) {
                    Some(Ok(c)) => ids.push(c),
                    _ => {
                        return Err(ParamError::new(
                            format!("{name}[{i}]"),
                            format!(
                                "`{name}[{i}]` must be a non-empty string or an integer id, not {}",
                                item.describe(num)
                            ),
                        ))
                    }
                }
            }
            Checked::Ids(ids)
        }
        (Kind::IdList, v) => return Err(wrong("an array of ids", v)),
        (Kind::StrList, Value::List(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Str(s) => out.push(s.clone()),
                    other => {
                        return Err(ParamError::new(
                            format!("{name}[{i}]"),
                            format!("`{name}[{i}]` must be a string, not {}", other.describe(num)),
                        ))
                    }
                }
            }
            Checked::Texts(out)
        }
        (Kind::StrList, v) => return Err(wrong("an array of strings", v)),
        (Kind::File, Value::File(i)) => Checked::File(*i),
        (Kind::File, v) => return Err(wrong("a Blob, File, Uint8Array or ArrayBuffer", v)),
    };
    if let (Value::Num(n), Checked::Num(_)) = (value, &checked) {
        let n = *n;
        if name == "page" && n < 1.0 {
            return Err(ParamError::new(name, "`page` must be 1 or more"));
        }
        if name == "per_page" && !(1.0..=MAX_PER_PAGE).contains(&n) {
            return Err(ParamError::new(
                name,
                "`per_page` must be between 1 and 100",
            ));
        }
    }
    Ok(checked)
}

/// `YYYY-MM-DD`, optionally followed by `T` and a time: the shape every ISO-8601 date the
/// API takes starts with. The server judges the rest.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
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
        format!("{}", n as i64)
    } else {
        num(n)
    }
}

fn checked_text(c: &Checked) -> String {
    match c {
        Checked::Text(s) => s.clone(),
        Checked::Num(n) => n.clone(),
        Checked::Bool(b) => b.to_string(),
        // Lists and files never reach here: callers expand them first.
        Checked::Texts(_) | Checked::Ids(_) | Checked::File(_) => String::new(),
    }
}

fn push_pairs(out: &mut Vec<(String, String)>, name: &str, c: &Checked) {
    match c {
        Checked::Texts(items) => {
            out.extend(items.iter().map(|s| (format!("{name}[]"), s.clone())));
        }
        Checked::Ids(items) => {
            out.extend(items.iter().map(|i| (format!("{name}[]"), checked_text(i))));
        }
        // Query endpoints take no uploads.
        Checked::File(_) => {}
        scalar => out.push((name.to_owned(), checked_text(scalar))),
    }
}

fn push_fields(out: &mut Vec<(String, Field)>, name: &str, c: &Checked, filename: &Option<String>) {
    match c {
        Checked::File(index) => out.push((
            name.to_owned(),
            Field::File {
                index: *index,
                filename: filename.clone(),
            },
        )),
        Checked::Texts(items) => {
            out.extend(
                items
                    .iter()
                    .map(|s| (format!("{name}[]"), Field::Text(s.clone()))),
            );
        }
        Checked::Ids(items) => out.extend(
            items
                .iter()
                .map(|i| (format!("{name}[]"), Field::Text(checked_text(i)))),
        ),
        scalar => out.push((name.to_owned(), Field::Text(checked_text(scalar)))),
    }
}

/// `parts` joined with `sep`. Not `[String]::join`: everything else joins `&str`s, and a
/// second instantiation of the std join costs the .wasm about 1 KB.
fn join(parts: &[String], sep: &str) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(part);
    }
    out
}

fn json_value(c: &Checked) -> String {
    match c {
        Checked::Text(s) => json_string(s),
        Checked::Num(n) => n.clone(),
        Checked::Bool(b) => b.to_string(),
        Checked::Texts(items) => {
            let v: Vec<String> = items.iter().map(|s| json_string(s)).collect();
            format!("[{}]", join(&v, ","))
        }
        Checked::Ids(items) => {
            let v: Vec<String> = items.iter().map(json_value).collect();
            format!("[{}]", join(&v, ","))
        }
        // JSON endpoints take no uploads.
        Checked::File(_) => "null".into(),
    }
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                // No `{:04x}`: hand-written so the wasm links no integer formatting for it.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[(n >> 4) & 0xf]));
                out.push(char::from(HEX[n & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
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
    fn json_strings_escape_control_characters() {
        assert_eq!(
            json_string("a\"\\\n\u{1}\u{2028}é"),
            r#""a\"\\\n\u0001\u2028é""#
        );
        assert_eq!(format_num(3.0, rust_number_text), "3");
        assert_eq!(format_num(0.25, rust_number_text), "0.25");
        assert_eq!(format_num(-0.0, rust_number_text), "0");
    }
}
