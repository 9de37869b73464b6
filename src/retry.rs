//! Retry policy, backoff and `Retry-After`, as plain Rust.
//!
//! The shell reports what one attempt produced as an [`Attempt`] and asks
//! [`RetryPolicy::decide`] what to do next. The clock and the randomness are passed in
//! (`now_ms`, `jitter`), so every rule here is tested natively and deterministically.
//!
//! A `Retry-After` HTTP date reaches the policy as its instant (`retry_at`, ms since the
//! epoch): the shell's JS (`head()` in `src/js/transport.js`) checks the value is one of RFC
//! 9110's three date forms and has the platform's `Date` compute the instant, so no calendar
//! ships in the `.wasm`. Delay-seconds and `retry-after-ms` are read here.
//!
//! The rules, in the order [`RetryPolicy::decide`] applies them:
//!
//! | attempt | retried for | delay |
//! | --- | --- | --- |
//! | 2xx, 3xx | never ([`Decision::Done`]: redirects are followed elsewhere) | |
//! | 429 | any method | the server's delay, else [`RetryPolicy::default_rate_limit_pause_ms`]; the shared limiter pauses |
//! | 408, 5xx, network error, timeout | idempotent methods only | the server's delay, else backoff with full jitter |
//! | other 4xx, 1xx and anything else | never ([`Decision::GiveUp`]) | |
//!
//! A server delay above [`RetryPolicy::max_retry_after_ms`] gives up at once: waiting
//! minutes inside a call is worse than telling the caller when to come back.
//!
//! ```
//! use conveyor_client::retry::{Attempt, Decision, RetryPolicy};
//!
//! let policy = RetryPolicy::default();
//! let limited = Attempt::Response {
//!     status: 429,
//!     retry_after: Some("3".to_owned()),
//!     retry_at: None,
//!     retry_after_ms: None,
//! };
//! assert_eq!(
//!     policy.decide("POST", 0, &limited, 0.0, 0.5),
//!     Decision::RetryAfter { delay_ms: 3000.0, pause_limiter: true },
//! );
//! // A POST is not repeated after a 503: it may have taken effect.
//! let unavailable = Attempt::Response {
//!     status: 503,
//!     retry_after: None,
//!     retry_at: None,
//!     retry_after_ms: None,
//! };
//! assert_eq!(
//!     policy.decide("POST", 0, &unavailable, 0.0, 0.5),
//!     Decision::GiveUp { retry_after_ms: None },
//! );
//! ```

use crate::text::Cat;
use alloc::string::String;

/// How many times, and how long apart, a failed call is tried again.
///
/// All durations are milliseconds. Check a policy built from user input with
/// [`RetryPolicy::validate`]; [`RetryPolicy::decide`] never panics on an invalid one, but
/// its delays are only meaningful for a valid one.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the JS option `maxRetries`, default 2).
    pub max_retries: u32,
    /// The backoff ceiling of the first retry; doubles with each retry (default 500).
    pub base_delay_ms: f64,
    /// The largest backoff ceiling (default 8000).
    pub max_delay_ms: f64,
    /// A server-requested delay longer than this rejects instead of waiting (the JS option
    /// `maxRetryAfterMs`, default 60 000).
    pub max_retry_after_ms: f64,
    /// How long a 429 without `Retry-After` pauses the limiter before the retry (default
    /// 1000).
    pub default_rate_limit_pause_ms: f64,
}

impl Default for RetryPolicy {
    /// Two retries, backoff from 500 ms up to 8 s, server delays honoured up to a minute.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay_ms: 500.0,
            max_delay_ms: 8000.0,
            max_retry_after_ms: 60_000.0,
            default_rate_limit_pause_ms: 1000.0,
        }
    }
}

