//! URL pieces, as plain Rust: checking and joining a caller's path, redaction, where a
//! response may come from, the `baseUrl` scheme policy and the API key checks.
//!
//! The JS shell parses whole URLs with the platform's `URL` and percent-encodes path
//! arguments and queries (`src/js/resources.js`); everything that decides where a request
//! goes, or what an error may show, is here so it is tested natively.
//!
//! ```
//! use conveyor_client::url::{check_relative_path, join, redact_path};
//!
//! assert!(check_relative_path("/exchange/folders?page=2").is_ok());
//! assert!(check_relative_path("//evil.example/x").is_err());
//! assert_eq!(join("/api/v2/", "/exchange/folders"), "/api/v2/exchange/folders");
//! assert_eq!(redact_path("/x?token=abc&page=2"), "/x?token=[redacted]&page=2");
//! ```

use crate::text::{cat, Cat};
use alloc::{borrow::ToOwned, string::String, vec::Vec};
use percent_encoding::percent_decode_str;

/// Checks a caller-supplied path for `client.fetch` before it is joined to the base URL.
///
/// It must start with `/` and must not start with `//` (a scheme-relative URL names
/// another host), and may contain no backslash (WHATWG URL parsing reads `\` as `/`, so
/// `/\evil.example` is `//evil.example`) and no control character (the parser drops tab
/// and newline, so `/\t/evil.example` would become `//evil.example`). Absolute URLs are
/// the shell's to check with `URL` against `baseUrl`'s origin.
///
/// ```
/// use conveyor_client::url::check_relative_path;
///
/// assert!(check_relative_path("/exchange/connections?page=2").is_ok());
/// assert!(check_relative_path("//evil.example/x").is_err());
/// assert!(check_relative_path("https://evil.example/x").is_err());
/// assert!(check_relative_path("/\\evil.example").is_err());
/// ```
pub fn check_relative_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        return Err(
            "the path must start with `/` (a path under baseUrl), or be an absolute URL on baseUrl's origin"
        );
    }
    if path.starts_with("//") {
        return Err(
            "the path starts with `//`, which names another host; pass a path under baseUrl",
        );
    }
    if path.contains('\\') {
        return Err(
            "the path contains a backslash, which URL parsing may read as `/`; encode it as %5C",
        );
    }
    if path.chars().any(char::is_control) {
        return Err("the path contains a control character (tab, newline, ...); percent-encode it");
    }
    Ok(())
}

/// Joins a base path (`/api/v2`, with or without a trailing slash) and a path
/// (`/exchange/connections?page=2`) with exactly one slash between them, keeping the
/// path's query string.
///
/// The result always starts with exactly one `/`, even for an empty or `//`-prefixed
/// base, so it can never be read as a scheme-relative URL naming another host. An empty
/// path gives the base itself; a path that is only a query (`?a=1`) is appended as is.
///
/// ```
/// use conveyor_client::url::join;
///
/// assert_eq!(join("/api/v2", "/exchange/connections"), "/api/v2/exchange/connections");
/// assert_eq!(join("/api/v2/", "exchange?x=1"), "/api/v2/exchange?x=1");
/// assert_eq!(join("/", "/x"), "/x");
/// assert_eq!(join("", "x"), "/x");
/// ```
pub fn join(base_path: &str, path: &str) -> String {
    let base = base_path.trim_matches('/');
    let mut out = String::with_capacity(base.len() + path.len() + 2);
    out.push('/');
    out.push_str(base);
    if path.is_empty() || path.starts_with('?') {
        out.push_str(path);
        return out;
    }
    if !base.is_empty() {
        out.push('/');
    }
    out.push_str(path.trim_start_matches('/'));
    out
}

/// What [`join`] puts before a path that passed [`check_relative_path`]: the base path with
/// exactly one leading slash and none trailing, empty for an empty or `/` base. The client
/// makes it once and sends `prefix + path`, the caller's own string, for every call.
///
/// ```
/// use conveyor_client::url::{base_prefix, join};
///
/// assert_eq!(base_prefix("/api/v2/"), "/api/v2");
/// assert_eq!(base_prefix("/"), "");
/// assert_eq!(base_prefix("/api/v2") + "/exchange?x=1", join("/api/v2", "/exchange?x=1"));
/// ```
pub fn base_prefix(base_path: &str) -> String {
    let base = base_path.trim_matches('/');
    if base.is_empty() {
        String::new()
    } else {
        ["/", base].cat()
    }
}

