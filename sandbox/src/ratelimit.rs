//! The exact rolling-window limiter: per presented key value, the arrival instants of the
//! admitted requests of the last window. A request is admitted when fewer than `limit`
//! admitted requests arrived in the window ending now (403s count: auth comes after).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::cli::RateLimit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted; `in_window` arrivals (this one included) are now inside the window.
    Admit { in_window: usize },
    /// Refused; the oldest arrival leaves the window in this many whole seconds (>= 1).
    Limited { retry_after_secs: u64 },
}

pub struct Limiter {
    pub config: RateLimit,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(config: RateLimit) -> Limiter {
        Limiter {
            config,
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, key: &str) -> Verdict {
        self.check_at(key, Instant::now())
    }

    pub fn check_at(&self, key: &str, now: Instant) -> Verdict {
        let window = self.config.window;
        let mut all = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let q = all.entry(key.to_owned()).or_default();
        // An arrival at t is inside the window ending at now while now - t < window.
        while let Some(&front) = q.front() {
            if now.saturating_duration_since(front) >= window {
                q.pop_front();
            } else {
                break;
            }
        }
        if q.len() >= self.config.limit {
            let oldest = q.front().copied().unwrap_or(now);
            let left = window.saturating_sub(now.saturating_duration_since(oldest));
            return Verdict::Limited {
                retry_after_secs: ceil_secs(left).max(1),
            };
        }
        q.push_back(now);
        Verdict::Admit { in_window: q.len() }
    }

    pub fn clear(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

fn ceil_secs(d: Duration) -> u64 {
    let s = d.as_secs();
    if d.subsec_nanos() > 0 {
        s + 1
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_window() {
        let l = Limiter::new(RateLimit {
            limit: 3,
            window: Duration::from_millis(1500),
        });
        let t0 = Instant::now();
        for i in 1..=3 {
            assert_eq!(l.check_at("k", t0), Verdict::Admit { in_window: i });
        }
        assert_eq!(
            l.check_at("k", t0 + Duration::from_millis(100)),
            Verdict::Limited {
                retry_after_secs: 2
            }
        );
        assert_eq!(l.check_at("other", t0), Verdict::Admit { in_window: 1 });
        assert!(matches!(
            l.check_at("k", t0 + Duration::from_millis(1499)),
            Verdict::Limited { .. }
        ));
        assert_eq!(
            l.check_at("k", t0 + Duration::from_millis(1500)),
            Verdict::Admit { in_window: 1 }
        );
    }
}
