//! Verifying a webhook delivery (Svix / Standard Webhooks), as plain Rust.
//!
//! Conveyor sends its events through Svix. A delivery carries three headers — an id, a Unix
//! timestamp in seconds and one or more signatures — and is genuine when one `v1,` signature
//! is the base64 HMAC-SHA256, keyed with the decoded secret, of `id.timestamp.body`, and the
//! timestamp is within a tolerance of now (so a captured delivery cannot be replayed later).
//!
//! This module holds every decision that needs no JS: which headers to read, their bounds,
//! the timestamp window (with the clock injected), decoding the secret and the signature
//! list, and the constant-time comparison. The HMAC itself is the platform's WebCrypto,
//! called from `webhook_shell`.

use crate::errors::{Error, ErrorKind};
use crate::text::{cat, Cat};
use alloc::string::String;

/// How far the timestamp may be from now, either way, unless the caller says otherwise.
pub const DEFAULT_TOLERANCE_SEC: u64 = 300;
/// The longest message id read. Svix ids are about 30 characters; a bound keeps a hostile
/// header out of memory.
pub const MAX_ID_LEN: usize = 256;
/// The longest signature header read: room for over a hundred signatures (a secret being
/// rotated has two).
pub const MAX_SIGNATURE_HEADER_LEN: usize = 8 * 1024;
/// The longest timestamp header read (seconds since 1970 have 10 digits until 2286).
pub const MAX_TIMESTAMP_LEN: usize = 20;
/// The longest secret read; Svix secrets decode to 24 to 64 bytes.
pub const MAX_SECRET_LEN: usize = 1024;
/// The length of an HMAC-SHA256 (32 bytes) in padded base64, as Svix writes it.
pub const MAC_BASE64_LEN: usize = 44;

/// Svix's header names, then the Standard Webhooks ones, in the order they are tried.
pub const HEADER_SETS: [HeaderNames; 2] = [
    HeaderNames {
        id: "svix-id",
        timestamp: "svix-timestamp",
        signature: "svix-signature",
    },
    HeaderNames {
        id: "webhook-id",
        timestamp: "webhook-timestamp",
        signature: "webhook-signature",
    },
];

/// The three header names of one scheme, lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderNames {
    /// The message id header.
    pub id: &'static str,
    /// The Unix-seconds timestamp header.
    pub timestamp: &'static str,
    /// The space-separated signature list header.
    pub signature: &'static str,
}

fn fail(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error::new(kind, message)
}

/// The headers of a delivery, read and bounded, not yet checked against a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message id (also the idempotency key: a redelivery has the same id).
    pub id: String,
    /// The timestamp, seconds since 1970.
    pub timestamp: i64,
    /// The `v1` signatures found, their base64 texts one after the other (each is
    /// [`MAC_BASE64_LEN`] long); other versions are skipped. One string, so it crosses to
    /// JS and back as it is while WebCrypto computes the MAC.
    pub signatures: String,
}

