//! Every endpoint's happy path and the state its writes change, against the real binary.

mod common;

use common::{items, Sandbox};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

fn assert_record(r: &Value, ty: &str) {
    assert!(r["id"].is_i64(), "integer id in {r}");
    assert_eq!(r["_type"], ty, "{r}");
    let href = r["_links"]["self"]["href"].as_str().unwrap_or("");
    assert!(
        href.starts_with("/api/v2/") && href.ends_with(&format!("/{}", r["id"])),
        "{href}"
    );
}

#[tokio::test]
async fn list_envelopes_and_records() {
    let sb = Sandbox::start(&[]);
    let flat = [
        ("/exchange/connections", "connections", "Connection", 40),
        (
            "/exchange/authorization_requests",
            "authorization_requests",
            "AuthorizationRequest",
            100,
        ),
        (
            "/exchange/authorizations",
            "authorizations",
            "Authorization",
            40,
        ),
        ("/exchange/access_groups", "access_groups", "AccessGroup", 5),
        (
            "/knowledge_base/questions",
            "questions",
            "KnowledgeBaseQuestion",
            100,
        ),
        ("/interactions", "interactions", "Interaction", 60),
    ];
    for (path, plural, ty, min) in flat {
        let body = sb.json(path).await;
        let list = body[plural]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: {body}"));
        assert!(list.len() >= min.min(100), "{path}: {} records", list.len());
        assert_eq!(body["page"], 1);
        assert_eq!(body["per_page"], 100);
        assert!(body["total_pages"].as_u64().unwrap_or(0) >= 1);
        for r in list {
            assert_record(r, ty);
        }
    }
    let hal = [
        ("/exchange/folders", "folders", "Folder", 6),
        ("/exchange/documents", "documents", "Document", 15),
        ("/questionnaires", "questionnaires", "Questionnaire", 25),
        ("/product_lines", "product_lines", "ProductLine", 4),
    ];
    for (path, plural, ty, min) in hal {
        let body = sb.json(path).await;
        let list = body["_embedded"][plural]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: {body}"));
        assert_eq!(list.len(), min, "{path}");
        assert_eq!(body["page"], 1);
        assert_eq!(body["total_pages"], 1);
        for r in list {
            assert_record(r, ty);
        }
    }
    let kb = sb
        .json("/knowledge_base/questions?per_page=100&page=3")
        .await;
    assert_eq!(kb["total_pages"], 3, "300 knowledge-base questions");
    assert_eq!(items(&kb, "questions").len(), 100);
    let docs = sb.json("/exchange/documents").await;
    let doc = &items(&docs, "documents")[0];
    for f in [
        "name",
        "description",
        "display_certification",
        "publicly_accessible",
        "featured",
        "folder",
        "access_level",
        "use_for_question_answering",
        "disable_downloads",
        "access_groups",
        "product_lines",
        "versions",
        "file_updated_at",
        "created_at",
        "updated_at",
    ] {
        assert!(doc.get(f).is_some(), "document field {f}");
    }
    let v = &doc["versions"][0];
    for f in [
        "id",
        "version_number",
        "content_type",
        "filename",
        "created_at",
    ] {
        assert!(v.get(f).is_some(), "version field {f}");
    }
}

