//! Options: the constructor's ([`ClientConfig`]), read from the JS object once and
//! validated at construction. (A call's own options, `fetch()`'s, `request()`'s and the
//! typed methods', are read and checked in JS: src/js/resources.js.)
//!
//! Bad options throw a `ConveyorConfigError` from the constructor rather than failing
//! later on a request: a typo in `baseUrl` should not cost a user their first call. A bad
//! per-call option is the call's mistake: a `ConveyorValidationError`.

use crate::errors::Error;
use crate::http_checks;
#[cfg(feature = "stores")]
use crate::lease::FleetConfig;
use crate::limiter::LimiterConfig;
use crate::retry::RetryPolicy;
use crate::scheduler::Plan;
use crate::text::Cat;
use crate::url as urls;
use alloc::{borrow::ToOwned, string::String};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The default base URL of the Conveyor API.
pub const DEFAULT_BASE_URL: &str = "https://api.conveyor.com/api/v2";
/// The header the key travels in.
pub const DEFAULT_API_KEY_HEADER: &str = "X-API-KEY";

/// The per-attempt timeout when none is given.
const DEFAULT_TIMEOUT_MS: f64 = 30_000.0;
/// The largest response body read when `maxResponseBytes` is not given: far above any
/// page of the API, far below what would take a process down.
const DEFAULT_MAX_RESPONSE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;
/// Conveyor's documented allowance: 2000 requests per 5 minutes per key.
const DEFAULT_LIMIT: u32 = 2000;
const DEFAULT_WINDOW_MS: f64 = 300_000.0;
const DEFAULT_MAX_QUEUE: usize = 10_000;
/// The most tokens one store `acquire` asks for.
#[cfg(feature = "stores")]
const DEFAULT_LEASE: f64 = 16.0;
/// How long a store call may take before the client falls back to its share.
#[cfg(feature = "stores")]
const DEFAULT_STORE_TIMEOUT_MS: f64 = 1000.0;
/// Added to `timeoutMs` for the store's hold on an unsettled token.
#[cfg(feature = "stores")]
const HOLD_SLACK_MS: f64 = 5000.0;

/// The longest delay any option may ask for: 2^31 - 1 ms (about 24.8 days), the most a JS
/// timer can wait; a longer one fires at once. Options that set a timer are bounded by it
/// at construction (or per call), rather than chaining timers for waits no call needs.
pub const MAX_DELAY_MS: f64 = 2_147_483_647.0;

/// `ms` as a JS timer's delay, within `0..=MAX_DELAY_MS` whatever comes in.
pub fn timer_ms(ms: f64) -> u32 {
    ms.clamp(0.0, MAX_DELAY_MS) as u32
}

/// The constructor's options, read and checked once (everything but the bucket, which the
/// client looks up from `rate_limit`).
pub(crate) struct ClientConfig {
    pub api_key: String,
    pub api_key_header: String,
    /// e.g. `https://api.conveyor.com`
    pub origin: String,
    /// e.g. `/api/v2`, no trailing slash
    pub base_path: String,
    /// The `fetch` option, or `undefined` for the global `fetch`.
    pub fetch: JsValue,
    pub retry: RetryPolicy,
    pub timeout_ms: f64,
    /// `Infinity`: no cap.
    pub max_response_bytes: f64,
    /// How to rate-limit, and whether the realm's bucket for the key is shared; `None`
    /// for `rateLimit: false`.
    pub rate_limit: Option<(Plan, bool)>,
    pub on_rate_limit_wait: Option<Function>,
}

/// A refusal's message, before it becomes the `ConveyorConfigError` it is: a `String`
/// passed up by `?` is three words, where an [`Error`] is ten, copied at every step.
type Refusal = String;

impl ClientConfig {
    /// Reads `new ConveyorClient(options)`; every problem is a `ConveyorConfigError`.
    // Inlined into the constructor, its one caller: the result is moved, not copied (a
    // call cost 0.6 KB of .wasm).
    #[inline(always)]
    pub(crate) fn read(opts: &JsValue) -> Result<ClientConfig, Error> {
        read_config(opts).map_err(Error::config)
    }
}

