//! What a response means, as plain Rust: the error kind of a status, the typed error the
//! shell rejects with, and how a list endpoint's paging envelope is read.
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
use crate::url::redact_path;

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
        500..=599 => format!("HTTP {status}: the server failed. Calls that are safe to repeat were retried; try again later."),
        _ => format!("HTTP {status}: the server did not accept the request."),
    };
    let mut error = Error::new(kind, format!("{method} {path}: {what}"))
        .with_request(method, &path)
        .with_status(status)
        .with_retryable(matches!(status, 408 | 429 | 500..=599));
    error.request_id = request_id.map(str::to_owned);
    Some(error)
}

/// The largest page number, page size or page count accepted from a server.
///
/// Past it the value is a bug or a misread field, and auto-pagination over it would never
/// finish; rejecting it turns that into a `ConveyorResponseError` instead of a hang.
pub const MAX_PAGE_FIELD: u32 = 1_000_000_000;

/// The paging fields of one page of a list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// This page's number, from 1.
    pub page: u32,
    /// Items per page, at least 1.
    pub per_page: u32,
    /// How many pages there are; 0 for an empty list.
    pub total_pages: u32,
}

/// Reads the paging fields the shell found on a list response.
///
/// `Ok(None)` when none of them is present (an unpaged list). `Err` when only some are
/// present, or one is negative, NaN, infinite, fractional, zero where that is impossible
/// (`page`, `per_page`) or above [`MAX_PAGE_FIELD`]: such a response cannot be paged
/// safely, so the shell reports a bad response rather than guess.
///
/// ```
/// use conveyor_client::classify::{page_info, PageInfo};
///
/// assert_eq!(
///     page_info(Some(1.0), Some(50.0), Some(3.0)),
///     Ok(Some(PageInfo { page: 1, per_page: 50, total_pages: 3 })),
/// );
/// assert_eq!(page_info(None, None, None), Ok(None));
/// assert!(page_info(Some(1.5), Some(50.0), Some(3.0)).is_err());
/// assert!(page_info(Some(1.0), None, Some(3.0)).is_err());
/// ```
pub fn page_info(
    page: Option<f64>,
    per_page: Option<f64>,
    total_pages: Option<f64>,
) -> Result<Option<PageInfo>, String> {
    match (page, per_page, total_pages) {
        (None, None, None) => Ok(None),
        (Some(page), Some(per_page), Some(total_pages)) => Ok(Some(PageInfo {
            page: page_field("page", page, 1)?,
            per_page: page_field("per_page", per_page, 1)?,
            total_pages: page_field("total_pages", total_pages, 0)?,
        })),
        _ => {
            let missing: Vec<&str> = [
                ("page", page),
                ("per_page", per_page),
                ("total_pages", total_pages),
            ]
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(name, _)| *name)
            .collect();
            Err(format!(
                "the list response has some paging fields but not {}",
                missing.join(", ")
            ))
        }
    }
}

fn page_field(name: &str, value: f64, min: u32) -> Result<u32, String> {
    if !value.is_finite() || value.fract() != 0.0 {
        return Err(format!(
            "the list response's `{name}` is not a whole number"
        ));
    }
    if value < f64::from(min) || value > f64::from(MAX_PAGE_FIELD) {
        return Err(format!(
            "the list response's `{name}` is {value}, outside {min}..={MAX_PAGE_FIELD}"
        ));
    }
    // In range and whole, so the cast is exact.
    Ok(value as u32)
}

/// Whether a page after `info` exists.
///
/// ```
/// use conveyor_client::classify::{has_next_page, PageInfo};
///
/// assert!(has_next_page(&PageInfo { page: 1, per_page: 50, total_pages: 2 }));
/// assert!(!has_next_page(&PageInfo { page: 2, per_page: 50, total_pages: 2 }));
/// assert!(!has_next_page(&PageInfo { page: 1, per_page: 50, total_pages: 0 }));
/// ```
pub fn has_next_page(info: &PageInfo) -> bool {
    info.page < info.total_pages
}

/// Where a list response keeps its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// A top-level array: `{ "authorizations": [...], "page": 1, ... }`.
    Flat,
    /// HAL: `{ "_embedded": { "authorizations": [...] }, "_links": ..., ... }`.
    Hal,
}

/// Top-level keys that carry paging or links, never the items.
const META_KEYS: [&str; 11] = [
    "page",
    "per_page",
    "total_pages",
    "total",
    "total_count",
    "count",
    "_links",
    "links",
    "meta",
    "_embedded",
    "next",
];

