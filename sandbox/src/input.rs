//! Request parameters from the query string, a JSON body, an urlencoded form or a
//! multipart form, merged into one bag, and typed getters that answer 422 naming the field.

use bytes::Bytes;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::error::{ApiError, ApiResult};
use crate::timefmt::parse_time;

pub const MAX_BODY: usize = 10 * 1024 * 1024;

/// An uploaded file part.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub size: usize,
    pub text_lines: usize,
}

#[derive(Debug, Default, Clone)]
pub struct Input {
    /// Parameter name (a trailing `[]` removed) to value: a string, or for repeated or `[]`
    /// names an array; JSON bodies keep their types.
    pub fields: Map<String, Value>,
    pub files: BTreeMap<String, Upload>,
}

fn push_pair(fields: &mut Map<String, Value>, name: &str, value: Value) {
    let (name, array) = match name.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (name, false),
    };
    match fields.get_mut(name) {
        Some(Value::Array(a)) => a.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            let v = if array {
                Value::Array(vec![value])
            } else {
                value
            };
            fields.insert(name.to_owned(), v);
        }
    }
}

impl Input {
    pub fn from_query(query: Option<&str>) -> Input {
        let mut input = Input::default();
        if let Some(q) = query {
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                push_pair(&mut input.fields, &k, Value::String(v.into_owned()));
            }
        }
        input
    }

    /// Adds the body's parameters (they win over the query's).
    pub async fn add_body(&mut self, content_type: Option<&str>, body: Bytes) -> ApiResult<()> {
        let ct = content_type.unwrap_or("").trim().to_ascii_lowercase();
        if ct.starts_with("multipart/form-data") {
            return self.add_multipart(content_type.unwrap_or(""), body).await;
        }
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(());
        }
        if ct.starts_with("application/x-www-form-urlencoded") {
            let mut form = Map::new();
            for (k, v) in form_urlencoded::parse(&body) {
                push_pair(&mut form, &k, Value::String(v.into_owned()));
            }
            self.fields.extend(form);
            return Ok(());
        }
        // JSON, declared or not.
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let name = k.strip_suffix("[]").unwrap_or(&k).to_owned();
                    self.fields.insert(name, v);
                }
                Ok(())
            }
            _ => Err(ApiError::BadRequest(
                "the JSON body must be an object".into(),
            )),
        }
    }

    async fn add_multipart(&mut self, content_type: &str, body: Bytes) -> ApiResult<()> {
        let boundary = multer::parse_boundary(content_type)
            .map_err(|e| ApiError::BadRequest(format!("bad multipart content type: {e}")))?;
        let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
        let mut mp = multer::Multipart::new(stream, boundary);
        let bad = |e: multer::Error| ApiError::BadRequest(format!("bad multipart body: {e}"));
        let mut form = Map::new();
        while let Some(field) = mp.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or("").to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(|m| m.to_string());
            let data = field.bytes().await.map_err(bad)?;
            if filename.is_some() || name == "file" {
                let text_lines = std::str::from_utf8(&data)
                    .map(|s| s.lines().count())
                    .unwrap_or(0);
                let upload = Upload {
                    filename,
                    content_type,
                    size: data.len(),
                    text_lines,
                };
                self.files
                    .insert(name.trim_end_matches("[]").to_owned(), upload);
            } else {
                let text = String::from_utf8_lossy(&data).into_owned();
                push_pair(&mut form, &name, Value::String(text));
            }
        }
        self.fields.extend(form);
        Ok(())
    }

    pub fn has(&self, name: &str) -> bool {
        self.fields.get(name).is_some_and(|v| !v.is_null())
    }

    /// An optional text parameter; numbers and booleans are taken as their text.
    pub fn str(&self, name: &str) -> ApiResult<Option<String>> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(ApiError::invalid(
                name,
                format!("`{name}` must be a string"),
            )),
        }
    }

    /// A required, non-empty text parameter.
    pub fn required(&self, name: &str) -> ApiResult<String> {
        match self.str(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(ApiError::missing(name)),
        }
    }

    /// An optional parameter that must be one of `allowed`.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.str(name)? {
            None => Ok(None),
            Some(s) if allowed.contains(&s.as_str()) => Ok(Some(s)),
            Some(s) => Err(ApiError::invalid(
                name,
                format!("`{name}` must be one of {}, got {s:?}", allowed.join(", ")),
            )),
        }
    }

    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err(ApiError::invalid(
                    name,
                    format!("`{name}` must be true or false"),
                )),
            },
            Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Ok(Some(n.as_i64() == Some(1)))
            }
            Some(_) => Err(ApiError::invalid(
                name,
                format!("`{name}` must be true or false"),
            )),
        }
    }

    pub fn number(&self, name: &str) -> ApiResult<Option<f64>> {
        let bad = || ApiError::invalid(name, format!("`{name}` must be a number"));
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Some(f)),
                _ => Err(bad()),
            },
            Some(_) => Err(bad()),
        }
    }

    /// An optional record id.
    pub fn id(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => parse_id(v)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(name, format!("`{name}` must be an integer id"))),
        }
    }

    /// An optional list of ids: an array, repeated or `name[]` parameters, or a comma list.
    pub fn ids(&self, name: &str) -> ApiResult<Option<Vec<i64>>> {
        let bad = || ApiError::invalid(name, format!("`{name}` must be a list of integer ids"));
        let items: Vec<Value> = match self.fields.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(a)) => a.clone(),
            Some(Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(p.to_owned()))
                .collect(),
            Some(v @ Value::Number(_)) => vec![v.clone()],
            Some(_) => return Err(bad()),
        };
        let mut out = Vec::new();
        for v in &items {
            match v {
                Value::String(s) if s.trim().is_empty() => continue,
                _ => out.push(parse_id(v).ok_or_else(bad)?),
            }
        }
        Ok(Some(out))
    }

    /// An optional list of strings.
    pub fn strings(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        let bad = || ApiError::invalid(name, format!("`{name}` must be a list of strings"));
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(bad()),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Number(n)) => Ok(Some(vec![n.to_string()])),
            Some(_) => Err(bad()),
        }
    }

    /// An optional timestamp, as Unix seconds.
    pub fn time(&self, name: &str, end_of_day: bool) -> ApiResult<Option<i64>> {
        let bad = || ApiError::invalid(name, format!("`{name}` must be an ISO 8601 date or time"));
        match self.fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => parse_time(s, end_of_day).map(Some).ok_or_else(bad),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
            Some(_) => Err(bad()),
        }
    }
}

