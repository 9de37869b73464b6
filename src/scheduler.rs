//! The JS shell around [`crate::limiter::Limiter`] (or, with `rateLimit.store`, around
//! [`crate::lease::Fleet`] and the user's store): waiting requests as futures, one timer,
//! and one bucket per key and base URL in a realm.
//!
//! The limiter decides; this module only wakes it. A timer is armed only while someone
//! waits, for the instant the next token returns, so an idle client leaves nothing to keep
//! a Node process alive, and Workers (whose clock moves only after I/O) never depend on a
//! ticking interval: every decision is recomputed from timestamps when something happens.
//! In workerd, where a timer dies with the request that set it, each waiting request also
//! keeps a timer of its own ([`wait_for_grant`]).
//!
//! With a store, it also sends the fleet's asks, settles and releases (each in a task of
//! its own, never while the scheduler is borrowed: the store is outside code) and reports
//! mode changes through `onRateLimitStore`.

use crate::abort::{race, AbortWatch, Deadline, Raced};
use crate::lease::{Admit, Event, Fleet, FleetConfig, Outcome, Source};
use crate::limiter::{Acquire, Limiter, LimiterConfig, LimiterState, WaiterId};
use crate::store::{event_to_js, StoreLink};
use futures_channel::oneshot;
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::collections::VecDeque;
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
    core: Core,
    /// The waiters' wake-up channels by ascending id (the one limiter hands ids out in
    /// order, so a new one goes at the back); a woken or cancelled waiter leaves `None`,
    /// trimmed at the ends and compacted away like the limiter's tombstones. Not a
    /// `HashMap`: a binary search in a ring costs the .wasm less than a hash table.
    wakers: VecDeque<(WaiterId, Option<oneshot::Sender<Grant>>)>,
    /// How many entries of `wakers` hold a channel.
    live_wakers: usize,
    timer: Option<(f64, Timeout)>,
    this: Weak<RefCell<Scheduler>>,
}

/// Who decides when a token is free.
enum Core {
    /// The in-memory bucket of this realm (the default store).
    Local(Limiter),
    /// A store shared with other processes or isolates.
    Shared(Box<SharedCore>),
}

/// The fleet's bookkeeping plus the link to the store and the batches waiting to be sent.
struct SharedCore {
    fleet: Fleet,
    link: StoreLink,
    to_settle: Vec<String>,
    to_release: Vec<String>,
    flushing: bool,
}

/// What a waiter is woken with: where its token came from (`None`: the local bucket).
type Grant = Option<Source>;

/// How the client should rate-limit, read from its options.
pub(crate) enum Plan {
    /// The realm's in-memory bucket.
    Local(LimiterConfig),
    /// A shared store.
    Store {
        config: FleetConfig,
        store: wasm_bindgen::JsValue,
        timeout_ms: f64,
        on_event: Option<js_sys::Function>,
    },
}

impl Plan {
    /// The plan's `(limit, windowMs)`.
    fn limit_and_window(&self) -> (u32, f64) {
        match self {
            Plan::Local(c) => (c.limit, c.window_ms),
            Plan::Store { config, .. } => (config.limit, config.window_ms),
        }
    }
}

/// A bucket's identity: a hash of the key (never the key itself) and the base URL.
type BucketId = (u64, String);

