//! A key's rate-limit bucket as the shell sees it: the realm's in-memory
//! [`Limiter`](crate::limiter::Limiter), or a [`Fleet`](crate::lease::Fleet) sharing a
//! store's budget with other processes. This is the one place that tells the two apart;
//! the scheduler and the store tasks ask it, whichever it is.

#[cfg(feature = "stores")]
use crate::lease::{Admit, Ask, Fleet, Source};
use crate::limiter::{Acquire, Limiter, LimiterState, WaiterId};
use crate::scheduler::Plan;
#[cfg(feature = "stores")]
use crate::store::StoreLink;
use crate::waiters::Waiters;
use alloc::string::String;
#[cfg(feature = "stores")]
use alloc::{boxed::Box, vec::Vec};

/// Where the tokens of one key and base URL come from.
pub(crate) enum Bucket {
    /// The realm's in-memory bucket (no store).
    InMemory(Limiter),
    /// A budget shared through a store with other processes or isolates.
    #[cfg(feature = "stores")]
    Shared(Box<StoreSide>),
}

/// The fleet's bookkeeping, the link to the store, and what waits to be sent to it.
#[cfg(feature = "stores")]
pub(crate) struct StoreSide {
    pub fleet: Fleet,
    pub link: StoreLink,
    /// Store tokens whose requests got their response: settle them.
    pub to_settle: Vec<String>,
    /// Store tokens nobody used: release them.
    pub to_release: Vec<String>,
    /// Whether a flush of the two lists is already scheduled.
    pub flushing: bool,
}

/// Where a request's token came from, so it goes back to the same place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Grant {
    /// The realm's in-memory bucket.
    InMemory,
    /// A shared budget: a token leased from the store, or one from this client's fallback
    /// share while the store is unreachable ([`Source`] says which).
    #[cfg(feature = "stores")]
    Shared(Source),
}

/// What a request asking for a token gets at once.
pub(crate) enum Admitted {
    /// A token now.
    Now(Grant),
    /// It waits under this id.
    Queued(WaiterId),
    /// The queue is full.
    QueueFull,
}

impl Bucket {
    /// A bucket for `plan`; with a store, checks it and starts hashing the bucket's name.
    #[cfg_attr(not(feature = "stores"), allow(unused_variables))]
    pub(crate) fn new(plan: Plan, key: &str, base_url: &str) -> Result<Bucket, String> {
        Ok(match plan {
            Plan::Local(config) => Bucket::InMemory(Limiter::new(config)),
            #[cfg(feature = "stores")]
            Plan::Store {
                config,
                store,
                timeout_ms,
                on_event,
            } => Bucket::Shared(Box::new(StoreSide {
                fleet: Fleet::new(config),
                link: StoreLink::new(&store, key, base_url, timeout_ms, on_event)?,
                to_settle: Vec::new(),
                to_release: Vec::new(),
                flushing: false,
            })),
        })
    }

    /// The store side, when the budget is shared.
    #[cfg(feature = "stores")]
    pub(crate) fn store(&mut self) -> Option<&mut StoreSide> {
        match self {
            Bucket::InMemory(_) => None,
            Bucket::Shared(s) => Some(s),
        }
    }

    /// Whether the budget is shared through a store.
    pub(crate) fn is_shared(&self) -> bool {
        #[cfg(feature = "stores")]
        return matches!(self, Bucket::Shared(_));
        #[cfg(not(feature = "stores"))]
        false
    }

    /// `(limit, windowMs)`.
    pub(crate) fn limit_and_window(&self) -> (u32, f64) {
        match self {
            Bucket::InMemory(l) => (l.config().limit, l.config().window_ms),
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => (s.fleet.config().limit, s.fleet.config().window_ms),
        }
    }

    /// Whether a client asking for `plan` may share this bucket: both in memory, or both
    /// on the very same store object.
    pub(crate) fn serves(&self, plan: &Plan) -> bool {
        match (self, plan) {
            (Bucket::InMemory(_), Plan::Local(_)) => true,
            #[cfg(feature = "stores")]
            (Bucket::Shared(s), Plan::Store { store, .. }) => s.link.is_store(store),
            #[cfg(feature = "stores")]
            _ => false,
        }
    }

