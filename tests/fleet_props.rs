//! Property tests for a budget shared through a store: several [`Fleet`] clients and one
//! [`Ledger`], simulated against a strict server with random latencies.
//!
//! Each client asks the store when its requests wait; the store's answers and the
//! settles travel with random delays; the server counts each request at a random instant
//! between its grant and its response. Checked:
//!
//! * with the store up, no rolling window on the server ever holds more than `limit`,
//!   whatever the number of clients, and every request is eventually sent;
//! * with the store down for a while, and maybe losing all its data once (a restart), every
//!   request is still sent (no hang), each client's fallback grants never exceed its share
//!   `limit / fleet_size` in any window, and once everyone is done and every window has
//!   passed the store holds nothing.
#![cfg(not(target_arch = "wasm32"))]

use conveyor_client::lease::{Admit, Fleet, FleetConfig, Source, StoreReply};
use conveyor_client::ledger::{self, AcquireRequest, Ledger};
use conveyor_client::limiter::WaiterId;
use proptest::prelude::*;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

const HOLD: u64 = 5_000;

#[derive(Debug, Clone)]
struct Req {
    client: usize,
    at: u64,
    /// Grant to response.
    latency: u64,
    /// Where in `[send, response]` the server counts it, in percent.
    server_at_pct: u64,
    /// Granted but dropped before sending.
    unsent: bool,
}

#[derive(Debug, Clone)]
struct Case {
    limit: u32,
    window: u64,
    clients: usize,
    lease: u32,
    /// One-way delay to and from the store.
    store_delay: u64,
    /// Up to this much more on each message to or from the store, drawn per message (so a
    /// settle may overtake an acquire, and one reply may come much later than the next).
    jitter: u64,
    /// Seeds the per-message jitter.
    seed: u64,
    /// The store fails every call in `[from, to)`.
    outage: Option<(u64, u64)>,
    /// The store loses all its data at this instant (a Redis restart).
    restart: Option<u64>,
    reqs: Vec<Req>,
}

fn case(with_outage: bool) -> impl Strategy<Value = Case> {
    let store_delay = prop_oneof![Just(0u64), 0u64..30];
    (1u32..12, 50u64..600, 1usize..5, 1u32..6, store_delay).prop_flat_map(
        move |(limit, window, clients, lease, store_delay)| {
            // Bursts, zero latencies and the server counting at either end are where an
            // off-by-one in the window shows.
            let at = prop_oneof![Just(0u64), 0..window * 4];
            let latency = prop_oneof![Just(0u64), 0..window];
            let pct = prop_oneof![Just(0u64), Just(100u64), 0u64..=100];
            let req = (0..clients, at, latency, pct, prop::bool::weighted(0.05)).prop_map(
                |(client, at, latency, server_at_pct, unsent)| Req {
                    client,
                    at,
                    latency,
                    server_at_pct,
                    unsent,
                },
            );
            let outage = if with_outage {
                (
                    0..window * 3,
                    1..window * 2,
                    prop::option::of(0..window * 5),
                )
                    .prop_map(|(from, len, restart)| (Some((from, from + len)), restart))
                    .boxed()
            } else {
                Just((None, None)).boxed()
            };
            (prop::collection::vec(req, 0..80), outage).prop_map(
                move |(reqs, (outage, restart))| Case {
                    limit,
                    window,
                    clients,
                    lease,
                    store_delay,
                    jitter: 0,
                    seed: 0,
                    outage,
                    restart,
                    reqs,
                },
            )
        },
    )
}

#[derive(Debug, Clone)]
enum Ev {
    /// A request reaches its client.
    Arrive(usize),
    /// The store answers client `c`'s acquire (computed when it reached the store).
    Reply(usize, Result<ledger::Grant, ()>),
    /// A settle or release reaches the store (`None` window: release).
    StoreGiveBack(Vec<String>, Option<f64>),
    /// A client's settle to the store failed.
    SettleFailed(usize, usize),
    /// A request's response arrives at its client.
    Respond(usize, Source),
    /// A granted request is dropped unsent.
    Drop(usize, Source),
    /// A client's timer.
    Wake(usize),
    /// The store loses its data.
    Restart,
}

struct Sim {
    case: Case,
    fleets: Vec<Fleet>,
    ledger: Ledger,
    events: BinaryHeap<Reverse<(u64, u64, usize)>>,
    payloads: Vec<Option<Ev>>,
    seq: u64,
    waiting: HashMap<(usize, WaiterId), usize>,
    /// (client, server instant, granted from the fallback share)
    arrivals: Vec<(usize, u64, bool)>,
    sent: usize,
    dropped: usize,
    /// When the last request was sent (or dropped).
    last_send: u64,
    /// The jitter generator's state.
    rng: u64,
    /// Settles sent so far, and the one (by that count) that never reaches the store
    /// without the client knowing: what workerd does to a settle a finished request left.
    settles: usize,
    lose_settle: Option<usize>,
}

