//! Webhook deliveries: a signed `access.requested` event for every access request created
//! through `POST /_sandbox/access_requests`, sent to `--webhook-url` the way Svix sends
//! them (headers `svix-id`, `svix-timestamp`, `svix-signature`), retried on a scaled-down
//! Svix schedule, and recorded for `/_sandbox/stats`.
//!
//! The signer here is the sandbox's own (the `hmac`, `sha2` and `base64` crates), written
//! from Svix's description and checked against Svix's published example, so the client's
//! verifier is tested against an independent implementation.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::app::{lock, App};
use crate::error::{json_response, ApiError};
use crate::store::links;
use crate::timefmt::now_iso;

/// Svix's retry schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) divided
/// by 1000: the same shape, over in about two minutes instead of a day and a half.
pub const RETRY_SCHEDULE_MS: [u64; 8] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// How long one attempt may take before it counts as failed (Svix: 15 s).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most deliveries `/_sandbox/stats` remembers (the oldest are dropped).
const MAX_RECORDED: usize = 500;

/// Where and with what to sign.
#[derive(Debug, Clone)]
pub struct Config {
    pub url: String,
    pub key: Vec<u8>,
}

/// A decoded signing secret; `Debug` does not show it.
#[derive(Clone)]
pub struct Secret(pub Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Parses `--webhook-secret`: `whsec_` and base64 (the bare base64 also works).
pub fn parse_secret(s: &str) -> Result<Secret, String> {
    let b64 = s.strip_prefix("whsec_").unwrap_or(s);
    match STANDARD.decode(b64) {
        Ok(k) if !k.is_empty() => Ok(Secret(k)),
        _ => Err("--webhook-secret must be whsec_ followed by base64".into()),
    }
}

/// The `svix-signature` value for a message: `v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body` keyed with the decoded secret.
pub fn sign(key: &[u8], id: &str, timestamp: u64, body: &str) -> String {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// One attempt, as `/_sandbox/stats` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub msg_id: String,
    pub event_type: String,
    /// 1 for the first attempt of a message, 2 for its first retry...
    pub attempt: u32,
    /// The receiver's status; 0 when it could not be reached or timed out.
    pub status: u16,
    pub at: String,
    /// The headers and body exactly as sent, so a test can verify them independently.
    pub headers: Value,
    pub body: String,
}

/// The messages sent so far and every attempt, for redelivery and stats.
#[derive(Debug, Default)]
pub struct Log {
    pub attempts: Vec<Attempt>,
    /// Message id → event type and body (a redelivery resends the same body and id).
    pub messages: Vec<(String, String, String)>,
}

static MSG_SEQ: AtomicU64 = AtomicU64::new(0);

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A message id in Svix's style (`msg_` and base-62-ish characters), unique per process.
fn new_msg_id() -> String {
    let n = MSG_SEQ.fetch_add(1, Ordering::Relaxed) + 1;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!("msg_{:016x}{:04}", nanos ^ u64::from(std::process::id()), n)
}

/// `/_sandbox/stats`' `webhooks` entry.
pub fn stats(app: &App) -> Value {
    let log = lock(&app.webhook_log);
    let delivered = log
        .messages
        .iter()
        .filter(|(id, _, _)| {
            log.attempts
                .iter()
                .any(|a| &a.msg_id == id && (200..300).contains(&a.status))
        })
        .count();
    json!({
        "url": app.webhook.as_ref().map(|c| c.url.clone()),
        "messages": log.messages.len(),
        "delivered": delivered,
        "deliveries": log.attempts,
    })
}

/// `POST /_sandbox/access_requests` and `POST /_sandbox/webhooks/redeliver`.
pub fn handle(app: &Arc<App>, method: &Method, path: &str, body: &[u8]) -> Response {
    if method != Method::POST {
        return ApiError::MethodNotAllowed("POST".into()).into_response();
    }
    let input: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                return ApiError::BadRequest("the body must be a JSON object".into())
                    .into_response()
            }
        }
    };
    match path {
        "/_sandbox/access_requests" => create_request(app, &input),
        _ => redeliver(app, &input),
    }
}

