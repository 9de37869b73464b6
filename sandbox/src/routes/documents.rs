//! Exchange folders and documents (HAL lists; documents are uploaded as multipart).

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{field_is, path_id, refs};
use crate::error::{ApiError, ApiResult};
use crate::input::{Input, Upload};
use crate::paging::{hal, paginate};
use crate::store::{id_of, links, Store};
use crate::timefmt::now_iso;

pub const ACCESS_LEVELS: [&str; 4] = ["public", "protected", "need_to_know", "internal"];
pub const CERTIFICATIONS: [&str; 5] = ["soc2-type-2", "iso-27001", "hipaa", "gdpr", "pci"];

type Out = ApiResult<(StatusCode, Value)>;

pub fn folders(store: &mut Store, input: &Input) -> Out {
    let items = store.folders.rows.iter().collect::<Vec<&Value>>();
    Ok((StatusCode::OK, hal("folders", paginate(items, input)?)))
}

pub fn folder_create(store: &mut Store, input: &Input) -> Out {
    let name = input.required("name")?;
    let id = store.folders.take_id();
    let now = now_iso();
    let record = json!({
        "id": id, "_type": "Folder", "name": name, "dataroom_id": 1, "document_ids": [],
        "created_at": now, "updated_at": now, "_links": links("exchange/folders", id),
    });
    store.folders.rows.push(record.clone());
    Ok((StatusCode::CREATED, record))
}

/// DELETE: the folder goes; its documents stay, outside any folder.
pub fn folder_delete(store: &mut Store, raw: &str) -> Out {
    let id = path_id(raw, "folder")?;
    store
        .folders
        .remove(id)
        .ok_or_else(|| ApiError::not_found(format!("no folder with id {id}")))?;
    for d in &mut store.documents.rows {
        if d.get("folder")
            .and_then(|f| f.get("id"))
            .and_then(Value::as_i64)
            == Some(id)
        {
            d["folder"] = Value::Null;
        }
    }
    Ok((StatusCode::NO_CONTENT, Value::Null))
}

pub fn documents(store: &mut Store, input: &Input) -> Out {
    let mut items = store.documents.rows.iter().collect::<Vec<&Value>>();
    if let Some(fid) = input.id("folder_id")? {
        items.retain(|d| {
            d.get("folder")
                .and_then(|f| f.get("id"))
                .and_then(Value::as_i64)
                == Some(fid)
        });
    }
    if let Some(level) = input.str("access_level")? {
        items.retain(|d| field_is(d, "access_level", &level));
    }
    Ok((StatusCode::OK, hal("documents", paginate(items, input)?)))
}

/// A new version record for an upload (multipart) or a JSON `file` string.
fn version_for(store: &mut Store, input: &Input, number: i64) -> ApiResult<Option<Value>> {
    let explicit_name = input.str("filename")?.filter(|s| !s.trim().is_empty());
    let explicit_type = input.str("content_type")?.filter(|s| !s.trim().is_empty());
    let upload: Option<Upload> = match input.files.get("file") {
        Some(u) => Some(u.clone()),
        None => match input.fields.get("file") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(Upload {
                filename: None,
                content_type: None,
                size: s.len(),
                text_lines: s.lines().count(),
            }),
            Some(_) => {
                return Err(ApiError::invalid(
                    "file",
                    "`file` must be a file part (multipart) or the file's text (JSON)",
                ))
            }
        },
    };
    let Some(upload) = upload else {
        return Ok(None);
    };
    let filename = explicit_name
        .or(upload.filename.filter(|f| !f.is_empty()))
        .unwrap_or_else(|| "upload.bin".to_owned());
    let content_type = explicit_type
        .or(upload.content_type)
        .unwrap_or_else(|| guess_type(&filename).to_owned());
    let id = store.versions.take_id();
    Ok(Some(json!({
        "id": id, "version_number": number, "content_type": content_type,
        "filename": filename, "size": upload.size, "created_at": now_iso(),
    })))
}

fn guess_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => "application/pdf",
        Some("csv") => "text/csv",
        Some("txt") => "text/plain",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

