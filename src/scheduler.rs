//! Wakes a key's rate-limit [`Bucket`]: the queued requests as futures, one timer, and the
//! pipeline's way in ([`acquire`], [`Permit`]).
//!
//! The bucket decides; this module only wakes it. A timer is armed only while someone
//! waits, for the instant the next token returns, so an idle client leaves nothing to keep
//! a Node process alive, and Workers (whose clock moves only after I/O) never depend on a
//! ticking interval: every decision is recomputed from timestamps when something happens.
//! In workerd, where a timer dies with the request that set it, each waiting request also
//! keeps a timer of its own ([`wait_for_grant`]).
//!
//! Around it: [`crate::bucket`] (in memory, or shared through a store), [`crate::waiters`]
//! (one record per queued request), [`crate::realms`] (one bucket per key and base URL in a
//! realm) and [`crate::store_tasks`] (the store's asks, settles and releases).

use crate::abort::AbortWatch;
use crate::bucket::{Admitted, Bucket, Grant};
#[cfg(feature = "stores")]
use crate::lease::FleetConfig;
use crate::limiter::{LimiterConfig, LimiterState, WaiterId};
#[cfg(feature = "stores")]
use crate::store_tasks;
use crate::waiters::{Look, Waiters};
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

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

/// A bucket, its waiters, and the one timer.
pub(crate) struct Scheduler {
    pub(crate) bucket: Bucket,
    waiters: Waiters,
    timer: Option<(f64, Timeout)>,
    pub(crate) this: Weak<RefCell<Scheduler>>,
}

/// How the client should rate-limit, read from its options.
pub(crate) enum Plan {
    /// The realm's in-memory bucket.
    Local(LimiterConfig),
    /// A shared store.
    #[cfg(feature = "stores")]
    Store {
        config: FleetConfig,
        store: wasm_bindgen::JsValue,
        timeout_ms: f64,
        on_event: Option<js_sys::Function>,
    },
}

impl Plan {
    /// The plan's `(limit, windowMs)`.
    pub(crate) fn limit_and_window(&self) -> (u32, f64) {
        match self {
            Plan::Local(c) => (c.limit, c.window_ms),
            #[cfg(feature = "stores")]
            Plan::Store { config, .. } => (config.limit, config.window_ms),
        }
    }
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
    fn new(plan: Plan, key: &str, base_url: &str) -> Result<SharedScheduler, String> {
        let bucket = Bucket::new(plan, key, base_url)?;
        Ok(Rc::new_cyclic(|this| {
            RefCell::new(Scheduler {
                bucket,
                waiters: Waiters::default(),
                timer: None,
                this: this.clone(),
            })
        }))
    }

    /// The bucket for `key` at `base_url`: the realm's shared one when `shared`, else a
    /// private one. A shared bucket keeps the configuration of the client that created it.
    /// Fails only when `plan`'s store is unusable, or its limits differ from the shared one.
    pub(crate) fn for_client(
        plan: Plan,
        shared: bool,
        key: &str,
        base_url: &str,
    ) -> Result<SharedScheduler, String> {
        if !shared {
            return Scheduler::new(plan, key, base_url);
        }
        crate::realms::shared_bucket(plan, key, base_url, |plan| {
            Scheduler::new(plan, key, base_url)
        })
    }

    /// A snapshot for `rateLimitState()`, and whether the store has failed over to the
    /// local share (`None` without a store).
    pub(crate) fn state(&mut self) -> (LimiterState, Option<bool>) {
        self.bucket.state(now_ms())
    }

    /// Blocks every grant until `until_ms` (the server said 429).
    pub(crate) fn pause_until(&mut self, until_ms: f64) {
        self.bucket.pause_until(until_ms);
        self.pump();
    }

    /// Hands tokens to waiters that can have one now, asks the store when that is due,
    /// then re-arms the timer for the next decision.
    pub(crate) fn pump(&mut self) {
        let now = now_ms();
        #[cfg(feature = "stores")]
        store_tasks::expire_ask(self, now);
        self.bucket.grant_ready(now, &mut self.waiters);
        #[cfg(feature = "stores")]
        if let Some(ask) = self.bucket.ask(now) {
            store_tasks::spawn_ask(self, ask);
        }
        self.arm_timer(now);
    }

