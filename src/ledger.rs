//! The store side of a budget shared by many clients (pure Rust, injected clock).
//!
//! A [`Ledger`] is what a rate-limit *store* keeps for one bucket (one API key): the
//! entries that occupy the rolling window, each with the instant it frees. It is the
//! reference for the store protocol that `MemoryStore`, the Durable Object and the Redis
//! Lua script all implement:
//!
//! * a granted token frees at `grant + hold + window` unless it is settled or released:
//!   a client that dies holding tokens cannot leak them, and until `hold` has passed the
//!   request may still be on its way, so the window can only start after that;
//! * a settled token frees one window after the settle reached the store. The client
//!   settles when the response arrived, which is after the server counted the request,
//!   so any rolling window on the server holds at most `limit` requests (the argument of
//!   [`crate::limiter`], with the store's clock);
//! * a released token was never sent and frees at once;
//! * `carry` records usage the store did not see (tokens a client spent on its local
//!   fallback share while the store was unreachable). It may overfill the bucket: it is
//!   real usage, and nothing more is granted until enough frees.
//!
//! Every call takes the store's own `now_ms`; time never runs backwards for a ledger.

use crate::text::push_decimal;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// The most entries `carry` may add in one call: a client never carries more than its
/// own window's worth, and a bound keeps a broken caller from growing a store at will.
/// The JS stores' `MAX_ENTRIES` (`pkg/stores/limits.cjs`) is the same number.
pub const MAX_CARRY: usize = 100_000;

/// The longest bucket name or token id a store accepts: ours are short, and a bound keeps a
/// broken caller from filling memory. The JS stores' `MAX_ID_LEN` is the same number.
pub const MAX_ID_LEN: usize = 256;

/// Whether `s` may be a bucket name, a token id or an epoch: 1 to [`MAX_ID_LEN`] bytes
/// (the JS stores' `isId`).
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_ID_LEN
}

/// One `acquire` call, as the protocol defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct AcquireRequest {
    /// Tokens wanted now, at least 1.
    pub want: u32,
    /// Requests allowed in any rolling window, at least 1.
    pub limit: u32,
    /// The rolling window in ms, finite and > 0.
    pub window_ms: f64,
    /// How long an unsettled token may be in flight, finite and >= 0.
    pub hold_ms: f64,
    /// For each token used without the store's knowledge, ms from now until it frees.
    pub carry: Vec<f64>,
}

impl AcquireRequest {
    /// Checks the values; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.want < 1 || self.limit < 1 {
            return Err("`want` and `limit` must be whole numbers of at least 1".into());
        }
        if !(self.window_ms.is_finite() && self.window_ms > 0.0) {
            return Err("`windowMs` must be a finite number greater than 0".into());
        }
        if !(self.hold_ms.is_finite() && self.hold_ms >= 0.0) {
            return Err("`holdMs` must be a finite number of at least 0".into());
        }
        if self.carry.len() > MAX_CARRY {
            return Err("`carry` holds too many entries".into());
        }
        if self.carry.iter().any(|c| !c.is_finite()) {
            return Err("`carry` must hold finite numbers".into());
        }
        Ok(())
    }
}

/// What `acquire` answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The granted tokens' ids, at most `want` of them.
    pub tokens: Vec<String>,
    /// When fewer than `want` were granted: ms until the next entry frees (at least 1).
    pub retry_in_ms: Option<f64>,
    /// The ledger's epoch: a client that sees it change knows the store lost its data.
    pub epoch: String,
    /// Entries occupying the window after this grant: the whole fleet's usage, which a
    /// client remembers in case the store fails next.
    pub occupied: usize,
}

/// One bucket's occupied entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    /// Names this ledger's memory: a store that loses its data starts a new epoch, and
    /// token ids carry it so ids from before never collide with ids from after.
    epoch: String,
    now: f64,
    /// Granted (or settled) tokens as `(id, instant it frees)`, sorted by id, each id once.
    /// A Vec, not a map: a ledger holds at most `limit` plus carried entries, new ids are
    /// the largest so a grant appends, and a snapshot needs no sort (it keeps the .wasm
    /// smaller than a `HashMap` and a sort would).
    tokens: Vec<(u64, f64)>,
    /// Anonymous entries from `carry`, by the instant each frees.
    carried: Vec<f64>,
    next_id: u64,
}

