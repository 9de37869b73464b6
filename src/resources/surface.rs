//! The generator: everything outside the crate that must agree with the endpoint table is
//! written from it here, and checked against it on every `cargo test`.
//!
//! | file | what |
//! | --- | --- |
//! | `pkg/resources.d.ts` | enums, params interfaces, pages, namespace interfaces with each endpoint's doc as JSDoc, `ConveyorResources` (the client's getters) |
//! | `tests/e2e/lib/endpoints.mjs` | the method list the end-to-end tests call |
//! | `src/js/resources.js` (between its table markers) | the endpoint table the typed methods check and encode calls from (`ENUMS`, `ENDPOINTS`) |
//!
//! Record types (`Connection`, `Document`...) stay hand-written in `pkg/records.d.ts`: the
//! table names them, it does not describe their fields.
//!
//! `UPDATE=1 cargo test -q --lib surface` rewrites the files; without `UPDATE` the test
//! fails when one of them differs from what the table says.

use super::*;
use std::fmt::Write as _;
use std::path::Path;

/// The first comment of every generated file (each writes it after `// `).
const EDIT_HINT: &str =
    "Generated from the endpoint table (src/resources/) by src/resources/surface.rs:\n\
// edit the table, then run `UPDATE=1 cargo test -q --lib surface`.";

/// `knowledgeBase` → `KnowledgeBase`.
fn pascal(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `exchange.authorizationRequests.ignore` → `ExchangeAuthorizationRequestsIgnoreParams`.
fn params_type(ep: &Endpoint) -> String {
    ep.name.split('.').map(pascal).collect::<String>() + "Params"
}

fn ts_type(kind: Kind) -> String {
    match kind {
        Kind::Str => "string".into(),
        Kind::Int | Kind::Num => "number".into(),
        Kind::Bool => "boolean".into(),
        Kind::Date => "DateInput".into(),
        Kind::Id => "Id".into(),
        Kind::Enum(values) => values.type_name().into(),
        Kind::IdList => "Id[]".into(),
        Kind::StrList => "string[]".into(),
        Kind::File => "Upload".into(),
    }
}

fn jsdoc(out: &mut String, indent: &str, doc: &str) {
    assert!(!doc.contains("*/"), "a doc cannot contain `*/`: {doc}");
    if !doc.is_empty() {
        let _ = writeln!(out, "{indent}/** {doc} */");
    }
}

/// The parameters of the params object (not `page`/`per_page`: those come from `PageParams`).
fn fields(ep: &Endpoint) -> Vec<Param> {
    ep.accepted_names()
        .into_iter()
        .filter(|n| !(ep.is_list() && matches!(*n, "page" | "per_page")))
        .filter_map(|n| ep.param(n))
        .collect()
}

fn field_line(out: &mut String, p: &Param, required: bool) {
    jsdoc(out, "  ", p.doc.get());
    let q = if required { "" } else { "?" };
    let _ = writeln!(out, "  {}{q}: {};", p.name, ts_type(p.kind));
}

/// Whether a call must pass the params object.
fn params_required(ep: &Endpoint) -> bool {
    !ep.any_of.is_empty() || ep.params.iter().any(|p| p.required)
}

fn page_type(ep: &Endpoint) -> Option<String> {
    match ep.response {
        ResponseKind::List { plural, envelope } => {
            let wrapper = match envelope {
                Envelope::Flat => "FlatPage",
                Envelope::Hal => "HalPage",
            };
            let record = ep.record.get();
            Some(format!("{wrapper}<\"{plural}\", {record}>"))
        }
        _ => None,
    }
}

fn page_name(ep: &Endpoint) -> String {
    format!("{}sPage", ep.record.get())
}

fn returns(ep: &Endpoint) -> String {
    let record = ep.record.get();
    match ep.response {
        ResponseKind::List { .. } => format!("ListResult<{record}, {}>", page_name(ep)),
        ResponseKind::Record => format!("Promise<{record}>"),
        ResponseKind::Empty => "Promise<void>".into(),
    }
}

fn signature(ep: &Endpoint) -> String {
    let method = ep.name.rsplit('.').next().unwrap_or(ep.name);
    let mut args: Vec<String> = ep.path_args.iter().map(|a| format!("{a}: Id")).collect();
    if ep.takes_params() {
        let q = if params_required(ep) { "" } else { "?" };
        args.push(format!("params{q}: {}", params_type(ep)));
    }
    args.push("options?: CallOptions".into());
    format!("{method}({}): {};", args.join(", "), returns(ep))
}

/// The namespace tree: `exchange` → `connections` → `list`, in the table's order.
struct Node {
    key: &'static str,
    endpoint: Option<&'static Endpoint>,
    children: Vec<Node>,
}

fn insert(nodes: &mut Vec<Node>, path: &[&'static str], ep: &'static Endpoint) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let i = match nodes.iter().position(|n| n.key == *first) {
        Some(i) => i,
        None => {
            nodes.push(Node {
                key: first,
                endpoint: None,
                children: Vec::new(),
            });
            nodes.len() - 1
        }
    };
    if rest.is_empty() {
        assert!(nodes[i].endpoint.is_none(), "{} twice", ep.name);
        nodes[i].endpoint = Some(ep);
    } else {
        insert(&mut nodes[i].children, rest, ep);
    }
}

fn tree() -> Vec<Node> {
    let mut roots = Vec::new();
    for ep in all() {
        let path: Vec<&'static str> = ep.name.split('.').collect();
        insert(&mut roots, &path, ep);
    }
    roots
}

fn emit_members(out: &mut String, nodes: &[Node], depth: usize) {
    let indent = "  ".repeat(depth);
    for n in nodes {
        if let Some(ep) = n.endpoint {
            jsdoc(out, &indent, ep.doc.get());
            let _ = writeln!(out, "{indent}{}", signature(ep));
        } else {
            let _ = writeln!(out, "{indent}{}: {{", n.key);
            emit_members(out, &n.children, depth + 1);
            let _ = writeln!(out, "{indent}}};");
        }
    }
}

fn namespace_doc(ns: &str) -> &'static str {
    match NAMESPACE_DOCS.iter().find(|(n, _)| *n == ns) {
        Some((_, doc)) => doc,
        None => panic!("the namespace {ns} has no line in resources::NAMESPACE_DOCS"),
    }
}