    /// Hands `grant` to waiter `id`; if it already left, the token goes back unsent.
    #[cfg(feature = "stores")]
    pub(crate) fn grant(&mut self, id: WaiterId, grant: Grant) {
        if let Err(grant) = self.waiters.grant(id, grant) {
            self.give_back_unsent(grant);
        }
    }

    /// A token was never used: back to the bucket (or the store).
    fn give_back_unsent(&mut self, grant: Grant) {
        #[cfg(feature = "stores")]
        if let Some(token) = self.bucket.give_back_unsent(grant) {
            store_tasks::release_later(self, token);
        }
        #[cfg(not(feature = "stores"))]
        self.bucket.give_back_unsent(grant);
    }

    fn settle(&mut self, grant: Grant) {
        #[cfg(feature = "stores")]
        if let Some(token) = self.bucket.settle(now_ms(), grant) {
            store_tasks::settle_later(self, token);
        }
        #[cfg(not(feature = "stores"))]
        self.bucket.settle(now_ms(), grant);
        self.pump();
    }

    /// Waiter `id` leaves the queue before picking up a token (its signal fired): a grant
    /// it had not picked up yet goes back.
    fn leave(&mut self, id: WaiterId) {
        match self.waiters.leave(id) {
            Some(grant) => self.give_back_unsent(grant),
            None => {
                self.bucket.cancel(id);
            }
        }
        self.pump();
    }

    /// When the next decision is due (a token returns, the store can be asked again), if
    /// anyone waits.
    fn next_decision(&self, now: f64) -> Option<f64> {
        if self.waiters.is_empty() {
            return None;
        }
        self.bucket.next_wakeup(now)
    }

    fn arm_timer(&mut self, now: f64) {
        let next = self.next_decision(now);
        match next {
            None => self.timer = None,
            Some(at) => {
                if matches!(self.timer, Some((armed, _)) if armed == at) {
                    return;
                }
                let this = self.this.clone();
                // +1 ms: setTimeout may fire a hair early relative to Date.now().
                let delay = crate::options::timer_ms((at - now).max(0.0).ceil() + 1.0);
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
    held: Option<(SharedScheduler, Grant)>,
}

impl Permit {
    /// A permit for `grant`, a token of `shared`'s bucket.
    fn held(shared: &SharedScheduler, grant: Grant) -> Permit {
        Permit {
            held: Some((Rc::clone(shared), grant)),
        }
    }

    /// A permit that holds nothing (rate limiting disabled).
    pub(crate) fn none() -> Permit {
        Permit { held: None }
    }

    /// The response (or a failure) arrived: the token returns one window from now.
    pub(crate) fn settle(mut self) {
        if let Some((s, grant)) = self.held.take() {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.settle(grant);
            }
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some((s, grant)) = self.held.take() {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.give_back_unsent(grant);
                s.pump();
            }
        }
    }
}

/// One queued request's wait for its token. However it ends early (the signal fired, the
/// future was dropped), it leaves the queue, and a grant it had not picked up goes back.
pub(crate) struct Wait<'a> {
    shared: &'a SharedScheduler,
    id: WaiterId,
    /// Whether it has left the queue (with its token, or found itself gone).
    done: bool,
}

impl Wait<'_> {
    /// Looks for the grant, leaving `waker` to be woken by it.
    fn look(&mut self, waker: Option<&std::task::Waker>) -> Poll<Option<Grant>> {
        // Polled from a task, never while the scheduler is borrowed; if it were, the
        // caller looks again (the grant waits in the waiter's record).
        let Ok(mut s) = self.shared.try_borrow_mut() else {
            if let Some(waker) = waker {
                waker.wake_by_ref();
            }
            return Poll::Pending;
        };
        match s.waiters.look(self.id, waker) {
            Look::Waiting => Poll::Pending,
            Look::Granted(grant) => {
                self.done = true;
                Poll::Ready(Some(grant))
            }
            Look::Gone => {
                self.done = true;
                Poll::Ready(None)
            }
        }
    }
}

