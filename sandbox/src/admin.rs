//! The /_sandbox routes: stats, the request log, reset (no key, not rate limited, not logged).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::{lock, App};
use crate::error::{json_response, ApiError};
use crate::webhooks;

pub fn handle(app: &App, method: &Method, path: &str) -> Response {
    match (method.as_str(), path) {
        ("GET" | "HEAD", "/_sandbox/stats") => {
            let keys = lock(&app.stats).clone();
            let cfg = app.limiter.config;
            json_response(
                StatusCode::OK,
                &json!({
                    "keys": keys,
                    "rate_limit": { "limit": cfg.limit, "window_ms": cfg.window.as_millis() as u64 },
                    "webhooks": webhooks::stats(app),
                }),
            )
        }
        ("GET" | "HEAD", "/_sandbox/requests") => {
            let log: Vec<_> = lock(&app.log).iter().cloned().collect();
            json_response(StatusCode::OK, &json!(log))
        }
        ("POST", "/_sandbox/reset") => {
            app.reset();
            json_response(StatusCode::OK, &json!({ "reset": true }))
        }
        (_, "/_sandbox/reset") => ApiError::MethodNotAllowed("POST".into()).into_response(),
        _ => ApiError::MethodNotAllowed("GET".into()).into_response(),
    }
}
