//! The knowledge base and single-question answering drawn from it.

use axum::http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

use super::{field_is, filter_eq};
use crate::error::{ApiError, ApiResult};
use crate::input::Input;
use crate::paging::{flat, paginate};
use crate::store::Store;

pub const QUESTION_TYPES: [&str; 3] = ["yes_no", "free_text", "multiple_choice"];

type Out = ApiResult<(StatusCode, Value)>;

pub fn questions(store: &mut Store, input: &Input) -> Out {
    let mut items = store.questions.rows.iter().collect::<Vec<&Value>>();
    filter_eq(&mut items, input, "status", "status")?;
    Ok((StatusCode::OK, flat("questions", paginate(items, input)?)))
}

const STOP: [&str; 16] = [
    "a", "an", "the", "do", "does", "you", "your", "is", "are", "of", "to", "in", "for", "and",
    "or", "we",
];

fn words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !STOP.contains(&w.as_str()))
        .collect()
}

/// POST: answers `question` from the closest knowledge-base entry (word overlap), preferring
/// verified ones; below `confidence_threshold` the answer is null.
pub fn single_question(store: &mut Store, input: &Input) -> Out {
    let question = input.required("question")?;
    let threshold = input.number("confidence_threshold")?;
    if threshold.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
        return Err(ApiError::invalid(
            "confidence_threshold",
            "`confidence_threshold` must be between 0 and 1",
        ));
    }
    let options = input
        .strings("multiple_choice_options")?
        .unwrap_or_default();
    let kind = input.one_of("question_type", &QUESTION_TYPES)?;
    input.ids("product_line_ids")?;
    let asked = words(&question);
    let mut best: Option<(f64, &Value)> = None;
    for q in &store.questions.rows {
        let text = q.get("question").and_then(Value::as_str).unwrap_or("");
        let have = words(text);
        let common = asked.intersection(&have).count() as f64;
        let union = asked.union(&have).count().max(1) as f64;
        let mut score = common / union;
        if field_is(q, "status", "verified") {
            score += 0.01;
        }
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, q));
        }
    }
    let (confidence, source) = match best {
        Some((s, q)) => ((s.min(1.0) * 100.0).round() / 100.0, Some(q)),
        None => (0.0, None),
    };
    let answer = source
        .filter(|_| threshold.is_none_or(|t| confidence >= t) && confidence > 0.0)
        .and_then(|q| q.get("answer").and_then(Value::as_str))
        .map(str::to_owned);
    let structured = answer.as_deref().and_then(|a| {
        let lower = a.to_lowercase();
        if !options.is_empty() {
            options
                .iter()
                .find(|o| lower.starts_with(&o.to_lowercase()))
                .cloned()
        } else if kind.as_deref() != Some("free_text") {
            ["yes", "no"]
                .iter()
                .find(|o| lower.starts_with(*o))
                .map(|o| if *o == "yes" { "Yes" } else { "No" }.to_owned())
        } else {
            None
        }
    });
    let id = store.answers.take_id();
    let body = json!({
        "id": id, "_type": "SingleQuestionAnswer", "question": question, "answer": answer,
        "answer_confidence": confidence, "structured_answer": structured,
        "structured_answers": structured.iter().collect::<Vec<_>>(),
        "source_question_id": source.and_then(|q| q.get("id")).cloned(),
        "email": input.str("email")?,
    });
    Ok((StatusCode::OK, body))
}