/// [`ClientConfig::read`], each problem its message.
#[inline(always)]
fn read_config(opts: &JsValue) -> Result<ClientConfig, Refusal> {
    if !opts.is_object() {
        return Err(
            "ConveyorClient needs an options object: new ConveyorClient({ apiKey })".to_owned(),
        );
    }
    let api_key = string(opts, "apiKey")?.ok_or_else(|| "`apiKey` is required".to_owned())?;
    urls::check_api_key(&api_key)?;

    let base_url = string(opts, "baseUrl")?.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let parsed = web_sys::Url::new(&base_url).map_err(|_| {
        "`baseUrl` is not an absolute URL (e.g. https://api.conveyor.com/api/v2)".to_owned()
    })?;
    let scheme = parsed.protocol();
    urls::check_base_scheme(scheme.trim_end_matches(':'), &parsed.hostname())?;
    if !parsed.search().is_empty()
        || !parsed.hash().is_empty()
        || !parsed.username().is_empty()
        || !parsed.password().is_empty()
    {
        return Err("`baseUrl` must not carry a query, a fragment or credentials".to_owned());
    }

    let api_key_header =
        string(opts, "apiKeyHeader")?.unwrap_or_else(|| DEFAULT_API_KEY_HEADER.to_owned());
    http_checks::check_key_header(&api_key_header)?;
    let fetch = function(opts, "fetch")?.map_or(JsValue::UNDEFINED, JsValue::from);

    let mut retry = RetryPolicy::default();
    if let Some(n) = bounded(opts, "maxRetries", 0.0, true, f64::MAX)? {
        retry.max_retries = n.min(f64::from(u32::MAX)) as u32;
    }
    // The only durations a user sets are checked here (finite, at least 0), so the policy
    // passes `RetryPolicy::validate` without a call to it in the .wasm (a test checks it).
    if let Some(n) = bounded(opts, "maxRetryAfterMs", 0.0, false, MAX_DELAY_MS)? {
        retry.max_retry_after_ms = n;
    }
    let timeout_ms =
        bounded(opts, "timeoutMs", 1.0, false, MAX_DELAY_MS)?.unwrap_or(DEFAULT_TIMEOUT_MS);
    let max_response_bytes = bounded(opts, "maxResponseBytes", 0.0, true, f64::INFINITY)?
        .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);

    let rate_limit = read_rate_limit(opts, timeout_ms)?;
    let on_rate_limit_wait = function(opts, "onRateLimitWait")?;
    // Read from `parsed` last: a refusal before here has two strings fewer to drop.
    Ok(ClientConfig {
        rate_limit,
        on_rate_limit_wait,
        api_key,
        api_key_header,
        origin: parsed.origin(),
        base_path: parsed.pathname().trim_end_matches('/').to_owned(),
        fetch,
        retry,
        timeout_ms,
        max_response_bytes,
    })
}

/// Reads `rateLimit` (and `onRateLimitStore`): the in-memory bucket by default, a shared
/// store when `rateLimit.store` is given, or nothing for `false`.
// Inlined into its one caller: measured 76 B smaller gzipped than the call LLVM chose.
#[inline(always)]
fn read_rate_limit(opts: &JsValue, timeout_ms: f64) -> Result<Option<(Plan, bool)>, Refusal> {
    let raw = value(opts, "rateLimit")?;
    if raw.as_ref().and_then(JsValue::as_bool) == Some(false) {
        return Ok(None);
    }
    let mut config = LimiterConfig {
        limit: DEFAULT_LIMIT,
        window_ms: DEFAULT_WINDOW_MS,
        max_queue: DEFAULT_MAX_QUEUE,
    };
    let mut shared = true;
    let r = raw.unwrap_or(JsValue::UNDEFINED);
    if !r.is_undefined() && !r.is_object() {
        return Err("`rateLimit` must be an object or false".to_owned());
    }
    if let Some(n) = bounded(&r, "limit", 1.0, true, f64::MAX)? {
        config.limit = n.min(f64::from(u32::MAX)) as u32;
    }
    if let Some(n) = bounded(&r, "windowMs", 1.0, false, MAX_DELAY_MS)? {
        config.window_ms = n;
    }
    if let Some(n) = bounded(&r, "maxQueue", 0.0, true, f64::MAX)? {
        config.max_queue = n.min(1e9) as usize;
    }
    if let Some(s) = value(&r, "shared")? {
        shared = s
            .as_bool()
            .ok_or_else(|| "`rateLimit.shared` must be a boolean".to_owned())?;
    }
    // `limit` (at least 1) and `windowMs` (finite, at least 1) are checked above, so
    // `config` passes `LimiterConfig::validate` (a test checks it) without a call to it.
    let plan = store_plan(opts, &r, &config, timeout_ms)?.unwrap_or(Plan::Local(config));
    Ok(Some((plan, shared)))
}

