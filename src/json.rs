//! JSON string literals written by hand (plain Rust): the key as it appears inside canonical
//! JSON text, for masking it out of what servers send back.
//!
//! Not `serde_json`: this needs only strings, and the .wasm should not carry a JSON library
//! for it. (Typed calls' JSON bodies are written in JS, `src/js/resources.js`.)

use alloc::string::String;

/// Appends `s` escaped for the inside of a JSON string literal (without the quotes).
///
/// Escapes what `JSON.stringify` escapes for well-formed text (`"`, `\`, control
/// characters), and also U+2028 and U+2029, so the text stays valid JavaScript too.
pub fn push_escaped(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                // No `{:04x}`: hand-written so the wasm links no integer formatting for it.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[(n >> 4) & 0xf]));
                out.push(char::from(HEX[n & 0xf]));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_quotes_backslashes_and_control_characters() {
        let mut json = String::new();
        push_escaped(&mut json, "a\"\\\n\u{1}\u{1f}\u{2028}é");
        assert_eq!(json, r#"a\"\\\n\u0001\u001f\u2028é"#);
        let mut inner = String::new();
        push_escaped(&mut inner, "k\"e\\y");
        assert_eq!(inner, r#"k\"e\\y"#);
    }
}
