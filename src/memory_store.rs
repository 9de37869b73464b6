//! `MemoryStore`: the store protocol over in-memory [`Ledger`]s, for JS.
//!
//! It is the reference store: the Durable Object keeps one per object (and persists its
//! snapshot), and tests use it to share a budget between clients of one realm through the
//! same seam a Redis or Durable Object store uses. Its clock is `Date.now()`, so a
//! snapshot restored in a later process still means the same instants.

use crate::fallible;
use crate::ledger::{AcquireRequest, Ledger};
use alloc::{string::String, vec::Vec};
use js_sys::Array;
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

    /// Internal: `acquire` with a request `src/js/transport.js` read and checked, its
    /// numbers in one array (one argument costs the glue least): `want`, `limit`,
    /// `windowMs`, `holdMs`, then `carry`. Answers `[retryInMs or null, epoch, occupied,
    /// ...tokens]`, one array JS makes the reply from: cheaper than setting its four fields
    /// from here.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __acquire)]
    pub fn acquire_checked(&mut self, bucket: String, mut nums: Vec<f64>) -> Array {
        let at = |i: usize| nums.get(i).copied().unwrap_or(0.0);
        let (want, limit, window_ms, hold_ms) = (at(0) as u32, at(1) as u32, at(2), at(3));
        let carry = nums.split_off(nums.len().min(4));
        let req = AcquireRequest {
            want,
            limit,
            window_ms,
            hold_ms,
            carry,
        };
        let grant = self.ledger(bucket).acquire(js_sys::Date::now(), &req);
        let out = Array::new();
        out.push(&grant.retry_in_ms.map_or(JsValue::NULL, JsValue::from_f64));
        out.push(&JsValue::from_str(&grant.epoch));
        out.push(&JsValue::from_f64(grant.occupied as f64));
        for t in &grant.tokens {
            out.push(&JsValue::from_str(t));
        }
        out
    }

    /// Internal: `settle` (with `windowMs`) or `release` (`None`) of `tokens`, an array of
    /// strings JS checked; the bucket's ledger is made for a settle only (a release of
    /// what a bucket never granted changes nothing).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __give)]
    pub fn give_back(&mut self, bucket: String, tokens: Array, window_ms: Option<f64>) {
        // JS made `tokens` a fresh array of strings: these reads cannot throw.
        let tokens = fallible::strings(&tokens, |_| true).unwrap_or_default();
        let now = js_sys::Date::now();
        match window_ms {
            Some(w) => self
                .ledger(bucket)
                .settle(now, tokens.iter().map(String::as_str), w),
            None => {
                if let Some(l) = self.find(&bucket) {
                    l.release(now, tokens.iter().map(String::as_str));
                }
            }
        }
    }

    /// Internal: how many entries occupy `bucket`'s window now; 0 for a bucket it does not
    /// know (JS passes "" for a `bucket` that is not a string).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __occupied)]
    pub fn occupied_now(&mut self, bucket: &str) -> u32 {
        self.find(bucket).map_or(0, |l| {
            l.advance_to(js_sys::Date::now());
            u32::try_from(l.occupied()).unwrap_or(u32::MAX)
        })
    }

    /// Internal: the non-empty buckets, in name order, as one flat array JS makes the
    /// snapshot's JSON shape from: per bucket `name, epoch, next, n, id, at (n times), m,
    /// carried (m of them)`.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __snapshot)]
    pub fn snapshot_flat(&mut self) -> Array {
        let out = Array::new();
        let now = js_sys::Date::now();
        let num = |x: f64| JsValue::from_f64(x);
        for (name, ledger) in &mut self.buckets {
            ledger.advance_to(now);
            if ledger.is_empty() {
                continue;
            }
            let (next, tokens, carried) = ledger.snapshot();
            out.push(&JsValue::from_str(name));
            out.push(&JsValue::from_str(ledger.epoch()));
            out.push(&num(next as f64));
            out.push(&num(tokens.len() as f64));
            for &(id, at) in &tokens {
                out.push(&num(id as f64));
                out.push(&num(at));
            }
            out.push(&num(carried.len() as f64));
            for &at in &carried {
                out.push(&num(at));
            }
        }
        out
    }

    /// Internal: one bucket of a snapshot JS read and checked (`MemoryStore.restore`): its
    /// epoch ("" when it had none: this store's, so clients re-carry) and its numbers in one
    /// array (one argument costs the glue least): the next id, how many tokens `n`, `n`
    /// pairs of id and instant, then the carried instants.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __restore)]
    pub fn restore_bucket(&mut self, name: String, epoch: &str, nums: Vec<f64>) {
        let epoch = if epoch.is_empty() {
            self.epoch.clone()
        } else {
            epoch.into()
        };
        let next = nums.first().copied().unwrap_or(0.0) as u64;
        let n = nums.get(1).copied().unwrap_or(0.0) as usize;
        let rest = nums.get(2..).unwrap_or_default();
        let (pairs, carried) = rest.split_at(rest.len().min(n.saturating_mul(2)));
        // A loop, not `collect()`: each collect adds its own code to the .wasm.
        let mut tokens: Vec<(u64, f64)> = Vec::with_capacity(n);
        for pair in pairs.chunks_exact(2) {
            if let [id, at] = *pair {
                tokens.push((id as u64, at));
            }
        }
        *self.ledger(name) = Ledger::restore(&epoch, next, &tokens, carried);
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
