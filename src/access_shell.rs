//! `client.checkAccess()`: the probes of [`crate::access`] sent through the client.
//!
//! Each probe is an ordinary `client.fetch` (limiter, retries, typed errors), at most
//! [`MAX_PARALLEL`] in flight; a probe's 403 becomes `read: "forbidden"` instead of a
//! rejection, and the verdict over all of them is attached to the result.

use crate::access::{self, Read, GROUPS, MAX_PARALLEL, PROBE_QUERY};
use crate::client::ConveyorClient;
use crate::errors::{Error, ErrorKind};
use crate::js_error;
use crate::options;
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{AbortSignal, Response};

/// One probe's answer: its read, its status when a response arrived, and the error when
/// it rejected.
struct Probe {
    read: Read,
    status: Option<u16>,
    error: Option<JsValue>,
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
        let client = self.handle();
        future_to_promise(async move {
            let init = probe_init(&options).map_err(|e| js_error::to_js(&e))?;
            let probes = run_probes(client, init).await?;
            if let Some(abort) = probes.iter().find_map(aborted) {
                return Err(abort);
            }
            Ok(to_result(&probes).into())
        })
    }
}

/// The `init` each probe's `fetch` gets: the caller's `signal` and `timeoutMs`, checked.
fn probe_init(opts: &JsValue) -> Result<JsValue, Error> {
    let invalid = |m: &str| Error::new(ErrorKind::Validation, format!("checkAccess: {m}"));
    if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
        return Err(invalid("the options must be an object"));
    }
    let init = Object::new();
    if let Some(s) = options::get(opts, "signal") {
        if !s.is_instance_of::<AbortSignal>() {
            return Err(invalid("`signal` must be an AbortSignal"));
        }
        let _ = Reflect::set(&init, &"signal".into(), &s);
    }
    if let Some(t) = options::get(opts, "timeoutMs") {
        let n = t
            .as_f64()
            .ok_or_else(|| invalid("`timeoutMs` must be a number"))?;
        options::check_number("timeoutMs", n, 1.0, false).map_err(|e| invalid(&e.message))?;
        let _ = Reflect::set(&init, &"timeoutMs".into(), &t);
    }
    Ok(init.into())
}

/// Runs every probe, [`MAX_PARALLEL`] workers taking the next group in turn.
async fn run_probes(client: ConveyorClient, init: JsValue) -> Result<Vec<Probe>, JsValue> {
    let client = Rc::new(client);
    let next = Rc::new(Cell::new(0usize));
    let done: Rc<RefCell<Vec<Option<Probe>>>> =
        Rc::new(RefCell::new(GROUPS.iter().map(|_| None).collect()));
    let workers = Array::new();
    for _ in 0..MAX_PARALLEL {
        let (client, next, done, init) = (
            Rc::clone(&client),
            Rc::clone(&next),
            Rc::clone(&done),
            init.clone(),
        );
        workers.push(&future_to_promise(async move {
            loop {
                let i = next.get();
                let Some(group) = GROUPS.get(i) else { break };
                next.set(i + 1);
                let probe = probe(&client, group, &init).await;
                let stop = aborted(&probe).is_some();
                if let Some(slot) = done.borrow_mut().get_mut(i) {
                    *slot = Some(probe);
                }
                if stop {
                    break;
                }
            }
            Ok(JsValue::UNDEFINED)
        }));
    }
    JsFuture::from(Promise::all(&workers)).await?;
    let probes = done.take();
    Ok(probes
        .into_iter()
        .map(|p| {
            // A group no worker reached (one stopped on an abort) counts as unchecked.
            p.unwrap_or(Probe {
                read: Read::Error,
                status: None,
                error: None,
            })
        })
        .collect())
}

/// One probe: a GET of the group's first record, its body read and dropped.
async fn probe(client: &ConveyorClient, group: &access::Group, init: &JsValue) -> Probe {
    let path = JsValue::from_str(&format!("{}{PROBE_QUERY}", group.path));
    match JsFuture::from(client.fetch(path, init.clone())).await {
        Ok(res) => {
            let res: Response = res.unchecked_into();
            // Read to the end so the connection is free for the next probe.
            if let Ok(text) = res.text() {
                let _ = JsFuture::from(text).await;
            }
            Probe {
                read: Read::Ok,
                status: Some(res.status()),
                error: None,
            }
        }
        Err(e) => {
            let code = Reflect::get(&e, &"code".into())
                .ok()
                .and_then(|c| c.as_string());
            let status = Reflect::get(&e, &"status".into())
                .ok()
                .and_then(|s| s.as_f64())
                .filter(|s| (100.0..=999.0).contains(s))
                .map(|s| s as u16);
            Probe {
                read: Read::from_error_code(Some(code.as_deref().unwrap_or(""))),
                status,
                error: Some(e),
            }
        }
    }
}

/// The probe's error when it was the caller's abort.
fn aborted(p: &Probe) -> Option<JsValue> {
    let e = p.error.as_ref()?;
    let code = Reflect::get(e, &"code".into()).ok()?.as_string()?;
    (code == ErrorKind::Aborted.code()).then(|| e.clone())
}

/// The array `checkAccess` resolves with.
fn to_result(probes: &[Probe]) -> Array {
    let out = Array::new();
    for (group, p) in GROUPS.iter().zip(probes) {
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("resource", group.resource.into());
        set("path", group.path.into());
        set("read", p.read.as_str().into());
        set(
            "status",
            p.status
                .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        );
        // A 403 says all there is to say; only other failures carry their error.
        if p.read == Read::Error {
            if let Some(e) = &p.error {
                set("error", e.clone());
            }
        }
        out.push(&o);
    }
    let reads: Vec<Read> = probes.iter().map(|p| p.read).collect();
    let verdict = access::verdict(&reads);
    let _ = Reflect::set(&out, &"verdict".into(), &verdict.code().into());
    let _ = Reflect::set(&out, &"message".into(), &verdict.message().into());
    out
}
