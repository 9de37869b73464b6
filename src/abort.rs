//! Caller cancellation: turning an `AbortSignal` into something Rust futures can race.
//!
//! The listener is the JS `resolve` function of a promise, not a Rust closure, so nothing
//! leaks when the request finishes first; [`AbortWatch`] removes it on drop all the same,
//! so long-lived signals do not collect listeners.

use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, AddEventListenerOptions};

/// A future that resolves (with the signal's `reason`) when the signal aborts; pending
/// forever when there is no signal.
pub(crate) struct AbortWatch {
    signal: Option<AbortSignal>,
    listener: Option<Function>,
    fired: Option<JsFuture>,
}

impl AbortWatch {
    /// Watches `signal` (an `AbortSignal` or `undefined`).
    pub(crate) fn new(signal: Option<AbortSignal>) -> AbortWatch {
        let Some(signal) = signal else {
            return AbortWatch {
                signal: None,
                listener: None,
                fired: None,
            };
        };
        let mut listener = None;
        let promise = Promise::new(&mut |resolve, _reject| {
            let opts = AddEventListenerOptions::new();
            opts.set_once(true);
            let _ = signal.add_event_listener_with_callback_and_add_event_listener_options(
                "abort", &resolve, &opts,
            );
            listener = Some(resolve);
        });
        AbortWatch {
            signal: Some(signal),
            listener,
            fired: Some(JsFuture::from(promise)),
        }
    }

    /// Whether the signal has already fired.
    pub(crate) fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }

    /// The signal's `reason`, for the error's `cause`.
    pub(crate) fn reason(&self) -> Option<JsValue> {
        self.signal.as_ref().map(AbortSignal::reason)
    }
}

impl Future for AbortWatch {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.aborted() {
            return Poll::Ready(());
        }
        match self.fired.as_mut() {
            Some(f) => Pin::new(f).poll(cx).map(|_| ()),
            None => Poll::Pending,
        }
    }
}

impl Drop for AbortWatch {
    fn drop(&mut self) {
        if let (Some(signal), Some(listener)) = (&self.signal, &self.listener) {
            let _ = signal.remove_event_listener_with_callback("abort", listener);
        }
    }
}

/// How a race between some work and a cancellation ended.
pub(crate) enum Raced<T> {
    /// The work finished first.
    Done(T),
    /// The signal fired first; the work future was dropped.
    Aborted,
}

/// Polls `watch` and `work` together; whichever is ready first wins (the signal is looked
/// at first, so an already-aborted signal never lets the work start).
pub(crate) async fn race<F: Future>(work: F, watch: &mut AbortWatch) -> Raced<F::Output> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(|cx| {
        if Pin::new(&mut *watch).poll(cx).is_ready() {
            return Poll::Ready(Raced::Aborted);
        }
        work.as_mut().poll(cx).map(Raced::Done)
    })
    .await
}