impl Future for Wait<'_> {
    type Output = Option<Grant>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Grant>> {
        self.get_mut().look(Some(cx.waker()))
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Ok(mut s) = self.shared.try_borrow_mut() {
            s.leave(self.id);
        }
    }
}

/// Whether timers belong to the request that set them: in workerd a timer set while
/// serving one request dies with it, and a request waiting only on another's timer is
/// cancelled as hung. Detected once (`navigator.userAgent` is `Cloudflare-Workers` there).
fn timers_are_request_scoped() -> bool {
    thread_local! {
        static SCOPED: bool = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
            .and_then(|n| js_sys::Reflect::get(&n, &"userAgent".into()))
            .ok()
            .and_then(|ua| ua.as_string())
            .is_some_and(|ua| ua == "Cloudflare-Workers");
    }
    SCOPED.with(|s| *s)
}

/// A queued request's wait for its token, or the answer the bucket gave at once.
///
/// Elsewhere than workerd, the scheduler's one timer serves every waiter and a grant wakes
/// its waiter at once: the wait holds only the waiter's record and the caller's watch
/// (this is what each of 100,000 queued requests holds, so no more).
///
/// Where timers are request-scoped (workerd), a waiter is only ever resumed by a timer of
/// its own. A grant is often made while serving another request (its timer fired first, or
/// its response came in), and waking the waiter from there would have wasm-bindgen-futures
/// poll it from a microtask of that other request: its deadline timer and its `fetch`
/// would then belong to that request, and the waiter, left with nothing of its own
/// pending, is cancelled as hung. So the waiter's record is only looked at (never handed a
/// waker), and the waiter's own timer, armed for the scheduler's next decision, picks the
/// grant up; when that timer fires the waiter runs the decision itself
/// ([`wait_by_own_timer`], boxed: elsewhere no waiter carries its timer).
pub(crate) enum Acquire<'a> {
    /// Answered at once (taken when polled).
    Ready(Option<Result<Permit, WaitError>>),
    /// Queued: woken by its grant, or by the signal.
    Queued {
        wait: Wait<'a>,
        watch: &'a mut AbortWatch,
    },
    /// Queued where timers are request-scoped.
    OwnTimer(Pin<Box<dyn Future<Output = Result<Permit, WaitError>> + 'a>>),
}

impl Future for Acquire<'_> {
    type Output = Result<Permit, WaitError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Acquire::Ready(answer) => Poll::Ready(answer.take().unwrap_or(Err(WaitError::Aborted))),
            Acquire::OwnTimer(wait) => wait.as_mut().poll(cx),
            // The signal first: an aborted waiter does not pick up a grant (leaving, when
            // this is dropped, hands back one it had not picked up).
            Acquire::Queued { wait, watch } => {
                if Pin::new(&mut **watch).poll(cx).is_ready() {
                    return Poll::Ready(Err(WaitError::Aborted));
                }
                wait.look(Some(cx.waker())).map(|grant| match grant {
                    Some(grant) => Ok(Permit::held(wait.shared, grant)),
                    None => Err(WaitError::Aborted),
                })
            }
        }
    }
}

