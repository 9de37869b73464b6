//! `MemoryStore`: the store protocol over in-memory [`Ledger`]s, for JS.
//!
//! It is the reference store: the Durable Object keeps one per object (and persists its
//! snapshot), and tests use it to share a budget between clients of one realm through the
//! same seam a Redis or Durable Object store uses. Its clock is `Date.now()`, so a
//! snapshot restored in a later process still means the same instants.
//!
//! Its public methods are JS (`src/js/memory_store.js`, installed on the class by the stores
//! build's glue): a request or a snapshot is the caller's object, read and checked there, and
//! this side takes plain values through one export, [`MemoryStore::call`]. Rust keeps what
//! the store decides: the ledgers by bucket, and the epoch.

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

    /// Internal: one call that `src/js/memory_store.js` read and checked, `op` naming it
    /// (the `OP_*` constants; JS has the same numbers). One export for every method: each
    /// export costs the .wasm and the glue a shim of its own.
    ///
    /// - `OP_ACQUIRE`: `nums` is `want`, `limit`, `windowMs`, `holdMs`, then `carry`;
    ///   answers `[retryInMs or null, epoch, occupied, ...tokens]`, one array JS makes the
    ///   reply from (cheaper than setting its four fields from here);
    /// - `OP_SETTLE` (`nums` is `[windowMs]`) and `OP_RELEASE` of the ids in `strs`;
    /// - `OP_OCCUPIED`: how many entries occupy `bucket`'s window now (0 for a bucket it
    ///   does not know);
    /// - `OP_RESTORE`: `bucket` from a snapshot: `strs` holds its epoch (none: this store's,
    ///   so clients re-carry) and `nums` its next id, how many tokens `n`, `n` pairs of id
    ///   and instant, then the carried instants;
    /// - `OP_SNAPSHOT`: the non-empty buckets in name order, flat, for JS to make the
    ///   snapshot's JSON shape from: per bucket `name, epoch, next, n, n pairs of id and
    ///   instant, m, m carried instants`.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __call)]
    pub fn call(
        &mut self,
        op: u8,
        bucket: String,
        mut nums: Vec<f64>,
        strs: Option<Array>,
    ) -> JsValue {
        let now = js_sys::Date::now();
        // JS made `strs` a fresh array of strings: these reads cannot throw.
        let strs = strs
            .and_then(|a| fallible::strings(&a, |_| true))
            .unwrap_or_default();
        let ids = strs.iter().map(String::as_str);
        let first = nums.first().copied().unwrap_or(0.0);
        match op {
            OP_ACQUIRE => {
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
                let grant = self.ledger(bucket).acquire(now, &req);
                let out = Array::new();
                out.push(&grant.retry_in_ms.map_or(JsValue::NULL, JsValue::from_f64));
                out.push(&JsValue::from_str(&grant.epoch));
                out.push(&JsValue::from_f64(grant.occupied as f64));
                for t in &grant.tokens {
                    out.push(&JsValue::from_str(t));
                }
                return out.into();
            }
            OP_SETTLE => self.ledger(bucket).settle(now, ids, first),
            // No ledger is made for a release: releasing what a bucket never granted
            // changes nothing.
            OP_RELEASE => {
                if let Some(l) = self.find(&bucket) {
                    l.release(now, ids);
                }
            }
            OP_OCCUPIED => {
                let n = self.find(&bucket).map_or(0, |l| {
                    l.advance_to(now);
                    l.occupied()
                });
                return JsValue::from_f64(n as f64);
            }
            OP_RESTORE => {
                let epoch = strs.first().unwrap_or(&self.epoch).clone();
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
                *self.ledger(bucket) = Ledger::restore(&epoch, first as u64, &tokens, carried);
            }
            _ => return self.snapshot_flat(now).into(),
        }
        JsValue::UNDEFINED
    }
}

/// `MemoryStore.__call`'s operations; src/js/memory_store.js has the same numbers.
const OP_ACQUIRE: u8 = 0;
const OP_SETTLE: u8 = 1;
const OP_RELEASE: u8 = 2;
const OP_OCCUPIED: u8 = 3;
const OP_RESTORE: u8 = 4;

impl MemoryStore {
    /// The non-empty buckets, flat (see [`MemoryStore::call`]'s `OP_SNAPSHOT`).
    fn snapshot_flat(&mut self, now: f64) -> Array {
        let out = Array::new();
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
