//! One budget shared through a store: the client side (pure Rust, injected clock).
//!
//! With `rateLimit.store`, tokens come from a store shared by every process or isolate
//! that uses the key (see [`crate::ledger`] for the store side). A [`Fleet`] decides, for
//! one client realm, when to ask the store and for how many, hands what it gets to
//! waiters in FIFO order, and keeps a local record of its own usage so that when the
//! store fails it can carry on with a conservative share instead of failing open or
//! hanging:
//!
//! * **Leasing.** One `acquire` asks for as many tokens as requests wait, up to `lease`:
//!   under load a round trip serves a batch. Tokens are only asked for on demand and a
//!   token nobody can use any more (its waiter aborted) is released at once, so a lease
//!   never idles in a client while another starves, and it cannot overrun the window: the
//!   store counts a leased token as in flight from the moment it is granted.
//! * **Fallback.** When a store call fails or times out, the client grants from its own
//!   [`Limiter`] of `limit / fleet_size` tokens. That limiter has counted every token this
//!   client used, whatever granted it, so the share is reduced by the client's own recent
//!   store usage. For the first window after the store last answered, the others' usage it
//!   reported (`occupied`) is still in the server's window too, and a client that used
//!   less than its share then must not make up the difference: it recycles its own tokens
//!   plus an equal part of what the store had free, never more than its share. The store
//!   is probed again every `probe_ms` while requests wait.
//! * **Carry.** What the client used without the store's knowledge (its fallback grants,
//!   settles that failed to reach the store) is sent with the next `acquire`.
//! * **Hand-over.** For one window after the store answers again (or answers from a new
//!   epoch, having lost its data), the client takes tokens from the store but never more
//!   than its local share allows: the other clients may still be on their shares, and
//!   what they used there reaches the store only as each of them recovers.
//! * **Epochs.** A store names its memory (`epoch`). When a reply comes from a new epoch
//!   (a restarted Redis, a new object), the store forgot the window: a client with usage
//!   in the window carries what it got from the store under the old epoch and hands back
//!   what the forgetful store just granted, then hands over as above.
//!
//! # States
//!
//! The fleet's `Mode` carries each state's own fields (`HAND-OVER` is `Store` before its
//! `hand_over_until`):
//!
//! ```text
//!                  ┌─── answer, same epoch ───┐
//!                  v                          │
//!    new ───────> STORE ──────────────────────┘
//!                 │  ^  │
//!                 │  │  │ answer from a new epoch while this client
//!                 │  │  │ has usage in the window [forgotten]
//!                 │  │  v
//!                 │  └─ HAND-OVER <──────────────────────┐
//!                 │  (a window passes)                   │
//!                 │       │                              │
//!                 │       │ store call fails             │ probe answered
//!                 │       │ [fallback]                   │ [recovered]
//!                 │       v                              │
//!                 └──> FALLBACK ─────────────────────────┘
//!    store call fails,   │   ^      (since, probe_at, recycle)
//!    times out or        └───┘ probe fails
//!    answers nonsense
//!    [fallback]
//! ```
//!
//! `[...]` are the [`Event`]s the shell reports through `onRateLimitStore`.

use crate::limiter::{Acquire, Limiter, LimiterConfig, LimiterState, WaiterId};
use crate::window::Window;
use alloc::{string::String, vec::Vec};

/// `ms` limited to `[lo, hi]` (for intervals derived from the window).
// Not `f64::clamp`: its NaN assertion formats floats, which would pull ~10 KB into the .wasm.
#[allow(clippy::manual_clamp)]
pub(crate) fn clamp_ms(ms: f64, lo: f64, hi: f64) -> f64 {
    ms.max(lo).min(hi)
}

/// How a fleet client is configured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetConfig {
    /// Requests allowed in any rolling window, for the whole fleet.
    pub limit: u32,
    /// The rolling window in ms.
    pub window_ms: f64,
    /// How many requests may wait in this client.
    pub max_queue: usize,
    /// How many clients share the key: the fallback share is `limit / fleet_size`.
    pub fleet_size: u32,
    /// The most tokens asked for in one `acquire`.
    pub lease: u32,
    /// How long the store may treat a granted, unsettled token as in flight.
    pub hold_ms: f64,
    /// How long to wait before asking a failed store again.
    pub probe_ms: f64,
    /// An `acquire` unanswered for this long is given up as failed, even if the shell's
    /// own timeout never fires (workerd drops the timers of a request that has ended).
    pub ask_deadline_ms: f64,
}