impl RetryPolicy {
    /// Checks that every duration is a finite number `>= 0`.
    ///
    /// The message names the JS option (camelCase) so it can go straight into a
    /// `ConveyorConfigError`.
    ///
    /// ```
    /// use conveyor_client::retry::RetryPolicy;
    ///
    /// assert!(RetryPolicy::default().validate().is_ok());
    /// let bad = RetryPolicy { max_retry_after_ms: f64::NAN, ..RetryPolicy::default() };
    /// assert!(bad.validate().unwrap_err().contains("maxRetryAfterMs"));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let fields = [
            ("baseDelayMs", self.base_delay_ms),
            ("maxDelayMs", self.max_delay_ms),
            ("maxRetryAfterMs", self.max_retry_after_ms),
            ("defaultRateLimitPauseMs", self.default_rate_limit_pause_ms),
        ];
        for (name, value) in fields {
            if !value.is_finite() || value < 0.0 {
                return Err(["`", name, "` must be a finite number of milliseconds >= 0"].cat());
            }
        }
        Ok(())
    }

    /// The exponential backoff before retry number `attempt_index + 1`, with full jitter:
    /// `jitter * min(max_delay_ms, base_delay_ms * 2^attempt_index)`.
    ///
    /// Full jitter (a uniform pick in `[0, ceiling)`) spreads clients that failed together,
    /// so they do not come back together. `jitter` is the caller's random number in
    /// `[0, 1)`; values outside are clamped and NaN counts as 0, so the result always lies
    /// in `[0, max_delay_ms]` for a valid policy.
    ///
    /// ```
    /// use conveyor_client::retry::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.backoff_ms(0, 0.5), 250.0);
    /// assert_eq!(policy.backoff_ms(2, 0.5), 1000.0);
    /// assert_eq!(policy.backoff_ms(40, 0.5), 4000.0); // capped at max_delay_ms
    /// ```
    pub fn backoff_ms(&self, attempt_index: u32, jitter: f64) -> f64 {
        let jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        let max = if self.max_delay_ms.is_nan() {
            0.0
        } else {
            self.max_delay_ms.max(0.0)
        };
        // 2^63 already dwarfs any sane max_delay_ms; stopping the exponent there keeps the
        // product finite, so `0 * inf = NaN` cannot happen.
        let exponent = attempt_index.min(63);
        let ceiling = (self.base_delay_ms * (1u64 << exponent) as f64).min(max);
        let delay = jitter * ceiling;
        if delay.is_nan() {
            0.0
        } else {
            delay.clamp(0.0, max)
        }
    }

    /// What to do after attempt number `attempt_index` (0 = the first try) produced
    /// `attempt`.
    ///
    /// `now_ms` is the current time (ms since the Unix epoch), used only for a
    /// `Retry-After` given as an HTTP date (`retry_at`); `jitter` is a random number in
    /// `[0, 1)` for the backoff. See the module docs for the rules.
    ///
    /// ```
    /// use conveyor_client::retry::{Attempt, Decision, RetryPolicy};
    ///
    /// let policy = RetryPolicy::default();
    /// // GET after a network error: backoff with full jitter.
    /// assert_eq!(
    ///     policy.decide("GET", 1, &Attempt::NetworkError, 0.0, 0.5),
    ///     Decision::RetryAfter { delay_ms: 500.0, pause_limiter: false },
    /// );
    /// // Out of retries.
    /// assert_eq!(
    ///     policy.decide("GET", 2, &Attempt::Timeout, 0.0, 0.5),
    ///     Decision::GiveUp { retry_after_ms: None },
    /// );
    /// // The server asks for two minutes: more than max_retry_after_ms, so reject now.
    /// let busy = Attempt::Response {
    ///     status: 429,
    ///     retry_after: Some("120".to_owned()),
    ///     retry_at: None,
    ///     retry_after_ms: None,
    /// };
    /// assert_eq!(
    ///     policy.decide("GET", 0, &busy, 0.0, 0.5),
    ///     Decision::GiveUp { retry_after_ms: Some(120_000.0) },
    /// );
    /// ```
    pub fn decide(
        &self,
        method: &str,
        attempt_index: u32,
        attempt: &Attempt,
        now_ms: f64,
        jitter: f64,
    ) -> Decision {
        let (rate_limited, server_delay) = match attempt {
            Attempt::Response { status, .. } if (200..400).contains(status) => {
                return Decision::Done
            }
            Attempt::Response {
                status,
                retry_after,
                retry_at,
                retry_after_ms,
            } if *status == 429 || *status == 408 || (500..=599).contains(status) => (
                *status == 429,
                server_delay_ms(
                    retry_after.as_deref(),
                    *retry_at,
                    retry_after_ms.as_deref(),
                    now_ms,
                ),
            ),
            Attempt::Response { .. } => {
                return Decision::GiveUp {
                    retry_after_ms: None,
                }
            }
            Attempt::NetworkError | Attempt::Timeout => (false, None),
        };
        // A NaN cap (an invalid policy) rejects rather than waits unboundedly.
        if let Some(delay) = server_delay {
            if delay > self.max_retry_after_ms || self.max_retry_after_ms.is_nan() {
                return Decision::GiveUp {
                    retry_after_ms: Some(delay),
                };
            }
        }
        if attempt_index >= self.max_retries {
            return Decision::GiveUp {
                retry_after_ms: server_delay,
            };
        }
        if rate_limited {
            // A 429 means the request was not processed, so repeating it is safe for any
            // method.
            let pause = self.default_rate_limit_pause_ms;
            return Decision::RetryAfter {
                delay_ms: server_delay.unwrap_or(if pause.is_finite() {
                    pause.max(0.0)
                } else {
                    0.0
                }),
                pause_limiter: true,
            };
        }
        // A 5xx, a timeout or a dropped connection may come after the server acted, so
        // only a request that is harmless to repeat is sent again.
        if !is_idempotent(method) {
            return Decision::GiveUp {
                retry_after_ms: server_delay,
            };
        }
        Decision::RetryAfter {
            delay_ms: server_delay.unwrap_or_else(|| self.backoff_ms(attempt_index, jitter)),
            pause_limiter: false,
        }
    }
}

