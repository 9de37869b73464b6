//! `client.checkAccess()`: the method on the client, and nothing else. Everything it does is
//! in `src/js/resources.js` (`checkAccess`): the groups, the options, the probe loop, the
//! verdict and its messages. The verdict is a pure function of ten answers and the rest is
//! calls of `client.fetch`; as Rust the table, the verdict, the messages and the option
//! checks cost the `.wasm` 1.7 KB gzipped, about three times what they cost as JS. Being JS,
//! they are tested against the shipped package (`tests/e2e/access-verdict.test.mjs`,
//! `tests/e2e/access.test.mjs`), not natively.

use crate::client::ConveyorClient;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/resources.js")]
extern "C" {
    #[wasm_bindgen(js_name = checkAccess)]
    fn check_access_js(client: JsValue, options: JsValue) -> Promise;
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
        // A handle of its own: the JS holds the client across the probes' awaits.
        check_access_js(JsValue::from(self.handle()), options)
    }
}
