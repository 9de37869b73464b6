//! Property tests for the pure core: retry policy, `Retry-After`, classification, URLs and
//! key checks. Each property is one of the guarantees the JS shell relies on, checked over
//! arbitrary input rather than the handful of cases the unit tests name.
#![cfg(not(target_arch = "wasm32"))]

use conveyor_client::classify::{classify_status, error_for_status};
use conveyor_client::errors::ErrorKind;
use conveyor_client::retry::{
    delay_until, is_idempotent, parse_retry_after, Attempt, Decision, RetryPolicy,
};
use conveyor_client::url::{
    check_api_key, is_loopback_host, is_secret_param, join, key_hint, redact_path, REDACTED,
};
use proptest::prelude::*;

/// A valid policy with arbitrary (finite, non-negative) durations.
fn policy() -> impl Strategy<Value = RetryPolicy> {
    (
        0u32..10,
        0.0..10_000.0f64,
        0.0..100_000.0f64,
        0.0..200_000.0f64,
        0.0..10_000.0f64,
    )
        .prop_map(|(max_retries, base, max_delay, cap, pause)| RetryPolicy {
            max_retries,
            base_delay_ms: base,
            max_delay_ms: max_delay,
            max_retry_after_ms: cap,
            default_rate_limit_pause_ms: pause,
        })
}

fn header() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        (0u32..1000).prop_map(|s| Some(s.to_string())),
        (0.0..1000.0f64).prop_map(|s| Some(format!("{s:.3}"))),
        any::<String>().prop_map(Some),
    ]
}

/// A `Retry-After` date's instant, as the shell hands it over (ms since the epoch).
fn instant() -> impl Strategy<Value = Option<f64>> {
    prop::option::of(-1e13..1e13f64)
}

fn attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        Just(Attempt::NetworkError),
        Just(Attempt::Timeout),
        (any::<u16>(), header(), instant(), header()).prop_map(
            |(status, retry_after, retry_at, retry_after_ms)| Attempt::Response {
                status,
                retry_after,
                retry_at,
                retry_after_ms,
            }
        ),
        (
            prop_oneof![Just(408u16), Just(429), 500u16..600],
            header(),
            instant(),
            header()
        )
            .prop_map(|(status, retry_after, retry_at, retry_after_ms)| {
                Attempt::Response {
                    status,
                    retry_after,
                    retry_at,
                    retry_after_ms,
                }
            }),
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("post".to_owned()),
        Just("PUT".to_owned()),
        Just("PATCH".to_owned()),
        Just("DELETE".to_owned()),
        "[A-Za-z]{0,8}",
    ]
}