/// Finds the items of a list response, given its top-level keys.
///
/// `expected_plural` is the resource's plural (`"authorizations"`);
/// `has_embedded_with_plural` says whether `_embedded.<expected_plural>` exists. In order:
/// a top-level `expected_plural` ([`Envelope::Flat`]); the HAL `_embedded` one
/// ([`Envelope::Hal`], key inside `_embedded`); else the single top-level key that is not
/// paging metadata, so a renamed list (`data`, `items`) still works. Anything else is
/// ambiguous and an `Err` naming the keys seen (server field names, not data).
///
/// ```
/// use conveyor_client::classify::{items_key, Envelope};
///
/// let flat = ["authorizations", "page", "per_page", "total_pages"];
/// assert_eq!(items_key(&flat, "authorizations", false), Ok((Envelope::Flat, "authorizations")));
/// let hal = ["_embedded", "_links", "page"];
/// assert_eq!(items_key(&hal, "authorizations", true), Ok((Envelope::Hal, "authorizations")));
/// assert_eq!(items_key(&["data", "page"], "authorizations", false), Ok((Envelope::Flat, "data")));
/// assert!(items_key(&["a", "b"], "authorizations", false).is_err());
/// ```
pub fn items_key<'a>(
    top_level_keys: &[&'a str],
    expected_plural: &'a str,
    has_embedded_with_plural: bool,
) -> Result<(Envelope, &'a str), String> {
    if top_level_keys.contains(&expected_plural) {
        return Ok((Envelope::Flat, expected_plural));
    }
    if has_embedded_with_plural {
        return Ok((Envelope::Hal, expected_plural));
    }
    let mut candidates = top_level_keys
        .iter()
        .filter(|k| !META_KEYS.contains(k))
        .copied();
    match (candidates.next(), candidates.next()) {
        (Some(only), None) => Ok((Envelope::Flat, only)),
        _ => Err(format!(
            "expected a `{expected_plural}` list in the response, found keys: {}",
            describe_keys(top_level_keys)
        )),
    }
}

/// At most 10 keys of at most 40 characters each: a hostile body cannot make the message
/// huge.
fn describe_keys(keys: &[&str]) -> String {
    if keys.is_empty() {
        return "(none)".to_owned();
    }
    let mut shown: Vec<String> = keys
        .iter()
        .take(10)
        .map(|k| {
            let mut s: String = k.chars().take(40).collect();
            if k.chars().nth(40).is_some() {
                s.push('…');
            }
            s
        })
        .collect();
    if keys.len() > 10 {
        shown.push(format!("and {} more", keys.len() - 10));
    }
    shown.join(", ")
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

    #[test]
    fn page_info_accepts_whole_numbers() {
        assert_eq!(
            page_info(Some(2.0), Some(25.0), Some(0.0)),
            Ok(Some(PageInfo {
                page: 2,
                per_page: 25,
                total_pages: 0
            }))
        );
        assert_eq!(
            page_info(Some(1.0), Some(1.0), Some(f64::from(MAX_PAGE_FIELD))),
            Ok(Some(PageInfo {
                page: 1,
                per_page: 1,
                total_pages: MAX_PAGE_FIELD
            }))
        );
    }

    #[test]
    fn page_info_rejects_nonsense() {
        let ok = Some(1.0);
        for bad in [
            -1.0,
            0.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e10,
            1e300,
        ] {
            assert!(page_info(Some(bad), ok, ok).is_err(), "page {bad}");
            assert!(page_info(ok, Some(bad), ok).is_err(), "per_page {bad}");
            assert!(page_info(ok, ok, Some(bad)).is_err(), "total_pages {bad}");
        }
        assert!(page_info(Some(0.0), ok, ok).unwrap_err().contains("`page`"));
        assert!(page_info(ok, Some(0.0), ok)
            .unwrap_err()
            .contains("`per_page`"));
        let partial = page_info(Some(1.0), None, None).unwrap_err();
        assert!(partial.contains("per_page, total_pages"), "{partial}");
        assert!(page_info(None, None, ok).is_err());
    }

    #[test]
    fn next_page() {
        let p = |page, total_pages| PageInfo {
            page,
            per_page: 10,
            total_pages,
        };
        assert!(has_next_page(&p(1, 3)));
        assert!(has_next_page(&p(2, 3)));
        assert!(!has_next_page(&p(3, 3)));
        assert!(!has_next_page(&p(4, 3)));
        assert!(!has_next_page(&p(1, 1)));
        assert!(!has_next_page(&p(1, 0)));
    }

    #[test]
    fn items_key_prefers_the_expected_plural() {
        // Flat beats HAL when both are there.
        assert_eq!(
            items_key(&["_embedded", "connections"], "connections", true),
            Ok((Envelope::Flat, "connections"))
        );
        assert_eq!(
            items_key(
                &["_embedded", "_links", "page", "total_pages"],
                "connections",
                true
            ),
            Ok((Envelope::Hal, "connections"))
        );
        assert_eq!(
            items_key(
                &["items", "page", "per_page", "total_pages", "_links"],
                "connections",
                false
            ),
            Ok((Envelope::Flat, "items"))
        );
    }

    #[test]
    fn items_key_refuses_to_guess() {
        let err = items_key(&["a", "b", "page"], "connections", false).unwrap_err();
        assert!(
            err.contains("`connections`") && err.contains("a, b, page"),
            "{err}"
        );
        assert!(items_key(&[], "connections", false)
            .unwrap_err()
            .contains("(none)"));
        assert!(items_key(&["_embedded", "page"], "connections", false).is_err());
        let many: Vec<String> = (0..50).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let err = items_key(&refs, "connections", false).unwrap_err();
        assert!(err.contains("and 40 more"), "{err}");
        let long = "x".repeat(1000);
        let err = items_key(&[&long, "y"], "connections", false).unwrap_err();
        assert!(err.len() < 200, "{err}");
    }
}
