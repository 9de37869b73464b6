//! Requests waiting for a token, in arrival order (pure Rust).
//!
//! Each waiter gets an id, handed out in increasing order and never reused, so the queue
//! is sorted by id: a cancel finds its waiter by binary search and leaves a tombstone
//! rather than shifting the queue. Tombstones are skipped when they reach the front,
//! trimmed from both ends, and compacted away when they outnumber the living waiters, so
//! the queue's memory stays proportional to who still waits and every operation is O(1)
//! amortised but the search. (A hash set beside the queue would cost the .wasm more.)
//!
//! [`Ring`] is that structure with a value per waiter; the limiter's [`WaitQueue`] keeps
//! none, the scheduler's [`Waiters`](crate::waiters::Waiters) keeps each waiter's wait to
//! wake or grant in one.

use alloc::collections::VecDeque;

/// Identifies one waiting request, to cancel it or to recognise it among the grants.
///
/// Ids are handed out in increasing order and never reused by one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WaiterId(pub u64);

/// Values by ascending id, with tombstones (`None`) for the ones removed.
#[derive(Debug, Clone)]
pub struct Ring<T> {
    entries: VecDeque<(WaiterId, Option<T>)>,
    /// How many entries are not tombstones.
    live: usize,
}

impl<T> Default for Ring<T> {
    fn default() -> Ring<T> {
        Ring {
            entries: VecDeque::new(),
            live: 0,
        }
    }
}

impl<T> Ring<T> {
    /// How many values are held.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no value is held.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds `value` under `id`, which must be greater than every id added before.
    pub fn push(&mut self, id: WaiterId, value: T) {
        if self.live == 0 {
            // Only tombstones left: drop them so the ring cannot grow without bound.
            self.entries.clear();
        }
        self.entries.push_back((id, Some(value)));
        self.live += 1;
    }

    /// The value under `id`, if it is held.
    pub fn get_mut(&mut self, id: WaiterId) -> Option<&mut T> {
        let i = self.entries.binary_search_by_key(&id, |(w, _)| *w).ok()?;
        self.entries.get_mut(i)?.1.as_mut()
    }

    /// Removes and returns the value under `id`, if it is held.
    pub fn remove(&mut self, id: WaiterId) -> Option<T> {
        let i = self.entries.binary_search_by_key(&id, |(w, _)| *w).ok()?;
        let value = self.entries.get_mut(i)?.1.take()?;
        self.live = self.live.saturating_sub(1);
        self.tidy();
        // Each compaction removes at least half the entries, each paid for by one removal:
        // O(1) amortised on top of the search.
        if self.entries.len() > 64 && self.entries.len() > self.live.saturating_mul(2) {
            self.entries.retain(|(_, v)| v.is_some());
        }
        Some(value)
    }

    /// Removes and returns the value with the lowest id, skipping tombstones.
    pub fn pop_front(&mut self) -> Option<(WaiterId, T)> {
        while let Some((id, value)) = self.entries.pop_front() {
            if let Some(value) = value {
                self.live = self.live.saturating_sub(1);
                self.tidy();
                return Some((id, value));
            }
        }
        None
    }

    /// Entries held, tombstones included (for tests of the ring's memory).
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.entries.len()
    }

    /// Drops tombstones at both ends, so the front is a living value when there is one.
    fn tidy(&mut self) {
        while self.entries.front().is_some_and(|(_, v)| v.is_none()) {
            self.entries.pop_front();
        }
        while self.entries.back().is_some_and(|(_, v)| v.is_none()) {
            self.entries.pop_back();
        }
    }
}

/// Waiters in arrival order, with tombstones for the cancelled ones.
#[derive(Debug, Clone, Default)]
pub struct WaitQueue {
    ring: Ring<()>,
    next_id: u64,
}

impl WaitQueue {
    /// How many requests wait.
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// A new waiter joins at the back, unless `max` already wait.
    pub fn push(&mut self, max: usize) -> Option<WaiterId> {
        if self.ring.len() >= max {
            return None;
        }
        let id = WaiterId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        self.ring.push(id, ());
        Some(id)
    }

    /// The front waiter leaves the queue (it gets a token), skipping tombstones.
    pub fn pop(&mut self) -> Option<WaiterId> {
        self.ring.pop_front().map(|(id, ())| id)
    }

    /// Removes a waiter (its request was aborted). Returns whether it was still waiting;
    /// `false` means it already left (or was cancelled, or never existed).
    pub fn cancel(&mut self, id: WaiterId) -> bool {
        self.ring.remove(id).is_some()
    }

    /// Entries held, tombstones included (for tests of the queue's memory).
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.ring.held()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out_and_cancel_skips() {
        let mut q = WaitQueue::default();
        let ids: Vec<WaiterId> = (0..4).filter_map(|_| q.push(10)).collect();
        assert_eq!(q.len(), 4);
        assert!(q.cancel(ids[1]));
        assert!(!q.cancel(ids[1]), "twice");
        assert_eq!(q.pop(), Some(ids[0]));
        assert_eq!(q.pop(), Some(ids[2]), "the cancelled one is skipped");
        assert!(!q.cancel(ids[2]), "already left");
        assert_eq!(q.pop(), Some(ids[3]));
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }

    #[test]
    fn refuses_beyond_max_and_never_reuses_ids() {
        let mut q = WaitQueue::default();
        let a = q.push(1);
        assert!(a.is_some());
        assert_eq!(q.push(1), None);
        assert_eq!(q.pop(), a);
        let b = q.push(1);
        assert!(b > a);
    }

    #[test]
    fn memory_follows_the_living() {
        let mut q = WaitQueue::default();
        let ids: Vec<WaiterId> = (0..1000).filter_map(|_| q.push(usize::MAX)).collect();
        // Cancel every waiter but the first and the last: the tombstones in the middle are
        // compacted once they outnumber the living.
        for id in &ids[1..999] {
            assert!(q.cancel(*id));
        }
        assert_eq!(q.len(), 2);
        assert!(q.held() <= 130, "{} entries held for 2 waiters", q.held());
        assert_eq!(q.pop(), Some(ids[0]));
        assert_eq!(q.pop(), Some(ids[999]));
        assert_eq!(q.held(), 0);
    }
}
