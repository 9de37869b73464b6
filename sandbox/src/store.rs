//! In-memory state: the fixture records as JSON objects, changed by writes.

use serde_json::{json, Value};

/// One collection: records ordered by id, and the next id to hand out.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub rows: Vec<Value>,
    next_id: i64,
}

impl Table {
    pub fn new(rows: Vec<Value>) -> Table {
        let next_id = rows
            .iter()
            .filter_map(|r| r.get("id").and_then(Value::as_i64))
            .max()
            .unwrap_or(0)
            + 1;
        Table { rows, next_id }
    }

    pub fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The id `take_id` will hand out next.
    pub fn peek_id(&self) -> i64 {
        self.next_id
    }

    pub fn get(&self, id: i64) -> Option<&Value> {
        self.rows.iter().find(|r| id_of(r) == Some(id))
    }

    pub fn get_mut(&mut self, id: i64) -> Option<&mut Value> {
        self.rows.iter_mut().find(|r| id_of(r) == Some(id))
    }

    pub fn remove(&mut self, id: i64) -> Option<Value> {
        let pos = self.rows.iter().position(|r| id_of(r) == Some(id))?;
        Some(self.rows.remove(pos))
    }
}

pub fn id_of(v: &Value) -> Option<i64> {
    v.get("id").and_then(Value::as_i64)
}

/// `_links.self.href` for a record at `path`.
pub fn links(path: &str, id: i64) -> Value {
    json!({ "self": { "href": format!("/api/v2/{path}/{id}") } })
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub connections: Table,
    pub authorization_requests: Table,
    pub authorizations: Table,
    pub access_groups: Table,
    pub folders: Table,
    pub documents: Table,
    pub questionnaires: Table,
    pub questions: Table,
    pub interactions: Table,
    pub product_lines: Table,
    pub questionnaire_requests: Table,
    pub reviews: Table,
    pub answers: Table,
    pub versions: Table,
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        connections: Vec<Value>,
        authorization_requests: Vec<Value>,
        authorizations: Vec<Value>,
        access_groups: Vec<Value>,
        folders: Vec<Value>,
        documents: Vec<Value>,
        questionnaires: Vec<Value>,
        questions: Vec<Value>,
        interactions: Vec<Value>,
        product_lines: Vec<Value>,
    ) -> Store {
        // Version ids continue after the fixtures' highest.
        let version_rows: Vec<Value> = documents
            .iter()
            .filter_map(|d| d.get("versions").and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect();
        Store {
            connections: Table::new(connections),
            authorization_requests: Table::new(authorization_requests),
            authorizations: Table::new(authorizations),
            access_groups: Table::new(access_groups),
            folders: Table::new(folders),
            documents: Table::new(documents),
            questionnaires: Table::new(questionnaires),
            questions: Table::new(questions),
            interactions: Table::new(interactions),
            product_lines: Table::new(product_lines),
            questionnaire_requests: Table::new(vec![]),
            reviews: Table::new(vec![]),
            answers: Table::new(vec![]),
            versions: Table::new(version_rows),
        }
    }
}
