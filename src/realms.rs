//! The realm's registry of shared buckets: clients of the same key and base URL (and the
//! same kind of bucket) in one JS realm share one scheduler, so they share one limit.
//!
//! The package ships two builds (the lean one and `conveyor-client/stores`), each with a
//! registry of its own in its own wasm instance. So that a realm still has one bucket per
//! key and base URL, each build hands the errors module (the one JS module both builds'
//! glues share) a function answering "do you have a live bucket for this key and base
//! URL?", and a new bucket first asks the other builds'. The key is only ever an argument
//! of that call: no global keeps it.

use crate::scheduler::{Plan, SharedScheduler};
use alloc::{
    borrow::ToOwned,
    rc::{Rc, Weak},
    string::String,
    vec::Vec,
};
use core::cell::{OnceCell, RefCell};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    /// Registers `own` (this build's checker) and asks every other build's checker about
    /// `key` at `base_url`; `Err` when one of them threw.
    #[wasm_bindgen(catch, js_name = bucketElsewhere)]
    fn bucket_elsewhere(own: &JsValue, key: &str, base_url: &str) -> Result<bool, JsValue>;
}

/// A bucket's identity: a hash of the key (never the key itself) and the base URL.
type BucketId = (u64, String);

realm_local! {
    // Weak, so a bucket dies with its last client. A list, not a map: a realm holds a
    // handful of buckets, and a hash table would cost the .wasm more than the scan.
    static REGISTRY: RefCell<Vec<(BucketId, Weak<RefCell<crate::scheduler::Scheduler>>)>> =
        const { RefCell::new(Vec::new()) };
}

/// The realm's shared bucket for `key` at `base_url` that serves `plan`, or a new one made
/// by `create` and registered. A shared bucket keeps the configuration of the client that
/// created it; a client asking for another limit or window is refused.
pub(crate) fn shared_bucket(
    plan: Plan,
    key: &str,
    base_url: &str,
    create: impl FnOnce(Plan) -> Result<SharedScheduler, String>,
) -> Result<SharedScheduler, String> {
    let id = (key_hash(key), base_url.to_owned());
    let existing = REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|(_, w)| w.strong_count() > 0);
        // Only a client of the same kind joins a bucket: one with its own store must
        // not be handed another's (or the in-memory one) without a word.
        r.iter()
            .filter(|(b, _)| *b == id)
            .filter_map(|(_, w)| w.upgrade())
            .find(|s| s.try_borrow().is_ok_and(|s| s.bucket.serves(&plan)))
    });
    if let Some(existing) = existing {
        // Joining a bucket with another limit would silently be that limit.
        let theirs = existing
            .try_borrow()
            .map(|s| s.bucket.limit_and_window())
            .map_err(|_| "the realm's shared bucket is busy".to_owned())?;
        if theirs != plan.limit_and_window() {
            return Err(crate::limiter::shared_mismatch(
                theirs,
                plan.limit_and_window(),
            ));
        }
        return Ok(existing);
    }
    // Another build of the package in this realm with a bucket for the same key would be a
    // second budget: together the two would exceed the limit.
    if CHECKER.with(|own| {
        let own = own.get_or_init(|| {
            Closure::new(|key: String, base_url: String| has_bucket(&key, &base_url))
        });
        bucket_elsewhere(own.as_ref(), key, base_url)
    }) != Ok(false)
    {
        return Err(
            "another build of conveyor-client in this realm (`conveyor-client` or `conveyor-client/stores`) already has a rate-limit bucket for this key and base URL: two would exceed the limit together. Import ConveyorClient from one entry (`conveyor-client/stores` if any client uses a store) for this key"
                .to_owned(),
        );
    }
    // Made with the registry released: a store's getters are outside code, and may make
    // a client of their own.
    let fresh = create(plan)?;
    REGISTRY.with(|r| r.borrow_mut().push((id, Rc::downgrade(&fresh))));
    Ok(fresh)
}

realm_local! {
    // This build's answer to the other builds' question, made once.
    static CHECKER: OnceCell<Closure<dyn Fn(String, String) -> bool>> = const { OnceCell::new() };
}

/// Whether this build has a live shared bucket for `key` at `base_url`.
fn has_bucket(key: &str, base_url: &str) -> bool {
    let id = (key_hash(key), base_url.to_owned());
    REGISTRY.with(|r| {
        r.try_borrow().map_or(true, |r| {
            r.iter().any(|(b, w)| *b == id && w.strong_count() > 0)
        })
    })
}

/// A 64-bit hash of an API key, so the registry never keeps the key itself. A multiply
/// and rotate per byte rather than SipHash: the id only tells this realm's buckets apart
/// (it is never persisted or sent), and SipHash would be in the .wasm for this alone.
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0, |h, b| {
        (h.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}
