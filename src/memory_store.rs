//! `MemoryStore`: the store protocol over in-memory [`Ledger`]s, for JS.
//!
//! It is the reference store: the Durable Object keeps one per object (and persists its
//! snapshot), and tests use it to share a budget between clients of one realm through the
//! same seam a Redis or Durable Object store uses. Its clock is `Date.now()`, so a
//! snapshot restored in a later process still means the same instants.

use crate::fallible;
use crate::ledger::{is_id, AcquireRequest, Ledger, MAX_CARRY, MAX_ID_LEN};
use crate::store::{numbers_to_js, strings_to_js};
use crate::text::Cat;
use alloc::{string::String, vec::Vec};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

/// An in-memory rate-limit store: `acquire`, `settle` and `release` as the store protocol
/// defines them (`docs/store-protocol.md`), synchronous, for one realm.
///
/// ```js
/// const store = new MemoryStore();
/// const a = new ConveyorClient({ apiKey, rateLimit: { store, fleetSize: 2 } });
/// ```
#[wasm_bindgen]
pub struct MemoryStore {
    /// By name, sorted: a binary search costs the .wasm less than a `HashMap` would.
    buckets: Vec<(String, Ledger)>,
    /// This instance's memory: a new store is a new epoch, so clients that were using a
    /// previous one (a restarted process) re-carry what they used.
    epoch: String,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

/// A random epoch name, hex.
fn fresh_epoch() -> String {
    let r = js_sys::Math::random() * 9_007_199_254_740_992.0; // 2^53
    let mut out = String::new();
    crate::store::push_hex(&mut out, r as u64, 1);
    out
}

#[wasm_bindgen]
impl MemoryStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryStore {
        MemoryStore {
            buckets: Vec::new(),
            epoch: fresh_epoch(),
        }
    }

    /// Grants up to `want` tokens of `bucket`: `{ tokens, retryInMs, epoch, occupied }`.
    pub fn acquire(&mut self, req: JsValue) -> Result<JsValue, JsValue> {
        let bucket = bucket_of(&req)?;
        let parsed = AcquireRequest {
            want: whole(&req, "want")?,
            limit: whole(&req, "limit")?,
            window_ms: number(&req, "windowMs")?,
            hold_ms: number(&req, "holdMs")?,
            carry: match get(&req, "carry")? {
                None => Vec::new(),
                Some(v) => numbers(&v, "carry")?,
            },
        };
        // `whole` and `numbers` have checked `want`, `limit` and `carry`; what
        // `AcquireRequest::validate` asks beyond that is checked here, in its order and with
        // its words (its `String` messages would cost the .wasm a second copy of each).
        greater_than_0(parsed.window_ms)?;
        if parsed.hold_ms < 0.0 {
            return Err(field_error(
                "holdMs",
                "must be a finite number of at least 0",
            ));
        }
        let grant = self.ledger(bucket).acquire(js_sys::Date::now(), &parsed);
        let out = Object::new();
        set(&out, "tokens", &strings_to_js(&grant.tokens));
        set(
            &out,
            "retryInMs",
            &grant.retry_in_ms.map_or(JsValue::NULL, JsValue::from_f64),
        );
        set(&out, "epoch", &JsValue::from_str(&grant.epoch));
        set(&out, "occupied", &JsValue::from_f64(grant.occupied as f64));
        Ok(out.into())
    }

    /// The responses to `tokens` arrived: each frees one `windowMs` from now.
    pub fn settle(&mut self, req: JsValue) -> Result<(), JsValue> {
        let bucket = bucket_of(&req)?;
        let window_ms = greater_than_0(number(&req, "windowMs")?)?;
        let tokens = ids(&req)?;
        self.ledger(bucket).settle(
            js_sys::Date::now(),
            tokens.iter().map(String::as_str),
            window_ms,
        );
        Ok(())
    }

