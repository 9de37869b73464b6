//! Options: the constructor's ([`ClientConfig`]), read from the JS object once and
//! validated at construction. (A call's own options, `fetch()`'s, `request()`'s and the
//! typed methods', are read and checked in JS: src/js/resources.js.)
//!
//! The constructor's options are read and their types and ranges checked by
//! `src/js/config.js`; what guards the key and where it goes stays here (the key's checks,
//! `baseUrl` parsed into origin and base path, the key's header name), with the rate
//! limiter's plan built from the checked values.
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
use crate::url as urls;
use alloc::{borrow::ToOwned, string::String};
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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
    /// The key's header and `Accept` as a frozen record, made by the reader.
    pub headers: JsValue,
    /// The same with `Content-Type: application/json`.
    pub json_headers: JsValue,
}

/// A refusal's message, before it becomes the `ConveyorConfigError` it is: a `String`
/// passed up by `?` is three words, where an [`Error`] is ten, copied at every step.
type Refusal = String;

// The options' reading and their type and range checks are JS (`src/js/config.js`): each
// build has its own reader, since only the stores build reads the store's options.
#[cfg(not(feature = "stores"))]
#[wasm_bindgen(module = "/src/js/config.js")]
extern "C" {
    /// Reads and checks `options`: the values as [`Slot`]s, and the first refusal.
    #[wasm_bindgen(js_name = readOptions)]
    fn read_options(options: &JsValue) -> Array;
}

#[cfg(feature = "stores")]
#[wasm_bindgen(module = "/src/js/config.js")]
extern "C" {
    /// Reads and checks `options`: the values as [`Slot`]s, and the first refusal.
    #[wasm_bindgen(js_name = readStoreOptions)]
    fn read_options(options: &JsValue) -> Array;
}

/// The places in the array `src/js/config.js` hands back, in the order the options are read.
/// A value slot is `undefined` when the option was not given (the default applies) or when a
/// refusal came before it; a number's is a checked number.
#[derive(Clone, Copy)]
enum Slot {
    /// The first refusal's message, or `undefined`.
    Refusal,
    /// A string; its checks are ours ([`urls::check_api_key`]).
    ApiKey,
    /// A string, the default already in it; parsed here.
    BaseUrl,
    /// A string, the default already in it; its syntax is checked here
    /// ([`http_checks::check_key_header`]), the names it may not be by the reader.
    ApiKeyHeader,
    Fetch,
    MaxRetries,
    MaxRetryAfterMs,
    TimeoutMs,
    MaxResponseBytes,
    /// `true` for `rateLimit: false`.
    RateLimitOff,
    Limit,
    WindowMs,
    MaxQueue,
    Shared,
    #[cfg_attr(not(feature = "stores"), allow(dead_code))]
    OnRateLimitStore,
    #[cfg_attr(not(feature = "stores"), allow(dead_code))]
    Store,
    #[cfg_attr(not(feature = "stores"), allow(dead_code))]
    FleetSize,
    #[cfg_attr(not(feature = "stores"), allow(dead_code))]
    Lease,
    #[cfg_attr(not(feature = "stores"), allow(dead_code))]
    StoreTimeoutMs,
    OnRateLimitWait,
    /// The per-client header records (the key's header and `Accept`), made once, frozen.
    Headers,
    /// The same with `Content-Type: application/json`.
    JsonHeaders,
}

/// What `src/js/config.js` read, by [`Slot`].
struct Read(Array);

impl Read {
    fn at(&self, slot: Slot) -> JsValue {
        self.0.get(slot as u32)
    }

    fn number(&self, slot: Slot) -> Option<f64> {
        self.at(slot).as_f64()
    }

    /// A function option: `None` when not given (the reader let only a function through).
    fn function(&self, slot: Slot) -> Option<Function> {
        let v = self.at(slot);
        (!v.is_undefined()).then(|| v.unchecked_into())
    }
}

impl ClientConfig {
    /// Reads `new ConveyorClient(options)`; every problem is a `ConveyorConfigError`.
    // Inlined into the constructor, its one caller: the result is moved, not copied (a
    // call cost 0.6 KB of .wasm).
    #[inline(always)]
    pub(crate) fn read(opts: &JsValue) -> Result<ClientConfig, Error> {
        read_config(Read(read_options(opts))).map_err(Error::config)
    }
}

