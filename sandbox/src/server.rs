//! The request pipeline: CORS and request ids on every response; for /api/v2 (and the echo
//! route) rate limit, then auth, then faults, then the handler; the request log.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::admin;
use crate::app::{lock, App, LogEntry};
use crate::auth::prefix;
use crate::error::{json_response, ApiError};
use crate::faults::{FaultSpec, Mode};
use crate::input::{Input, MAX_BODY};
use crate::ratelimit::Verdict;
use crate::routes::{self, resolve, Resolved};
use crate::webhooks;

pub const API_PREFIX: &str = "/api/v2";
const FAULT_HEADER: &str = "x-sandbox-fault";
const FAULT_ID_HEADER: &str = "x-sandbox-fault-id";

/// Marks a response that must become a dropped connection.
#[derive(Clone, Copy)]
struct Reset;

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn add_cors(h: &mut HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PATCH, PUT, DELETE, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("X-API-KEY, Content-Type, X-Sandbox-Fault, X-Sandbox-Fault-Id"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After, X-Request-Id"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
}

/// Every request enters here.
pub async fn entry(State(app): State<Arc<App>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let key = header_text(req.headers(), "x-api-key");
    let request_id = app.next_request_id();

    let (mut resp, logged) = if method == Method::OPTIONS {
        (StatusCode::NO_CONTENT.into_response(), false)
    } else {
        match path.as_str() {
            "/_sandbox/stats" | "/_sandbox/requests" | "/_sandbox/reset" => {
                (admin::handle(&app, &method, &path), false)
            }
            "/_sandbox/access_requests" | "/_sandbox/webhooks/redeliver" => {
                let (parts, body) = req.into_parts();
                let resp = match read_body(&parts.headers, body).await {
                    Ok(b) => webhooks::handle(&app, &method, &path, &b),
                    Err(e) => e.into_response(),
                };
                (resp, false)
            }
            p if p == "/_sandbox/echo" || p == API_PREFIX || p.starts_with("/api/v2/") => {
                (api(&app, req, key.as_deref()).await, true)
            }
            _ => (
                ApiError::not_found(format!("no route {method} {path}")).into_response(),
                true,
            ),
        }
    };
    let reset = resp.extensions().get::<Reset>().is_some();
    let status = if reset { 0 } else { resp.status().as_u16() };
    if logged {
        app.record(LogEntry {
            method: method.to_string(),
            path: path.clone(),
            query,
            had_api_key: key.is_some(),
            key_prefix: key.as_deref().map(prefix),
            status,
        });
        if !app.quiet {
            let k = key.as_deref().map(prefix).unwrap_or_else(|| "-".into());
            let shown = if reset {
                "reset".to_owned()
            } else {
                status.to_string()
            };
            eprintln!(
                "{method} {path} {shown} {}ms key={k}",
                started.elapsed().as_millis()
            );
        }
    }
    let h = resp.headers_mut();
    add_cors(h);
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert(HeaderName::from_static("x-request-id"), v);
    }
    resp
}

fn rate_limited(retry_after: Option<String>) -> Response {
    let mut r = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &json!({ "error": "rate_limited" }),
    );
    if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// /api/v2 and /_sandbox/echo: limiter, auth, faults, handler.