#[tokio::test]
async fn paging_and_filters() {
    let sb = Sandbox::start(&[]);
    let p1 = sb.json("/exchange/connections?per_page=7").await;
    let p2 = sb.json("/exchange/connections?per_page=7&page=2").await;
    assert_eq!(p1["total_pages"], 40_u64.div_ceil(7));
    assert_eq!(p2["page"], 2);
    assert_ne!(p1["connections"][0]["id"], p2["connections"][0]["id"]);
    let past = sb.json("/exchange/connections?page=99").await;
    assert_eq!(items(&past, "connections").len(), 0);

    let domain = p1["connections"][0]["domain"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let one = sb
        .json(&format!("/exchange/connections?domain={domain}"))
        .await;
    assert_eq!(items(&one, "connections").len(), 1);

    for (path, plural, field, value) in [
        (
            "/exchange/authorization_requests?status=requested",
            "authorization_requests",
            "status",
            "requested",
        ),
        (
            "/exchange/authorization_requests?status=initial",
            "authorization_requests",
            "status",
            "initial",
        ),
        (
            "/exchange/authorization_requests?status=approved",
            "authorization_requests",
            "status",
            "approved",
        ),
        (
            "/exchange/authorization_requests?status=ignored",
            "authorization_requests",
            "status",
            "ignored",
        ),
        (
            "/exchange/authorizations?status=gated",
            "authorizations",
            "status",
            "gated",
        ),
        (
            "/exchange/authorizations?status=authorized",
            "authorizations",
            "status",
            "authorized",
        ),
        (
            "/exchange/authorizations?status=revoked",
            "authorizations",
            "status",
            "revoked",
        ),
        (
            "/knowledge_base/questions?status=verified",
            "questions",
            "status",
            "verified",
        ),
        (
            "/knowledge_base/questions?status=unverified",
            "questions",
            "status",
            "unverified",
        ),
        (
            "/interactions?type=Document",
            "interactions",
            "type",
            "Document",
        ),
        (
            "/interactions?type=Q%20%26%20A",
            "interactions",
            "type",
            "Q & A",
        ),
        (
            "/questionnaires?status=processing",
            "questionnaires",
            "status",
            "processing",
        ),
        (
            "/questionnaires?status=ready_for_review",
            "questionnaires",
            "status",
            "ready_for_review",
        ),
        (
            "/questionnaires?status=completed",
            "questionnaires",
            "status",
            "completed",
        ),
    ] {
        let body = sb.json(path).await;
        let list = items(&body, plural);
        assert!(!list.is_empty(), "{path} has records");
        assert!(list.iter().all(|r| r[field] == value), "{path}");
    }
    let queue = sb.json("/exchange/authorization_request_queue").await;
    let open = items(&queue, "authorization_requests");
    assert!(open.len() >= 60 && open.iter().all(|r| r["status"] == "requested"));

    let email = open[0]["email"].as_str().unwrap_or("").to_owned();
    let by_email = sb
        .json(&format!("/exchange/authorization_requests?email={email}"))
        .await;
    assert!(items(&by_email, "authorization_requests")
        .iter()
        .all(|r| r["email"] == email.as_str()));

    let all = items(&sb.json("/questionnaires").await, "questionnaires").len();
    let early = sb.json("/questionnaires?created_at_end=2025-01-01").await;
    let late = sb
        .json("/questionnaires?created_at_start=2025-01-01T00:00:00Z")
        .await;
    assert_eq!(
        items(&early, "questionnaires").len() + items(&late, "questionnaires").len(),
        all
    );
    let done = sb
        .json("/questionnaires?completed_at_start=2000-01-01")
        .await;
    assert!(items(&done, "questionnaires")
        .iter()
        .all(|q| q["status"] == "completed"));
    let due = sb
        .json("/questionnaires?due_at_start=2000-01-01&due_at_end=2100-01-01&product_line_ids[]=1")
        .await;
    assert!(!items(&due, "questionnaires").is_empty());
    let recent = sb.json("/interactions?created_at_start=2100-01-01").await;
    assert!(items(&recent, "interactions").is_empty());
    let future = sb
        .json("/knowledge_base/questions?status=archived-in-a-future-version")
        .await;
    assert!(
        items(&future, "questions").is_empty(),
        "an unknown filter value matches nothing"
    );
}

#[tokio::test]
async fn single_records_and_interactions_by_record() {
    let sb = Sandbox::start(&[]);
    let r = sb.json("/exchange/authorization_requests/1").await;
    assert_eq!(r["id"], 1);
    assert_record(&r, "AuthorizationRequest");
    let i = sb.json("/interactions").await;
    let list = items(&i, "interactions");
    let conn = list[0]["connection"]["id"].as_i64().unwrap_or(0);
    let by_conn = sb.json(&format!("/interactions/connections/{conn}")).await;
    assert!(items(&by_conn, "interactions")
        .iter()
        .all(|x| x["connection"]["id"] == conn));
    let doc = list
        .iter()
        .find(|x| x["type"] == "Document")
        .map(|x| x["document_id"].clone());
    let by_doc = sb
        .json(&format!(
            "/interactions/documents/{}",
            doc.unwrap_or(json!(1))
        ))
        .await;
    assert!(!items(&by_doc, "interactions").is_empty());
    let q = list
        .iter()
        .find(|x| x["type"] == "Q & A")
        .map(|x| x["question_id"].clone());
    let by_q = sb
        .json(&format!(
            "/interactions/questions/{}?type=Q%20%26%20A",
            q.unwrap_or(json!(1))
        ))
        .await;
    assert!(!items(&by_q, "interactions").is_empty());
    for missing in [
        "/interactions/connections/9999",
        "/interactions/documents/x",
        "/exchange/authorization_requests/0",
    ] {
        let r = sb.get(missing).send().await.expect("sent");
        assert_eq!(r.status(), 404, "{missing}");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(body["error"], "not_found");
    }
}

#[tokio::test]
async fn ignore_and_approve_requests() {
    let sb = Sandbox::start(&[]);
    let queue = sb.json("/exchange/authorization_request_queue").await;
    let open = items(&queue, "authorization_requests").clone();
    let (a, b) = (open[0]["id"].clone(), open[1]["id"].clone());

    let r = common::expect_status(
        sb.req(
            Method::PATCH,
            &format!("/exchange/authorization_requests/{a}"),
        )
        .json(&json!({ "status": "ignored" })),
        422,
    )
    .await;
    let e: Value = r.json().await.expect("JSON");
    assert_eq!(e["error"], "invalid_request");
    assert_eq!(e["field"], "reviewer_email");

    let r = common::expect_status(
        sb.req(
            Method::PATCH,
            &format!("/exchange/authorization_requests/{a}"),
        )
        .json(&json!({ "status": "ignored", "reviewer_email": "rev@us.example" })),
        200,
    )
    .await;
    let ignored: Value = r.json().await.expect("JSON");
    assert_eq!(ignored["status"], "ignored");

    // Approve by request_id, as query parameters.
    let r = sb.req(Method::POST, &format!("/exchange/authorizations?request_id={b}&access_group_ids[]=2&access_group_ids[]=3&nda_bypass=true&expires_at=2030-01-01")).send().await.expect("sent");
    assert_eq!(r.status(), 201);
    let auth: Value = r.json().await.expect("JSON");
    assert_record(&auth, "Authorization");
    assert_eq!(auth["status"], "authorized");
    assert_eq!(auth["email"], open[1]["email"]);
    assert_eq!(
        auth["_embedded"]["access_groups"].as_array().map(Vec::len),
        Some(2)
    );
    let approved = sb
        .json(&format!("/exchange/authorization_requests/{b}"))
        .await;
    assert_eq!(approved["status"], "approved");

    let after = sb.json("/exchange/authorization_request_queue").await;
    let ids: Vec<&Value> = items(&after, "authorization_requests")
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids.len(), open.len() - 2);
    assert!(!ids.contains(&&a) && !ids.contains(&&b));

    // By email, as a JSON body; then update and revoke.
    let r = sb.req(Method::POST, "/exchange/authorizations").json(&json!({ "email": "new@prospect.example", "access_group_ids": [1], "nda_bypass": false, "expires_at": "2030-01-01T00:00:00Z" })).send().await.expect("sent");
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.expect("JSON");
    let id = created["id"].clone();
    let listed = sb
        .json("/exchange/authorizations?email=new@prospect.example")
        .await;
    assert_eq!(items(&listed, "authorizations").len(), 1);
    let conns = sb
        .json("/exchange/connections?domain=prospect.example")
        .await;
    assert_eq!(
        items(&conns, "connections").len(),
        1,
        "a new connection for the new domain"
    );

    let r = common::expect_status(
        sb.req(Method::PATCH, &format!("/exchange/authorizations/{id}"))
            .json(&json!({ "access_group_ids": [4, 5] })),
        200,
    )
    .await;
    let updated: Value = r.json().await.expect("JSON");
    let groups: Vec<&Value> = updated["_embedded"]["access_groups"]
        .as_array()
        .map(|g| g.iter().map(|x| &x["id"]).collect())
        .unwrap_or_default();
    assert_eq!(groups, [&json!(4), &json!(5)]);
    let r = sb
        .req(
            Method::PATCH,
            &format!("/exchange/authorizations/{id}?status=revoked"),
        )
        .send()
        .await
        .expect("sent");
    let revoked: Value = r.json().await.expect("JSON");
    assert_eq!(revoked["status"], "revoked");

    for (body, field) in [
        (json!({}), "request_id"),
        (
            json!({ "email": "a@b.example", "access_group_ids": [999] }),
            "access_group_ids",
        ),
        (
            json!({ "email": "a@b.example", "expires_at": "soon" }),
            "expires_at",
        ),
        (
            json!({ "email": "a@b.example", "nda_bypass": "maybe" }),
            "nda_bypass",
        ),
    ] {
        let r = sb
            .req(Method::POST, "/exchange/authorizations")
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 422, "{body}");
        let e: Value = r.json().await.expect("JSON");
        assert_eq!(e["field"], field, "{body}");
    }
    common::expect_status(
        sb.req(Method::PATCH, &format!("/exchange/authorizations/{id}"))
            .json(&json!({ "status": "deleted" })),
        422,
    )
    .await;
    common::expect_status(
        sb.req(Method::PATCH, "/exchange/authorizations/99999")
            .json(&json!({ "status": "revoked" })),
        404,
    )
    .await;

    // Reset restores the fixtures.
    sb.reset().await;
    let again = sb.json("/exchange/authorization_request_queue").await;
    assert_eq!(items(&again, "authorization_requests").len(), open.len());
}