/// `pkg/resources.d.ts`.
fn declarations() -> String {
    let mut out = String::new();
    out.push_str(
        "// Types for the typed endpoint methods of conveyor-client: every enum, params object, page\n\
         // and namespace. Parameter fields keep the API's own snake_case names; the records are in\n\
         // records.d.ts.\n//\n",
    );
    let _ = writeln!(out, "// {EDIT_HINT}\n");

    let mut records: Vec<&str> = all()
        .map(|e| e.record.get())
        .filter(|r| !r.is_empty())
        .collect();
    records.sort_unstable();
    records.dedup();
    let base = [
        "CallOptions",
        "DateInput",
        "FlatPage",
        "HalPage",
        "Id",
        "ListResult",
        "Open",
        "PageParams",
        "Upload",
    ];
    out.push_str("import type {\n");
    for name in base.iter().chain(records.iter()) {
        let _ = writeln!(out, "  {name},");
    }
    out.push_str("} from \"./records.js\";\nexport * from \"./records.js\";\n\n");

    out.push_str("// Known values; other strings are accepted and kept as sent.\n");
    for values in Values::ALL {
        let name = values.type_name();
        let union: Vec<String> = values.list().iter().map(|v| format!("\"{v}\"")).collect();
        let _ = writeln!(out, "export type {name} = Open<{}>;", union.join(" | "));
    }

    out.push_str(
        "\n// Params: one interface per endpoint that takes any, named after the endpoint.\n\n",
    );
    for ep in all().filter(|e| e.takes_params()) {
        let ty = params_type(ep);
        let extends = if ep.is_list() {
            " extends PageParams"
        } else {
            ""
        };
        let fields = fields(ep);
        if ep.any_of.is_empty() {
            let _ = write!(out, "export interface {ty}{extends} {{");
            if fields.is_empty() {
                out.push_str("}\n");
                continue;
            }
            out.push('\n');
            for p in &fields {
                field_line(&mut out, p, p.required);
            }
            out.push_str("}\n");
            continue;
        }
        // At least one of `any_of`: a union with one member per name that makes it required.
        let common = ty.replace("Params", "Common");
        let _ = writeln!(out, "interface {common}{extends} {{");
        for p in fields.iter().filter(|p| !ep.any_of.contains(&p.name)) {
            field_line(&mut out, p, p.required);
        }
        out.push_str("}\n");
        let names: Vec<String> = ep.any_of.iter().map(|n| format!("`{n}`")).collect();
        jsdoc(
            &mut out,
            "",
            &format!("At least one of {} is required.", names.join(", ")),
        );
        let _ = writeln!(out, "export type {ty} =");
        for must in ep.any_of {
            let members: Vec<String> = ep
                .any_of
                .iter()
                .filter_map(|n| ep.param(n))
                .map(|p| {
                    let q = if p.name == *must { "" } else { "?" };
                    format!("{}{q}: {}", p.name, ts_type(p.kind))
                })
                .collect();
            let end = if Some(must) == ep.any_of.last() {
                ";"
            } else {
                ""
            };
            let _ = writeln!(out, "  | ({common} & {{ {} }}){end}", members.join("; "));
        }
    }

    out.push_str("\n// Pages: what awaiting a list method resolves with.\n\n");
    let mut pages: Vec<(String, String)> = Vec::new();
    for ep in all() {
        let Some(ty) = page_type(ep) else { continue };
        match pages.iter().find(|(n, _)| *n == page_name(ep)) {
            Some((_, seen)) => assert_eq!(*seen, ty, "{}: one record, two envelopes", ep.name),
            None => pages.push((page_name(ep), ty)),
        }
    }
    for (name, ty) in &pages {
        let _ = writeln!(out, "export type {name} = {ty};");
    }

    out.push_str(
        "\n// Namespaces. Every method also takes an optional last `CallOptions`; a missing required\n\
         // parameter or a wrong type rejects with `ConveyorValidationError` before anything is sent.\n",
    );
    let roots = tree();
    for ns in &roots {
        out.push('\n');
        jsdoc(&mut out, "", namespace_doc(ns.key));
        let _ = writeln!(out, "export interface {}Resource {{", pascal(ns.key));
        emit_members(&mut out, &ns.children, 1);
        out.push_str("}\n");
    }
    out.push_str("\n/** The namespace getters of `ConveyorClient`. */\nexport interface ConveyorResources {\n");
    for ns in &roots {
        jsdoc(&mut out, "  ", namespace_doc(ns.key));
        let _ = writeln!(out, "  readonly {}: {}Resource;", ns.key, pascal(ns.key));
    }
    out.push_str("}\n");
    out
}

