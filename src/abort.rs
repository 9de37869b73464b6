//! The caller's `AbortSignal`, read without trusting it: a signal is the caller's object,
//! and its `aborted` getter may throw.
//!
//! Who listens for it: an attempt, a body read and a backoff race it in
//! `src/js/transport.js`; a call queued for a token has its wait's own listener there
//! (`queued`), which runs the call's next step, where [`aborted`] is read again (a signal
//! that refuses the listener is only looked at then).

use crate::fallible;
use web_sys::AbortSignal;

/// Whether `signal` has already fired (a signal whose getter throws has not).
pub(crate) fn aborted(signal: &AbortSignal) -> bool {
    fallible::get(signal, "aborted")
        .ok()
        .and_then(|a| a.as_bool())
        .unwrap_or(false)
}