/// The options only the stores build reads: the client's own and `rateLimit`'s.
const STORE_OPTIONS: [(bool, &str); 5] = [
    (false, "onRateLimitStore"),
    (true, "store"),
    (true, "fleetSize"),
    (true, "lease"),
    (true, "storeTimeoutMs"),
];

/// The lean build has no store: an option that asks for one is refused, naming the entry
/// that has it, rather than ignored (a budget the user meant to share would silently be
/// this process's alone).
#[cfg(not(feature = "stores"))]
fn store_plan(
    opts: &JsValue,
    r: &JsValue,
    _config: &LimiterConfig,
    _timeout_ms: f64,
) -> Result<Option<Plan>, Refusal> {
    for (in_rate_limit, name) in STORE_OPTIONS {
        let (obj, prefix) = if in_rate_limit {
            (r, "rateLimit.")
        } else {
            (opts, "")
        };
        if value(obj, name)?.is_some() {
            return Err([
                "`",
                prefix,
                name,
                "` needs rate-limit store support, which this entry leaves out: import { ConveyorClient } from \"conveyor-client/stores\"",
            ]
            .cat());
        }
    }
    Ok(None)
}

/// A shared store's plan when `rateLimit.store` is given, else `None` (the in-memory
/// bucket); the store's own options without a store are refused.
#[cfg(feature = "stores")]
fn store_plan(
    opts: &JsValue,
    r: &JsValue,
    config: &LimiterConfig,
    timeout_ms: f64,
) -> Result<Option<Plan>, Refusal> {
    let on_event = function(opts, STORE_OPTIONS[0].1)?;
    let Some(store) = value(r, "store")? else {
        if value(r, "fleetSize")?.is_some() {
            return Err("`rateLimit.fleetSize` only makes sense with `rateLimit.store`".to_owned());
        }
        return Ok(None);
    };
    let fleet_size = bounded(r, "fleetSize", 1.0, true, f64::MAX)?.ok_or_else(|| {
        "`rateLimit.fleetSize` is required with `rateLimit.store`: how many processes share the key (their share when the store is unreachable)".to_owned()
    })?;
    let lease = bounded(r, "lease", 1.0, true, f64::MAX)?.unwrap_or(DEFAULT_LEASE);
    let store_timeout_ms =
        bounded(r, "storeTimeoutMs", 1.0, false, MAX_DELAY_MS)?.unwrap_or(DEFAULT_STORE_TIMEOUT_MS);
    let fleet = FleetConfig {
        limit: config.limit,
        window_ms: config.window_ms,
        max_queue: config.max_queue,
        fleet_size: fleet_size.min(f64::from(u32::MAX)) as u32,
        lease: lease.min(f64::from(u32::MAX)) as u32,
        // Past this a store may assume an unsettled token's request was sent (its client
        // died): one attempt's timeout plus slack for a slow response callback.
        hold_ms: timeout_ms + HOLD_SLACK_MS,
        probe_ms: probe_interval(config.window_ms),
        // The shell's own timeout normally fires at `store_timeout_ms`; this is the
        // backstop for when it cannot (a workerd request that started the call ended).
        ask_deadline_ms: 2.0 * store_timeout_ms,
    };
    Ok(Some(Plan::Store {
        config: fleet,
        store,
        timeout_ms: store_timeout_ms,
        on_event,
    }))
}

