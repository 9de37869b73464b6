//! Interactions (document views and Q & A), all of them or by connection, document, question.

use axum::http::StatusCode;
use serde_json::Value;

use super::{filter_dates, filter_eq, path_id, InteractionsBy};
use crate::error::{ApiError, ApiResult};
use crate::input::Input;
use crate::paging::{flat, paginate};
use crate::store::Store;

type Out = ApiResult<(StatusCode, Value)>;

pub fn list(store: &mut Store, input: &Input, by: Option<(InteractionsBy, &String)>) -> Out {
    let mut items = store.interactions.rows.iter().collect::<Vec<&Value>>();
    if let Some((by, raw)) = by {
        let (what, table) = match by {
            InteractionsBy::Connection => ("connection", &store.connections),
            InteractionsBy::Document => ("document", &store.documents),
            InteractionsBy::Question => ("question", &store.questions),
        };
        let id = path_id(raw, what)?;
        if table.get(id).is_none() {
            return Err(ApiError::not_found(format!("no {what} with id {id}")));
        }
        items.retain(|i| {
            let got = match by {
                InteractionsBy::Connection => i.get("connection").and_then(|c| c.get("id")),
                InteractionsBy::Document => i.get("document_id"),
                InteractionsBy::Question => i.get("question_id"),
            };
            got.and_then(Value::as_i64) == Some(id)
        });
    }
    filter_eq(&mut items, input, "type", "type")?;
    filter_eq(&mut items, input, "email", "email")?;
    filter_dates(&mut items, input, "created_at")?;
    Ok((
        StatusCode::OK,
        flat("interactions", paginate(items, input)?),
    ))
}