/// A queued request's wait where timers are request-scoped: see [`Acquire`].
async fn wait_by_own_timer<'a>(
    mut wait: Wait<'a>,
    watch: &'a mut AbortWatch,
) -> Result<Permit, WaitError> {
    loop {
        if watch.aborted() {
            return Err(WaitError::Aborted);
        }
        if let Poll::Ready(grant) = wait.look(None) {
            return grant
                .map(|grant| Permit::held(wait.shared, grant))
                .ok_or(WaitError::Aborted);
        }
        let now = now_ms();
        // With no decision due (every token is out with a request in flight, or a token
        // may come back unsent), the waiter still looks again soon: it is not woken by the
        // response that frees a token, and workerd would see it waiting on nothing of its
        // own and cancel it as hung.
        // Polled from a task, never while the scheduler is borrowed; if it were, look again
        // a second later rather than trap.
        let (due, window_ms, store) =
            wait.shared
                .try_borrow()
                .map_or((None, 10_000.0, false), |s| {
                    (
                        s.next_decision(now),
                        s.bucket.window_ms(),
                        s.bucket.is_shared(),
                    )
                });
        // Without a store, a grant nobody scheduled is rare (a token given back unsent): a
        // tenth of a window late at most, a second at most, and not busier than 100 Hz. With
        // a store every grant arrives with a store reply at an instant no timer knows, so the
        // waiter looks far more often: a 200th of a window, 5 to 50 ms.
        let idle = if store {
            crate::lease::clamp_ms(window_ms / 200.0, 5.0, 50.0)
        } else {
            crate::lease::clamp_ms(window_ms / 10.0, 10.0, 1000.0)
        };
        let due = due.map_or(now + idle, |at| at.min(now + idle));
        let mut timer =
            TimeoutFuture::new(crate::options::timer_ms((due - now).max(0.0).ceil() + 1.0));
        let aborted = std::future::poll_fn(|cx| {
            if Pin::new(&mut *watch).poll(cx).is_ready() {
                return Poll::Ready(true);
            }
            Pin::new(&mut timer).poll(cx).map(|()| false)
        })
        .await;
        if aborted {
            return Err(WaitError::Aborted);
        }
        if let Ok(mut s) = wait.shared.try_borrow_mut() {
            s.pump();
        }
    }
}

/// A token now, if the realm's in-memory bucket has one free and nobody waits before this
/// request; `None` otherwise (a store, a queue, a pause, a full bucket), leaving everything
/// as it was: the caller then waits through [`acquire`]. The permit is the bucket's token
/// like any other, settled when the response ends.
pub(crate) fn take_now(shared: &SharedScheduler) -> Option<Permit> {
    let mut s = shared.try_borrow_mut().ok()?;
    let now = now_ms();
    // Nobody queued: a new request would be granted now or be the queue's first.
    let first = match &s.bucket {
        Bucket::InMemory(l) => l.queued() == 0,
        #[cfg(feature = "stores")]
        Bucket::Shared(_) => false,
    };
    if !first {
        return None;
    }
    match s.bucket.admit(now) {
        Admitted::Now(grant @ Grant::InMemory) => {
            drop(s);
            Some(Permit::held(shared, grant))
        }
        // No token free, or paused: out of the queue again at once, as if it had never
        // asked (the queue was empty, so nothing else moves).
        Admitted::Queued(id) => {
            s.bucket.cancel(id);
            None
        }
        _ => None,
    }
}

/// Waits for a token, in FIFO order, or until `watch` fires.
pub(crate) fn acquire<'a>(
    shared: &'a SharedScheduler,
    watch: &'a mut AbortWatch,
    on_wait: impl FnOnce(WaitNotice),
) -> Acquire<'a> {
    let now = |answer| Acquire::Ready(Some(answer));
    if watch.aborted() {
        return now(Err(WaitError::Aborted));
    }
    let id = {
        let mut s = shared.borrow_mut();
        match s.bucket.admit(now_ms()) {
            Admitted::Now(grant @ Grant::InMemory) => return now(Ok(Permit::held(shared, grant))),
            #[cfg(feature = "stores")]
            Admitted::Now(grant) => {
                // Only the fallback share grants at once: a probe of the store may be due.
                s.pump();
                return now(Ok(Permit::held(shared, grant)));
            }
            Admitted::QueueFull => return now(Err(WaitError::QueueFull)),
            Admitted::Queued(id) => {
                s.waiters.join(id);
                s.pump();
                id
            }
        }
    };
    // From here on, leaving early takes the waiter out of the queue (`Wait`'s drop).
    let wait = Wait {
        shared,
        id,
        done: false,
    };
    let state = shared.borrow_mut().state().0;
    on_wait(WaitNotice { state });
    if timers_are_request_scoped() {
        return Acquire::OwnTimer(Box::pin(wait_by_own_timer(wait, watch)));
    }
    Acquire::Queued { wait, watch }
}
