//! Property tests for the rolling-window limiter, simulated against a strict server.
//!
//! The client knows when it granted a token and when the response settled; the server
//! counts a request at some unknown instant in between. The simulation picks that instant
//! at random and checks the server's view: no rolling window ever holds more than `limit`.
#![cfg(not(target_arch = "wasm32"))]

use conveyor_client::limiter::{Acquire, Limiter, LimiterConfig, WaiterId};
use proptest::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// One simulated request. Times are integer milliseconds so every instant is exact.
#[derive(Debug, Clone)]
struct Req {
    /// Delay after the previous request's arrival at the client.
    gap: u64,
    /// Grant to settle (response headers arrive, or failure).
    latency: u64,
    /// Where in `[grant, settle]` the server counts it, in percent.
    server_at_pct: u64,
    /// Aborted this long after it started waiting (if it is still waiting then).
    cancel_after: Option<u64>,
    /// Granted but never sent: released `latency` after the grant.
    unsent: bool,
    /// The server answered 429 and asked for a pause of this long.
    pause: Option<u64>,
}

fn req() -> impl Strategy<Value = Req> {
    (
        prop_oneof![3 => 0u64..5, 2 => 0u64..100, 1 => 0u64..2000],
        prop_oneof![2 => Just(0u64), 3 => 0u64..50, 2 => 0u64..1500],
        prop_oneof![Just(0u64), Just(100u64), 0u64..=100],
        prop::option::weighted(0.2, 0u64..800),
        prop::bool::weighted(0.05),
        prop::option::weighted(0.03, 0u64..600),
    )
        .prop_map(
            |(gap, latency, server_at_pct, cancel_after, unsent, pause)| Req {
                gap,
                latency,
                server_at_pct,
                cancel_after,
                unsent,
                pause,
            },
        )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrive(usize),
    Settle(usize),
    Release(usize),
    Cancel(u64),
    Wake,
}

struct Sim<'a> {
    reqs: &'a [Req],
    limiter: Limiter,
    limit: u32,
    events: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    /// Waiter ids still waiting, in arrival order: what the limiter must serve next.
    model_queue: VecDeque<u64>,
    waiter_req: HashMap<u64, usize>,
    /// Server-arrival instants in hundredths of a millisecond.
    server_arrivals: Vec<u64>,
    granted_waiters: Vec<u64>,
    grants: usize,
    refused: usize,
    cancelled: usize,
}

impl<'a> Sim<'a> {
    fn new(config: LimiterConfig, reqs: &'a [Req]) -> Self {
        Sim {
            reqs,
            limiter: Limiter::new(config),
            limit: config.limit,
            events: BinaryHeap::new(),
            seq: 0,
            model_queue: VecDeque::new(),
            waiter_req: HashMap::new(),
            server_arrivals: Vec::new(),
            granted_waiters: Vec::new(),
            grants: 0,
            refused: 0,
            cancelled: 0,
        }
    }

    fn at(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.events.push(Reverse((t, self.seq, ev)));
    }

    fn run(&mut self) -> Result<(), TestCaseError> {
        let mut t = 0;
        for (i, r) in self.reqs.iter().enumerate() {
            t += r.gap;
            self.seq += 1;
            self.events.push(Reverse((t, self.seq, Ev::Arrive(i))));
        }
        let mut steps = 0u64;
        while let Some(Reverse((t, _, ev))) = self.events.pop() {
            steps += 1;
            prop_assert!(steps < 1_000_000, "the simulation does not terminate");
            let now = t as f64;
            match ev {
                Ev::Arrive(i) => match self.limiter.acquire(now) {
                    Acquire::Granted => {
                        prop_assert!(
                            self.model_queue.is_empty(),
                            "a newcomer overtook {} waiters",
                            self.model_queue.len()
                        );
                        self.start(i, t)?;
                    }
                    Acquire::Queued(WaiterId(id)) => {
                        self.model_queue.push_back(id);
                        self.waiter_req.insert(id, i);
                        if let Some(c) = self.reqs[i].cancel_after {
                            self.at(t + c, Ev::Cancel(id));
                        }
                        self.pump(t)?;
                    }
                    Acquire::QueueFull => {
                        self.refused += 1;
                        let cap = self.limiter.config().max_queue;
                        prop_assert_eq!(self.model_queue.len(), cap);
                    }
                },
                Ev::Settle(i) => {
                    self.limiter.settle(now);
                    if let Some(p) = self.reqs[i].pause {
                        self.limiter.pause_until(now + p as f64);
                    }
                    self.pump(t)?;
                }
                Ev::Release(_) => {
                    self.limiter.release_unsent();
                    self.pump(t)?;
                }
                Ev::Cancel(id) => {
                    let waiting = self.model_queue.iter().position(|&w| w == id);
                    let was = self.limiter.cancel(WaiterId(id));
                    prop_assert_eq!(was, waiting.is_some());
                    if let Some(pos) = waiting {
                        self.model_queue.remove(pos);
                        self.cancelled += 1;
                    }
                    self.pump(t)?;
                }
                Ev::Wake => self.pump(t)?,
            }
            let s = self.limiter.state(now);
            prop_assert!(s.in_flight <= self.limit);
            prop_assert!(s.available + s.in_flight <= self.limit);
            prop_assert_eq!(s.queued, self.model_queue.len());
        }
        // Everything drained: nobody is left waiting forever, no token leaked.
        prop_assert!(self.model_queue.is_empty());
        let s = self.limiter.state(1e15);
        prop_assert_eq!((s.in_flight, s.available, s.queued), (0, self.limit, 0));
        prop_assert_eq!(self.grants + self.refused + self.cancelled, self.reqs.len());
        Ok(())
    }