thread_local! {
    // Weak, so a bucket dies with its last client. A list, not a map: a realm holds a
    // handful of buckets, and a hash table would cost the .wasm more than the scan.
    static REGISTRY: RefCell<Vec<(BucketId, Weak<RefCell<Scheduler>>)>> =
        const { RefCell::new(Vec::new()) };
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
        let core = match plan {
            Plan::Local(config) => Core::Local(Limiter::new(config)),
            Plan::Store {
                config,
                store,
                timeout_ms,
                on_event,
            } => Core::Shared(Box::new(SharedCore {
                fleet: Fleet::new(config),
                link: StoreLink::new(&store, key, base_url, timeout_ms, on_event)?,
                to_settle: Vec::new(),
                to_release: Vec::new(),
                flushing: false,
            })),
        };
        Ok(Rc::new_cyclic(|this| {
            RefCell::new(Scheduler {
                core,
                wakers: VecDeque::new(),
                live_wakers: 0,
                timer: None,
                this: this.clone(),
            })
        }))
    }

    /// The bucket for `key` at `base_url`: the realm's shared one when `shared`, else a
    /// private one. A shared bucket keeps the configuration of the client that created it.
    /// Fails only when `plan`'s store is unusable.
    pub(crate) fn for_client(
        plan: Plan,
        shared: bool,
        key: &str,
        base_url: &str,
    ) -> Result<SharedScheduler, String> {
        if !shared {
            return Scheduler::new(plan, key, base_url);
        }
        let id = (key_hash(key), base_url.to_owned());
        REGISTRY.with(|r| {
            let mut r = r.borrow_mut();
            r.retain(|(_, w)| w.strong_count() > 0);
            // Only a client of the same kind joins a bucket: one with its own store must
            // not be handed another's (or the in-memory one) without a word.
            let existing = r
                .iter()
                .filter(|(b, _)| *b == id)
                .filter_map(|(_, w)| w.upgrade())
                .find(|s| s.try_borrow().is_ok_and(|s| s.serves(&plan)));
            if let Some(existing) = existing {
                // Joining a bucket with another limit would silently be that limit.
                let theirs = existing
                    .try_borrow()
                    .map(|s| s.limit_and_window())
                    .map_err(|_| "the realm's shared bucket is busy".to_owned())?;
                if theirs != plan.limit_and_window() {
                    return Err(crate::limiter::shared_mismatch(
                        theirs,
                        plan.limit_and_window(),
                    ));
                }
                return Ok(existing);
            }
            let fresh = Scheduler::new(plan, key, base_url)?;
            r.push((id, Rc::downgrade(&fresh)));
            Ok(fresh)
        })
    }

    /// This bucket's `(limit, windowMs)`.
    fn limit_and_window(&self) -> (u32, f64) {
        match &self.core {
            Core::Local(l) => (l.config().limit, l.config().window_ms),
            Core::Shared(c) => (c.fleet.config().limit, c.fleet.config().window_ms),
        }
    }

    /// Whether a client asking for `plan` may share this bucket: both in memory, or both
    /// on the very same store object.
    fn serves(&self, plan: &Plan) -> bool {
        match (&self.core, plan) {
            (Core::Local(_), Plan::Local(_)) => true,
            (Core::Shared(c), Plan::Store { store, .. }) => c.link.is_store(store),
            _ => false,
        }
    }

    /// A snapshot for `rateLimitState()`, and whether the store has failed over to the
    /// local share (`None` without a store).
    pub(crate) fn state(&mut self) -> (LimiterState, Option<bool>) {
        let now = now_ms();
        match &mut self.core {
            Core::Local(l) => (l.state(now), None),
            Core::Shared(c) => (c.fleet.state(now), Some(c.fleet.in_fallback())),
        }
    }

    /// Blocks every grant until `until_ms` (the server said 429).
    pub(crate) fn pause_until(&mut self, until_ms: f64) {
        match &mut self.core {
            Core::Local(l) => l.pause_until(until_ms),
            Core::Shared(c) => c.fleet.pause_until(until_ms),
        }
        self.pump();
    }

    /// Hands tokens to waiters that can have one now, asks the store when that is due,
    /// then re-arms the timer for the next decision.
    fn pump(&mut self) {
        let now = now_ms();
        if let Core::Shared(c) = &mut self.core {
            if let Some(outcome) = c.fleet.expire_ask(now) {
                if let Some(event) = self.apply(outcome) {
                    self.report_later(event);
                }
            }
        }
        // Each core's grants are woken where they are read: collecting both into one list
        // of `Grant`s would cost two more collect loops in the .wasm.
        match &mut self.core {
            Core::Local(l) => {
                for id in l.grant_ready(now) {
                    self.wake(id, None);
                }
            }
            Core::Shared(c) => {
                let granted = c.fleet.grant_ready(now);
                if let Some(ask) = c.fleet.ask(now) {
                    self.spawn_ask(ask);
                }
                for (id, source) in granted {
                    self.wake(id, Some(source));
                }
            }
        }
        self.arm_timer(now);
    }

    /// Removes `id`'s wake-up channel, if it still has one.
    fn take_waker(&mut self, id: WaiterId) -> Option<oneshot::Sender<Grant>> {
        let i = self.wakers.binary_search_by_key(&id, |(w, _)| *w).ok()?;
        let tx = self.wakers.get_mut(i)?.1.take()?;
        self.live_wakers = self.live_wakers.saturating_sub(1);
        while self.wakers.front().is_some_and(|(_, tx)| tx.is_none()) {
            self.wakers.pop_front();
        }
        while self.wakers.back().is_some_and(|(_, tx)| tx.is_none()) {
            self.wakers.pop_back();
        }
        // As in the limiter: each compaction is paid for by the removals that made it due,
        // and the ring's memory stays proportional to the living waiters.
        if self.wakers.len() > 64 && self.wakers.len() > self.live_wakers.saturating_mul(2) {
            self.wakers.retain(|(_, tx)| tx.is_some());
        }
        Some(tx)
    }

    /// Wakes a waiter with its token; if its future is gone, the token goes back unsent.
    fn wake(&mut self, id: WaiterId, grant: Grant) {
        if let Some(tx) = self.take_waker(id) {
            if let Err(grant) = tx.send(grant) {
                self.give_back_unsent(grant);
            }
        }
    }

    fn give_back_unsent(&mut self, grant: Grant) {
        match (&mut self.core, grant) {
            (Core::Local(l), _) => l.release_unsent(),
            (Core::Shared(c), Some(source)) => {
                if let Some(token) = c.fleet.release(source) {
                    c.to_release.push(token);
                    self.schedule_flush();
                }
            }
            (Core::Shared(_), None) => {}
        }
    }

    fn settle(&mut self, grant: Grant) {
        let now = now_ms();
        match (&mut self.core, grant) {
            (Core::Local(l), _) => l.settle(now),
            (Core::Shared(c), Some(source)) => {
                if let Some(token) = c.fleet.settle(now, source) {
                    c.to_settle.push(token);
                    self.schedule_flush();
                }
            }
            (Core::Shared(_), None) => {}
        }
        self.pump();
    }

    /// The rolling window, in ms.
    fn window_ms(&self) -> f64 {
        match &self.core {
            Core::Local(l) => l.config().window_ms,
            Core::Shared(c) => c.fleet.config().window_ms,
        }
    }

    /// When the next decision is due (a token returns, the store can be asked again), if
    /// anyone waits.
    fn next_decision(&self, now: f64) -> Option<f64> {
        if self.wakers.is_empty() {
            return None;
        }
        match &self.core {
            Core::Local(l) => l.next_wakeup(now),
            Core::Shared(c) => c.fleet.next_wakeup(now),
        }
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

    /// Sends `ask` to the store in a task of its own (never while this scheduler is
    /// borrowed: the store is outside code), then applies the answer.
    fn spawn_ask(&self, ask: crate::lease::Ask) {
        let Core::Shared(c) = &self.core else {
            return;
        };
        let handle = c.link.handle();
        let config = *c.fleet.config();
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let (result, late) = match handle.bucket().await {
                Ok(bucket) => match handle.acquire(&bucket, &ask, &config).await {
                    Ok(reply) => (Ok((bucket, reply)), None),
                    Err((e, late)) => (Err(e), late.map(|l| (bucket, l))),
                },
                Err(e) => (Err(e), None),
            };
            Scheduler::on_ask_result(&this, result);
            if let Some((bucket, late)) = late {
                // Nobody waits for it any more (timed out): the tokens must not sit idle.
                let tokens = late.tokens().await;
                if tokens.is_empty() {
                    return;
                }
                if let Some(s) = this.upgrade() {
                    if let Ok(mut s) = s.try_borrow_mut() {
                        if let Core::Shared(c) = &mut s.core {
                            c.to_release.extend(tokens);
                            c.link.learn_bucket(bucket);
                        }
                        s.schedule_flush();
                    }
                }
            }
        });
    }

    /// Reports an event found while this scheduler is borrowed, once it no longer is.
    fn report_later(&self, event: Event) {
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(s) = this.upgrade() {
                let error: wasm_bindgen::JsValue =
                    js_sys::Error::new("the rate-limit store's `acquire` was never answered")
                        .into();
                report(&s, Some(event), Some(&error));
            }
        });
    }

    /// Applies what the store answered an ask (or its failure), then reports the event.
    fn on_ask_result(
        this: &Weak<RefCell<Scheduler>>,
        result: Result<(String, crate::lease::StoreReply), wasm_bindgen::JsValue>,
    ) {
        let Some(s) = this.upgrade() else { return };
        let (event, error) = {
            let Ok(mut s) = s.try_borrow_mut() else {
                return;
            };
            let now = now_ms();
            let Core::Shared(c) = &mut s.core else { return };
            let (outcome, error) = match result {
                Ok((bucket, reply)) => {
                    c.link.learn_bucket(bucket);
                    (c.fleet.on_reply(now, reply), None)
                }
                Err(e) => (c.fleet.on_failure(now), Some(e)),
            };
            let event = s.apply(outcome);
            s.pump();
            (event, error)
        };
        report(&s, event, error.as_ref());
    }

    /// Wakes the waiters an outcome granted and queues its spare tokens for release.
    fn apply(&mut self, outcome: Outcome) -> Option<Event> {
        if let Core::Shared(c) = &mut self.core {
            if !outcome.release.is_empty() {
                c.to_release.extend(outcome.release);
                self.schedule_flush();
            }
        }
        for (id, source) in outcome.granted {
            self.wake(id, Some(source));
        }
        outcome.event
    }

    /// Sends the queued settles and releases in one call each, once this tick's responses
    /// are in: a burst of responses costs two round trips, not one per response.
    fn schedule_flush(&mut self) {
        let Core::Shared(c) = &mut self.core else {
            return;
        };
        if c.flushing {
            return;
        }
        c.flushing = true;
        let this = self.this.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let Some(s) = this.upgrade() else { return };
            let (handle, settle, release, window_ms) = {
                let Ok(mut b) = s.try_borrow_mut() else {
                    return;
                };
                let Core::Shared(c) = &mut b.core else { return };
                c.flushing = false;
                (
                    c.link.handle(),
                    std::mem::take(&mut c.to_settle),
                    std::mem::take(&mut c.to_release),
                    c.fleet.config().window_ms,
                )
            };
            let bucket = match handle.bucket().await {
                Ok(b) => b,
                Err(_) => return,
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
                    let Ok(mut b) = s.try_borrow_mut() else {
                        return;
                    };
                    let Core::Shared(c) = &mut b.core else { return };
                    let outcome = c.fleet.on_settle_failure(now_ms(), settle.len());
                    let event = b.apply(outcome);
                    b.pump();
                    event
                };
                report(&s, event, Some(&error));
            }
        });
    }
}

