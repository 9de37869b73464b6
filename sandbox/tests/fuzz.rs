//! Random methods, paths, queries, headers and bodies (and raw bytes on the socket) never
//! crash the sandbox: after each one it still answers.

mod common;

use common::{Sandbox, FULL, READONLY};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::io::{Read, Write};
use std::time::Duration;

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("exchange".to_owned()),
        Just("documents".to_owned()),
        Just("folders".to_owned()),
        Just("authorizations".to_owned()),
        Just("authorization_requests".to_owned()),
        Just("interactions".to_owned()),
        Just("questionnaires".to_owned()),
        Just("connections".to_owned()),
        Just("1".to_owned()),
        Just("..".to_owned()),
        Just("%2F".to_owned()),
        "[a-zA-Z0-9_.~%-]{0,12}",
        "[0-9]{1,25}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("/api/v2/"),
            Just("/"),
            Just("/_sandbox/"),
            Just("/api/v2")
        ],
        prop::collection::vec(segment(), 0..5),
    )
        .prop_map(|(p, segs)| format!("{p}{}", segs.join("/")))
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("page".to_owned()),
        Just("per_page".to_owned()),
        Just("status".to_owned()),
        Just("access_group_ids[]".to_owned()),
        Just("created_at_start".to_owned()),
        Just("request_id".to_owned()),
        "[a-z_\\[\\]]{1,10}",
    ];
    prop::collection::vec((key, "\\PC{0,16}"), 0..5).prop_map(|pairs| {
        let mut s = form_urlencoded_like(&pairs);
        if !s.is_empty() {
            s.insert(0, '?');
        }
        s
    })
}

fn form_urlencoded_like(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~[]".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn fault() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        Just("status=503".to_owned()),
        Just("truncated".to_owned()),
        Just("malformed".to_owned()),
        Just("wrong_shape".to_owned()),
        Just("drip=5".to_owned()),
        Just("latency=1;times=1".to_owned()),
        Just("rate_limit_date=3".to_owned()),
        Just("reset".to_owned()),
        Just("redirect=http://x.example/".to_owned()),
        "[a-z_=;0-9]{0,20}",
    ])
}

fn body() -> impl Strategy<Value = (Option<String>, Vec<u8>)> {
    let json = prop_oneof![
        Just("{\"name\":\"x\",\"status\":\"ignored\",\"reviewer_email\":\"a@b.c\"}".to_owned()),
        Just("{\"email\":\"a@b.example\",\"access_group_ids\":[1,2],\"request_id\":2}".to_owned()),
        Just("{\"question\":\"Do you encrypt data at rest?\",\"confidence_threshold\":2}".to_owned()),
        Just("{\"domain\":\"a.example\",\"email\":\"a@a.example\",\"original_format\":\"file\",\"due_at\":\"2025-02-30\"}".to_owned()),
        Just("[1,2,3]".to_owned()),
        Just("{\"file\":{\"a\":1},\"name\":[],\"featured\":\"yes\",\"folder_id\":-1}".to_owned()),
        "\\PC{0,40}",
    ];
    prop_oneof![
        (
            prop_oneof![
                Just(Some("application/json".to_owned())),
                Just(None),
                Just(Some("application/x-www-form-urlencoded".to_owned())),
                Just(Some("text/plain".to_owned())),
            ],
            json.prop_map(String::into_bytes)
        ),
        (
            prop_oneof![
                Just(Some("multipart/form-data; boundary=XyZ".to_owned())),
                Just(Some("multipart/form-data".to_owned())),
            ],
            prop_oneof![
                Just(b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nDoc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--XyZ--\r\n".to_vec()),
                prop::collection::vec(any::<u8>(), 0..200),
            ]
        ),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    path: String,
    query: String,
    key: Option<String>,
    fault: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    raw: Option<Vec<u8>>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec![
            "GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS",
        ]),
        path(),
        query(),
        prop::option::of(prop_oneof![
            Just(FULL.to_owned()),
            Just(READONLY.to_owned()),
            "[ -~]{0,30}"
        ]),
        fault(),
        body(),
        prop::option::weighted(0.15, prop::collection::vec(any::<u8>(), 0..300)),
    )
        .prop_map(
            |(method, path, query, key, fault, (content_type, body), raw)| Case {
                method,
                path,
                query,
                key,
                fault,
                content_type,
                body,
                raw,
            },
        )
}

#[test]
fn random_requests_never_crash_it() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let sb = Sandbox::start(&["--rate-limit", "100000/1"]);
    let addr = sb.url.trim_start_matches("http://").to_owned();
    let config = Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |c| {
        if let Some(raw) = &c.raw {
            // Raw bytes, maybe not even HTTP.
            if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
                let _ = s.write_all(raw);
                let _ = s.write_all(b"\r\n\r\n");
                let mut buf = [0u8; 512];
                let _ = s.read(&mut buf);
            }
        } else {
            rt.block_on(async {
                let method = reqwest::Method::from_bytes(c.method.as_bytes())
                    .unwrap_or(reqwest::Method::GET);
                let mut req = sb
                    .http
                    .request(method, format!("{}{}{}", sb.url, c.path, c.query))
                    .timeout(Duration::from_secs(5))
                    .body(c.body.clone());
                if let Some(k) = &c.key {
                    req = req.header("X-API-KEY", k.as_str());
                }
                if let Some(f) = &c.fault {
                    req = req.header("X-Sandbox-Fault", f.as_str());
                }
                if let Some(ct) = &c.content_type {
                    req = req.header("content-type", ct.as_str());
                }
                if let Ok(r) = req.send().await {
                    let status = r.status().as_u16();
                    prop_assert!(
                        status != 500 || c.fault.is_some(),
                        "500 without a fault: {c:?}"
                    );
                    let _ = r.bytes().await;
                }
                Ok(())
            })?;
        }
        let alive = rt.block_on(async {
            sb.http
                .get(format!("{}/_sandbox/stats", sb.url))
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .map(|r| r.status().as_u16())
        });
        prop_assert_eq!(
            alive.ok(),
            Some(200),
            "the sandbox stopped answering after {:?}",
            c
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // And the API still works.
    let ok = rt.block_on(async {
        sb.get("/product_lines")
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(ok.ok(), Some(200));
}