/// What one attempt produced, as the shell saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// A response arrived (after any same-origin redirects were followed).
    Response {
        /// The HTTP status.
        status: u16,
        /// The raw `Retry-After` header, when present.
        retry_after: Option<String>,
        /// The instant of `Retry-After` when it is an HTTP date (ms since the Unix epoch), as
        /// the shell read it: only a value in one of RFC 9110's three forms, which a lenient
        /// date parser cannot have made up.
        retry_at: Option<f64>,
        /// The raw `retry-after-ms` header (openai style), when present.
        retry_after_ms: Option<String>,
    },
    /// `fetch` itself failed: DNS, connection reset, CORS.
    NetworkError,
    /// The attempt ran past its timeout and was aborted.
    Timeout,
}

/// What the shell does next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// No retry: the status is a 2xx success or a 3xx redirect (redirects are followed
    /// by the shell before the policy is asked).
    Done,
    /// Try again after `delay_ms`.
    RetryAfter {
        /// How long to wait, `>= 0`.
        delay_ms: f64,
        /// The server rate-limited us (429): pause the shared limiter for `delay_ms`, so
        /// every request in the bucket waits, not just this one.
        pause_limiter: bool,
    },
    /// Stop and reject with the error for this attempt.
    GiveUp {
        /// The delay the server asked for, when it sent a parseable one: the error carries
        /// it as `retryAfterMs` so the caller knows when to come back.
        retry_after_ms: Option<f64>,
    },
}

