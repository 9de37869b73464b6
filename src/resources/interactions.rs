//! Interactions: what visitors did with documents and answers.

use super::{text, BodyKind, Endpoint, Envelope, Kind, Param, ResponseKind, Values};

/// Interaction `type` values.
pub const INTERACTION_TYPE: &[&str] = &["Document", "Q & A"];

const FILTERS: &[Param] = &[
    Param::opt("type", Kind::Enum(Values::InteractionType)),
    Param::opt("created_at_start", Kind::Date),
    Param::opt("created_at_end", Kind::Date),
];

const LIST: ResponseKind = ResponseKind::List {
    plural: "interactions",
    envelope: Envelope::Flat,
};

/// The interaction endpoints.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "interactions.list",
        method: "GET",
        path: "/interactions",
        path_args: &[],
        params: FILTERS,
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: LIST,
        record: text("Interaction"),
        doc: text("Every interaction, filtered by type and creation time."),
    },
    Endpoint {
        name: "interactions.byConnection",
        method: "GET",
        path: "/interactions/connections/{id}",
        path_args: &["id"],
        params: FILTERS,
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: LIST,
        record: text("Interaction"),
        doc: text("The interactions of one connection."),
    },
    Endpoint {
        name: "interactions.byDocument",
        method: "GET",
        path: "/interactions/documents/{id}",
        path_args: &["id"],
        params: FILTERS,
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: LIST,
        record: text("Interaction"),
        doc: text("The interactions with one document."),
    },
    Endpoint {
        name: "interactions.byQuestion",
        method: "GET",
        path: "/interactions/questions/{id}",
        path_args: &["id"],
        params: FILTERS,
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: LIST,
        record: text("Interaction"),
        doc: text("The interactions with one knowledge-base question."),
    },
];
