//! Retry policy, backoff and `Retry-After` parsing (pure Rust). Being written: see issue 5.
