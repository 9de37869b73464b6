//! The exact rolling-window rate limiter (pure Rust, injected clock).
//!
//! # Why this shape
//!
//! The server allows `limit` requests in any rolling window of `window_ms`. A classic
//! token bucket refilled at `limit / window` admits up to twice that in one rolling window
//! (a full bucket, then a window's worth of refill), and shrinking it wastes allowance.
//!
//! Here every token returns to the bucket exactly one window after it was *spent*, and it
//! counts as spent when the response to its request arrives (or the request fails). The
//! server counted the request at some instant between our grant and that response, so:
//!
//! * a token granted at `g`, whose request reached the server at `a` and settled at
//!   `s >= a`, is next granted at `g' >= s + window >= a + window`, and its next request
//!   reaches the server at `a' >= g'`. Requests served by one token therefore reach the
//!   server at least a window apart, and with `limit` tokens any half-open window
//!   `[t, t + window)` holds at most `limit` of them, whatever the network delay, with no
//!   guessed safety margin;
//! * a saturated client regrants every token the instant it returns, so none of the
//!   allowance is wasted beyond the round trip itself.
//!
//! The state is tiny: how many tokens are in flight, a FIFO of return instants (at most
//! `limit` of them, non-decreasing because the clock is clamped monotonic and the window is
//! constant, so the next token is always the front), and a FIFO of waiters. One wake-up
//! instant ([`Limiter::next_wakeup`]) is enough for any queue length, and every operation
//! is O(1) amortised, but [`Limiter::cancel`], which finds its waiter in O(log n).
//!
//! No timers, no JS: the caller passes the time (`now_ms`, in milliseconds) into every
//! call. The JS shell (`scheduler`) owns the one timer and the waiters' wake-ups.

use crate::text::cat;
use crate::wait_queue::WaitQueue;
pub use crate::wait_queue::WaiterId;
use crate::window::Window;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// The limiter's configuration: `limit` requests per rolling `window_ms`, and at most
/// `max_queue` requests waiting for a token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterConfig {
    /// Requests allowed in any rolling window (the bucket's size). At least 1.
    pub limit: u32,
    /// The rolling window in milliseconds. Finite and greater than 0.
    pub window_ms: f64,
    /// How many requests may wait for a token; one more is refused with
    /// [`Acquire::QueueFull`]. 0 means nobody waits: a request without a token is refused.
    pub max_queue: usize,
}

impl LimiterConfig {
    /// Checks the values; the error names the offending field and says what is allowed.
    ///
    /// [`Limiter::new`] never panics, but it trusts its configuration: call this first.
    pub fn validate(&self) -> Result<(), String> {
        if self.limit < 1 {
            return Err(cat!(
                "limit must be an integer of at least 1 (got ",
                self.limit,
                ")"
            ));
        }
        if !(self.window_ms.is_finite() && self.window_ms > 0.0) {
            // The value is not echoed: formatting an f64 would pull Rust's float printing
            // (~20 KB) into the .wasm for one message.
            return Err(
                "window_ms must be a finite number of milliseconds greater than 0".to_owned(),
            );
        }
        Ok(())
    }
}

/// What [`Limiter::acquire`] decided for a new request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acquire {
    /// A token was taken: send now, then [`Limiter::settle`] (or
    /// [`Limiter::release_unsent`] if it is never sent).
    Granted,
    /// No token now (or others wait first): the request waits under this id until
    /// [`Limiter::grant_ready`] returns it, or until it is [`Limiter::cancel`]led.
    Queued(WaiterId),
    /// No token and the queue already holds `max_queue` requests: refuse the request.
    QueueFull,
}

/// A snapshot for progress UIs (`rateLimitState()`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterState {
    /// The configured limit.
    pub limit: u32,
    /// The configured window, in milliseconds.
    pub window_ms: f64,
    /// Tokens in the bucket now, ignoring a pause (waiters take them at the next
    /// [`Limiter::grant_ready`]).
    pub available: u32,
    /// Tokens held by requests that were granted and have not settled.
    pub in_flight: u32,
    /// Requests waiting for a token.
    pub queued: usize,
    /// `None` when a token can be granted now; otherwise milliseconds until the next token
    /// returns or the pause ends, whichever is later, or `None` if every token out is held
    /// by a request in flight (only a response frees one).
    pub next_token_in_ms: Option<f64>,
    /// Milliseconds until a server-requested pause ends, if one is in force.
    pub paused_for_ms: Option<f64>,
}

