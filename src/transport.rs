//! One `fetch` attempt, as `src/js/transport.js` performs it in one crossing.
//!
//! The snippet builds the init (`redirect: "manual"`: redirects are the pipeline's, so the
//! key can be kept from other origins), calls `fetch`, races the deadline and the caller's
//! signal and aborts the request when either wins, reads the response's status, type, URL and the few headers the pipeline decides
//! on, and reads and parses a 2xx body when asked, all inside `try`/`catch`: a custom
//! `fetch` may hand back a `Response` whose getters throw, a fake, or a `Proxy`. It never
//! rejects; how the attempt ended is a [`Code`] on the [`Attempt`].
//!
//! Awaiting the snippet goes through [`Wait`], not `JsFuture`: one callback per realm
//! settles numbered waits, where a `JsFuture` makes and registers two callbacks per await.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/src/js/transport.js")]
extern "C" {
    /// One attempt's state and outcome (a JS object owned by the snippet).
    pub(crate) type Attempt;

    #[wasm_bindgen(js_name = setDone)]
    fn set_done(f: &Closure<dyn FnMut(u32, JsValue) -> Result<JsValue, JsValue>>);
    /// Resolves with what `done` returns for `id` when the attempt ends (`done` is given
    /// the attempt).
    #[wasm_bindgen(js_name = attempt)]
    fn start(
        id: u32,
        fetch: &JsValue,
        url: &str,
        method: &str,
        headers: &JsValue,
        body: &JsValue,
        signal: &JsValue,
        ms: f64,
        read: bool,
        cap: f64,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = readBody)]
    fn read_body(id: u32, a: &Attempt, cap: f64, truncate: bool);
    #[wasm_bindgen(js_name = closeAttempt)]
    fn close_attempt(a: &Attempt, cancel: bool);
    /// `[plain, json]`: the per-client header records (see the snippet).
    #[wasm_bindgen(js_name = clientHeaders)]
    pub(crate) fn client_headers(name: &str, key: &str) -> js_sys::Array;
    /// The caller's `headers` merged with the key; `undefined` when not a HeadersInit.
    #[wasm_bindgen(js_name = callHeaders)]
    pub(crate) fn call_headers(init: &JsValue, name: &str, key: &str, json: bool) -> JsValue;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_js(id: u32, ms: f64, signal: &JsValue);
    #[wasm_bindgen(js_name = watchAbort)]
    fn watch_abort(id: u32, signal: &AbortSignal) -> JsValue;
    #[wasm_bindgen(js_name = unwatchAbort)]
    fn unwatch_abort(signal: &AbortSignal, listener: &JsValue);

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
    #[wasm_bindgen(method, getter)]
    pub(crate) fn location(this: &Attempt) -> Option<String>;
    #[wasm_bindgen(method, getter, js_name = retryAfter)]
    pub(crate) fn retry_after(this: &Attempt) -> Option<String>;
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

/// What [`send`] needs for one attempt.
pub(crate) struct Outgoing<'a> {
    /// The client's `fetch` option (`undefined`: the global `fetch`).
    pub fetch: &'a JsValue,
    pub url: &'a str,
    pub method: &'a str,
    pub headers: &'a JsValue,
    /// The body, or `undefined`.
    pub body: &'a JsValue,
    /// The caller's `AbortSignal`, or `undefined`.
    pub signal: &'a JsValue,
    pub timeout_ms: f64,
    /// Read and parse a 2xx body at most this long (`None`: hand it over unread).
    pub read_cap: Option<f64>,
}

/// An attempt in progress or done; dropping it ends it (its deadline, its signal listener
/// and, unless handed over, its unread body).
pub(crate) struct Live {
    pub attempt: Attempt,
    /// Whether dropping it leaves the body alone (`fetch()` handed the response over).
    pub keep_body: bool,
}

impl Live {
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
    /// JSON (`truncate` false) or an error body's text cut at `cap` (`truncate` true).
    pub(crate) async fn read_body(&self, cap: f64, truncate: bool) {
        let wait = Wait::new();
        read_body(wait.id, &self.attempt, cap, truncate);
        wait.await;
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        close_attempt(&self.attempt, !self.keep_body);
    }
}

