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
use crate::ledger::{is_id, push_decimal};
use crate::options::timer_ms;
use crate::text::Cat;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    // WebCrypto is global in Node >= 19, Deno, Workers and browsers (secure contexts).
    #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = digest)]
    fn subtle_digest(algorithm: &str, data: &Uint8Array) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// A promise that resolves after `ms`, its timer cleared when dropped (so a store that
/// answered leaves nothing to keep a Node process alive). A `JsFuture` like the store's
/// replies: no timer future and channel of its own in the .wasm.
struct Delay {
    handle: JsValue,
    done: JsFuture,
}

impl Delay {
    fn new(ms: u32) -> Delay {
        let mut handle = JsValue::UNDEFINED;
        let promise = Promise::new(&mut |resolve, _| handle = set_timeout(&resolve, ms));
        Delay {
            handle,
            done: JsFuture::from(promise),
        }
    }
}

impl Drop for Delay {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
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

    /// What a pending call needs, cloned out so no borrow is held across an await.
    pub(crate) fn handle(&self) -> StoreHandle {
        self.handle.clone()
    }

    /// Whether `store` is this link's store object.
    pub(crate) fn is_store(&self, store: &JsValue) -> bool {
        Object::is(&self.handle.store, store)
    }

    /// Remembers the bucket name once a call has computed it.
    pub(crate) fn learn_bucket(&mut self, bucket: String) {
        self.handle.bucket.get_or_insert(bucket);
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

/// An `acquire` that timed out, still waiting for the store's answer.
pub(crate) struct Late {
    reply: JsFuture,
    want: usize,
}

impl Late {
    /// The tokens the store granted after all (none if it failed).
    pub(crate) async fn tokens(self) -> Vec<String> {
        let want = self.want;
        self.reply
            .await
            .and_then(|v| read_reply(&v, want))
            .map_or_else(|_| Vec::new(), |r| r.tokens)
    }
}

impl StoreHandle {
    /// The bucket name: hex of the first 16 bytes of the SHA-256.
    pub(crate) async fn bucket(&self) -> Result<String, JsValue> {
        if let Some(b) = &self.bucket {
            return Ok(b.clone());
        }
        let buf = JsFuture::from(self.digest.clone()).await?;
        // Byte by byte, not `to_vec`: its length check brings a panic message and the
        // formatting code for it into the .wasm. A SHA-256 has 32 bytes.
        let bytes = Uint8Array::new(&buf);
        let mut name = String::with_capacity(32);
        for i in 0..16 {
            push_hex(&mut name, u64::from(bytes.get_index(i)), 2);
        }
        Ok(name)
    }

    /// Sends `ask`. On a timeout the call is abandoned but not forgotten: the error comes
    /// with the [`Late`] answer, whose tokens must be released if the store grants after all.
    // The store's promise is awaited in the caller's task (no task of its own and no
    // channel): each spawned future and channel type adds its own code to the .wasm.
    pub(crate) async fn acquire(
        &self,
        bucket: &str,
        ask: &Ask,
        cfg: &FleetConfig,
    ) -> Result<Reply, (JsValue, Option<Late>)> {
        let req = Object::new();
        set(&req, "bucket", &JsValue::from_str(bucket));
        set(&req, "want", &JsValue::from_f64(f64::from(ask.want)));
        set(&req, "limit", &JsValue::from_f64(f64::from(cfg.limit)));
        set(&req, "windowMs", &JsValue::from_f64(cfg.window_ms));
        set(&req, "holdMs", &JsValue::from_f64(cfg.hold_ms));
        if !ask.carry.is_empty() {
            set(&req, "carry", &numbers_to_js(&ask.carry));
        }
        let want = ask.want as usize;
        let mut reply = self.call(&self.acquire, &req);
        match with_timeout(&mut reply, self.timeout_ms).await {
            Some(result) => result
                .and_then(|v| read_reply(&v, want))
                .map_err(|e| (e, None)),
            None => Err((self.timed_out("acquire"), Some(Late { reply, want }))),
        }
    }

    /// Tells the store that `tokens`' responses arrived (`settle`) or that they were never
    /// sent (`release`).
    pub(crate) async fn give_back(
        &self,
        bucket: &str,
        tokens: &[String],
        window_ms: Option<f64>,
    ) -> Result<(), JsValue> {
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
        let name = if window_ms.is_some() {
            "settle"
        } else {
            "release"
        };
        // Polled through `&mut`, as in `acquire`: one `with_timeout` instantiation, not two.
        let mut call = self.call(method, &req);
        match with_timeout(&mut call, self.timeout_ms).await {
            Some(r) => r.map(|_| ()),
            None => Err(self.timed_out(name)),
        }
    }

    /// Calls a store method; a synchronous throw, or a thenable that throws, becomes a
    /// rejection.
    fn call(&self, method: &Function, req: &Object) -> JsFuture {
        match method.call1(&self.store, req) {
            Ok(v) => fallible::future(&v),
            Err(e) => JsFuture::from(Promise::reject(&e)),
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

/// `Some(output)` if `fut` finishes within `ms`, `None` otherwise.
async fn with_timeout<F: Future>(fut: F, ms: f64) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut timer = Delay::new(timer_ms(ms));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        Pin::new(&mut timer.done).poll(cx).map(|_| None)
    })
    .await
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
