//! Reading a response body under the attempt's deadline, the caller's signal and a size
//! cap.
//!
//! `res.text()` would wait for the whole body however slowly it comes and buffer however
//! much there is. Instead the body stream is read chunk by chunk, each read raced against
//! the deadline and the signal, and the bytes counted as they arrive: a stalled or
//! trickling body ends at the deadline, an abort ends it at once, and a body over the cap
//! is cancelled before it is buffered. The body is a runtime's or a custom `fetch`'s
//! object, so every step goes through [`crate::fallible`].

use crate::abort::{race, AbortWatch, Deadline, Raced};
use crate::fallible;
use js_sys::Array;
use wasm_bindgen::JsValue;

/// Why a body was not read to the end.
pub(crate) enum BodyError {
    /// It is larger than the cap; the rest was cancelled.
    TooLarge,
    /// The deadline passed first.
    TimedOut,
    /// The caller's signal fired first.
    Aborted,
    /// The stream failed or handed back something other than bytes.
    Failed(JsValue),
}

/// What a read does at the cap.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum AtCap {
    /// Fail with [`BodyError::TooLarge`].
    Fail,
    /// Keep the first `cap` bytes and stop (for error bodies, read only for `details`).
    Truncate,
}

/// A body read: its bytes and whether it was cut at the cap.
pub(crate) struct Read {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

impl Read {
    /// The bytes as text, as `res.text()` decodes them (UTF-8, a leading BOM dropped,
    /// invalid sequences replaced).
    pub(crate) fn text(&self) -> String {
        let b = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        String::from_utf8_lossy(b).into_owned()
    }
}

/// Reads `res`'s body, at most `cap` bytes (`None`: no cap).
pub(crate) async fn read(
    res: &JsValue,
    cap: Option<usize>,
    at_cap: AtCap,
    watch: &mut AbortWatch,
    deadline: &mut Deadline,
) -> Result<Read, BodyError> {
    let mut out = Read {
        bytes: Vec::new(),
        truncated: false,
    };
    let body = fallible::get(res, "body").map_err(BodyError::Failed)?;
    if body.is_null() || body.is_undefined() {
        return Ok(out);
    }
    let reader = fallible::call(&body, "getReader", &Array::new()).map_err(BodyError::Failed)?;
    let cancel = || {
        if let Ok(p) = fallible::call(&reader, "cancel", &Array::new()) {
            fallible::quiet(&p);
        }
    };
    loop {
        let next = match fallible::call(&reader, "read", &Array::new()) {
            Ok(p) => fallible::future(&p),
            Err(e) => return Err(BodyError::Failed(e)),
        };
        let chunk = match race(next, watch, deadline).await {
            Raced::Done(Ok(chunk)) => chunk,
            Raced::Done(Err(e)) => return Err(BodyError::Failed(e)),
            Raced::Aborted => {
                cancel();
                return Err(BodyError::Aborted);
            }
            Raced::TimedOut => {
                cancel();
                return Err(BodyError::TimedOut);
            }
        };
        let done = fallible::get(&chunk, "done").map_err(BodyError::Failed)?;
        if done.as_bool() == Some(true) {
            return Ok(out);
        }
        let value = fallible::get(&chunk, "value").map_err(BodyError::Failed)?;
        let bytes = match fallible::bytes(&value) {
            Ok(b) => b,
            Err(e) => {
                cancel();
                return Err(BodyError::Failed(e));
            }
        };
        let len = bytes.length() as usize;
        let room = cap.map_or(usize::MAX, |c| c - out.bytes.len().min(c));
        if len > room {
            cancel();
            if at_cap == AtCap::Fail {
                return Err(BodyError::TooLarge);
            }
            out.bytes.extend(bytes.subarray(0, room as u32).to_vec());
            out.truncated = true;
            return Ok(out);
        }
        out.bytes.extend(bytes.to_vec());
    }
}

/// The cap as read from `maxResponseBytes`: `Infinity` means none.
pub(crate) fn cap_from(n: f64) -> Option<usize> {
    (n.is_finite()).then(|| n.min(usize::MAX as f64) as usize)
}
