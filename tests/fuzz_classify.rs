//! Fuzz target over the pure modules the shell trusts with server input: response
//! classification, `Retry-After` parsing and the retry decision. (An HTTP date is read by
//! the shell's JS, not here: `tests/e2e/retry-after.test.mjs` checks that reading.)
//!
//! Unlike `core_props.rs`, which checks each documented guarantee over well-formed
//! inputs, this file throws hostile input at the same functions: any `u16`, any string
//! (HTTP dates among them, which are no delay-seconds), any `f64` (NaN, infinities,
//! subnormals, `-0.0`; a date's instant too) and *invalid* retry policies. Every function must return, and the invariants
//! the JS shell relies on must hold, whatever arrives.
//!
//! `cargo test --test fuzz_classify` runs a bounded number of cases (a few seconds);
//! `make fuzz` runs the same properties with `PROPTEST_CASES=200000`. A crash found here
//! becomes a named test in `regressions` below (proptest's own seed file is not used:
//! `failure_persistence` is off, so a failure is pinned by hand, with its reason).
#![cfg(not(target_arch = "wasm32"))]

use conveyor_client::classify::{classify_status, error_for_status};
use conveyor_client::errors::ErrorKind;
use conveyor_client::retry::{
    delay_until, parse_retry_after, server_delay_ms, Attempt, Decision, RetryPolicy,
};
use proptest::prelude::*;

/// Cases per property: `PROPTEST_CASES` when set (as `make fuzz` does), else a bound
/// that keeps the whole file to a few seconds in `cargo test`.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    ProptestConfig {
        cases,
        // A failing case is shrunk, but not for minutes.
        max_shrink_iters: 4096,
        // Failures are pinned by hand in `regressions` below.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// Any f64, with the awkward ones over-represented.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => any::<f64>(),
        1 => prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            f64::MAX,
            f64::MIN,
            1e-300,
            0.5,
            1.0,
            -1.0,
            1e9,
            1e9 + 1.0,
            f64::from(u32::MAX),
            f64::from(u32::MAX) + 1.0,
            9_007_199_254_740_993.0,
        ]),
        2 => (-10i64..2_000_000_000).prop_map(|n| n as f64),
        1 => (0u32..1000, 1u32..1000).prop_map(|(a, b)| f64::from(a) + f64::from(b) / 1000.0),
    ]
}

/// Strings a hostile or broken server could put in a header or a key: any Unicode, ASCII
/// noise, control characters, digits and dots, and very long runs.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => "[ -~]{0,40}",
        2 => "[0-9. \t]{0,30}",
        1 => "[\\x00-\\x1f\\x7f ,:-]{0,20}",
        1 => "[0-9]{300,1200}",
        1 => "[0-9]{1,400}\\.[0-9]{1,400}",
        1 => ("[a-zA-Z_]{1,8}", 100usize..5000).prop_map(|(s, n)| s.repeat(n / s.len().max(1))),
    ]
}

const SHORT_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_len(y: i64, m: i64) -> i64 {
    [
        31,
        if is_leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][(m - 1) as usize]
}

/// A valid calendar instant: (year 1..=9999, month, day, h, m, s, weekday index).
fn instant() -> impl Strategy<Value = (i64, i64, i64, i64, i64, i64, usize)> {
    (1i64..=9999, 1i64..=12).prop_flat_map(|(y, m)| {
        (
            Just(y),
            Just(m),
            1..=month_len(y, m),
            0i64..24,
            0i64..60,
            0i64..=60,
            0usize..7,
        )
    })
}

fn imf(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, wd: usize) -> String {
    format!(
        "{}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT",
        SHORT_DAYS[wd],
        MONTHS[(mo - 1) as usize]
    )
}

/// Any policy, valid or not: NaN, negative and infinite durations included.
fn any_policy() -> impl Strategy<Value = RetryPolicy> {
    (any::<u32>(), any_f64(), any_f64(), any_f64(), any_f64()).prop_map(
        |(max_retries, base, max_delay, cap, pause)| RetryPolicy {
            max_retries: max_retries % 20,
            base_delay_ms: base,
            max_delay_ms: max_delay,
            max_retry_after_ms: cap,
            default_rate_limit_pause_ms: pause,
        },
    )
}

