//! Questionnaires (HAL list, multipart create) and questionnaire requests.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{field_is, filter_dates, filter_eq, refs};
use crate::error::{ApiError, ApiResult};
use crate::input::Input;
use crate::paging::{hal, paginate};
use crate::store::{links, Store};
use crate::timefmt::{format_iso, now_iso};

pub const FORMATS: [&str; 3] = ["spreadsheet", "file", "portal"];
pub const TYPES: [&str; 2] = ["security_questionnaire", "rfp"];

type Out = ApiResult<(StatusCode, Value)>;

pub fn list(store: &mut Store, input: &Input) -> Out {
    let mut items = store.questionnaires.rows.iter().collect::<Vec<&Value>>();
    filter_eq(&mut items, input, "status", "status")?;
    if let Some(ids) = input.ids("product_line_ids")? {
        if !ids.is_empty() {
            items.retain(|q| {
                q.get("product_line_ids")
                    .and_then(Value::as_array)
                    .is_some_and(|have| {
                        have.iter()
                            .any(|v| v.as_i64().is_some_and(|i| ids.contains(&i)))
                    })
            });
        }
    }
    filter_dates(&mut items, input, "created_at")?;
    filter_dates(&mut items, input, "completed_at")?;
    filter_dates(&mut items, input, "due_at")?;
    Ok((
        StatusCode::OK,
        hal("questionnaires", paginate(items, input)?),
    ))
}

pub fn create(store: &mut Store, input: &Input) -> Out {
    let domain = input.required("domain")?.trim().to_ascii_lowercase();
    let email = input.required("email")?;
    let format = input
        .one_of("original_format", &FORMATS)?
        .ok_or_else(|| ApiError::missing("original_format"))?;
    let kind = input
        .one_of("questionnaire_type", &TYPES)?
        .unwrap_or_else(|| "security_questionnaire".to_owned());
    let due_at = input.time("due_at", true)?.map(format_iso);
    let product_line_ids = input.ids("product_line_ids")?.unwrap_or_default();
    refs(&store.product_lines, &product_line_ids, "product_line_ids")?;
    let crm_amount = input.number("crm_amount")?;
    let portal_url = input.str("portal_url")?;
    let upload = input.files.get("file");
    let filename = input
        .str("filename")?
        .or_else(|| upload.and_then(|u| u.filename.clone()));
    let question_count = upload.map_or(0, |u| u.text_lines.saturating_sub(1));
    let connection = store
        .connections
        .rows
        .iter()
        .find(|c| field_is(c, "domain", &domain))
        .map(|c| {
            json!({ "id": c.get("id"), "domain": c.get("domain"), "crm_link": c.get("crm_link"), "crm_id": c.get("crm_id") })
        })
        .unwrap_or(Value::Null);
    let customer = input.str("customer_name")?;
    let name = match (&customer, &filename) {
        (Some(c), _) if !c.trim().is_empty() => format!("{c} security questionnaire"),
        (_, Some(f)) if !f.trim().is_empty() => f.clone(),
        _ => format!("Questionnaire from {domain}"),
    };
    let id = store.questionnaires.take_id();
    let now = now_iso();
    let record = json!({
        "id": id, "_type": "Questionnaire", "name": name, "status": "processing",
        "assignee": null, "connection": connection, "question_count": question_count,
        "original_format": format, "questionnaire_type": kind,
        "crm_link": null, "crm_id": input.str("crm_id")?, "crm_amount": crm_amount,
        "is_test": false, "due_at": due_at, "completed_at": null, "domain": domain,
        "email": email, "portal_url": portal_url, "notes": input.str("notes")?,
        "customer_name": customer, "filename": filename,
        "content_type": input.str("content_type")?.or_else(|| upload.and_then(|u| u.content_type.clone())),
        "content_version_id": input.str("content_version_id")?,
        "product_line_ids": product_line_ids,
        "created_at": now, "updated_at": now, "_links": links("questionnaires", id),
    });
    store.questionnaires.rows.push(record.clone());
    Ok((StatusCode::CREATED, record))
}

pub fn request_create(store: &mut Store, input: &Input) -> Out {
    let id = store.questionnaire_requests.take_id();
    let file = input
        .files
        .get("file")
        .map(|u| json!({ "filename": u.filename, "content_type": u.content_type, "size": u.size }));
    let mut record = json!({
        "id": id, "_type": "QuestionnaireRequest", "status": "received",
        "external_id": input.str("external_id")?, "source": input.str("source")?,
        "submitter_email": input.str("submitter_email")?,
        "submitter_external_id": input.str("submitter_external_id")?,
        "submitter_external_name": input.str("submitter_external_name")?,
        "case_ids": input.strings("case_ids")?.unwrap_or_default(),
        "raw_data": input.fields.get("raw_data").cloned().unwrap_or(Value::Null),
        "file": file, "created_at": now_iso(),
        "_links": links("questionnaire_requests", id),
    });
    record["updated_at"] = record["created_at"].clone();
    store.questionnaire_requests.rows.push(record.clone());
    Ok((StatusCode::CREATED, record))
}
