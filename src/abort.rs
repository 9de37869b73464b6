//! Caller cancellation for a request queued for a token: turning an `AbortSignal` into
//! a future its wait polls first. (An attempt races its deadline and the signal in
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
