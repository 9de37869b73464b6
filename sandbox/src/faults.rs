//! Faults on demand: `X-Sandbox-Fault: <spec>` (or `--fault <spec>`), a `;`-separated list
//! of directives; see README.md.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// What the response turns into, besides an optional latency.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Answer this status with a JSON error body.
    Status(u16),
    /// 429; `Retry-After` absent, in seconds, or an HTTP date that many seconds ahead.
    RateLimit(Option<u64>),
    RateLimitDate(u64),
    /// Close the connection without a response.
    Reset,
    /// 200 with the first half of the real JSON body.
    Truncated,
    /// 200 `{not json`.
    Malformed,
    /// 200 `{"unexpected":true}`.
    WrongShape,
    /// The real response, its body dripped out over this many milliseconds.
    Drip(u64),
    /// The real response's headers and the first half of its body at once, then nothing
    /// for this many milliseconds, then the rest: a body-phase stall.
    StallBody(u64),
    /// 302 to this URL.
    Redirect(String),
}

/// A parsed fault spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultSpec {
    /// The spec as given (trimmed): with the fault id, the key of the `times` counter.
    pub raw: String,
    pub latency: Option<Duration>,
    pub mode: Option<Mode>,
    pub times: Option<u64>,
}

const MAX_LATENCY_MS: u64 = 120_000;

impl FaultSpec {
    pub fn parse(spec: &str) -> Result<FaultSpec, String> {
        let mut out = FaultSpec {
            raw: spec.trim().to_owned(),
            ..FaultSpec::default()
        };
        for part in spec.split(';') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (part, None),
            };
            let num = |what: &str| -> Result<u64, String> {
                value
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| format!("fault directive `{what}` needs a whole number"))
            };
            let mode = match name {
                "latency" => {
                    out.latency = Some(Duration::from_millis(num("latency")?.min(MAX_LATENCY_MS)));
                    None
                }
                "times" => {
                    out.times = Some(num("times")?);
                    None
                }
                "status" => {
                    let code = num("status")?;
                    if !(200..=599).contains(&code) {
                        return Err(format!("fault status must be 200..599, got {code}"));
                    }
                    Some(Mode::Status(code as u16))
                }
                "rate_limit" => match value {
                    None => Some(Mode::RateLimit(None)),
                    Some(_) => Some(Mode::RateLimit(Some(num("rate_limit")?))),
                },
                "rate_limit_date" => Some(Mode::RateLimitDate(num("rate_limit_date")?)),
                "reset" => Some(Mode::Reset),
                "truncated" => Some(Mode::Truncated),
                "malformed" => Some(Mode::Malformed),
                "wrong_shape" => Some(Mode::WrongShape),
                "drip" => Some(Mode::Drip(num("drip")?.min(MAX_LATENCY_MS))),
                "stall_body" => Some(Mode::StallBody(num("stall_body")?.min(MAX_LATENCY_MS))),
                "redirect" => match value {
                    Some(url) if !url.is_empty() && !url.contains(['\r', '\n']) => {
                        Some(Mode::Redirect(url.to_owned()))
                    }
                    _ => return Err("fault directive `redirect` needs a URL".into()),
                },
                other => return Err(format!("unknown fault directive `{other}`")),
            };
            if let Some(m) = mode {
                if out.mode.is_some() {
                    return Err("a fault spec takes at most one response directive".into());
                }
                out.mode = Some(m);
            }
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.latency.is_none() && self.mode.is_none()
    }
}

/// Counts requests per (spec, fault id) for `times=N`.
#[derive(Default)]
pub struct TimesCounter {
    seen: Mutex<HashMap<(String, String), u64>>,
}

impl TimesCounter {
    /// Whether this request, carrying `spec` and `fault_id`, gets the fault.
    pub fn applies(&self, spec: &FaultSpec, fault_id: &str) -> bool {
        let Some(n) = spec.times else { return true };
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let count = seen
            .entry((spec.raw.clone(), fault_id.to_owned()))
            .or_insert(0);
        *count += 1;
        *count <= n
    }

    pub fn clear(&self) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = FaultSpec::parse("latency=20; status=503;times=2").unwrap_or_default();
        assert_eq!(s.latency, Some(Duration::from_millis(20)));
        assert_eq!(s.mode, Some(Mode::Status(503)));
        assert_eq!(s.times, Some(2));
        assert_eq!(
            FaultSpec::parse("stall_body=5000").map(|s| s.mode),
            Ok(Some(Mode::StallBody(5000)))
        );
        assert_eq!(
            FaultSpec::parse("rate_limit").map(|s| s.mode),
            Ok(Some(Mode::RateLimit(None)))
        );
        assert_eq!(
            FaultSpec::parse("redirect=http://other.example/x?a=b").map(|s| s.mode),
            Ok(Some(Mode::Redirect("http://other.example/x?a=b".into())))
        );
        for bad in [
            "status=abc",
            "status=99",
            "bogus",
            "drip",
            "stall_body",
            "reset;malformed",
            "redirect=",
        ] {
            assert!(FaultSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_counts_per_spec_and_id() {
        let c = TimesCounter::default();
        let s = FaultSpec::parse("status=500;times=2").unwrap_or_default();
        assert!(c.applies(&s, "a"));
        assert!(c.applies(&s, "a"));
        assert!(!c.applies(&s, "a"));
        assert!(c.applies(&s, "b"));
    }
}
