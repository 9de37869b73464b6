//! URL building (pure Rust). Being written: see issue 5.
