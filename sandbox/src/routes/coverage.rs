//! The client's endpoint table against the sandbox's routes: every endpoint the client can
//! call resolves to a handler here, so a new description without a handler fails at once.

use super::{resolve, Resolved};
use axum::http::Method;
use conveyor_client::resources::{self, BodyKind};

#[test]
fn every_endpoint_of_the_client_has_a_handler() {
    let mut missing = Vec::new();
    for ep in resources::all() {
        // A concrete path: every `{arg}` becomes an id that exists in the fixtures.
        let path: Vec<String> = ep
            .path
            .trim_start_matches('/')
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "1".to_owned()
                } else {
                    s.to_owned()
                }
            })
            .collect();
        let segs: Vec<&str> = path.iter().map(String::as_str).collect();
        let method = Method::from_bytes(ep.method.as_bytes()).expect("a valid method");
        match resolve(&method, &segs) {
            Resolved::Found(route, permission) => {
                assert!(!permission.is_empty(), "{}: no permission", ep.name);
                if matches!(ep.body, BodyKind::Json | BodyKind::Multipart) {
                    assert!(
                        route.takes_body(),
                        "{}: the handler ignores the body the client sends",
                        ep.name
                    );
                }
                if ep.method == "GET" {
                    assert!(
                        !route.takes_body(),
                        "{}: a GET handler reading a body",
                        ep.name
                    );
                }
            }
            other => missing.push(format!(
                "{} ({} {}): {other:?}",
                ep.name, ep.method, ep.path
            )),
        }
    }
    assert!(
        missing.is_empty(),
        "no sandbox handler for:\n{}",
        missing.join("\n")
    );
}
