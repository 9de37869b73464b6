//! Requests waiting for a token, in arrival order (pure Rust).
//!
//! Each waiter gets an id, handed out in increasing order and never reused, so the queue
//! is sorted by id: a cancel finds its waiter by binary search and leaves a tombstone
//! rather than shifting the queue. Tombstones are skipped when they reach the front,
//! trimmed from both ends, and compacted away when they outnumber the living waiters, so
//! the queue's memory stays proportional to who still waits and every operation is O(1)
//! amortised but the search. (A hash set beside the queue would cost the .wasm more.)

use std::collections::VecDeque;

/// Identifies one waiting request, to cancel it or to recognise it among the grants.
///
/// Ids are handed out in increasing order and never reused by one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WaiterId(pub u64);

/// Waiters in arrival order, with tombstones for the cancelled ones.
#[derive(Debug, Clone, Default)]
pub struct WaitQueue {
    /// `(id, still waiting)`, by ascending id.
    queue: VecDeque<(u64, bool)>,
    /// How many entries of `queue` still wait.
    waiting: usize,
    next_id: u64,
}

impl WaitQueue {
    /// How many requests wait.
    pub fn len(&self) -> usize {
        self.waiting
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.waiting == 0
    }

    /// A new waiter joins at the back, unless `max` already wait.
    pub fn push(&mut self, max: usize) -> Option<WaiterId> {
        if self.waiting >= max {
            return None;
        }
        if self.waiting == 0 {
            // Only tombstones left: drop them so the queue cannot grow without bound.
            self.queue.clear();
        }
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        self.queue.push_back((id, true));
        self.waiting += 1;
        Some(WaiterId(id))
    }

    /// The front waiter leaves the queue (it gets a token), skipping tombstones.
    pub fn pop(&mut self) -> Option<WaiterId> {
        while let Some((id, alive)) = self.queue.pop_front() {
            if alive {
                self.waiting = self.waiting.saturating_sub(1);
                self.trim();
                return Some(WaiterId(id));
            }
        }
        None
    }

    /// Removes a waiter (its request was aborted). Returns whether it was still waiting;
    /// `false` means it already left (or was cancelled, or never existed).
    pub fn cancel(&mut self, id: WaiterId) -> bool {
        let Ok(i) = self.queue.binary_search_by_key(&id.0, |&(w, _)| w) else {
            return false;
        };
        match self.queue.get_mut(i) {
            Some((_, alive)) if *alive => *alive = false,
            _ => return false,
        }
        self.waiting = self.waiting.saturating_sub(1);
        self.trim();
        // Each compaction removes at least half the entries, each paid for by one cancel:
        // O(1) amortised on top of the search.
        if self.queue.len() > 64 && self.queue.len() > self.waiting.saturating_mul(2) {
            self.queue.retain(|&(_, alive)| alive);
        }
        true
    }

    /// Entries held, tombstones included (for tests of the queue's memory).
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.queue.len()
    }

    /// Drops tombstones at both ends, so the front is a living waiter when there is one.
    fn trim(&mut self) {
        while self.queue.front().is_some_and(|&(_, alive)| !alive) {
            self.queue.pop_front();
        }
        while self.queue.back().is_some_and(|&(_, alive)| !alive) {
            self.queue.pop_back();
        }
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