/// `tests/e2e/lib/endpoints.mjs`.
fn e2e_methods() -> String {
    let mut out = format!("// {EDIT_HINT}\n\n");
    out.push_str(
        "/** Every typed method: its dotted name, HTTP method, path template and whether it pages. */\n\
         export const ENDPOINTS = [\n",
    );
    for ep in all() {
        let _ = writeln!(
            out,
            "  {{ name: \"{}\", method: \"{}\", path: \"{}\", list: {} }},",
            ep.name,
            ep.method,
            ep.path,
            ep.is_list()
        );
    }
    out.push_str("];\n\n/** The dotted names alone. */\nexport const METHODS = ENDPOINTS.map((e) => e.name);\n");
    out
}

/// A param as the JS table spells it: `name:kind`, `!` when required. The kinds: `s` string,
/// `i` integer, `n` number, `b` boolean, `d` date, `I` id, `L` id list, `S` string list, `f`
/// file, a digit an enum (its index in `ENUMS`).
fn js_param(p: &Param) -> String {
    let kind = match p.kind {
        Kind::Str => "s".to_owned(),
        Kind::Int => "i".to_owned(),
        Kind::Num => "n".to_owned(),
        Kind::Bool => "b".to_owned(),
        Kind::Date => "d".to_owned(),
        Kind::Id => "I".to_owned(),
        Kind::IdList => "L".to_owned(),
        Kind::StrList => "S".to_owned(),
        Kind::File => "f".to_owned(),
        Kind::Enum(v) => Values::ALL
            .iter()
            .position(|x| *x == v)
            .map(|i| i.to_string())
            .unwrap_or_else(|| panic!("{v:?} is not in Values::ALL")),
    };
    format!("{}:{kind}{}", p.name, if p.required { "!" } else { "" })
}