/// How often a client on its fallback share asks a failed store again: often enough to
/// come back quickly, rarely enough not to hammer a sick store.
#[cfg(feature = "stores")]
fn probe_interval(window_ms: f64) -> f64 {
    crate::lease::clamp_ms(window_ms / 4.0, 50.0, 1000.0)
}

/// Reads `obj[name]`, treating `undefined` and `null` as absent; a getter or `Proxy` trap
/// that throws is refused naming the option.
fn value(obj: &JsValue, name: &str) -> Result<Option<JsValue>, Refusal> {
    if !obj.is_object() {
        return Ok(None);
    }
    match Reflect::get(obj, &JsValue::from_str(name)) {
        Ok(v) if !v.is_undefined() && !v.is_null() => Ok(Some(v)),
        Ok(_) => Ok(None),
        Err(_) => Err(["reading `", name, "` threw"].cat()),
    }
}

/// The upper bound of an option that sets a timer: at most [`MAX_DELAY_MS`]. For the tests
/// only (`checkAccess` checks its own options in JS); [`bounded`] is the shipped path.
#[cfg(test)]
pub fn check_delay(name: &str, n: f64) -> Result<f64, Error> {
    delay_ok(name, n).map_err(Error::config)
}

/// [`check_delay`], the problem its message.
#[cfg(test)]
fn delay_ok(name: &str, n: f64) -> Result<f64, Refusal> {
    if n > MAX_DELAY_MS {
        return Err(must(name, AT_MOST_A_TIMER));
    }
    Ok(n)
}

/// What a delay must be at most.
const AT_MOST_A_TIMER: &str =
    "at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer";

/// The message "`name` must be what".
fn must(name: &str, what: &str) -> Refusal {
    ["`", name, "` must be ", what].cat()
}

/// Reads an optional string option.
fn string(obj: &JsValue, name: &str) -> Result<Option<String>, Refusal> {
    match value(obj, name)? {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| must(name, "a string")),
    }
}

/// An optional number option, finite, `>= min`, whole when `integer`, and at most `max`:
/// [`MAX_DELAY_MS`] for an option that sets a timer, `f64::MAX` for none, `Infinity` for one
/// that takes `Infinity` itself (no cap). One function for every number option the
/// constructor reads.
fn bounded(
    obj: &JsValue,
    name: &str,
    min: f64,
    integer: bool,
    max: f64,
) -> Result<Option<f64>, Refusal> {
    let Some(v) = value(obj, name)? else {
        return Ok(None);
    };
    let n = v.as_f64().ok_or_else(|| must(name, "a number"))?;
    if n == max {
        return Ok(Some(n));
    }
    let n = number_ok(name, n, min, integer)?;
    if n > max {
        return Err(must(name, AT_MOST_A_TIMER));
    }
    Ok(Some(n))
}

/// The pure half of [`bounded`]: a number option's value, checked. For the tests only, as
/// [`check_delay`].
#[cfg(test)]
pub fn check_number(name: &str, n: f64, min: f64, integer: bool) -> Result<f64, Error> {
    number_ok(name, n, min, integer).map_err(Error::config)
}

/// [`check_number`], the problem its message.
// Inlined into its two callers: measured 37 B smaller gzipped than the call.
#[inline(always)]
fn number_ok(name: &str, n: f64, min: f64, integer: bool) -> Result<f64, Refusal> {
    if !n.is_finite() {
        return Err(must(name, "a finite number"));
    }
    if integer && n != libm::trunc(n) {
        return Err(must(name, "a whole number"));
    }
    if n < min {
        // `min` is a small whole number (0 or more); writing it as one keeps float
        // formatting out of the .wasm.
        let mut what = "at least ".to_owned();
        crate::text::push_decimal(&mut what, min as u64);
        return Err(must(name, &what));
    }
    Ok(n)
}