async fn api(app: &Arc<App>, req: Request, key: Option<&str>) -> Response {
    let presented = key.unwrap_or("");
    let name = app.keys.display_name(presented);
    let path = req.uri().path().to_owned();

    // 1. The limiter counts every arrival (an admitted one stays in the window even if it
    //    then gets a 403).
    match app.limiter.check(presented) {
        Verdict::Limited { retry_after_secs } => {
            app.with_stats(&name, |s| {
                s.served += 1;
                s.rate_limited += 1;
            });
            return rate_limited(Some(retry_after_secs.to_string()));
        }
        Verdict::Admit { in_window } => {
            app.with_stats(&name, |s| s.max_in_window = s.max_in_window.max(in_window));
        }
    }

    // 2. Auth: a valid, active key holding the endpoint's permission.
    let echo = path == "/_sandbox/echo";
    let resolved = if echo {
        None
    } else {
        let rest = path.strip_prefix(API_PREFIX).unwrap_or("");
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let segs: Vec<&str> = rest.split('/').collect();
        Some(resolve(req.method(), &segs))
    };
    let permission = match &resolved {
        Some(Resolved::Found(_, perm)) => Some(*perm),
        _ => None,
    };
    let resp = if !app.keys.allows(key, permission) {
        // Drain the body first: answering while a client is still uploading resets the
        // connection, and the client would see a network error instead of the 403.
        let (parts, body) = req.into_parts();
        let _ = read_body(&parts.headers, body).await;
        StatusCode::FORBIDDEN.into_response()
    } else {
        after_auth(app, req, resolved).await
    };
    let status = resp.status();
    let reset = resp.extensions().get::<Reset>().is_some();
    app.with_stats(&name, |s| {
        s.served += 1;
        if status.is_success() && !reset {
            s.ok += 1;
        }
        if status == StatusCode::FORBIDDEN {
            s.forbidden += 1;
        }
    });
    resp
}

async fn after_auth(app: &Arc<App>, req: Request, resolved: Option<Resolved>) -> Response {
    // 3. Faults: the request's header, else --fault.
    let spec: Option<FaultSpec> = match header_text(req.headers(), FAULT_HEADER) {
        Some(raw) => match FaultSpec::parse(&raw) {
            Ok(s) => Some(s),
            Err(message) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({ "error": "invalid_fault", "message": message }),
                )
            }
        },
        None => app.fault.clone(),
    };
    let fault_id = header_text(req.headers(), FAULT_ID_HEADER).unwrap_or_default();
    let spec = spec.filter(|s| !s.is_empty() && app.times.applies(s, &fault_id));
    if let Some(latency) = spec.as_ref().and_then(|s| s.latency) {
        tokio::time::sleep(latency).await;
    }
    let mode = spec.and_then(|s| s.mode);
    match &mode {
        Some(Mode::Status(code)) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("error");
            let error = reason.to_ascii_lowercase().replace([' ', '-'], "_");
            return json_response(
                status,
                &json!({ "error": error, "message": format!("injected fault: {code} {reason}") }),
            );
        }
        Some(Mode::RateLimit(secs)) => return rate_limited(secs.map(|s| s.to_string())),
        Some(Mode::RateLimitDate(secs)) => {
            let at = SystemTime::now() + Duration::from_secs(*secs);
            return rate_limited(Some(httpdate::fmt_http_date(at)));
        }
        Some(Mode::Reset) => {
            let mut r = Body::from_stream(futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "injected fault: reset",
                ))
            }))
            .into_response();
            r.extensions_mut().insert(Reset);
            return r;
        }
        Some(Mode::Redirect(url)) => {
            let mut r = StatusCode::FOUND.into_response();
            if let Ok(v) = HeaderValue::from_str(url) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            return r;
        }
        Some(Mode::Malformed) => return raw_json(StatusCode::OK, Bytes::from_static(b"{not json")),
        Some(Mode::WrongShape) => {
            return raw_json(StatusCode::OK, Bytes::from_static(b"{\"unexpected\":true}"))
        }
        _ => {}
    }

    // 4. The handler.
    let resp = handle(app, req, resolved).await;
    match mode {
        Some(Mode::Truncated) => {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut r = raw_json(parts.status, half);
            r.headers_mut().extend(
                parts
                    .headers
                    .into_iter()
                    .filter_map(|(k, v)| k.map(|k| (k, v)))
                    .filter(|(k, _)| k != header::CONTENT_LENGTH && k != header::CONTENT_TYPE),
            );
            r
        }
        Some(Mode::Drip(ms)) => {
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, drip(bytes, Duration::from_millis(ms)))
        }
        Some(Mode::StallBody(ms)) => {
            let (mut parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, stall_body(bytes, Duration::from_millis(ms)))
        }
        _ => resp,
    }
}