/// A JS string literal of `s`, which the table writes only with characters that need no escape.
fn js_str(s: &str) -> String {
    assert!(
        s.chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' '),
        "{s:?} needs escaping in the JS table"
    );
    format!("\"{s}\"")
}

/// The endpoint table of `src/js/resources.js`, data rather than code per endpoint: each row
/// one string, `name|method|path|pathArgs|params|body|response|anyOf?|fixed?` (one string
/// rather than an array of nine: fewer bytes, even gzipped), lists as space-separated words;
/// `body` is `""` (none), `q` (query), `j` (JSON) or `m` (multipart); `response` is `""` (a
/// record), `-` (nothing), the records' key (a flat list) or `^` and the key (a HAL list).
fn js_table() -> String {
    let mut out = String::from("const ENUMS = [\n");
    for v in Values::ALL {
        let values: Vec<String> = v.list().iter().map(|s| js_str(s)).collect();
        let _ = writeln!(out, "  [{}],", values.join(", "));
    }
    out.push_str("];\nconst ENDPOINTS = [\n");
    for ep in all() {
        // The namespace tree is built with `node[name] ??= {}`, which would find an inherited
        // `constructor` or `toString` rather than make a node.
        for segment in ep.name.split('.') {
            assert!(
                !OBJECT_PROTOTYPE.contains(&segment),
                "{}: `{segment}` is a property of every JS object",
                ep.name
            );
        }
        for w in ep.path_args.iter().chain(ep.any_of) {
            assert!(!w.contains(' ') && !w.is_empty(), "{}: `{w}`", ep.name);
        }
        let params: Vec<String> = ep.params.iter().map(js_param).collect();
        let body = match ep.body {
            BodyKind::None => "",
            BodyKind::Query => "q",
            BodyKind::Json => "j",
            BodyKind::Multipart => "m",
        };
        let response = match ep.response {
            ResponseKind::Record => String::new(),
            ResponseKind::Empty => "-".to_owned(),
            ResponseKind::List {
                plural,
                envelope: Envelope::Flat,
            } => plural.to_owned(),
            ResponseKind::List {
                plural,
                envelope: Envelope::Hal,
            } => format!("^{plural}"),
        };
        let mut row = vec![
            ep.name.to_owned(),
            ep.method.to_owned(),
            ep.path.to_owned(),
            ep.path_args.join(" "),
            params.join(" "),
            body.to_owned(),
            response,
        ];
        let fixed: Vec<String> = ep.fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for (k, v) in ep.fixed {
            assert!(
                !k.contains(['=', ' ']) && !v.contains(['=', ' ']),
                "{}: fixed `{k}`",
                ep.name
            );
        }
        if !ep.any_of.is_empty() || !fixed.is_empty() {
            row.push(ep.any_of.join(" "));
        }
        if !fixed.is_empty() {
            row.push(fixed.join(" "));
        }
        assert!(
            row.iter().all(|field| !field.contains('|')),
            "{}: a field contains the separator `|`",
            ep.name
        );
        let _ = writeln!(out, "  {},", js_str(&row.join("|")));
    }
    out.push_str("];\n");
    out
}

/// The properties every JS object inherits from `Object.prototype`.
const OBJECT_PROTOTYPE: &[&str] = &[
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

const TABLE_BEGIN: &str = "// BEGIN the endpoint table";
const TABLE_END: &str = "// END the endpoint table";

/// `src/js/resources.js` with the table between its markers replaced (the rest is written by
/// hand).
fn resources_js(root: &Path) -> String {
    let path = root.join("src/js/resources.js");
    let current =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"));
    let begin = current
        .find(TABLE_BEGIN)
        .expect("src/js/resources.js has no table start marker");
    let head_end = begin
        + current[begin..]
            .find(")\n")
            .expect("the start marker's comment ends with `)`")
        + 2;
    let end = current
        .find(TABLE_END)
        .expect("src/js/resources.js has no table end marker");
    assert!(head_end <= end, "the table markers are out of order");
    [&current[..head_end], &js_table(), &current[end..]].concat()
}

fn outputs() -> Vec<(&'static str, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        ("pkg/resources.d.ts", declarations()),
        ("tests/e2e/lib/endpoints.mjs", e2e_methods()),
        ("src/js/resources.js", resources_js(root)),
    ]
}

