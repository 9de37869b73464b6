//! The /api/v2 surface: which endpoint a method and path name, the permission it needs, and
//! the handlers (one file per area).

#[cfg(test)]
mod coverage;
pub mod documents;
pub mod exchange;
pub mod interactions;
pub mod knowledge_base;
pub mod product_lines;
pub mod questionnaires;
pub mod reviews;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::{json_response, ApiError, ApiResult};
use crate::input::{parse_id_str, Input};
use crate::store::Store;
use crate::timefmt::parse_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InteractionsBy {
    Connection,
    Document,
    Question,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    ConnectionsList,
    AuthorizationRequestsList,
    AuthorizationRequestGet(String),
    AuthorizationRequestUpdate(String),
    AuthorizationRequestQueue,
    AuthorizationsList,
    AuthorizationsCreate,
    AuthorizationUpdate(String),
    AccessGroupsList,
    FoldersList,
    FoldersCreate,
    FolderDelete(String),
    DocumentsList,
    DocumentsCreate,
    DocumentUpdate(String),
    DocumentDelete(String),
    QuestionnairesList,
    QuestionnairesCreate,
    QuestionnaireRequestsCreate,
    QuestionsList,
    SingleQuestion,
    InteractionsList,
    Interactions(InteractionsBy, String),
    ProductLinesList,
    ReviewsCreate,
}

