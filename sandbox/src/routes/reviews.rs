//! Vendor reviews.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::error::ApiResult;
use crate::input::Input;
use crate::store::{links, Store};
use crate::timefmt::now_iso;

pub fn create(store: &mut Store, input: &Input) -> ApiResult<(StatusCode, Value)> {
    let email = input.required("email")?;
    let vendor_name = input.required("vendor_name")?;
    let id = store.reviews.take_id();
    let now = now_iso();
    let record = json!({
        "id": id, "_type": "Review", "email": email, "vendor_name": vendor_name,
        "status": "requested",
        "iteration_vm_id": input.fields.get("iteration_vm_id").cloned().unwrap_or(Value::Null),
        "question_group_id": input.fields.get("question_group_id").cloned().unwrap_or(Value::Null),
        "vendor_vm_id": input.fields.get("vendor_vm_id").cloned().unwrap_or(Value::Null),
        "created_at": now, "updated_at": now, "_links": links("reviews", id),
    });
    store.reviews.rows.push(record.clone());
    Ok((StatusCode::CREATED, record))
}