/// [`ClientConfig::read`] from what the JS reader handed back, each problem its message.
///
/// The reader stopped at its first refusal; an option checked here that was read before it
/// is checked first, so the refusal named is the first in the order the options are read.
#[inline(always)]
fn read_config(o: Read) -> Result<ClientConfig, Refusal> {
    let api_key = o.at(Slot::ApiKey).as_string();
    if let Some(key) = &api_key {
        urls::check_api_key(key)?;
    }
    let base = match o.at(Slot::BaseUrl).as_string() {
        Some(b) => Some(parse_base_url(&b)?),
        None => None,
    };
    let api_key_header = o.at(Slot::ApiKeyHeader).as_string();
    if let Some(h) = &api_key_header {
        http_checks::check_key_header(h)?;
    }
    let refusal = o.at(Slot::Refusal);
    // Without a refusal the reader filled the three; `None` here cannot happen.
    let (true, Some(api_key), Some((origin, base_path)), Some(api_key_header)) =
        (refusal.is_undefined(), api_key, base, api_key_header)
    else {
        return Err(refusal.as_string().unwrap_or_default());
    };
    let retry = retry_policy(o.number(Slot::MaxRetries), o.number(Slot::MaxRetryAfterMs));
    let timeout_ms = o.number(Slot::TimeoutMs).unwrap_or(DEFAULT_TIMEOUT_MS);
    let rate_limit = if o.at(Slot::RateLimitOff).as_bool() == Some(true) {
        None
    } else {
        let config = limiter_config(
            o.number(Slot::Limit),
            o.number(Slot::WindowMs),
            o.number(Slot::MaxQueue),
        );
        let shared = o.at(Slot::Shared).as_bool().unwrap_or(true);
        Some((store_plan(&o, config, timeout_ms), shared))
    };
    Ok(ClientConfig {
        rate_limit,
        on_rate_limit_wait: o.function(Slot::OnRateLimitWait),
        api_key,
        api_key_header,
        origin,
        base_path,
        fetch: o.at(Slot::Fetch),
        retry,
        timeout_ms,
        max_response_bytes: o
            .number(Slot::MaxResponseBytes)
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
        headers: o.at(Slot::Headers),
        json_headers: o.at(Slot::JsonHeaders),
    })
}

