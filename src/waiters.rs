//! The queued requests on the shell's side: for each waiter, the number of the wait that
//! its grant wakes, then the grant until the waiter picks it up.
//!
//! One record per waiter in a [`Ring`] by id (the same tombstone ring as the limiter's
//! queue: found by binary search, memory proportional to who still waits), and the waits
//! to wake, which the scheduler hands to the snippet once the grants are made: no channel,
//! no closure, no waker.

use crate::bucket::Grant;
use crate::limiter::WaiterId;
use crate::wait_queue::Ring;
use alloc::vec::Vec;

/// One waiter's record.
enum Slot {
    /// Waiting, with the wait its grant wakes (`None` in workerd, where a waiter is
    /// resumed only by its own timer).
    Waiting(Option<u32>),
    /// Granted, and not yet picked up.
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
    /// Waits whose waiter was granted, to wake once nothing is borrowed.
    woken: Vec<u32>,
}

impl Waiters {
    /// Whether nobody waits (or holds a grant not yet picked up).
    pub(crate) fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// A waiter joins, with an id greater than every id before it, and the wait its grant
    /// wakes.
    pub(crate) fn join(&mut self, id: WaiterId, wake: Option<u32>) {
        self.ring.push(id, Slot::Waiting(wake));
    }

    /// Waiter `id` waits again, on wait `wake`; when its grant is already there, that wait
    /// is woken at once.
    pub(crate) fn wait_again(&mut self, id: WaiterId, wake: Option<u32>) {
        match self.ring.get_mut(id) {
            Some(Slot::Waiting(held)) => *held = wake,
            Some(Slot::Granted(_)) => self.woken.extend(wake),
            None => {}
        }
    }

    /// Hands `grant` to waiter `id` and marks its wait to be woken; gives the grant back
    /// when the waiter has no record (it left first).
    pub(crate) fn grant(&mut self, id: WaiterId, grant: Grant) -> Result<(), Grant> {
        match self.ring.get_mut(id) {
            Some(slot @ Slot::Waiting(_)) => {
                if let Slot::Waiting(Some(wake)) = core::mem::replace(slot, Slot::Granted(grant)) {
                    self.woken.push(wake);
                }
                Ok(())
            }
            // Gone, or granted already: the token goes back.
            _ => Err(grant),
        }
    }

