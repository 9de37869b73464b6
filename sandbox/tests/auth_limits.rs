//! Keys (every 403 case), the exact rolling-window rate limit, bad inputs and CORS.

mod common;

use common::{Sandbox, BENCH, FULL, INACTIVE, READONLY};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn assert_403(r: reqwest::Response, what: &str) {
    assert_eq!(r.status(), 403, "{what}");
    assert!(
        r.headers().get("content-type").is_none(),
        "{what}: no Content-Type"
    );
    assert_eq!(
        r.headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"*"[..])
    );
    assert_eq!(
        r.bytes().await.map(|b| b.len()).unwrap_or(1),
        0,
        "{what}: empty body"
    );
}

#[tokio::test]
async fn every_403_case() {
    let sb = Sandbox::start(&[]);
    let path = sb.api("/exchange/connections");
    assert_403(
        sb.http.get(&path).send().await.expect("sent"),
        "missing key",
    )
    .await;
    assert_403(
        sb.http
            .get(&path)
            .header("X-API-KEY", "sk_live_nope")
            .send()
            .await
            .expect("sent"),
        "unknown key",
    )
    .await;
    assert_403(
        sb.http
            .get(&path)
            .header("X-API-KEY", INACTIVE)
            .send()
            .await
            .expect("sent"),
        "inactive key",
    )
    .await;
    assert_403(
        sb.http
            .get(&path)
            .header("X-API-KEY", "")
            .send()
            .await
            .expect("sent"),
        "empty key",
    )
    .await;
    assert_403(
        sb.http
            .get(sb.api("/no/such/route"))
            .send()
            .await
            .expect("sent"),
        "unknown route, no key",
    )
    .await;

    // The read-only key reads everything and writes nothing.
    for p in [
        "/exchange/connections",
        "/exchange/authorizations",
        "/questionnaires",
        "/knowledge_base/questions",
        "/interactions",
        "/product_lines",
    ] {
        let r = sb
            .http
            .get(sb.api(p))
            .header("X-API-KEY", READONLY)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 200, "{p}");
    }
    let writes = [
        (Method::PATCH, "/exchange/authorization_requests/1"),
        (Method::POST, "/exchange/authorizations"),
        (Method::PATCH, "/exchange/authorizations/1"),
        (Method::POST, "/exchange/folders"),
        (Method::DELETE, "/exchange/folders/1"),
        (Method::POST, "/exchange/documents"),
        (Method::PATCH, "/exchange/documents/1"),
        (Method::DELETE, "/exchange/documents/1"),
        (Method::POST, "/questionnaires"),
        (Method::POST, "/questionnaire_requests"),
        (Method::POST, "/single_question"),
        (Method::POST, "/reviews"),
    ];
    for (m, p) in writes {
        let r = sb
            .http
            .request(m.clone(), sb.api(p))
            .header("X-API-KEY", READONLY)
            .json(&json!({ "name": "x" }))
            .send()
            .await
            .expect("sent");
        assert_403(r, &format!("read-only {m} {p}")).await;
    }
    // Nothing changed.
    let folders = sb.json("/exchange/folders").await;
    assert_eq!(common::items(&folders, "folders").len(), 6);

    let stats = sb.admin("stats").await;
    assert_eq!(stats["keys"]["readonly"]["forbidden"], 12);
    assert_eq!(stats["keys"]["readonly"]["ok"], 6);
    assert_eq!(stats["keys"]["inactive"]["forbidden"], 1);
    assert_eq!(stats["keys"]["sk_l…"]["forbidden"], 1);
    assert_eq!(
        stats["keys"]["…"]["forbidden"], 3,
        "missing and empty keys count under \"\""
    );
}

