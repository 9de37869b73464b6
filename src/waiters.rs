//! The queued requests on the shell's side: for each waiter, the waker of its task until
//! its grant arrives, then the grant until the task picks it up.
//!
//! One record per waiter in a [`Ring`] by id (the same tombstone ring as the limiter's
//! queue: found by binary search, memory proportional to who still waits), and nothing
//! else: no channel, no closure, no allocation of its own.

use crate::bucket::Grant;
use crate::limiter::WaiterId;
use crate::wait_queue::Ring;
use std::task::Waker;

/// One waiter's record.
enum Slot {
    /// Waiting, with the waker of its task once it has been polled (never in workerd,
    /// where a waiter is resumed only by its own timer).
    Waiting(Option<Waker>),
    /// Granted, and not yet picked up by its task.
    Granted(Grant),
}

/// What a waiter finds when it looks at its record.
pub(crate) enum Look {
    /// Its token: it leaves the queue with it.
    Granted(Grant),
    /// Still waiting.
    Waiting,
    /// It has no record (never joined, or already left).
    Gone,
}

/// The waiters' records, by ascending id.
#[derive(Default)]
pub(crate) struct Waiters {
    ring: Ring<Slot>,
}

impl Waiters {
    /// Whether nobody waits (or holds a grant not yet picked up).
    pub(crate) fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// A waiter joins, with an id greater than every id before it.
    pub(crate) fn join(&mut self, id: WaiterId) {
        self.ring.push(id, Slot::Waiting(None));
    }

    /// Hands `grant` to waiter `id` and wakes its task; gives the grant back when the
    /// waiter has no record (it left first).
    pub(crate) fn grant(&mut self, id: WaiterId, grant: Grant) -> Result<(), Grant> {
        match self.ring.get_mut(id) {
            Some(slot @ Slot::Waiting(_)) => {
                if let Slot::Waiting(Some(waker)) = std::mem::replace(slot, Slot::Granted(grant)) {
                    waker.wake();
                }
                Ok(())
            }
            // Gone, or granted already: the token goes back.
            _ => Err(grant),
        }
    }

    /// Waiter `id` looks for its grant, leaving `waker` to be woken by it if it has none.
    pub(crate) fn look(&mut self, id: WaiterId, waker: Option<&Waker>) -> Look {
        match self.ring.get_mut(id) {
            None => Look::Gone,
            Some(Slot::Waiting(held)) => {
                if let Some(waker) = waker {
                    if !held.as_ref().is_some_and(|h| h.will_wake(waker)) {
                        *held = Some(waker.clone());
                    }
                }
                Look::Waiting
            }
            Some(Slot::Granted(_)) => match self.leave(id) {
                Some(grant) => Look::Granted(grant),
                None => Look::Gone,
            },
        }
    }

    /// Waiter `id` leaves; returns its grant if it had one.
    pub(crate) fn leave(&mut self, id: WaiterId) -> Option<Grant> {
        match self.ring.remove(id)? {
            Slot::Granted(grant) => Some(grant),
            Slot::Waiting(_) => None,
        }
    }