/// The rolling-window bucket and its FIFO queue. See the [module docs](self) for why a
/// token returns one window after its response, not after its grant.
///
/// Time is whatever the caller passes as `now_ms`; if it goes backwards the limiter keeps
/// the latest value it has seen (a wall clock stepped back only delays grants, never
/// hastens them). Non-finite times are ignored in favour of the last finite one.
///
/// ```
/// use conveyor_client::limiter::{Acquire, Limiter, LimiterConfig};
///
/// let mut limiter = Limiter::new(LimiterConfig { limit: 2, window_ms: 1000.0, max_queue: 10 });
/// let mut now = 0.0; // a fake clock, in ms
///
/// assert_eq!(limiter.acquire(now), Acquire::Granted);
/// assert_eq!(limiter.acquire(now), Acquire::Granted);
/// let Acquire::Queued(third) = limiter.acquire(now) else { panic!("bucket is empty") };
///
/// // While the first two are in flight no token returns by time alone.
/// assert_eq!(limiter.next_wakeup(now), None);
///
/// // The first response arrives at 150 ms: its token returns at 1150 ms.
/// now = 150.0;
/// limiter.settle(now);
/// assert_eq!(limiter.next_wakeup(now), Some(1150.0));
/// assert!(limiter.grant_ready(1149.0).is_empty());
///
/// now = 1150.0;
/// assert_eq!(limiter.grant_ready(now), vec![third]);
/// assert_eq!(limiter.state(now).in_flight, 2);
/// ```
#[derive(Debug, Clone)]
pub struct Limiter {
    config: LimiterConfig,
    /// The latest finite time seen; time never runs backwards for the limiter.
    now: f64,
    /// Granted and not yet settled (or released).
    in_flight: u32,
    /// When settled tokens come back. Entries `<= now` are back in the bucket and are
    /// dropped lazily. At most `limit` entries (with `in_flight`, never more).
    returns: Window,
    /// Requests waiting for a token, in arrival order.
    queue: WaitQueue,
    /// No grants before this instant (server pushback).
    paused_until: f64,
}

impl Limiter {
    /// A full bucket with nobody waiting. Never panics; call [`LimiterConfig::validate`]
    /// first, as an invalid configuration makes a limiter that grants nothing useful.
    pub fn new(config: LimiterConfig) -> Limiter {
        Limiter {
            config,
            now: f64::NEG_INFINITY,
            in_flight: 0,
            // The ring never exceeds `limit`; reserve a little, grow on demand.
            returns: Window::with_capacity(config.limit.min(64) as usize),
            queue: WaitQueue::default(),
            paused_until: f64::NEG_INFINITY,
        }
    }

    /// The configuration this limiter was built with.
    pub fn config(&self) -> &LimiterConfig {
        &self.config
    }

    /// A new request asks for a token at `now_ms`.
    ///
    /// It gets one at once only if one is available, no pause is in force, *and* nobody is
    /// already waiting: a newcomer never overtakes the queue. Otherwise it joins the queue,
    /// unless the queue already holds `max_queue` requests. After `Queued`, the caller should
    /// (re)arm its wake-up for [`Limiter::next_wakeup`].
    pub fn acquire(&mut self, now_ms: f64) -> Acquire {
        let now = self.advance(now_ms);
        self.expire_returns(now);
        if self.queue.is_empty() && !self.is_paused(now) && self.available() > 0 {
            self.in_flight = self.in_flight.saturating_add(1);
            return Acquire::Granted;
        }
        self.push_waiter()
    }

    /// A new request joins the queue without looking at the bucket: someone else (a
    /// shared store) decides when it gets a token, through [`Limiter::grant_next`].
    pub fn enqueue(&mut self, now_ms: f64) -> Acquire {
        self.advance(now_ms);
        self.push_waiter()
    }

    /// Hands a token granted elsewhere to the front waiter, if any, and counts it in
    /// flight even beyond `limit`: the bucket then records all of this client's usage, so
    /// it can take over as a conservative local share when the store is unreachable.
    pub fn grant_next(&mut self) -> Option<WaiterId> {
        let id = self.queue.pop()?;
        self.in_flight = self.in_flight.saturating_add(1);
        Some(id)
    }

