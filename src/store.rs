//! Talking to a user's rate-limit store (`rateLimit.store`): the JS half of
//! [`crate::lease`].
//!
//! A store is any object with `acquire`, `settle` and `release` methods returning values or
//! promises (`MemoryStore`, the Durable Object store, the Redis store). This module builds
//! their requests, bounds every call by `storeTimeoutMs` (a hung store must fall back, not
//! hang requests), reads their replies defensively (a store is outside code), and names
//! the bucket by a SHA-256 of the key so the key itself never reaches a store.

use crate::fallible;
use crate::lease::{Ask, Event, FleetConfig, StoreReply as Reply};
use crate::ledger::is_id;
use crate::options::timer_ms;
use crate::text::{push_decimal, Cat};
use alloc::{borrow::ToOwned, string::String, vec::Vec};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // WebCrypto is global in Node >= 19, Deno, Workers and browsers (secure contexts).
    #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = digest)]
    fn subtle_digest(algorithm: &str, data: &Uint8Array) -> Result<Promise, JsValue>;
}

// The waits on the store are the pipeline's numbered waits ([`crate::transport::Resume`]):
// the snippet that settles those settles these.
#[wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    /// A wait on outside code: a store's method, or a promise.
    type Outside;
    /// Calls `f.call(this, arg)` (or takes `this` itself when `f` is `None`) in a
    /// microtask, never inside the Rust call that made the wait (the scheduler may be
    /// borrowed then, and a store is outside code), and awaits it as `await` would: a
    /// synchronous throw, a rejection and a throwing `then` all end as a failure. With `ms`,
    /// a timer ends the wait first if the answer is late, and is cleared when the answer
    /// comes (nothing keeps a Node process alive). `done(id, wait)` runs when it ends.
    #[wasm_bindgen(js_name = outside)]
    fn outside_js(id: u32, f: Option<&Function>, this: &JsValue, arg: &JsValue, ms: Option<f64>);
    /// A timed-out wait still listens: `done(id, w)` runs when its answer comes after all.
    #[wasm_bindgen(js_name = lateThen)]
    fn late_then(w: &Outside, id: u32);
    /// 0: answered (`v`), 1: threw or rejected (`v`), 2: no answer in time.
    #[wasm_bindgen(method, getter)]
    fn k(this: &Outside) -> u8;
    #[wasm_bindgen(method, getter)]
    fn v(this: &Outside) -> JsValue;
}

/// How a wait on the store (or on the bucket's digest) ended, read from what `done` was
/// given.
pub(crate) enum Answer {
    Value(JsValue),
    Failed(JsValue),
    TimedOut,
}

impl Answer {
    pub(crate) fn of(wait: &JsValue) -> Answer {
        let w: &Outside = wait.unchecked_ref();
        match w.k() {
            0 => Answer::Value(w.v()),
            1 => Answer::Failed(w.v()),
            _ => Answer::TimedOut,
        }
    }
}

/// Wait `id` ends in a microtask: for work that must not run inside the caller (the
/// scheduler is borrowed there).
pub(crate) fn soon(id: u32) {
    outside_js(id, None, &JsValue::UNDEFINED, &JsValue::UNDEFINED, None);
}

/// Wait `id` is given timed-out wait `wait`'s answer when it comes after all.
pub(crate) fn answer_late(wait: &JsValue, id: u32) {
    late_then(wait.unchecked_ref(), id);
}

/// A user's store, checked at construction, and who to tell when its mode changes.
pub(crate) struct StoreLink {
    handle: StoreHandle,
    pub on_event: Option<Function>,
}

impl StoreLink {
    /// Checks that `store` has the three methods and starts hashing the bucket's identity
    /// (`key` and `base_url`); WebCrypto copies the bytes at once, so the key is not kept.
    pub(crate) fn new(
        store: &JsValue,
        key: &str,
        base_url: &str,
        timeout_ms: f64,
        on_event: Option<Function>,
    ) -> Result<StoreLink, String> {
        let method = |name: &str| {
            Reflect::get(store, &JsValue::from_str(name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    [
                        "`rateLimit.store` must have `acquire`, `settle` and `release` methods (no `",
                        name,
                        "`)",
                    ]
                    .cat()
                })
        };
        if !store.is_object() {
            return Err("`rateLimit.store` must be an object".into());
        }
        let (acquire, settle, release) =
            (method("acquire")?, method("settle")?, method("release")?);
        let identity = ["conveyor-client/rate-limit/v1\n", base_url, "\n", key].cat();
        let digest =
            subtle_digest("SHA-256", &Uint8Array::from(identity.as_bytes())).map_err(|_| {
                "`rateLimit.store` needs WebCrypto (`crypto.subtle`), which this runtime lacks"
                    .to_owned()
            })?;
        let handle = StoreHandle {
            store: store.clone().unchecked_into(),
            acquire,
            settle,
            release,
            digest,
            bucket: None,
            timeout_ms,
        };
        Ok(StoreLink { handle, on_event })
    }

    /// What a pending call needs, cloned out so no borrow is held while it waits.
    pub(crate) fn handle(&self) -> StoreHandle {
        self.handle.clone()
    }