#[tokio::test]
async fn folders_and_documents() {
    let sb = Sandbox::start(&[]);
    let r = common::expect_status(
        sb.req(Method::POST, "/exchange/folders")
            .json(&json!({ "name": "Policies 2026" })),
        201,
    )
    .await;
    let folder: Value = r.json().await.expect("JSON");
    assert_record(&folder, "Folder");
    let fid = folder["id"].as_i64().unwrap_or(0);
    common::expect_status(
        sb.req(Method::POST, "/exchange/folders").json(&json!({})),
        422,
    )
    .await;

    let form = Form::new()
        .text("name", "SOC 2 bridge letter")
        .text("description", "Covers Q4")
        .text("certification", "soc2-type-2")
        .text("access_level", "protected")
        .text("featured", "true")
        .text("folder_id", fid.to_string())
        .text("access_group_ids[]", "2")
        .text("product_line_ids[]", "1")
        .part(
            "file",
            Part::bytes(b"%PDF-1.4 bridge".to_vec())
                .file_name("bridge.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let r = common::expect_status(
        sb.req(Method::POST, "/exchange/documents").multipart(form),
        201,
    )
    .await;
    let doc: Value = r.json().await.expect("JSON");
    assert_record(&doc, "Document");
    assert_eq!(doc["name"], "SOC 2 bridge letter");
    assert_eq!(doc["display_certification"], "soc2-type-2");
    assert_eq!(doc["featured"], true);
    assert_eq!(doc["folder"]["id"], fid);
    assert_eq!(doc["versions"][0]["filename"], "bridge.pdf");
    assert_eq!(doc["versions"][0]["content_type"], "application/pdf");
    assert_eq!(doc["versions"][0]["version_number"], 1);
    let did = doc["id"].as_i64().unwrap_or(0);
    let docs = sb.json("/exchange/documents").await;
    assert!(
        items(&docs, "documents").iter().any(|d| d["id"] == did),
        "the upload is listed"
    );
    let folders = sb.json("/exchange/folders").await;
    let f = items(&folders, "folders")
        .iter()
        .find(|f| f["id"] == fid)
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["document_ids"], json!([did]));

    // PATCH as JSON, then as multipart with a new file (a second version).
    let r = common::expect_status(
        sb.req(Method::PATCH, &format!("/exchange/documents/{did}"))
            .json(&json!({ "description": "Type 2, 2026", "featured": false })),
        200,
    )
    .await;
    let d: Value = r.json().await.expect("JSON");
    assert_eq!(d["description"], "Type 2, 2026");
    assert_eq!(d["featured"], false);
    let form = Form::new().text("name", "Renamed").part(
        "file",
        Part::bytes(b"v2".to_vec()).file_name("bridge-v2.pdf"),
    );
    let r = sb
        .req(Method::PATCH, &format!("/exchange/documents/{did}"))
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let d: Value = r.json().await.expect("JSON");
    assert_eq!(d["name"], "Renamed");
    assert_eq!(d["versions"][0]["version_number"], 2);
    assert_eq!(d["versions"][0]["filename"], "bridge-v2.pdf");

    // JSON create with the file's text.
    common::expect_status(
        sb.req(Method::POST, "/exchange/documents")
            .json(&json!({ "name": "Notes", "file": "hello", "filename": "notes.txt" })),
        201,
    )
    .await;

    for (form, field) in [
        (Form::new().text("name", "x"), "file"),
        (
            Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.pdf")),
            "name",
        ),
        (
            Form::new()
                .text("name", "x")
                .text("access_level", "secret")
                .part("file", Part::bytes(b"x".to_vec()).file_name("x.pdf")),
            "access_level",
        ),
        (
            Form::new()
                .text("name", "x")
                .text("featured", "yes")
                .part("file", Part::bytes(b"x".to_vec()).file_name("x.pdf")),
            "featured",
        ),
        (
            Form::new()
                .text("name", "x")
                .text("folder_id", "999")
                .part("file", Part::bytes(b"x".to_vec()).file_name("x.pdf")),
            "folder_id",
        ),
    ] {
        let r = sb
            .req(Method::POST, "/exchange/documents")
            .multipart(form)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 422, "{field}");
        let e: Value = r.json().await.expect("JSON");
        assert_eq!(e["field"], field);
    }

    let r = common::expect_status(
        sb.req(Method::DELETE, &format!("/exchange/documents/{did}")),
        204,
    )
    .await;
    assert_eq!(r.bytes().await.map(|b| b.len()).unwrap_or(1), 0);
    common::expect_status(
        sb.req(Method::DELETE, &format!("/exchange/documents/{did}")),
        404,
    )
    .await;
    common::expect_status(
        sb.req(Method::DELETE, &format!("/exchange/folders/{fid}")),
        204,
    )
    .await;
    let folders = sb.json("/exchange/folders").await;
    assert!(
        !items(&folders, "folders").iter().any(|f| f["id"] == fid),
        "the folder is gone"
    );
    common::expect_status(
        sb.req(Method::DELETE, &format!("/exchange/folders/{fid}")),
        404,
    )
    .await;
}