/// Strings built from the characters that matter to URLs, plus anything at all.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof!["[./?#%&=+ \\\\a-z0-9A-F~_-]{0,24}", any::<String>(),]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_retry_after_never_panics_and_is_never_negative(s in any::<String>()) {
        if let Some(ms) = parse_retry_after(&s) {
            prop_assert!(ms.is_finite() && ms >= 0.0, "{ms}");
        }
    }

    #[test]
    fn date_like_strings_are_not_delay_seconds(
        s in "[A-Za-z]{0,9},? [0-9]{1,3}[ -][A-Za-z]{3}[ -][0-9]{1,5} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2} [A-Z]{0,4}",
    ) {
        prop_assert_eq!(parse_retry_after(&s), None);
    }

    #[test]
    fn delta_seconds_round_trip(n in any::<u32>()) {
        prop_assert_eq!(parse_retry_after(&n.to_string()), Some(f64::from(n) * 1000.0));
        prop_assert_eq!(parse_retry_after(&format!(" {n} ")), Some(f64::from(n) * 1000.0));
    }

    #[test]
    fn negative_numbers_are_never_a_delay(n in 1u32..) {
        prop_assert_eq!(parse_retry_after(&format!("-{n}")), None);
    }

    /// A date's instant is the wait from the clock until it, 0 once it has passed, for any
    /// instants and clocks a client meets.
    #[test]
    fn a_date_is_the_wait_until_it(at in -1e13..1e13f64, now in -1e13..1e13f64) {
        prop_assert_eq!(delay_until(at, now), Some((at - now).max(0.0)));
    }

    #[test]
    fn backoff_stays_within_zero_and_max_delay(p in policy(), i in any::<u32>(), jitter in any::<f64>()) {
        let d = p.backoff_ms(i, jitter);
        prop_assert!(d >= 0.0 && d <= p.max_delay_ms, "{d} not in [0, {}]", p.max_delay_ms);
    }

    #[test]
    fn every_delay_is_finite_non_negative_and_within_the_cap(
        p in policy(), m in method(), i in 0u32..12, a in attempt(), now in -1e13..1e13f64, jitter in 0.0..1.0f64,
    ) {
        match p.decide(&m, i, &a, now, jitter) {
            Decision::RetryAfter { delay_ms, pause_limiter } => {
                prop_assert!(delay_ms.is_finite() && delay_ms >= 0.0);
                prop_assert!(i < p.max_retries);
                let is_429 = matches!(a, Attempt::Response { status: 429, .. });
                prop_assert_eq!(pause_limiter, is_429);
                prop_assert!(delay_ms <= p.max_retry_after_ms.max(p.max_delay_ms).max(p.default_rate_limit_pause_ms));
            }
            Decision::GiveUp { retry_after_ms: Some(ms) } => prop_assert!(ms >= 0.0),
            Decision::GiveUp { retry_after_ms: None } | Decision::Done => {}
        }
    }

    #[test]
    fn retry_after_above_the_cap_never_retries(
        p in policy(), m in method(), i in 0u32..12, extra in 1u32..1_000_000, status in prop_oneof![Just(408u16), Just(429), 500u16..600],
        as_ms_header in any::<bool>(),
    ) {
        // Whole seconds strictly above the cap.
        let secs = (p.max_retry_after_ms / 1000.0).floor() as u64 + u64::from(extra);
        let (retry_after, retry_after_ms) = if as_ms_header {
            (None, Some((secs * 1000).to_string()))
        } else {
            (Some(secs.to_string()), None)
        };
        let a = Attempt::Response { status, retry_after, retry_at: None, retry_after_ms };
        let d = p.decide(&m, i, &a, 0.0, 0.5);
        prop_assert_eq!(d, Decision::GiveUp { retry_after_ms: Some(secs as f64 * 1000.0) });
    }

    #[test]
    fn non_idempotent_methods_never_retry_5xx_or_network_errors(
        p in policy(), m in "(POST|PATCH|post|patch|CONNECT|TRACE|[A-Z]{0,3})", i in 0u32..12,
        a in prop_oneof![
            Just(Attempt::NetworkError),
            Just(Attempt::Timeout),
            (prop_oneof![Just(408u16), 500u16..600], header(), instant(), header()).prop_map(|(status, retry_after, retry_at, retry_after_ms)| Attempt::Response { status, retry_after, retry_at, retry_after_ms }),
        ],
        jitter in 0.0..1.0f64,
    ) {
        prop_assume!(!is_idempotent(&m));
        let retried = matches!(p.decide(&m, i, &a, 0.0, jitter), Decision::RetryAfter { .. });
        prop_assert!(!retried);
    }

    #[test]
    fn out_of_retries_never_retries(p in policy(), m in method(), extra in 0u32..5, a in attempt()) {
        let retried = matches!(p.decide(&m, p.max_retries + extra, &a, 0.0, 0.5), Decision::RetryAfter { .. });
        prop_assert!(!retried);
    }

    #[test]
    fn plain_client_errors_never_retry(p in policy(), m in method(), i in 0u32..12, status in 400u16..500, ra in header()) {
        prop_assume!(status != 408 && status != 429);
        let a = Attempt::Response { status, retry_after: ra, retry_at: Some(1e12), retry_after_ms: None };
        let d = p.decide(&m, i, &a, 0.0, 0.5);
        prop_assert_eq!(d, Decision::GiveUp { retry_after_ms: None });
    }

    #[test]
    fn redact_path_never_leaves_a_secret_value(
        path in "(/[a-z0-9]{0,5}){0,3}",
        name_prefix in "[a-zA-Z_]{0,4}",
        secret_word in prop::sample::select(vec!["key", "token", "secret", "password", "signature", "api_key", "apikey", "auth", "authorization", "Api_Key", "ToKeN"]),
        name_suffix in "[a-zA-Z_]{0,4}",
        value in "[A-Za-z0-9!$'()*,;:@~._%+-]{6,30}",
        others in prop::collection::vec(("[a-z]{1,5}", "[A-Za-z0-9]{0,5}"), 0..4),
        at in 0usize..5,
        fragment in prop::option::of("[a-z=&]{0,10}"),
    ) {
        let name = format!("{name_prefix}{secret_word}{name_suffix}");
        // Otherwise the value would legitimately still appear, as part of the name or path.
        prop_assume!(!name.contains(&value) && !path.contains(&value));
        // The other params are not secret-looking and their values cannot contain the secret.
        let mut pairs: Vec<String> = others
            .iter()
            .filter(|(k, _)| !is_secret_param(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let at = at.min(pairs.len());
        pairs.insert(at, format!("{name}={value}"));
        let mut input = format!("{path}?{}", pairs.join("&"));
        if let Some(f) = fragment {
            input.push('#');
            input.push_str(&f);
        }
        let out = redact_path(&input);
        prop_assert!(!out.contains(&value), "{out}");
        let expected = format!("{name}={REDACTED}");
        prop_assert!(out.contains(&expected), "{}", out);
        prop_assert_eq!(redact_path(&out), out.clone());
    }

    #[test]
    fn redact_path_never_panics_and_is_idempotent(s in any::<String>()) {
        let once = redact_path(&s);
        prop_assert_eq!(redact_path(&once), once);
    }

    #[test]
    fn joined_paths_start_with_exactly_one_slash(base in tricky(), path in tricky()) {
        let j = join(&base, &path);
        prop_assert!(j.starts_with('/') && !j.starts_with("//"), "{j}");
    }

    #[test]
    fn classification_is_total_and_consistent(status in 0u16..=999, m in method(), p in tricky(), rid in prop::option::of(any::<String>())) {
        let kind = classify_status(status);
        prop_assert_eq!(kind.is_none(), (200..300).contains(&status));
        let e = error_for_status(status, &m, &p, rid.as_deref());
        prop_assert_eq!(e.as_ref().map(|e| e.kind), kind);
        if let Some(e) = e {
            prop_assert_eq!(e.status, Some(status));
            prop_assert_eq!(e.retryable, matches!(e.kind, ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout));
            prop_assert_eq!(e.request_id, rid);
        }
    }

    #[test]
    fn api_key_errors_never_contain_the_key(
        key in prop_oneof![
            "\\PC{6,40}",
            "[A-Za-z0-9_]{3,20}[ \t\r\n\u{0}\u{7f}é][A-Za-z0-9_]{3,20}",
            "[A-Za-z0-9]{513,600}",
            any::<String>().prop_filter("long enough to be recognisable", |s| s.chars().count() >= 6),
        ],
    ) {
        if let Err(msg) = check_api_key(&key) {
            prop_assert!(!msg.contains(&key), "{msg}");
        }
        let hint = key_hint(&key);
        prop_assert!(hint.chars().count() <= 5);
        prop_assert!(!hint.contains(&key));
    }

    #[test]
    fn accepted_keys_are_header_safe(key in any::<String>()) {
        if check_api_key(&key).is_ok() {
            prop_assert!(!key.is_empty() && key.len() <= 512);
            prop_assert!(key.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        }
    }
}

/// `is_loopback_host` as it was written over the standard library's address parsers, for any
/// spelling: the reference the crate's look at `URL`'s one spelling is checked against.
fn loopback_by_std(host: &str) -> bool {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.to_ascii_lowercase();
    let name = host.strip_suffix('.').unwrap_or(&host);
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.is_loopback();
    }
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback());
    }
    false
}