pub fn parse_id(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().filter(|i| *i > 0),
        Value::String(s) => parse_id_str(s),
        _ => None,
    }
}

/// A path or parameter id: a positive decimal integer.
pub fn parse_id_str(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|i| *i > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_arrays() {
        let i = Input::from_query(Some("a[]=1&a[]=2&b=x&b=y&c=3&d=1,2"));
        assert_eq!(i.ids("a"), Ok(Some(vec![1, 2])));
        assert_eq!(i.strings("b"), Ok(Some(vec!["x".into(), "y".into()])));
        assert_eq!(i.ids("c"), Ok(Some(vec![3])));
        assert_eq!(i.ids("d"), Ok(Some(vec![1, 2])));
        assert!(i.ids("b").is_err());
        assert_eq!(i.ids("zz"), Ok(None));
    }

    #[tokio::test]
    async fn json_bodies() {
        let mut i = Input::from_query(Some("name=q"));
        let r = i
            .add_body(
                Some("application/json"),
                Bytes::from_static(b"{\"name\":42,\"f\":true}"),
            )
            .await;
        assert!(r.is_ok());
        assert_eq!(i.str("name"), Ok(Some("42".into())));
        assert_eq!(i.bool("f"), Ok(Some(true)));
        let mut j = Input::default();
        assert!(matches!(
            j.add_body(Some("application/json"), Bytes::from_static(b"{nope"))
                .await,
            Err(ApiError::BadRequest(_))
        ));
        assert!(j
            .add_body(Some("application/json"), Bytes::from_static(b"[1]"))
            .await
            .is_err());
    }
}