#[tokio::test]
async fn exact_rolling_window() {
    // A 3 s window, not 1 s: the 21 requests must all land inside one window, and on a
    // loaded machine 21 round trips to a debug build have taken over a second.
    let sb = Sandbox::start(&["--rate-limit", "20/3"]);
    let mut first_answered = None;
    for i in 0..20 {
        let r = sb.get("/product_lines").send().await.expect("sent");
        assert_eq!(r.status(), 200, "request {i}");
        first_answered.get_or_insert_with(Instant::now);
    }
    let r = sb.get("/product_lines").send().await.expect("sent");
    assert_eq!(r.status(), 429);
    // Whole seconds until the first request leaves the window: 1 to 3.
    let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok());
    assert!(
        matches!(retry_after, Some("1" | "2" | "3")),
        "Retry-After {retry_after:?}"
    );
    assert!(r.headers().get("x-request-id").is_some());
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body, json!({ "error": "rate_limited" }));
    // Other keys have their own windows; an unknown key is limited too (and then 403).
    common::expect_status(
        sb.http
            .get(sb.api("/product_lines"))
            .header("X-API-KEY", BENCH),
        200,
    )
    .await;

    // The server counted the first request before its answer arrived, so one window after
    // that answer it has left the window, however slow the machine.
    let first_answered = first_answered.unwrap_or_else(Instant::now);
    let wait = Duration::from_millis(3050).saturating_sub(first_answered.elapsed());
    tokio::time::sleep(wait).await;
    let r = sb.get("/product_lines").send().await.expect("sent");
    assert_eq!(
        r.status(),
        200,
        "one window after the first request it passes again"
    );

    let stats = sb.admin("stats").await;
    let full = &stats["keys"]["full"];
    assert_eq!(full["max_in_window"], 20);
    assert_eq!(full["rate_limited"], 1);
    assert_eq!(full["served"], 22);
    assert_eq!(full["ok"], 21);
    assert_eq!(
        stats["rate_limit"],
        json!({ "limit": 20, "window_ms": 3000 })
    );
}

#[tokio::test]
async fn forbidden_requests_count_against_the_window() {
    let sb = Sandbox::start(&["--rate-limit", "3/30"]);
    for _ in 0..3 {
        common::expect_status(
            sb.http
                .get(sb.api("/product_lines"))
                .header("X-API-KEY", "nope"),
            403,
        )
        .await;
    }
    let r = sb
        .http
        .get(sb.api("/product_lines"))
        .header("X-API-KEY", "nope")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 429, "the limiter runs before auth");
    let secs: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((29..=30).contains(&secs), "Retry-After {secs}");
    let stats = sb.admin("stats").await;
    assert_eq!(
        stats["keys"]["nope…"],
        json!({ "served": 4, "ok": 0, "forbidden": 3, "rate_limited": 1, "max_in_window": 3 })
    );
    // The admin routes and preflights are neither keyed nor limited.
    for _ in 0..5 {
        common::expect_status(
            sb.http
                .request(Method::OPTIONS, sb.api("/product_lines"))
                .header("X-API-KEY", "nope"),
            204,
        )
        .await;
    }
    common::expect_status(sb.http.get(format!("{}/_sandbox/stats", sb.url)), 200).await;
}