impl Delivery {
    /// Reads the delivery headers from `headers`.
    ///
    /// The Svix names are used when any of them is present, else the Standard Webhooks
    /// names; a scheme is never mixed with the other.
    pub fn read(headers: &mut impl HeaderSource) -> Result<Delivery, Error> {
        let [svix, standard] = HEADER_SETS;
        // Whether a header was sent at all: asked with no room, a sent one is never copied.
        let mut has = |name| !matches!(headers.get(name, 0), HeaderValue::Absent);
        let names = if !has(svix.id)
            && !has(svix.timestamp)
            && !has(svix.signature)
            && (has(standard.id) || has(standard.timestamp) || has(standard.signature))
        {
            standard
        } else {
            svix
        };
        let mut value = |name: &'static str, max: usize| match headers.get(name, max) {
            HeaderValue::Absent => Err(fail(
                ErrorKind::WebhookMissingHeader,
                [
                    "the webhook has no `",
                    name,
                    "` header: pass the request's headers as received",
                ]
                .cat(),
            )),
            HeaderValue::Present(v) if v.trim().is_empty() => Err(fail(
                ErrorKind::WebhookMissingHeader,
                ["the webhook's `", name, "` header is empty"].cat(),
            )),
            HeaderValue::Present(v) => Ok(Some(v)),
            HeaderValue::TooLong => Ok(None),
        };
        let id = value(names.id, MAX_ID_LEN)?;
        let timestamp = value(names.timestamp, MAX_TIMESTAMP_LEN)?;
        let signature = value(names.signature, MAX_SIGNATURE_HEADER_LEN)?;
        let id = id.ok_or_else(|| {
            fail(
                ErrorKind::WebhookBadSignature,
                // The bound's digits written out (a test pins them to it): one argument less.
                [
                    "the webhook's `",
                    names.id,
                    "` header is longer than 256 characters",
                ]
                .cat(),
            )
        })?;
        let timestamp = timestamp
            .as_deref()
            .and_then(parse_timestamp)
            .ok_or_else(|| {
                fail(
                    ErrorKind::WebhookTimestampOutOfRange,
                    [
                        "the webhook's `",
                        names.timestamp,
                        "` header is not a Unix time in seconds",
                    ]
                    .cat(),
                )
            })?;
        let signature = signature.ok_or_else(|| {
            fail(
                ErrorKind::WebhookBadSignature,
                [
                    "the webhook's `",
                    names.signature,
                    "` header is longer than 8192 characters",
                ]
                .cat(),
            )
        })?;
        Ok(Delivery {
            id,
            timestamp,
            signatures: parse_signatures(&signature),
        })
    }

    /// What is signed before the body: `id.timestamp.` (the timestamp as a plain integer,
    /// which is how Svix formats it when it signs).
    pub fn signed_prefix(&self) -> String {
        cat!(&self.id, '.', self.timestamp, '.')
    }
}

/// Whether one of `signatures` (as [`Delivery::signatures`] holds them) is `expected` (the
/// MAC in padded base64), in time independent of where (or whether) they differ from it.
///
/// The base64 texts are compared, as Svix's own verifier does: the MAC is encoded once
/// instead of every signature being decoded.
pub fn is_signed_by(signatures: &str, expected: &str) -> bool {
    // Every signature is compared, matched or not, so the time taken says nothing about
    // which one matched.
    let mut found = false;
    for sig in signatures.as_bytes().chunks(MAC_BASE64_LEN) {
        found |= constant_time_eq(sig, expected.as_bytes());
    }
    found
}

/// Where headers are looked up: a `Headers` object or a plain object on the JS side, a
/// list in tests. Names are asked for in lower case; the lookup is case-insensitive.
pub trait HeaderSource {
    /// The header's value, unless it is longer than `max_len` characters (then it is not
    /// copied: a hostile header stays where it is).
    fn get(&mut self, name: &str, max_len: usize) -> HeaderValue;
}

/// One header as the source found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Not sent.
    Absent,
    /// Sent, and no longer than the bound asked for.
    Present(String),
    /// Sent, but longer than the bound: never copied.
    TooLong,
}

/// Parses a timestamp header: ASCII digits only (surrounding spaces allowed), at most 15.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    // By hand: `str::parse` would link the general integer parser for 15 ASCII digits.
    let mut v = 0i64;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(v)
}

/// Checks that `timestamp` is within `tolerance_sec` of `now_sec`, either way (a clock
/// ahead of ours is as suspect as a replay).
pub fn check_timestamp(timestamp: i64, now_sec: i64, tolerance_sec: u64) -> Result<(), Error> {
    let skew = now_sec.abs_diff(timestamp);
    if skew > tolerance_sec {
        let (how, dir) = if timestamp < now_sec {
            ("old", "behind")
        } else {
            ("new", "ahead of")
        };
        return Err(fail(
            ErrorKind::WebhookTimestampOutOfRange,
            cat!(
                "the webhook's timestamp is too ",
                how,
                ": ",
                skew,
                " s ",
                dir,
                " this clock, more than the ",
                tolerance_sec,
                " s tolerance (a replay, or a wrong clock)"
            ),
        ));
    }
    Ok(())
}