/// Eight groups biased towards the loopback and IPv4-mapped loopback addresses.
fn v6_groups() -> impl Strategy<Value = [u16; 8]> {
    let group = prop_oneof![3 => Just(0u16), 1 => Just(1u16), 1 => Just(0xffffu16), 1 => 0x7f00u16..0x7fff, 2 => any::<u16>()];
    prop_oneof![
        Just([0, 0, 0, 0, 0, 0, 0, 1]),
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| [
            0,
            0,
            0,
            0,
            0,
            0xffff,
            0x7f00 | (a & 0xff),
            b
        ]),
        // The seventh group near 0x7f00 written short: `7f`, `7fa`, `7f0a`.
        (
            prop_oneof![
                0x70u16..0x80,
                0x7f0u16..0x800,
                0x7f00u16..0x8000,
                any::<u16>()
            ],
            any::<u16>()
        )
            .prop_map(|(a, b)| [0, 0, 0, 0, 0, 0xffff, a, b]),
        // The same one group early: `::ffff:7f00:1:2`.
        (0x7f00u16..0x8000, any::<u16>(), 0u16..3)
            .prop_map(|(a, b, c)| [0, 0, 0, 0, 0xffff, a, b, c]),
        prop::array::uniform8(group),
    ]
}

/// An IPv6 address written any way a person or a parser might: padded or not, any case,
/// a run of groups shortened to `::` (or a wrong `::`), two groups as dotted IPv4 (the
/// last two, as allowed, or others, as not).
fn v6_text() -> impl Strategy<Value = String> {
    let dotted =
        prop_oneof![2 => Just(None), 2 => Just(Some(6usize)), 1 => (0usize..6).prop_map(Some)];
    (
        v6_groups(),
        prop::array::uniform8(0usize..5),
        any::<bool>(),
        dotted,
        0usize..9,
        0usize..9,
    )
        .prop_map(|(g, pad, upper, dotted, from, len)| {
            let mut parts: Vec<String> = g
                .iter()
                .zip(pad)
                .map(|(v, p)| {
                    let t = format!("{v:0p$x}");
                    if upper {
                        t.to_uppercase()
                    } else {
                        t
                    }
                })
                .collect();
            if let Some(i) = dotted {
                let [a, b] = g[i].to_be_bytes();
                let [c, d] = g[i + 1].to_be_bytes();
                parts.splice(i..i + 2, [format!("{a}.{b}.{c}.{d}")]);
            }
            let from = from.min(parts.len());
            let to = (from + len).min(parts.len());
            if len > 0 {
                let at_end = to == parts.len();
                parts.splice(from..to, [String::new()]);
                if from == 0 {
                    parts.insert(0, String::new());
                }
                if at_end {
                    parts.push(String::new());
                }
            }
            parts.join(":")
        })
}

