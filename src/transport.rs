//! One `fetch` attempt, as `src/js/transport.js` performs it in one crossing.
//!
//! The snippet builds the init (`redirect: "manual"`: redirects are the pipeline's, so the
//! key can be kept from other origins), calls `fetch`, races the deadline and the caller's
//! signal and aborts the request when either wins, reads the response's status, type, URL and the few headers the pipeline decides
//! on, and reads and parses a 2xx body when asked, all inside `try`/`catch`: a custom
//! `fetch` may hand back a `Response` whose getters throw, a fake, or a `Proxy`. It never
//! rejects; how the attempt ended is a [`Code`] on the [`Attempt`].
//!
//! A call waits without a Rust future: each wait (an attempt, a body read, a backoff, a
//! queued wait for a token) is a numbered slot holding the call's state ([`Resume`]), and
//! the realm's one `done(id, value)` callback runs its next step when the snippet settles
//! the wait. What the step returns settles the promise the wait was made with (the call's
//! value, its typed error thrown, or the promise of its next wait), so a call's promise is
//! the chain of its waits and nothing in wasm keeps a resolver, a waker or a task.

use alloc::{boxed::Box, string::String, vec::Vec};
use core::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    /// One attempt's state and outcome (a JS object owned by the snippet).
    pub(crate) type Attempt;

    /// Hands the snippet [`done`] and the scheduler's tick. The shipped glue calls it itself
    /// when it loads; only builds whose glue never went through scripts/post-build.mjs call
    /// it from Rust ([`hook`]).
    #[cfg(feature = "std")]
    #[wasm_bindgen(js_name = setDone)]
    fn set_done(done: &JsValue, tick: &JsValue);
    /// Settles with what `done` returns (or throws) for `id` when the attempt ends (`done`
    /// is given the attempt).
    #[wasm_bindgen(js_name = attempt)]
    fn start(
        id: u32,
        fetch: &JsValue,
        prefix: &JsValue,
        path: &JsValue,
        method: &JsValue,
        headers: &JsValue,
        body: &JsValue,
        signal: &JsValue,
        ms: u32,
        plain: u8,
        cap: f64,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = readBody)]
    fn read_body(id: u32, a: &Attempt, cap: f64, truncate: bool) -> js_sys::Promise;
    #[wasm_bindgen(js_name = closeAttempt)]
    fn close_attempt(a: &Attempt, cancel: bool);
    /// A copy of the call's own `Headers` (built in JS) with the key set; `undefined` if the
    /// value is not a `Headers` or that threw. The key never goes into the caller's object.
    #[wasm_bindgen(js_name = callHeaders)]
    pub(crate) fn call_headers(headers: &JsValue, name: &str, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_js(id: u32, ms: f64, signal: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = queued)]
    fn queued_js(id: u32, signal: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = unqueue)]
    fn unqueue_js(id: u32);
    /// Wakes queued wait `id`: its `done` runs in a microtask, never inside the caller.
    #[wasm_bindgen(js_name = wake)]
    pub(crate) fn wake(id: u32);
    /// Also wakes queued wait `id` after `ms`, by a timer of its own.
    #[wasm_bindgen(js_name = arm)]
    pub(crate) fn arm(id: u32, ms: f64);

    #[wasm_bindgen(method, getter)]
    fn k(this: &Attempt) -> u8;
    /// The status (0 before one was read).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn status(this: &Attempt) -> u16;
    /// `type`: `basic`, `cors`, `default`, `opaque`, `opaqueredirect`, `error` (or `""`).
    #[wasm_bindgen(method, getter, js_name = type)]
    pub(crate) fn kind(this: &Attempt) -> String;
    /// The response's URL when it is not the one asked for (`""`: none given).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn url(this: &Attempt) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn redirected(this: &Attempt) -> bool;
    /// Plainly from the URL asked for (see the snippet): the source check would pass it.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn plain(this: &Attempt) -> bool;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn location(this: &Attempt) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = retryAfter)]
    pub(crate) fn retry_after(this: &Attempt) -> Option<String>;
    /// The instant of `retryAfter` when it is an HTTP date (ms since the epoch), else NaN.
    #[wasm_bindgen(method, getter, js_name = retryAt)]
    pub(crate) fn retry_at(this: &Attempt) -> f64;
    #[wasm_bindgen(method, getter, js_name = retryAfterMs)]
    pub(crate) fn retry_after_ms(this: &Attempt) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = requestId)]
    pub(crate) fn request_id(this: &Attempt) -> Option<String>;
    /// The `Response` (for `fetch()`).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn res(this: &Attempt) -> JsValue;
    /// The parsed JSON of a 2xx body read by the snippet (`undefined` when empty).
    #[wasm_bindgen(method, getter)]
    pub(crate) fn value(this: &Attempt) -> JsValue;
    /// What `fetch` or the body threw, or the signal's reason.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn cause(this: &Attempt) -> JsValue;
    /// An error body's text, read for `details`.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn text(this: &Attempt) -> String;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn truncated(this: &Attempt) -> bool;
}

