//! Shared state: keys, limiter, fault counters, the store, stats and the request log.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::auth::Keys;
use crate::faults::{FaultSpec, TimesCounter};
use crate::ratelimit::Limiter;
use crate::store::Store;
use crate::webhooks;

pub const LOG_CAPACITY: usize = 2000;

#[derive(Debug, Default, Clone, Serialize)]
pub struct KeyStats {
    pub served: u64,
    pub ok: u64,
    pub forbidden: u64,
    pub rate_limited: u64,
    pub max_in_window: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub query: String,
    pub had_api_key: bool,
    pub key_prefix: Option<String>,
    pub status: u16,
}

pub struct App {
    pub keys: Keys,
    pub limiter: Limiter,
    pub fault: Option<FaultSpec>,
    pub times: TimesCounter,
    pub quiet: bool,
    pub fixtures: Store,
    pub store: Mutex<Store>,
    pub stats: Mutex<BTreeMap<String, KeyStats>>,
    pub log: Mutex<VecDeque<LogEntry>>,
    /// Where webhook deliveries go (`--webhook-url`), if anywhere.
    pub webhook: Option<webhooks::Config>,
    pub webhook_log: Mutex<webhooks::Log>,
    seq: AtomicU64,
    run: u64,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    pub fn new(
        keys: Keys,
        limiter: Limiter,
        fault: Option<FaultSpec>,
        quiet: bool,
        fixtures: Store,
    ) -> App {
        let run = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ u64::from(std::process::id()).rotate_left(32);
        App {
            keys,
            limiter,
            fault,
            times: TimesCounter::default(),
            quiet,
            store: Mutex::new(fixtures.clone()),
            fixtures,
            stats: Mutex::new(BTreeMap::new()),
            log: Mutex::new(VecDeque::with_capacity(LOG_CAPACITY)),
            webhook: None,
            webhook_log: Mutex::new(webhooks::Log::default()),
            seq: AtomicU64::new(0),
            run,
        }
    }

    /// A request id unique within and (practically) across runs.
    pub fn next_request_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        format!("req_{:012x}_{n:06}", self.run & 0xffff_ffff_ffff)
    }

    pub fn record(&self, entry: LogEntry) {
        let mut log = lock(&self.log);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }

    pub fn with_stats(&self, key_name: &str, f: impl FnOnce(&mut KeyStats)) {
        let mut stats = lock(&self.stats);
        f(stats.entry(key_name.to_owned()).or_default());
    }

    /// Back to the fixture state; stats, request log, windows and fault counters cleared.
    pub fn reset(&self) {
        *lock(&self.store) = self.fixtures.clone();
        lock(&self.stats).clear();
        lock(&self.log).clear();
        self.limiter.clear();
        self.times.clear();
        *lock(&self.webhook_log) = webhooks::Log::default();
    }
}