/// Host-like text: real addresses as the standard library prints them, hand-written
/// variants, IPv4 with leading zeros or out-of-range octets, noise from the address
/// alphabet, and any of those with a few characters edited.
fn host_text() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        any::<u128>().prop_map(|n| std::net::Ipv6Addr::from(n).to_string()),
        v6_groups().prop_map(|g| std::net::Ipv6Addr::from(g).to_string()),
        v6_text(),
        any::<[u8; 4]>().prop_map(|o| std::net::Ipv4Addr::from(o).to_string()),
        (
            prop_oneof![Just(127u16), 0u16..300],
            0u16..300,
            0u16..1000,
            0u16..300
        )
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c:02}.{d}")),
        "[0-9a-fA-F:.]{0,45}",
        "[0-9:.fFx\\[\\]]{0,12}",
        Just("localhost".to_owned()),
    ];
    (
        base,
        prop::collection::vec(
            (
                0usize..64,
                prop::sample::select(vec![
                    "",
                    ":",
                    "::",
                    ".",
                    "0",
                    "1",
                    "f",
                    "[",
                    "]",
                    "7f",
                    "127.0.0.1",
                ]),
            ),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(|(mut s, edits, bracket)| {
            for (at, text) in edits {
                let at = at.min(s.len());
                if text.is_empty() {
                    if at < s.len() {
                        s.remove(at);
                    }
                } else {
                    s.insert_str(at, text);
                }
            }
            if bracket {
                format!("[{s}]")
            } else {
                s
            }
        })
}

/// `host` as a WHATWG `URL` writes it (`URL.hostname`), when `http://host/` parses: what
/// the constructor hands `is_loopback_host`. The `url` crate implements the same standard
/// as the runtimes' `URL`.
fn url_hostname(host: &str) -> Option<String> {
    let parsed = url::Url::parse(&format!("http://{host}/")).ok()?;
    parsed.host_str().map(str::to_owned)
}

/// IPv4 addresses written any way `URL` reads them: fewer than four parts, hex and octal
/// parts, one 32-bit number, a trailing dot, or a few dots too many.
fn v4_text() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        Just(127u32),
        Just(0u32),
        0u32..300,
        any::<u32>(),
        0x7f00_0000u32..0x8000_0000
    ];
    (
        prop::collection::vec((part, 0u8..3), 1..6),
        prop_oneof![3 => Just(""), 1 => Just("."), 1 => Just("..")],
    )
        .prop_map(|(parts, tail)| {
            let parts: Vec<String> = parts
                .iter()
                .map(|(n, radix)| match radix {
                    0 => n.to_string(),
                    1 => format!("0x{n:x}"),
                    _ => format!("0{n:o}"),
                })
                .collect();
            format!("{}{tail}", parts.join("."))
        })
}

/// Names near `localhost` and near an address: a label more or less, a number as a label.
fn name_text() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec![
        "localhost",
        "LocalHost",
        "local",
        "host",
        "127",
        "0",
        "1",
        "x",
        "evil",
        "",
        "a1",
        "0x7f",
        "xn--localhost",
        "ключ",
    ]);
    prop::collection::vec(label, 1..5).prop_map(|labels| labels.join("."))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    /// For every host `URL` can write, the check on that spelling answers as the standard
    /// library's address parsers do: however an address was typed, `http:` is allowed
    /// exactly for the loopback ones.
    #[test]
    fn loopback_matches_the_standard_parsers(
        host in prop_oneof![host_text().boxed(), v4_text().boxed(), name_text().boxed()],
    ) {
        for typed in [host.clone(), format!("[{host}]")] {
            if let Some(written) = url_hostname(&typed) {
                prop_assert_eq!(
                    is_loopback_host(&written),
                    loopback_by_std(&written),
                    "{:?} written {:?}", typed, written
                );
            }
        }
    }
}
