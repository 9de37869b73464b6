//! The scheduler's conversations with a rate-limit store: asks, settles and releases, and
//! the `onRateLimitStore` reports, never while the scheduler is borrowed (the store is
//! outside code). Without a store none of this runs.
//!
//! No Rust future: each conversation is a [`StoreTask`], boxed once and parked on the
//! pipeline's numbered waits ([`Resume`]) in turn: the bucket's digest, the store's answer
//! (or `storeTimeoutMs` passing), a microtask. When its wait ends, its next step runs
//! synchronously from the realm's one `done` callback.

use crate::bucket::Grant;
use crate::lease::{Ask, Event, FleetConfig, Outcome, StoreReply};
use crate::scheduler::{now_ms, Scheduler, SharedScheduler};
use crate::store::{self, event_to_js, StoreHandle};
use crate::transport::{self, Resume};
use alloc::{boxed::Box, rc::Weak, string::String, vec::Vec};
use core::cell::RefCell;
use wasm_bindgen::JsValue;

/// Gives up on an ask the store has not answered in time, if one is overdue.
pub(crate) fn expire_ask(s: &mut Scheduler, now: f64) {
    let Some(store) = s.bucket.store() else {
        return;
    };
    if let Some(outcome) = store.fleet.expire_ask(now) {
        if let Some(event) = apply(s, outcome) {
            // Reported once the scheduler is no longer borrowed.
            StoreTask::start(s, Step::Report(event));
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

/// Sends `ask` to the store (in a microtask: the store's method is never called inside
/// the scheduler's borrow), then applies the answer.
pub(crate) fn spawn_ask(s: &mut Scheduler, ask: Ask) {
    let Some(store) = s.bucket.store() else {
        return;
    };
    let config = *store.fleet.config();
    StoreTask::start(s, Step::Ask(ask, config));
}

/// Sends the queued settles and releases in one call each, once this tick's responses
/// are in: a burst of responses costs two round trips, not one per response.
fn schedule_flush(s: &mut Scheduler) {
    let Some(store) = s.bucket.store() else {
        return;
    };
    if store.flushing {
        return;
    }
    store.flushing = true;
    StoreTask::start(s, Step::Flush);
}

/// One conversation with the store, between two of its waits.
struct StoreTask {
    this: Weak<RefCell<Scheduler>>,
    handle: StoreHandle,
    step: Step,
}

/// What became of an ask or a settle, for the fleet.
enum Happened {
    Reply(StoreReply),
    AskFailed,
    /// A settle of this many tokens failed or timed out.
    SettleFailed(usize),
}

/// What a parked conversation waits for. `Ask` and `GiveBack` are what it sends once the
/// bucket's name is known: parked on them, it waits for the name's digest.
enum Step {
    /// Nothing (running, or done).
    Idle,
    Ask(Ask, FleetConfig),
    /// The releases, then the settles (with the window), in one call each.
    GiveBack(Vec<String>, Vec<String>, f64),
    /// `acquire`'s answer, for this many tokens.
    Asked(usize),
    /// The answer of an `acquire` that timed out, for this many tokens: they go back.
    Late(usize),
    /// The flush is due (a microtask after the first token was queued).
    Flush,
    /// `release`'s answer; the settles (with the window) go next.
    Released(Vec<String>, f64),
    /// `settle`'s answer, for this many tokens.
    Settled(usize),
    /// An event found while the scheduler was borrowed, reported a microtask later.
    Report(Event),
}

impl StoreTask {
    /// A task on `s`'s store: `step` sent at once (an ask), or after a microtask.
    fn start(s: &mut Scheduler, step: Step) {
        let this = s.this.clone();
        let Some(store) = s.bucket.store() else {
            return;
        };
        let task = Box::new(StoreTask {
            this,
            handle: store.link.handle(),
            step: Step::Idle,
        });
        match step {
            Step::Ask(..) => task.send(step),
            _ => task.wait(step, |_, id| store::soon(id)),
        }
    }

    /// Makes the next wait (given its number) and parks the task on it until it ends.
    fn wait(mut self: Box<Self>, step: Step, make: impl FnOnce(&StoreHandle, u32)) {
        let id = transport::reserve();
        make(&self.handle, id);
        self.step = step;
        transport::park(id, self);
    }

    /// Runs `f` on the scheduler, if it is still there and not borrowed.
    fn with<R>(&self, f: impl FnOnce(&mut Scheduler) -> R) -> Option<R> {
        let shared = self.this.upgrade()?;
        let mut s = shared.try_borrow_mut().ok()?;
        Some(f(&mut s))
    }

    /// Sends an ask, or releases and settles; the bucket's name is hashed first if it is
    /// not known yet.
    fn send(self: Box<Self>, step: Step) {
        let Some(bucket) = self.handle.bucket() else {
            return self.wait(step, |h, id| h.hash(id));
        };
        match step {
            Step::Ask(ask, config) => {
                let want = ask.want as usize;
                self.wait(Step::Asked(want), |h, id| {
                    h.acquire(id, &bucket, &ask, &config)
                });
            }
            Step::GiveBack(release, settle, window_ms) if !release.is_empty() => {
                self.wait(Step::Released(settle, window_ms), |h, id| {
                    h.give_back(id, &bucket, &release, None)
                });
            }
            Step::GiveBack(_, settle, window_ms) | Step::Released(settle, window_ms) => {
                self.settle(&bucket, settle, window_ms)
            }
            _ => {}
        }
    }

    fn settle(self: Box<Self>, bucket: &str, settle: Vec<String>, window_ms: f64) {
        if settle.is_empty() {
            return;
        }
        self.wait(Step::Settled(settle.len()), |h, id| {
            h.give_back(id, bucket, &settle, Some(window_ms))
        });
    }

    /// The bucket's digest came: its name is learnt (by the link too), then `step` is sent.
    fn hashed(mut self: Box<Self>, wait: &JsValue, step: Step) {
        match store::bucket_name(wait) {
            Ok(name) => {
                self.with(|s| {
                    if let Some(store) = s.bucket.store() {
                        store.link.learn_bucket(name.clone());
                    }
                });
                self.handle.learn_bucket(name);
                self.send(step);
            }
            // A lost settle or release only keeps its token out a while; a failed ask
            // falls back.
            Err(e) => {
                if matches!(step, Step::Ask(..)) {
                    self.happened(Happened::AskFailed, Some(e));
                }
            }
        }
    }

    /// Tells the fleet what became of an ask or a settle, then reports the event (with
    /// the store's error, if it failed).
    fn happened(&self, what: Happened, error: Option<JsValue>) {
        let Some(shared) = self.this.upgrade() else {
            return;
        };
        let event = {
            let Ok(mut s) = shared.try_borrow_mut() else {
                return;
            };
            let now = now_ms();
            let Some(store) = s.bucket.store() else {
                return;
            };
            let outcome = match what {
                Happened::Reply(reply) => store.fleet.on_reply(now, reply),
                Happened::AskFailed => store.fleet.on_failure(now),
                // Its tokens are usage the store did not see.
                Happened::SettleFailed(count) => store.fleet.on_settle_failure(now, count),
            };
            let event = apply(&mut s, outcome);
            s.pump();
            event
        };
        report(&shared, event, error.as_ref());
    }

    /// The flush is due: the queued lists are taken and sent.
    fn flush(mut self: Box<Self>) {
        let taken = self.with(|s| {
            let store = s.bucket.store()?;
            store.flushing = false;
            Some((
                store.link.handle(),
                core::mem::take(&mut store.to_release),
                core::mem::take(&mut store.to_settle),
                store.fleet.config().window_ms,
            ))
        });
        if let Some(Some((handle, release, settle, window_ms))) = taken {
            // The handle again: the bucket's name may have been learnt since.
            self.handle = handle;
            self.send(Step::GiveBack(release, settle, window_ms));
        }
    }

    /// A timed-out ask's late answer: the tokens it grants after all must not sit idle.
    fn late(&self, wait: &JsValue, want: usize) {
        let mut tokens = store::late_tokens(wait, want);
        if tokens.is_empty() {
            return;
        }
        self.with(|s| {
            if let Some(store) = s.bucket.store() {
                store.to_release.append(&mut tokens);
            }
            schedule_flush(s);
        });
    }
}

impl Resume for StoreTask {
    fn resume(mut self: Box<Self>, value: JsValue) -> Result<JsValue, JsValue> {
        match core::mem::replace(&mut self.step, Step::Idle) {
            step @ (Step::Ask(..) | Step::GiveBack(..)) => self.hashed(&value, step),
            Step::Asked(want) => match self.handle.reply(&value, want) {
                Ok(reply) => self.happened(Happened::Reply(reply), None),
                Err((e, timed_out)) => {
                    self.happened(Happened::AskFailed, Some(e));
                    if timed_out {
                        // Nobody waits for it any more, but it may still grant tokens.
                        self.wait(Step::Late(want), |_, id| store::answer_late(&value, id));
                    }
                }
            },
            Step::Late(want) => self.late(&value, want),
            Step::Flush => self.flush(),
            // A lost release only keeps a token out until its hold expires.
            step @ Step::Released(..) => self.send(step),
            Step::Settled(count) => {
                if let Err(e) = self.handle.settled(&value) {
                    self.happened(Happened::SettleFailed(count), Some(e));
                }
            }
            Step::Idle => {}
            Step::Report(event) => {
                if let Some(s) = self.this.upgrade() {
                    let error: JsValue =
                        js_sys::Error::new("the rate-limit store's `acquire` was never answered")
                            .into();
                    report(&s, Some(event), Some(&error));
                }
            }
        }
        // Nothing awaits a store task's promise.
        Ok(JsValue::UNDEFINED)
    }
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