impl FleetConfig {
    /// The fallback share: `limit / fleet_size`, rounded down, at least 1.
    pub fn local_limit(&self) -> u32 {
        (self.limit / self.fleet_size.max(1)).max(1)
    }
}

/// Where a request's token came from; the client hands it back with
/// [`Fleet::settle`] or [`Fleet::release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Granted by the store under this id.
    Store(String),
    /// Granted from this client's fallback share while the store was unreachable; the
    /// number says which carry generation it belongs to (whether the store has been told
    /// about it yet).
    Share(u64),
}

/// A change of mode the user is told about (`onRateLimitStore`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// The store failed; the client now grants from a share of `local_limit` tokens.
    Fallback {
        /// The local share.
        local_limit: u32,
    },
    /// The store answered from a new epoch (it lost its data): the client told it what it
    /// used and, for a window, takes no more from it than `local_limit`.
    Forgotten {
        /// The local share.
        local_limit: u32,
    },
    /// The store answered again after `down_ms` in fallback.
    Recovered {
        /// How long the client was in fallback.
        down_ms: f64,
    },
}

/// What [`Fleet::acquire`] decided for a new request.
#[derive(Debug, Clone, PartialEq)]
pub enum Admit {
    /// A token now (only from the local share, in fallback).
    Granted(Source),
    /// The request waits under this id.
    Queued(WaiterId),
    /// The queue is full.
    QueueFull,
}

/// A store's answer to an `acquire`, as the shell read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreReply {
    /// The granted tokens.
    pub tokens: Vec<String>,
    /// When short: ms until the next token can free.
    pub retry_in_ms: Option<f64>,
    /// The store's epoch, if it names one.
    pub epoch: Option<String>,
    /// Entries in the store's window after this grant (the whole fleet's usage), if given.
    pub occupied: Option<u32>,
}

/// An `acquire` the shell should send to the store now.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// Tokens wanted.
    pub want: u32,
    /// For each token the store has not seen, ms from now until it frees.
    pub carry: Vec<f64>,
}

/// What follows a store reply or failure: tokens for waiters, tokens to hand back unused,
/// and maybe an event for the user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Waiters that now hold a token.
    pub granted: Vec<(WaiterId, Source)>,
    /// Store tokens nobody can use: release them.
    pub release: Vec<String>,
    /// A mode change to report.
    pub event: Option<Event>,
}

/// Where tokens come from; each state carries what only it needs (see the module docs'
/// state diagram).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// From the store. Until `hand_over_until` (a window after a recovery, or after the
    /// store forgot), no more than the local share's room: the others' fallback usage
    /// reaches the store only as each of them recovers. Before it, a plain STORE state.
    Store { hand_over_until: f64 },
    /// From the local share since `since`; ask the store again at `probe_at`. With
    /// `recycle`, until that instant the share is cut to that many tokens: what the fleet
    /// had in the window at the store's last answer is still in the server's window.
    Fallback {
        since: f64,
        probe_at: f64,
        recycle: Option<(f64, u32)>,
    },
}

/// The client side of a shared budget. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Fleet {
    cfg: FleetConfig,
    /// The local share: the waiters' queue, and a record of every token this client used.
    local: Limiter,
    mode: Mode,
    /// Tokens asked for in the `acquire` in flight, if one is, and when it is overdue.
    asking: Option<(u32, f64)>,
    /// No `acquire` before this instant (the store said when a token frees).
    retry_at: f64,
    paused_until: f64,
    /// Free instants of usage the store has not been told about.
    carry: Vec<f64>,
    /// The carry sent with the `acquire` in flight, restored if it fails.
    carry_in_transit: Vec<f64>,
    /// The carry generation: local tokens of the current one are not yet in any carry.
    generation: u64,
    /// Local tokens of the current generation still in flight.
    uncarried_in_flight: u32,
    /// The store's epoch when it last answered.
    epoch: Option<String>,
    /// Free instants of store tokens settled through the store (what it would forget).
    store_returns: Window,
    /// Store tokens in flight.
    store_in_flight: u32,
    /// When the store last answered, how full it said the window was, and this client's
    /// own occupancy then.
    last_contact: Option<(f64, u32, u32)>,
}

