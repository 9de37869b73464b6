//! Page-number paging and the two list envelopes.

use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::input::Input;

pub const MAX_PER_PAGE: u64 = 100;

pub struct Page {
    pub items: Vec<Value>,
    pub page: u64,
    pub per_page: u64,
    pub total_pages: u64,
}

fn positive(input: &Input, name: &str, max: Option<u64>) -> ApiResult<Option<u64>> {
    let range = match max {
        Some(m) => format!("1..{m}"),
        None => ">= 1".to_owned(),
    };
    let bad = || ApiError::invalid(name, format!("`{name}` must be an integer {range}"));
    let text = match input.fields.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(bad()),
    };
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = text.parse().map_err(|_| bad())?;
    if n < 1 || max.is_some_and(|m| n > m) {
        return Err(bad());
    }
    Ok(Some(n))
}

/// Reads `page` (>= 1, default 1) and `per_page` (1..=100, default 100) and cuts that page.
pub fn paginate(items: Vec<&Value>, input: &Input) -> ApiResult<Page> {
    let page = positive(input, "page", None)?.unwrap_or(1);
    let per_page = positive(input, "per_page", Some(MAX_PER_PAGE))?.unwrap_or(MAX_PER_PAGE);
    let total = items.len() as u64;
    let total_pages = total.div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page);
    let items = items
        .into_iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(per_page as usize)
        .cloned()
        .collect();
    Ok(Page {
        items,
        page,
        per_page,
        total_pages,
    })
}

/// `{ "<plural>": [...], "page", "per_page", "total_pages" }`
pub fn flat(plural: &str, p: Page) -> Value {
    let mut m = Map::new();
    m.insert(plural.to_owned(), Value::Array(p.items));
    m.insert("page".into(), json!(p.page));
    m.insert("per_page".into(), json!(p.per_page));
    m.insert("total_pages".into(), json!(p.total_pages));
    Value::Object(m)
}

/// `{ "_embedded": { "<plural>": [...] }, "page", "per_page", "total_pages" }`
pub fn hal(plural: &str, p: Page) -> Value {
    let mut embedded = Map::new();
    embedded.insert(plural.to_owned(), Value::Array(p.items));
    json!({
        "_embedded": embedded,
        "page": p.page,
        "per_page": p.per_page,
        "total_pages": p.total_pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &[Value]) -> Vec<&Value> {
        v.iter().collect()
    }

    fn items(n: i64) -> Vec<Value> {
        (1..=n).map(|i| json!({ "id": i })).collect()
    }

    #[test]
    fn pages() {
        let (all, none) = (items(250), items(0));
        let small = items(3);
        let p = paginate(refs(&all), &Input::from_query(Some("page=3"))).ok();
        let p = p.map(|p| (p.items.len(), p.page, p.per_page, p.total_pages));
        assert_eq!(p, Some((50, 3, 100, 3)));
        let e = paginate(refs(&none), &Input::default())
            .ok()
            .map(|p| p.total_pages);
        assert_eq!(e, Some(1));
        for bad in [
            "page=0",
            "page=1.5",
            "per_page=0",
            "per_page=101",
            "per_page=x",
            "page=-1",
        ] {
            assert!(
                paginate(refs(&small), &Input::from_query(Some(bad))).is_err(),
                "{bad}"
            );
        }
        let far = paginate(refs(&small), &Input::from_query(Some("page=99999999999")));
        assert_eq!(far.ok().map(|p| p.items.len()), Some(0));
    }
}