/// How an attempt (or its body read) ended; the numbers are the snippet's `k`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// A response, body unread: status, type, URL (and headers when not 2xx).
    Head,
    /// A body was read: a 2xx's JSON in `value`, or an error body's `text`.
    Body,
    /// `fetch` threw or rejected.
    Network,
    /// The deadline passed first.
    Timeout,
    /// The caller's signal fired first.
    Aborted,
    /// `fetch` resolved with something that is not a `Response`.
    NotAResponse,
    /// Reading the status, type, URL or headers threw.
    BadHead,
    /// The body is over the cap.
    TooLarge,
    /// The body stream failed or held something other than bytes.
    BodyFailed,
    /// The 2xx body is not JSON.
    BadJson,
}

/// What [`attempt`] needs for one attempt.
pub(crate) struct Outgoing<'a> {
    /// The client's `fetch` option (`undefined`: the global `fetch`).
    pub fetch: &'a JsValue,
    /// The URL, as two JS strings the snippet joins: the client's prefix and the caller's
    /// path, or nothing and a whole URL.
    pub prefix: &'a JsValue,
    pub path: &'a JsValue,
    pub method: &'a JsValue,
    pub headers: &'a JsValue,
    /// The body, or `undefined`.
    pub body: &'a JsValue,
    /// The caller's `AbortSignal`, or `undefined`.
    pub signal: &'a JsValue,
    pub timeout_ms: u32,
    /// What the snippet does with a 2xx plainly from the URL asked for.
    pub plain: Plain2xx,
    /// The longest body it reads (`Infinity`: no cap).
    pub cap: f64,
}

/// What the snippet does with a 2xx plainly from the URL asked for (`src/js/transport.js`
/// mirrors the numbers). Such a response passes every rule of [`crate::pipeline`]: the
/// source check (the snippet's `plain` is that rule) and the status. Where the call's value
/// is then the response or its JSON as it is, the snippet resolves the call with it and
/// tells the call only that the attempt ended (`done` with [`ENDED`] in the wait's number,
/// [`Resume::ended`], which settles its token), so the usual call makes no crossings to be
/// handed back what the snippet had.
#[derive(Clone, Copy)]
pub(crate) enum Plain2xx {
    /// The call's value is the `Response`, its body unread (`fetch()`).
    Response = 0,
    /// The body is read within the deadline; the call's value is its JSON.
    Json = 1,
    /// The body is read within the deadline; the call's value is nothing.
    Empty = 2,
    /// The body is read within the deadline; the call's step makes its value.
    Read = 3,
}

/// An attempt in progress or done; dropping it ends it (its deadline, its signal listener
/// and, unless handed over, its unread body).
pub(crate) struct Live {
    pub attempt: Attempt,
    /// Whether dropping it leaves the body alone (`fetch()` handed the response over).
    pub keep_body: bool,
}

impl Live {
    /// The attempt `done` was given.
    pub(crate) fn new(attempt: JsValue) -> Live {
        Live {
            attempt: attempt.unchecked_into(),
            keep_body: false,
        }
    }

    /// How the attempt (or its last body read) ended.
    pub(crate) fn code(&self) -> Code {
        match self.attempt.k() {
            0 => Code::Head,
            1 => Code::Body,
            2 => Code::Network,
            3 => Code::Timeout,
            4 => Code::Aborted,
            5 => Code::NotAResponse,
            6 => Code::BadHead,
            7 => Code::TooLarge,
            8 => Code::BodyFailed,
            _ => Code::BadJson,
        }
    }

    /// Reads the body the attempt left unread, under the same deadline and signal: a 2xx's
    /// JSON (`truncate` false) or an error body's text cut at `cap` (`truncate` true). Wait
    /// `id` is given the attempt when it is read.
    pub(crate) fn read_body(&self, id: u32, cap: f64, truncate: bool) -> js_sys::Promise {
        read_body(id, &self.attempt, cap, truncate)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        close_attempt(&self.attempt, !self.keep_body);
    }
}

/// Sends one attempt now; wait `id` is given the attempt when it ends (the snippet never
/// rejects on its own: the promise settles with what `done` makes of it).
pub(crate) fn attempt(id: u32, out: &Outgoing<'_>) -> js_sys::Promise {
    start(
        id,
        out.fetch,
        out.prefix,
        out.path,
        out.method,
        out.headers,
        out.body,
        out.signal,
        out.timeout_ms,
        out.plain as u8,
        out.cap,
    )
}

/// Waits `ms`; wait `id` is given `true` when `signal` (an `AbortSignal` or `undefined`)
/// fired first.
pub(crate) fn sleep(id: u32, ms: f64, signal: &JsValue) -> js_sys::Promise {
    sleep_js(id, ms, signal)
}

/// A queued call's wait for its token: wait `id` is given `true` when `signal` (an
/// `AbortSignal` or `undefined`) fires, `false` when [`wake`] or the timer [`arm`] sets
/// ends it.
pub(crate) fn queued(id: u32, signal: &JsValue) -> js_sys::Promise {
    queued_js(id, signal)
}