/// Substrings of a query parameter name (compared case-insensitively, after
/// percent-decoding) that mark its value as secret. Over-matching (`monkey`) only hides a
/// harmless value; under-matching would leak one.
const SECRET_NAME_PARTS: [&str; 14] = [
    "key",
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "api_key",
    "apikey",
    "auth",
    "authorization",
    "credential",
    "session",
    "cookie",
    "jwt",
];

/// What replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Whether a query parameter name looks like it carries a secret.
///
/// ```
/// use conveyor_client::url::is_secret_param;
///
/// assert!(is_secret_param("X-Amz-Signature"));
/// assert!(is_secret_param("access%5Ftoken"));
/// assert!(!is_secret_param("page"));
/// ```
pub fn is_secret_param(name: &str) -> bool {
    // Bytes with ASCII folding are enough (the secret names are ASCII) and keep Unicode
    // case tables and UTF-8 decoding out of the .wasm.
    let mut decoded: Vec<u8> = Vec::new();
    for b in percent_decode_str(name) {
        decoded.push(b.to_ascii_lowercase());
    }
    SECRET_NAME_PARTS
        .iter()
        .any(|part| find(&decoded, part.as_bytes()).is_some())
}

/// Where `needle` first starts in `s`. Byte windows rather than `str::find`/`contains`
/// with a `&str`: those link the two-way substring searcher and its panic messages
/// (4.7 KB gzipped of .wasm, measured) for needles of a few bytes.
fn find(s: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    s.windows(needle.len()).position(|w| w == needle)
}