    /// The waits to wake, granted since the last call.
    pub(crate) fn woken(&mut self) -> alloc::vec::Drain<'_, u32> {
        self.woken.drain(..)
    }

    #[cfg(test)]
    fn take_woken(&mut self) -> Vec<u32> {
        self.woken().collect()
    }

    /// Waiter `id` looks for its grant.
    pub(crate) fn look(&mut self, id: WaiterId) -> Look {
        match self.ring.get_mut(id) {
            None => Look::Gone,
            Some(Slot::Waiting(_)) => Look::Waiting,
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

    #[cfg(feature = "stores")]
    #[test]
    fn a_grant_wakes_its_waiter_once_and_waits_to_be_picked_up() {
        let mut w = Waiters::default();
        w.join(WaiterId(1), Some(10));
        w.join(WaiterId(2), Some(20));
        assert!(matches!(w.look(WaiterId(2)), Look::Waiting));
        let grant = Grant::Shared(Source::Store("t-1".into()));
        assert!(w.grant(WaiterId(2), grant.clone()).is_ok());
        assert_eq!(w.take_woken(), vec![20]);
        assert_eq!(w.grant(WaiterId(2), Grant::InMemory), Err(Grant::InMemory));
        assert!(w.take_woken().is_empty(), "woken once");
        assert!(matches!(w.look(WaiterId(2)), Look::Granted(g) if g == grant));
        assert!(matches!(w.look(WaiterId(2)), Look::Gone), "picked up once");
        assert!(!w.is_empty(), "1 still waits");
    }

    #[test]
    fn a_waiter_without_a_wait_to_wake_is_not_woken() {
        // workerd: the waiter only looks; its own timer resumes it.
        let mut w = Waiters::default();
        w.join(WaiterId(7), None);
        assert!(matches!(w.look(WaiterId(7)), Look::Waiting));
        assert!(w.grant(WaiterId(7), Grant::InMemory).is_ok());
        assert!(w.take_woken().is_empty());
        assert!(matches!(
            w.look(WaiterId(7)),
            Look::Granted(Grant::InMemory)
        ));
        assert!(w.is_empty());
    }

    #[test]
    fn waiting_again_after_the_grant_came_wakes_at_once() {
        // A waiter that found nothing and waits again may have been granted meanwhile (by
        // outside code its new wait called): the new wait is woken, not lost.
        let mut w = Waiters::default();
        w.join(WaiterId(3), Some(1));
        assert!(matches!(w.look(WaiterId(3)), Look::Waiting));
        assert!(w.grant(WaiterId(3), Grant::InMemory).is_ok());
        assert_eq!(w.take_woken(), vec![1]);
        w.wait_again(WaiterId(3), Some(2));
        assert_eq!(w.take_woken(), vec![2]);
        w.join(WaiterId(4), Some(5));
        w.wait_again(WaiterId(4), Some(6));
        assert!(w.grant(WaiterId(4), Grant::InMemory).is_ok());
        assert_eq!(w.take_woken(), vec![6], "the new wait, not the old one");
    }

    #[test]
    fn leaving_hands_back_a_grant_not_picked_up() {
        let mut w = Waiters::default();
        w.join(WaiterId(1), Some(1));
        w.join(WaiterId(2), Some(2));
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
            w.join(WaiterId(i), Some(i as u32));
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
        assert!(matches!(w.look(WaiterId(0)), Look::Waiting));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Join(bool),
        Grant(u64),
        Look(u64),
        Again(u64, bool),
        Leave(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => any::<bool>().prop_map(Op::Join),
            2 => (0u64..80).prop_map(Op::Grant),
            2 => (0u64..80).prop_map(Op::Look),
            1 => (0u64..80, any::<bool>()).prop_map(|(i, w)| Op::Again(i, w)),
            1 => (0u64..80).prop_map(Op::Leave),
        ]
    }

    /// A waiter's record in the model: waiting (with the wait its grant wakes), or granted.
    #[derive(Debug, Clone, PartialEq)]
    enum Model {
        Waiting(Option<u32>),
        Granted,
    }

    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Every grant ends exactly once: picked up by its waiter, handed back by `leave`,
        /// or refused by `grant` (no waiter); a grant wakes exactly the wait its waiter
        /// waits on now (none in workerd), and the ring's memory follows the living.
        #[test]
        fn every_grant_ends_exactly_once(ops in proptest::collection::vec(op(), 0..400)) {
            let mut w = Waiters::default();
            let mut model: BTreeMap<u64, Model> = BTreeMap::new();
            let mut next = 0u64;
            let mut wait = 0u32;
            let mut new_wait = |with: bool| {
                wait += 1;
                with.then_some(wait)
            };
            for op in ops {
                let mut woken_expected = Vec::new();
                match op {
                    Op::Join(with) => {
                        let wake = new_wait(with);
                        w.join(WaiterId(next), wake);
                        model.insert(next, Model::Waiting(wake));
                        next += 1;
                    }
                    Op::Grant(i) => {
                        let got = w.grant(WaiterId(i), Grant::InMemory);
                        match model.get(&i).cloned() {
                            Some(Model::Waiting(wake)) => {
                                prop_assert!(got.is_ok());
                                woken_expected.extend(wake);
                                model.insert(i, Model::Granted);
                            }
                            _ => prop_assert_eq!(got, Err(Grant::InMemory)),
                        }
                    }
                    Op::Look(i) => {
                        let got = w.look(WaiterId(i));
                        match model.get(&i).cloned() {
                            Some(Model::Waiting(_)) => prop_assert!(matches!(got, Look::Waiting)),
                            Some(Model::Granted) => {
                                prop_assert!(matches!(got, Look::Granted(Grant::InMemory)));
                                model.remove(&i);
                            }
                            None => prop_assert!(matches!(got, Look::Gone)),
                        }
                    }
                    Op::Again(i, with) => {
                        let wake = new_wait(with);
                        w.wait_again(WaiterId(i), wake);
                        match model.get(&i).cloned() {
                            Some(Model::Waiting(_)) => {
                                model.insert(i, Model::Waiting(wake));
                            }
                            Some(Model::Granted) => woken_expected.extend(wake),
                            None => {}
                        }
                    }
                    Op::Leave(i) => {
                        let got = w.leave(WaiterId(i));
                        let had = model.remove(&i);
                        prop_assert_eq!(got.is_some(), had == Some(Model::Granted));
                    }
                }
                prop_assert_eq!(w.take_woken(), woken_expected);
                prop_assert_eq!(w.live(), model.len());
                prop_assert_eq!(w.is_empty(), model.is_empty());
                prop_assert!(w.held() <= 2 * model.len() + 65, "{} held for {}", w.held(), model.len());
            }
        }
    }
}