fn header() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        hostile_string().prop_map(Some),
        (0u64..100_000).prop_map(|n| Some(n.to_string())),
        instant().prop_map(|(y, mo, d, h, mi, s, wd)| Some(imf(y, mo, d, h, mi, s, wd))),
    ]
}

/// A date's instant as the shell could hand it over: none, or any `f64` at all.
fn instant_ms() -> impl Strategy<Value = Option<f64>> {
    prop::option::of(any_f64())
}

fn any_attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        1 => Just(Attempt::NetworkError),
        1 => Just(Attempt::Timeout),
        6 => (any::<u16>(), header(), instant_ms(), header()).prop_map(|(status, retry_after, retry_at, retry_after_ms)| {
            Attempt::Response { status, retry_after, retry_at, retry_after_ms }
        }),
        3 => (prop::sample::select(vec![408u16, 429, 500, 502, 503, 504, 599]), header(), instant_ms(), header())
            .prop_map(|(status, retry_after, retry_at, retry_after_ms)| Attempt::Response {
                status,
                retry_after,
                retry_at,
                retry_after_ms,
            }),
    ]
}

fn any_method() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "GET", "get", "HEAD", "PUT", "DELETE", "OPTIONS", "POST", "PATCH", "TRACE", ""
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn is_idempotent_ref(m: &str) -> bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(m))
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Status classification is total and `error_for_status` agrees with it, for any
    /// status, method, path and request id; the message stays bounded by its inputs.
    #[test]
    fn classification_of_any_status(
        status in any::<u16>(),
        method in any_method(),
        path in hostile_string(),
        rid in prop::option::of(hostile_string()),
    ) {
        let kind = classify_status(status);
        prop_assert_eq!(kind.is_none(), (200..300).contains(&status));
        let err = error_for_status(status, &method, &path, rid.as_deref());
        match (kind, err) {
            (None, None) => {}
            (Some(kind), Some(e)) => {
                prop_assert_eq!(e.kind, kind);
                prop_assert_eq!(e.status, Some(status));
                prop_assert_eq!(e.request_id, rid);
                prop_assert_eq!(e.retryable, status == 408 || status == 429 || (500..=599).contains(&status));
                prop_assert!(!e.message.is_empty());
                prop_assert!(e.message.len() <= 400 + method.len() + path.len() * 2);
                prop_assert!(!matches!(e.kind, ErrorKind::QueueFull | ErrorKind::Aborted | ErrorKind::Network | ErrorKind::BadResponse));
                // A query value never reaches the message: only the redacted path does.
                if let Some(p) = &e.path {
                    prop_assert!(e.message.contains(p.as_str()));
                }
            }
            (k, e) => prop_assert!(false, "classify {:?} but error {:?}", k, e),
        }
    }

    /// `Retry-After`: any string gives `None` or a finite delay >= 0; so does any date's
    /// instant against any clock.
    #[test]
    fn retry_after_of_any_string_or_instant(s in hostile_string(), at in any_f64(), now in any_f64()) {
        if let Some(ms) = parse_retry_after(&s) {
            prop_assert!(ms.is_finite() && ms >= 0.0, "{:?} -> {}", s, ms);
        }
        if let Some(ms) = delay_until(at, now) {
            prop_assert!(ms.is_finite() && ms >= 0.0, "{} at {} -> {}", at, now, ms);
        }
        prop_assert_eq!(delay_until(at, now).is_some(), at.is_finite() && now.is_finite());
    }

    /// Differential: delta-seconds `digits[.digits]` read as Rust's float parser reads them
    /// (to 1e-12 relative), times 1000, saturated; anything with a sign or exponent is refused.
    #[test]
    fn retry_after_seconds_match_the_float_parser(
        whole in "[0-9]{1,30}",
        frac in prop::option::of("[0-9]{1,30}"),
        pad in "[ \t]{0,3}",
        junk in prop::sample::select(vec!["-", "+", "e", "E", "x", "inf", ","]),
    ) {
        let text = match &frac { Some(f) => format!("{whole}.{f}"), None => whole.clone() };
        let v: f64 = text.parse().unwrap();
        let expected = if (v * 1000.0).is_finite() { v * 1000.0 } else { f64::MAX };
        // The client accumulates digits by hand (no float parser in the .wasm), so it
        // agrees with Rust's correctly rounded parse to within a few ulps, not bit for bit.
        let got = parse_retry_after(&format!("{pad}{text}{pad}"));
        prop_assert!(got.is_some(), "{text} was refused");
        let got = got.unwrap_or(f64::NAN);
        let close = got == expected || ((got - expected).abs() <= expected.abs() * 1e-12);
        prop_assert!(close, "{text}: got {got}, the float parser says {expected}");
        prop_assert_eq!(parse_retry_after(&format!("{junk}{text}")), None);
    }

    /// `retry-after-ms` wins when it parses; otherwise `Retry-After`'s delay-seconds, then
    /// its date decide.
    #[test]
    fn server_delay_prefers_retry_after_ms(ra in header(), at in instant_ms(), ram in header(), now in any_f64()) {
        let got = server_delay_ms(ra.as_deref(), at, ram.as_deref(), now);
        if let Some(ms) = got {
            prop_assert!(ms.is_finite() && ms >= 0.0);
        }
        let ms_alone = server_delay_ms(None, None, ram.as_deref(), now);
        let seconds = ra.as_deref().and_then(parse_retry_after);
        if ms_alone.is_some() {
            prop_assert_eq!(got, ms_alone);
        } else if seconds.is_some() {
            prop_assert_eq!(got, seconds);
        } else {
            prop_assert_eq!(got, at.and_then(|at| delay_until(at, now)));
        }
    }

    /// `decide` with any policy (valid or not), method, attempt, clock and jitter: never
    /// panics; a retry waits a finite delay >= 0, only with retries left, pauses the
    /// limiter exactly for a 429, and never repeats a non-idempotent call after a 5xx,
    /// timeout or network error; 2xx/3xx are done; other statuses give up.
    #[test]
    fn decide_with_anything(
        p in any_policy(),
        method in any_method(),
        index in prop_oneof![0u32..25, any::<u32>()],
        attempt in any_attempt(),
        now in any_f64(),
        jitter in any_f64(),
    ) {
        let decision = p.decide(&method, index, &attempt, now, jitter);
        let status = match &attempt { Attempt::Response { status, .. } => Some(*status), _ => None };
        match decision {
            Decision::Done => prop_assert!(matches!(status, Some(200..=399))),
            Decision::RetryAfter { delay_ms, pause_limiter } => {
                // Finite for a policy that passes `validate()` (the only kind the JS
                // options can build); never NaN or negative for any policy.
                prop_assert!(!delay_ms.is_nan() && delay_ms >= 0.0, "delay {}", delay_ms);
                if p.validate().is_ok() {
                    prop_assert!(delay_ms.is_finite(), "delay {} for a valid policy", delay_ms);
                }
                prop_assert!(index < p.max_retries);
                prop_assert_eq!(pause_limiter, status == Some(429));
                if status != Some(429) {
                    prop_assert!(is_idempotent_ref(&method), "retried a {:?}", method);
                }
                if let Some(server) = server_delay_of(&attempt, now) {
                    prop_assert_eq!(delay_ms, server);
                    prop_assert!(server <= p.max_retry_after_ms);
                }
            }
            Decision::GiveUp { retry_after_ms } => {
                prop_assert!(!matches!(status, Some(200..=399)));
                if let Some(ms) = retry_after_ms {
                    prop_assert!(ms.is_finite() && ms >= 0.0);
                    prop_assert_eq!(Some(ms), server_delay_of(&attempt, now));
                }
            }
        }
    }
}