#[tokio::test]
async fn bad_inputs() {
    let sb = Sandbox::start(&[]);
    let r = sb.get("/nope").send().await.expect("sent");
    assert_eq!(r.status(), 404);
    let e: Value = r.json().await.expect("JSON");
    assert_eq!(e["error"], "not_found");
    assert!(e["message"].is_string());

    for q in [
        "page=0",
        "page=x",
        "page=1.5",
        "per_page=0",
        "per_page=101",
        "per_page=-3",
    ] {
        let r = sb
            .get(&format!("/exchange/connections?{q}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 422, "{q}");
        let e: Value = r.json().await.expect("JSON");
        assert_eq!(e["error"], "invalid_request");
        assert_eq!(e["field"], q.split('=').next().unwrap_or(""));
    }
    common::expect_status(sb.get("/questionnaires?created_at_start=yesterday"), 422).await;

    let r = common::expect_status(
        sb.req(Method::POST, "/exchange/folders")
            .header("content-type", "application/json")
            .body("{\"name\":"),
        400,
    )
    .await;
    let e: Value = r.json().await.expect("JSON");
    assert!(e["error"].is_string() && e["message"].is_string());
    let r = sb
        .req(Method::POST, "/exchange/folders")
        .header("content-type", "multipart/form-data; boundary=zzz")
        .body("garbage")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 400);

    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    let r = common::expect_status(
        sb.req(Method::POST, "/exchange/documents")
            .header("content-type", "application/octet-stream")
            .body(big),
        413,
    )
    .await;
    let e: Value = r.json().await.expect("JSON");
    assert_eq!(e["error"], "payload_too_large");
    // Just under the cap is fine.
    let form = reqwest::multipart::Form::new().text("name", "big").part(
        "file",
        reqwest::multipart::Part::bytes(vec![b'b'; 9 * 1024 * 1024]).file_name("big.bin"),
    );
    common::expect_status(
        sb.req(Method::POST, "/exchange/documents").multipart(form),
        201,
    )
    .await;

    common::expect_status(sb.req(Method::PUT, "/exchange/folders"), 405).await;
    let r = sb
        .get("/exchange/documents/a%2Fb")
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 405, "documents/{{id}} has no GET");
    common::expect_status(
        sb.get("/exchange/authorization_requests/..%2Fx%3Fy%23z"),
        404,
    )
    .await;
    common::expect_status(
        sb.req(Method::PATCH, "/exchange/authorization_requests/1")
            .json(&json!({ "status": "approved", "reviewer_email": "r@x.example" })),
        422,
    )
    .await;
    common::expect_status(
        sb.req(Method::PATCH, "/exchange/authorization_requests/424242")
            .json(&json!({ "status": "ignored", "reviewer_email": "r@x.example" })),
        404,
    )
    .await;
    // Still up.
    assert_eq!(
        sb.get("/product_lines")
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );
}

#[tokio::test]
async fn cors_everywhere() {
    let sb = Sandbox::start(&[]);
    let r = sb
        .http
        .request(Method::OPTIONS, sb.api("/exchange/folders"))
        .header("Origin", "http://other.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "x-api-key, content-type")
        .send()
        .await
        .expect("sent");
    assert!(r.status().is_success());
    let h = r.headers();
    let get = |n: &str| {
        h.get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(get("access-control-allow-origin"), "*");
    for m in ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"] {
        assert!(get("access-control-allow-methods").contains(m), "{m}");
    }
    for hd in [
        "X-API-KEY",
        "Content-Type",
        "X-Sandbox-Fault",
        "X-Sandbox-Fault-Id",
    ] {
        assert!(get("access-control-allow-headers").contains(hd), "{hd}");
    }
    assert!(get("access-control-expose-headers").contains("Retry-After"));
    assert!(get("access-control-expose-headers").contains("X-Request-Id"));
    assert_eq!(
        sb.admin("requests").await,
        json!([]),
        "preflights are not logged"
    );
    assert_eq!(sb.admin("stats").await["keys"], json!({}), "nor counted");
    for r in [
        sb.http
            .get(sb.api("/exchange/folders"))
            .send()
            .await
            .expect("sent"),
        sb.get("/nope").send().await.expect("sent"),
        sb.get("/exchange/folders")
            .header("X-Sandbox-Fault", "status=503")
            .send()
            .await
            .expect("sent"),
        sb.http
            .get(format!("{}/_sandbox/stats", sb.url))
            .send()
            .await
            .expect("sent"),
        sb.get("/exchange/folders").send().await.expect("sent"),
    ] {
        assert_eq!(
            r.headers()
                .get("access-control-allow-origin")
                .map(|v| v.as_bytes()),
            Some(&b"*"[..]),
            "{}",
            r.status()
        );
        assert!(r.headers().get("x-request-id").is_some());
    }
    let _ = FULL;
}