impl Fleet {
    /// A client in store mode with nobody waiting.
    pub fn new(cfg: FleetConfig) -> Fleet {
        Fleet {
            local: Limiter::new(LimiterConfig {
                limit: cfg.local_limit(),
                window_ms: cfg.window_ms,
                max_queue: cfg.max_queue,
            }),
            cfg,
            mode: Mode::Store {
                hand_over_until: f64::NEG_INFINITY,
            },
            asking: None,
            retry_at: f64::NEG_INFINITY,
            paused_until: f64::NEG_INFINITY,
            carry: Vec::new(),
            carry_in_transit: Vec::new(),
            generation: 0,
            uncarried_in_flight: 0,
            epoch: None,
            store_returns: Window::default(),
            store_in_flight: 0,
            last_contact: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &FleetConfig {
        &self.cfg
    }

    /// Whether the client grants from its local share (the store failed).
    pub fn in_fallback(&self) -> bool {
        matches!(self.mode, Mode::Fallback { .. })
    }

    /// A new request asks for a token. In store mode it always waits for the store (then
    /// call [`Fleet::ask`]); in fallback the local share may grant it at once.
    pub fn acquire(&mut self, now: f64) -> Admit {
        self.apply_recycle(now);
        let admitted = match self.mode {
            Mode::Store { .. } => self.local.enqueue(now),
            Mode::Fallback { .. } => self.local.acquire(now),
        };
        match admitted {
            Acquire::Granted => Admit::Granted(self.local_token()),
            Acquire::Queued(id) => Admit::Queued(id),
            Acquire::QueueFull => Admit::QueueFull,
        }
    }

    /// Removes a waiter (aborted). `false` if it was not waiting any more.
    pub fn cancel(&mut self, id: WaiterId) -> bool {
        self.local.cancel(id)
    }

    /// The `acquire` to send to the store now, if one is due: nobody else is asking, and
    /// requests wait (or, in fallback, a probe is due). Marks it as in flight.
    pub fn ask(&mut self, now: f64) -> Option<Ask> {
        if self.asking.is_some() || now < self.paused_until {
            return None;
        }
        let queued = u32::try_from(self.local.queued()).unwrap_or(u32::MAX);
        let want = match self.mode {
            Mode::Store { .. } if queued > 0 && now >= self.retry_at => queued.min(self.room(now)),
            Mode::Fallback { probe_at, .. } if now >= probe_at => queued.max(1),
            _ => return None,
        }
        .min(self.cfg.lease.max(1));
        let want = match want {
            // The share is full, but a forgetful store must still learn what we used: one
            // token asked for, to be handed back, carries it.
            0 if self.has_carry() => 1,
            0 => return None,
            n => n,
        };
        self.asking = Some((want, now + self.cfg.ask_deadline_ms));
        // Usage the store has not seen: settled local tokens by their free instant, and
        // local tokens still in flight as if they settled at the end of their hold.
        let unsettled = now + self.cfg.hold_ms + self.cfg.window_ms;
        push_copies(
            &mut self.carry,
            unsettled,
            self.uncarried_in_flight as usize,
        );
        self.uncarried_in_flight = 0;
        self.generation = self.generation.wrapping_add(1);
        self.carry.retain(|&at| at > now);
        self.carry_in_transit = core::mem::take(&mut self.carry);
        let mut carry = Vec::with_capacity(self.carry_in_transit.len());
        for &at in &self.carry_in_transit {
            carry.push(at - now);
        }
        Some(Ask { want, carry })
    }

    /// The store answered the `acquire` in flight.
    pub fn on_reply(&mut self, now: f64, reply: StoreReply) -> Outcome {
        let StoreReply {
            tokens,
            retry_in_ms,
            epoch,
            occupied,
        } = reply;
        let asked = self.asking.take().map_or(0, |(want, _)| want) as usize;
        self.carry_in_transit.clear();
        let forgot = matches!((&self.epoch, &epoch), (Some(old), Some(new)) if old != new);
        if epoch.is_some() {
            self.epoch = epoch;
        }
        let mut out = Outcome::default();
        self.local.set_limit(self.cfg.local_limit());
        if let Mode::Fallback { since, .. } = self.mode {
            out.event = Some(Event::Recovered {
                down_ms: (now - since).max(0.0),
            });
            self.mode = Mode::Store {
                hand_over_until: now + self.cfg.window_ms,
            };
        }
        // A client with nothing in the window has nothing to tell a forgetful store (and a
        // store whose data simply expired has forgotten nothing that mattered).
        if forgot && self.local.room(now) < self.cfg.local_limit() {
            self.on_forgotten(now);
            if out.event.is_none() {
                out.event = Some(Event::Forgotten {
                    local_limit: self.cfg.local_limit(),
                });
            }
            // Granted without knowing what we used: hand it back, ask again with the carry.
            out.release = tokens;
            return out;
        }
        if tokens.len() < asked {
            let wait = retry_in_ms
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or(1.0);
            // No token in flight can free sooner than a window from now (it must settle
            // first): a store hinting later is ignored rather than trusted to starve us.
            self.retry_at = now + wait.min(self.cfg.window_ms);
        }
        let mut tokens = tokens.into_iter();
        if now >= self.paused_until {
            // During a hand-over the share caps what the store granted (a probe asked
            // without looking at it).
            let usable = self.room(now) as usize;
            for token in tokens.by_ref().take(usable) {
                match self.local.grant_next() {
                    Some(id) => {
                        self.store_in_flight = self.store_in_flight.saturating_add(1);
                        out.granted.push((id, Source::Store(token)));
                    }
                    None => {
                        out.release.push(token);
                        break;
                    }
                }
            }
        }
        // A token nobody waits for would block the rest of the fleet: hand it back.
        for token in tokens {
            out.release.push(token);
        }
        if let Some(occupied) = occupied {
            let released = u32::try_from(out.release.len()).unwrap_or(u32::MAX);
            let own = self.local.occupancy(now);
            self.last_contact = Some((now, occupied.saturating_sub(released), own));
        }
        out
    }

    /// The store answered from a new epoch: it lost the window. Carry what this client got
    /// from it under the old epoch, ask again at once, and hand over for a window.
    fn on_forgotten(&mut self, now: f64) {
        let unsettled = now + self.cfg.hold_ms + self.cfg.window_ms;
        self.store_returns.take_after(now, &mut self.carry);
        push_copies(&mut self.carry, unsettled, self.store_in_flight as usize);
        self.retry_at = now;
        self.mode = Mode::Store {
            hand_over_until: now + self.cfg.window_ms,
        };
    }

    /// Whether usage the store has not seen waits to be carried.
    fn has_carry(&self) -> bool {
        !self.carry.is_empty() || self.uncarried_in_flight > 0
    }

    /// How many tokens the client may take from the store now: any number, except during a
    /// hand-over, when the local share's room.
    fn room(&self, now: f64) -> u32 {
        match self.mode {
            Mode::Store { hand_over_until } if now < hand_over_until => self.local.room(now),
            _ => u32::MAX,
        }
    }

    /// The `acquire` in flight failed (rejected, timed out, or answered nonsense).
    pub fn on_failure(&mut self, now: f64) -> Outcome {
        self.asking = None;
        // The store may or may not have recorded the carry: send it again, counting twice
        // is only conservative.
        self.carry.append(&mut self.carry_in_transit);
        let event = self.enter_fallback(now);
        Outcome {
            granted: self.grant_ready(now),
            release: Vec::new(),
            event,
        }
    }

    /// Gives up an `acquire` that is overdue (its reply will never be seen), as a failure.
    pub fn expire_ask(&mut self, now: f64) -> Option<Outcome> {
        match self.asking {
            Some((_, deadline)) if now >= deadline => Some(self.on_failure(now)),
            _ => None,
        }
    }

    /// A settle of `count` store tokens failed to reach the store: remember them as carry
    /// and fall back.
    pub fn on_settle_failure(&mut self, now: f64, count: usize) -> Outcome {
        let free_at = now + self.cfg.window_ms;
        push_copies(&mut self.carry, free_at, count);
        // They are carry now, not something the store would forget.
        self.store_returns.forget_latest(count);
        let event = self.enter_fallback(now);
        Outcome {
            granted: self.grant_ready(now),
            release: Vec::new(),
            event,
        }
    }

    /// Waiters the local share can serve now (fallback only; in store mode only replies
    /// grant).
    pub fn grant_ready(&mut self, now: f64) -> Vec<(WaiterId, Source)> {
        if !self.in_fallback() {
            return Vec::new();
        }
        self.apply_recycle(now);
        let ids = self.local.grant_ready(now);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push((id, self.local_token()));
        }
        out
    }

    /// A request holding `source` got its response (or failed after sending). Returns the
    /// store token to settle, if it came from the store.
    pub fn settle(&mut self, now: f64, source: Source) -> Option<String> {
        self.local.settle(now);
        match source {
            Source::Store(token) => {
                self.store_in_flight = self.store_in_flight.saturating_sub(1);
                self.store_returns.expire(now);
                self.store_returns.push(now + self.cfg.window_ms);
                Some(token)
            }
            Source::Share(generation) => {
                if generation == self.generation {
                    self.uncarried_in_flight = self.uncarried_in_flight.saturating_sub(1);
                    self.carry.push(now + self.cfg.window_ms);
                }
                None
            }
        }
    }

    /// A request holding `source` was never sent. Returns the store token to release.
    pub fn release(&mut self, source: Source) -> Option<String> {
        self.local.release_unsent();
        match source {
            Source::Store(token) => {
                self.store_in_flight = self.store_in_flight.saturating_sub(1);
                Some(token)
            }
            Source::Share(generation) => {
                if generation == self.generation {
                    self.uncarried_in_flight = self.uncarried_in_flight.saturating_sub(1);
                }
                None
            }
        }
    }

    /// The server said 429: no grants, from the store or the share, until `until`.
    pub fn pause_until(&mut self, until: f64) {
        if until.is_finite() && until > self.paused_until {
            self.paused_until = until;
        }
        self.local.pause_until(until);
    }

    /// When the shell should next call [`Fleet::ask`] and [`Fleet::grant_ready`]; `None`
    /// when nobody waits or only a reply or a settle can help.
    pub fn next_wakeup(&self, now: f64) -> Option<f64> {
        if self.local.queued() == 0 {
            return None;
        }
        let ask_at = match self.mode {
            _ if self.asking.is_some() => self.asking.map(|(_, deadline)| deadline),
            // During a hand-over, when the share has room again or the hand-over ends,
            // whichever comes first (a settle also pumps).
            Mode::Store { hand_over_until } if now < hand_over_until => {
                let room_at = self.local.next_room_at(now).unwrap_or(hand_over_until);
                Some(room_at.min(hand_over_until).max(self.retry_at))
            }
            Mode::Store { .. } => Some(self.retry_at),
            Mode::Fallback { probe_at, .. } => Some(probe_at),
        }
        .map(|at| at.max(self.paused_until).max(now));
        let local_at = if let Mode::Fallback { recycle, .. } = self.mode {
            // The share grows back when the recycling window ends.
            let recycle_end = recycle.map(|(until, _)| until.max(now));
            match (self.local.next_wakeup(now), recycle_end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        } else {
            None
        };
        match (ask_at, local_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A snapshot for `rateLimitState()`: the fleet's limit, this client's in-flight and
    /// queued requests; `available` is the local share's in fallback and 0 in store mode
    /// (only the store knows).
    pub fn state(&mut self, now: f64) -> LimiterState {
        let mut s = self.local.state(now);
        s.limit = self.cfg.limit;
        if !self.in_fallback() {
            s.available = 0;
            s.next_token_in_ms = (self.retry_at > now).then_some(self.retry_at - now);
        }
        s
    }

    /// Sets the share's size for `now`: cut while recycling, the full share after.
    fn apply_recycle(&mut self, now: f64) {
        let share = self.cfg.local_limit();
        let limit = match self.mode {
            Mode::Fallback {
                recycle: Some((until, cap)),
                ..
            } if now < until => cap.min(share),
            _ => share,
        };
        self.local.set_limit(limit);
    }

    fn local_token(&mut self) -> Source {
        self.uncarried_in_flight = self.uncarried_in_flight.saturating_add(1);
        Source::Share(self.generation)
    }

    fn enter_fallback(&mut self, now: f64) -> Option<Event> {
        let probe_at = now + self.cfg.probe_ms;
        match self.mode {
            Mode::Store { .. } => {
                // What the fleet had in the window at the last answer is still there until
                // a window after it: recycle own tokens plus an equal part of what was free.
                let recycle = self.last_contact.map(|(at, occupied, own)| {
                    let free = self.cfg.limit.saturating_sub(occupied);
                    let part = free / self.cfg.fleet_size.max(1);
                    (at + self.cfg.window_ms, own.saturating_add(part))
                });
                self.mode = Mode::Fallback {
                    since: now,
                    probe_at,
                    recycle,
                };
                self.apply_recycle(now);
                Some(Event::Fallback {
                    local_limit: self.cfg.local_limit(),
                })
            }
            Mode::Fallback { since, recycle, .. } => {
                self.mode = Mode::Fallback {
                    since,
                    probe_at,
                    recycle,
                };
                None
            }
        }
    }
}

/// Appends `n` copies of `at`.
// A loop, not `extend(repeat(at).take(n))`: the iterator version adds its own code to the
// .wasm at each of the three places that carry copies.
fn push_copies(carry: &mut Vec<f64>, at: f64, n: usize) {
    carry.reserve(n);
    for _ in 0..n {
        carry.push(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: f64 = 1000.0;

    fn fleet(limit: u32, fleet_size: u32) -> Fleet {
        Fleet::new(FleetConfig {
            limit,
            window_ms: W,
            max_queue: 100,
            fleet_size,
            lease: 4,
            hold_ms: 500.0,
            probe_ms: 200.0,
            ask_deadline_ms: 2000.0,
        })
    }

    fn queued(a: Admit) -> WaiterId {
        match a {
            Admit::Queued(id) => id,
            other => panic!("expected Queued, got {other:?}"),
        }
    }

    fn tokens(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn reply(tokens: Vec<String>, retry_in_ms: Option<f64>, epoch: Option<String>) -> StoreReply {
        StoreReply {
            tokens,
            retry_in_ms,
            epoch,
            occupied: None,
        }
    }

    #[test]
    fn store_mode_asks_for_the_waiters_up_to_the_lease() {
        let mut f = fleet(10, 2);
        let a = queued(f.acquire(0.0));
        let b = queued(f.acquire(0.0));
        let ask = f.ask(0.0).expect("waiters: ask");
        assert_eq!(ask.want, 2);
        assert!(ask.carry.is_empty());
        // One acquire at a time.
        assert_eq!(f.ask(0.0), None);
        let out = f.on_reply(1.0, reply(tokens(&["7", "8"]), None, None));
        assert_eq!(
            out.granted,
            vec![
                (a, Source::Store("7".into())),
                (b, Source::Store("8".into()))
            ]
        );
        for _ in 0..9 {
            f.acquire(2.0);
        }
        assert_eq!(f.ask(2.0).map(|a| a.want), Some(4));
    }

    #[test]
    fn short_replies_wait_for_the_store_and_spares_go_back() {
        let mut f = fleet(10, 2);
        let a = queued(f.acquire(0.0));
        let b = queued(f.acquire(0.0));
        f.ask(0.0);
        let out = f.on_reply(0.0, reply(tokens(&["1"]), Some(300.0), None));
        assert_eq!(out.granted, vec![(a, Source::Store("1".into()))]);
        assert_eq!(f.ask(299.0), None);
        assert_eq!(f.next_wakeup(0.0), Some(300.0));
        assert_eq!(f.ask(300.0).map(|a| a.want), Some(1));
        // b aborted while the acquire was out: its token is released, not held.
        assert!(f.cancel(b));
        let out = f.on_reply(301.0, reply(tokens(&["2"]), None, None));
        assert!(out.granted.is_empty());
        assert_eq!(out.release, tokens(&["2"]));
    }

    #[test]
    fn failure_falls_back_to_a_share_reduced_by_own_usage() {
        let mut f = fleet(10, 2); // share 5
        let ids: Vec<_> = (0..3).map(|_| queued(f.acquire(0.0))).collect();
        f.ask(0.0);
        let out = f.on_reply(0.0, reply(tokens(&["1", "2", "3"]), None, None));
        assert_eq!(out.granted.len(), 3);
        for (_, s) in out.granted {
            assert!(f.settle(10.0, s).is_some());
        }
        let w: Vec<_> = (0..4).map(|_| queued(f.acquire(20.0))).collect();
        f.ask(20.0);
        let out = f.on_failure(30.0);
        assert_eq!(out.event, Some(Event::Fallback { local_limit: 5 }));
        // 3 of the 5 are still in their window: 2 granted locally, 2 wait.
        assert_eq!(out.granted.len(), 2);
        assert_eq!(out.granted[0].0, w[0]);
        assert!(matches!(out.granted[0].1, Source::Share(_)));
        assert!(f.in_fallback());
        // The own store tokens return at 1010: the waiters are served then, or at the
        // probe, whichever comes first.
        assert_eq!(f.next_wakeup(30.0), Some(230.0));
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn recovery_carries_local_usage_to_the_store() {
        let mut f = fleet(10, 2);
        queued(f.acquire(0.0));
        f.ask(0.0);
        f.on_failure(0.0);
        // Two local grants: one settles (frees at 1100), one stays in flight.
        let Admit::Granted(s1) = f.acquire(50.0) else {
            panic!()
        };
        let Admit::Granted(s2) = f.acquire(50.0) else {
            panic!()
        };
        assert_eq!(f.settle(100.0, s1), None);
        let ask = f.ask(200.0).expect("probe due");
        let mut carry = ask.carry.clone();
        carry.sort_by(f64::total_cmp);
        // s1 frees at 1100; s2 and the first waiter's token are still in flight.
        assert_eq!(carry, vec![900.0, W + 500.0, W + 500.0]);
        let out = f.on_reply(210.0, reply(tokens(&["9"]), None, None));
        assert!(matches!(out.event, Some(Event::Recovered { .. })));
        assert_eq!(out.release, tokens(&["9"]), "nobody waits: handed back");
        assert!(!f.in_fallback());
        // Tokens already carried are not carried again when they settle.
        assert_eq!(f.settle(300.0, s2), None);
        f.acquire(320.0);
        assert_eq!(f.ask(320.0).map(|a| a.carry), Some(vec![]));
    }

    #[test]
    fn a_failed_ask_keeps_its_carry() {
        let mut f = fleet(10, 2);
        queued(f.acquire(0.0));
        f.ask(0.0);
        f.on_failure(0.0);
        let Admit::Granted(s) = f.acquire(1.0) else {
            panic!()
        };
        f.settle(2.0, s);
        let first = f.ask(300.0).expect("probe");
        assert_eq!(first.carry.len(), 2);
        f.on_failure(301.0);
        let again = f.ask(600.0).expect("probe again");
        assert_eq!(again.carry.len(), 2);
    }

    #[test]
    fn pauses_stop_asking_and_granting() {
        let mut f = fleet(10, 2);
        queued(f.acquire(0.0));
        f.pause_until(500.0);
        assert_eq!(f.ask(0.0), None);
        assert_eq!(f.next_wakeup(0.0), Some(500.0));
        assert!(f.ask(500.0).is_some());
    }

    #[test]
    fn settle_failures_become_carry_and_fallback() {
        let mut f = fleet(10, 5);
        queued(f.acquire(0.0));
        f.ask(0.0);
        let out = f.on_reply(0.0, reply(tokens(&["1"]), None, None));
        let src = out.granted[0].1.clone();
        assert_eq!(f.settle(10.0, src), Some("1".into()));
        let out = f.on_settle_failure(12.0, 1);
        assert_eq!(out.event, Some(Event::Fallback { local_limit: 2 }));
        // The share has room: granted at once, and in flight when the probe goes out.
        assert!(matches!(f.acquire(300.0), Admit::Granted(Source::Share(_))));
        assert_eq!(f.ask(300.0).map(|a| a.carry), Some(vec![712.0, W + 500.0]));
    }

    #[test]
    fn a_store_that_forgot_gets_our_usage_back_and_we_hand_over() {
        let mut f = fleet(10, 2); // share 5
        let e = |s: &str| Some(s.to_owned());
        for _ in 0..3 {
            queued(f.acquire(0.0));
        }
        f.ask(0.0);
        let out = f.on_reply(0.0, reply(tokens(&["a-1", "a-2", "a-3"]), None, e("a")));
        let mut held: Vec<Source> = out.granted.into_iter().map(|(_, s)| s).collect();
        // Two settle (free at 1100), one stays in flight.
        f.settle(100.0, held.remove(0));
        f.settle(100.0, held.remove(0));
        for _ in 0..3 {
            queued(f.acquire(200.0));
        }
        let ask = f.ask(200.0).expect("waiters");
        assert!(ask.carry.is_empty(), "same epoch so far: nothing to carry");
        // The store restarted: epoch b, and it granted blindly.
        let out = f.on_reply(210.0, reply(tokens(&["b-0", "b-1", "b-2"]), None, e("b")));
        assert_eq!(out.release, tokens(&["b-0", "b-1", "b-2"]));
        assert!(out.granted.is_empty());
        assert_eq!(out.event, Some(Event::Forgotten { local_limit: 5 }));
        assert!(!f.in_fallback(), "still on the store, held to the share");
        // It asks again at once, telling the new store what it used, but for no more than
        // the share's room: 5 - 3 own tokens in the window.
        let ask = f.ask(210.0).expect("asks again at once");
        let mut carry = ask.carry;
        carry.sort_by(f64::total_cmp);
        assert_eq!(carry, vec![890.0, 890.0, W + 500.0]);
        assert_eq!(ask.want, 2);
        let out = f.on_reply(215.0, reply(tokens(&["b-3", "b-4"]), None, e("b")));
        assert_eq!(out.granted.len(), 2);
        assert_eq!(f.ask(300.0), None, "the share is full until 1100");
        assert_eq!(f.next_wakeup(300.0), Some(1100.0));
        // A window after the hand-over began the share no longer caps the store.
        for _ in 0..6 {
            queued(f.acquire(1300.0));
        }
        assert_eq!(
            f.ask(1300.0).map(|a| a.want),
            Some(4),
            "the lease, not the share"
        );
    }

    #[test]
    fn after_an_outage_the_store_is_held_to_the_share_for_a_window() {
        let mut f = fleet(10, 2); // share 5
        queued(f.acquire(0.0));
        f.ask(0.0);
        f.on_failure(0.0);
        // Four more on the share: the fleet's other clients may be doing the same.
        for _ in 0..4 {
            assert!(matches!(f.acquire(10.0), Admit::Granted(_)));
        }
        for _ in 0..3 {
            queued(f.acquire(300.0));
        }
        let ask = f.ask(300.0).expect("probe");
        assert_eq!(ask.want, 3);
        let out = f.on_reply(300.0, reply(tokens(&["1", "2", "3"]), None, None));
        assert!(matches!(out.event, Some(Event::Recovered { .. })));
        // The share is full (5 in flight): the store's grants go back, the waiters wait.
        assert!(out.granted.is_empty());
        assert_eq!(out.release, tokens(&["1", "2", "3"]));
        assert!(!f.in_fallback());
    }

    #[test]
    fn an_idle_client_just_adopts_a_new_epoch() {
        let mut f = fleet(10, 2);
        queued(f.acquire(0.0));
        f.ask(0.0);
        let out = f.on_reply(0.0, reply(tokens(&["a-1"]), None, Some("a".into())));
        f.settle(10.0, out.granted[0].1.clone());
        // Long after its window, the data expired and the store starts a new epoch.
        queued(f.acquire(5000.0));
        f.ask(5000.0);
        let out = f.on_reply(5000.0, reply(tokens(&["b-0"]), None, Some("b".into())));
        assert_eq!(out.granted.len(), 1);
        assert_eq!(out.event, None);
        assert!(!f.in_fallback());
    }

    #[test]
    fn an_acquire_never_answered_is_given_up() {
        let mut f = fleet(10, 2);
        queued(f.acquire(0.0));
        f.ask(0.0);
        assert_eq!(
            f.next_wakeup(0.0),
            Some(2000.0),
            "the deadline is the next decision"
        );
        assert_eq!(f.expire_ask(1999.0), None);
        let out = f.expire_ask(2000.0).expect("overdue");
        assert!(matches!(out.event, Some(Event::Fallback { .. })));
        assert_eq!(out.granted.len(), 1, "the share serves the waiter");
    }

    #[test]
    fn after_a_failure_a_client_recycles_its_own_tokens_while_the_others_are_in_the_window() {
        let mut f = fleet(20, 4); // share 5
        let full = |tokens: Vec<String>| StoreReply {
            tokens,
            occupied: Some(20),
            retry_in_ms: Some(300.0),
            ..StoreReply::default()
        };
        for _ in 0..2 {
            queued(f.acquire(0.0));
        }
        f.ask(0.0);
        let out = f.on_reply(0.0, full(tokens(&["1", "2"])));
        for (_, s) in out.granted {
            f.settle(10.0, s); // ours come back at 1010
        }
        // At 500 the store is still full: 20 in the window, 2 of them ours.
        for _ in 0..6 {
            queued(f.acquire(500.0));
        }
        f.ask(500.0);
        f.on_reply(500.0, full(vec![]));
        f.ask(800.0);
        let out = f.on_failure(810.0);
        // The share (5) would allow 3 more at once; but the others' 18 may be in the
        // server's window until a window after the last answer (1500): only our own 2
        // tokens may be used again, when they come back.
        assert!(out.granted.is_empty());
        assert_eq!(f.grant_ready(1010.0).len(), 2, "own tokens recycled");
        assert!(f.grant_ready(1499.0).is_empty());
        // Then the full share: 5, less our 2 just sent.
        assert_eq!(f.grant_ready(1500.0).len(), 3);
    }

    #[test]
    fn without_a_word_from_the_store_the_share_is_the_plain_share() {
        let mut f = fleet(20, 4);
        for _ in 0..6 {
            queued(f.acquire(0.0));
        }
        f.ask(0.0);
        assert_eq!(f.on_failure(0.0).granted.len(), 5);
    }

    #[test]
    fn idle_clients_keep_no_timer() {
        let mut f = fleet(10, 2);
        assert_eq!(f.next_wakeup(0.0), None);
        let id = queued(f.acquire(0.0));
        f.ask(0.0);
        f.on_failure(0.0);
        assert!(!f.cancel(id), "granted from the share at once");
        assert_eq!(f.next_wakeup(0.0), None);
    }
}
