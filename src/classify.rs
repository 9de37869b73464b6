//! What a response means, as plain Rust: the error kind of a status and the typed error the
//! shell rejects with.
//!
//! Classification looks at the status alone, so the shell reads a body only when it needs
//! one (`details` of a validation error) and never for a 403, whose body is empty by
//! contract.
//!
//! ```
//! use conveyor_client::classify::{classify_status, error_for_status};
//! use conveyor_client::errors::ErrorKind;
//!
//! assert_eq!(classify_status(200), None);
//! assert_eq!(classify_status(403), Some(ErrorKind::Auth));
//! let e = error_for_status(404, "GET", "/exchange/authorizations/42", Some("req-1")).unwrap();
//! assert_eq!(e.kind, ErrorKind::NotFound);
//! assert_eq!(e.request_id.as_deref(), Some("req-1"));
//! ```

use crate::errors::{Error, ErrorKind};
use crate::text::{cat, Cat};
use crate::url::redact_path;
use alloc::borrow::ToOwned;

/// The error kind of an HTTP status, or `None` for a 2xx.
///
/// | status | kind |
/// | --- | --- |
/// | 2xx | `None` |
/// | 403 | [`ErrorKind::Auth`] |
/// | 404 | [`ErrorKind::NotFound`] |
/// | 400, 409, 413, 422 | [`ErrorKind::Validation`] |
/// | 408 | [`ErrorKind::Timeout`] |
/// | 429 | [`ErrorKind::RateLimited`] |
/// | 500–599 | [`ErrorKind::Server`] |
/// | anything else (other 4xx, 1xx, a 3xx that was not followed, nonsense) | [`ErrorKind::Http`] |
///
/// 408 is the server saying the request took too long, so it joins the other timeouts: a
/// caller catching `ConveyorTimeoutError` for "too slow, try again" gets it too, and
/// `status: 408` tells it apart from a local timeout (which has no status). The Conveyor
/// API answers a bad key with 403, so 401 stays a plain HTTP error: the error model gives
/// only 403 its own class.
///
/// Total: every `u16` has an answer.
///
/// ```
/// use conveyor_client::classify::classify_status;
/// use conveyor_client::errors::ErrorKind;
///
/// assert_eq!(classify_status(204), None);
/// assert_eq!(classify_status(422), Some(ErrorKind::Validation));
/// assert_eq!(classify_status(503), Some(ErrorKind::Server));
/// assert_eq!(classify_status(418), Some(ErrorKind::Http));
/// ```
pub fn classify_status(status: u16) -> Option<ErrorKind> {
    Some(match status {
        200..=299 => return None,
        403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        400 | 409 | 413 | 422 => ErrorKind::Validation,
        408 => ErrorKind::Timeout,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Http,
    })
}

