//! Keeping the key out of what a server sent back, and bounding it.
//!
//! A proxy or debug server that echoes request headers puts the key into an error body,
//! and the body becomes the error's `details`, which callers log. Before it is attached,
//! the body (as canonical JSON text, so escapes cannot hide it) is masked for the key and
//! for every run of it at least [`MIN_MASKED_RUN`] characters long, and checked against a
//! depth and a size bound.

use alloc::{borrow::ToOwned, string::String};

/// The shortest run of the key that is masked: long enough not to mask ordinary words,
/// short enough that what stays visible is a fraction of the key.
pub const MIN_MASKED_RUN: usize = 8;
/// What a masked run becomes.
pub const MASK: &str = "[redacted]";
/// The deepest nesting `details` may have: `JSON.stringify` of a far deeper value throws.
pub const MAX_DEPTH: usize = 32;
/// The most bytes of an error body read for `details`.
pub const MAX_DETAILS_BYTES: usize = 64 * 1024;

/// `text` with every run of at least `min_run` characters that also occurs in `secret`
/// replaced by [`MASK`] (adjacent runs merge into one mask). Byte-wise, so a run never
/// splits a UTF-8 character: the key is ASCII, so matched bytes are ASCII.
///
/// ```
/// use conveyor_client::redact::mask;
/// assert_eq!(mask("key=sk_live_0123456789 ok", "sk_live_0123456789", 8), "key=[redacted] ok");
/// assert_eq!(mask("part 0123456789 here", "sk_live_0123456789", 8), "part [redacted] here");
/// assert_eq!(mask("short sk_li here", "sk_live_0123456789", 8), "short sk_li here");
/// ```
pub fn mask(text: &str, secret: &str, min_run: usize) -> String {
    let t = text.as_bytes();
    let k = secret.as_bytes();
    if k.len() < min_run || min_run == 0 {
        return text.to_owned();
    }
    // run[j]: length of the common run ending at t[i] and k[j] (longest common substring
    // table, one row at a time).
    let mut run = vec![0usize; k.len()];
    let mut masked = vec![false; t.len()];
    for (i, &c) in t.iter().enumerate() {
        for j in (0..k.len()).rev() {
            run[j] = if k[j] == c {
                if j > 0 {
                    run[j - 1] + 1
                } else {
                    1
                }
            } else {
                0
            };
            if run[j] >= min_run {
                for m in masked.iter_mut().take(i + 1).skip(i + 1 - run[j]) {
                    *m = true;
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < t.len() {
        if masked[i] {
            out.push_str(MASK);
            while i < t.len() && masked[i] {
                i += 1;
            }
        } else {
            let start = i;
            while i < t.len() && !masked[i] {
                i += 1;
            }
            // Boundaries are ASCII bytes of the key, or the text's ends: char boundaries.
            out.push_str(text.get(start..i).unwrap_or_default());
        }
    }
    out
}

/// The deepest nesting of arrays and objects in JSON `text` (strings skipped).
///
/// ```
/// use conveyor_client::redact::json_depth;
/// assert_eq!(json_depth(r#"{"a":[1,{"b":"[[["}]}"#), 3);
/// assert_eq!(json_depth("3"), 0);
/// ```
pub fn json_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in text.bytes() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The key as it appears inside canonical JSON text. A key is printable ASCII, so of what
/// the escaper changes only `"` and `\` can occur, exactly as `JSON.stringify` writes them.
pub fn json_escaped(secret: &str) -> String {
    let mut out = String::with_capacity(secret.len() + 2);
    crate::json::push_escaped(&mut out, secret);
    out
}

/// What may be attached as `details` from canonical JSON `text`: `Ok(masked JSON text)`
/// when it is within [`MAX_DEPTH`] and [`MAX_DETAILS_BYTES`], otherwise `Err` with the
/// masked text cut to at most [`MAX_DETAILS_BYTES`] bytes, to attach as a plain string.
pub fn bounded_details(text: &str, secret: &str) -> Result<String, String> {
    let mut masked = mask(text, &json_escaped(secret), MIN_MASKED_RUN);
    if secret.bytes().any(|b| b == b'"' || b == b'\\') {
        masked = mask(&masked, secret, MIN_MASKED_RUN);
    }
    if masked.len() <= MAX_DETAILS_BYTES && json_depth(&masked) <= MAX_DEPTH {
        return Ok(masked);
    }
    let mut end = masked.len().min(MAX_DETAILS_BYTES);
    while !masked.is_char_boundary(end) {
        end -= 1;
    }
    masked.truncate(end);
    Err(masked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &str = "sk_test_hostile_0123456789abcdefghij";

    #[test]
    fn masks_whole_and_partial_keys() {
        let text = format!(
            r#"{{"h":{{"x-api-key":"{KEY}"}},"p":"{}","q":"é{}é"}}"#,
            &KEY[3..20],
            &KEY[10..]
        );
        let m = mask(&text, KEY, MIN_MASKED_RUN);
        assert_eq!(
            m,
            r#"{"h":{"x-api-key":"[redacted]"},"p":"[redacted]","q":"é[redacted]é"}"#
        );
    }

    #[test]
    fn bounds_depth_and_size() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(bounded_details(&deep, KEY).unwrap_err().len(), 200);
        let big = format!("\"{}{KEY}\"", "x".repeat(MAX_DETAILS_BYTES));
        let cut = bounded_details(&big, KEY).unwrap_err();
        assert_eq!(cut.len(), MAX_DETAILS_BYTES);
        assert_eq!(
            bounded_details("{\"a\":1}", KEY).as_deref(),
            Ok("{\"a\":1}")
        );
    }

    #[test]
    fn keys_with_quotes_are_masked_in_their_escaped_form() {
        let key = "ab\"cdefgh\\ijklmn";
        // As JSON.stringify writes it.
        let text = r#"{"k":"ab\"cdefgh\\ijklmn"}"#;
        assert_eq!(json_escaped(key), r#"ab\"cdefgh\\ijklmn"#);
        let out = bounded_details(text, key).unwrap();
        assert!(!out.contains("cdefgh"), "{out}");
    }

    proptest! {
        /// No run of MIN_MASKED_RUN characters of the key survives masking, wherever the
        /// key's pieces sit in the text.
        #[test]
        fn no_long_run_of_the_key_survives(
            key in "[!-~]{8,40}",
            pre in "\\PC{0,20}",
            post in "\\PC{0,20}",
            a in 0usize..40,
            len in 8usize..40,
        ) {
            let a = a.min(key.len() - 8);
            let b = (a + len).min(key.len());
            let text = format!("{pre}{}{post}{key}", &key[a..b]);
            // The mask itself may spell part of a key made of the same characters.
            let out = mask(&text, &key, MIN_MASKED_RUN).replace(MASK, "\0");
            for w in key.as_bytes().windows(MIN_MASKED_RUN) {
                let w = std::str::from_utf8(w).unwrap();
                prop_assert!(!out.contains(w), "{w:?} survived in {out:?}");
            }
        }

        /// Text with nothing of the key in it comes back unchanged.
        #[test]
        fn unrelated_text_is_untouched(text in "[a-z ]{0,100}") {
            prop_assert_eq!(mask(&text, "SK_0123456789", MIN_MASKED_RUN), text);
        }
    }
}
