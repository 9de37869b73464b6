//! Strings joined end to end or with a separator: `[a, b].cat()` and `items.joined(", ")`,
//! what `concat()` and `join()` give. The standard pair share `join_generic_copy`, about 1 KB
//! of .wasm specialised for short separators; messages are short, so a plain loop does.

use alloc::string::String;

/// Joins string slices (`&str`, `String`).
pub(crate) trait Cat {
    /// The parts end to end (`concat()`).
    fn cat(&self) -> String {
        self.joined("")
    }

    /// The parts with `sep` between each two (`join(sep)`).
    fn joined(&self, sep: &str) -> String;
}

impl<S: AsRef<str>> Cat for [S] {
    fn joined(&self, sep: &str) -> String {
        let mut out = String::new();
        for (i, part) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(part.as_ref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Cat;
    use proptest::prelude::*;

    proptest! {
        /// `cat` and `joined` write what the standard `concat` and `join` write.
        #[test]
        fn agrees_with_std(parts in proptest::collection::vec(".{0,6}", 0..6), sep in ".{0,3}") {
            prop_assert_eq!(parts.cat(), parts.concat());
            prop_assert_eq!(parts.joined(&sep), parts.join(sep.as_str()));
            let strs: Vec<&str> = parts.iter().map(String::as_str).collect();
            prop_assert_eq!(strs.cat(), strs.concat());
        }
    }
}
