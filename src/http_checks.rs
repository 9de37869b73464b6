//! The HTTP syntax the client checks before anything is sent: the header name the key
//! travels in. (A call's method is checked, by the same token rule, with the call's other
//! arguments in JS: src/js/resources.js.)
//!
//! A header name `fetch` would refuse (or, worse, a runtime would put on the wire) must
//! fail as the caller's mistake, at construction, not as a "network error" that is retried.

use crate::text::cat;
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
        /// An accepted header name never contains a byte that could split a header line.
        #[test]
        fn accepted_header_names_are_tokens(h in "\\PC{0,70}") {
            if check_key_header(&h).is_ok() {
                prop_assert!(is_token(&h) && h.len() <= MAX_HEADER_NAME_LEN);
            }
        }
    }
}
