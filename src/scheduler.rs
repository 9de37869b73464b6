//! The JS shell around [`crate::limiter::Limiter`]: waiting requests as futures, one timer,
//! and one bucket per key and base URL in a realm.
//!
//! The limiter decides; this module only wakes it. A timer is armed only while someone
//! waits, for the instant the next token returns, so an idle client leaves nothing to keep
//! a Node process alive, and Workers (whose clock moves only after I/O) never depend on a
//! ticking interval: every decision is recomputed from timestamps when something happens.

use crate::abort::{race, AbortWatch, Raced};
use crate::limiter::{Acquire, Limiter, LimiterConfig, LimiterState, WaiterId};
use futures_channel::oneshot;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::rc::{Rc, Weak};

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    // `performance.now()` is global in Node, Deno, Workers and browsers, and monotonic:
    // a wall clock stepped forward by NTP would hand tokens back early.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// The clock every limiter decision uses: monotonic ms (`performance.now()`).
pub(crate) fn now_ms() -> f64 {
    performance_now()
}

/// A bucket shared by every client of the same key and base URL in this realm.
pub(crate) type SharedScheduler = Rc<RefCell<Scheduler>>;

/// The limiter plus the waiting requests' wake-up channels and the one timer.
pub(crate) struct Scheduler {
    limiter: Limiter,
    wakers: HashMap<WaiterId, oneshot::Sender<()>>,
    timer: Option<(f64, Timeout)>,
    this: Weak<RefCell<Scheduler>>,
}

/// A bucket's identity: a hash of the key (never the key itself) and the base URL.
type BucketId = (u64, String);

thread_local! {
    // Weak, so a bucket dies with its last client.
    static REGISTRY: RefCell<HashMap<BucketId, Weak<RefCell<Scheduler>>>> =
        RefCell::new(HashMap::new());
}

/// How waiting for a token ended, other than with a token.
pub(crate) enum WaitError {
    /// The queue already holds `max_queue` requests.
    QueueFull,
    /// The caller's signal fired while queued.
    Aborted,
}

/// Why a request is about to wait, for the `onRateLimitWait` callback.
pub(crate) struct WaitNotice {
    /// The limiter's state right after the request joined the queue.
    pub state: LimiterState,
}

impl Scheduler {
    fn new(config: LimiterConfig) -> SharedScheduler {
        Rc::new_cyclic(|this| {
            RefCell::new(Scheduler {
                limiter: Limiter::new(config),
                wakers: HashMap::new(),
                timer: None,
                this: this.clone(),
            })
        })
    }

    /// The bucket for `key` at `base_url`: the realm's shared one when `shared`, else a
    /// private one. A shared bucket keeps the configuration of the client that created it.
    pub(crate) fn for_client(
        config: LimiterConfig,
        shared: bool,
        key: &str,
        base_url: &str,
    ) -> SharedScheduler {
        if !shared {
            return Scheduler::new(config);
        }
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        let id = (h.finish(), base_url.to_owned());
        REGISTRY.with(|r| {
            let mut r = r.borrow_mut();
            r.retain(|_, w| w.strong_count() > 0);
            if let Some(existing) = r.get(&id).and_then(Weak::upgrade) {
                return existing;
            }
            let fresh = Scheduler::new(config);
            r.insert(id, Rc::downgrade(&fresh));
            fresh
        })
    }

    /// A snapshot for `rateLimitState()`.
    pub(crate) fn state(&mut self) -> LimiterState {
        self.limiter.state(now_ms())
    }

    /// Blocks every grant until `until_ms` (the server said 429).
    pub(crate) fn pause_until(&mut self, until_ms: f64) {
        self.limiter.pause_until(until_ms);
        self.pump();
    }

    /// Hands tokens to waiters that can have one now, then re-arms the timer for the next.
    fn pump(&mut self) {
        let now = now_ms();
        for id in self.limiter.grant_ready(now) {
            if let Some(tx) = self.wakers.remove(&id) {
                if tx.send(()).is_err() {
                    // The waiter's future was dropped between grant and wake-up: give the
                    // token back unsent so it is not lost.
                    self.limiter.release_unsent();
                }
            }
        }
        self.arm_timer(now);
    }

    fn arm_timer(&mut self, now: f64) {
        let next = if self.wakers.is_empty() {
            None
        } else {
            self.limiter.next_wakeup(now)
        };
        match next {
            None => self.timer = None,
            Some(at) => {
                if matches!(self.timer, Some((armed, _)) if armed == at) {
                    return;
                }
                let this = self.this.clone();
                // +1 ms: setTimeout may fire a hair early relative to Date.now().
                let delay = (at - now).max(0.0).ceil() as u32 + 1;
                let timeout = Timeout::new(delay, move || {
                    if let Some(s) = this.upgrade() {
                        if let Ok(mut s) = s.try_borrow_mut() {
                            s.timer = None;
                            s.pump();
                        }
                    }
                });
                self.timer = Some((at, timeout));
            }
        }
    }
}

/// A token held by one request. Settle it when the response arrives; dropping it unsettled
/// returns the token at once (the request was never sent).
pub(crate) struct Permit {
    scheduler: Option<SharedScheduler>,
}

impl Permit {
    /// A permit that holds nothing (rate limiting disabled).
    pub(crate) fn none() -> Permit {
        Permit { scheduler: None }
    }

    /// The response (or a failure) arrived: the token returns one window from now.
    pub(crate) fn settle(mut self) {
        if let Some(s) = self.scheduler.take() {
            let mut s = s.borrow_mut();
            s.limiter.settle(now_ms());
            s.pump();
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(s) = self.scheduler.take() {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.limiter.release_unsent();
                s.pump();
            }
        }
    }
}

/// Waits for a token, in FIFO order, or until `watch` fires.
pub(crate) async fn acquire(
    shared: &SharedScheduler,
    watch: &mut AbortWatch,
    on_wait: impl FnOnce(WaitNotice),
) -> Result<Permit, WaitError> {
    if watch.aborted() {
        return Err(WaitError::Aborted);
    }
    let (id, rx) = {
        let mut s = shared.borrow_mut();
        match s.limiter.acquire(now_ms()) {
            Acquire::Granted => {
                return Ok(Permit {
                    scheduler: Some(Rc::clone(shared)),
                })
            }
            Acquire::QueueFull => return Err(WaitError::QueueFull),
            Acquire::Queued(id) => {
                let (tx, rx) = oneshot::channel();
                s.wakers.insert(id, tx);
                s.arm_timer(now_ms());
                (id, rx)
            }
        }
    };
    let state = shared.borrow_mut().state();
    on_wait(WaitNotice { state });
    match race(rx, watch).await {
        Raced::Done(Ok(())) => Ok(Permit {
            scheduler: Some(Rc::clone(shared)),
        }),
        // The sender is only dropped with the scheduler, which we hold: treat as aborted.
        Raced::Done(Err(_)) => Err(WaitError::Aborted),
        Raced::Aborted => {
            let mut s = shared.borrow_mut();
            s.wakers.remove(&id);
            if !s.limiter.cancel(id) {
                // Granted in the same tick the signal fired: hand the token back.
                s.limiter.release_unsent();
            }
            s.pump();
            Err(WaitError::Aborted)
        }
    }
}