impl Ledger {
    /// An empty bucket whose memory is named `epoch` (unique per store instance: a random
    /// value, say).
    pub fn new(epoch: &str) -> Ledger {
        Ledger {
            epoch: epoch.to_owned(),
            now: f64::NEG_INFINITY,
            tokens: Vec::new(),
            carried: Vec::new(),
            next_id: 0,
        }
    }

    /// Records `req.carry`, then grants up to `req.want` tokens. Call
    /// [`AcquireRequest::validate`] first; invalid values grant nothing useful but never
    /// panic.
    pub fn acquire(&mut self, now_ms: f64, req: &AcquireRequest) -> Grant {
        let now = self.advance(now_ms);
        let cap = req.window_ms + req.hold_ms;
        for &c in req.carry.iter().take(MAX_CARRY) {
            if c > 0.0 {
                self.carried.push(now + c.min(cap));
            }
        }
        let occupied = self.occupied();
        let free = (req.limit as usize).saturating_sub(occupied);
        let granted = free.min(req.want as usize);
        let free_at = now + req.hold_ms + req.window_ms;
        let mut tokens = Vec::with_capacity(granted);
        for _ in 0..granted {
            let id = self.next_id;
            self.next_id = self.next_id.saturating_add(1);
            self.put(id, free_at);
            let mut token = String::with_capacity(self.epoch.len() + 21);
            token.push_str(&self.epoch);
            token.push('-');
            push_decimal(&mut token, id);
            tokens.push(token);
        }
        // An entry still in flight frees one window after its settle at the earliest, so
        // no entry can free before `min(its free instant, now + window)`: that is exact for
        // settled entries and a sharp lower bound for the rest.
        let retry_in_ms = (granted < req.want as usize).then(|| {
            let earliest = self
                .tokens
                .iter()
                .map(|&(_, at)| at)
                .chain(self.carried.iter().copied())
                .fold(now + req.window_ms, f64::min);
            (earliest - now).max(1.0)
        });
        Grant {
            occupied: occupied + tokens.len(),
            tokens,
            retry_in_ms,
            epoch: self.epoch.clone(),
        }
    }

    /// The ledger's epoch.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The counter part of one of this epoch's token ids.
    fn own_id(&self, token: &str) -> Option<u64> {
        parse_decimal(token.strip_prefix(self.epoch.as_str())?.strip_prefix('-')?)
    }