/// The `v1` signatures of a signature header (space-separated `version,base64` entries),
/// one after the other. Other versions are skipped, and so are entries that cannot be a
/// padded base64 MAC (no other length can equal one).
pub fn parse_signatures(header: &str) -> String {
    let mut out = String::new();
    for entry in header.split(' ') {
        if let Some(b64) = entry.strip_prefix("v1,") {
            if b64.len() == MAC_BASE64_LEN {
                out.push_str(b64);
            }
        }
    }
    out
}

/// The base64 part of a signing secret: `whsec_<base64>` as Conveyor shows it, or the
/// bare base64. Decoding it is the platform's `atob`; this refuses what is plainly not a
/// secret, and what `atob` would silently accept (whitespace inside).
pub fn secret_base64(secret: &str) -> Result<&str, Error> {
    if secret.len() > MAX_SECRET_LEN {
        return Err(secret_too_long());
    }
    let b64 = secret.trim();
    let b64 = b64.strip_prefix("whsec_").unwrap_or(b64);
    if b64.is_empty() {
        return Err(bad_secret("is empty"));
    }
    for b in b64.bytes() {
        if !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')) {
            return Err(bad_secret("is not base64"));
        }
    }
    Ok(b64)
}

/// The error for a secret that cannot be used; `why` never quotes it.
pub fn bad_secret(why: &str) -> Error {
    fail(
        ErrorKind::WebhookBadSecret,
        [
            "the webhook secret ",
            why,
            ": pass it as shown in Conveyor (`whsec_` and base64)",
        ]
        .cat(),
    )
}

/// The error for a secret of more than [`MAX_SECRET_LEN`] characters (its digits written
/// out, which a test pins to it: no formatting).
pub fn secret_too_long() -> Error {
    bad_secret("is longer than 1024 characters")
}

/// Compares two equal-length byte strings in time that depends only on their length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    // black_box keeps the optimiser from turning the fold into an early-exit comparison.
    core::hint::black_box(diff) == 0
}

/// The error for a delivery none of whose `signatures` matched.
pub fn no_match(signatures: &str) -> Error {
    let why = if signatures.is_empty() {
        "carries no `v1` signature"
    } else {
        "has no signature that matches its body with this secret"
    };
    fail(
        ErrorKind::WebhookBadSignature,
        [
            "the webhook ",
            why,
            ": check the secret, and verify the raw body exactly as received (not parsed and re-serialised JSON)",
        ]
        .cat(),
    )
}

