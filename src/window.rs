//! When tokens come back: the return instants of a rolling window, oldest first (pure Rust).
//!
//! A token that was spent returns one window after its settle. The clock never runs
//! backwards for its owner and the window is constant, so the instants arrive in
//! non-decreasing order and the next one to return is always the front: pushing, expiring
//! and finding the next return are O(1) amortised, and counting what is still out at an
//! instant is a binary search. [`crate::limiter::Limiter`] keeps one for its bucket, and
//! [`crate::lease::Fleet`] one for the store tokens it settled (what a forgetful store
//! would need back).

use alloc::{collections::VecDeque, vec::Vec};

/// Return instants in ms, non-decreasing, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Window {
    returns: VecDeque<f64>,
}

impl Window {
    /// An empty window with room for `capacity` instants before it grows.
    pub fn with_capacity(capacity: usize) -> Window {
        Window {
            returns: VecDeque::with_capacity(capacity),
        }
    }

    /// A token returns at `at`, no earlier than every instant already recorded.
    pub fn push(&mut self, at: f64) {
        self.returns.push_back(at);
    }

    /// Drops the instants that have come (`<= now`): those tokens are back.
    pub fn expire(&mut self, now: f64) {
        while self.returns.front().is_some_and(|&at| at <= now) {
            self.returns.pop_front();
        }
    }

    /// Instants recorded and not yet expired (some may be `<= now` until [`Window::expire`]).
    pub fn len(&self) -> usize {
        self.returns.len()
    }

    /// Tokens still out at `now` (instants after it), without expiring anything.
    pub fn out_at(&self, now: f64) -> usize {
        self.returns.len() - self.back_at(now)
    }

    /// The first instant after `now`: when the next token still out comes back.
    pub fn next_after(&self, now: f64) -> Option<f64> {
        self.returns.get(self.back_at(now)).copied()
    }

    /// The oldest instant recorded.
    pub fn front(&self) -> Option<f64> {
        self.returns.front().copied()
    }

    /// Forgets the `n` latest instants (their tokens are accounted for elsewhere now).
    pub fn forget_latest(&mut self, n: usize) {
        for _ in 0..n {
            self.returns.pop_back();
        }
    }

    /// Empties the window, appending the instants still to come after `now` to `out`.
    // A loop and `clear`, not `drain(..)`: a drain's drop brings VecDeque's code for
    // rejoining a split ring (~600 B) into the .wasm.
    pub fn take_after(&mut self, now: f64, out: &mut Vec<f64>) {
        for &at in &self.returns {
            if at > now {
                out.push(at);
            }
        }
        self.returns.clear();
    }

    /// How many instants are `<= now` (they lead: the instants are sorted).
    fn back_at(&self, now: f64) -> usize {
        self.returns.partition_point(|&at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(instants: &[f64]) -> Window {
        let mut w = Window::default();
        for &at in instants {
            w.push(at);
        }
        w
    }

    #[test]
    fn counts_and_finds_what_is_still_out() {
        let w = window(&[10.0, 20.0, 20.0, 30.0]);
        assert_eq!(w.out_at(0.0), 4);
        assert_eq!(w.out_at(20.0), 1, "an instant equal to now has come");
        assert_eq!(w.out_at(30.0), 0);
        assert_eq!(w.next_after(10.0), Some(20.0));
        assert_eq!(w.next_after(20.0), Some(30.0));
        assert_eq!(w.next_after(30.0), None);
        assert_eq!(w.front(), Some(10.0));
    }

    #[test]
    fn expires_only_what_has_come() {
        let mut w = window(&[10.0, 20.0, 30.0]);
        w.expire(19.0);
        assert_eq!((w.len(), w.front()), (2, Some(20.0)));
        w.expire(30.0);
        assert_eq!(w.len(), 0);
    }

    #[test]
    fn forgets_the_latest_and_hands_over_the_rest() {
        let mut w = window(&[10.0, 20.0, 30.0, 40.0]);
        w.forget_latest(1);
        assert_eq!(w.next_after(30.0), None);
        let mut left = vec![1.0];
        w.take_after(10.0, &mut left);
        assert_eq!(left, [1.0, 20.0, 30.0]);
        assert_eq!(w.len(), 0);
        w.forget_latest(3);
        assert_eq!(w.len(), 0, "forgetting more than there is is harmless");
    }
}
