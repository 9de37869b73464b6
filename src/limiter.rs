//! The rolling-window rate limiter (pure Rust, injected clock). Being written: see issue 4.
