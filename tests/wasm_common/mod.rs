//! The JS-shell tests, shared by `wasm_node.rs` and `wasm_browser.rs` (same tests, two runtimes).
//! They talk to a real sandbox whose URL was fixed at compile time (scripts/with-sandbox.sh).

use conveyor_client::ConveyorClient;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

pub const FULL_KEY: &str = "sk_test_full_0123456789abcdef";
pub const INACTIVE_KEY: &str = "sk_test_inactive_0123456789";

pub fn sandbox() -> &'static str {
    option_env!("SANDBOX_URL").unwrap_or("http://127.0.0.1:9")
}

pub fn opts(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

pub fn client(key: &str) -> ConveyorClient {
    let base = format!("{}/api/v2", sandbox());
    ConveyorClient::new(opts(&[("apiKey", key.into()), ("baseUrl", base.into())]))
        .unwrap_or_else(|_| panic!("client construction failed"))
}

pub fn field(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap()
}

#[wasm_bindgen_test]
async fn authenticated_fetch_resolves_with_a_response() {
    let res = JsFuture::from(client(FULL_KEY).fetch("/exchange/connections".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    let res: web_sys::Response = res.dyn_into().unwrap();
    assert_eq!(res.status(), 200);
}

#[wasm_bindgen_test]
async fn a_403_rejects_with_the_auth_error_class() {
    let err = JsFuture::from(client(INACTIVE_KEY).fetch("/exchange/connections".into(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(field(&err, "name").as_string().as_deref(), Some("ConveyorAuthError"));
    assert_eq!(field(&err, "code").as_string().as_deref(), Some("forbidden"));
    assert_eq!(field(&err, "status").as_f64(), Some(403.0));
    let message = field(&err, "message").as_string().unwrap();
    assert!(!message.contains(INACTIVE_KEY));
}

#[wasm_bindgen_test]
fn bad_options_throw_a_config_error() {
    for o in [
        JsValue::UNDEFINED,
        opts(&[("apiKey", "".into())]),
        opts(&[("apiKey", FULL_KEY.into()), ("baseUrl", "::nope".into())]),
        opts(&[("apiKey", JsValue::from_f64(3.0))]),
    ] {
        let err = ConveyorClient::new(o).err().expect("construction must fail");
        assert_eq!(field(&err, "name").as_string().as_deref(), Some("ConveyorConfigError"));
    }
}