    /// Tokens in the bucket at `now_ms`, without moving the clock (a pause aside).
    pub fn room(&self, now_ms: f64) -> u32 {
        self.config.limit.saturating_sub(self.occupancy(now_ms))
    }

    /// When a token is next in the bucket at or after `now_ms`: `now_ms` if one is, the
    /// next return instant otherwise, `None` when every token out is in flight.
    pub fn next_room_at(&self, now_ms: f64) -> Option<f64> {
        let now = self.clamped(now_ms);
        if self.room(now) > 0 {
            return Some(now);
        }
        self.returns.next_after(now)
    }

    /// Tokens out at `now_ms` (in flight, or settled and not yet back), even beyond
    /// `limit` when [`Limiter::grant_next`] counted tokens granted elsewhere.
    pub fn occupancy(&self, now_ms: f64) -> u32 {
        let now = self.clamped(now_ms);
        let returning = u32::try_from(self.returns.out_at(now)).unwrap_or(u32::MAX);
        self.in_flight.saturating_add(returning)
    }

    /// Changes the bucket's size; tokens out stay out. 0 grants nothing until raised.
    pub fn set_limit(&mut self, limit: u32) {
        self.config.limit = limit;
    }

    /// How many requests wait for a token.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// A granted request finished at `now_ms`: its response (headers) arrived, or it failed
    /// or was aborted after being sent. The token returns exactly one window from now.
    ///
    /// Settling more often than tokens were granted is ignored.
    pub fn settle(&mut self, now_ms: f64) {
        let now = self.advance(now_ms);
        if self.in_flight == 0 {
            return;
        }
        self.in_flight = self.in_flight.saturating_sub(1);
        // `now` never decreases and the window is constant, so the ring stays sorted.
        self.returns.push(now + self.config.window_ms);
    }

