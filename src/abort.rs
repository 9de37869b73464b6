//! Caller cancellation for a request queued for a token: turning an `AbortSignal` into
//! a future its wait polls first. (An attempt races its deadline and the signal in
//! `src/js/transport.js`.)
//!
//! The listener is one JS object that settles a numbered wait (see
//! [`crate::transport::AbortListener`]), not a Rust closure, so nothing leaks when the
//! request finishes first; it is removed on drop all the same, so long-lived signals do not
//! collect listeners. The signal's `aborted` and `reason`
//! are read through catching bindings: a signal is the caller's object.

use crate::fallible;
use crate::transport::AbortListener;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use web_sys::AbortSignal;

/// A future that resolves when the signal aborts; pending forever when there is no signal.
pub(crate) struct AbortWatch {
    signal: Option<AbortSignal>,
    listener: Option<AbortListener>,
}

impl AbortWatch {
    /// Watches `signal` (an `AbortSignal` or `undefined`).
    pub(crate) fn new(signal: Option<AbortSignal>) -> AbortWatch {
        AbortWatch {
            listener: signal.as_ref().map(AbortListener::new),
            signal,
        }
    }

    /// Whether the signal has already fired (a signal whose getter throws has not).
    pub(crate) fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(aborted)
    }
}

/// Whether `signal` has already fired (a signal whose getter throws has not).
pub(crate) fn aborted(signal: &AbortSignal) -> bool {
    fallible::get(signal, "aborted")
        .ok()
        .and_then(|a| a.as_bool())
        .unwrap_or(false)
}

impl Future for AbortWatch {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.aborted() {
            return Poll::Ready(());
        }
        let fired = self.listener.as_mut().is_some_and(|l| l.poll_fired(cx));
        if fired {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