/// Whether a method may be repeated without changing the outcome (RFC 9110 §9.2.2):
/// GET, HEAD, PUT, DELETE, OPTIONS, in any case.
///
/// ```
/// use conveyor_client::retry::is_idempotent;
///
/// assert!(is_idempotent("get"));
/// assert!(is_idempotent("DELETE"));
/// assert!(!is_idempotent("POST"));
/// assert!(!is_idempotent("PATCH"));
/// ```
pub fn is_idempotent(method: &str) -> bool {
    ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// The delay a response asked for: `retry-after-ms` when it parses (it is more precise),
/// else `Retry-After` in either form, delay-seconds or the instant `retry_at` of its HTTP
/// date; `None` when neither is present and valid.
///
/// `now_ms` is the clock the date is compared with; a date in the past asks for no wait.
///
/// ```
/// use conveyor_client::retry::server_delay_ms;
///
/// assert_eq!(server_delay_ms(Some("2"), None, Some("1500"), 0.0), Some(1500.0));
/// assert_eq!(server_delay_ms(Some("2"), None, Some("soon"), 0.0), Some(2000.0));
/// assert_eq!(server_delay_ms(Some("date"), Some(9000.0), None, 5000.0), Some(4000.0));
/// assert_eq!(server_delay_ms(Some("date"), Some(9000.0), None, 10_000.0), Some(0.0));
/// assert_eq!(server_delay_ms(None, None, None, 0.0), None);
/// ```
pub fn server_delay_ms(
    retry_after: Option<&str>,
    retry_at: Option<f64>,
    retry_after_ms: Option<&str>,
    now_ms: f64,
) -> Option<f64> {
    retry_after_ms
        .and_then(|v| parse_decimal(v.trim()))
        .or_else(|| retry_after.and_then(parse_retry_after))
        .or_else(|| delay_until(retry_at?, now_ms))
}

/// `Retry-After`'s delay-seconds in milliseconds: digits (and, tolerated, a fraction such as
/// `1.5`), nothing else. `None` for anything else, including a negative number and an
/// HTTP date (the shell reads a date: [`Attempt::Response`]'s `retry_at`). Never panics;
/// an absurdly long number saturates to `f64::MAX` rather than becoming infinite.
///
/// ```
/// use conveyor_client::retry::parse_retry_after;
///
/// assert_eq!(parse_retry_after("120"), Some(120_000.0));
/// assert_eq!(parse_retry_after(" 1.5 "), Some(1500.0));
/// assert_eq!(parse_retry_after("-1"), None);
/// assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"), None);
/// ```
pub fn parse_retry_after(value: &str) -> Option<f64> {
    Some(saturate(parse_decimal(value.trim())? * 1000.0))
}

/// How long from `now_ms` until the instant `at_ms`: 0 when it has passed, `None` when
/// either is not a finite number.
///
/// ```
/// use conveyor_client::retry::delay_until;
///
/// assert_eq!(delay_until(5000.0, 3000.0), Some(2000.0));
/// assert_eq!(delay_until(3000.0, 5000.0), Some(0.0));
/// assert_eq!(delay_until(f64::NAN, 0.0), None);
/// ```
pub fn delay_until(at_ms: f64, now_ms: f64) -> Option<f64> {
    if !at_ms.is_finite() || !now_ms.is_finite() {
        return None;
    }
    Some(saturate((at_ms - now_ms).max(0.0)))
}

/// A finite, non-negative result: infinity becomes `f64::MAX`.
fn saturate(ms: f64) -> f64 {
    if ms.is_finite() {
        ms
    } else {
        f64::MAX
    }
}

/// `digits ["." digits]`: no sign, exponent, or bare dot, so `-1`, `1e3`, `inf` and `.5`
/// are rejected instead of being read by `f64::from_str`'s wider grammar.
fn parse_decimal(s: &str) -> Option<f64> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !frac.map_or(true, digits) {
        return None;
    }
    // Accumulated by hand: the input is plain digits already, and `str::parse::<f64>`
    // would add Rust's general float parser (~6 KB) to the .wasm.
    let mut value = whole
        .bytes()
        .fold(0.0_f64, |v, b| v * 10.0 + f64::from(b - b'0'));
    let mut scale = 0.1;
    for b in frac.unwrap_or("").bytes() {
        value += f64::from(b - b'0') * scale;
        scale /= 10.0;
    }
    Some(saturate(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example instant.
    const RFC_EXAMPLE_MS: f64 = 784_111_777_000.0;

    fn response(status: u16) -> Attempt {
        Attempt::Response {
            status,
            retry_after: None,
            retry_at: None,
            retry_after_ms: None,
        }
    }

    fn with_retry_after(status: u16, value: &str) -> Attempt {
        Attempt::Response {
            status,
            retry_after: Some(value.to_owned()),
            retry_at: None,
            retry_after_ms: None,
        }
    }

    fn retry(delay_ms: f64, pause_limiter: bool) -> Decision {
        Decision::RetryAfter {
            delay_ms,
            pause_limiter,
        }
    }

    const GIVE_UP: Decision = Decision::GiveUp {
        retry_after_ms: None,
    };

    #[test]
    fn defaults_match_the_documented_options() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, 2);
        assert_eq!(p.base_delay_ms, 500.0);
        assert_eq!(p.max_delay_ms, 8000.0);
        assert_eq!(p.max_retry_after_ms, 60_000.0);
        assert_eq!(p.default_rate_limit_pause_ms, 1000.0);
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_negative_nan_and_infinite_durations() {
        let d = RetryPolicy::default();
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            for (name, p) in [
                (
                    "baseDelayMs",
                    RetryPolicy {
                        base_delay_ms: bad,
                        ..d.clone()
                    },
                ),
                (
                    "maxDelayMs",
                    RetryPolicy {
                        max_delay_ms: bad,
                        ..d.clone()
                    },
                ),
                (
                    "maxRetryAfterMs",
                    RetryPolicy {
                        max_retry_after_ms: bad,
                        ..d.clone()
                    },
                ),
                (
                    "defaultRateLimitPauseMs",
                    RetryPolicy {
                        default_rate_limit_pause_ms: bad,
                        ..d.clone()
                    },
                ),
            ] {
                let err = p.validate().unwrap_err();
                assert!(err.contains(name), "{err}");
            }
        }
        let zero = RetryPolicy {
            max_retries: 0,
            base_delay_ms: 0.0,
            max_delay_ms: 0.0,
            max_retry_after_ms: 0.0,
            default_rate_limit_pause_ms: 0.0,
        };
        assert_eq!(zero.validate(), Ok(()));
    }

    #[test]
    fn idempotent_methods_in_any_case() {
        for m in ["GET", "get", "Head", "PUT", "delete", "OPTIONS"] {
            assert!(is_idempotent(m), "{m}");
        }
        for m in ["POST", "PATCH", "CONNECT", "TRACE", "", "GETS", "GE"] {
            assert!(!is_idempotent(m), "{m}");
        }
    }

    #[test]
    fn success_and_redirects_are_done() {
        let p = RetryPolicy::default();
        for status in [200, 201, 204, 299, 301, 302, 304, 399] {
            assert_eq!(
                p.decide("GET", 0, &response(status), 0.0, 0.5),
                Decision::Done
            );
        }
    }

    #[test]
    fn client_errors_are_never_retried() {
        let p = RetryPolicy::default();
        for status in [400, 401, 403, 404, 405, 409, 410, 413, 422, 451, 499] {
            for method in ["GET", "POST", "PUT"] {
                assert_eq!(
                    p.decide(method, 0, &with_retry_after(status, "1"), 0.0, 0.5),
                    GIVE_UP,
                    "{method} {status}"
                );
            }
        }
    }

    #[test]
    fn impossible_statuses_give_up() {
        let p = RetryPolicy::default();
        for status in [0, 99, 100, 199, 600, 999, u16::MAX] {
            assert_eq!(p.decide("GET", 0, &response(status), 0.0, 0.5), GIVE_UP);
        }
    }

    #[test]
    fn rate_limit_is_retried_for_any_method_and_pauses_the_limiter() {
        let p = RetryPolicy::default();
        for method in ["GET", "POST", "PATCH"] {
            assert_eq!(
                p.decide(method, 0, &with_retry_after(429, "7"), 0.0, 0.5),
                retry(7000.0, true)
            );
            // No header: the default pause, not backoff.
            assert_eq!(
                p.decide(method, 1, &response(429), 0.0, 0.5),
                retry(1000.0, true)
            );
        }
    }

    #[test]
    fn rate_limit_out_of_retries_gives_up_with_the_server_delay() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide("GET", 2, &with_retry_after(429, "7"), 0.0, 0.5),
            Decision::GiveUp {
                retry_after_ms: Some(7000.0)
            }
        );
        assert_eq!(p.decide("GET", 2, &response(429), 0.0, 0.5), GIVE_UP);
    }

    #[test]
    fn retry_after_beyond_the_cap_rejects_at_once() {
        let p = RetryPolicy::default();
        for status in [429, 503] {
            assert_eq!(
                p.decide("GET", 0, &with_retry_after(status, "61"), 0.0, 0.5),
                Decision::GiveUp {
                    retry_after_ms: Some(61_000.0)
                }
            );
        }
        // Exactly the cap still waits.
        assert_eq!(
            p.decide("GET", 0, &with_retry_after(429, "60"), 0.0, 0.5),
            retry(60_000.0, true)
        );
    }

    #[test]
    fn retry_after_ms_is_preferred_and_also_capped() {
        let p = RetryPolicy::default();
        let both = Attempt::Response {
            status: 429,
            retry_after: Some("30".to_owned()),
            retry_at: None,
            retry_after_ms: Some("250".to_owned()),
        };
        assert_eq!(p.decide("POST", 0, &both, 0.0, 0.5), retry(250.0, true));
        let big = Attempt::Response {
            status: 503,
            retry_after: None,
            retry_at: None,
            retry_after_ms: Some("60001".to_owned()),
        };
        assert_eq!(
            p.decide("GET", 0, &big, 0.0, 0.5),
            Decision::GiveUp {
                retry_after_ms: Some(60_001.0)
            }
        );
        let junk = Attempt::Response {
            status: 503,
            retry_after: Some("2".to_owned()),
            retry_at: None,
            retry_after_ms: Some("-5".to_owned()),
        };
        assert_eq!(p.decide("GET", 0, &junk, 0.0, 0.5), retry(2000.0, false));
    }

    #[test]
    fn transient_failures_are_retried_for_idempotent_methods_with_backoff() {
        let p = RetryPolicy::default();
        let transient = [
            response(408),
            response(500),
            response(502),
            response(503),
            response(599),
            Attempt::NetworkError,
            Attempt::Timeout,
        ];
        for attempt in &transient {
            assert_eq!(p.decide("GET", 0, attempt, 0.0, 0.5), retry(250.0, false));
            assert_eq!(p.decide("PUT", 1, attempt, 0.0, 0.5), retry(500.0, false));
            assert_eq!(p.decide("DELETE", 1, attempt, 0.0, 0.0), retry(0.0, false));
            assert_eq!(p.decide("GET", 2, attempt, 0.0, 0.5), GIVE_UP);
            assert_eq!(p.decide("POST", 0, attempt, 0.0, 0.5), GIVE_UP);
            assert_eq!(p.decide("PATCH", 0, attempt, 0.0, 0.5), GIVE_UP);
        }
    }

    #[test]
    fn server_delay_wins_over_backoff_for_5xx() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide("GET", 0, &with_retry_after(503, "3"), 0.0, 0.5),
            retry(3000.0, false)
        );
        // Unparseable: fall back to backoff.
        assert_eq!(
            p.decide("GET", 0, &with_retry_after(503, "later"), 0.0, 0.5),
            retry(250.0, false)
        );
        // A POST still is not retried, but the error learns when to come back.
        assert_eq!(
            p.decide("POST", 0, &with_retry_after(503, "3"), 0.0, 0.5),
            Decision::GiveUp {
                retry_after_ms: Some(3000.0)
            }
        );
    }

    #[test]
    fn zero_retries_never_retry() {
        let p = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(p.decide("GET", 0, &response(429), 0.0, 0.5), GIVE_UP);
        assert_eq!(p.decide("GET", 0, &Attempt::Timeout, 0.0, 0.5), GIVE_UP);
    }

    #[test]
    fn backoff_doubles_and_is_capped_and_clamps_jitter() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ms(0, 0.999), 499.5);
        assert_eq!(p.backoff_ms(3, 0.5), 2000.0);
        assert_eq!(p.backoff_ms(4, 0.5), 4000.0);
        assert_eq!(p.backoff_ms(5, 0.5), 4000.0);
        assert_eq!(p.backoff_ms(u32::MAX, 1.0), 8000.0);
        assert_eq!(p.backoff_ms(0, -3.0), 0.0);
        assert_eq!(p.backoff_ms(0, f64::NAN), 0.0);
        assert_eq!(p.backoff_ms(0, 7.0), 500.0);
        let zero = RetryPolicy {
            base_delay_ms: 0.0,
            ..RetryPolicy::default()
        };
        assert_eq!(zero.backoff_ms(u32::MAX, 0.9), 0.0);
        let broken = RetryPolicy {
            base_delay_ms: f64::NAN,
            max_delay_ms: f64::NAN,
            ..RetryPolicy::default()
        };
        assert_eq!(broken.backoff_ms(3, 0.5), 0.0);
    }

    #[test]
    fn delta_seconds() {
        assert_eq!(parse_retry_after("0"), Some(0.0));
        assert_eq!(parse_retry_after(" 42 "), Some(42_000.0));
        assert_eq!(parse_retry_after("0.25"), Some(250.0));
        assert_eq!(parse_retry_after("007"), Some(7000.0));
        for bad in [
            "",
            " ",
            "-1",
            "+1",
            "1e3",
            ".5",
            "5.",
            "1.2.3",
            "inf",
            "NaN",
            "1 2",
            "0x10",
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad), None, "{bad:?}");
        }
        let huge = "9".repeat(400);
        assert_eq!(parse_retry_after(&huge), Some(f64::MAX));
    }

    fn with_date(status: u16, at: f64) -> Attempt {
        Attempt::Response {
            status,
            // The header as it came: only the instant the shell read from it counts.
            retry_after: Some("Sun, 06 Nov 1994 08:49:37 GMT".to_owned()),
            retry_at: Some(at),
            retry_after_ms: None,
        }
    }

    #[test]
    fn a_date_is_the_wait_until_it_by_the_given_clock() {
        let p = RetryPolicy::default();
        let at = RFC_EXAMPLE_MS;
        assert_eq!(
            p.decide("GET", 0, &with_date(429, at), at - 5000.0, 0.5),
            retry(5000.0, true)
        );
        assert_eq!(
            p.decide("GET", 0, &with_date(503, at), at - 1.0, 0.5),
            retry(1.0, false)
        );
        // In the past, or now: no wait.
        for now in [at, at + 1.0, f64::MAX] {
            assert_eq!(
                p.decide("GET", 0, &with_date(429, at), now, 0.5),
                retry(0.0, true)
            );
        }
        // Beyond the cap: reject at once, with the wait.
        assert_eq!(
            p.decide("GET", 0, &with_date(429, at), at - 61_000.0, 0.5),
            Decision::GiveUp {
                retry_after_ms: Some(61_000.0)
            }
        );
        // A POST after a 503 is not retried, but learns when to come back.
        assert_eq!(
            p.decide("POST", 0, &with_date(503, at), at - 3000.0, 0.5),
            Decision::GiveUp {
                retry_after_ms: Some(3000.0)
            }
        );
    }

    #[test]
    fn delay_seconds_and_retry_after_ms_come_before_a_date() {
        assert_eq!(
            server_delay_ms(Some("7"), Some(RFC_EXAMPLE_MS), None, 0.0),
            Some(7000.0)
        );
        assert_eq!(
            server_delay_ms(Some("x"), Some(9000.0), Some("250"), 0.0),
            Some(250.0)
        );
        assert_eq!(
            server_delay_ms(Some("x"), Some(9000.0), Some("-1"), 0.0),
            Some(9000.0)
        );
        assert_eq!(server_delay_ms(None, Some(9000.0), None, 0.0), Some(9000.0));
    }

    #[test]
    fn a_date_or_a_clock_that_is_not_a_number_is_no_delay() {
        let p = RetryPolicy::default();
        for (at, now) in [
            (f64::NAN, 0.0),
            (f64::INFINITY, 0.0),
            (f64::NEG_INFINITY, 0.0),
            (RFC_EXAMPLE_MS, f64::NAN),
            (RFC_EXAMPLE_MS, f64::INFINITY),
        ] {
            assert_eq!(delay_until(at, now), None, "{at} {now}");
            // Backoff, as without the header.
            assert_eq!(
                p.decide("GET", 0, &with_date(503, at), now, 0.5),
                retry(250.0, false)
            );
        }
        // Finite but far apart: saturated, never infinite.
        assert_eq!(delay_until(f64::MAX, -f64::MAX), Some(f64::MAX));
    }
}