/// A 64-bit hash of an API key, so the registry never keeps the key itself. A multiply
/// and rotate per byte rather than SipHash: the id only tells this realm's buckets apart
/// (it is never persisted or sent), and SipHash would be in the .wasm for this alone.
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0, |h, b| {
        (h.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

/// Calls `onRateLimitStore`, with no borrow held: the callback may look at the client.
fn report(s: &SharedScheduler, event: Option<Event>, error: Option<&wasm_bindgen::JsValue>) {
    let Some(event) = event else { return };
    let callback = match &s.borrow().core {
        Core::Shared(c) => c.link.on_event.clone(),
        Core::Local(_) => None,
    };
    if let Some(cb) = callback {
        let _ = cb.call1(
            &wasm_bindgen::JsValue::UNDEFINED,
            &event_to_js(&event, error),
        );
    }
}

/// A token held by one request. Settle it when the response arrives; dropping it unsettled
/// returns the token at once (the request was never sent).
pub(crate) struct Permit {
    scheduler: Option<SharedScheduler>,
    grant: Grant,
}

impl Permit {
    /// A permit that holds nothing (rate limiting disabled).
    pub(crate) fn none() -> Permit {
        Permit {
            scheduler: None,
            grant: None,
        }
    }

    /// The response (or a failure) arrived: the token returns one window from now.
    pub(crate) fn settle(mut self) {
        if let Some(s) = self.scheduler.take() {
            s.borrow_mut().settle(self.grant.take());
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(s) = self.scheduler.take() {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.give_back_unsent(self.grant.take());
                s.pump();
            }
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

/// Waits for this waiter's grant. Elsewhere the scheduler's one timer serves every waiter
/// and a grant wakes its waiter at once.
///
/// Where timers are request-scoped (workerd), a waiter is only ever resumed by a timer of
/// its own. A grant is often made while serving another request (its timer fired first, or
/// its response came in), and waking the waiter from there would have wasm-bindgen-futures
/// poll it from a microtask of that other request: its deadline timer and its `fetch`
/// would then belong to that request, and the waiter, left with nothing of its own
/// pending, is cancelled as hung. So the grant channel is only looked at (never handed a
/// waker), and the waiter's own timer, armed for the scheduler's next decision, picks the
/// grant up; when that timer fires the waiter runs the decision itself.
async fn wait_for_grant(
    shared: &SharedScheduler,
    rx: &mut oneshot::Receiver<Grant>,
) -> Result<Grant, oneshot::Canceled> {
    if !timers_are_request_scoped() {
        return rx.await;
    }
    loop {
        if let Some(grant) = rx.try_recv()? {
            return Ok(grant);
        }
        let now = now_ms();
        // With no decision due (every token is out with a request in flight, or a token
        // may come back unsent), the waiter still looks again soon: it is not woken by the
        // response that frees a token, and workerd would see it waiting on nothing of its
        // own and cancel it as hung.
        // Polled from a task, never while the scheduler is borrowed; if it were, look again
        // a second later rather than trap.
        let (due, window_ms, store) = shared.try_borrow().map_or((None, 10_000.0, false), |s| {
            (
                s.next_decision(now),
                s.window_ms(),
                matches!(s.core, Core::Shared(_)),
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
        TimeoutFuture::new(crate::options::timer_ms((due - now).max(0.0).ceil() + 1.0)).await;
        if let Ok(mut s) = shared.try_borrow_mut() {
            s.pump();
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
    let permit = |grant| Permit {
        scheduler: Some(Rc::clone(shared)),
        grant,
    };
    let (id, mut rx) = {
        let mut s = shared.borrow_mut();
        let now = now_ms();
        let admitted = match &mut s.core {
            Core::Local(l) => match l.acquire(now) {
                Acquire::Granted => Admit::Granted(Source::Local(0)),
                Acquire::Queued(id) => Admit::Queued(id),
                Acquire::QueueFull => Admit::QueueFull,
            },
            Core::Shared(c) => c.fleet.acquire(now),
        };
        match admitted {
            Admit::Granted(source) => {
                if matches!(s.core, Core::Local(_)) {
                    return Ok(permit(None));
                }
                // Only the fallback share grants at once: a probe of the store may be due.
                s.pump();
                return Ok(permit(Some(source)));
            }
            Admit::QueueFull => return Err(WaitError::QueueFull),
            Admit::Queued(id) => {
                let (tx, rx) = oneshot::channel();
                s.wakers.push_back((id, Some(tx)));
                s.live_wakers += 1;
                s.pump();
                (id, rx)
            }
        }
    };
    let state = shared.borrow_mut().state().0;
    on_wait(WaitNotice { state });
    match race(
        wait_for_grant(shared, &mut rx),
        watch,
        &mut Deadline::never(),
    )
    .await
    {
        Raced::Done(Ok(grant)) => Ok(permit(grant)),
        // The sender is only dropped with the scheduler, which we hold: treat as aborted.
        Raced::Done(Err(_)) => Err(WaitError::Aborted),
        Raced::Aborted | Raced::TimedOut => {
            let mut s = shared.borrow_mut();
            s.take_waker(id);
            let cancelled = match &mut s.core {
                Core::Local(l) => l.cancel(id),
                Core::Shared(c) => c.fleet.cancel(id),
            };
            if !cancelled {
                // Granted in the same tick the signal fired: hand the token back.
                if let Ok(Some(grant)) = rx.try_recv() {
                    s.give_back_unsent(grant);
                } else if matches!(s.core, Core::Local(_)) {
                    s.give_back_unsent(None);
                }
            }
            s.pump();
            Err(WaitError::Aborted)
        }
    }
}
