//! JSON error responses.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    NotFound(String),
    /// 422: a missing required parameter or a bad value, naming the field.
    Invalid {
        field: String,
        message: String,
    },
    /// 400: a body that cannot be parsed.
    BadRequest(String),
    TooLarge,
    MethodNotAllowed(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn missing(field: &str) -> ApiError {
        ApiError::invalid(field, format!("`{field}` is required"))
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::NotFound(what.into())
    }
}

pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound(message) => json_response(
                StatusCode::NOT_FOUND,
                &json!({ "error": "not_found", "message": message }),
            ),
            ApiError::Invalid { field, message } => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "error": "invalid_request", "field": field, "message": message }),
            ),
            ApiError::BadRequest(message) => json_response(
                StatusCode::BAD_REQUEST,
                &json!({ "error": "bad_request", "message": message }),
            ),
            ApiError::TooLarge => json_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &json!({ "error": "payload_too_large", "message": "the body is over 10 MiB" }),
            ),
            ApiError::MethodNotAllowed(allow) => {
                let mut r = json_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    &json!({ "error": "method_not_allowed", "message": format!("allowed: {allow}") }),
                );
                if let Ok(v) = HeaderValue::from_str(&allow) {
                    r.headers_mut().insert(header::ALLOW, v);
                }
                r
            }
        }
    }
}
