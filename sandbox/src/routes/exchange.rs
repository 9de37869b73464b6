//! Exchange (the Trust Center): connections, access requests and their queue, authorizations,
//! access groups.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{field_is, filter_eq, path_id, refs};
use crate::error::{ApiError, ApiResult};
use crate::input::Input;
use crate::paging::{flat, paginate};
use crate::store::{links, Store};
use crate::timefmt::{format_iso, now_iso, parse_time};

pub const AUTHORIZATION_STATUSES: [&str; 3] = ["gated", "authorized", "revoked"];

type Out = ApiResult<(StatusCode, Value)>;

pub fn connections(store: &mut Store, input: &Input) -> Out {
    let mut items = store.connections.rows.iter().collect::<Vec<&Value>>();
    filter_eq(&mut items, input, "domain", "domain")?;
    Ok((StatusCode::OK, flat("connections", paginate(items, input)?)))
}

/// The list of access requests, or with `queue` only the open (`requested`) ones.
pub fn requests(store: &mut Store, input: &Input, queue: bool) -> Out {
    let mut items = store
        .authorization_requests
        .rows
        .iter()
        .collect::<Vec<&Value>>();
    if queue {
        items.retain(|r| field_is(r, "status", "requested"));
    }
    filter_eq(&mut items, input, "email", "email")?;
    filter_eq(&mut items, input, "status", "status")?;
    Ok((
        StatusCode::OK,
        flat("authorization_requests", paginate(items, input)?),
    ))
}

pub fn request_get(store: &mut Store, raw: &str) -> Out {
    let id = path_id(raw, "authorization request")?;
    store
        .authorization_requests
        .get(id)
        .cloned()
        .map(|r| (StatusCode::OK, r))
        .ok_or_else(|| ApiError::not_found(format!("no authorization request with id {id}")))
}

/// PATCH: `status=ignored` with the required `reviewer_email`.
pub fn request_update(store: &mut Store, raw: &str, input: &Input) -> Out {
    let status = input.required("status")?;
    if status != "ignored" {
        return Err(ApiError::invalid(
            "status",
            format!("`status` can only be set to \"ignored\" here (approve by creating an authorization), got {status:?}"),
        ));
    }
    let reviewer = input.required("reviewer_email")?;
    let id = path_id(raw, "authorization request")?;
    let r = store
        .authorization_requests
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found(format!("no authorization request with id {id}")))?;
    r["status"] = json!("ignored");
    r["reviewer_email"] = json!(reviewer);
    r["updated_at"] = json!(now_iso());
    Ok((StatusCode::OK, r.clone()))
}

pub fn authorizations(store: &mut Store, input: &Input) -> Out {
    let mut items = store.authorizations.rows.iter().collect::<Vec<&Value>>();
    filter_eq(&mut items, input, "email", "email")?;
    filter_eq(&mut items, input, "status", "status")?;
    Ok((
        StatusCode::OK,
        flat("authorizations", paginate(items, input)?),
    ))
}

fn domain_of(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
}

/// The connection for an email's domain, created if new.
fn connection_for(store: &mut Store, email: &str) -> Value {
    let Some(domain) = domain_of(email) else {
        return Value::Null;
    };
    if let Some(c) = store
        .connections
        .rows
        .iter()
        .find(|c| field_is(c, "domain", &domain))
    {
        return c.get("id").cloned().unwrap_or(Value::Null);
    }
    let id = store.connections.take_id();
    let now = now_iso();
    store.connections.rows.push(json!({
        "id": id, "_type": "Connection", "domain": domain, "crm_id": null, "crm_link": null,
        "authorizations_count": 0, "authorizations_with_access_count": 0,
        "authorizations_removed_count": 0, "latest_activity_at": now,
        "created_at": now, "updated_at": now,
        "_links": links("exchange/connections", id),
    }));
    json!(id)
}

