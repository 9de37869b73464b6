//! Response classification (pure Rust). Being written: see issue 5.