    /// A granted request was never sent (dropped between grant and send): the server never
    /// saw it, so the token is back at once. Extra calls are ignored.
    pub fn release_unsent(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Removes a waiter (its request was aborted). Returns whether it was still waiting;
    /// `false` means it was already granted (or cancelled, or never existed).
    pub fn cancel(&mut self, id: WaiterId) -> bool {
        self.queue.cancel(id)
    }

    /// Hands tokens to waiters in FIFO order as far as tokens are available at `now_ms`
    /// (none while paused). Returns the granted ids in order; each now counts as in flight.
    pub fn grant_ready(&mut self, now_ms: f64) -> Vec<WaiterId> {
        let now = self.advance(now_ms);
        self.expire_returns(now);
        let mut granted = Vec::new();
        if self.is_paused(now) {
            return granted;
        }
        let mut available = self.available();
        while available > 0 {
            let Some(id) = self.queue.pop() else {
                break;
            };
            granted.push(id);
            self.in_flight = self.in_flight.saturating_add(1);
            available = available.saturating_sub(1);
        }
        granted
    }

    /// When the caller should next call [`Limiter::grant_ready`], as an absolute instant.
    ///
    /// `None` if nobody waits, or if every token out is held by a request in flight (then
    /// only a [`Limiter::settle`] or [`Limiter::release_unsent`] frees one, and the caller
    /// calls `grant_ready` after each). Otherwise the instant the next token returns, or the
    /// end of a pause if that is later; an instant `<= now_ms` means "grant right away".
    pub fn next_wakeup(&self, now_ms: f64) -> Option<f64> {
        if self.queue.is_empty() {
            return None;
        }
        let now = self.clamped(now_ms);
        let token_at = self.next_token_at(now)?;
        Some(token_at.max(self.paused_until))
    }

    /// Blocks every grant until `until_ms` (the server answered 429, maybe with
    /// `Retry-After`). Overlapping pauses keep the latest end; non-finite values are ignored
    /// (the caller caps absurd `Retry-After` values).
    pub fn pause_until(&mut self, until_ms: f64) {
        if until_ms.is_finite() && until_ms > self.paused_until {
            self.paused_until = until_ms;
        }
    }

    /// A snapshot at `now_ms` for progress UIs.
    pub fn state(&mut self, now_ms: f64) -> LimiterState {
        let now = self.advance(now_ms);
        self.expire_returns(now);
        let paused = self.is_paused(now);
        let available = self.available();
        let next_token_in_ms = if available > 0 && !paused {
            None
        } else {
            self.next_token_at(now)
                .map(|at| (at.max(self.paused_until) - now).max(0.0))
        };
        LimiterState {
            limit: self.config.limit,
            window_ms: self.config.window_ms,
            available,
            in_flight: self.in_flight,
            queued: self.queue.len(),
            next_token_in_ms,
            paused_for_ms: paused.then_some(self.paused_until - now),
        }
    }

    /// Queues a new waiter, or refuses it when the queue is full.
    fn push_waiter(&mut self) -> Acquire {
        match self.queue.push(self.config.max_queue) {
            Some(id) => Acquire::Queued(id),
            None => Acquire::QueueFull,
        }
    }

    /// Moves the limiter's clock forward to `now_ms` if that is later, and returns it.
    fn advance(&mut self, now_ms: f64) -> f64 {
        self.now = self.clamped(now_ms);
        self.now
    }

    fn clamped(&self, now_ms: f64) -> f64 {
        if now_ms.is_finite() && now_ms > self.now {
            now_ms
        } else {
            self.now
        }
    }

    fn is_paused(&self, now: f64) -> bool {
        now < self.paused_until
    }

    /// Tokens whose return instant has come are back in the bucket.
    fn expire_returns(&mut self, now: f64) {
        self.returns.expire(now);
    }

    /// Tokens in the bucket, counting every entry of `returns` as still out (exact right
    /// after [`Limiter::expire_returns`]).
    fn available(&self) -> u32 {
        let returning = u32::try_from(self.returns.len()).unwrap_or(u32::MAX);
        self.config
            .limit
            .saturating_sub(self.in_flight)
            .saturating_sub(returning)
    }

    /// When a token is next in the bucket, ignoring pauses: `now` if one is (or an expired
    /// return instant, which is `<= now`), the oldest return instant otherwise, `None` if
    /// all tokens out are in flight. Needs no mutation, so `next_wakeup` can take `&self`.
    fn next_token_at(&self, now: f64) -> Option<f64> {
        if self.available() > 0 {
            return Some(now);
        }
        self.returns.front()
    }
}

/// Why a client cannot join its key's shared bucket: it asks for `(limit, windowMs)`
/// `ours`, the bucket has `theirs`. Whole milliseconds are shown: windows are whole in
/// practice, and integer formatting keeps float formatting out of the .wasm.
pub fn shared_mismatch(theirs: (u32, f64), ours: (u32, f64)) -> String {
    cat!(
        "`rateLimit` asks for ",
        ours.0,
        " requests per ",
        ours.1 as u64,
        " ms, but another client of this key and baseUrl already shares a bucket of ",
        theirs.0,
        " per ",
        theirs.1 as u64,
        " ms in this realm: pass the same limit and windowMs, or `shared: false` for a bucket of its own"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: f64 = 1000.0;

    fn limiter(limit: u32, max_queue: usize) -> Limiter {
        Limiter::new(LimiterConfig {
            limit,
            window_ms: W,
            max_queue,
        })
    }

    fn queued(a: Acquire) -> WaiterId {
        match a {
            Acquire::Queued(id) => id,
            other => panic!("expected Queued, got {other:?}"),
        }
    }

    #[test]
    fn validate_names_the_field() {
        let ok = LimiterConfig {
            limit: 1,
            window_ms: 1.0,
            max_queue: 0,
        };
        assert_eq!(ok.validate(), Ok(()));
        let e = LimiterConfig { limit: 0, ..ok }.validate().unwrap_err();
        assert!(e.contains("limit"), "{e}");
        for w in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let e = LimiterConfig { window_ms: w, ..ok }.validate().unwrap_err();
            assert!(e.contains("window_ms"), "{e}");
        }
    }

    #[test]
    fn grants_up_to_limit_then_queues() {
        let mut l = limiter(3, 10);
        for _ in 0..3 {
            assert_eq!(l.acquire(0.0), Acquire::Granted);
        }
        let id = queued(l.acquire(0.0));
        assert_eq!(id, WaiterId(0));
        assert_eq!(l.state(0.0).in_flight, 3);
        assert_eq!(l.state(0.0).queued, 1);
        assert_eq!(l.config().limit, 3);
    }

    #[test]
    fn token_returns_exactly_one_window_after_settle() {
        let mut l = limiter(1, 10);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        let id = queued(l.acquire(10.0));
        l.settle(250.0);
        assert!(l.grant_ready(250.0).is_empty());
        assert!(l.grant_ready(1249.0).is_empty(), "1 ms early: still out");
        assert_eq!(l.state(1249.0).queued, 1);
        assert_eq!(l.grant_ready(1250.0), vec![id]);
        assert_eq!(l.state(1250.0).in_flight, 1);
        assert_eq!(l.state(1250.0).available, 0);
    }

    #[test]
    fn newcomer_before_return_queues_after_return_is_granted() {
        let mut l = limiter(1, 10);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        l.settle(0.0);
        queued(l.acquire(999.0));
        let mut l = limiter(1, 10);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        l.settle(0.0);
        assert_eq!(l.acquire(1000.0), Acquire::Granted);
    }

    #[test]
    fn in_flight_tokens_never_return_by_time() {
        let mut l = limiter(2, 10);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        let id = queued(l.acquire(0.0));
        assert!(l.grant_ready(1e12).is_empty());
        assert_eq!(l.next_wakeup(1e12), None);
        assert_eq!(l.state(1e12).next_token_in_ms, None);
        l.settle(1e12);
        assert!(l.grant_ready(1e12 + W - 1.0).is_empty());
        assert_eq!(l.grant_ready(1e12 + W), vec![id]);
    }

    #[test]
    fn fifo_order_and_no_overtaking() {
        let mut l = limiter(2, 10);
        l.acquire(0.0);
        l.acquire(0.0);
        let a = queued(l.acquire(1.0));
        let b = queued(l.acquire(2.0));
        let c = queued(l.acquire(3.0));
        l.settle(5.0);
        l.settle(5.0);
        // Tokens are back, but a newcomer still queues behind a, b, c.
        let d = queued(l.acquire(5.0 + W));
        assert_eq!(l.grant_ready(5.0 + W), vec![a, b]);
        l.settle(6.0 + W);
        l.release_unsent();
        assert_eq!(l.grant_ready(6.0 + W), vec![c]);
        assert_eq!(l.grant_ready(6.0 + 2.0 * W), vec![d]);
        assert!(a < b && b < c && c < d);
    }

    #[test]
    fn cancelled_waiter_is_never_granted() {
        let mut l = limiter(1, 10);
        l.acquire(0.0);
        let a = queued(l.acquire(0.0));
        let b = queued(l.acquire(0.0));
        let c = queued(l.acquire(0.0));
        assert!(l.cancel(a));
        assert!(!l.cancel(a), "second cancel reports not waiting");
        assert_eq!(l.state(0.0).queued, 2);
        l.settle(0.0);
        assert_eq!(l.grant_ready(W), vec![b]);
        assert!(!l.cancel(b), "granted waiters are not waiting");
        assert!(l.cancel(c));
        l.settle(W);
        assert!(l.grant_ready(3.0 * W).is_empty());
        assert_eq!(l.next_wakeup(3.0 * W), None);
        assert!(!l.cancel(WaiterId(999)));
    }

    #[test]
    fn cancel_churn_keeps_the_queue_small() {
        // The front waiter is stuck (the only token is in flight) while many others come
        // and go: the tombstones must not pile up.
        let mut l = limiter(1, 100_000);
        l.acquire(0.0);
        let stuck = queued(l.acquire(0.0));
        let mut living = Vec::new();
        for _ in 0..10_000 {
            let a = queued(l.acquire(0.0));
            living.push(queued(l.acquire(0.0)));
            assert!(l.cancel(a));
            assert!(l.queue.held() <= 2 * l.queue.len() + 65);
        }
        // 10,000 living waiters plus `stuck`: cancel them in arrival order.
        for id in living {
            assert!(l.cancel(id));
            assert!(l.queue.held() <= 2 * l.queue.len() + 65);
        }
        assert_eq!(l.queue.len(), 1);
        assert!(l.queue.len() <= 65);
        l.settle(0.0);
        assert_eq!(l.grant_ready(W), vec![stuck]);
        assert!(l.queue.is_empty());
    }

    #[test]
    fn queue_full() {
        let mut l = limiter(1, 2);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        let a = queued(l.acquire(0.0));
        queued(l.acquire(0.0));
        assert_eq!(l.acquire(0.0), Acquire::QueueFull);
        assert!(l.cancel(a));
        queued(l.acquire(0.0));
        assert_eq!(l.acquire(0.0), Acquire::QueueFull);

        let mut none = limiter(1, 0);
        assert_eq!(none.acquire(0.0), Acquire::Granted);
        assert_eq!(none.acquire(0.0), Acquire::QueueFull);
    }

    #[test]
    fn pause_blocks_grants_until_its_end() {
        let mut l = limiter(5, 10);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        l.pause_until(500.0);
        l.pause_until(300.0); // an earlier end does not shorten the pause
        l.pause_until(f64::NAN);
        l.pause_until(f64::INFINITY);
        let a = queued(l.acquire(10.0));
        let b = queued(l.acquire(10.0));
        assert_eq!(l.next_wakeup(10.0), Some(500.0));
        let s = l.state(100.0);
        assert_eq!(s.available, 4);
        assert_eq!(s.paused_for_ms, Some(400.0));
        assert_eq!(s.next_token_in_ms, Some(400.0));
        assert!(l.grant_ready(499.0).is_empty());
        assert_eq!(l.grant_ready(500.0), vec![a, b]);
        assert_eq!(l.state(500.0).paused_for_ms, None);
        assert_eq!(l.acquire(500.0), Acquire::Granted);
    }

    #[test]
    fn pause_shorter_than_next_return_waits_for_the_token() {
        let mut l = limiter(1, 10);
        l.acquire(0.0);
        l.settle(0.0);
        queued(l.acquire(0.0));
        l.pause_until(200.0);
        assert_eq!(l.next_wakeup(0.0), Some(W));
        l.pause_until(2.0 * W);
        assert_eq!(l.next_wakeup(0.0), Some(2.0 * W));
        assert!(l.grant_ready(W).is_empty());
        assert_eq!(l.grant_ready(2.0 * W).len(), 1);
    }

    #[test]
    fn release_unsent_returns_the_token_at_once() {
        let mut l = limiter(1, 10);
        assert_eq!(l.acquire(0.0), Acquire::Granted);
        let a = queued(l.acquire(0.0));
        l.release_unsent();
        assert_eq!(l.next_wakeup(0.0), Some(0.0), "a token is free now");
        assert_eq!(l.grant_ready(0.0), vec![a]);
        // Extra releases and settles never underflow or mint tokens.
        l.release_unsent();
        l.release_unsent();
        l.settle(1.0);
        let s = l.state(1.0);
        assert_eq!((s.in_flight, s.available), (0, 1));
    }

    #[test]
    fn extra_settles_are_ignored() {
        let mut l = limiter(2, 10);
        l.acquire(0.0);
        l.settle(0.0);
        l.settle(0.0);
        l.settle(0.0);
        let s = l.state(0.0);
        assert_eq!((s.in_flight, s.available), (0, 1));
        assert_eq!(l.returns.len(), 1);
    }

    #[test]
    fn clock_going_backwards_is_clamped() {
        let mut l = limiter(1, 10);
        l.acquire(10_000.0);
        // The wall clock steps back an hour: the settle still counts at 10 000.
        l.settle(10_000.0 - 3_600_000.0);
        let a = queued(l.acquire(0.0));
        assert_eq!(l.next_wakeup(0.0), Some(10_000.0 + W));
        assert!(l.grant_ready(10_000.0 + W - 1.0).is_empty());
        assert!(l.grant_ready(5.0).is_empty());
        assert_eq!(l.grant_ready(10_000.0 + W), vec![a]);
        // Non-finite times are ignored too.
        l.settle(f64::NAN);
        l.acquire(f64::INFINITY);
        let s = l.state(f64::NEG_INFINITY);
        assert_eq!(s.in_flight, 0);
        assert_eq!(s.next_token_in_ms, Some(W));
        assert_eq!(l.returns.front(), Some(10_000.0 + 2.0 * W));
    }

    #[test]
    fn state_fields() {
        let mut l = limiter(3, 10);
        let s = l.state(0.0);
        assert_eq!(
            s,
            LimiterState {
                limit: 3,
                window_ms: W,
                available: 3,
                in_flight: 0,
                queued: 0,
                next_token_in_ms: None,
                paused_for_ms: None,
            }
        );
        l.acquire(0.0);
        l.acquire(0.0);
        l.acquire(0.0);
        l.settle(100.0);
        queued(l.acquire(200.0));
        let s = l.state(300.0);
        assert_eq!(
            s,
            LimiterState {
                limit: 3,
                window_ms: W,
                available: 0,
                in_flight: 2,
                queued: 1,
                next_token_in_ms: Some(800.0),
                paused_for_ms: None,
            }
        );
        // Not yet granted (nobody called grant_ready), so the token shows as available.
        let s = l.state(1100.0);
        assert_eq!((s.available, s.next_token_in_ms), (1, None));
    }

    #[test]
    fn next_wakeup_values() {
        let mut l = limiter(2, 10);
        assert_eq!(l.next_wakeup(0.0), None, "nobody waits");
        l.acquire(0.0);
        l.acquire(0.0);
        assert_eq!(l.next_wakeup(0.0), None, "nobody waits");
        queued(l.acquire(0.0));
        assert_eq!(l.next_wakeup(0.0), None, "all out are in flight");
        l.settle(100.0);
        l.settle(300.0);
        assert_eq!(l.next_wakeup(150.0), Some(1100.0), "the oldest return");
        // Past the return instant without a grant_ready: wake at once (instant <= now).
        assert_eq!(l.next_wakeup(1200.0), Some(1100.0));
        // A clock behind the limiter's does not matter.
        assert_eq!(l.next_wakeup(0.0), Some(1100.0));
        assert_eq!(l.grant_ready(1100.0).len(), 1);
        assert_eq!(l.next_wakeup(1100.0), None, "nobody waits");
    }

    /// Queues `n` waiters behind 1000 tokens, cancels every other one, drains the rest window
    /// by window and returns the CPU time that took; checks the order and the count on the way.
    fn drain_half_of(n: usize) -> std::time::Duration {
        let start = cpu_time::ThreadTime::now();
        let mut l = limiter(1000, n);
        for _ in 0..1000 {
            assert_eq!(l.acquire(0.0), Acquire::Granted);
        }
        for _ in 0..n {
            queued(l.acquire(0.0));
        }
        assert_eq!(l.acquire(0.0), Acquire::QueueFull);
        // Every other waiter gives up.
        for id in (0..n as u64).step_by(2) {
            assert!(l.cancel(WaiterId(id)));
        }
        let mut now = 0.0;
        let mut granted = 0;
        let mut last = None;
        while l.state(now).queued > 0 {
            for _ in 0..l.state(now).in_flight {
                l.settle(now);
            }
            now = l.next_wakeup(now).unwrap_or(now);
            for id in l.grant_ready(now) {
                assert!(last < Some(id));
                last = Some(id);
                granted += 1;
            }
        }
        assert_eq!(granted, n / 2);
        assert_eq!(now, (n / 2000) as f64 * W);
        start.elapsed()
    }

    /// One `grant_ready` over `n` waiters at once (a pause ends); the CPU time it took.
    fn grant_all_of(n: usize) -> std::time::Duration {
        let mut l = limiter(200_000, n);
        l.pause_until(1.0);
        for _ in 0..n {
            queued(l.acquire(0.0));
        }
        let start = cpu_time::ThreadTime::now();
        assert_eq!(l.grant_ready(1.0).len(), n);
        start.elapsed()
    }

    /// Ten times the waiters may take at most 40 times as long (linear is 10, quadratic 100),
    /// each side its best of three runs in this process: a ratio of this thread's CPU time
    /// measured side by side. Not wall time: other processes on a loaded machine stretched
    /// one side more than the other, even as a ratio.
    fn assert_linear(what: &str, run: fn(usize) -> std::time::Duration) {
        let best = |n| (0..3).map(|_| run(n)).min().unwrap_or_default();
        let small = best(10_000).max(std::time::Duration::from_micros(200));
        let large = best(100_000);
        assert!(
            large < small * 40,
            "{what}: 100,000 took {large:?}, 10,000 took {small:?}"
        );
    }

    #[test]
    fn hundred_thousand_waiters_drain_in_linear_time() {
        assert_linear("drain", drain_half_of);
        assert_linear("grant at once", grant_all_of);
    }
}
