//! The scheduler's conversations with a rate-limit store: asks, settles and releases, each
//! in a task of its own and never while the scheduler is borrowed (the store is outside
//! code), and the `onRateLimitStore` reports. Without a store none of this runs.

use crate::bucket::Grant;
use crate::lease::{Ask, Event, Outcome, StoreReply};
use crate::scheduler::{now_ms, Scheduler, SharedScheduler};
use crate::store::event_to_js;
use std::cell::RefCell;
use std::rc::Weak;
use wasm_bindgen::JsValue;

/// Gives up on an ask the store has not answered in time, if one is overdue.
pub(crate) fn expire_ask(s: &mut Scheduler, now: f64) {
    let Some(store) = s.bucket.store() else {
        return;
    };
    if let Some(outcome) = store.fleet.expire_ask(now) {
        if let Some(event) = apply(s, outcome) {
            report_later(s, event);
        }
    }
}

/// Wakes the waiters an outcome granted and queues its spare tokens for release.
pub(crate) fn apply(s: &mut Scheduler, mut outcome: Outcome) -> Option<Event> {
    if !outcome.release.is_empty() {
        if let Some(store) = s.bucket.store() {
            store.to_release.append(&mut outcome.release);
            schedule_flush(s);
        }
    }
    for (id, source) in outcome.granted {
        s.grant(id, Grant::Shared(source));
    }
    outcome.event
}

/// Queues a store token to be released (its request was never sent).
pub(crate) fn release_later(s: &mut Scheduler, token: String) {
    if let Some(store) = s.bucket.store() {
        store.to_release.push(token);
        schedule_flush(s);
    }
}

/// Queues a store token to be settled (its response arrived).
pub(crate) fn settle_later(s: &mut Scheduler, token: String) {
    if let Some(store) = s.bucket.store() {
        store.to_settle.push(token);
        schedule_flush(s);
    }
}

/// Sends `ask` to the store in a task of its own, then applies the answer.
pub(crate) fn spawn_ask(s: &mut Scheduler, ask: Ask) {
    let Some(store) = s.bucket.store() else {
        return;
    };
    let handle = store.link.handle();
    let config = *store.fleet.config();
    let this = s.this.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let (result, late) = match handle.bucket().await {
            Ok(bucket) => match handle.acquire(&bucket, &ask, &config).await {
                Ok(reply) => (Ok((bucket, reply)), None),
                Err((e, late)) => (Err(e), late.map(|l| (bucket, l))),
            },
            Err(e) => (Err(e), None),
        };
        on_ask_result(&this, result);
        if let Some((bucket, late)) = late {
            // Nobody waits for it any more (timed out): the tokens must not sit idle.
            let mut tokens = late.tokens().await;
            if tokens.is_empty() {
                return;
            }
            if let Some(s) = this.upgrade() {
                if let Ok(mut s) = s.try_borrow_mut() {
                    if let Some(store) = s.bucket.store() {
                        store.to_release.append(&mut tokens);
                        store.link.learn_bucket(bucket);
                    }
                    schedule_flush(&mut s);
                }
            }
        }
    });
}

/// Reports an event found while the scheduler is borrowed, once it no longer is.
fn report_later(s: &Scheduler, event: Event) {
    let this = s.this.clone();
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(s) = this.upgrade() {
            let error: JsValue =
                js_sys::Error::new("the rate-limit store's `acquire` was never answered").into();
            report(&s, Some(event), Some(&error));
        }
    });
}

/// Applies what the store answered an ask (or its failure), then reports the event.
fn on_ask_result(this: &Weak<RefCell<Scheduler>>, result: Result<(String, StoreReply), JsValue>) {
    let Some(shared) = this.upgrade() else { return };
    let (event, error) = {
        let Ok(mut s) = shared.try_borrow_mut() else {
            return;
        };
        let now = now_ms();
        let Some(store) = s.bucket.store() else {
            return;
        };
        let (outcome, error) = match result {
            Ok((bucket, reply)) => {
                store.link.learn_bucket(bucket);
                (store.fleet.on_reply(now, reply), None)
            }
            Err(e) => (store.fleet.on_failure(now), Some(e)),
        };
        let event = apply(&mut s, outcome);
        s.pump();
        (event, error)
    };
    report(&shared, event, error.as_ref());
}

/// Sends the queued settles and releases in one call each, once this tick's responses
/// are in: a burst of responses costs two round trips, not one per response.
fn schedule_flush(s: &mut Scheduler) {
    let this = s.this.clone();
    let Some(store) = s.bucket.store() else {
        return;
    };
    if store.flushing {
        return;
    }
    store.flushing = true;
    wasm_bindgen_futures::spawn_local(async move {
        let Some(shared) = this.upgrade() else { return };
        let (handle, settle, release, window_ms) = {
            let Ok(mut s) = shared.try_borrow_mut() else {
                return;
            };
            let Some(store) = s.bucket.store() else {
                return;
            };
            store.flushing = false;
            (
                store.link.handle(),
                std::mem::take(&mut store.to_settle),
                std::mem::take(&mut store.to_release),
                store.fleet.config().window_ms,
            )
        };
        let Ok(bucket) = handle.bucket().await else {
            return;
        };
        if !release.is_empty() {
            // A lost release only keeps a token out until its hold expires.
            let _ = handle.give_back(&bucket, &release, None).await;
        }
        if settle.is_empty() {
            return;
        }
        if let Err(error) = handle.give_back(&bucket, &settle, Some(window_ms)).await {
            let event = {
                let Ok(mut s) = shared.try_borrow_mut() else {
                    return;
                };
                let Some(store) = s.bucket.store() else {
                    return;
                };
                let outcome = store.fleet.on_settle_failure(now_ms(), settle.len());
                let event = apply(&mut s, outcome);
                s.pump();
                event
            };
            report(&shared, event, Some(&error));
        }
    });
}

/// Calls `onRateLimitStore`, with no borrow held: the callback may look at the client.
fn report(s: &SharedScheduler, event: Option<Event>, error: Option<&JsValue>) {
    let Some(event) = event else { return };
    let callback = s.try_borrow_mut().ok().and_then(|mut s| {
        s.bucket
            .store()
            .and_then(|store| store.link.on_event.clone())
    });
    if let Some(cb) = callback {
        let _ = cb.call1(&JsValue::UNDEFINED, &event_to_js(&event, error));
    }
}