impl Sim {
    fn new(case: Case) -> Sim {
        let fleets = (0..case.clients)
            .map(|_| {
                Fleet::new(FleetConfig {
                    limit: case.limit,
                    window_ms: case.window as f64,
                    max_queue: 10_000,
                    fleet_size: case.clients as u32,
                    lease: case.lease,
                    hold_ms: HOLD as f64,
                    probe_ms: (case.window / 4).max(1) as f64,
                    ask_deadline_ms: 1e9,
                })
            })
            .collect();
        let mut sim = Sim {
            case,
            fleets,
            ledger: Ledger::new("0"),
            events: BinaryHeap::new(),
            payloads: Vec::new(),
            seq: 0,
            waiting: HashMap::new(),
            arrivals: Vec::new(),
            sent: 0,
            dropped: 0,
            last_send: 0,
            rng: 0,
            settles: 0,
            lose_settle: None,
        };
        sim.rng = sim.case.seed | 1;
        for i in 0..sim.case.reqs.len() {
            let at = sim.case.reqs[i].at;
            sim.push(at, Ev::Arrive(i));
        }
        if let Some(at) = sim.case.restart {
            sim.push(at, Ev::Restart);
        }
        sim
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.payloads.push(Some(ev));
        self.events
            .push(Reverse((at, self.seq, self.payloads.len() - 1)));
    }

    /// One message's trip to or from the store.
    fn trip(&mut self) -> u64 {
        // xorshift64: cheap, deterministic, good enough to spread delays.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.case.store_delay + self.rng % (self.case.jitter + 1)
    }

    fn store_up(&self, t: u64) -> bool {
        self.case
            .outage
            .map_or(true, |(from, to)| t < from || t >= to)
    }

    fn run(&mut self) {
        let mut steps = 0;
        while let Some(Reverse((now, _, idx))) = self.events.pop() {
            steps += 1;
            assert!(steps < 200_000, "the simulation does not settle");
            let Some(ev) = self.payloads[idx].take() else {
                continue;
            };
            let t = now as f64;
            let touched = match ev {
                Ev::Arrive(i) => {
                    let c = self.case.reqs[i].client;
                    match self.fleets[c].acquire(t) {
                        Admit::Granted(src) => self.send(now, i, src),
                        Admit::Queued(id) => {
                            self.waiting.insert((c, id), i);
                        }
                        Admit::QueueFull => panic!("queue is large enough"),
                    }
                    c
                }
                Ev::Reply(c, Ok(g)) => {
                    let reply = StoreReply {
                        occupied: Some(g.occupied as u32),
                        tokens: g.tokens,
                        retry_in_ms: g.retry_in_ms,
                        epoch: Some(g.epoch),
                    };
                    let out = self.fleets[c].on_reply(t, reply);
                    self.apply(now, c, out.granted, out.release);
                    c
                }
                Ev::Reply(c, Err(())) => {
                    let out = self.fleets[c].on_failure(t);
                    self.apply(now, c, out.granted, out.release);
                    c
                }
                Ev::StoreGiveBack(tokens, window) => {
                    let ids = tokens.iter().map(String::as_str);
                    match window {
                        Some(w) => self.ledger.settle(t, ids, w),
                        None => self.ledger.release(t, ids),
                    }
                    continue;
                }
                Ev::SettleFailed(c, n) => {
                    let out = self.fleets[c].on_settle_failure(t, n);
                    self.apply(now, c, out.granted, out.release);
                    c
                }
                Ev::Respond(c, src) => {
                    if let Some(token) = self.fleets[c].settle(t, src) {
                        self.give_back(now, c, vec![token], Some(self.case.window as f64));
                    }
                    c
                }
                Ev::Drop(c, src) => {
                    if let Some(token) = self.fleets[c].release(src) {
                        self.give_back(now, c, vec![token], None);
                    }
                    c
                }
                Ev::Wake(c) => c,
                Ev::Restart => {
                    self.ledger = Ledger::new("1");
                    continue;
                }
            };
            self.pump(now, touched);
        }
    }

