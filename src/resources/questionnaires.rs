//! Security questionnaires.

use super::{text, BodyKind, Endpoint, Envelope, Kind, Param, ResponseKind, Values};

/// Questionnaire `status` values.
pub const QUESTIONNAIRE_STATUS: &[&str] = &[
    "processing",
    "started",
    "ready_for_review",
    "approved",
    "completed",
];
/// `original_format` values.
pub const ORIGINAL_FORMAT: &[&str] = &["spreadsheet", "file", "portal"];
/// `questionnaire_type` values.
pub const QUESTIONNAIRE_TYPE: &[&str] = &["security_questionnaire", "rfp"];

/// The questionnaire endpoints.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "questionnaires.list",
        method: "GET",
        path: "/questionnaires",
        path_args: &[],
        params: &[
            Param::opt("status", Kind::Enum(Values::QuestionnaireStatus)),
            Param::opt("product_line_ids", Kind::IdList),
            Param::opt("created_at_start", Kind::Date),
            Param::opt("created_at_end", Kind::Date),
            Param::opt("completed_at_start", Kind::Date),
            Param::opt("completed_at_end", Kind::Date),
            Param::opt("due_at_start", Kind::Date),
            Param::opt("due_at_end", Kind::Date),
        ],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: ResponseKind::List {
            plural: "questionnaires",
            envelope: Envelope::Hal,
        },
        record: text("Questionnaire"),
        doc: text("Questionnaires, filtered by status, product lines and date ranges."),
    },
    Endpoint {
        name: "questionnaires.create",
        method: "POST",
        path: "/questionnaires",
        path_args: &[],
        params: &[
            Param::req("domain", Kind::Str),
            Param::req("email", Kind::Str),
            Param::req("original_format", Kind::Enum(Values::OriginalFormat)),
            Param::opt("questionnaire_type", Kind::Enum(Values::QuestionnaireType)),
            Param::opt("due_at", Kind::Date),
            Param::opt("product_line_ids", Kind::IdList),
            Param::opt("portal_url", Kind::Str),
            Param::opt("notes", Kind::Str),
            Param::opt("file", Kind::File),
            Param::opt("filename", Kind::Str)
                .doc("Sent as a field, and used as the upload's file name."),
            Param::opt("content_type", Kind::Str),
            Param::opt("content_version_id", Kind::Id),
            Param::opt("customer_name", Kind::Str),
            Param::opt("crm_id", Kind::Str),
            Param::opt("crm_amount", Kind::Num),
        ],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Multipart,
        response: ResponseKind::Record,
        record: text("Questionnaire"),
        doc: text("Submits a questionnaire (a spreadsheet or file upload, or a portal URL)."),
    },
];