    /// `tokens` were never sent: they free at once.
    pub fn release(&mut self, req: JsValue) -> Result<(), JsValue> {
        let bucket = bucket_of(&req)?;
        let tokens = ids(&req)?;
        if let Some(l) = self.find(&bucket) {
            l.release(js_sys::Date::now(), tokens.iter().map(String::as_str));
        }
        Ok(())
    }

    /// How many entries occupy `bucket`'s window now (for tests and dashboards); 0 for a
    /// bucket it does not know (or a `bucket` that is not a string).
    // `JsValue`, not `&str`: the argument is the caller's, and is checked here.
    pub fn occupied(&mut self, bucket: JsValue) -> u32 {
        let bucket = bucket.as_string().unwrap_or_default();
        self.find(&bucket).map_or(0, |l| {
            l.advance_to(js_sys::Date::now());
            u32::try_from(l.occupied()).unwrap_or(u32::MAX)
        })
    }

    /// The whole state as a JSON-able value, to persist (a Durable Object writes it to its
    /// storage). Empty buckets are left out; the others come in name order.
    pub fn snapshot(&mut self) -> JsValue {
        let out = Object::new();
        let now = js_sys::Date::now();
        for (name, ledger) in &mut self.buckets {
            ledger.advance_to(now);
            if ledger.is_empty() {
                continue;
            }
            let (next, tokens, carried) = ledger.snapshot();
            let b = Object::new();
            set(&b, "epoch", &JsValue::from_str(ledger.epoch()));
            set(&b, "next", &JsValue::from_f64(next as f64));
            let pairs = Array::new();
            for &(id, at) in &tokens {
                pairs.push(&Array::of2(
                    &JsValue::from_f64(id as f64),
                    &JsValue::from_f64(at),
                ));
            }
            set(&b, "tokens", &pairs);
            set(&b, "carried", &numbers_to_js(&carried));
            set(&out, name, &b);
        }
        out.into()
    }

    /// A store from a [`MemoryStore::snapshot`]. Malformed entries are skipped rather than
    /// trusted: a damaged snapshot can only forget usage that has mostly expired anyway.
    pub fn restore(snapshot: JsValue) -> MemoryStore {
        let mut store = MemoryStore::new();
        if !snapshot.is_object() {
            return store;
        }
        // Read through catching bindings: a snapshot comes from storage or a caller.
        let Ok(buckets) = fallible::entries(&snapshot) else {
            return store;
        };
        for pair in buckets.iter() {
            let pair: Array = pair.unchecked_into();
            let (name, b) = (pair.get(0).as_string().unwrap_or_default(), pair.get(1));
            let read = |k: &str| get(&b, k).ok().flatten();
            // Without its epoch a bucket is a new memory: clients will re-carry.
            let epoch = read("epoch")
                .and_then(|e| e.as_string())
                .filter(|e| is_id(e))
                .unwrap_or_else(|| store.epoch.clone());
            let next = read("next")
                .and_then(|n| n.as_f64())
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map_or(0, |n| n as u64);
            // Loops, not `filter_map(..).collect()`: each collect adds its own code to the .wasm.
            let mut tokens: Vec<(u64, f64)> = Vec::new();
            let pairs = read("tokens")
                .and_then(|t| fallible::list(&t, fallible::MAX_ITEMS).ok().flatten())
                .unwrap_or_else(Array::new);
            for pair in pairs.iter() {
                let Some(id) = Reflect::get_u32(&pair, 0).ok().and_then(|v| v.as_f64()) else {
                    continue;
                };
                let Some(at) = Reflect::get_u32(&pair, 1).ok().and_then(|v| v.as_f64()) else {
                    continue;
                };
                if id.is_finite() && id >= 0.0 {
                    tokens.push((id as u64, at));
                }
            }
            let mut carried: Vec<f64> = Vec::new();
            let entries = read("carried")
                .and_then(|c| fallible::list(&c, MAX_CARRY).ok().flatten())
                .unwrap_or_else(Array::new);
            for v in entries.iter() {
                if let Some(at) = v.as_f64() {
                    carried.push(at);
                }
            }
            *store.ledger(name) = Ledger::restore(&epoch, next, &tokens, &carried);
        }
        store
    }
}

