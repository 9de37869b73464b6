//! Wakes a key's rate-limit [`Bucket`]: the queued requests' records, one timer, and the
//! pipeline's way in ([`take_now`], [`admit`], [`join`], [`look`], [`Permit`]).
//!
//! The bucket decides; this module only wakes it. A timer is armed only while someone
//! waits, for the instant the next token returns, so an idle client leaves nothing to keep
//! a Node process alive, and Workers (whose clock moves only after I/O) never depend on a
//! ticking interval: every decision is recomputed from timestamps when something happens.
//! A grant wakes its waiter through the snippet (`wake`), which runs the waiter's next
//! step in a microtask: never inside the scheduler's own borrow. In workerd, where a timer
//! dies with the request that set it, a waiter is woken only by a timer of its own
//! ([`own_timer_ms`]).
//!
//! Around it: [`crate::bucket`] (in memory, or shared through a store), [`crate::waiters`]
//! (one record per queued request), [`crate::realms`] (one bucket per key and base URL in a
//! realm) and [`crate::store_tasks`] (the store's asks, settles and releases).

use crate::bucket::{Admitted, Bucket, Grant};
#[cfg(feature = "stores")]
use crate::lease::FleetConfig;
use crate::limiter::{LimiterConfig, LimiterState, WaiterId};
#[cfg(feature = "stores")]
use crate::store_tasks;
pub(crate) use crate::waiters::Look;
use crate::waiters::Waiters;
use alloc::{
    rc::{Rc, Weak},
    string::String,
    vec::Vec,
};
use core::cell::RefCell;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    // `performance.now()` is global in Node, Deno, Workers and browsers, and monotonic:
    // a wall clock stepped forward by NTP would hand tokens back early.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    // The global `clearTimeout`: in Node `setTimeout` returns an object, not a number.
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &wasm_bindgen::JsValue);
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    /// `setTimeout(tick, ms, n)`: the JS timer calls the export [`tick`] with the
    /// scheduler's number, so no closure is made per timer.
    #[wasm_bindgen(js_name = timer)]
    fn start_timer(n: u32, ms: u32) -> wasm_bindgen::JsValue;
    #[wasm_bindgen(js_name = scopedTimers)]
    fn scoped_timers() -> bool;
}

/// The scheduler's timer: [`tick`]s its scheduler once after a delay; dropping it clears it.
/// (gloo-timers' `Timeout` links std back in.)
struct Timeout {
    id: wasm_bindgen::JsValue,
}

