//! `conveyor-client`: a client for the Conveyor API, compiled to WebAssembly.
//!
//! The crate is a functional core with a thin JS shell:
//!
//! | module | what | touches JS |
//! | --- | --- | --- |
//! | [`errors`] | the typed error model | no |
//! | [`limiter`] | the exact rolling-window token bucket | no |
//! | `window` | when tokens come back: a rolling window's return instants | no |
//! | `wait_queue` | requests waiting for a token, in arrival order, with tombstones | no |
//! | [`lease`] | the client side of a shared budget: leasing, fallback share, carry | no |
//! | [`ledger`] | the store side of a budget shared across processes (the store protocol) | no |
//! | [`retry`] | retry policy, backoff, `Retry-After` (a date arrives as its instant: `src/js/transport.js` reads it with the platform's `Date`) | no |
//! | [`classify`] | what a response status means | no |
//! | [`url`] | a caller's path checked and joined, origins, redaction, key checks | no |
//! | [`http_checks`] | the key's header name (its syntax), checked at construction | no |
//! | `json` | JSON string literals: the key inside canonical JSON | no |
//! | `text` | strings joined end to end or with a separator, without std's `join` code | no |
//! | [`redact`] | masking the key out of what servers send back, bounding `details` | no |
//! | [`resources`] | every endpoint as a description (method, path, params, envelope): the source the JS endpoint table and the declarations are generated from | no |
//! | `resources_shell` | `__send`, which sends every call, `fetch()`, `request()` or typed, checked and encoded in JS (`src/js/resources.js`, where `fetch`, `request` and the namespace getters, `client.exchange`..., are the class's JS members) | yes |
//! | `options` | the constructor's options (`ClientConfig`): read and checked by `src/js/config.js`, then the key, `baseUrl` and the key header's syntax checked here and the limiter's plan built (a call's own are read in JS) | reads them |
//! | `fallible` | reading outside JS objects through bindings that catch | yes |
//! | `abort` | reading the caller's `AbortSignal` without trusting its getters | yes |
//! | `store` | calling a user's rate-limit store: requests, timeouts, replies, bucket hash | yes |
//! | `bucket` | a key's bucket: in memory, or shared through a store; where a token came from | through `store` |
//! | `waiters` | the queued requests' records: the wait to wake until the grant, then the grant | no |
//! | `realms` | one bucket per key and base URL in a realm, across the package's builds | through `errors.js` |
//! | `store_tasks` | a shared bucket's asks, settles and releases, and `onRateLimitStore` | yes |
//! | `scheduler` | waking the bucket: the one timer, the queued requests' records, `Permit` | yes |
//! | `transport` | one `fetch` attempt in one crossing (`src/js/transport.js`): deadline, signal, body | yes |
//! | `finish` | what a call resolves with: its `Response`, its JSON, nothing, or a list page checked for its envelope | yes |
//! | `pipeline` | a call end to end as one `Task` (a state machine, no Rust future): token, attempt, redirects, retries | yes |
//! | `js_error` | Rust errors become JS `Error` subclasses | yes |
//! | `memory_store` | `MemoryStore`: the store protocol over in-memory ledgers, for JS; its methods are JS (`src/js/memory_store.js`, the stores build's own module), which reads and checks the requests and snapshots and calls the one export `__call` with plain values | yes |
//! | `client` | the exported `ConveyorClient`: a call's path resolved (same origin only) and the key in its headers, one `Task` for every kind | yes |
//! | `access_shell` | `client.checkAccess()`, which hands the client to its JS in `src/js/resources.js` (the groups, the probes, the verdict: a pure function of ten answers, smaller as JS) | yes |
//! | `heap` | the wasm allocator, growing the memory by an eighth at a time | no (wasm only) |
//! | `realm_local` | the realm's globals: `thread_local!` with `std`, statics without | no |
//!
//! The cargo feature `stores` adds `store`, `store_tasks`, `memory_store` and the shared
//! bucket: the `conveyor-client/stores` build. Without it a store option is refused.
//!
//! The cargo feature `std` (default) links the standard library: native builds, the tests
//! and the wasm-bindgen tests use it. The shipped `.wasm` builds without it
//! (`--no-default-features`, `scripts/build.sh`): `core` and `alloc` only, so std's panic
//! machinery, and the `core::fmt` code it formats panic messages with, are not linked
//! (−1.2 KB gzipped on the browser import). Without `std` the crate's globals are plain
//! statics (`realm_local`) and a panic traps at once (the handler below). The shipped build
//! also rebuilds `core` with `panic=immediate-abort` (`scripts/build.sh`), so core's own
//! panics (bounds checks, `RefCell`) trap where they happen, without formatting anything.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]

// Without `std` there is no thread: `realm_local`'s statics rely on that, and the panic
// handler below is wasm's `unreachable`.
#[cfg(all(
    not(feature = "std"),
    not(all(target_arch = "wasm32", not(target_feature = "atomics")))
))]
compile_error!("without the `std` feature the crate builds only for wasm32 without threads");

// `alloc`'s `format!` and `vec!` where std's prelude does not bring them.
#[cfg_attr(not(feature = "std"), macro_use)]
extern crate alloc;

#[macro_use]
mod realm_local;

mod abort;
mod access_shell;
mod bucket;
pub mod classify;
mod client;
pub mod errors;
mod fallible;
mod finish;
mod heap;
pub mod http_checks;
mod js_error;
pub(crate) mod json;
pub mod lease;
pub mod ledger;
pub mod limiter;
#[cfg(feature = "stores")]
mod memory_store;
pub(crate) mod options;
mod pipeline;
mod realms;
pub mod redact;
pub mod resources;
mod resources_shell;
pub mod retry;
mod scheduler;
#[cfg(feature = "stores")]
mod store;
#[cfg(feature = "stores")]
mod store_tasks;
pub(crate) mod text;
mod transport;
pub mod url;
pub(crate) mod wait_queue;
mod waiters;
pub(crate) mod window;

/// A smaller allocator than the standard library's dlmalloc (−2.2 KB gzipped), growing the
/// memory geometrically (`heap`).
/// `unsafe` because it must be the only user of the wasm memory from a single thread, which
/// wasm32-unknown-unknown without threads guarantees.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
#[allow(unsafe_code)]
static ALLOCATOR: talc::Talck<talc::locking::AssumeUnlockable, heap::Growing> =
    talc::Talc::new(heap::Growing::new()).lock();

/// Without `std`, a panic is wasm's `unreachable`: a trap, as `panic = "abort"` made it with
/// std, but without std's handler, which formats the message and location (linking
/// `core::fmt`) for a hook nobody installs in the `.wasm`. The message is never looked at,
/// so nothing formats it.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

pub use client::ConveyorClient;
#[cfg(feature = "stores")]
pub use memory_store::MemoryStore;