    /// The responses to `tokens` arrived: each frees one window from now. Ids this ledger
    /// does not know (expired, or lost with the store's data) are recorded all the same.
    pub fn settle<'a>(
        &mut self,
        now_ms: f64,
        tokens: impl IntoIterator<Item = &'a str>,
        window_ms: f64,
    ) {
        let now = self.advance(now_ms);
        let free_at = now + window_ms;
        for t in tokens {
            match self.own_id(t) {
                // Known, or at least ours: a granted id that expired is re-added.
                Some(id) if id < self.next_id => self.put(id, free_at),
                _ => self.carried.push(free_at),
            }
        }
    }

    /// `tokens` were never sent: they free at once. Unknown ids are ignored.
    pub fn release<'a>(&mut self, now_ms: f64, tokens: impl IntoIterator<Item = &'a str>) {
        self.advance(now_ms);
        for t in tokens {
            if let Some(Ok(i)) = self.own_id(t).map(|id| self.find(id)) {
                // Always true (`find` found it); stated so the .wasm carries no panic path.
                if i < self.tokens.len() {
                    self.tokens.remove(i);
                }
            }
        }
    }

    /// Moves the ledger's clock to `now_ms` (if later), so [`Ledger::occupied`] and
    /// [`Ledger::is_empty`] answer for that instant.
    pub fn advance_to(&mut self, now_ms: f64) {
        self.advance(now_ms);
    }

    /// Entries occupying the window at the ledger's latest time.
    pub fn occupied(&mut self) -> usize {
        let now = self.now;
        self.tokens.retain(|&(_, at)| at > now);
        self.carried.retain(|&at| at > now);
        self.tokens.len() + self.carried.len()
    }

    /// Whether nothing occupies the window (the store may forget this bucket).
    pub fn is_empty(&mut self) -> bool {
        self.occupied() == 0
    }

    /// The latest instant any entry frees, if any: how long a store must keep the data.
    pub fn last_free_at(&self) -> Option<f64> {
        self.tokens
            .iter()
            .map(|&(_, at)| at)
            .chain(self.carried.iter().copied())
            .reduce(f64::max)
    }

    /// The state as `(next_id, [(id, free_at)] in id order, [carried free_at])`, to persist.
    pub fn snapshot(&mut self) -> (u64, Vec<(u64, f64)>, Vec<f64>) {
        self.occupied();
        (self.next_id, self.tokens.clone(), self.carried.clone())
    }

    /// A ledger from a [`Ledger::snapshot`] (and its epoch: the memory is the same).
    /// Non-finite instants are dropped.
    pub fn restore(epoch: &str, next_id: u64, tokens: &[(u64, f64)], carried: &[f64]) -> Ledger {
        let mut l = Ledger::new(epoch);
        for &(id, at) in tokens.iter().filter(|(_, at)| at.is_finite()) {
            l.put(id, at);
            l.next_id = l.next_id.max(id.saturating_add(1));
        }
        l.next_id = l.next_id.max(next_id);
        for &at in carried {
            if at.is_finite() {
                l.carried.push(at);
            }
        }
        l
    }

    /// Where `id` is in `tokens` (`Err`: where it would go).
    fn find(&self, id: u64) -> Result<usize, usize> {
        self.tokens.binary_search_by_key(&id, |&(t, _)| t)
    }

    /// Sets when `id` frees, adding it in order if it is not there.
    fn put(&mut self, id: u64, free_at: f64) {
        match self.find(id) {
            Ok(i) => {
                if let Some(entry) = self.tokens.get_mut(i) {
                    entry.1 = free_at;
                }
            }
            // `i <= len` always (where `find` would put it); stated so the .wasm carries no
            // panic path.
            Err(i) if i <= self.tokens.len() => self.tokens.insert(i, (id, free_at)),
            Err(_) => {}
        }
    }

    fn advance(&mut self, now_ms: f64) -> f64 {
        if now_ms.is_finite() && now_ms > self.now {
            self.now = now_ms;
        }
        self.now
    }
}