fn raw_json(status: StatusCode, body: Bytes) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The body in about 10 small chunks spread over `total`.
fn drip(bytes: Bytes, total: Duration) -> Body {
    let chunks = bytes.len().clamp(1, 10);
    let size = bytes.len().div_ceil(chunks).max(1);
    let gap = total / chunks as u32;
    let stream = futures_util::stream::unfold((bytes, 0usize), move |(b, i)| async move {
        if b.is_empty() {
            return None;
        }
        if i > 0 {
            tokio::time::sleep(gap).await;
        }
        let mut rest = b;
        let head = rest.split_to(size.min(rest.len()));
        Some((Ok::<Bytes, std::io::Error>(head), (rest, i + 1)))
    });
    Body::from_stream(stream)
}

/// The first half of the body at once, then the rest after `pause`.
fn stall_body(mut bytes: Bytes, pause: Duration) -> Body {
    let head = bytes.split_to(bytes.len() / 2);
    let parts = [(head, Duration::ZERO), (bytes, pause)];
    let stream = futures_util::stream::iter(parts).then(|(b, wait)| async move {
        tokio::time::sleep(wait).await;
        Ok::<Bytes, std::io::Error>(b)
    });
    Body::from_stream(stream)
}

/// Past this the body is not even drained before the 413 (the connection is closed).
const MAX_DRAIN: u64 = 64 * 1024 * 1024;

/// Reads the body (10 MiB at most). A larger one is drained, up to 64 MiB, so the client
/// reads the 413 instead of a connection closed under its upload.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_DRAIN) {
        return Err(ApiError::TooLarge);
    }
    let mut stream = body.into_data_stream();
    let mut buf = BytesMut::new();
    let mut seen: u64 = 0;
    let mut too_large = declared.is_some_and(|n| n > MAX_BODY as u64);
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        seen += chunk.len() as u64;
        if seen > MAX_BODY as u64 {
            too_large = true;
            buf.clear();
        }
        if too_large {
            if seen > MAX_DRAIN {
                break;
            }
            continue;
        }
        buf.extend_from_slice(&chunk);
    }
    if too_large {
        return Err(ApiError::TooLarge);
    }
    Ok(buf.freeze())
}

async fn handle(app: &Arc<App>, req: Request, resolved: Option<Resolved>) -> Response {
    let (parts, body) = req.into_parts();
    let ep = match resolved {
        None => return echo(&parts.method, &parts.headers, parts.uri.query()),
        Some(Resolved::NotFound) => {
            return ApiError::not_found(format!("no route {} {}", parts.method, parts.uri.path()))
                .into_response()
        }
        Some(Resolved::MethodNotAllowed(allow)) => {
            return ApiError::MethodNotAllowed(allow).into_response()
        }
        Some(Resolved::Found(ep, _)) => ep,
    };
    let mut input = Input::from_query(parts.uri.query());
    if ep.takes_body() {
        let body = match read_body(&parts.headers, body).await {
            Ok(b) => b,
            Err(e) => return e.into_response(),
        };
        let ct = header_text(&parts.headers, "content-type");
        if let Err(e) = input.add_body(ct.as_deref(), body).await {
            return e.into_response();
        }
    }
    let mut store = lock(&app.store);
    routes::dispatch(&mut store, &ep, &input)
}

/// GET /_sandbox/echo: what arrived (the key only as present + prefix).
fn echo(method: &Method, headers: &HeaderMap, query: Option<&str>) -> Response {
    let mut h = Map::new();
    for (name, value) in headers {
        let name = name.as_str().to_ascii_lowercase();
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "x-api-key" {
            h.insert(name, json!({ "present": true, "prefix": prefix(&text) }));
            continue;
        }
        match h.get_mut(&name) {
            Some(Value::String(s)) => {
                s.push_str(", ");
                s.push_str(&text);
            }
            _ => {
                h.insert(name, Value::String(text));
            }
        }
    }
    // Query names as sent (`a[]` stays `a[]`); a repeated name becomes an array.
    let mut q = Map::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let v = Value::String(v.into_owned());
        match q.get_mut(k.as_ref()) {
            Some(Value::Array(a)) => a.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                q.insert(k.into_owned(), v);
            }
        }
    }
    json_response(
        StatusCode::OK,
        &json!({ "method": method.as_str(), "headers": h, "query": q }),
    )
}