impl Endpoint {
    /// Whether the handler reads a body.
    pub fn takes_body(&self) -> bool {
        !matches!(
            self,
            Endpoint::ConnectionsList
                | Endpoint::AuthorizationRequestsList
                | Endpoint::AuthorizationRequestGet(_)
                | Endpoint::AuthorizationRequestQueue
                | Endpoint::AuthorizationsList
                | Endpoint::AccessGroupsList
                | Endpoint::FoldersList
                | Endpoint::DocumentsList
                | Endpoint::QuestionnairesList
                | Endpoint::QuestionsList
                | Endpoint::InteractionsList
                | Endpoint::Interactions(..)
                | Endpoint::ProductLinesList
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Found(Endpoint, &'static str),
    MethodNotAllowed(String),
    NotFound,
}

/// Maps a method and the path segments after `/api/v2/` to an endpoint and its permission.
pub fn resolve(method: &Method, segs: &[&str]) -> Resolved {
    use Endpoint::*;
    const ER: &str = "exchange:read";
    const EW: &str = "exchange:write";
    let id = |s: &str| s.to_owned();
    let options: Vec<(Method, Endpoint, &'static str)> = match segs {
        ["exchange", "connections"] => vec![(Method::GET, ConnectionsList, ER)],
        ["exchange", "authorization_requests"] => {
            vec![(Method::GET, AuthorizationRequestsList, ER)]
        }
        ["exchange", "authorization_requests", i] => vec![
            (Method::GET, AuthorizationRequestGet(id(i)), ER),
            (Method::PATCH, AuthorizationRequestUpdate(id(i)), EW),
        ],
        ["exchange", "authorization_request_queue"] => {
            vec![(Method::GET, AuthorizationRequestQueue, ER)]
        }
        ["exchange", "authorizations"] => vec![
            (Method::GET, AuthorizationsList, ER),
            (Method::POST, AuthorizationsCreate, EW),
        ],
        ["exchange", "authorizations", i] => vec![(Method::PATCH, AuthorizationUpdate(id(i)), EW)],
        ["exchange", "access_groups"] => vec![(Method::GET, AccessGroupsList, ER)],
        ["exchange", "folders"] => vec![
            (Method::GET, FoldersList, ER),
            (Method::POST, FoldersCreate, EW),
        ],
        ["exchange", "folders", i] => vec![(Method::DELETE, FolderDelete(id(i)), EW)],
        ["exchange", "documents"] => vec![
            (Method::GET, DocumentsList, ER),
            (Method::POST, DocumentsCreate, EW),
        ],
        ["exchange", "documents", i] => vec![
            (Method::PATCH, DocumentUpdate(id(i)), EW),
            (Method::DELETE, DocumentDelete(id(i)), EW),
        ],
        ["questionnaires"] => vec![
            (Method::GET, QuestionnairesList, "questionnaires:read"),
            (Method::POST, QuestionnairesCreate, "questionnaires:write"),
        ],
        ["questionnaire_requests"] => vec![(
            Method::POST,
            QuestionnaireRequestsCreate,
            "questionnaires:write",
        )],
        ["knowledge_base", "questions"] => {
            vec![(Method::GET, QuestionsList, "knowledge_base:read")]
        }
        ["single_question"] => vec![(Method::POST, SingleQuestion, "single_question:write")],
        ["interactions"] => vec![(Method::GET, InteractionsList, "interactions:read")],
        ["interactions", kind, i] => {
            let by = match *kind {
                "connections" => InteractionsBy::Connection,
                "documents" => InteractionsBy::Document,
                "questions" => InteractionsBy::Question,
                _ => return Resolved::NotFound,
            };
            vec![(Method::GET, Interactions(by, id(i)), "interactions:read")]
        }
        ["product_lines"] => vec![(Method::GET, ProductLinesList, "product_lines:read")],
        ["reviews"] => vec![(Method::POST, ReviewsCreate, "reviews:write")],
        _ => vec![],
    };
    if options.is_empty() {
        return Resolved::NotFound;
    }
    let wanted = if *method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let allow: Vec<&str> = options.iter().map(|(m, _, _)| m.as_str()).collect();
    let allow = allow.join(", ");
    match options.into_iter().find(|(m, _, _)| *m == wanted) {
        Some((_, ep, perm)) => Resolved::Found(ep, perm),
        None => Resolved::MethodNotAllowed(allow),
    }
}

/// A path id: a positive integer, else the record cannot exist (404).
pub fn path_id(raw: &str, what: &str) -> ApiResult<i64> {
    parse_id_str(raw).ok_or_else(|| ApiError::not_found(format!("no {what} with id {raw:?}")))
}

/// Runs a handler against the store. `Value::Null` means 204 No Content.
pub fn dispatch(store: &mut Store, ep: &Endpoint, input: &Input) -> Response {
    let result: ApiResult<(StatusCode, Value)> = match ep {
        Endpoint::ConnectionsList => exchange::connections(store, input),
        Endpoint::AuthorizationRequestsList => exchange::requests(store, input, false),
        Endpoint::AuthorizationRequestQueue => exchange::requests(store, input, true),
        Endpoint::AuthorizationRequestGet(id) => exchange::request_get(store, id),
        Endpoint::AuthorizationRequestUpdate(id) => exchange::request_update(store, id, input),
        Endpoint::AuthorizationsList => exchange::authorizations(store, input),
        Endpoint::AuthorizationsCreate => exchange::authorization_create(store, input),
        Endpoint::AuthorizationUpdate(id) => exchange::authorization_update(store, id, input),
        Endpoint::AccessGroupsList => exchange::access_groups(store, input),
        Endpoint::FoldersList => documents::folders(store, input),
        Endpoint::FoldersCreate => documents::folder_create(store, input),
        Endpoint::FolderDelete(id) => documents::folder_delete(store, id),
        Endpoint::DocumentsList => documents::documents(store, input),
        Endpoint::DocumentsCreate => documents::document_create(store, input),
        Endpoint::DocumentUpdate(id) => documents::document_update(store, id, input),
        Endpoint::DocumentDelete(id) => documents::document_delete(store, id),
        Endpoint::QuestionnairesList => questionnaires::list(store, input),
        Endpoint::QuestionnairesCreate => questionnaires::create(store, input),
        Endpoint::QuestionnaireRequestsCreate => questionnaires::request_create(store, input),
        Endpoint::QuestionsList => knowledge_base::questions(store, input),
        Endpoint::SingleQuestion => knowledge_base::single_question(store, input),
        Endpoint::InteractionsList => interactions::list(store, input, None),
        Endpoint::Interactions(by, id) => interactions::list(store, input, Some((*by, id))),
        Endpoint::ProductLinesList => product_lines::list(store, input),
        Endpoint::ReviewsCreate => reviews::create(store, input),
    };
    match result {
        Ok((status, Value::Null)) => status.into_response(),
        Ok((status, body)) => json_response(status, &body),
        Err(e) => e.into_response(),
    }
}

// ---- helpers shared by the handlers

/// Records whose `field` equals `want` (strings compared case-insensitively).
pub fn field_is(record: &Value, field: &str, want: &str) -> bool {
    match record.get(field) {
        Some(Value::String(s)) => s.eq_ignore_ascii_case(want),
        Some(Value::Number(n)) => n.to_string() == want,
        Some(Value::Bool(b)) => b.to_string() == want,
        _ => false,
    }
}

/// Keeps records whose `field` equals the parameter `param`, if given. Enum filters accept
/// any value: one the sandbox does not know simply matches nothing.
pub fn filter_eq(
    items: &mut Vec<&Value>,
    input: &Input,
    param: &str,
    field: &str,
) -> ApiResult<()> {
    if let Some(want) = input.str(param)? {
        items.retain(|r| field_is(r, field, &want));
    }
    Ok(())
}

/// `<prefix>_start` / `<prefix>_end` on the record's `<prefix>` timestamp.
pub fn filter_dates(items: &mut Vec<&Value>, input: &Input, prefix: &str) -> ApiResult<()> {
    let start = input.time(&format!("{prefix}_start"), false)?;
    let end = input.time(&format!("{prefix}_end"), true)?;
    if start.is_none() && end.is_none() {
        return Ok(());
    }
    items.retain(|r| {
        let Some(t) = r
            .get(prefix)
            .and_then(Value::as_str)
            .and_then(|s| parse_time(s, false))
        else {
            return false;
        };
        start.is_none_or(|s| t >= s) && end.is_none_or(|e| t <= e)
    });
    Ok(())
}

/// `{id, name}` references for `ids` in `table`, or 422 naming `field` for an unknown id.
pub fn refs(table: &crate::store::Table, ids: &[i64], field: &str) -> ApiResult<Vec<Value>> {
    ids.iter()
        .map(|id| {
            table
                .get(*id)
                .map(|r| serde_json::json!({ "id": id, "name": r.get("name").cloned().unwrap_or(Value::Null) }))
                .ok_or_else(|| ApiError::invalid(field, format!("no record with id {id} for `{field}`")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves() {
        assert_eq!(
            resolve(&Method::GET, &["exchange", "connections"]),
            Resolved::Found(Endpoint::ConnectionsList, "exchange:read")
        );
        assert_eq!(
            resolve(&Method::PUT, &["exchange", "folders"]),
            Resolved::MethodNotAllowed("GET, POST".into())
        );
        assert_eq!(resolve(&Method::GET, &["nope"]), Resolved::NotFound);
        assert_eq!(
            resolve(&Method::GET, &["interactions", "x", "1"]),
            Resolved::NotFound
        );
    }
}