/// The optional document fields shared by create and update, validated, applied to `doc`.
fn apply_fields(store: &Store, input: &Input, doc: &mut Value) -> ApiResult<()> {
    if let Some(name) = input.str("name")? {
        if name.trim().is_empty() {
            return Err(ApiError::missing("name"));
        }
        doc["name"] = json!(name);
    }
    if let Some(d) = input.str("description")? {
        doc["description"] = json!(d);
    }
    if input.has("certification") {
        let c = input.one_of("certification", &CERTIFICATIONS)?;
        doc["display_certification"] = json!(c);
    }
    if let Some(f) = input.bool("featured")? {
        doc["featured"] = json!(f);
    }
    if let Some(level) = input.one_of("access_level", &ACCESS_LEVELS)? {
        doc["publicly_accessible"] = json!(level == "public");
        doc["access_level"] = json!(level);
    }
    if let Some(b) = input.bool("disable_downloads")? {
        doc["disable_downloads"] = json!(b);
    }
    if let Some(b) = input.bool("use_for_question_answering")? {
        doc["use_for_question_answering"] = json!(b);
    }
    if input.fields.contains_key("folder_id") {
        doc["folder"] = match input.id("folder_id")? {
            None => Value::Null,
            Some(fid) => {
                let f = store.folders.get(fid).ok_or_else(|| {
                    ApiError::invalid("folder_id", format!("no folder with id {fid}"))
                })?;
                json!({ "id": fid, "name": f.get("name").cloned().unwrap_or(Value::Null) })
            }
        };
    }
    if let Some(ids) = input.ids("access_group_ids")? {
        doc["access_groups"] = json!(refs(&store.access_groups, &ids, "access_group_ids")?);
    }
    if let Some(ids) = input.ids("product_line_ids")? {
        doc["product_lines"] = json!(refs(&store.product_lines, &ids, "product_line_ids")?);
    }
    Ok(())
}

/// Keeps every folder's `document_ids` in step with the document's folder.
fn file_in_folder(store: &mut Store, doc_id: i64, folder_id: Option<i64>) {
    for f in &mut store.folders.rows {
        let mine = id_of(f) == folder_id && folder_id.is_some();
        if let Some(ids) = f.get_mut("document_ids").and_then(Value::as_array_mut) {
            ids.retain(|v| v.as_i64() != Some(doc_id));
            if mine {
                ids.push(json!(doc_id));
            }
        }
    }
}

fn folder_id_of(doc: &Value) -> Option<i64> {
    doc.get("folder")
        .and_then(|f| f.get("id"))
        .and_then(Value::as_i64)
}

pub fn document_create(store: &mut Store, input: &Input) -> Out {
    input.required("name")?;
    let id = store.documents.peek_id();
    let mut doc = json!({
        "id": id, "_type": "Document", "name": "", "description": null,
        "display_certification": null, "publicly_accessible": false, "featured": false,
        "folder": null, "access_level": "need_to_know", "use_for_question_answering": true,
        "disable_downloads": false, "access_groups": [], "product_lines": [], "versions": [],
        "file_updated_at": null, "created_at": null, "updated_at": null,
        "_links": links("exchange/documents", id),
    });
    apply_fields(store, input, &mut doc)?;
    let version = version_for(store, input, 1)?.ok_or_else(|| ApiError::missing("file"))?;
    let now = now_iso();
    doc["versions"] = json!([version]);
    doc["file_updated_at"] = json!(now);
    doc["created_at"] = json!(now);
    doc["updated_at"] = json!(now);
    let id = store.documents.take_id();
    file_in_folder(store, id, folder_id_of(&doc));
    store.documents.rows.push(doc.clone());
    Ok((StatusCode::CREATED, doc))
}

pub fn document_update(store: &mut Store, raw: &str, input: &Input) -> Out {
    let id = path_id(raw, "document")?;
    let mut doc = store
        .documents
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no document with id {id}")))?;
    apply_fields(store, input, &mut doc)?;
    let count = doc
        .get("versions")
        .and_then(Value::as_array)
        .map_or(0, |v| v.len() as i64);
    let now = now_iso();
    if let Some(v) = version_for(store, input, count + 1)? {
        let mut versions = doc
            .get("versions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        versions.insert(0, v);
        doc["versions"] = json!(versions);
        doc["file_updated_at"] = json!(now);
    }
    doc["updated_at"] = json!(now);
    file_in_folder(store, id, folder_id_of(&doc));
    if let Some(slot) = store.documents.get_mut(id) {
        *slot = doc.clone();
    }
    Ok((StatusCode::OK, doc))
}

pub fn document_delete(store: &mut Store, raw: &str) -> Out {
    let id = path_id(raw, "document")?;
    store
        .documents
        .remove(id)
        .ok_or_else(|| ApiError::not_found(format!("no document with id {id}")))?;
    file_in_folder(store, id, None);
    Ok((StatusCode::NO_CONTENT, Value::Null))
}