/// Recomputes a connection's authorization counts.
fn recount(store: &mut Store, connection_id: &Value) {
    let Some(cid) = connection_id.as_i64() else {
        return;
    };
    let mine: Vec<&Value> = store
        .authorizations
        .rows
        .iter()
        .filter(|a| a.get("connection_id").and_then(Value::as_i64) == Some(cid))
        .collect();
    let total = mine.len();
    let with = mine
        .iter()
        .filter(|a| field_is(a, "status", "authorized"))
        .count();
    let removed = mine
        .iter()
        .filter(|a| field_is(a, "status", "revoked"))
        .count();
    if let Some(c) = store.connections.get_mut(cid) {
        let now = now_iso();
        c["authorizations_count"] = json!(total);
        c["authorizations_with_access_count"] = json!(with);
        c["authorizations_removed_count"] = json!(removed);
        c["latest_activity_at"] = json!(now);
        c["updated_at"] = json!(now);
    }
}

/// POST: approve a request (`request_id`) or invite an `email`.
pub fn authorization_create(store: &mut Store, input: &Input) -> Out {
    let request_id = input.id("request_id")?;
    let email = input.str("email")?.filter(|e| !e.trim().is_empty());
    let group_ids = input.ids("access_group_ids")?.unwrap_or_default();
    let groups = refs(&store.access_groups, &group_ids, "access_group_ids")?;
    let nda_bypass = input.bool("nda_bypass")?.unwrap_or(false);
    let expires_at = match input.str("expires_at")? {
        Some(s) if !s.trim().is_empty() => {
            Some(parse_time(&s, true).map(format_iso).ok_or_else(|| {
                ApiError::invalid(
                    "expires_at",
                    "`expires_at` must be an ISO 8601 date or time",
                )
            })?)
        }
        _ => None,
    };
    let email = match (request_id, email) {
        (Some(rid), _) => {
            let r = store.authorization_requests.get_mut(rid).ok_or_else(|| {
                ApiError::invalid(
                    "request_id",
                    format!("no authorization request with id {rid}"),
                )
            })?;
            let now = now_iso();
            r["status"] = json!("approved");
            r["updated_at"] = json!(now);
            r.get("email")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        }
        (None, Some(e)) => {
            if !e.contains('@') {
                return Err(ApiError::invalid(
                    "email",
                    "`email` must be an email address",
                ));
            }
            e
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "request_id",
                "`request_id` or `email` is required",
            ))
        }
    };
    let connection_id = connection_for(store, &email);
    let id = store.authorizations.take_id();
    let now = now_iso();
    let record = json!({
        "id": id, "_type": "Authorization", "email": email, "status": "authorized",
        "dataroom_id": 1, "connection_id": connection_id, "is_owner": false, "subscribed": false,
        "gate_document_signature_id": null, "nda_bypass": nda_bypass, "expires_at": expires_at,
        "request_id": request_id,
        "_embedded": { "access_groups": groups },
        "created_at": now, "updated_at": now,
        "_links": links("exchange/authorizations", id),
    });
    store.authorizations.rows.push(record.clone());
    recount(store, &connection_id);
    Ok((StatusCode::CREATED, record))
}

/// PATCH: `status` (e.g. `revoked`) and/or `access_group_ids` (replaces the list).
pub fn authorization_update(store: &mut Store, raw: &str, input: &Input) -> Out {
    let status = input.one_of("status", &AUTHORIZATION_STATUSES)?;
    let group_ids = input.ids("access_group_ids")?;
    if status.is_none() && group_ids.is_none() {
        return Err(ApiError::invalid(
            "status",
            "give `status` or `access_group_ids`",
        ));
    }
    let groups = match &group_ids {
        Some(ids) => Some(refs(&store.access_groups, ids, "access_group_ids")?),
        None => None,
    };
    let id = path_id(raw, "authorization")?;
    let a = store
        .authorizations
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found(format!("no authorization with id {id}")))?;
    if let Some(s) = status {
        a["status"] = json!(s);
    }
    if let Some(g) = groups {
        a["_embedded"] = json!({ "access_groups": g });
    }
    a["updated_at"] = json!(now_iso());
    let out = a.clone();
    let cid = out.get("connection_id").cloned().unwrap_or(Value::Null);
    recount(store, &cid);
    Ok((StatusCode::OK, out))
}

pub fn access_groups(store: &mut Store, input: &Input) -> Out {
    let items = store.access_groups.rows.iter().collect::<Vec<&Value>>();
    Ok((
        StatusCode::OK,
        flat("access_groups", paginate(items, input)?),
    ))
}