/// `baseUrl` as its origin (e.g. `https://api.conveyor.com`) and base path (e.g. `/api/v2`,
/// no trailing slash): an absolute URL, https (or http to a loopback host), without a query,
/// a fragment or credentials, so the key goes only where the caller meant it to.
fn parse_base_url(base_url: &str) -> Result<(String, String), Refusal> {
    let parsed = web_sys::Url::new(base_url).map_err(|_| {
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
    Ok((
        parsed.origin(),
        parsed.pathname().trim_end_matches('/').to_owned(),
    ))
}

/// The retry policy from `maxRetries` and `maxRetryAfterMs` as the reader checked them: a
/// whole number at least 0, and a number of ms from 0 to [`MAX_DELAY_MS`].
// The only durations a user sets are checked by the reader (finite, at least 0), so the
// policy passes `RetryPolicy::validate` without a call to it in the .wasm (a test checks it).
fn retry_policy(max_retries: Option<f64>, max_retry_after_ms: Option<f64>) -> RetryPolicy {
    let mut retry = RetryPolicy::default();
    if let Some(n) = max_retries {
        // `as` saturates: 2^53 retries are u32::MAX of them.
        retry.max_retries = n as u32;
    }
    if let Some(n) = max_retry_after_ms {
        retry.max_retry_after_ms = n;
    }
    retry
}

/// The in-memory bucket's configuration from `limit` (a whole number at least 1),
/// `windowMs` (ms from 1 to [`MAX_DELAY_MS`]) and `maxQueue` (a whole number at least 0) as
/// the reader checked them.
// `limit` (at least 1) and `windowMs` (finite, at least 1) are checked by the reader, so the
// result passes `LimiterConfig::validate` (a test checks it) without a call to it.
fn limiter_config(
    limit: Option<f64>,
    window_ms: Option<f64>,
    max_queue: Option<f64>,
) -> LimiterConfig {
    LimiterConfig {
        limit: limit.map_or(DEFAULT_LIMIT, |n| n as u32),
        window_ms: window_ms.unwrap_or(DEFAULT_WINDOW_MS),
        max_queue: max_queue.map_or(DEFAULT_MAX_QUEUE, |n| n.min(1e9) as usize),
    }
}

/// The lean build has no store (its reader refuses the store's options).
#[cfg(not(feature = "stores"))]
fn store_plan(_: &Read, config: LimiterConfig, _timeout_ms: f64) -> Plan {
    Plan::Local(config)
}

/// A shared store's plan when `rateLimit.store` is given, else the in-memory bucket.
#[cfg(feature = "stores")]
fn store_plan(o: &Read, config: LimiterConfig, timeout_ms: f64) -> Plan {
    let store = o.at(Slot::Store);
    if store.is_undefined() {
        return Plan::Local(config);
    }
    let store_timeout_ms = o
        .number(Slot::StoreTimeoutMs)
        .unwrap_or(DEFAULT_STORE_TIMEOUT_MS);
    Plan::Store {
        config: FleetConfig {
            limit: config.limit,
            window_ms: config.window_ms,
            max_queue: config.max_queue,
            // Required with a store (the reader refuses a store without it).
            fleet_size: o.number(Slot::FleetSize).map_or(1, |n| n as u32),
            lease: o.number(Slot::Lease).unwrap_or(DEFAULT_LEASE) as u32,
            // Past this a store may assume an unsettled token's request was sent (its client
            // died): one attempt's timeout plus slack for a slow response callback.
            hold_ms: timeout_ms + HOLD_SLACK_MS,
            probe_ms: probe_interval(config.window_ms),
            // The shell's own timeout normally fires at `store_timeout_ms`; this is the
            // backstop for when it cannot (a workerd request that started the call ended).
            ask_deadline_ms: 2.0 * store_timeout_ms,
        },
        store,
        timeout_ms: store_timeout_ms,
        on_event: o.function(Slot::OnRateLimitStore),
    }
}

/// How often a client on its fallback share asks a failed store again: often enough to
/// come back quickly, rarely enough not to hammer a sick store.
#[cfg(feature = "stores")]
fn probe_interval(window_ms: f64) -> f64 {
    crate::lease::clamp_ms(window_ms / 4.0, 50.0, 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// What `src/js/config.js` lets through for a number option (its rule, written out;
    /// tests/e2e/config.test.mjs holds the reader to it): `None` when not given or refused.
    fn let_through(n: f64, min: f64, whole: bool, max: f64) -> Option<f64> {
        let ok = n == max || (n.is_finite() && (!whole || n.trunc() == n) && n >= min && n <= max);
        ok.then_some(n)
    }

    proptest::proptest! {
        /// Whatever the reader lets through makes a retry policy and a limiter configuration
        /// their own `validate` accepts: the constructor need not call them.
        #[test]
        fn what_the_options_accept_validates(
            retries in js_number(),
            retry_after in js_number(),
            limit in js_number(),
            window in js_number(),
            queue in js_number(),
        ) {
            let retry = retry_policy(
                let_through(retries, 0.0, true, f64::MAX),
                let_through(retry_after, 0.0, false, MAX_DELAY_MS),
            );
            proptest::prop_assert_eq!(retry.validate(), Ok(()));
            let config = limiter_config(
                let_through(limit, 1.0, true, f64::MAX),
                let_through(window, 1.0, false, MAX_DELAY_MS),
                let_through(queue, 0.0, true, f64::MAX),
            );
            proptest::prop_assert_eq!(config.validate(), Ok(()));
            if let Some(n) = let_through(limit, 1.0, true, f64::MAX) {
                // Saturated, never wrapped: 2^40 requests are u32::MAX of them.
                proptest::prop_assert_eq!(config.limit, n.min(f64::from(u32::MAX)) as u32);
            }
        }
    }

    #[test]
    fn absent_options_are_the_defaults() {
        let retry = retry_policy(None, None);
        let default = RetryPolicy::default();
        assert_eq!(
            (retry.max_retries, retry.max_retry_after_ms),
            (default.max_retries, default.max_retry_after_ms)
        );
        let config = limiter_config(None, None, None);
        assert_eq!(
            (config.limit, config.window_ms, config.max_queue),
            (2000, 300_000.0, 10_000)
        );
        let config = limiter_config(Some(4e9 * 4e9), Some(1.5), Some(2f64.powi(40)));
        assert_eq!(
            (config.limit, config.window_ms, config.max_queue),
            (u32::MAX, 1.5, 1_000_000_000)
        );
        assert_eq!(retry_policy(Some(-0.0), Some(-0.0)).max_retries, 0);
    }

    #[test]
    fn a_timer_waits_at_most_what_a_js_timer_can() {
        assert_eq!(timer_ms(MAX_DELAY_MS), 2_147_483_647);
        assert_eq!(timer_ms(1e12), 2_147_483_647);
        assert_eq!(timer_ms(-5.0), 0);
        assert_eq!(timer_ms(f64::NAN), 0);
    }
}