#[tokio::test]
async fn questionnaires_knowledge_base_and_the_rest() {
    let sb = Sandbox::start(&[]);
    let form = Form::new()
        .text("domain", "prospect.example")
        .text("email", "buyer@prospect.example")
        .text("original_format", "spreadsheet")
        .text("questionnaire_type", "rfp")
        .text("due_at", "2030-02-01T00:00:00.000Z")
        .text("product_line_ids[]", "1")
        .text("crm_amount", "12500.5")
        .part(
            "file",
            Part::bytes(b"Question,Answer\nDo you encrypt data at rest?,\nSSO?,\n".to_vec())
                .file_name("questions.csv"),
        );
    let r =
        common::expect_status(sb.req(Method::POST, "/questionnaires").multipart(form), 201).await;
    let q: Value = r.json().await.expect("JSON");
    assert_record(&q, "Questionnaire");
    assert_eq!(q["status"], "processing");
    assert_eq!(q["question_count"], 2);
    assert_eq!(q["original_format"], "spreadsheet");
    let all = sb.json("/questionnaires?status=processing").await;
    assert!(items(&all, "questionnaires")
        .iter()
        .any(|x| x["id"] == q["id"]));

    let r = sb.req(Method::POST, "/questionnaires").json(&json!({ "domain": "p.example", "email": "x@p.example", "original_format": "portal", "portal_url": "https://portal.example/q/1" })).send().await.expect("sent");
    assert_eq!(r.status(), 201);
    for (body, field) in [
        (
            json!({ "domain": "a.example", "email": "a@a.example" }),
            "original_format",
        ),
        (
            json!({ "domain": "a.example", "email": "a@a.example", "original_format": "fax" }),
            "original_format",
        ),
        (
            json!({ "email": "a@a.example", "original_format": "file" }),
            "domain",
        ),
        (
            json!({ "domain": "a.example", "original_format": "file" }),
            "email",
        ),
        (
            json!({ "domain": "a.example", "email": "a@a.example", "original_format": "file", "questionnaire_type": "poem" }),
            "questionnaire_type",
        ),
    ] {
        let r = sb
            .req(Method::POST, "/questionnaires")
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 422, "{body}");
        let e: Value = r.json().await.expect("JSON");
        assert_eq!(e["field"], field);
    }

    let form = Form::new()
        .text("external_id", "case-1")
        .text("source", "salesforce")
        .text("submitter_email", "ae@us.example")
        .text("case_ids[]", "c1")
        .text("case_ids[]", "c2")
        .part("file", Part::bytes(b"x".to_vec()).file_name("q.xlsx"));
    let r = common::expect_status(
        sb.req(Method::POST, "/questionnaire_requests")
            .multipart(form),
        201,
    )
    .await;
    let qr: Value = r.json().await.expect("JSON");
    assert_eq!(qr["case_ids"], json!(["c1", "c2"]));
    assert_eq!(qr["file"]["filename"], "q.xlsx");

    let r = sb.req(Method::POST, "/single_question").json(&json!({ "question": "Do you encrypt data at rest?", "multiple_choice_options": ["Yes", "No"], "confidence_threshold": 0.5 })).send().await.expect("sent");
    assert_eq!(r.status(), 200);
    let a: Value = r.json().await.expect("JSON");
    assert!(
        a["answer"].as_str().is_some_and(|s| s.starts_with("Yes")),
        "{a}"
    );
    assert_eq!(a["structured_answer"], "Yes");
    assert!(a["answer_confidence"].as_f64().unwrap_or(0.0) >= 0.5);
    for f in [
        "id",
        "question",
        "answer",
        "answer_confidence",
        "structured_answer",
        "structured_answers",
    ] {
        assert!(a.get(f).is_some(), "{f}");
    }
    let form = Form::new()
        .text("question", "Is the moon made of cheese?")
        .text("confidence_threshold", "0.99");
    let r = sb
        .req(Method::POST, "/single_question")
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let a: Value = r.json().await.expect("JSON");
    assert!(a["answer"].is_null(), "below the threshold: {a}");
    common::expect_status(
        sb.req(Method::POST, "/single_question").json(&json!({})),
        422,
    )
    .await;

    let r = common::expect_status(
        sb.req(Method::POST, "/reviews")
            .json(&json!({ "email": "me@us.example", "vendor_name": "Acme" })),
        201,
    )
    .await;
    let review: Value = r.json().await.expect("JSON");
    assert_eq!(review["vendor_name"], "Acme");
    let r = common::expect_status(
        sb.req(Method::POST, "/reviews")
            .json(&json!({ "email": "me@us.example" })),
        422,
    )
    .await;
    let e: Value = r.json().await.expect("JSON");
    assert_eq!(e["field"], "vendor_name");
}