/// Redacts a path for error messages and fields: the value of every query parameter whose
/// name looks secret (see [`is_secret_param`]) becomes `[redacted]`, and any `#fragment`
/// is dropped (it is never sent, and OAuth puts tokens there).
///
/// Idempotent, so redacting twice is harmless.
///
/// ```
/// use conveyor_client::url::redact_path;
///
/// assert_eq!(
///     redact_path("/x?page=2&api_key=abc&Access_Token=t"),
///     "/x?page=2&api_key=[redacted]&Access_Token=[redacted]",
/// );
/// assert_eq!(redact_path("/x#token=abc"), "/x");
/// ```
pub fn redact_path(path_and_query: &str) -> String {
    let without_fragment = path_and_query
        .split_once('#')
        .map_or(path_and_query, |(before, _)| before);
    let Some((path, query)) = without_fragment.split_once('?') else {
        return without_fragment.to_owned();
    };
    let mut out = String::with_capacity(without_fragment.len());
    out.push_str(path);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if is_secret_param(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// Where a response says it came from: its `url`, as the shell could read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseUrl<'a> {
    /// `url` is empty: a `Response` built by hand, or a runtime that leaves it out.
    Missing,
    /// `url` is set but is not a URL.
    Unparsable,
    /// The serialised origin of `url` (`URL.origin`).
    Origin(&'a str),
}

/// Whether the client may read a response a `fetch` handed back for a request to the
/// origin `ours`: not an opaque one, not one from another origin, and not the end of a
/// redirect some `fetch` followed on its own (the client asks for `redirect: "manual"`; a
/// custom `fetch` may drop it). `kind` is the response's `type`. The `Err` says why, for
/// the error message; the response is then refused unread.
///
/// ```
/// use conveyor_client::url::{check_response_source, ResponseUrl};
///
/// let ours = "https://api.example.com";
/// assert!(check_response_source("basic", ResponseUrl::Origin(ours), false, ours).is_ok());
/// assert!(check_response_source("default", ResponseUrl::Missing, false, ours).is_ok());
/// assert!(check_response_source("basic", ResponseUrl::Origin("https://evil.example"), true, ours).is_err());
/// assert!(check_response_source("default", ResponseUrl::Missing, true, ours).is_err());
/// assert!(check_response_source("opaque", ResponseUrl::Missing, false, ours).is_err());
/// ```
pub fn check_response_source(
    kind: &str,
    url: ResponseUrl<'_>,
    redirected: bool,
    ours: &str,
) -> Result<(), String> {
    const KEEP: &str =
        "a custom fetch must keep `redirect: \"manual\"` and fetch the URL it is given";
    match kind {
        "opaqueredirect" => return Err("the server answered with a redirect this runtime does not let the client inspect; it was not followed, so the API key went nowhere else".to_owned()),
        "opaque" | "error" => return Err(["`fetch` answered with an unreadable `", kind, "` response; refused"].cat()),
        _ => {}
    }
    match url {
        ResponseUrl::Origin(o) if o == ours => Ok(()),
        ResponseUrl::Origin(o) => Err([
            "`fetch` answered with a response from another origin (",
            o,
            "); refused unread (",
            KEEP,
            ")",
        ]
        .cat()),
        ResponseUrl::Missing if !redirected => Ok(()),
        ResponseUrl::Missing => Err([
            "`fetch` followed a redirect to an unknown URL; refused unread (",
            KEEP,
            ")",
        ]
        .cat()),
        ResponseUrl::Unparsable => {
            Err("`fetch` answered from a URL that cannot be parsed; refused unread".to_owned())
        }
    }
}

/// Whether a host is this machine: `localhost`, `*.localhost`, `127.0.0.0/8`, `::1`, or
/// `127.x` as an IPv4-mapped IPv6 address.
///
/// `host` is as the platform's `URL` spells it (`URL.hostname`), which is one spelling per
/// address: lowercase; IPv4 as four decimal numbers however it was written (`127.1`,
/// `0x7f.1` and `2130706433` are all `127.0.0.1`); IPv6 in brackets, shortest form, no
/// dotted tail (`[::1]`, `[::ffff:7f00:1]`). So the address cases are a look at that one
/// spelling rather than a parser.
///
/// ```
/// use conveyor_client::url::is_loopback_host;
///
/// assert!(is_loopback_host("localhost"));
/// assert!(is_loopback_host("api.localhost"));
/// assert!(is_loopback_host("127.8.0.1"));
/// assert!(is_loopback_host("[::1]"));
/// assert!(is_loopback_host("[::ffff:7f00:1]"));
/// assert!(!is_loopback_host("localhost.evil.example"));
/// assert!(!is_loopback_host("128.0.0.1"));
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    // A fully qualified `localhost.` is the same name.
    let name = host.strip_suffix('.').unwrap_or(host);
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    // Numbers alone are an IPv4 address: `URL` reads a host whose last label is a number as
    // one (or refuses it), and writes it back as four decimal numbers.
    if host
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()))
    {
        return host.starts_with("127.");
    }
    // `::ffff:127.x.y.z` is written `[::ffff:7fxx:yyyy]`: a group of four digits that
    // starts `7f`, then the last group.
    host == "[::1]"
        || host.strip_prefix("[::ffff:7f").is_some_and(|rest| {
            rest.as_bytes().get(2) == Some(&b':') && !rest.bytes().skip(3).any(|b| b == b':')
        })
}

/// The `baseUrl` policy: `https:` always; `http:` only for a loopback host (local
/// development and tests), since over plain HTTP the key would cross the network in
/// clear text. `scheme` may carry the trailing `:` of `URL.protocol`.
///
/// ```
/// use conveyor_client::url::check_base_scheme;
///
/// assert!(check_base_scheme("https:", "api.conveyor.com").is_ok());
/// assert!(check_base_scheme("http:", "127.0.0.1").is_ok());
/// assert!(check_base_scheme("http:", "api.conveyor.com").is_err());
/// assert!(check_base_scheme("ftp:", "localhost").is_err());
/// ```
pub fn check_base_scheme(scheme: &str, host: &str) -> Result<(), String> {
    let scheme = scheme.strip_suffix(':').unwrap_or(scheme);
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    if scheme.eq_ignore_ascii_case("http") {
        if is_loopback_host(host) {
            return Ok(());
        }
        return Err([
            "`baseUrl` must use https: (http: is allowed only for localhost and loopback addresses), so the API key never crosses the network in clear text; got http://",
            host,
        ]
        .cat());
    }
    // At most 20 characters of it, with `…` when cut.
    let (shown, cut) = match scheme.char_indices().nth(20) {
        Some((end, _)) => (scheme.get(..end).unwrap_or(scheme), "…"),
        None => (scheme, ""),
    };
    let shown = shown.to_ascii_lowercase();
    Err([
        "`baseUrl` must be an https: URL; got the scheme `",
        &shown,
        cut,
        "`",
    ]
    .cat())
}

