//! Command-line flags.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultSpec;

/// The fixtures directory of the source tree, so the binary works from any cwd.
pub const DEFAULT_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// A local HTTP server that behaves like the Conveyor API.
#[derive(Debug, Parser, Clone)]
#[command(name = "conveyor-sandbox", version, about)]
pub struct Cli {
    /// TCP port; 0 picks a free one (the first stdout line names it).
    #[arg(long, default_value_t = 4010)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Directory holding the JSON fixture files.
    #[arg(long, default_value = DEFAULT_FIXTURES)]
    pub fixtures: PathBuf,
    /// Keys file (default: keys.json in the fixtures directory).
    #[arg(long)]
    pub keys: Option<PathBuf>,
    /// Rate limit per key, LIMIT/SECONDS (fractional seconds allowed, e.g. 20/0.5).
    #[arg(long = "rate-limit", default_value = "2000/300", value_parser = parse_rate_limit)]
    pub rate_limit: RateLimit,
    /// Fault spec applied to every /api/v2 request that carries no X-Sandbox-Fault header.
    #[arg(long, value_parser = parse_fault)]
    pub fault: Option<FaultSpec>,
    /// Deliver a signed `access.requested` webhook here for every access request created
    /// through `POST /_sandbox/access_requests`.
    #[arg(long = "webhook-url", requires = "webhook_secret")]
    pub webhook_url: Option<String>,
    /// The signing secret for webhook deliveries: `whsec_` and base64.
    #[arg(long = "webhook-secret", requires = "webhook_url", value_parser = crate::webhooks::parse_secret)]
    pub webhook_secret: Option<crate::webhooks::Secret>,
    /// No per-request log line on stderr.
    #[arg(long)]
    pub quiet: bool,
}

/// At most `limit` requests in any rolling window of `window`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub limit: usize,
    pub window: Duration,
}

/// Parses `LIMIT/SECONDS`, e.g. `2000/300`, `50/2`, `20/0.5`.
pub fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    let (l, w) = s
        .split_once('/')
        .ok_or_else(|| format!("expected LIMIT/SECONDS, got {s:?}"))?;
    let limit: usize = l
        .trim()
        .parse()
        .map_err(|_| format!("LIMIT must be a positive integer, got {l:?}"))?;
    let secs: f64 = w
        .trim()
        .parse()
        .map_err(|_| format!("SECONDS must be a number, got {w:?}"))?;
    if limit == 0 {
        return Err("LIMIT must be at least 1".into());
    }
    if !secs.is_finite() || secs <= 0.0 || secs > 1e9 {
        return Err(format!("SECONDS must be positive, got {w:?}"));
    }
    Ok(RateLimit {
        limit,
        window: Duration::from_secs_f64(secs),
    })
}

fn parse_fault(s: &str) -> Result<FaultSpec, String> {
    FaultSpec::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits() {
        assert_eq!(
            parse_rate_limit("2000/300"),
            Ok(RateLimit {
                limit: 2000,
                window: Duration::from_secs(300)
            })
        );
        assert_eq!(
            parse_rate_limit("20/0.5").map(|r| r.window),
            Ok(Duration::from_millis(500))
        );
        for bad in ["", "20", "0/1", "20/0", "20/-1", "x/1", "20/nan", "20/inf"] {
            assert!(parse_rate_limit(bad).is_err(), "{bad}");
        }
    }
}