/// The error for a body that is signed but not a JSON event.
pub fn bad_payload(why: &str) -> Error {
    fail(
        ErrorKind::WebhookBadPayload,
        ["the webhook body ", why].cat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers as a list of lower-case names and values.
    pub(super) struct List<'a>(pub &'a [(&'a str, &'a str)]);

    impl HeaderSource for List<'_> {
        fn get(&mut self, name: &str, max_len: usize) -> HeaderValue {
            match self.0.iter().find(|(k, _)| *k == name) {
                None => HeaderValue::Absent,
                Some((_, v)) if v.chars().count() > max_len => HeaderValue::TooLong,
                Some((_, v)) => HeaderValue::Present((*v).to_owned()),
            }
        }
    }

    fn headers<'a>(pairs: &'a [(&'a str, &'a str)]) -> List<'a> {
        List(pairs)
    }

    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn reads_svix_headers() {
        let d = Delivery::read(&mut headers(&[
            ("svix-id", "msg_1"),
            ("svix-timestamp", "1614265330"),
            ("svix-signature", SIG),
        ]))
        .unwrap();
        assert_eq!(d.id, "msg_1");
        assert_eq!(d.timestamp, 1614265330);
        assert_eq!(d.signatures, SIG[3..]);
        assert_eq!(d.signed_prefix(), "msg_1.1614265330.");
    }

    #[test]
    fn reads_standard_webhooks_headers_and_never_mixes_schemes() {
        let d = Delivery::read(&mut headers(&[
            ("webhook-id", "msg_2"),
            ("webhook-timestamp", "5"),
            ("webhook-signature", SIG),
        ]))
        .unwrap();
        assert_eq!(d.id, "msg_2");
        let e = Delivery::read(&mut headers(&[
            ("svix-id", "msg_2"),
            ("webhook-timestamp", "5"),
            ("webhook-signature", SIG),
        ]))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::WebhookMissingHeader);
        assert!(e.message.contains("svix-timestamp"), "{}", e.message);
    }

    #[test]
    fn missing_and_empty_headers() {
        let e = Delivery::read(&mut headers(&[])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::WebhookMissingHeader);
        assert!(e.message.contains("svix-id"));
        let e = Delivery::read(&mut headers(&[
            ("svix-id", "m"),
            ("svix-timestamp", "5"),
            ("svix-signature", "  "),
        ]))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::WebhookMissingHeader);
    }

    #[test]
    fn oversized_headers_are_rejected_without_being_read() {
        let long = "x".repeat(MAX_SIGNATURE_HEADER_LEN + 1);
        let e = Delivery::read(&mut headers(&[
            ("svix-id", "m"),
            ("svix-timestamp", "5"),
            ("svix-signature", &long),
        ]))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::WebhookBadSignature);
        assert_eq!(
            e.message,
            format!("the webhook's `svix-signature` header is longer than {MAX_SIGNATURE_HEADER_LEN} characters")
        );
        let id = "i".repeat(MAX_ID_LEN + 1);
        let e = Delivery::read(&mut headers(&[
            ("svix-id", &id),
            ("svix-timestamp", "5"),
            ("svix-signature", SIG),
        ]))
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::WebhookBadSignature);
        assert_eq!(
            e.message,
            format!("the webhook's `svix-id` header is longer than {MAX_ID_LEN} characters")
        );
        assert_eq!(
            secret_base64(&"A".repeat(MAX_SECRET_LEN + 1)).unwrap_err().message,
            format!("the webhook secret is longer than {MAX_SECRET_LEN} characters: pass it as shown in Conveyor (`whsec_` and base64)")
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp(" 1614265330 "), Some(1614265330));
        for bad in [
            "",
            "-5",
            "+5",
            "1.5",
            "5s",
            "0x10",
            "9999999999999999",
            "١٢",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert!(check_timestamp(1000, 1300, 300).is_ok());
        assert!(check_timestamp(1600, 1300, 300).is_ok());
        let old = check_timestamp(999, 1300, 300).unwrap_err();
        assert_eq!(old.kind, ErrorKind::WebhookTimestampOutOfRange);
        assert!(old.message.contains("too old"));
        let new = check_timestamp(1601, 1300, 300).unwrap_err();
        assert_eq!(new.message, "the webhook's timestamp is too new: 301 s ahead of this clock, more than the 300 s tolerance (a replay, or a wrong clock)");
        assert_eq!(old.message, "the webhook's timestamp is too old: 301 s behind this clock, more than the 300 s tolerance (a replay, or a wrong clock)");
        assert!(check_timestamp(i64::MAX, i64::MIN, u64::MAX).is_ok());
    }

    #[test]
    fn signature_lists_keep_only_v1_macs() {
        let mac = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        let unpadded = mac.trim_end_matches('=');
        let header = format!(
            "v2,{mac} v1,{mac}  v1,short v1,{unpadded} v1a,{mac} {mac} v1,{mac}AAAA v1,{mac}"
        );
        assert_eq!(parse_signatures(&header), format!("{mac}{mac}"));
    }

    #[test]
    fn secrets() {
        assert_eq!(secret_base64("whsec_AAEC").unwrap(), "AAEC");
        assert_eq!(secret_base64(" AAEC\n").unwrap(), "AAEC");
        for bad in [
            "",
            "whsec_",
            "whsec_!!!!",
            "whsec_AA EC",
            "whsec_AA\nEC",
            &"A".repeat(MAX_SECRET_LEN + 1),
        ] {
            let e = secret_base64(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::WebhookBadSecret, "{bad}");
            if bad.len() > 3 && bad != "whsec_" {
                assert!(!e.message.contains(bad), "the secret is not in the message");
            }
        }
    }

    #[test]
    fn matching_is_any_of_the_signatures() {
        let (a, b) = ("a".repeat(MAC_BASE64_LEN), "b".repeat(MAC_BASE64_LEN));
        let both = format!("{a}{b}");
        assert!(is_signed_by(&both, &b));
        assert!(is_signed_by(&both, &a));
        assert!(!is_signed_by(&both, &"c".repeat(MAC_BASE64_LEN)));
        assert!(!is_signed_by(&both, &b[1..]));
        assert!(!is_signed_by(&both, &both));
        assert!(!is_signed_by("", &a));
        assert!(no_match(&both)
            .message
            .contains("no signature that matches"));
        assert!(no_match("").message.contains("carries no `v1` signature"));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod props {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn constant_time_eq_is_equality(a in proptest::collection::vec(any::<u8>(), 0..40),
                                        b in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(constant_time_eq(&a, &b), a == b);
            prop_assert!(constant_time_eq(&a, &a));
        }

        #[test]
        fn every_encoded_secret_is_accepted_with_or_without_prefix(key in proptest::collection::vec(any::<u8>(), 1..64)) {
            let b64 = STANDARD.encode(&key);
            let prefixed = format!("whsec_{b64}");
            prop_assert_eq!(secret_base64(&prefixed).unwrap(), b64.as_str());
            prop_assert_eq!(secret_base64(&b64).unwrap(), b64.as_str());
        }

        #[test]
        fn the_window_is_symmetric_and_inclusive(now in -1_000_000_000i64..4_000_000_000, skew in 0i64..10_000, tol in 0u64..5_000) {
            let inside = skew as u64 <= tol;
            prop_assert_eq!(check_timestamp(now - skew, now, tol).is_ok(), inside);
            prop_assert_eq!(check_timestamp(now + skew, now, tol).is_ok(), inside);
        }

        #[test]
        fn every_v1_mac_in_a_list_is_found(macs in proptest::collection::vec(any::<[u8; 32]>(), 0..6),
                                           noise in proptest::collection::vec("[a-zA-Z0-9+/=,]{0,50}", 0..6)) {
            let mut entries: Vec<String> = macs.iter().map(|m| format!("v1,{}", STANDARD.encode(m))).collect();
            entries.extend(noise.iter().filter(|n| !n.starts_with("v1,")).cloned());
            entries.extend(macs.iter().map(|m| format!("v2,{}", STANDARD.encode(m))));
            let parsed = parse_signatures(&entries.join(" "));
            let expected: String = macs.iter().map(|m| STANDARD.encode(m)).collect();
            prop_assert_eq!(&parsed, &expected);
            for m in &macs {
                prop_assert!(is_signed_by(&parsed, &STANDARD.encode(m)));
            }
        }

        #[test]
        fn reading_any_headers_never_panics(id in ".{0,300}", ts in ".{0,30}", sig in ".{0,200}") {
            let pairs = [("svix-id", id.as_str()), ("svix-timestamp", ts.as_str()), ("svix-signature", sig.as_str())];
            let _ = Delivery::read(&mut super::tests::List(&pairs));
        }
    }
}
