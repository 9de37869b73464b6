//! The HTTP syntax the client checks before anything is sent: request methods and the
//! header name the key travels in.
//!
//! A method or header name `fetch` would refuse (or, worse, a runtime would put on the
//! wire) must fail as the caller's mistake, before a token is spent, not as a "network
//! error" that is retried.

use crate::text::{cat, Cat};
use alloc::{borrow::ToOwned, string::String};

/// The longest method accepted: far above any real one.
pub const MAX_METHOD_LEN: usize = 32;
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

/// Checks a request method and returns it upper-cased. `CONNECT`, `TRACE` and `TRACK` are
/// refused (`fetch` forbids them, and the API has no use for them). The message never
/// repeats the method: it may be huge or carry injected header lines.
///
/// ```
/// use conveyor_client::http_checks::check_method;
/// assert_eq!(check_method("patch").as_deref(), Ok("PATCH"));
/// assert!(check_method("GET\r\nX-Injected: 1").is_err());
/// assert!(check_method("connect").is_err());
/// ```
pub fn check_method(method: &str) -> Result<String, String> {
    if method.len() > MAX_METHOD_LEN || !is_token(method) {
        return Err("`method` must be an HTTP method such as GET or POST (a token of letters, digits and !#$%&'*+-.^_`|~)".to_owned());
    }
    let upper = method.to_ascii_uppercase();
    if matches!(upper.as_str(), "CONNECT" | "TRACE" | "TRACK") {
        return Err(["`method` ", &upper, " is not allowed"].cat());
    }
    Ok(upper)
}

/// Whether a request with `method` (upper-cased) may carry a body: `fetch` refuses one on
/// GET and HEAD.
pub fn allows_body(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD")
}

/// Checks `apiKeyHeader`'s syntax: a token of at most [`MAX_HEADER_NAME_LEN`] characters,
/// so the key's header line cannot be split whatever the `fetch` it goes through. (Which
/// names it may not be, those runtimes forbid or set themselves, is checked where the options
/// are read, `src/js/config.js`, after this.)
///
/// ```
/// use conveyor_client::http_checks::check_key_header;
/// assert!(check_key_header("X-API-KEY").is_ok());
/// assert!(check_key_header("bad header").is_err());
/// assert!(check_key_header("X-Key\r\nHost: evil.example").is_err());
/// ```
pub fn check_key_header(name: &str) -> Result<(), String> {
    if name.len() > MAX_HEADER_NAME_LEN || !is_token(name) {
        return Err(cat!(
            "`apiKeyHeader` must be a header name: 1 to ",
            MAX_HEADER_NAME_LEN,
            " letters, digits or !#$%&'*+-.^_`|~"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn methods() {
        for ok in ["GET", "post", "PATCH", "DELETE", "PROPFIND", "M-SEARCH"] {
            assert!(check_method(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "GE T", "GET\r\n", "G\u{c9}T", "TRACE", "track", "Connect", "(GET)",
        ] {
            assert!(check_method(bad).is_err(), "{bad:?}");
        }
        assert!(check_method(&"X".repeat(MAX_METHOD_LEN + 1)).is_err());
        assert!(!allows_body("GET") && !allows_body("HEAD") && allows_body("POST"));
    }

    #[test]
    fn key_headers() {
        for bad in [
            "",
            "X Key",
            "X-Key:",
            "X-Key\r\nHost: x",
            "K\u{212a}ey",
            "(X)",
        ] {
            assert!(check_key_header(bad).is_err(), "{bad:?}");
        }
        assert!(check_key_header(&"x".repeat(MAX_HEADER_NAME_LEN + 1)).is_err());
        assert!(check_key_header(&"x".repeat(MAX_HEADER_NAME_LEN)).is_ok());
        assert!(check_key_header("Authorization").is_ok());
        assert!(check_key_header("!#$%&'*+-.^_`|~09AZaz").is_ok());
    }

    proptest! {
        /// Whatever is accepted is a token, upper-cased, and never a forbidden method; a
        /// refusal's message stays short whatever came in.
        #[test]
        fn accepted_methods_are_safe_tokens(m in "\\PC{0,40}") {
            match check_method(&m) {
                Ok(up) => {
                    prop_assert!(is_token(&up) && up.len() <= MAX_METHOD_LEN);
                    prop_assert_eq!(up.clone(), m.to_ascii_uppercase());
                    prop_assert!(!["CONNECT", "TRACE", "TRACK"].contains(&up.as_str()));
                }
                Err(msg) => prop_assert!(msg.len() < 200),
            }
        }

        /// An accepted header name never contains a byte that could split a header line.
        #[test]
        fn accepted_header_names_are_tokens(h in "\\PC{0,70}") {
            if check_key_header(&h).is_ok() {
                prop_assert!(is_token(&h) && h.len() <= MAX_HEADER_NAME_LEN);
            }
        }
    }
}