impl MemoryStore {
    /// `bucket`'s ledger, if it has one.
    fn find(&mut self, bucket: &str) -> Option<&mut Ledger> {
        let i = self
            .buckets
            .binary_search_by(|(name, _)| name.as_str().cmp(bucket))
            .ok()?;
        self.buckets.get_mut(i).map(|(_, l)| l)
    }

    /// `bucket`'s ledger, a new one (of this store's epoch) if it has none yet.
    fn ledger(&mut self, bucket: String) -> &mut Ledger {
        let i = match self
            .buckets
            .binary_search_by(|(name, _)| name.as_str().cmp(&bucket))
        {
            Ok(i) => i,
            Err(i) => {
                self.buckets.insert(i, (bucket, Ledger::new(&self.epoch)));
                i
            }
        };
        // `i` is in bounds: found, or just inserted there.
        &mut self.buckets[i].1
    }
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

// Messages are joined with `concat`, not `format!`: each `format!` adds code to the .wasm.
fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(&["MemoryStore: ", message].cat()).into()
}

/// "MemoryStore: `name` what".
fn field_error(name: &str, what: &str) -> JsValue {
    type_error(&["`", name, "` ", what].cat())
}

/// `req[name]`, `None` for `undefined`/`null`; a throwing getter or trap is a TypeError.
fn get(req: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    if !req.is_object() {
        return Err(type_error("the request must be an object"));
    }
    let v = fallible::get(req, name).map_err(|_| field_error(name, "could not be read"))?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

fn bucket_of(req: &JsValue) -> Result<String, JsValue> {
    match get(req, "bucket")?.and_then(|b| b.as_string()) {
        Some(b) if is_id(&b) => Ok(b),
        _ => Err(type_error("`bucket` must be a non-empty string")),
    }
}

fn number(req: &JsValue, name: &str) -> Result<f64, JsValue> {
    get(req, name)?
        .and_then(|v| v.as_f64())
        .filter(|n| n.is_finite())
        .ok_or_else(|| field_error(name, "must be a finite number"))
}

/// A `windowMs` the caller has read, refused unless it is greater than 0.
fn greater_than_0(window_ms: f64) -> Result<f64, JsValue> {
    if window_ms > 0.0 {
        Ok(window_ms)
    } else {
        Err(field_error(
            "windowMs",
            "must be a finite number greater than 0",
        ))
    }
}

fn whole(req: &JsValue, name: &str) -> Result<u32, JsValue> {
    let n = number(req, name)?;
    if n != libm::trunc(n) || !(1.0..=f64::from(u32::MAX)).contains(&n) {
        return Err(field_error(name, "must be a whole number of at least 1"));
    }
    Ok(n as u32)
}

fn numbers(v: &JsValue, name: &str) -> Result<Vec<f64>, JsValue> {
    let arr = fallible::list(v, MAX_CARRY)
        .map_err(|_| field_error(name, "could not be read, or holds too many entries"))?
        .ok_or_else(|| field_error(name, "must be an array of numbers"))?;
    let mut out = Vec::with_capacity(arr.length() as usize);
    for x in arr.iter() {
        match x.as_f64() {
            Some(n) if n.is_finite() => out.push(n),
            _ => return Err(field_error(name, "must be an array of finite numbers")),
        }
    }
    Ok(out)
}

fn ids(req: &JsValue) -> Result<Vec<String>, JsValue> {
    let bad = || type_error("`tokens` must be an array of token id strings");
    let v = get(req, "tokens")?.ok_or_else(bad)?;
    let arr = fallible::list(&v, MAX_CARRY)
        .map_err(|_| bad())?
        .ok_or_else(bad)?;
    fallible::strings(&arr, |s| s.len() <= MAX_ID_LEN).ok_or_else(bad)
}