fn create_request(app: &Arc<App>, input: &Value) -> Response {
    let email = match input.get("email").and_then(Value::as_str) {
        Some(e) if e.contains('@') => e.to_owned(),
        _ => return ApiError::invalid("email", "`email` must be an email address").into_response(),
    };
    let message = input.get("message").and_then(Value::as_str).unwrap_or("");
    let record = {
        let mut store = lock(&app.store);
        let id = store.authorization_requests.take_id();
        let now = now_iso();
        let record = json!({
            "id": id, "_type": "AuthorizationRequest", "email": email, "status": "requested",
            "message": message, "dataroom_id": 1, "requested_at": now, "crm_link": null,
            "created_at": now, "updated_at": now,
            "_links": links("exchange/authorization_requests", id),
        });
        store.authorization_requests.rows.push(record.clone());
        record
    };
    let msg_id = app.webhook.as_ref().map(|_| {
        let event = json!({ "type": "access.requested", "timestamp": now_iso(), "data": record });
        let id = new_msg_id();
        enqueue(
            app,
            id.clone(),
            "access.requested".into(),
            event.to_string(),
        );
        id
    });
    json_response(
        StatusCode::CREATED,
        &json!({ "authorization_request": record, "webhook_msg_id": msg_id }),
    )
}

fn redeliver(app: &Arc<App>, input: &Value) -> Response {
    let wanted = input.get("msg_id").and_then(Value::as_str);
    let found = {
        let log = lock(&app.webhook_log);
        log.messages
            .iter()
            .rev()
            .find(|(id, _, _)| wanted.is_none_or(|w| w == id))
            .cloned()
    };
    match found {
        Some((id, kind, body)) => {
            enqueue(app, id.clone(), kind, body);
            json_response(StatusCode::ACCEPTED, &json!({ "webhook_msg_id": id }))
        }
        None => ApiError::not_found("no such webhook message").into_response(),
    }
}

/// Sends a message in the background, retrying on the schedule until a 2xx.
fn enqueue(app: &Arc<App>, id: String, kind: String, body: String) {
    let Some(cfg) = app.webhook.clone() else {
        return;
    };
    {
        let mut log = lock(&app.webhook_log);
        if !log.messages.iter().any(|(m, _, _)| *m == id) {
            log.messages.push((id.clone(), kind.clone(), body.clone()));
        }
    }
    let app = Arc::clone(app);
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        for (n, delay) in RETRY_SCHEDULE_MS.iter().enumerate() {
            tokio::time::sleep(Duration::from_millis(*delay)).await;
            // Each attempt is signed afresh with its own timestamp, as Svix does.
            let ts = unix_now();
            let signature = sign(&cfg.key, &id, ts, &body);
            let status = client
                .post(&cfg.url)
                .timeout(ATTEMPT_TIMEOUT)
                .header("content-type", "application/json")
                .header("svix-id", &id)
                .header("svix-timestamp", ts.to_string())
                .header("svix-signature", &signature)
                .body(body.clone())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            {
                let mut log = lock(&app.webhook_log);
                if log.attempts.len() >= MAX_RECORDED {
                    log.attempts.remove(0);
                }
                log.attempts.push(Attempt {
                    msg_id: id.clone(),
                    event_type: kind.clone(),
                    attempt: n as u32 + 1,
                    status,
                    at: now_iso(),
                    headers: json!({ "svix-id": id, "svix-timestamp": ts.to_string(), "svix-signature": signature }),
                    body: body.clone(),
                });
            }
            if !app.quiet {
                eprintln!("webhook {id} attempt {} -> {status}", n + 1);
            }
            if (200..300).contains(&status) {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_svix_published_example() {
        // The example in Svix's documentation on verifying signatures manually.
        let key = parse_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap()
            .0;
        assert_eq!(
            sign(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets() {
        assert_eq!(parse_secret("whsec_AAEC").unwrap().0, vec![0, 1, 2]);
        assert_eq!(parse_secret("AAEC").unwrap().0, vec![0, 1, 2]);
        assert!(parse_secret("whsec_").is_err());
        assert!(parse_secret("whsec_!!").is_err());
    }
}