    /// A snapshot for `rateLimitState()`, and whether the store has failed over to the
    /// fallback share (`None` without a store).
    pub(crate) fn state(&mut self, now: f64) -> (LimiterState, Option<bool>) {
        match self {
            Bucket::InMemory(l) => (l.state(now), None),
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => (s.fleet.state(now), Some(s.fleet.in_fallback())),
        }
    }

    /// Blocks every grant until `until_ms` (the server said 429).
    pub(crate) fn pause_until(&mut self, until_ms: f64) {
        match self {
            Bucket::InMemory(l) => l.pause_until(until_ms),
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => s.fleet.pause_until(until_ms),
        }
    }

    /// A request asks for a token at `now`.
    pub(crate) fn admit(&mut self, now: f64) -> Admitted {
        match self {
            Bucket::InMemory(l) => match l.acquire(now) {
                Acquire::Granted => Admitted::Now(Grant::InMemory),
                Acquire::Queued(id) => Admitted::Queued(id),
                Acquire::QueueFull => Admitted::QueueFull,
            },
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => match s.fleet.acquire(now) {
                Admit::Granted(source) => Admitted::Now(Grant::Shared(source)),
                Admit::Queued(id) => Admitted::Queued(id),
                Admit::QueueFull => Admitted::QueueFull,
            },
        }
    }

    /// Takes a waiter out of the queue; `false` if it was no longer there.
    pub(crate) fn cancel(&mut self, id: WaiterId) -> bool {
        match self {
            Bucket::InMemory(l) => l.cancel(id),
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => s.fleet.cancel(id),
        }
    }

    /// Hands a token to every waiter that can have one at `now`, in FIFO order. A token
    /// for a waiter that already left (never in practice: leaving cancels) comes straight
    /// back; a store token goes to the release list, sent with the next flush.
    pub(crate) fn grant_ready(&mut self, now: f64, waiters: &mut Waiters) {
        match self {
            Bucket::InMemory(l) => {
                for id in l.grant_ready(now) {
                    if waiters.grant(id, Grant::InMemory).is_err() {
                        l.release_unsent();
                    }
                }
            }
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => {
                for (id, source) in s.fleet.grant_ready(now) {
                    if let Err(Grant::Shared(source)) = waiters.grant(id, Grant::Shared(source)) {
                        if let Some(token) = s.fleet.release(source) {
                            s.to_release.push(token);
                        }
                    }
                }
            }
        }
    }

    /// What to ask the store for now, if an ask is due.
    #[cfg(feature = "stores")]
    pub(crate) fn ask(&mut self, now: f64) -> Option<Ask> {
        self.store()?.fleet.ask(now)
    }

    /// The request holding `grant` got its response at `now`. Returns the store token to
    /// settle, if any.
    pub(crate) fn settle(&mut self, now: f64, grant: Grant) -> Option<String> {
        match (self, grant) {
            (Bucket::InMemory(l), _) => {
                l.settle(now);
                None
            }
            #[cfg(feature = "stores")]
            (Bucket::Shared(s), Grant::Shared(source)) => s.fleet.settle(now, source),
            #[cfg(feature = "stores")]
            (Bucket::Shared(_), Grant::InMemory) => None,
        }
    }

    /// `grant` was never used (its request was not sent). Returns the store token to
    /// release, if any.
    pub(crate) fn give_back_unsent(&mut self, grant: Grant) -> Option<String> {
        match (self, grant) {
            (Bucket::InMemory(l), _) => {
                l.release_unsent();
                None
            }
            #[cfg(feature = "stores")]
            (Bucket::Shared(s), Grant::Shared(source)) => s.fleet.release(source),
            #[cfg(feature = "stores")]
            (Bucket::Shared(_), Grant::InMemory) => None,
        }
    }

    /// When the next decision is due (a token returns, the store can be asked again), if
    /// anyone waits in the bucket's queue.
    pub(crate) fn next_wakeup(&self, now: f64) -> Option<f64> {
        match self {
            Bucket::InMemory(l) => l.next_wakeup(now),
            #[cfg(feature = "stores")]
            Bucket::Shared(s) => s.fleet.next_wakeup(now),
        }
    }

    /// The rolling window, in ms.
    pub(crate) fn window_ms(&self) -> f64 {
        self.limit_and_window().1
    }
}