    /// Records held, tombstones included (for tests of the ring's memory).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.ring.held()
    }

    /// Records that are not tombstones.
    #[cfg(test)]
    fn live(&self) -> usize {
        self.ring.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(feature = "stores")]
    use crate::lease::Source;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counting() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (Arc::clone(&c), Waker::from(c))
    }

    #[cfg(feature = "stores")]
    #[test]
    fn a_grant_wakes_its_waiter_once_and_waits_to_be_picked_up() {
        let mut w = Waiters::default();
        w.join(WaiterId(1));
        w.join(WaiterId(2));
        let (count, waker) = counting();
        assert!(matches!(w.look(WaiterId(2), Some(&waker)), Look::Waiting));
        assert!(matches!(w.look(WaiterId(2), Some(&waker)), Look::Waiting));
        let grant = Grant::Shared(Source::Store("t-1".into()));
        assert!(w.grant(WaiterId(2), grant.clone()).is_ok());
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert_eq!(w.grant(WaiterId(2), Grant::InMemory), Err(Grant::InMemory));
        assert!(matches!(w.look(WaiterId(2), None), Look::Granted(g) if g == grant));
        assert!(
            matches!(w.look(WaiterId(2), None), Look::Gone),
            "picked up once"
        );
        assert!(!w.is_empty(), "1 still waits");
    }

    #[test]
    fn a_waiter_seen_without_a_waker_is_not_woken() {
        // workerd: the waiter only looks; its own timer resumes it.
        let mut w = Waiters::default();
        w.join(WaiterId(7));
        assert!(matches!(w.look(WaiterId(7), None), Look::Waiting));
        assert!(w.grant(WaiterId(7), Grant::InMemory).is_ok());
        assert!(matches!(
            w.look(WaiterId(7), None),
            Look::Granted(Grant::InMemory)
        ));
        assert!(w.is_empty());
    }

    #[test]
    fn leaving_hands_back_a_grant_not_picked_up() {
        let mut w = Waiters::default();
        w.join(WaiterId(1));
        w.join(WaiterId(2));
        assert!(w.grant(WaiterId(1), Grant::InMemory).is_ok());
        assert_eq!(w.leave(WaiterId(1)), Some(Grant::InMemory));
        assert_eq!(w.leave(WaiterId(2)), None);
        assert_eq!(w.leave(WaiterId(2)), None, "twice");
        assert_eq!(w.grant(WaiterId(2), Grant::InMemory), Err(Grant::InMemory));
        assert!(w.is_empty());
        assert_eq!(w.held(), 0);
    }

    #[test]
    fn memory_follows_the_living() {
        let mut w = Waiters::default();
        for i in 0..10_000 {
            w.join(WaiterId(i));
        }
        // Everyone but the first and the last leaves, in an order that never trims.
        for i in (1..9_999).rev() {
            assert_eq!(w.leave(WaiterId(i)), None);
            assert!(
                w.held() <= 2 * w.live() + 65,
                "{} held for {}",
                w.held(),
                w.live()
            );
        }
        assert!(w.held() <= 66);
        assert!(w.grant(WaiterId(9_999), Grant::InMemory).is_ok());
        assert!(matches!(w.look(WaiterId(0), None), Look::Waiting));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Join,
        Grant(u64),
        Look(u64, bool),
        Leave(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => Just(Op::Join),
            2 => (0u64..80).prop_map(Op::Grant),
            2 => (0u64..80, any::<bool>()).prop_map(|(i, w)| Op::Look(i, w)),
            1 => (0u64..80).prop_map(Op::Leave),
        ]
    }

    /// A waiter's record in the model: waiting (whether it left a waker), or granted.
    #[derive(Debug, Clone, PartialEq)]
    enum Model {
        Waiting { registered: bool },
        Granted,
    }

    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Every grant ends exactly once: picked up by its waiter, handed back by `leave`,
        /// or refused by `grant` (no waiter); a waiter is woken only when it left a waker,
        /// and the ring's memory follows the living.
        #[test]
        fn every_grant_ends_exactly_once(ops in proptest::collection::vec(op(), 0..400)) {
            let mut w = Waiters::default();
            let mut model: BTreeMap<u64, Model> = BTreeMap::new();
            let mut next = 0u64;
            let (count, waker) = counting();
            let mut wakes_expected = 0;
            for op in ops {
                match op {
                    Op::Join => {
                        w.join(WaiterId(next));
                        model.insert(next, Model::Waiting { registered: false });
                        next += 1;
                    }
                    Op::Grant(i) => {
                        let got = w.grant(WaiterId(i), Grant::InMemory);
                        match model.get(&i).cloned() {
                            Some(Model::Waiting { registered }) => {
                                prop_assert!(got.is_ok());
                                if registered {
                                    wakes_expected += 1;
                                }
                                model.insert(i, Model::Granted);
                            }
                            _ => prop_assert_eq!(got, Err(Grant::InMemory)),
                        }
                    }
                    Op::Look(i, with_waker) => {
                        let got = w.look(WaiterId(i), with_waker.then_some(&waker));
                        match model.get(&i).cloned() {
                            Some(Model::Waiting { registered }) => {
                                prop_assert!(matches!(got, Look::Waiting));
                                model.insert(i, Model::Waiting { registered: registered || with_waker });
                            }
                            Some(Model::Granted) => {
                                prop_assert!(matches!(got, Look::Granted(Grant::InMemory)));
                                model.remove(&i);
                            }
                            None => prop_assert!(matches!(got, Look::Gone)),
                        }
                    }
                    Op::Leave(i) => {
                        let got = w.leave(WaiterId(i));
                        let had = model.remove(&i);
                        prop_assert_eq!(got.is_some(), had == Some(Model::Granted));
                    }
                }
                prop_assert_eq!(count.0.load(Ordering::SeqCst), wakes_expected);
                prop_assert_eq!(w.live(), model.len());
                prop_assert_eq!(w.is_empty(), model.is_empty());
                prop_assert!(w.held() <= 2 * model.len() + 65, "{} held for {}", w.held(), model.len());
            }
        }
    }
}