    /// What the shell does after every event: local grants, an acquire if due, a timer.
    fn pump(&mut self, now: u64, c: usize) {
        let t = now as f64;
        let granted = self.fleets[c].grant_ready(t);
        self.apply(now, c, granted, Vec::new());
        if let Some(ask) = self.fleets[c].ask(t) {
            let at_store = now + self.trip();
            let reply = if self.store_up(at_store) {
                let g = self.ledger.acquire(
                    at_store as f64,
                    &AcquireRequest {
                        want: ask.want,
                        limit: self.case.limit,
                        window_ms: self.case.window as f64,
                        hold_ms: HOLD as f64,
                        carry: ask.carry,
                    },
                );
                Ok(g)
            } else {
                Err(())
            };
            let back = self.trip();
            self.push(at_store + back, Ev::Reply(c, reply));
        }
        if let Some(at) = self.fleets[c].next_wakeup(t) {
            let at = at.ceil().max(t + 1.0) as u64;
            self.push(at, Ev::Wake(c));
        }
    }

    fn apply(
        &mut self,
        now: u64,
        c: usize,
        granted: Vec<(WaiterId, Source)>,
        release: Vec<String>,
    ) {
        for (id, src) in granted {
            let i = self
                .waiting
                .remove(&(c, id))
                .expect("a granted waiter is known");
            self.send(now, i, src);
        }
        if !release.is_empty() {
            self.give_back(now, c, release, None);
        }
    }

    fn give_back(&mut self, now: u64, c: usize, tokens: Vec<String>, window: Option<f64>) {
        if window.is_some() {
            self.settles += 1;
            if self.lose_settle == Some(self.settles) {
                return;
            }
        }
        let at_store = now + self.trip();
        if self.store_up(at_store) {
            self.push(at_store, Ev::StoreGiveBack(tokens, window));
        } else if window.is_some() {
            let back = self.trip();
            self.push(at_store + back, Ev::SettleFailed(c, tokens.len()));
        }
    }

    fn send(&mut self, now: u64, i: usize, src: Source) {
        let r = self.case.reqs[i].clone();
        self.last_send = self.last_send.max(now);
        if r.unsent {
            self.dropped += 1;
            self.push(now + r.latency, Ev::Drop(r.client, src));
            return;
        }
        self.sent += 1;
        let local = matches!(src, Source::Share(_));
        let server_at = now + r.latency * r.server_at_pct / 100;
        self.arrivals.push((r.client, server_at, local));
        self.push(now + r.latency, Ev::Respond(r.client, src));
    }
}

/// A generous bound on when the last request can be sent if nobody stalls: every request
/// served one after another, each taking a full cycle of store trips, latency and window.
fn deadline(case: &Case) -> u64 {
    let last = case.reqs.iter().map(|r| r.at).max().unwrap_or(0);
    let cycle = 2 * case.window + 4 * (case.store_delay + case.jitter) + HOLD / 100 + 10;
    // After an outage, requests that were in flight on the fallback share are carried as
    // occupying the store until their hold ends: the price of never under-counting them.
    let outage = case.outage.map_or(0, |(from, to)| {
        to.saturating_sub(from) + HOLD + 2 * case.window
    });
    // A restart costs a window on the share, then the same carry.
    let restart = case.restart.map_or(0, |_| HOLD + 3 * case.window);
    last + outage + restart + (case.reqs.len() as u64 + 1) * cycle
}

/// A fleet with a backlog from the start: `windows` windows' worth of requests at instant 0,
/// spread over the clients, each answered within a tenth of a window, and store trips of up
/// to a fortieth of a window each way (jitter included). Nothing fails.
fn saturated() -> impl Strategy<Value = Case> {
    (2u32..12, 200u64..1000, 1usize..5, 1u32..20, 2usize..5).prop_flat_map(
        |(limit, window, clients, lease, windows)| {
            let n = limit as usize * windows;
            let req = (
                0..clients,
                0..=window / 10,
                0u64..=100,
                prop::bool::weighted(0.05),
            )
                .prop_map(|(client, latency, server_at_pct, unsent)| Req {
                    client,
                    at: 0,
                    latency,
                    server_at_pct,
                    unsent,
                });
            (
                prop::collection::vec(req, n),
                0..=window / 200,
                0..=window / 200,
                any::<u64>(),
            )
                .prop_map(move |(reqs, store_delay, jitter, seed)| Case {
                    limit,
                    window,
                    clients,
                    lease,
                    store_delay,
                    jitter,
                    seed,
                    outage: None,
                    restart: None,
                    reqs,
                })
        },
    )
}

/// When the last request of a [`saturated`] case may be sent at the latest: each window's
/// worth goes out once the previous one's tokens came back, a window after their settles,
/// plus what the round trips cost (a response, a settle's trip, then as many asks as the
/// lease needs for a window's worth, each a trip there and back, and each timer's
/// rounding). Well under a window: a lost window shows as a whole window over.
fn saturated_bound(case: &Case) -> u64 {
    let trip = case.store_delay + case.jitter;
    let latency = case.reqs.iter().map(|r| r.latency).max().unwrap_or(0);
    let windows = (case.reqs.len() as u64).div_ceil(u64::from(case.limit));
    let asks = u64::from(case.limit.div_ceil(case.lease.max(1)));
    let first = asks * (2 * trip + 2);
    first + (windows - 1) * (case.window + latency + trip + (asks + 1) * (2 * trip + 2) + 2)
}