fn server_delay_of(attempt: &Attempt, now: f64) -> Option<f64> {
    match attempt {
        Attempt::Response {
            status,
            retry_after,
            retry_at,
            retry_after_ms,
        } if *status == 429 || *status == 408 || (500..=599).contains(status) => server_delay_ms(
            retry_after.as_deref(),
            *retry_at,
            retry_after_ms.as_deref(),
            now,
        ),
        _ => None,
    }
}

/// Inputs the fuzzer (or a reviewer) found interesting, pinned so they stay covered.
mod regressions {
    use super::*;

    #[test]
    fn huge_decimal_saturates_and_tiny_fraction_is_kept() {
        assert_eq!(
            parse_retry_after(&format!("{}.{}", "9".repeat(400), "9".repeat(400))),
            Some(f64::MAX)
        );
        assert_eq!(
            parse_retry_after(&format!("0.{}1", "0".repeat(400))),
            Some(0.0)
        );
    }

    #[test]
    fn non_ascii_digits_and_whitespace_are_not_numbers() {
        // Surrounding Unicode whitespace is trimmed (`str::trim`), which is lenient but
        // harmless; inside a value it is never part of a number.
        for s in ["١٢", "１２", "1\u{a0}2", "5\u{0}"] {
            assert_eq!(parse_retry_after(s), None, "{s:?}");
        }
    }

