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
        assert!(NAMESPACES.contains(&e.namespace()), "{}", e.name);
        assert!(e.name.split('.').count() >= 2, "{}", e.name);
    }
    for ns in NAMESPACES {
        assert!(in_namespace(ns).count() > 0, "{ns} is empty");
    }
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
        assert!(!e.doc.is_empty(), "{}", e.name);
    }
}

/// Every route of the API reference (`../shared/conveyor-api.md`), by method and path.
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

/// The declarations in `pkg/resources.d.ts`, read well enough to compare with the table.
mod dts {
    pub const TEXT: &str = include_str!("../../pkg/resources.d.ts");

    /// The file without whitespace, so declarations wrapped over lines still match.
    pub fn squeezed() -> String {
        super::squeeze(TEXT)
    }

    /// `(name, required)` of the fields declared directly in the block of `interface name`
    /// or `type name =`, plus the interfaces it extends or mentions.
    pub fn fields(name: &str) -> Option<Vec<(String, bool)>> {
        let (header, body) = block(name)?;
        let mut out: Vec<(String, bool)> = Vec::new();
        // Parents first, so the block's own declarations override them.
        let mentioned = header
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .chain(body.split(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
            .filter(|w| w.ends_with("Params") || w.ends_with("Common"))
            .filter(|w| *w != name)
            .map(str::to_owned)
            .collect::<Vec<_>>();
        for parent in mentioned {
            for f in fields(&parent)? {
                merge(&mut out, f);
            }
        }
        for line in body.lines() {
            let line = line.trim();
            let Some((field, _)) = line.split_once(':') else {
                continue;
            };
            let (field, optional) = match field.strip_suffix('?') {
                Some(f) => (f, true),
                None => (field, false),
            };
            if !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                merge(&mut out, (field.to_owned(), !optional));
            }
        }
        Some(out)
    }

    fn merge(out: &mut Vec<(String, bool)>, f: (String, bool)) {
        match out.iter_mut().find(|(n, _)| *n == f.0) {
            Some(existing) => existing.1 = f.1,
            None => out.push(f),
        }
    }

    /// The header (up to `{` or `=`) and body of a declaration.
    fn block(name: &str) -> Option<(&'static str, &'static str)> {
        for kw in ["interface ", "type "] {
            let needle = format!("{kw}{name}");
            let mut from = 0;
            while let Some(i) = TEXT[from..].find(&needle) {
                let start = from + i;
                let after = &TEXT[start + needle.len()..];
                from = start + needle.len();
                if !after.starts_with([' ', '<', '=']) {
                    continue;
                }
                if kw == "type " {
                    let end = after.find(";\n")?;
                    let alias = &after[..end];
                    // `(... & { a: T; b?: U })` members read like interface lines.
                    return Some((
                        alias,
                        leak(
                            alias
                                .replace(['{', '}', '(', ')', '|', '&'], "\n")
                                .replace(';', "\n"),
                        ),
                    ));
                }
                let open = after.find('{')?;
                if after[open + 1..].starts_with('}') {
                    return Some((&after[..open], ""));
                }
                let close = after[open..].find("\n}")?;
                return Some((&after[..open], &after[open + 1..open + close]));
            }
        }
        None
    }

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }
}

/// `exchange.authorizationRequests.ignore` → `ExchangeAuthorizationRequestsIgnoreParams`.
fn params_type(ep: &Endpoint) -> String {
    let mut out = String::new();
    for part in ep.name.split('.') {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            out.push(c.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out + "Params"
}

#[test]
fn the_declarations_match_the_table() {
    for ep in all() {
        let ty = params_type(ep);
        if !ep.takes_params() {
            assert!(
                dts::fields(&ty).is_none(),
                "{ty} is declared but {} takes no params",
                ep.name
            );
            continue;
        }
        let Some(declared) = dts::fields(&ty) else {
            panic!("pkg/resources.d.ts has no {ty} for {}", ep.name);
        };
        let accepted = ep.accepted_names();
        for (field, required) in &declared {
            assert!(
                accepted.contains(&field.as_str()),
                "{ty} declares `{field}`, which {} does not accept",
                ep.name
            );
            let rust_required = ep.param(field).is_some_and(|p| p.required);
            if !ep.any_of.contains(&field.as_str()) {
                assert_eq!(*required, rust_required, "{ty}.{field}: required differs");
            }
        }
        for name in &accepted {
            assert!(
                declared.iter().any(|(f, _)| f == name),
                "{ty} lacks `{name}` ({} accepts it)",
                ep.name
            );
        }
        // The method is declared on its namespace, with its path arguments first.
        let method = ep.name.rsplit('.').next().unwrap_or_default();
        let args: Vec<String> = ep.path_args.iter().map(|a| format!("{a}: Id")).collect();
        let needle = if args.is_empty() {
            format!("{method}(params")
        } else {
            format!("{method}({}, params", args.join(", "))
        };
        assert!(
            dts::squeezed().contains(&squeeze(&needle)),
            "no `{needle}` declared for {}",
            ep.name
        );
    }
    for ep in all().filter(|e| !e.takes_params()) {
        let method = ep.name.rsplit('.').next().unwrap_or_default();
        let needle = format!(
            "{method}({}: Id, options?: CallOptions)",
            ep.path_args.join(": Id, ")
        );
        assert!(
            dts::squeezed().contains(&squeeze(&needle)),
            "no `{needle}` declared for {}",
            ep.name
        );
    }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_enum_value_is_declared() {
    for ep in all() {
        for p in ep.params {
            if let Kind::Enum(values) = p.kind {
                for v in values {
                    assert!(
                        dts::TEXT.contains(&format!("\"{v}\"")),
                        "{}.{}: \"{v}\" is not in pkg/resources.d.ts",
                        ep.name,
                        p.name
                    );
                }
            }
        }
    }
}

#[test]
fn every_namespace_is_declared_on_the_client() {
    let index = include_str!("../../pkg/index.d.ts");
    for ns in NAMESPACES {
        let mut ty: String = ns[..1].to_ascii_uppercase();
        ty.push_str(&ns[1..]);
        assert!(
            index.contains(&format!("readonly {ns}: {ty}Resource;")),
            "pkg/index.d.ts does not declare `readonly {ns}: {ty}Resource;`"
        );
        assert!(
            dts::TEXT.contains(&format!("export interface {ty}Resource ")),
            "no {ty}Resource"
        );
    }
}