/// The JS table fills a path from its `{name}` placeholders: they must be the path
/// arguments, in order, each once.
#[test]
fn path_arguments_are_the_placeholders_in_order() {
    for ep in all() {
        let mut names = Vec::new();
        let mut rest = ep.path;
        while let Some((_, after)) = rest.split_once('{') {
            let (name, tail) = after.split_once('}').expect("a closed placeholder");
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{}: `{{{name}}}`",
                ep.name
            );
            names.push(name);
            rest = tail;
        }
        assert!(!rest.contains('}'), "{}", ep.path);
        assert_eq!(names, ep.path_args, "{}", ep.name);
    }
}

#[test]
fn generated_files_match_the_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE").is_some_and(|v| !v.is_empty() && v != "0");
    let mut drifted = Vec::new();
    for (path, text) in outputs() {
        let file = root.join(path);
        let current = std::fs::read_to_string(&file).unwrap_or_default();
        if current == text {
            continue;
        }
        if update {
            std::fs::write(&file, &text).unwrap_or_else(|e| panic!("writing {path}: {e}"));
        } else {
            drifted.push(path);
        }
    }
    assert!(
        drifted.is_empty(),
        "{} differ from the endpoint table: run `UPDATE=1 cargo test -q --lib surface` and commit them",
        drifted.join(", ")
    );
}

#[test]
fn every_record_and_doc_is_given() {
    for ep in all() {
        assert!(!ep.doc.get().is_empty(), "{} has no doc", ep.name);
        let record = ep.record.get();
        match ep.response {
            ResponseKind::Empty => assert!(record.is_empty(), "{}: nothing comes back", ep.name),
            _ => assert!(
                !record.is_empty() && record.chars().all(|c| c.is_ascii_alphanumeric()),
                "{}: name the record's TypeScript type",
                ep.name
            ),
        }
    }
}

#[test]
fn every_enum_is_named_once_and_used() {
    for (i, v) in Values::ALL.iter().enumerate() {
        for w in &Values::ALL[i + 1..] {
            assert_ne!(v, w, "{v:?} is listed twice");
            assert_ne!(v.type_name(), w.type_name());
            assert_ne!(v.list(), w.list(), "{v:?} and {w:?} have the same values");
        }
        assert!(!v.list().is_empty(), "{v:?}");
        let used = all().any(|ep| ep.params.iter().any(|p| p.kind == Kind::Enum(*v)));
        assert!(used, "{v:?} is no parameter's");
    }
}

#[test]
fn the_declarations_say_what_the_table_says() {
    let d = declarations();
    // A required parameter is required in its interface, and its method needs the object.
    assert!(d.contains("export interface ExchangeAuthorizationRequestsIgnoreParams {\n  reviewer_email: string;\n}"));
    assert!(d.contains("ignore(id: Id, params: ExchangeAuthorizationRequestsIgnoreParams, options?: CallOptions): Promise<AuthorizationRequest>;"));
    // Lists extend `PageParams` and return a paging `ListResult`.
    assert!(d.contains("export interface ExchangeConnectionsListParams extends PageParams {\n  domain?: string;\n}"));
    assert!(d.contains("list(params?: ExchangeConnectionsListParams, options?: CallOptions): ListResult<Connection, ConnectionsPage>;"));
    assert!(d.contains("export type FoldersPage = HalPage<\"folders\", Folder>;"));
    // No params: no params argument; nothing back: `void`.
    assert!(d.contains("delete(id: Id, options?: CallOptions): Promise<void>;"));
    // `any_of` is a union that requires one of them.
    assert!(
        d.contains("| (ExchangeAuthorizationsCreateCommon & { request_id: Id; email?: string })")
    );
    assert!(
        d.contains("| (ExchangeAuthorizationsCreateCommon & { request_id?: Id; email: string });")
    );
    // Uploads accept a file name; docs become JSDoc.
    assert!(d.contains("  /** A new version of the file. */\n  file?: Upload;"));
    assert!(d.contains("  filename?: string;"));
    assert!(d.contains("    /** Deletes a folder. */\n    delete(id: Id"));
    assert!(d.contains("readonly knowledgeBase: KnowledgeBaseResource;"));
}

#[test]
fn pascal_case() {
    assert_eq!(pascal("knowledgeBase"), "KnowledgeBase");
}