/// Sends one attempt now and returns the wait for it (the snippet's promise never
/// rejects). Not an `async fn`: the future holds only the wait, not `out`.
pub(crate) fn send(out: &Outgoing<'_>) -> impl Future<Output = Live> {
    let wait = Wait::new();
    // Settles with what `done` returns for a wait: nothing.
    let _ = start_attempt(wait.id, out);
    async move {
        Live {
            attempt: wait.await.unchecked_into(),
            keep_body: false,
        }
    }
}

/// Sends one attempt now, for a call that needs no future until it ends: returns the
/// call's promise, and the handle that says how the call goes on when the attempt ends
/// ([`Then::then`]).
pub(crate) fn send_now(out: &Outgoing<'_>) -> (js_sys::Promise, Then) {
    let wait = Wait::new();
    let promise = start_attempt(wait.id, out);
    let id = wait.id;
    // Its slot is the continuation's from here on.
    std::mem::forget(wait);
    (promise, Then { id })
}

fn start_attempt(id: u32, out: &Outgoing<'_>) -> js_sys::Promise {
    start(
        id,
        out.fetch,
        out.url,
        out.method,
        out.headers,
        out.body,
        out.signal,
        out.timeout_ms,
        out.read_cap.is_some(),
        out.read_cap.unwrap_or(0.0),
    )
}

/// What continues an attempt started by [`send_now`]: given once the attempt has started
/// (a custom `fetch` may call the client again from inside it; nothing is borrowed then).
#[must_use]
pub(crate) struct Then {
    id: u32,
}

/// A call's continuation: the attempt that ended, to the call's value, its typed error,
/// or the promise of the rest of the call.
pub(crate) type Continuation = Box<dyn FnOnce(Live) -> Result<JsValue, JsValue>>;

impl Then {
    /// Runs `f` when the attempt ends, and settles the call's promise with what it returns.
    pub(crate) fn then(self, f: Continuation) {
        replace_waiting(self.id, Slot::Then(f));
    }
}

/// Waits `ms`; `true` when `signal` (an `AbortSignal` or `undefined`) fired first.
pub(crate) async fn sleep(ms: f64, signal: &JsValue) -> bool {
    let wait = Wait::new();
    sleep_js(wait.id, ms, signal);
    wait.await.as_bool() == Some(true)
}

/// A listener on an `AbortSignal`'s abort event that settles a numbered wait: one small JS
/// object per queued request that has a signal (a promise and a pair of closures made a
/// queued request with a signal cost about 0.9 KB more). Dropping it retires the listener
/// (it settles nothing afterwards, even if the signal keeps it: the wait's number is
/// reused), removes it and frees the wait.
pub(crate) struct AbortListener {
    signal: AbortSignal,
    listener: JsValue,
    /// `None` once the event came.
    wait: Option<Wait>,
}

impl AbortListener {
    pub(crate) fn new(signal: &AbortSignal) -> AbortListener {
        let wait = Wait::new();
        let listener = watch_abort(wait.id, signal);
        AbortListener {
            signal: signal.clone(),
            listener,
            wait: Some(wait),
        }
    }

    /// Whether the event has come, leaving `cx`'s waker to be woken by it if not.
    pub(crate) fn poll_fired(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(wait) = self.wait.as_mut() else {
            return true;
        };
        if Pin::new(wait).poll(cx).is_pending() {
            return false;
        }
        // Its slot was freed when it was settled: never polled again.
        if let Some(wait) = self.wait.take() {
            std::mem::forget(wait);
        }
        true
    }
}

impl Drop for AbortListener {
    fn drop(&mut self) {
        unwatch_abort(&self.signal, &self.listener);
        if let Some(wait) = self.wait.take() {
            wait.forget();
        }
    }
}

/// One numbered wait for the snippet: settled by the realm's `done(id, value)` callback.
struct Wait {
    id: u32,
}

