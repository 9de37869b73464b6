//! `conveyor-client`: a client for the Conveyor API, compiled to WebAssembly.
#![forbid(unsafe_code)]

pub mod classify;
pub mod errors;
pub mod limiter;
pub mod retry;
pub mod url;