    /// Whether `store` is this link's store object.
    pub(crate) fn is_store(&self, store: &JsValue) -> bool {
        Object::is(&self.handle.store, store)
    }

    /// Remembers the bucket name once a call has computed it.
    pub(crate) fn learn_bucket(&mut self, bucket: String) {
        self.handle.learn_bucket(bucket);
    }
}

/// The store's methods and the bucket's name: what one call needs, cheap to clone.
#[derive(Clone)]
pub(crate) struct StoreHandle {
    store: Object,
    acquire: Function,
    settle: Function,
    release: Function,
    /// Resolves to the SHA-256 of the bucket's identity; read once, then cached.
    digest: Promise,
    bucket: Option<String>,
    timeout_ms: f64,
}

impl StoreHandle {
    /// Remembers the bucket name once a wait has read it ([`StoreHandle::hash`]).
    pub(crate) fn learn_bucket(&mut self, bucket: String) {
        self.bucket.get_or_insert(bucket);
    }

    /// The bucket name, once a wait has read it ([`StoreHandle::hash`]).
    pub(crate) fn bucket(&self) -> Option<String> {
        self.bucket.clone()
    }

    /// Waits for the SHA-256 of the bucket's identity: wait `id` is given it, for
    /// [`bucket_name`].
    pub(crate) fn hash(&self, id: u32) {
        outside_js(id, None, &self.digest, &JsValue::UNDEFINED, None);
    }

    /// Sends `ask`; wait `id` is given the answer, for [`reply`] (a timed-out one may still
    /// be answered: see [`answer_late`]).
    pub(crate) fn acquire(&self, id: u32, bucket: &str, ask: &Ask, cfg: &FleetConfig) {
        let req = Object::new();
        set(&req, "bucket", &JsValue::from_str(bucket));
        set(&req, "want", &JsValue::from_f64(f64::from(ask.want)));
        set(&req, "limit", &JsValue::from_f64(f64::from(cfg.limit)));
        set(&req, "windowMs", &JsValue::from_f64(cfg.window_ms));
        set(&req, "holdMs", &JsValue::from_f64(cfg.hold_ms));
        if !ask.carry.is_empty() {
            set(&req, "carry", &numbers_to_js(&ask.carry));
        }
        self.call(id, &self.acquire, &req);
    }

    /// Tells the store that `tokens`' responses arrived (`settle`, with `window_ms`) or that
    /// they were never sent (`release`); wait `id` is given the answer (for
    /// [`StoreHandle::settled`]).
    pub(crate) fn give_back(
        &self,
        id: u32,
        bucket: &str,
        tokens: &[String],
        window_ms: Option<f64>,
    ) {
        let req = Object::new();
        set(&req, "bucket", &JsValue::from_str(bucket));
        set(&req, "tokens", &strings_to_js(tokens));
        let method = match window_ms {
            Some(w) => {
                set(&req, "windowMs", &JsValue::from_f64(w));
                &self.settle
            }
            None => &self.release,
        };
        self.call(id, method, &req);
    }

    /// Calls a store method in a microtask, bounded by `storeTimeoutMs`: a synchronous
    /// throw, or a thenable that throws, is a failure like a rejection.
    fn call(&self, id: u32, method: &Function, req: &Object) {
        let ms = f64::from(timer_ms(self.timeout_ms));
        outside_js(id, Some(method), &self.store, req, Some(ms));
    }

    /// What a `settle` answered: a failure or a timeout is the error to report.
    pub(crate) fn settled(&self, wait: &JsValue) -> Result<(), JsValue> {
        match Answer::of(wait) {
            Answer::Value(_) => Ok(()),
            Answer::Failed(e) => Err(e),
            Answer::TimedOut => Err(self.timed_out("settle")),
        }
    }

    /// What an `acquire` for `want` tokens answered: the reply, or the error to report
    /// (with `true` when it timed out: a late answer may still grant tokens).
    pub(crate) fn reply(&self, wait: &JsValue, want: usize) -> Result<Reply, (JsValue, bool)> {
        match Answer::of(wait) {
            Answer::Value(v) => read_reply(&v, want).map_err(|e| (e, false)),
            Answer::Failed(e) => Err((e, false)),
            Answer::TimedOut => Err((self.timed_out("acquire"), true)),
        }
    }

    fn timed_out(&self, what: &str) -> JsValue {
        let mut message = ["the rate-limit store's `", what, "` did not answer within "].cat();
        push_decimal(&mut message, self.timeout_ms as u64);
        message.push_str(" ms (storeTimeoutMs)");
        js_sys::Error::new(&message).into()
    }
}

