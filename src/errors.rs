//! The typed error model, as plain Rust.
//!
//! Every way a call can fail is one [`ErrorKind`]; the JS shell turns an [`Error`] into an
//! instance of the matching exported `Error` subclass (see `src/js/errors.js`), so a caller
//! branches on `instanceof` or on the stable [`ErrorKind::code`] string. Keeping the model
//! here, free of JS, lets classification and retry decisions be tested natively.

use alloc::{borrow::ToOwned, string::String};
use core::fmt;

/// What went wrong, one variant per JS error class.
///
/// `#[non_exhaustive]`: new failure modes may be added without a breaking change, so
/// match with a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// 403: the key is invalid, inactive or lacks the permission for this endpoint.
    Auth,
    /// 404: no such resource or route.
    NotFound,
    /// 400, 409, 413, 422, or a parameter rejected before sending.
    Validation,
    /// 429 after retries were spent, or a `Retry-After` beyond the allowed cap.
    RateLimited,
    /// The local rate-limit queue is full; nothing was sent.
    QueueFull,
    /// 5xx after retries were spent.
    Server,
    /// An attempt or the whole call ran past its time.
    Timeout,
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// `fetch` itself failed: DNS, reset, CORS, a redirect to another origin.
    Network,
    /// A 2xx whose body is malformed or not of the expected shape, or a response `fetch`
    /// should never have handed back.
    BadResponse,
    /// A response body larger than `maxResponseBytes`; it was cancelled, not buffered.
    TooLarge,
    /// Bad options, or a path or URL that would send the key elsewhere.
    Config,
    /// Any other non-2xx status.
    Http,
}

impl ErrorKind {
    /// The JS class name the shell instantiates for this kind.
    pub const fn class_name(self) -> &'static str {
        match self {
            ErrorKind::Auth => "ConveyorAuthError",
            ErrorKind::NotFound => "ConveyorNotFoundError",
            ErrorKind::Validation => "ConveyorValidationError",
            ErrorKind::RateLimited | ErrorKind::QueueFull => "ConveyorRateLimitError",
            ErrorKind::Server => "ConveyorServerError",
            ErrorKind::Timeout => "ConveyorTimeoutError",
            ErrorKind::Aborted => "ConveyorAbortError",
            ErrorKind::Network => "ConveyorNetworkError",
            ErrorKind::BadResponse | ErrorKind::TooLarge => "ConveyorResponseError",
            ErrorKind::Config => "ConveyorConfigError",
            ErrorKind::Http => "ConveyorError",
        }
    }

    /// The stable `code` string callers may switch on.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::Auth => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Validation => "invalid_request",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::QueueFull => "queue_full",
            ErrorKind::Server => "server_error",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Aborted => "aborted",
            ErrorKind::Network => "network",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Config => "config",
            ErrorKind::Http => "http_error",
        }
    }
}

/// A failure, with everything the JS error will carry except the JS `cause`/`details`.
///
/// Never holds the API key: messages are built from fixed text, the method and a path
/// whose secret-looking query values were already redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// Which class of failure.
    pub kind: ErrorKind,
    /// A human message saying what happened and what to do next.
    pub message: String,
    /// HTTP method of the call, when there was one.
    pub method: Option<String>,
    /// Path of the call (redacted), when there was one.
    pub path: Option<String>,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// The server's request id header, when it sent one.
    pub request_id: Option<String>,
    /// Whether trying the same call again later may succeed.
    pub retryable: bool,
    /// For rate limiting: how long the server (or the limiter) asked to wait.
    pub retry_after_ms: Option<f64>,
}

impl Error {
    /// A new error of `kind` with `message`; the other fields start empty.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            method: None,
            path: None,
            status: None,
            request_id: None,
            retryable: false,
            retry_after_ms: None,
        }
    }

    /// A configuration error: bad options at construction.
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    /// Attaches the request's method and (already redacted) path.
    pub fn with_request(mut self, method: &str, path: &str) -> Self {
        self.method = Some(method.to_owned());
        self.path = Some(path.to_owned());
        self
    }

    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Marks whether a later retry may succeed.
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = retryable;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_kinds_share_a_class_but_not_a_code() {
        assert_eq!(
            ErrorKind::RateLimited.class_name(),
            ErrorKind::QueueFull.class_name()
        );
        assert_ne!(ErrorKind::RateLimited.code(), ErrorKind::QueueFull.code());
    }

    #[test]
    fn auth_is_forbidden() {
        assert_eq!(ErrorKind::Auth.class_name(), "ConveyorAuthError");
        assert_eq!(ErrorKind::Auth.code(), "forbidden");
    }

    /// `makeError` (src/js/errors.js) finds a kind's class by the kind's number: its table
    /// must list `class_name` of every kind in the enum's order.
    #[test]
    fn the_js_class_table_follows_the_kinds() {
        use ErrorKind::*;
        // Exhaustive: a new kind does not compile until it is listed here, in order.
        let number = |k: ErrorKind| match k {
            Auth => 0,
            NotFound => 1,
            Validation => 2,
            RateLimited => 3,
            QueueFull => 4,
            Server => 5,
            Timeout => 6,
            Aborted => 7,
            Network => 8,
            BadResponse => 9,
            TooLarge => 10,
            Config => 11,
            Http => 12,
        };
        let kinds = [
            Auth,
            NotFound,
            Validation,
            RateLimited,
            QueueFull,
            Server,
            Timeout,
            Aborted,
            Network,
            BadResponse,
            TooLarge,
            Config,
            Http,
        ];
        let js = include_str!("js/errors.js");
        let table = js
            .split_once("const BY_KIND = [")
            .and_then(|(_, rest)| rest.split_once("];"))
            .expect("errors.js has its BY_KIND table")
            .0;
        let classes: Vec<&str> = table
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(classes.len(), kinds.len());
        for (i, k) in kinds.into_iter().enumerate() {
            assert_eq!(number(k), i);
            assert_eq!(k as u8 as usize, i, "{k:?}'s number");
            assert_eq!(classes[i], k.class_name(), "{k:?}'s class in errors.js");
        }
    }
}