/// The longest API key accepted. Real keys are far shorter; the bound stops a pasted file
/// from becoming a header.
pub const MAX_API_KEY_LEN: usize = 512;

/// Checks an API key before it can reach a header: non-empty, at most
/// [`MAX_API_KEY_LEN`] characters, printable ASCII only with no space or control
/// character (so a CR/LF can never inject a header).
///
/// The message never contains the key or any of its characters; it gives a position
/// instead, which is enough to find a stray space or line break.
///
/// ```
/// use conveyor_client::url::check_api_key;
///
/// assert!(check_api_key("ck_live_0123456789abcdef").is_ok());
/// assert!(check_api_key("").is_err());
/// let err = check_api_key("ck_live_0123\r\nX-Evil: 1").unwrap_err();
/// assert!(!err.contains("ck_live"));
/// ```
pub fn check_api_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("`apiKey` is empty; pass your Conveyor API key".to_owned());
    }
    let length = char_count(key);
    if length > MAX_API_KEY_LEN {
        return Err(cat!(
            "`apiKey` is ",
            length,
            " characters long, more than the ",
            MAX_API_KEY_LEN,
            " allowed; check that only the key was pasted"
        ));
    }
    if let Some((position, c)) = key.chars().enumerate().find(|(_, c)| !c.is_ascii_graphic()) {
        let what = if c.is_whitespace() {
            "whitespace (a space, tab or line break)"
        } else if c.is_control() {
            "a control character"
        } else {
            "a non-ASCII character"
        };
        return Err(cat!(
            "`apiKey` contains ",
            what,
            " at position ",
            position + 1,
            "; copy the key again without it"
        ));
    }
    Ok(())
}

/// A hint at which key is in use, for debug output: the first 4 characters and `…`, or
/// `…` alone when the key is shorter than 8 (then 4 characters would be half of it).
///
/// ```
/// use conveyor_client::url::key_hint;
///
/// assert_eq!(key_hint("ck_live_0123456789"), "ck_l…");
/// assert_eq!(key_hint("short"), "…");
/// ```
pub fn key_hint(key: &str) -> String {
    if char_count(key) < 8 {
        return "…".to_owned();
    }
    let mut hint: String = key.chars().take(4).collect();
    hint.push('…');
    hint
}

