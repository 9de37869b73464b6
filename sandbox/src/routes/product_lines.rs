//! Product lines (HAL list).

use axum::http::StatusCode;
use serde_json::Value;

use crate::error::ApiResult;
use crate::input::Input;
use crate::paging::{hal, paginate};
use crate::store::Store;

pub fn list(store: &mut Store, input: &Input) -> ApiResult<(StatusCode, Value)> {
    let items = store.product_lines.rows.iter().collect::<Vec<&Value>>();
    Ok((
        StatusCode::OK,
        hal("product_lines", paginate(items, input)?),
    ))
}
