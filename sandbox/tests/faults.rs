//! Every fault mode, by header and by flag, and `times=N`.

mod common;

use common::Sandbox;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test]
async fn status_and_times() {
    let sb = Sandbox::start(&[]);
    for code in [500, 502, 503, 504] {
        let r = sb
            .get("/exchange/access_groups")
            .header("X-Sandbox-Fault", format!("status={code}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), code);
        let e: Value = r.json().await.expect("JSON");
        assert!(e["error"].is_string() && e["message"].is_string(), "{e}");
    }
    // times=2: the first two requests with this spec and id fail, the third passes.
    let send = |id: &'static str| {
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "status=503;times=2")
            .header("X-Sandbox-Fault-Id", id)
            .send()
    };
    assert_eq!(send("a").await.expect("sent").status(), 503);
    assert_eq!(send("a").await.expect("sent").status(), 503);
    assert_eq!(send("a").await.expect("sent").status(), 200);
    assert_eq!(
        send("b").await.expect("sent").status(),
        503,
        "another id counts apart"
    );
    // A faulted write does not happen.
    common::expect_status(
        sb.req(Method::POST, "/exchange/folders")
            .header("X-Sandbox-Fault", "status=502")
            .json(&json!({ "name": "x" })),
        502,
    )
    .await;
    let folders = sb.json("/exchange/folders").await;
    assert_eq!(common::items(&folders, "folders").len(), 6);
    // Auth comes before faults.
    common::expect_status(
        sb.http
            .get(sb.api("/exchange/access_groups"))
            .header("X-Sandbox-Fault", "status=500"),
        403,
    )
    .await;
    let r = sb
        .get("/exchange/access_groups")
        .header("X-Sandbox-Fault", "explode")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 400, "a bad spec is a 400");
}

#[tokio::test]
async fn rate_limit_faults() {
    let sb = Sandbox::start(&[]);
    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "rate_limit"),
        429,
    )
    .await;
    assert!(r.headers().get("retry-after").is_none());
    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "rate_limit=7"),
        429,
    )
    .await;
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("7")
    );
    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "rate_limit_date=120"),
        429,
    )
    .await;
    let date = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        date.ends_with(" GMT") && date.len() == 29,
        "IMF-fixdate: {date}"
    );
    let stats = sb.admin("stats").await;
    assert_eq!(
        stats["keys"]["full"]["rate_limited"], 0,
        "injected 429s are not the limiter's"
    );
}

#[tokio::test]
async fn reset_is_a_network_error() {
    let sb = Sandbox::start(&[]);
    let e = sb
        .get("/exchange/access_groups")
        .header("X-Sandbox-Fault", "reset")
        .send()
        .await;
    assert!(e.is_err(), "the connection closes without a response");
    let r = sb
        .req(Method::POST, "/exchange/folders")
        .header("X-Sandbox-Fault", "reset;times=1")
        .header("X-Sandbox-Fault-Id", "r")
        .json(&json!({ "name": "r" }))
        .send()
        .await;
    assert!(r.is_err());
    let r = sb
        .req(Method::POST, "/exchange/folders")
        .header("X-Sandbox-Fault", "reset;times=1")
        .header("X-Sandbox-Fault-Id", "r")
        .json(&json!({ "name": "r" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 201, "times=1: the second one is served");
    let log = sb.admin("requests").await;
    assert_eq!(log[0]["status"], 0, "a reset is logged with status 0");
}

#[tokio::test]
async fn body_faults() {
    let sb = Sandbox::start(&[]);
    let real = sb
        .get("/exchange/access_groups")
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");

    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "truncated"),
        200,
    )
    .await;
    assert_eq!(
        r.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let body = r.bytes().await.expect("body");
    assert_eq!(&body[..], &real[..real.len() / 2]);
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "malformed"),
        200,
    )
    .await;
    assert_eq!(
        r.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    assert_eq!(&r.bytes().await.expect("body")[..], b"{not json");

    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "wrong_shape"),
        200,
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.expect("JSON"),
        json!({ "unexpected": true })
    );

    let started = Instant::now();
    let r = common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "drip=400"),
        200,
    )
    .await;
    let body = r.bytes().await.expect("body");
    assert_eq!(&body[..], &real[..], "the real body, dripped");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn latency_and_redirect() {
    let sb = Sandbox::start(&[]);
    let started = Instant::now();
    common::expect_status(
        sb.get("/exchange/access_groups")
            .header("X-Sandbox-Fault", "latency=300"),
        200,
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let r = sb
        .get("/exchange/access_groups")
        .header("X-Sandbox-Fault", "latency=50;status=503")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 503);

    let r = common::expect_status(
        sb.get("/exchange/access_groups").header(
            "X-Sandbox-Fault",
            "redirect=http://other.example:9/api/v2/x",
        ),
        302,
    )
    .await;
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("http://other.example:9/api/v2/x")
    );
}

#[tokio::test]
async fn fault_flag_applies_to_every_api_request() {
    let sb = Sandbox::start(&["--fault", "status=503;times=1"]);
    assert_eq!(
        sb.get("/exchange/access_groups")
            .send()
            .await
            .expect("sent")
            .status(),
        503
    );
    assert_eq!(
        sb.get("/exchange/access_groups")
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );
    let r = sb
        .get("/exchange/access_groups")
        .header("X-Sandbox-Fault", "wrong_shape")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        r.json::<Value>().await.expect("JSON"),
        json!({ "unexpected": true }),
        "the header wins"
    );
    let r = sb
        .http
        .get(format!("{}/_sandbox/stats", sb.url))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200, "admin routes have no faults");
}
