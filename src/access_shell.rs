//! `client.checkAccess()`: the probes of [`crate::access`] sent through the client.
//!
//! Rust checks the options and hands the group table and the bound to the probe loop in
//! `src/js/resources.js` (each probe an ordinary `client.fetch`: limiter, retries, typed
//! errors), which asks `__accessVerdict` for [`access::verdict`] over the answers. The loop
//! is JS because an async Rust loop cost twice the bytes in the `.wasm`.

use crate::access::{self, Read, GROUPS, MAX_PARALLEL, PROBE_QUERY};
use crate::client::ConveyorClient;
use crate::errors::{Error, ErrorKind};
use crate::js_error;
use crate::options;
use crate::text::Cat;
use alloc::vec::Vec;
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/src/js/resources.js")]
extern "C" {
    #[wasm_bindgen(js_name = runProbes)]
    fn run_probes(
        client: JsValue,
        groups: &Array,
        query: &str,
        parallel: u32,
        init: &JsValue,
    ) -> Promise;
}

#[wasm_bindgen]
impl ConveyorClient {
    /// Probes every resource group with its cheapest read (the first page of one record)
    /// and resolves with one entry per group, `{ resource, path, read: "ok" | "forbidden"
    /// | "error", status, error? }`, plus `verdict` (`"ok"`, `"invalid_key"`,
    /// `"missing_permissions"`, `"incomplete"`) and `message` on the array. Never writes.
    /// Takes `{ signal, timeoutMs }`; rejects only on bad options or when aborted.
    #[wasm_bindgen(js_name = checkAccess)]
    pub fn check_access(&self, options: JsValue) -> Promise {
        let init = match probe_init(&options) {
            Ok(init) => init,
            Err(e) => return Promise::reject(&js_error::to_js(&e)),
        };
        let groups = Array::new();
        for g in GROUPS {
            groups.push(&Array::of2(&g.resource.into(), &g.path.into()));
        }
        run_probes(
            JsValue::from(self.handle()),
            &groups,
            PROBE_QUERY,
            MAX_PARALLEL as u32,
            &init,
        )
    }

    /// Internal: the verdict over the probes' reads (`"ok,forbidden,..."`, in the order of
    /// the groups), `[code, message]`, for the probe loop.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __accessVerdict)]
    pub fn access_verdict(&self, reads: JsValue) -> Array {
        let reads: Vec<Read> = reads
            .as_string()
            .unwrap_or_default()
            .split(',')
            .map(|r| Read::parse(Some(r)))
            .collect();
        let v = access::verdict(&reads);
        Array::of2(&v.code().into(), &v.message().into())
    }
}

/// The `init` each probe's `fetch` gets: the caller's `signal` and `timeoutMs`, checked.
fn probe_init(opts: &JsValue) -> Result<JsValue, Error> {
    let invalid = |m: &str| Error::new(ErrorKind::Validation, ["checkAccess: ", m].cat());
    if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
        return Err(invalid("the options must be an object"));
    }
    let init = Object::new();
    if let Some(s) = options::get(opts, "signal").map_err(options::per_call)? {
        if !s.is_instance_of::<AbortSignal>() {
            return Err(invalid("`signal` must be an AbortSignal"));
        }
        let _ = Reflect::set(&init, &"signal".into(), &s);
    }
    if let Some(t) = options::get(opts, "timeoutMs").map_err(options::per_call)? {
        let n = t
            .as_f64()
            .ok_or_else(|| invalid("`timeoutMs` must be a number"))?;
        options::check_number("timeoutMs", n, 1.0, false).map_err(|e| invalid(&e.message))?;
        options::check_delay("timeoutMs", n).map_err(|e| invalid(&e.message))?;
        let _ = Reflect::set(&init, &"timeoutMs".into(), &t);
    }
    Ok(init.into())
}