/// Ends queued wait `id` before anything was parked on it (the call had its token after
/// all, or none can come): its listener goes and its number is free again.
pub(crate) fn unqueue(id: u32) {
    unqueue_js(id);
    SLOTS.with(|w| {
        let mut w = w.borrow_mut();
        if let Some(slot @ Slot::Reserved) = w.slots.get_mut(id as usize) {
            *slot = Slot::Free;
            w.free.push(id);
        }
    });
}

/// A call parked on a wait: `done(id, value)` runs its next step with what the wait ended
/// with. What it returns settles the wait's promise: a value, the promise of the next wait,
/// or (`Err`) a typed error thrown.
pub(crate) trait Resume {
    fn resume(self: Box<Self>, value: JsValue) -> Result<JsValue, JsValue>;

    /// The snippet ended the call itself: its attempt brought a plain 2xx whose value the
    /// call resolved with ([`Plain2xx`]). Only a call's attempt is ended so; anything else
    /// parked has nothing to do.
    fn ended(self: Box<Self>) {}
}

/// Set in the wait's number `done` is given when the snippet ended the call itself
/// ([`Resume::ended`]); wait numbers are slot indexes, far below it.
const ENDED: u32 = 1 << 31;

enum Slot {
    Free,
    /// Numbered, its wait being made: the call is parked once the snippet has it.
    Reserved,
    Parked(Box<dyn Resume>),
}

#[derive(Default)]
struct Slots {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

realm_local! {
    static SLOTS: RefCell<Slots> = const { RefCell::new(Slots { slots: Vec::new(), free: Vec::new() }) };
}

/// Makes sure the snippet can call back into this build: [`done`] and the scheduler's tick.
///
/// The shipped glue hands the snippet its own exports when it loads
/// (`setDone(__done, __tick)`, appended by scripts/post-build.mjs), so the shipped `.wasm`
/// makes no JS function at run time: a wasm-bindgen `Closure` costs it invoke shims, vtable
/// shims and destructors, and the glue `makeMutClosure` and a `FinalizationRegistry`. Only
/// builds with `std` (the wasm-bindgen tests, whose glue is wasm-bindgen's own and never goes
/// through post-build) make two closures that call the same exports, once.
pub(crate) fn hook() {
    #[cfg(feature = "std")]
    {
        realm_local! {
            static HOOKED: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
        }
        if !HOOKED.with(|h| h.replace(true)) {
            let on_done = Closure::<dyn FnMut(u32, JsValue) -> Result<JsValue, JsValue>>::new(done);
            let on_tick = Closure::<dyn FnMut(u32)>::new(crate::scheduler::tick);
            set_done(on_done.as_ref(), on_tick.as_ref());
            // Both live as long as the realm.
            on_done.forget();
            on_tick.forget();
        }
    }
}

/// A number for a new wait. The call is [`park`]ed on it once the wait is made, since
/// making it may call outside code (a custom `fetch`, a signal subclass) that starts calls
/// of its own.
pub(crate) fn reserve() -> u32 {
    hook();
    SLOTS.with(|w| {
        let mut w = w.borrow_mut();
        match w.free.pop() {
            Some(id) => {
                if let Some(slot) = w.slots.get_mut(id as usize) {
                    *slot = Slot::Reserved;
                }
                id
            }
            None => {
                w.slots.push(Slot::Reserved);
                (w.slots.len() - 1) as u32
            }
        }
    })
}

/// Parks `call` on wait `id` (from [`reserve`]) until `done(id, value)`.
pub(crate) fn park(id: u32, call: Box<dyn Resume>) {
    SLOTS.with(|w| {
        if let Some(slot) = w.borrow_mut().slots.get_mut(id as usize) {
            if matches!(slot, Slot::Reserved) {
                *slot = Slot::Parked(call);
            }
        }
    });
}

/// `done(id, value)`: runs the next step of the call parked on `id`, with nothing borrowed
/// (the step may start calls of its own); the wait's number is free again first. A number
/// with nothing parked on it (never reserved, settled already) is nothing to do.
///
/// Exported for the snippet alone (the glue hands it over at load, [`hook`]), never part of
/// the package's surface: scripts/post-build.mjs keeps it out of every entry.
#[wasm_bindgen(js_name = __done)]
pub fn done(id: u32, value: JsValue) -> Result<JsValue, JsValue> {
    let ended = id & ENDED != 0;
    let id = id & !ENDED;
    let parked = SLOTS.with(|w| {
        let mut w = w.borrow_mut();
        let slot = w.slots.get_mut(id as usize)?;
        if !matches!(slot, Slot::Parked(_)) {
            return None;
        }
        let Slot::Parked(call) = core::mem::replace(slot, Slot::Free) else {
            return None;
        };
        w.free.push(id);
        Some(call)
    });
    match parked {
        Some(call) if ended => {
            call.ended();
            Ok(JsValue::UNDEFINED)
        }
        Some(call) => call.resume(value),
        None => Ok(JsValue::UNDEFINED),
    }
}