/// The most arrivals any half-open window `[t, t + w)` holds.
fn busiest_window(mut times: Vec<u64>, w: u64) -> usize {
    times.sort_unstable();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi] >= times[lo] + w {
            lo += 1;
        }
        best = best.max(hi + 1 - lo);
    }
    best
}

/// One settle that never reaches the store, with no error for the client to see, leaves its
/// token in flight at the store until its hold ends: every other client has one token fewer
/// meanwhile, and a saturated fleet's last requests slip by a whole window. This is what a
/// Worker request that returned before its last settle went out cost the Durable Object
/// fleet; the store function keeps the request alive for it (`waitUntil`). Nothing in the
/// client can reclaim the token sooner without risking an overrun: only its settle says
/// the request is done.
#[test]
fn a_lost_settle_costs_a_saturated_fleet_a_whole_window() {
    let case = |lose: Option<usize>| {
        let reqs = (0..16)
            .map(|i| Req {
                client: i % 2,
                at: 0,
                latency: 10,
                server_at_pct: 50,
                unsent: false,
            })
            .collect();
        let case = Case {
            limit: 4,
            window: 1000,
            clients: 2,
            lease: 4,
            store_delay: 2,
            jitter: 0,
            seed: 0,
            outage: None,
            restart: None,
            reqs,
        };
        let bound = saturated_bound(&case);
        let mut sim = Sim::new(case);
        sim.lose_settle = lose;
        sim.run();
        assert_eq!(sim.sent, 16);
        (sim.last_send, bound)
    };
    let (last, bound) = case(None);
    assert!(last <= bound, "without a loss: {last} <= {bound}");
    // The fifth settle: a token of the first window, needed in each window after it.
    let (last, bound) = case(Some(5));
    assert!(
        last >= bound + 900,
        "one lost settle: the last request at {last}, a window past {bound}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn with_the_store_up_no_window_overruns_and_everyone_is_served(case in case(false)) {
        let (limit, window, n, deadline) = (case.limit, case.window, case.reqs.len(), deadline(&case));
        let mut sim = Sim::new(case);
        sim.run();
        prop_assert_eq!(sim.sent + sim.dropped, n, "every request was served");
        prop_assert!(sim.last_send <= deadline, "served late: {} > {}", sim.last_send, deadline);
        let times = sim.arrivals.iter().map(|a| a.1).collect();
        prop_assert!(busiest_window(times, window) <= limit as usize);
        prop_assert!(sim.arrivals.iter().all(|a| !a.2), "no fallback without a failure");
    }

    #[test]
    fn a_saturated_fleet_loses_no_window(case in saturated()) {
        let (limit, window, n, bound) = (case.limit, case.window, case.reqs.len(), saturated_bound(&case));
        let mut sim = Sim::new(case);
        sim.run();
        prop_assert_eq!(sim.sent + sim.dropped, n, "every request was sent");
        let times = sim.arrivals.iter().map(|a| a.1).collect();
        prop_assert!(busiest_window(times, window) <= limit as usize);
        prop_assert!(sim.last_send <= bound, "the last request went at {} > {}", sim.last_send, bound);
    }

    #[test]
    fn through_an_outage_or_a_restart_nobody_hangs_and_each_share_holds(case in case(true)) {
        let (limit, window, n, clients) = (case.limit, case.window, case.reqs.len(), case.clients);
        let share = (limit / clients as u32).max(1) as usize;
        let deadline = deadline(&case);
        let mut sim = Sim::new(case);
        sim.run();
        prop_assert_eq!(sim.sent + sim.dropped, n, "every request was served");
        prop_assert!(sim.last_send <= deadline, "served late: {} > {}", sim.last_send, deadline);
        for c in 0..clients {
            let local: Vec<u64> = sim.arrivals.iter().filter(|a| a.0 == c && a.2).map(|a| a.1).collect();
            prop_assert!(busiest_window(local, window) <= share);
        }
        // Nothing leaks: once every entry's window has passed, the store is empty.
        let mut ledger = sim.ledger.clone();
        let end = sim.last_send.max(sim.case.restart.unwrap_or(0)) + HOLD + 3 * window + 100;
        ledger.advance_to(end as f64);
        prop_assert_eq!(ledger.occupied(), 0);
    }
}
