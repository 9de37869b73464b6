//! Caller cancellation for a request queued for a token: turning an `AbortSignal` into
//! something Rust futures can race. (An attempt races its deadline and the signal in
//! `src/js/transport.js`.)
//!
//! The listener is the JS `resolve` function of a promise, not a Rust closure, so nothing
//! leaks when the request finishes first; [`AbortWatch`] removes it on drop all the same,
//! so long-lived signals do not collect listeners. The signal's `aborted` and `reason`
//! are read through catching bindings: a signal is the caller's object.

use crate::fallible;
use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
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

    /// Whether the signal has already fired (a signal whose getter throws has not).
    pub(crate) fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(|s| {
            fallible::get(s, "aborted")
                .ok()
                .and_then(|a| a.as_bool())
                .unwrap_or(false)
        })
    }
}

/// A deadline for [`race`]: the one left is a queued request's, which never passes (its
/// wait ends with a token or the signal).
pub(crate) struct Deadline(());

impl Deadline {
    /// A deadline that never passes.
    pub(crate) fn never() -> Deadline {
        Deadline(())
    }
}

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
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

/// How a race between some work, a cancellation and a deadline ended.
pub(crate) enum Raced<T> {
    /// The work finished first.
    Done(T),
    /// The signal fired first; the work future was dropped.
    Aborted,
    /// The deadline passed first; the work future was dropped.
    TimedOut,
}

/// Polls `watch`, `deadline` and `work` together; whichever is ready first wins (the
/// signal is looked at first, so an already-aborted signal never lets the work start).
/// Nothing here relies on the work honouring a signal: it is simply no longer polled.
pub(crate) async fn race<F: Future>(
    work: F,
    watch: &mut AbortWatch,
    deadline: &mut Deadline,
) -> Raced<F::Output> {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(|cx| {
        if Pin::new(&mut *watch).poll(cx).is_ready() {
            return Poll::Ready(Raced::Aborted);
        }
        if Pin::new(&mut *deadline).poll(cx).is_ready() {
            return Poll::Ready(Raced::TimedOut);
        }
        work.as_mut().poll(cx).map(Raced::Done)
    })
    .await
}