    #[test]
    fn nan_policy_with_a_server_delay_gives_up_instead_of_waiting_forever() {
        let p = RetryPolicy {
            max_retry_after_ms: f64::NAN,
            default_rate_limit_pause_ms: f64::NAN,
            base_delay_ms: f64::INFINITY,
            max_delay_ms: f64::NEG_INFINITY,
            max_retries: 5,
        };
        let a = Attempt::Response {
            status: 429,
            retry_after: Some("1".into()),
            retry_at: None,
            retry_after_ms: None,
        };
        assert_eq!(
            p.decide("GET", 0, &a, 0.0, 0.5),
            Decision::GiveUp {
                retry_after_ms: Some(1000.0)
            }
        );
        // No header: the NaN pause becomes 0, not NaN.
        let bare = Attempt::Response {
            status: 429,
            retry_after: None,
            retry_at: None,
            retry_after_ms: None,
        };
        assert_eq!(
            p.decide("GET", 0, &bare, 0.0, 0.5),
            Decision::RetryAfter {
                delay_ms: 0.0,
                pause_limiter: true
            }
        );
        // Infinite base times 2^k with a negative max: still a finite 0.
        assert_eq!(
            p.decide("GET", 3, &Attempt::Timeout, 0.0, 0.99),
            Decision::RetryAfter {
                delay_ms: 0.0,
                pause_limiter: false
            }
        );
    }

    /// Found by `make fuzz` (200,000 cases): an infinite `base_delay_ms` with an infinite
    /// `max_delay_ms` makes the backoff `1.0 * inf = inf`. `decide` documents delays as
    /// meaningful only for a valid policy, and `validate()` (run on the JS options at
    /// construction) rejects both values, so no client can reach it; pinned so it stays so.
    #[test]
    fn infinite_backoff_needs_a_policy_that_validate_rejects() {
        let p = RetryPolicy {
            base_delay_ms: f64::INFINITY,
            max_delay_ms: f64::INFINITY,
            ..RetryPolicy::default()
        };
        assert_eq!(
            p.decide("GET", 0, &Attempt::NetworkError, 0.0, 1.0),
            Decision::RetryAfter {
                delay_ms: f64::INFINITY,
                pause_limiter: false
            }
        );
        assert!(p.validate().unwrap_err().contains("baseDelayMs"));
        let max_only = RetryPolicy {
            max_delay_ms: f64::INFINITY,
            ..RetryPolicy::default()
        };
        assert!(max_only.validate().unwrap_err().contains("maxDelayMs"));
        // With a finite, valid ceiling the same draw is bounded.
        let ok = RetryPolicy::default();
        assert_eq!(
            ok.decide("GET", 0, &Attempt::NetworkError, 0.0, 1.0),
            Decision::RetryAfter {
                delay_ms: 500.0,
                pause_limiter: false
            }
        );
    }
}