/// Reads `{ tokens, retryInMs, epoch, occupied }`. More tokens than asked are kept (the caller hands back
/// what nobody needs); anything malformed is an error, so the client falls back.
fn read_reply(v: &JsValue, want: usize) -> Result<Reply, JsValue> {
    let bad = |why: &str| -> JsValue {
        js_sys::TypeError::new(&["the rate-limit store's `acquire` answered ", why].cat()).into()
    };
    // Every read through catching bindings: the reply is the store's object.
    let tokens = fallible::get(v, "tokens").map_err(|_| bad("no readable object"))?;
    let tokens = fallible::list(&tokens, want.saturating_mul(4).max(64))
        .map_err(|_| bad("an unreadable `tokens`, or far more tokens than asked for"))?
        .ok_or_else(|| bad("without a `tokens` array"))?;
    let tokens = fallible::strings(&tokens, is_id)
        .ok_or_else(|| bad("tokens that are not short strings"))?;
    let retry_in_ms = non_negative(v, "retryInMs");
    let epoch = fallible::get(v, "epoch")
        .ok()
        .and_then(|e| e.as_string())
        .filter(|e| is_id(e));
    let occupied = non_negative(v, "occupied").map(|o| o.min(f64::from(u32::MAX)) as u32);
    Ok(Reply {
        tokens,
        retry_in_ms,
        epoch,
        occupied,
    })
}

/// `v[key]` if it is a finite number >= 0 (one function for both such reply fields).
fn non_negative(v: &JsValue, key: &str) -> Option<f64> {
    fallible::get(v, key)
        .ok()
        .and_then(|r| r.as_f64())
        .filter(|r| r.is_finite() && *r >= 0.0)
}

/// The bucket's name from what its digest's wait ended with: hex of the first 16 bytes of
/// the SHA-256.
pub(crate) fn bucket_name(wait: &JsValue) -> Result<String, JsValue> {
    let buf = match Answer::of(wait) {
        Answer::Value(v) => v,
        Answer::Failed(e) => return Err(e),
        Answer::TimedOut => return Err(JsValue::UNDEFINED),
    };
    // Byte by byte, not `to_vec`: its length check brings a panic message and the
    // formatting code for it into the .wasm. A SHA-256 has 32 bytes.
    let bytes = Uint8Array::new(&buf);
    let mut name = String::with_capacity(32);
    for i in 0..16 {
        push_hex(&mut name, u64::from(bytes.get_index(i)), 2);
    }
    Ok(name)
}

/// The tokens a late `acquire` answer granted after all (none if it failed or is malformed).
pub(crate) fn late_tokens(wait: &JsValue, want: usize) -> Vec<String> {
    match Answer::of(wait) {
        Answer::Value(v) => read_reply(&v, want).map_or_else(|_| Vec::new(), |r| r.tokens),
        _ => Vec::new(),
    }
}

/// The `onRateLimitStore` event object.
pub(crate) fn event_to_js(event: &Event, error: Option<&JsValue>) -> JsValue {
    let out = Object::new();
    match event {
        Event::Fallback { local_limit } => {
            set(&out, "type", &JsValue::from_str("fallback"));
            set(
                &out,
                "localLimit",
                &JsValue::from_f64(f64::from(*local_limit)),
            );
            if let Some(e) = error {
                set(&out, "error", e);
            }
        }
        Event::Forgotten { local_limit } => {
            set(&out, "type", &JsValue::from_str("forgotten"));
            set(
                &out,
                "localLimit",
                &JsValue::from_f64(f64::from(*local_limit)),
            );
        }
        Event::Recovered { down_ms } => {
            set(&out, "type", &JsValue::from_str("recovered"));
            set(&out, "downMs", &JsValue::from_f64(*down_ms));
        }
    }
    out.into()
}

/// Appends `n` in lowercase hex, zero-padded to `min_digits` (what `{:0min_digits$x}` writes,
/// without the formatting machinery's share of the .wasm).
pub(crate) fn push_hex(out: &mut String, n: u64, min_digits: usize) {
    let digits = (64 - n.leading_zeros()).div_ceil(4).max(1) as usize;
    for _ in digits..min_digits {
        out.push('0');
    }
    for i in (0..digits).rev() {
        let nibble = (n >> (i * 4)) & 0xf;
        out.push(char::from_digit(nibble as u32, 16).unwrap_or('0'));
    }
}

// These two are loops, not `collect::<Array>()`: each collect adds its own copy of the
// iterator machinery to the .wasm, and both this module and `MemoryStore` build such arrays.

/// `xs` as a JS array of numbers.
pub(crate) fn numbers_to_js(xs: &[f64]) -> Array {
    let out = Array::new();
    for &x in xs {
        out.push(&JsValue::from_f64(x));
    }
    out
}

/// `xs` as a JS array of strings.
pub(crate) fn strings_to_js(xs: &[String]) -> Array {
    let out = Array::new();
    for x in xs {
        out.push(&JsValue::from_str(x));
    }
    out
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

#[cfg(test)]
mod tests {
    use super::push_hex;

    #[test]
    fn push_hex_writes_what_format_does() {
        for n in [0u64, 1, 9, 10, 15, 16, 255, 256, 0xabc, u64::MAX, 1 << 52] {
            let (mut one, mut two) = (String::new(), String::new());
            push_hex(&mut one, n, 1);
            push_hex(&mut two, n, 2);
            assert_eq!(one, format!("{n:x}"));
            assert_eq!(two, format!("{n:02x}"));
        }
    }
}
