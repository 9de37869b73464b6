//! `conveyor-client`: a client for the Conveyor API, compiled to WebAssembly.
//!
//! The crate is a functional core with a thin JS shell:
//!
//! | module | what | touches JS |
//! | --- | --- | --- |
//! | [`errors`] | the typed error model | no |
//! | [`limiter`] | the exact rolling-window token bucket | no |
//! | [`retry`] | retry policy, backoff, `Retry-After` | no |
//! | [`classify`] | what a response status means, paging envelopes | no |
//! | [`url`] | paths, query strings, origins, key checks | no |
//! | [`resources`] | every endpoint as a description (method, path, params, envelope) | no |
//! | [`params`] | checking and encoding a call's parameters against its description | no |
//! | [`options`] | reading and validating the constructor's options | reads them |
//! | `transport` | one `fetch` attempt | yes |
//! | `js_error` | Rust errors become JS `Error` subclasses | yes |
//! | `client` | the exported `ConveyorClient` and its pipeline | yes |
#![forbid(unsafe_code)]

pub mod classify;
mod client;
pub mod errors;
mod js_error;
pub mod limiter;
pub mod options;
pub mod params;
pub mod resources;
pub mod retry;
mod transport;
pub mod url;

pub use client::ConveyorClient;