#[tokio::test]
async fn admin_routes_echo_and_request_ids() {
    let sb = Sandbox::start(&[]);
    let r = sb.get("/product_lines?x=1").send().await.expect("sent");
    let id1 = r.headers().get("x-request-id").cloned();
    let r = common::expect_status(sb.http.get(format!("{}/nowhere", sb.url)), 404).await;
    let id2 = r.headers().get("x-request-id").cloned();
    assert!(
        id1.is_some() && id2.is_some() && id1 != id2,
        "unique X-Request-Id"
    );
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(body["error"], "not_found");
    assert!(body["message"].is_string());

    let log = sb.admin("requests").await;
    let log = log.as_array().cloned().unwrap_or_default();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(
        log[0],
        json!({ "method": "GET", "path": "/api/v2/product_lines", "query": "x=1", "had_api_key": true, "key_prefix": "sk_t", "status": 200 })
    );
    assert_eq!(log[1]["had_api_key"], false);
    assert_eq!(log[1]["key_prefix"], Value::Null);

    let r = common::expect_status(
        sb.http
            .get(format!("{}/_sandbox/echo?a=1&a=2&b[]=x", sb.url))
            .header("X-API-KEY", common::FULL)
            .header("Accept", "application/json"),
        200,
    )
    .await;
    let echo: Value = r.json().await.expect("JSON");
    assert_eq!(echo["method"], "GET");
    assert_eq!(
        echo["headers"]["x-api-key"],
        json!({ "present": true, "prefix": "sk_t" })
    );
    assert_eq!(echo["headers"]["accept"], "application/json");
    assert_eq!(echo["query"], json!({ "a": ["1", "2"], "b[]": "x" }));
    assert!(
        !echo.to_string().contains(common::FULL),
        "the key never echoes back"
    );
    common::expect_status(sb.http.get(format!("{}/_sandbox/echo", sb.url)), 403).await;

    let stats = sb.admin("stats").await;
    assert_eq!(
        stats["rate_limit"],
        json!({ "limit": 2000, "window_ms": 300000 })
    );
    assert_eq!(stats["keys"]["full"]["served"], 2);
    assert_eq!(stats["keys"]["full"]["ok"], 2);
    assert_eq!(stats["keys"]["…"]["forbidden"], 1);

    sb.reset().await;
    assert_eq!(sb.admin("requests").await, json!([]));
    assert_eq!(sb.admin("stats").await["keys"], json!({}));
}