/// The typed error for a non-2xx response that will not be retried, or `None` for a 2xx.
///
/// The message says what happened and what to do next. `path` should already be
/// redacted; it is redacted again here anyway (redaction is idempotent), so a slip in
/// the caller cannot put a secret query value into a message. The key itself is never
/// an input. `retryable` is set for 408, 429 and 5xx.
///
/// ```
/// use conveyor_client::classify::error_for_status;
/// use conveyor_client::errors::ErrorKind;
///
/// let e = error_for_status(403, "GET", "/exchange/connections", None).unwrap();
/// assert_eq!(e.kind, ErrorKind::Auth);
/// assert_eq!(e.status, Some(403));
/// assert!(!e.retryable);
/// assert!(e.message.contains("API key is invalid, inactive, or lacks the permission"));
///
/// let e = error_for_status(503, "GET", "/x?token=abc", None).unwrap();
/// assert!(e.retryable);
/// assert!(!e.message.contains("abc"));
/// assert_eq!(e.path.as_deref(), Some("/x?token=[redacted]"));
/// ```
pub fn error_for_status(
    status: u16,
    method: &str,
    path: &str,
    request_id: Option<&str>,
) -> Option<Error> {
    let kind = classify_status(status)?;
    let path = redact_path(path);
    let what = match status {
        400 => "400 Bad Request: the server could not understand the request; `details` holds its explanation when it sent one. Fix the parameters before retrying.".to_owned(),
        403 => "403 Forbidden: the API key is invalid, inactive, or lacks the permission for this endpoint. Check that the key is active and has access to this resource in Conveyor (Settings > Integrations > Conveyor API); `client.checkAccess()` shows which resources this key can read.".to_owned(),
        404 => "404 Not Found: no such resource or route. Check the id and the path.".to_owned(),
        408 => "408 Request Timeout: the server gave up waiting for the request. Try again; if it keeps happening, send less data per call.".to_owned(),
        409 => "409 Conflict: the request conflicts with the current state of the resource; `details` holds the server's explanation when it sent one. Re-read the resource and try again.".to_owned(),
        413 => "413 Payload Too Large: the request body is larger than the server accepts. Send a smaller body.".to_owned(),
        422 => "422 Unprocessable Entity: the server rejected the parameters; `details` holds the reasons when it sent them. Fix the parameters before retrying.".to_owned(),
        429 => "429 Too Many Requests: the server is rate limiting this key, and the retries were spent (or it asked to wait longer than maxRetryAfterMs). Wait `retryAfterMs` if set, or slow down.".to_owned(),
        500..=599 => cat!("HTTP ", status, ": the server failed. Calls that are safe to repeat were retried; try again later."),
        _ => cat!("HTTP ", status, ": the server did not accept the request."),
    };
    let mut error = Error::new(kind, [method, " ", &path, ": ", &what].cat())
        .with_request(method, &path)
        .with_status(status)
        .with_retryable(matches!(status, 408 | 429 | 500..=599));
    error.request_id = request_id.map(str::to_owned);
    Some(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        assert_eq!(classify_status(200), None);
        assert_eq!(classify_status(299), None);
        assert_eq!(classify_status(403), Some(ErrorKind::Auth));
        assert_eq!(classify_status(404), Some(ErrorKind::NotFound));
        for s in [400, 409, 413, 422] {
            assert_eq!(classify_status(s), Some(ErrorKind::Validation), "{s}");
        }
        assert_eq!(classify_status(408), Some(ErrorKind::Timeout));
        assert_eq!(classify_status(429), Some(ErrorKind::RateLimited));
        for s in [500, 502, 503, 504, 599] {
            assert_eq!(classify_status(s), Some(ErrorKind::Server), "{s}");
        }
        for s in [
            0, 100, 199, 300, 304, 399, 401, 402, 405, 410, 418, 451, 499, 600, 999,
        ] {
            assert_eq!(classify_status(s), Some(ErrorKind::Http), "{s}");
        }
    }

    #[test]
    fn every_status_has_an_answer() {
        for s in 0..=u16::MAX {
            let kind = classify_status(s);
            assert_eq!(kind.is_none(), (200..300).contains(&s));
            let e = error_for_status(s, "GET", "/p", None);
            assert_eq!(e.map(|e| e.kind), kind);
        }
    }

    #[test]
    fn errors_carry_request_fields() {
        let e = error_for_status(422, "POST", "/exchange/connections", Some("abc-123")).unwrap();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert_eq!(e.method.as_deref(), Some("POST"));
        assert_eq!(e.path.as_deref(), Some("/exchange/connections"));
        assert_eq!(e.status, Some(422));
        assert_eq!(e.request_id.as_deref(), Some("abc-123"));
        assert_eq!(e.retry_after_ms, None);
        assert!(e.message.starts_with("POST /exchange/connections: 422"));
        assert!(!e.retryable);
    }

    #[test]
    fn retryable_only_for_transient_statuses() {
        for s in [408, 429, 500, 503, 599] {
            assert!(
                error_for_status(s, "GET", "/", None).unwrap().retryable,
                "{s}"
            );
        }
        for s in [300, 400, 401, 403, 404, 409, 413, 422, 499, 600] {
            assert!(
                !error_for_status(s, "GET", "/", None).unwrap().retryable,
                "{s}"
            );
        }
    }

    #[test]
    fn forbidden_message_explains_the_key_problem() {
        let e = error_for_status(403, "DELETE", "/exchange/authorizations/7", None).unwrap();
        assert_eq!(e.kind.code(), "forbidden");
        assert!(e.message.contains(
            "the API key is invalid, inactive, or lacks the permission for this endpoint"
        ));
        assert!(e
            .message
            .starts_with("DELETE /exchange/authorizations/7: 403"));
        assert!(
            e.message.contains("`client.checkAccess()`"),
            "a 403 cannot say which of the three it is: the message points to the check that can"
        );
    }

    #[test]
    fn every_message_names_the_status_and_the_call() {
        for s in [
            0, 100, 302, 400, 401, 403, 404, 408, 409, 413, 418, 422, 429, 500, 503, 999,
        ] {
            let e = error_for_status(s, "PATCH", "/a/b", None).unwrap();
            assert!(e.message.starts_with("PATCH /a/b: "), "{}", e.message);
            assert!(e.message.contains(&s.to_string()), "{}", e.message);
        }
    }

    #[test]
    fn secret_query_values_never_reach_the_error() {
        let e = error_for_status(404, "GET", "/x?api_key=sekrit&page=2", None).unwrap();
        assert!(!e.message.contains("sekrit"));
        assert_eq!(e.path.as_deref(), Some("/x?api_key=[redacted]&page=2"));
    }

    /// Every message word for word: how each one is put together may change, its text not.
    #[test]
    fn messages_word_for_word() {
        let cases = [
            (400, "400 Bad Request: the server could not understand the request; `details` holds its explanation when it sent one. Fix the parameters before retrying."),
            (403, "403 Forbidden: the API key is invalid, inactive, or lacks the permission for this endpoint. Check that the key is active and has access to this resource in Conveyor (Settings > Integrations > Conveyor API); `client.checkAccess()` shows which resources this key can read."),
            (404, "404 Not Found: no such resource or route. Check the id and the path."),
            (408, "408 Request Timeout: the server gave up waiting for the request. Try again; if it keeps happening, send less data per call."),
            (409, "409 Conflict: the request conflicts with the current state of the resource; `details` holds the server's explanation when it sent one. Re-read the resource and try again."),
            (413, "413 Payload Too Large: the request body is larger than the server accepts. Send a smaller body."),
            (422, "422 Unprocessable Entity: the server rejected the parameters; `details` holds the reasons when it sent them. Fix the parameters before retrying."),
            (429, "429 Too Many Requests: the server is rate limiting this key, and the retries were spent (or it asked to wait longer than maxRetryAfterMs). Wait `retryAfterMs` if set, or slow down."),
            (500, "HTTP 500: the server failed. Calls that are safe to repeat were retried; try again later."),
            (599, "HTTP 599: the server failed. Calls that are safe to repeat were retried; try again later."),
            (0, "HTTP 0: the server did not accept the request."),
            (302, "HTTP 302: the server did not accept the request."),
            (418, "HTTP 418: the server did not accept the request."),
            (65535, "HTTP 65535: the server did not accept the request."),
        ];
        for (status, what) in cases {
            let e = error_for_status(status, "PUT", "/a?token=abc&b=1", None).unwrap();
            assert_eq!(e.message, format!("PUT /a?token=[redacted]&b=1: {what}"));
        }
    }
}