/// Reads an optional function option.
fn function(obj: &JsValue, name: &str) -> Result<Option<Function>, Refusal> {
    match value(obj, name)? {
        None => Ok(None),
        Some(v) => v
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|_| must(name, "a function")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked() {
        assert!(check_number("limit", f64::NAN, 1.0, true).is_err());
        assert!(check_number("limit", 0.0, 1.0, true).is_err());
        assert!(check_number("limit", 1.5, 1.0, true).is_err());
        assert!(check_number("limit", -3.0, 1.0, true).is_err());
        assert_eq!(check_number("limit", 2000.0, 1.0, true).ok(), Some(2000.0));
        assert_eq!(check_number("windowMs", 0.5, 0.001, false).ok(), Some(0.5));
        let message = |n, min, integer| check_number("limit", n, min, integer).unwrap_err().message;
        assert_eq!(
            message(f64::NAN, 1.0, true),
            "`limit` must be a finite number"
        );
        assert_eq!(message(1.5, 1.0, true), "`limit` must be a whole number");
        assert_eq!(message(0.0, 1.0, true), "`limit` must be at least 1");
        assert_eq!(message(-1.0, 0.0, true), "`limit` must be at least 0");
        assert_eq!(message(0.0, 0.001, false), "`limit` must be at least 0");
    }

    /// A number as JS may pass it: any bit pattern, and the edges of each option's range.
    fn js_number() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![
            any::<f64>(),
            -2.0..3e9f64,
            (0u64..5_000_000_000).prop_map(|n| n as f64),
            prop::sample::select(vec![
                0.0,
                -0.0,
                0.5,
                1.0,
                MAX_DELAY_MS,
                f64::MAX,
                f64::MIN_POSITIVE,
                f64::INFINITY,
                f64::NAN
            ]),
        ]
    }

    proptest::proptest! {
        /// Whatever the option checks let through makes a retry policy and a limiter
        /// configuration their own `validate` accepts: the constructor need not call them.
        #[test]
        fn what_the_options_accept_validates(
            retries in js_number(),
            retry_after in js_number(),
            limit in js_number(),
            window in js_number(),
            queue in js_number(),
        ) {
            let mut retry = RetryPolicy::default();
            if let Ok(n) = number_ok("maxRetries", retries, 0.0, true) {
                retry.max_retries = n.min(f64::from(u32::MAX)) as u32;
            }
            if let Ok(n) = number_ok("maxRetryAfterMs", retry_after, 0.0, false)
                .and_then(|n| delay_ok("maxRetryAfterMs", n))
            {
                retry.max_retry_after_ms = n;
            }
            proptest::prop_assert_eq!(retry.validate(), Ok(()));
            let mut config = LimiterConfig {
                limit: DEFAULT_LIMIT,
                window_ms: DEFAULT_WINDOW_MS,
                max_queue: DEFAULT_MAX_QUEUE,
            };
            if let Ok(n) = number_ok("limit", limit, 1.0, true) {
                config.limit = n.min(f64::from(u32::MAX)) as u32;
            }
            if let Ok(n) = number_ok("windowMs", window, 1.0, false).and_then(|n| delay_ok("windowMs", n)) {
                config.window_ms = n;
            }
            if let Ok(n) = number_ok("maxQueue", queue, 0.0, true) {
                config.max_queue = n.min(1e9) as usize;
            }
            proptest::prop_assert_eq!(config.validate(), Ok(()));
        }
    }

    #[test]
    fn delays_are_bounded_by_what_a_timer_can_wait() {
        assert!(check_delay("timeoutMs", MAX_DELAY_MS).is_ok());
        assert!(check_delay("timeoutMs", MAX_DELAY_MS + 1.0).is_err());
        assert_eq!(
            check_delay("windowMs", 3e9).unwrap_err().message,
            "`windowMs` must be at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer"
        );
        assert_eq!(timer_ms(1e12), 2_147_483_647);
        assert_eq!(timer_ms(-5.0), 0);
        assert_eq!(timer_ms(f64::NAN), 0);
    }
}
