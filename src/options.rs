//! Client options: read from the JS object once, validated at construction.
//!
//! Bad options throw a `ConveyorConfigError` from the constructor rather than failing
//! later on a request: a typo in `baseUrl` should not cost a user their first call.

use crate::errors::{Error, ErrorKind};
use crate::fallible;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// The default base URL of the Conveyor API.
pub const DEFAULT_BASE_URL: &str = "https://api.conveyor.com/api/v2";
/// The header the key travels in.
pub const DEFAULT_API_KEY_HEADER: &str = "X-API-KEY";

/// The longest delay any option may ask for: 2^31 - 1 ms (about 24.8 days), the most a JS
/// timer can wait; a longer one fires at once. Options that set a timer are bounded by it
/// at construction (or per call), rather than chaining timers for waits no call needs.
pub const MAX_DELAY_MS: f64 = 2_147_483_647.0;

/// `ms` as a JS timer's delay, within `0..=MAX_DELAY_MS` whatever comes in.
pub fn timer_ms(ms: f64) -> u32 {
    ms.clamp(0.0, MAX_DELAY_MS) as u32
}

/// Reads `obj[name]`, treating `undefined` and `null` as absent; a getter or `Proxy` trap
/// that throws is a `ConveyorConfigError` naming the option (see [`per_call`]).
pub(crate) fn get(obj: &JsValue, name: &str) -> Result<Option<JsValue>, Error> {
    if !obj.is_object() {
        return Ok(None);
    }
    match Reflect::get(obj, &JsValue::from_str(name)) {
        Ok(v) if !v.is_undefined() && !v.is_null() => Ok(Some(v)),
        Ok(_) => Ok(None),
        Err(_) => Err(Error::config(format!("reading `{name}` threw"))),
    }
}

/// An option error met while reading a call's own arguments: the caller's mistake, so a
/// `ConveyorValidationError`, not a configuration error.
pub(crate) fn per_call(e: Error) -> Error {
    Error::new(ErrorKind::Validation, e.message)
}

/// Reads an optional delay in ms: `>= 1` and at most [`MAX_DELAY_MS`].
pub(crate) fn get_delay(obj: &JsValue, name: &str) -> Result<Option<f64>, Error> {
    get_number(obj, name, 1.0, false)?
        .map(|n| check_delay(name, n))
        .transpose()
}

/// The pure half of [`get_delay`]'s upper bound.
pub fn check_delay(name: &str, n: f64) -> Result<f64, Error> {
    if n > MAX_DELAY_MS {
        return Err(Error::config(format!(
            "`{name}` must be at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer"
        )));
    }
    Ok(n)
}

/// Reads an optional string option.
pub(crate) fn get_string(obj: &JsValue, name: &str) -> Result<Option<String>, Error> {
    match get(obj, name)? {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| Error::config(format!("`{name}` must be a string"))),
    }
}

/// Reads an optional number option and checks it is finite, `>= min` and, when
/// `integer`, whole.
pub(crate) fn get_number(
    obj: &JsValue,
    name: &str,
    min: f64,
    integer: bool,
) -> Result<Option<f64>, Error> {
    let Some(v) = get(obj, name)? else {
        return Ok(None);
    };
    let n = v
        .as_f64()
        .ok_or_else(|| Error::config(format!("`{name}` must be a number")))?;
    check_number(name, n, min, integer).map(Some)
}

/// The pure half of [`get_number`].
pub fn check_number(name: &str, n: f64, min: f64, integer: bool) -> Result<f64, Error> {
    if !n.is_finite() {
        return Err(Error::config(format!("`{name}` must be a finite number")));
    }
    if integer && n.fract() != 0.0 {
        return Err(Error::config(format!("`{name}` must be a whole number")));
    }
    if n < min {
        // `min` is a small whole number; formatting it as one keeps float formatting out
        // of the .wasm.
        let min = min as i64;
        return Err(Error::config(format!("`{name}` must be at least {min}")));
    }
    Ok(n)
}

/// Reads an optional function option.
pub(crate) fn get_function(obj: &JsValue, name: &str) -> Result<Option<Function>, Error> {
    match get(obj, name)? {
        None => Ok(None),
        Some(v) => v
            .dyn_into::<Function>()
            .map(Some)
            .map_err(|_| Error::config(format!("`{name}` must be a function"))),
    }
}

/// A call's own options, read and checked in one place for `fetch()`, `request()` and the
/// typed methods: every problem is a `ConveyorValidationError` (the call's mistake, not
/// the client's configuration).
#[derive(Default)]
pub(crate) struct CallOptions {
    pub signal: Option<AbortSignal>,
    pub timeout_ms: Option<f64>,
}

/// Reads `{ signal, timeoutMs }` from a call's `init`/`options` object (other members are
/// the caller's method's own: `method`, `body`, `headers`, `query`).
pub(crate) fn call_options(obj: &JsValue) -> Result<CallOptions, Error> {
    let mut o = CallOptions::default();
    if let Some(s) = get(obj, "signal").map_err(per_call)? {
        o.signal = Some(call_signal(s)?);
    }
    if let Some(t) = get(obj, "timeoutMs").map_err(per_call)? {
        o.timeout_ms = Some(call_timeout(&t)?);
    }
    Ok(o)
}

/// Refuses a member of a call's options object that is not in `accepted`: a misspelled
/// `timeoutMS` would otherwise be ignored without a word.
pub(crate) fn check_call_keys(obj: &JsValue, method: &str, accepted: &[&str]) -> Result<(), Error> {
    if !obj.is_object() {
        return Ok(());
    }
    let invalid = |m: String| Error::new(ErrorKind::Validation, m);
    let keys = fallible::keys(obj).map_err(|_| invalid("reading `options` threw".to_owned()))?;
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if !accepted.contains(&key.as_str()) {
            let list = accepted
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(invalid(format!(
                "unknown option `{}`: {method} takes {list}",
                key.chars().take(64).collect::<String>()
            )));
        }
    }
    Ok(())
}

/// A call's `signal`: a real `AbortSignal` whose `aborted` and `reason` can be read (a fake,
/// or one whose getters throw, is refused up front rather than ignored).
pub(crate) fn call_signal(v: JsValue) -> Result<AbortSignal, Error> {
    let bad = || Error::new(ErrorKind::Validation, "`signal` must be an AbortSignal");
    let s = v.dyn_into::<AbortSignal>().map_err(|_| bad())?;
    fallible::get(&s, "aborted").map_err(|_| bad())?;
    fallible::get(&s, "reason").map_err(|_| bad())?;
    Ok(s)
}

/// A call's `timeoutMs`: the constructor's rule (a number of ms from 1 to 2^31 - 1).
pub(crate) fn call_timeout(v: &JsValue) -> Result<f64, Error> {
    v.as_f64()
        .filter(|ms| (1.0..=MAX_DELAY_MS).contains(ms))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Validation,
                "`timeoutMs` must be a number of ms from 1 to 2147483647 (2^31 - 1)",
            )
        })
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
    }

    #[test]
    fn delays_are_bounded_by_what_a_timer_can_wait() {
        assert!(check_delay("timeoutMs", MAX_DELAY_MS).is_ok());
        assert!(check_delay("timeoutMs", MAX_DELAY_MS + 1.0).is_err());
        assert!(check_delay("windowMs", 3e9).is_err());
        assert_eq!(timer_ms(1e12), 2_147_483_647);
        assert_eq!(timer_ms(-5.0), 0);
        assert_eq!(timer_ms(f64::NAN), 0);
    }
}