enum Slot {
    Free,
    Waiting(Option<Waker>),
    Done(JsValue),
    /// Its future was dropped first: the slot is freed when `done` comes.
    Abandoned,
    /// An attempt started by [`send_now`]: `done` runs this with it.
    Then(Continuation),
}

#[derive(Default)]
struct Waits {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

thread_local! {
    static WAITS: RefCell<Waits> = RefCell::default();
    static HOOKED: Cell<bool> = const { Cell::new(false) };
}

impl Wait {
    fn new() -> Wait {
        if !HOOKED.with(Cell::get) {
            HOOKED.with(|h| h.set(true));
            // Lives as long as the realm: one callback for every wait.
            let done = Closure::<dyn FnMut(u32, JsValue) -> Result<JsValue, JsValue>>::new(settle);
            set_done(&done);
            done.forget();
        }
        let id = WAITS.with(|w| {
            let mut w = w.borrow_mut();
            match w.free.pop() {
                Some(id) => {
                    if let Some(slot) = w.slots.get_mut(id as usize) {
                        *slot = Slot::Waiting(None);
                    }
                    id
                }
                None => {
                    w.slots.push(Slot::Waiting(None));
                    (w.slots.len() - 1) as u32
                }
            }
        });
        Wait { id }
    }
}

/// `done(id, value)`: settles a wait and wakes its future, or runs the continuation of an
/// attempt started by [`send_now`] (what it returns settles the call's promise).
fn settle(id: u32, value: JsValue) -> Result<JsValue, JsValue> {
    let then = WAITS.with(|w| {
        let mut w = w.borrow_mut();
        let slot = w.slots.get_mut(id as usize)?;
        match std::mem::replace(slot, Slot::Free) {
            Slot::Waiting(waker) => {
                *slot = Slot::Done(value);
                waker.map(Err)
            }
            Slot::Then(f) => {
                w.free.push(id);
                Some(Ok((f, value)))
            }
            Slot::Abandoned => {
                w.free.push(id);
                None
            }
            other => {
                *slot = other;
                None
            }
        }
    });
    // With nothing borrowed: the continuation may start calls of its own.
    match then {
        Some(Ok((f, value))) => f(Live {
            attempt: value.unchecked_into(),
            keep_body: false,
        }),
        Some(Err(waker)) => {
            waker.wake();
            Ok(JsValue::UNDEFINED)
        }
        None => Ok(JsValue::UNDEFINED),
    }
}

impl Future for Wait {
    type Output = JsValue;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<JsValue> {
        let id = self.id;
        WAITS.with(|w| {
            let mut w = w.borrow_mut();
            let Some(slot) = w.slots.get_mut(id as usize) else {
                return Poll::Ready(JsValue::UNDEFINED);
            };
            match std::mem::replace(slot, Slot::Free) {
                Slot::Done(v) => {
                    w.free.push(id);
                    Poll::Ready(v)
                }
                Slot::Waiting(_) => {
                    *slot = Slot::Waiting(Some(cx.waker().clone()));
                    Poll::Pending
                }
                other => {
                    *slot = other;
                    Poll::Pending
                }
            }
        })
    }
}

impl Wait {
    /// Ends a wait nobody will settle (its listener is gone): the slot is free at once.
    fn forget(self) {
        replace_waiting(self.id, Slot::Free);
        std::mem::forget(self);
    }
}

/// Puts `new` in wait `id`'s slot while it waits (a wait given up frees a settled slot
/// too, and the slot's number goes back to the free list): the one place a slot is
/// replaced from outside `done` and the wait itself.
fn replace_waiting(id: u32, new: Slot) {
    WAITS.with(|w| {
        let mut w = w.borrow_mut();
        let free = matches!(new, Slot::Free);
        let Some(slot) = w.slots.get_mut(id as usize) else {
            return;
        };
        if matches!(slot, Slot::Waiting(_)) || (free && matches!(slot, Slot::Done(_))) {
            *slot = new;
            if free {
                w.free.push(id);
            }
        }
    });
}

impl Drop for Wait {
    fn drop(&mut self) {
        replace_waiting(self.id, Slot::Abandoned);
    }
}