/// The number of characters in `s`: its bytes that start one (a UTF-8 continuation byte is
/// `0b10xx_xxxx`). `str::chars().count()` links a 0.8 KB word-at-a-time counter; keys are short.
fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// A response is read only when it is not opaque and either says it comes from
        /// our origin, or says nothing and was not redirected.
        #[test]
        fn only_our_origin_is_read(
            kind in prop_oneof![Just("basic"), Just("cors"), Just("default"), Just("opaque"), Just("opaqueredirect"), Just("error")],
            which in 0u8..3,
            origin in prop_oneof![Just("https://api.example.com"), Just("https://evil.example"), Just("http://api.example.com")],
            redirected: bool,
        ) {
            let ours = "https://api.example.com";
            let url = match which {
                0 => ResponseUrl::Missing,
                1 => ResponseUrl::Unparsable,
                _ => ResponseUrl::Origin(origin),
            };
            let readable = !matches!(kind, "opaque" | "opaqueredirect" | "error")
                && match url {
                    ResponseUrl::Origin(o) => o == ours,
                    ResponseUrl::Missing => !redirected,
                    ResponseUrl::Unparsable => false,
                };
            prop_assert_eq!(check_response_source(kind, url, redirected, ours).is_ok(), readable);
        }

        /// The byte-level count is the count of `char`s, for any string.
        #[test]
        fn char_count_counts_chars(s in any::<String>()) {
            prop_assert_eq!(char_count(&s), s.chars().count());
        }

        /// A path that passes the relative-path check ends the joined path as it is: the
        /// client finds the path its errors show at the end of the URL, not in a copy.
        #[test]
        fn a_checked_path_ends_the_join_whole(
            base in prop_oneof![Just(""), Just("/"), Just("/api/v2"), Just("/api/v2/"), Just("//x//")],
            path in "/[a-z/?=&#%.]{0,20}",
        ) {
            prop_assume!(check_relative_path(&path).is_ok());
            prop_assert!(join(base, &path).ends_with(&path), "{} {}", base, path);
        }

        /// The prefix and a checked path, end to end, are the join: what the client sends
        /// (`prefix + path`, concatenated in JS) is the URL the join would have made.
        #[test]
        fn the_prefix_and_a_checked_path_are_the_join(
            base in prop_oneof![Just(String::new()), Just("/".to_owned()), "/{0,3}[a-z0-9/]{0,12}/{0,3}"],
            path in "/[a-z/?=&#%.é]{0,20}",
        ) {
            prop_assume!(check_relative_path(&path).is_ok());
            prop_assert_eq!(base_prefix(&base) + &path, join(&base, &path));
        }
    }

    use super::*;

    #[test]
    fn relative_paths() {
        for ok in ["/", "/a", "/a/b?c=d#e", "/a//b", "/%2F%2Fevil", "/é"] {
            assert_eq!(check_relative_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "a/b",
            "//evil.example",
            "///evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/\\evil.example",
            "/a\\b",
            "/\t/evil.example",
            "/a\nb",
            "/a\rb",
            "/a\u{7f}",
            "/a\u{85}",
            " /a",
        ] {
            assert!(check_relative_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn joining() {
        assert_eq!(join("/api/v2", "/x"), "/api/v2/x");
        assert_eq!(join("/api/v2/", "/x"), "/api/v2/x");
        assert_eq!(join("/api/v2//", "//x"), "/api/v2/x");
        assert_eq!(join("/api/v2", "x?a=1&b=/c"), "/api/v2/x?a=1&b=/c");
        assert_eq!(join("/api/v2", ""), "/api/v2");
        assert_eq!(join("/api/v2/", "?a=1"), "/api/v2?a=1");
        assert_eq!(join("", ""), "/");
        assert_eq!(join("/", "/"), "/");
        assert_eq!(join("//evil.example", "/x"), "/evil.example/x");
        assert_eq!(join("", "//evil.example"), "/evil.example");
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_path("/x"), "/x");
        assert_eq!(redact_path("/x?"), "/x?");
        assert_eq!(redact_path("/x?page=1&per_page=2"), "/x?page=1&per_page=2");
        assert_eq!(
            redact_path("/x?KEY=1&my_token=2&client_secret=3&Password=4&sig=5&signature=6"),
            "/x?KEY=[redacted]&my_token=[redacted]&client_secret=[redacted]&Password=[redacted]&sig=5&signature=[redacted]"
        );
        assert_eq!(
            redact_path("/x?apikey=a&auth=b&Authorization=c&api_key=d"),
            "/x?apikey=[redacted]&auth=[redacted]&Authorization=[redacted]&api_key=[redacted]"
        );
        // Encoded names are decoded before matching; `=` inside the value goes too.
        assert_eq!(redact_path("/x?%74oken=a=b"), "/x?%74oken=[redacted]");
        // A name without a value has nothing to hide; the fragment is dropped.
        assert_eq!(redact_path("/x?token&a=1#frag"), "/x?token&a=1");
        assert_eq!(redact_path("/x?token=&a=1"), "/x?token=[redacted]&a=1");
        let once = redact_path("/x?token=abc&q=1");
        assert_eq!(redact_path(&once), once);
    }

    #[test]
    fn loopback_hosts() {
        // As `URL.hostname` writes them.
        for h in [
            "localhost",
            "localhost.",
            "a.b.localhost",
            "a..localhost",
            "127.0.0.1",
            "127.255.255.254",
            "[::1]",
            "[::ffff:7f00:1]",
            "[::ffff:7fff:ffff]",
            "[::ffff:7f12:0]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "localhost.evil.example",
            "evillocalhost",
            "localhost.x",
            "128.0.0.1",
            "126.255.255.255",
            "0.0.0.0",
            "10.0.0.1",
            "127.0.0.1..",
            "127.0.0.b1",
            "127.a",
            "127.0.0.1.evil.example",
            "[::]",
            "[::2]",
            "[::1:0]",
            "[::ffff:a00:1]",
            "[::ffff:7f:1]",
            "[::ffff:7f0:1]",
            "[::ffff:7f00:1:2]",
            "[::ffff:0:7f00:1]",
            "[::7f00:1]",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn base_scheme_policy() {
        assert!(check_base_scheme("https", "example.com").is_ok());
        assert!(check_base_scheme("HTTPS:", "example.com").is_ok());
        assert!(check_base_scheme("http:", "localhost").is_ok());
        assert!(check_base_scheme("http:", "[::1]").is_ok());
        assert!(check_base_scheme("http", "127.0.0.2").is_ok());
        let err = check_base_scheme("http:", "api.conveyor.com").unwrap_err();
        assert!(err.contains("https"), "{err}");
        for s in ["ws:", "file:", "", "javascript:"] {
            assert!(check_base_scheme(s, "localhost").is_err(), "{s}");
        }
        let long = "x".repeat(500);
        assert!(check_base_scheme(&long, "h").unwrap_err().len() < 150);
        assert_eq!(
            check_base_scheme("http:", "api.conveyor.com").unwrap_err(),
            "`baseUrl` must use https: (http: is allowed only for localhost and loopback addresses), so the API key never crosses the network in clear text; got http://api.conveyor.com"
        );
        let scheme = |s: &str| check_base_scheme(s, "localhost").unwrap_err();
        assert_eq!(
            scheme("FTP:"),
            "`baseUrl` must be an https: URL; got the scheme `ftp`"
        );
        assert_eq!(
            scheme(""),
            "`baseUrl` must be an https: URL; got the scheme ``"
        );
        let twenty = "abcdefghijklmnopqrst";
        assert_eq!(
            scheme(twenty),
            "`baseUrl` must be an https: URL; got the scheme `abcdefghijklmnopqrst`"
        );
        assert_eq!(
            scheme(&format!("{twenty}u")),
            scheme(&format!("{twenty}uvw"))
        );
        assert_eq!(
            scheme(&format!("{twenty}u")),
            "`baseUrl` must be an https: URL; got the scheme `abcdefghijklmnopqrst…`"
        );
        assert_eq!(
            scheme(&"é".repeat(21)),
            [
                "`baseUrl` must be an https: URL; got the scheme `",
                &"é".repeat(20),
                "…`"
            ]
            .concat()
        );
    }

    #[test]
    fn api_keys() {
        assert_eq!(check_api_key("abc"), Ok(()));
        assert_eq!(check_api_key(&"k".repeat(MAX_API_KEY_LEN)), Ok(()));
        assert!(check_api_key(&"k".repeat(MAX_API_KEY_LEN + 1))
            .unwrap_err()
            .contains("513"));
        assert!(check_api_key("").unwrap_err().contains("empty"));
        for (bad, pos, what) in [
            ("abc def", "position 4", "whitespace"),
            ("abc\r\nX: y", "position 4", "whitespace"),
            ("\tabc", "position 1", "whitespace"),
            ("abc\0", "position 4", "control"),
            ("abc\u{7f}", "position 4", "control"),
            ("abcé", "position 4", "non-ASCII"),
            ("abc\u{a0}", "position 4", "whitespace"),
        ] {
            let err = check_api_key(bad).unwrap_err();
            assert!(err.contains(pos) && err.contains(what), "{bad:?}: {err}");
        }
    }

    #[test]
    fn key_hints() {
        assert_eq!(key_hint(""), "…");
        assert_eq!(key_hint("1234567"), "…");
        assert_eq!(key_hint("12345678"), "1234…");
        assert_eq!(key_hint("éééééééééé"), "éééé…");
    }
}
