//! Strings joined end to end or with a separator: `[a, b].cat()` and `items.joined(", ")`,
//! what `concat()` and `join()` give. The standard pair share `join_generic_copy`, about 1 KB
//! of .wasm specialised for short separators; messages are short, so a plain loop does.
//!
//! Messages with numbers in them: `cat!("got ", n, " of ", max)`, what `format!("got {n} of
//! {max}")` writes. Without std, `format!` and `{}` of a number are what link `core::fmt`'s
//! writer, padding and integer printing into the .wasm; `cat!` appends the parts one by one
//! and writes numbers with [`push_decimal`].

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

/// A part of a message that [`cat!`] appends: a string, a `char`, or an integer in decimal.
/// Taken by value: a `&str` crosses as its pointer and length, not as the address of a copy.
pub(crate) trait Part {
    /// Appends the part to `out`.
    fn push_to(self, out: &mut String);
}

impl Part for &str {
    fn push_to(self, out: &mut String) {
        out.push_str(self);
    }
}

impl Part for &String {
    fn push_to(self, out: &mut String) {
        out.push_str(self);
    }
}

impl Part for String {
    fn push_to(self, out: &mut String) {
        out.push_str(&self);
    }
}

impl Part for char {
    fn push_to(self, out: &mut String) {
        out.push(self);
    }
}

macro_rules! unsigned_part {
    ($($t:ty),*) => {$(
        impl Part for $t {
            fn push_to(self, out: &mut String) {
                push_decimal(out, self as u64);
            }
        }
    )*};
}
unsigned_part!(u16, u32, u64, usize);

impl Part for i64 {
    fn push_to(self, out: &mut String) {
        if self < 0 {
            out.push('-');
        }
        push_decimal(out, self.unsigned_abs());
    }
}

/// The parts (see [`Part`]) end to end in a new `String`: `cat!("got ", n)` is
/// `format!("got {n}")` without `core::fmt`.
macro_rules! cat {
    ($($part:expr),+ $(,)?) => {{
        let mut out = alloc::string::String::new();
        $($crate::text::Part::push_to($part, &mut out);)*
        out
    }};
}
pub(crate) use cat;

/// Appends `n` in decimal (what `{n}` writes, without the formatting machinery's share of
/// the .wasm).
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    // The leading digits first, by recursion (at most 20 deep): the smallest code.
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
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

        /// The hand-written digits are what `{}` writes, for every integer type `cat!` takes.
        #[test]
        fn numbers_agree_with_std(a: u64, b: i64, c: u32, d: u16, e: usize, s in ".{0,6}", ch: char) {
            prop_assert_eq!(cat!(a), a.to_string());
            prop_assert_eq!(cat!(b), b.to_string());
            prop_assert_eq!(cat!(c), c.to_string());
            prop_assert_eq!(cat!(d), d.to_string());
            prop_assert_eq!(cat!(e), e.to_string());
            prop_assert_eq!(
                cat!("a ", &s, " b", a, ch, s.as_str(), b, ' ', c, d, e, s.clone()),
                format!("a {s} b{a}{ch}{s}{b} {c}{d}{e}{s}")
            );
        }
    }

    #[test]
    fn numbers_at_the_edges() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(cat!(n), n.to_string());
        }
        for n in [i64::MIN, i64::MIN + 1, -10, -9, -1, 0, 1, i64::MAX] {
            assert_eq!(cat!(n), n.to_string());
        }
    }
}
