//! `conveyor-client`: a client for the Conveyor API, compiled to WebAssembly.
//!
//! The crate is a functional core with a thin JS shell:
//!
//! | module | what | touches JS |
//! | --- | --- | --- |
//! | [`errors`] | the typed error model | no |
//! | [`limiter`] | the exact rolling-window token bucket | no |
//! | [`lease`] | the client side of a shared budget: leasing, fallback share, carry | no |
//! | [`ledger`] | the store side of a budget shared across processes (the store protocol) | no |
//! | [`retry`] | retry policy, backoff, `Retry-After` | no |
//! | [`classify`] | what a response status means, paging envelopes | no |
//! | [`url`] | paths, query strings, origins, key checks | no |
//! | [`resources`] | every endpoint as a description (method, path, params, envelope) | no |
//! | [`params`] | checking and encoding a call's parameters against its description | no |
//! | `resources_shell` | the namespace getters (`client.exchange`...) and the typed methods' `__call` | yes |
//! | [`options`] | reading and validating the constructor's options | reads them |
//! | `abort` | racing work against the caller's `AbortSignal` | yes |
//! | `store` | calling a user's rate-limit store: requests, timeouts, replies, bucket hash | yes |
//! | `scheduler` | the limiter's timer, waiters and per-key sharing | yes |
//! | `transport` | one `fetch` attempt | yes |
//! | `pipeline` | a call end to end: token, attempt, redirects, retries | yes |
//! | `js_error` | Rust errors become JS `Error` subclasses | yes |
//! | `memory_store` | `MemoryStore`: the store protocol over in-memory ledgers, for JS | yes |
//! | `client` | the exported `ConveyorClient`: options, preparing calls | yes |
#![deny(unsafe_code)]

mod abort;
pub mod classify;
mod client;
pub mod errors;
mod js_error;
pub mod lease;
pub mod ledger;
pub mod limiter;
mod memory_store;
pub mod options;
pub mod params;
mod pipeline;
pub mod resources;
mod resources_shell;
pub mod retry;
mod scheduler;
mod store;
mod transport;
pub mod url;

/// A smaller allocator than the standard library's dlmalloc (−2.2 KB gzipped), as fast here.
/// `unsafe` because it must be the only user of the wasm memory from a single thread, which
/// wasm32-unknown-unknown without threads guarantees.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
#[allow(unsafe_code)]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };

pub use client::ConveyorClient;
pub use memory_store::MemoryStore;