/// `s` as a `u64`, as `str::parse` reads it (an optional `+`, then decimal digits, no
/// overflow), without the generic integer parser's share of the .wasm.
fn parse_decimal(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JS stores import their limits from one module; it states the same numbers.
    #[test]
    fn parse_decimal_reads_what_str_parse_does() {
        let max = u64::MAX.to_string();
        let over = "18446744073709551616";
        for s in [
            "", "0", "7", "007", "+5", "+", "-5", "++5", " 5", "5 ", "1e3", "12a", "٣", &max, over,
        ] {
            assert_eq!(super::parse_decimal(s), s.parse::<u64>().ok(), "{s:?}");
        }
    }

    proptest::proptest! {
        /// The hand-written digits agree with the standard library's, both ways.
        #[test]
        fn decimal_digits_agree_with_std(n: u64, s in "[+0-9a-]{0,22}") {
            let mut out = String::new();
            super::push_decimal(&mut out, n);
            proptest::prop_assert_eq!(&out, &n.to_string());
            proptest::prop_assert_eq!(super::parse_decimal(&out), Some(n));
            proptest::prop_assert_eq!(super::parse_decimal(&s), s.parse::<u64>().ok());
        }
    }

    #[test]
    fn push_decimal_writes_what_format_does() {
        for n in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            12_345,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = "e-".to_owned();
            super::push_decimal(&mut out, n);
            assert_eq!(out, format!("e-{n}"));
        }
    }

    #[test]
    fn the_js_stores_use_the_same_limits() {
        let js = include_str!("../pkg/stores/limits.cjs");
        assert!(
            js.contains(&format!("const MAX_ENTRIES = {MAX_CARRY};")),
            "MAX_ENTRIES"
        );
        assert!(
            js.contains(&format!("const MAX_ID_LEN = {MAX_ID_LEN};")),
            "MAX_ID_LEN"
        );
        // `MemoryStore`'s requests are checked in JS, against its own copy of the limits.
        let memory_store = include_str!("js/memory_store.js");
        assert!(
            memory_store.contains(&format!("const STORE_MAX_ENTRIES = {MAX_CARRY};")),
            "STORE_MAX_ENTRIES"
        );
        assert!(
            memory_store.contains(&format!("const STORE_MAX_ID_LEN = {MAX_ID_LEN};")),
            "STORE_MAX_ID_LEN"
        );
    }

    const W: f64 = 1000.0;
    const H: f64 = 500.0;

    fn req(want: u32, limit: u32) -> AcquireRequest {
        AcquireRequest {
            want,
            limit,
            window_ms: W,
            hold_ms: H,
            carry: vec![],
        }
    }

    #[test]
    fn grants_up_to_the_limit_then_says_when() {
        let mut l = Ledger::new("e");
        let g = l.acquire(0.0, &req(3, 4));
        assert_eq!(g.tokens.len(), 3);
        assert_eq!(g.retry_in_ms, None);
        assert_eq!(g.occupied, 3);
        let g = l.acquire(10.0, &req(3, 4));
        assert_eq!(g.tokens.len(), 1);
        // Nothing settled: no entry can free before a settle plus a window.
        assert_eq!(g.retry_in_ms, Some(W));
    }

    #[test]
    fn settle_frees_one_window_after_the_settle() {
        let mut l = Ledger::new("e");
        let g = l.acquire(0.0, &req(1, 1));
        l.settle(100.0, g.tokens.iter().map(String::as_str), W);
        assert_eq!(l.acquire(1099.0, &req(1, 1)).retry_in_ms, Some(1.0));
        assert_eq!(l.acquire(1100.0, &req(1, 1)).tokens.len(), 1);
    }

    #[test]
    fn release_frees_at_once_and_ignores_strangers() {
        let mut l = Ledger::new("e");
        let g = l.acquire(0.0, &req(2, 2));
        l.release(1.0, ["nope", "999", "e-999", "f-0"]);
        assert_eq!(l.acquire(1.0, &req(1, 2)).tokens.len(), 0);
        l.release(2.0, g.tokens.iter().map(String::as_str));
        assert_eq!(l.acquire(2.0, &req(2, 2)).tokens.len(), 2);
    }

    #[test]
    fn carry_occupies_even_beyond_the_limit() {
        let mut l = Ledger::new("e");
        let mut r = req(1, 2);
        r.carry = vec![300.0, 300.0, 800.0, 1e9];
        let g = l.acquire(0.0, &r);
        assert!(g.tokens.is_empty());
        assert_eq!(g.retry_in_ms, Some(300.0));
        assert_eq!(l.occupied(), 4);
        // The absurd carry was clamped to window + hold.
        assert_eq!(l.last_free_at(), Some(W + H));
        assert_eq!(l.acquire(801.0, &req(1, 2)).tokens.len(), 1);
    }

    #[test]
    fn unknown_settles_are_conservative_and_ids_carry_the_epoch() {
        let mut l = Ledger::new("e");
        // From another epoch, never granted, not ours at all: each still occupies.
        l.settle(0.0, ["d-0", "e-41", "not-a-number"], W);
        assert_eq!(l.occupied(), 3);
        let g = l.acquire(0.0, &req(1, 4));
        assert_eq!(g.tokens, vec!["e-0".to_owned()]);
        assert_eq!(g.epoch, "e");
    }

    #[test]
    fn snapshot_round_trips_and_time_never_runs_back() {
        let mut l = Ledger::new("e");
        let g = l.acquire(0.0, &req(2, 5));
        l.settle(10.0, [g.tokens[0].as_str()], W);
        let (next, tokens, carried) = l.snapshot();
        let mut back = Ledger::restore("e", next, &tokens, &carried);
        assert_eq!(back.snapshot(), l.snapshot());
        // A clock stepping back does not resurrect anything or free anything early.
        assert_eq!(back.acquire(5.0, &req(5, 5)).tokens.len(), 3);
        assert_eq!(back.acquire(f64::NAN, &req(1, 5)).tokens.len(), 0);
    }

    #[test]
    fn bad_requests_are_named() {
        let mut r = req(0, 1);
        assert!(r.validate().unwrap_err().contains("want"));
        r = req(1, 1);
        r.window_ms = f64::NAN;
        assert!(r.validate().unwrap_err().contains("windowMs"));
        r = req(1, 1);
        r.carry = vec![f64::INFINITY];
        assert!(r.validate().unwrap_err().contains("carry"));
        assert!(req(1, 1).validate().is_ok());
    }
}
