use super::*;

#[test]
fn names_are_unique_and_in_a_namespace() {
    let all: Vec<&Endpoint> = all().collect();
    for (i, e) in all.iter().enumerate() {
        assert!(
            all.iter().skip(i + 1).all(|o| o.name != e.name),
            "duplicate {}",
            e.name
        );
        assert!(e.name.split('.').count() >= 2, "{}", e.name);
    }
    for ns in namespaces() {
        assert!(in_namespace(ns).count() > 0, "{ns} is empty");
    }
    assert_eq!(namespaces()[..2], ["exchange", "questionnaires"]);
}

#[test]
fn path_args_match_the_template() {
    for e in all() {
        let holes = e.path.matches('{').count();
        assert_eq!(holes, e.path_args.len(), "{}", e.name);
        for a in e.path_args {
            assert!(e.path.contains(&format!("{{{a}}}")), "{}: {a}", e.name);
        }
        assert!(e.path.starts_with('/'), "{}", e.name);
    }
}

#[test]
fn bodies_fit_methods() {
    for e in all() {
        assert!(
            matches!(e.method, "GET" | "DELETE" | "POST" | "PATCH"),
            "{}: unexpected method",
            e.name
        );
        match e.method {
            "GET" => assert!(
                matches!(e.body, BodyKind::Query | BodyKind::None),
                "{}",
                e.name
            ),
            "DELETE" => assert_eq!(e.body, BodyKind::None, "{}", e.name),
            "POST" | "PATCH" => assert!(
                matches!(e.body, BodyKind::Json | BodyKind::Multipart),
                "{}",
                e.name
            ),
            _ => {}
        }
        if e.has_file() {
            assert_eq!(e.body, BodyKind::Multipart, "{}", e.name);
        }
        if e.body == BodyKind::None {
            assert!(e.params.is_empty() && e.fixed.is_empty(), "{}", e.name);
        }
        for n in e.any_of {
            assert!(e.params.iter().any(|p| p.name == *n), "{}: {n}", e.name);
        }
        for (k, _) in e.fixed {
            assert!(
                e.param(k).is_none(),
                "{}: fixed {k} is also a param",
                e.name
            );
        }
    }
}

/// Every route of the API reference (`docs/api.md`), by method and path.
#[test]
fn every_documented_route_has_a_method() {
    let routes = [
        ("GET", "/exchange/connections"),
        ("GET", "/exchange/authorization_requests"),
        ("GET", "/exchange/authorization_requests/{id}"),
        ("PATCH", "/exchange/authorization_requests/{id}"),
        ("GET", "/exchange/authorization_request_queue"),
        ("GET", "/exchange/authorizations"),
        ("POST", "/exchange/authorizations"),
        ("PATCH", "/exchange/authorizations/{id}"),
        ("GET", "/exchange/access_groups"),
        ("GET", "/exchange/folders"),
        ("POST", "/exchange/folders"),
        ("DELETE", "/exchange/folders/{id}"),
        ("GET", "/exchange/documents"),
        ("POST", "/exchange/documents"),
        ("PATCH", "/exchange/documents/{id}"),
        ("DELETE", "/exchange/documents/{id}"),
        ("GET", "/questionnaires"),
        ("POST", "/questionnaires"),
        ("POST", "/questionnaire_requests"),
        ("GET", "/knowledge_base/questions"),
        ("POST", "/single_question"),
        ("GET", "/interactions"),
        ("GET", "/interactions/connections/{id}"),
        ("GET", "/interactions/documents/{id}"),
        ("GET", "/interactions/questions/{id}"),
        ("GET", "/product_lines"),
        ("POST", "/reviews"),
    ];
    for (m, p) in routes {
        assert!(
            all().any(|e| e.method == m && e.path == p),
            "no method for {m} {p}"
        );
    }
    for e in all() {
        assert!(
            routes.contains(&(e.method, e.path)),
            "{} ({} {}) is not in the API reference",
            e.name,
            e.method,
            e.path
        );
    }
}
