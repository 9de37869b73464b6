//! `trunc`, `floor` and `ceil` for `f64`: `core` has none of them on stable Rust, and the
//! shipped `.wasm` builds without `std` (see `lib.rs`).

/// 2^52: from here on every `f64` is a whole number.
const WHOLE: f64 = 4_503_599_627_370_496.0;

/// `x` rounded toward zero, as `f64::trunc` (NaN and infinities unchanged).
pub(crate) fn trunc(x: f64) -> f64 {
    // Below 2^52 in magnitude the whole part fits an i64 exactly; NaN fails both tests.
    if x > -WHOLE && x < WHOLE {
        let t = x as i64 as f64;
        // -0.5 (and -0) truncate to -0, as with `f64::trunc`: the sign of `x` on a zero.
        if t == 0.0 {
            0.0 * x
        } else {
            t
        }
    } else {
        x
    }
}

/// The largest whole number not above `x`, as `f64::floor`.
pub(crate) fn floor(x: f64) -> f64 {
    let t = trunc(x);
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// The smallest whole number not below `x`, as `f64::ceil`.
pub(crate) fn ceil(x: f64) -> f64 {
    let t = trunc(x);
    if t < x {
        t + 1.0
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn edges_match_std() {
        let edges = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1.5,
            -1.5,
            WHOLE - 0.5,
            -(WHOLE - 0.5),
            WHOLE,
            -WHOLE,
            WHOLE + 1.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for x in edges {
            assert!(same(trunc(x), x.trunc()), "trunc({x})");
            assert!(same(floor(x), x.floor()), "floor({x})");
            assert!(same(ceil(x), x.ceil()), "ceil({x})");
        }
    }

    proptest! {
        #[test]
        fn any_bits_match_std(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assert!(same(trunc(x), x.trunc()));
            prop_assert!(same(floor(x), x.floor()));
            prop_assert!(same(ceil(x), x.ceil()));
        }

        #[test]
        fn small_numbers_match_std(x in -1e7f64..1e7) {
            prop_assert!(same(trunc(x), x.trunc()));
            prop_assert!(same(floor(x), x.floor()));
            prop_assert!(same(ceil(x), x.ceil()));
        }
    }
}
