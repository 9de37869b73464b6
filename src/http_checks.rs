//! The HTTP syntax the client checks before anything is sent: the header the key travels
//! in. (A call's method is checked, by the same token rule, with the call's other arguments
//! in JS: src/js/resources.js.)
//!
//! A header name `fetch` would refuse (or, worse, a runtime would put on the wire) must
//! fail as the caller's mistake, at construction, not as a "network error" that is retried.

use crate::text::{cat, Cat};
use alloc::string::String;

/// The longest `apiKeyHeader` accepted.
pub const MAX_HEADER_NAME_LEN: usize = 64;

/// Whether `c` may appear in an RFC 9110 token (`tchar`).
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Whether `s` is a non-empty RFC 9110 token.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Header names a runtime forbids, drops or sets itself, hop-by-hop headers a proxy strips,
/// and the two the client sets on every request: the key would silently not arrive, or
/// would replace another header.
const RESERVED_HEADERS: &[&str] = &[
    "accept",
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "content-type",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Checks `apiKeyHeader`: a token of at most [`MAX_HEADER_NAME_LEN`] characters, not a
/// forbidden, hop-by-hop or client-set header, nor `Proxy-*`/`Sec-*`.
///
/// ```
/// use conveyor_client::http_checks::check_key_header;
/// assert!(check_key_header("X-API-KEY").is_ok());
/// assert!(check_key_header("Host").is_err());
/// assert!(check_key_header("proxy-authorization").is_err());
/// assert!(check_key_header("bad header").is_err());
/// ```
pub fn check_key_header(name: &str) -> Result<(), String> {
    if name.len() > MAX_HEADER_NAME_LEN || !is_token(name) {
        return Err(cat!(
            "`apiKeyHeader` must be a header name: 1 to ",
            MAX_HEADER_NAME_LEN,
            " letters, digits or !#$%&'*+-.^_`|~"
        ));
    }
    let lower = name.to_ascii_lowercase();
    if RESERVED_HEADERS.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return Err([
            "`apiKeyHeader` cannot be ",
            name,
            ": runtimes forbid or drop it, proxies strip it, or the client sets it itself",
        ]
        .cat());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn key_headers() {
        for bad in [
            "Host",
            "Content-Length",
            "connection",
            "Sec-Fetch-Site",
            "Proxy-Foo",
            "Cookie",
            "",
            "X Key",
            "X-Key:",
        ] {
            assert!(check_key_header(bad).is_err(), "{bad:?}");
        }
        assert!(check_key_header(&"x".repeat(MAX_HEADER_NAME_LEN + 1)).is_err());
        assert!(check_key_header("Authorization").is_ok());
    }

    proptest! {
        /// An accepted header name never contains a byte that could split a header line.
        #[test]
        fn accepted_header_names_are_tokens(h in "\\PC{0,70}") {
            if check_key_header(&h).is_ok() {
                prop_assert!(is_token(&h) && h.len() <= MAX_HEADER_NAME_LEN);
            }
        }
    }
}
