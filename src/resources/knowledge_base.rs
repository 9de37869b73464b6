//! The knowledge base of approved answers.

use super::{text, BodyKind, Endpoint, Envelope, Kind, Param, ResponseKind, Values};

/// Knowledge-base question `status` values.
pub const QUESTION_STATUS: &[&str] = &["verified", "unverified"];

/// The knowledge-base endpoints.
pub const ENDPOINTS: &[Endpoint] = &[Endpoint {
    name: "knowledgeBase.questions.list",
    method: "GET",
    path: "/knowledge_base/questions",
    path_args: &[],
    params: &[Param::opt(
        "status",
        Kind::Enum(Values::KnowledgeBaseQuestionStatus),
    )],
    any_of: &[],
    fixed: &[],
    body: BodyKind::Query,
    response: ResponseKind::List {
        plural: "questions",
        envelope: Envelope::Flat,
    },
    record: text("KnowledgeBaseQuestion"),
    doc: text("Knowledge-base questions and their approved answers, optionally by status."),
}];
