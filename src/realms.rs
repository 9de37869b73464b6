//! The realm's registry of shared buckets: clients of the same key and base URL (and the
//! same kind of bucket) in one JS realm share one scheduler, so they share one limit.
//!
//! The package ships two builds (the lean one and `conveyor-client/stores`), each with a
//! registry of its own in its own wasm instance. So that a realm still has one bucket per
//! key and base URL, each build's glue hands the errors module (the one JS module both
//! builds' glues share) this build's export [`has_bucket`], answering "do you have a live
//! bucket for this key and base URL?", and a new bucket first asks every build's. The key is
//! only ever an argument of that call: no global keeps it.

use crate::scheduler::{Plan, SharedScheduler};
use alloc::{
    borrow::ToOwned,
    rc::{Rc, Weak},
    string::String,
    vec::Vec,
};
use core::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    /// Asks every build's [`has_bucket`] about `key` at `base_url` (this one's answers no
    /// while it asks); `Err` when one of them threw.
    #[wasm_bindgen(catch, js_name = bucketElsewhere)]
    fn bucket_elsewhere(key: &str, base_url: &str) -> Result<bool, JsValue>;
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
    ASKING.with(|a| a.set(true));
    let elsewhere = bucket_elsewhere(key, base_url);
    ASKING.with(|a| a.set(false));
    if elsewhere != Ok(false) {
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
    // Set while this build asks: the errors module asks every build, this one too, whose
    // registry was searched already (a bucket of the kind asked for was joined; one of
    // another kind, which a client with or without a store may hold beside it, is no
    // second budget of the other build), so it answers no.
    static ASKING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this build has a live shared bucket for `key` at `base_url`: the other builds'
/// question, through the errors module, which the glue hands this export at load
/// (scripts/post-build.mjs), never part of the package's surface.
#[wasm_bindgen(js_name = __hasBucket)]
pub fn has_bucket(key: &str, base_url: &str) -> bool {
    if ASKING.with(Cell::get) {
        return false;
    }
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