    /// What the shell does after every event: grant, then arm the one timer.
    fn pump(&mut self, t: u64) -> Result<(), TestCaseError> {
        for WaiterId(id) in self.limiter.grant_ready(t as f64) {
            let expected = self.model_queue.pop_front();
            prop_assert_eq!(Some(id), expected, "grants out of FIFO order");
            self.granted_waiters.push(id);
            let i = self.waiter_req.get(&id).copied().unwrap_or(usize::MAX);
            prop_assert!(i < self.reqs.len());
            self.start(i, t)?;
        }
        if let Some(w) = self.limiter.next_wakeup(t as f64) {
            // Right after grant_ready nothing is grantable now: the wake-up is later.
            prop_assert!(w > t as f64, "wake-up {} not after {}", w, t);
            prop_assert!(w.fract() == 0.0);
            self.at(w as u64, Ev::Wake);
        }
        Ok(())
    }

    fn start(&mut self, i: usize, t: u64) -> Result<(), TestCaseError> {
        self.grants += 1;
        let r = &self.reqs[i];
        let in_flight = self.limiter.state(t as f64).in_flight;
        prop_assert!(in_flight <= self.limit);
        if r.unsent {
            self.at(t + r.latency, Ev::Release(i));
        } else {
            self.server_arrivals
                .push(t * 100 + r.latency * r.server_at_pct);
            self.at(t + r.latency, Ev::Settle(i));
        }
        Ok(())
    }
}

/// The largest number of instants in any half-open window `[x, x + width)`.
fn max_in_window(instants: &mut [u64], width: u64) -> usize {
    instants.sort_unstable();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..instants.len() {
        while instants[hi] - instants[lo] >= width {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// (1) The server never sees more than `limit` requests in a rolling window, wherever in
    /// `[grant, settle]` it counts them; (2) waiters are served in FIFO order and newcomers
    /// never overtake; (4) in flight never exceeds `limit`, the queue never exceeds
    /// `max_queue`, and everything drains.
    #[test]
    fn server_never_sees_more_than_limit_per_window(
        limit in 1u32..8,
        window in 1u64..1500,
        max_queue in prop_oneof![Just(0usize), 1usize..5, 5usize..200],
        reqs in prop::collection::vec(req(), 1..300),
    ) {
        let config = LimiterConfig { limit, window_ms: window as f64, max_queue };
        prop_assert!(config.validate().is_ok());
        let mut sim = Sim::new(config, &reqs);
        sim.run()?;
        let worst = max_in_window(&mut sim.server_arrivals, window * 100);
        prop_assert!(worst <= limit as usize, "{} in one window, limit {}", worst, limit);
        prop_assert!(sim.granted_waiters.windows(2).all(|w| w[0] < w[1]));
    }

    /// (3) Saturated with zero latency, a run of `k` windows uses the whole allowance.
    #[test]
    fn saturation_uses_the_allowance(
        limit in 1u32..50,
        window in 1u64..5000,
        k in 1u64..30,
        arrivals_spread in 0u64..3,
    ) {
        let n = (k as usize + 2) * limit as usize;
        let mut l = Limiter::new(LimiterConfig { limit, window_ms: window as f64, max_queue: n });
        let end = (k * window) as f64;
        let mut grants_before_end = 0u64;
        // Everybody arrives in the first `arrivals_spread` ms, in order (the client's clock,
        // `performance.now()`, never goes back): always more waiters than tokens.
        for i in 0..n {
            let t = (i as u64 * (arrivals_spread + 1) / n as u64) as f64;
            if l.acquire(t) == Acquire::Granted {
                grants_before_end += 1;
                l.settle(t);
            }
        }
        let mut now = arrivals_spread as f64;
        loop {
            let granted = l.grant_ready(now);
            for _ in &granted {
                l.settle(now);
            }
            if now < end {
                grants_before_end += granted.len() as u64;
            }
            match l.next_wakeup(now) {
                Some(w) if w < end + window as f64 => now = w,
                _ => break,
            }
        }
        let want = k * u64::from(limit) - u64::from(limit);
        prop_assert!(grants_before_end >= want, "{} grants in {} windows, limit {}", grants_before_end, k, limit);
        prop_assert!(grants_before_end <= k * u64::from(limit));
    }

    /// (4) Arbitrary calls in any order, with clocks that jump backwards, NaN and infinities:
    /// no panic, and the counters stay within their bounds.
    #[test]
    fn arbitrary_calls_never_panic(
        limit in 1u32..6,
        window in prop_oneof![Just(1e-9), 0.5f64..1e4, Just(1e300)],
        max_queue in 0usize..10,
        ops in prop::collection::vec((0u8..9, time(), 0u64..40), 0..400),
    ) {
        let mut l = Limiter::new(LimiterConfig { limit, window_ms: window, max_queue });
        for (op, t, id) in ops {
            match op {
                0 | 1 => { let _ = l.acquire(t); }
                2 => l.settle(t),
                3 => l.release_unsent(),
                4 => { let _ = l.cancel(WaiterId(id)); }
                5 => { let _ = l.grant_ready(t); }
                6 => {
                    if let Some(w) = l.next_wakeup(t) {
                        prop_assert!(!w.is_nan());
                    }
                }
                7 => l.pause_until(t),
                _ => {
                    let s = l.state(t);
                    prop_assert!(s.next_token_in_ms.map_or(true, |x| x >= 0.0));
                    prop_assert!(s.paused_for_ms.map_or(true, |x| x > 0.0));
                }
            }
            let s = l.state(f64::NAN);
            prop_assert!(s.in_flight <= limit);
            prop_assert!(s.available + s.in_flight <= limit);
            prop_assert!(s.queued <= max_queue);
        }
    }
}

fn time() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => -1e4f64..1e6,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(1.7e12),
    ]
}
