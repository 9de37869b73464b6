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

/// A GET of `path` resolving with the `Response`, as `client.fetch(path, { signal })` sends
/// it: `fetch()` is a JS method (src/js/resources.js, installed by the build) that checks its
/// arguments and ends in the client's `__send`, which these tests call directly.
pub fn get(c: &ConveyorClient, path: &str, signal: JsValue) -> js_sys::Promise {
    const RESPONSE: u8 = 4;
    let no_body = JsValue::UNDEFINED;
    let client_headers = JsValue::UNDEFINED;
    c.send(
        "GET".into(),
        path.into(),
        no_body,
        false,
        signal,
        None,
        RESPONSE,
        JsValue::from_str(""),
        client_headers,
    )
}

pub fn field(v: &JsValue, name: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(name)).unwrap()
}

#[wasm_bindgen_test]
async fn authenticated_fetch_resolves_with_a_response() {
    let res = JsFuture::from(get(
        &client(FULL_KEY),
        "/exchange/connections",
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap();
    let res: web_sys::Response = res.dyn_into().unwrap();
    assert_eq!(res.status(), 200);
}

#[wasm_bindgen_test]
async fn a_403_rejects_with_the_auth_error_class() {
    let err = JsFuture::from(get(
        &client(INACTIVE_KEY),
        "/exchange/connections",
        JsValue::UNDEFINED,
    ))
    .await
    .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(
        field(&err, "name").as_string().as_deref(),
        Some("ConveyorAuthError")
    );
    assert_eq!(
        field(&err, "code").as_string().as_deref(),
        Some("forbidden")
    );
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
        let err = ConveyorClient::new(o)
            .err()
            .expect("construction must fail");
        assert_eq!(
            field(&err, "name").as_string().as_deref(),
            Some("ConveyorConfigError")
        );
    }
}

fn limited_client(limit: u32, window_ms: f64) -> ConveyorClient {
    let rl = opts(&[
        ("limit", JsValue::from_f64(f64::from(limit))),
        ("windowMs", JsValue::from_f64(window_ms)),
        ("shared", JsValue::FALSE),
    ]);
    let base = format!("{}/api/v2", sandbox());
    ConveyorClient::new(opts(&[
        ("apiKey", FULL_KEY.into()),
        ("baseUrl", base.into()),
        ("rateLimit", rl),
    ]))
    .unwrap_or_else(|_| panic!("client construction failed"))
}

/// The sandbox answers a request carrying these headers `ms` late (its `latency` fault).
fn late_by(ms: u32) -> JsValue {
    let init = opts(&[("X-Sandbox-Fault", format!("latency={ms}").into())]);
    let headers = Reflect::get(&js_sys::global(), &"Headers".into()).unwrap();
    Reflect::construct(
        headers.unchecked_ref::<js_sys::Function>(),
        &js_sys::Array::of1(&init),
    )
    .unwrap()
}

/// A window runs from its token's response, not from its request: the first answer comes
/// 200 ms late, so the queued second request cannot end before 200 + 300 ms from the start
/// (it would at 300 ms if the window ran from the request). Only lower bounds on time since
/// the start, which a loaded machine cannot break.
#[wasm_bindgen_test]
async fn the_timer_wakes_a_queued_request_one_window_after_the_first_response() {
    let c = limited_client(1, 300.0);
    let t0 = js_sys::Date::now();
    let first = c.send(
        "GET".into(),
        "/exchange/access_groups".into(),
        JsValue::UNDEFINED,
        false,
        JsValue::UNDEFINED,
        None,
        4,
        JsValue::from_str(""),
        late_by(200),
    );
    JsFuture::from(first).await.unwrap();
    JsFuture::from(get(&c, "/exchange/access_groups", JsValue::UNDEFINED))
        .await
        .unwrap();
    let waited = js_sys::Date::now() - t0;
    assert!(waited >= 499.0, "done after {waited} ms");
    assert!(waited < 5000.0, "done after {waited} ms");
    let state = c.rate_limit_state();
    assert_eq!(field(&state, "queued").as_f64(), Some(0.0));
    assert_eq!(field(&state, "inFlight").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn an_abort_signal_removes_a_queued_request_at_once() {
    let c = limited_client(1, 60_000.0);
    JsFuture::from(get(&c, "/exchange/access_groups", JsValue::UNDEFINED))
        .await
        .unwrap();
    let controller = web_sys::AbortController::new().unwrap();
    let pending = JsFuture::from(get(
        &c,
        "/exchange/access_groups",
        controller.signal().into(),
    ));
    gloo_timers::future::TimeoutFuture::new(20).await;
    assert_eq!(field(&c.rate_limit_state(), "queued").as_f64(), Some(1.0));
    let t0 = js_sys::Date::now();
    controller.abort();
    let err = pending.await.unwrap_err();
    assert_eq!(field(&err, "code").as_string().as_deref(), Some("aborted"));
    assert!(
        js_sys::Date::now() - t0 < 1000.0,
        "rejected at once, not after the window"
    );
    assert_eq!(field(&c.rate_limit_state(), "queued").as_f64(), Some(0.0));
}