impl Timeout {
    fn new(n: u32, ms: u32) -> Timeout {
        crate::transport::hook();
        Timeout {
            id: start_timer(n, ms),
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

realm_local! {
    // Every scheduler by its number, which its timer hands [`tick`]. Weak, so a scheduler
    // dies with its last client (and its timer with it); a new scheduler takes the number
    // of one gone (whose allocation a dead `Weak` keeps until then), so the list is as long
    // as the most schedulers alive at once.
    static NUMBERED: RefCell<Vec<Weak<RefCell<Scheduler>>>> = const { RefCell::new(Vec::new()) };
}

/// A number for `this`, a scheduler just made: one whose scheduler is gone, or a new one.
fn number(this: &Weak<RefCell<Scheduler>>) -> u32 {
    NUMBERED.with(|all| {
        let Ok(mut all) = all.try_borrow_mut() else {
            // Never borrowed across a call out; if it were, the scheduler still works: its
            // timer's tick finds no scheduler and its waiters' own signals and timers remain.
            return u32::MAX;
        };
        match all.iter().position(|w| w.strong_count() == 0) {
            Some(n) => {
                if let Some(slot) = all.get_mut(n) {
                    *slot = this.clone();
                }
                n as u32
            }
            None => {
                all.push(this.clone());
                (all.len() - 1) as u32
            }
        }
    })
}

/// A scheduler's timer fired: its decision runs. The number comes from JS: one of a
/// scheduler gone (or never made) is nothing to do, and one handed on to a newer scheduler
/// only makes that one decide early, which recomputes everything from timestamps.
///
/// Exported for the snippet's timer alone (the glue hands it over at load), never part of
/// the package's surface: scripts/post-build.mjs keeps it out of every entry.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = __tick)]
pub fn tick(n: u32) {
    let s = NUMBERED.with(|all| {
        all.try_borrow()
            .ok()
            .and_then(|all| all.get(n as usize).and_then(Weak::upgrade))
    });
    if let Some(s) = s {
        if let Ok(mut s) = s.try_borrow_mut() {
            s.timer = None;
            s.pump();
        }
    }
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
    /// Itself, for the store's tasks to find it again.
    #[cfg(feature = "stores")]
    pub(crate) this: Weak<RefCell<Scheduler>>,
    /// Its number, which its timer hands [`tick`].
    number: u32,
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

impl Scheduler {
    fn new(plan: Plan, key: &str, base_url: &str) -> Result<SharedScheduler, String> {
        let bucket = Bucket::new(plan, key, base_url)?;
        Ok(Rc::new_cyclic(|this| {
            RefCell::new(Scheduler {
                bucket,
                waiters: Waiters::default(),
                timer: None,
                #[cfg(feature = "stores")]
                this: this.clone(),
                number: number(this),
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
        self.pump_at(now_ms());
    }

    /// [`Scheduler::pump`] at `now`, when the caller has just read the clock.
    fn pump_at(&mut self, now: f64) {
        #[cfg(feature = "stores")]
        store_tasks::expire_ask(self, now);
        self.bucket.grant_ready(now, &mut self.waiters);
        self.wake_granted();
        #[cfg(feature = "stores")]
        if let Some(ask) = self.bucket.ask(now) {
            store_tasks::spawn_ask(self, ask);
        }
        self.arm_timer(now);
    }

    /// Wakes the waits of the waiters just granted (each runs in a microtask of its own).
    fn wake_granted(&mut self) {
        for id in self.waiters.woken() {
            crate::transport::wake(id);
        }
    }

    /// Hands `grant` to waiter `id`; if it already left, the token goes back unsent.
    #[cfg(feature = "stores")]
    pub(crate) fn grant(&mut self, id: WaiterId, grant: Grant) {
        match self.waiters.grant(id, grant) {
            Ok(()) => self.wake_granted(),
            Err(grant) => self.give_back_unsent(grant),
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
        // One clock read for the settle and the decisions it leads to.
        let now = now_ms();
        #[cfg(feature = "stores")]
        if let Some(token) = self.bucket.settle(now, grant) {
            store_tasks::settle_later(self, token);
        }
        #[cfg(not(feature = "stores"))]
        self.bucket.settle(now, grant);
        self.pump_at(now);
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
                // +1 ms: setTimeout may fire a hair early relative to Date.now().
                let delay = crate::options::timer_ms(libm::ceil((at - now).max(0.0)) + 1.0);
                self.timer = Some((at, Timeout::new(self.number, delay)));
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
    pub(crate) fn held(shared: &SharedScheduler, grant: Grant) -> Permit {
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

/// Whether timers belong to the request that set them: in workerd a timer set while
/// serving one request dies with it, and a request waiting only on another's timer is
/// cancelled as hung (`navigator.userAgent` is `Cloudflare-Workers` there). Read by the
/// snippet, where it is one property read: `js_sys::global()` and `Reflect` cost the `.wasm`
/// the global object's lookup and its cached handles.
pub(crate) fn timers_are_request_scoped() -> bool {
    scoped_timers()
}

/// How long a queued waiter's own timer waits before it runs the scheduler's decision
/// itself, where timers are request-scoped (workerd).
///
/// Elsewhere the scheduler's one timer serves every waiter and a grant wakes its waiter at
/// once. In workerd a grant is often made while serving another request (its timer fired
/// first, or its response came in), and a waiter woken from there would run in that other
/// request: its deadline timer and its `fetch` would belong to that request, and the
/// waiter, left with nothing of its own pending, is cancelled as hung. So a grant only
/// marks the waiter's record, and the waiter's own timer, armed for the scheduler's next
/// decision, picks it up ([`look`] with `decide`).
pub(crate) fn own_timer_ms(shared: &SharedScheduler) -> f64 {
    let now = now_ms();
    // With no decision due (every token is out with a request in flight, or a token may
    // come back unsent), the waiter still looks again soon: it is not woken by the
    // response that frees a token, and workerd would see it waiting on nothing of its own
    // and cancel it as hung.
    let (due, window_ms, store) = shared.try_borrow().map_or((None, 10_000.0, false), |s| {
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
    f64::from(crate::options::timer_ms(
        libm::ceil((due - now).max(0.0)) + 1.0,
    ))
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

/// What a request asking for a token (after [`take_now`]) gets at once.
pub(crate) enum Admission {
    Now(Permit),
    /// It waits under this id: it [`join`]s the queue next.
    Queued(WaiterId),
    Full,
}

/// Asks the bucket for a token, in FIFO order behind whoever waits.
pub(crate) fn admit(shared: &SharedScheduler) -> Admission {
    // Never called while the scheduler is borrowed (a step runs from `done`, a call from
    // its caller); if it were, the request is refused rather than trap.
    let Ok(mut s) = shared.try_borrow_mut() else {
        return Admission::Full;
    };
    match s.bucket.admit(now_ms()) {
        Admitted::Now(grant @ Grant::InMemory) => {
            drop(s);
            Admission::Now(Permit::held(shared, grant))
        }
        #[cfg(feature = "stores")]
        Admitted::Now(grant) => {
            // Only the fallback share grants at once: a probe of the store may be due.
            s.pump();
            drop(s);
            Admission::Now(Permit::held(shared, grant))
        }
        Admitted::QueueFull => Admission::Full,
        Admitted::Queued(id) => Admission::Queued(id),
    }
}

/// Waiter `id`, just admitted, joins the queue; its grant wakes wait `wake` (`None`: only
/// its own timer resumes it). Returns the limiter's state, for `onRateLimitWait`.
pub(crate) fn join(
    shared: &SharedScheduler,
    id: WaiterId,
    wake: Option<u32>,
) -> Option<LimiterState> {
    let mut s = shared.try_borrow_mut().ok()?;
    s.waiters.join(id, wake);
    s.pump();
    Some(s.state().0)
}

/// Waiter `id` looks for its grant; with `decide` (it was woken by its own timer), it runs
/// the scheduler's decision first.
pub(crate) fn look(shared: &SharedScheduler, id: WaiterId, decide: bool) -> Look {
    let Ok(mut s) = shared.try_borrow_mut() else {
        return Look::Waiting;
    };
    if decide {
        s.pump();
    }
    s.waiters.look(id)
}

/// Waiter `id` found no grant and waits again, on wait `wake`.
pub(crate) fn wait_again(shared: &SharedScheduler, id: WaiterId, wake: Option<u32>) {
    if let Ok(mut s) = shared.try_borrow_mut() {
        s.waiters.wait_again(id, wake);
        s.wake_granted();
    }
}

/// Waiter `id` leaves the queue before picking up a token (its signal fired): a grant it
/// had not picked up goes back.
pub(crate) fn leave(shared: &SharedScheduler, id: WaiterId) {
    if let Ok(mut s) = shared.try_borrow_mut() {
        s.leave(id);
    }
}
