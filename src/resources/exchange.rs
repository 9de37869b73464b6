//! The Trust Center ("Exchange"): connections, access requests and authorizations, access
//! groups, folders and documents.

use super::{text, BodyKind, Endpoint, Envelope, Kind, Param, ResponseKind, Values};

/// Authorization request `status` values.
pub const AUTHORIZATION_REQUEST_STATUS: &[&str] = &["initial", "requested", "approved", "ignored"];
/// Authorization `status` values.
pub const AUTHORIZATION_STATUS: &[&str] = &["gated", "authorized", "revoked"];
/// Document `access_level` values.
pub const ACCESS_LEVEL: &[&str] = &["public", "protected", "need_to_know", "internal"];
/// Document `certification` values.
pub const CERTIFICATION: &[&str] = &["soc2-type-2", "iso-27001", "hipaa", "gdpr", "pci"];

const fn flat(plural: &'static str) -> ResponseKind {
    ResponseKind::List {
        plural,
        envelope: Envelope::Flat,
    }
}

const fn hal(plural: &'static str) -> ResponseKind {
    ResponseKind::List {
        plural,
        envelope: Envelope::Hal,
    }
}

const DOCUMENT_FIELDS: [Param; 11] = [
    Param::opt("name", Kind::Str),
    Param::opt("file", Kind::File).doc("A new version of the file."),
    Param::opt("description", Kind::Str),
    Param::opt("certification", Kind::Enum(Values::Certification)),
    Param::opt("featured", Kind::Bool),
    Param::opt("folder_id", Kind::Id),
    Param::opt("access_level", Kind::Enum(Values::AccessLevel)),
    Param::opt("product_line_ids", Kind::IdList),
    Param::opt("access_group_ids", Kind::IdList),
    Param::opt("disable_downloads", Kind::Bool),
    Param::opt("use_for_question_answering", Kind::Bool),
];

/// `documents.create` requires a name and a file; the rest as in an update.
const DOCUMENT_CREATE: [Param; 11] = {
    let mut p = DOCUMENT_FIELDS;
    p[0] = Param::req("name", Kind::Str);
    p[1] = Param::req("file", Kind::File);
    p
};

/// The Exchange endpoints.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "exchange.connections.list",
        method: "GET",
        path: "/exchange/connections",
        path_args: &[],
        params: &[Param::opt("domain", Kind::Str)],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: flat("connections"),
        record: text("Connection"),
        doc: text("Companies that connected to your Trust Center, optionally filtered by domain."),
    },
    Endpoint {
        name: "exchange.authorizationRequests.list",
        method: "GET",
        path: "/exchange/authorization_requests",
        path_args: &[],
        params: &[
            Param::opt("email", Kind::Str),
            Param::opt("status", Kind::Enum(Values::AuthorizationRequestStatus)),
        ],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: flat("authorization_requests"),
        record: text("AuthorizationRequest"),
        doc: text("Access requests, optionally filtered by requester email and status."),
    },
    Endpoint {
        name: "exchange.authorizationRequests.get",
        method: "GET",
        path: "/exchange/authorization_requests/{id}",
        path_args: &["id"],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::None,
        response: ResponseKind::Record,
        record: text("AuthorizationRequest"),
        doc: text("One access request."),
    },
    Endpoint {
        name: "exchange.authorizationRequests.ignore",
        method: "PATCH",
        path: "/exchange/authorization_requests/{id}",
        path_args: &["id"],
        params: &[Param::req("reviewer_email", Kind::Str)],
        any_of: &[],
        fixed: &[("status", "ignored")],
        body: BodyKind::Json,
        response: ResponseKind::Record,
        record: text("AuthorizationRequest"),
        doc: text("Ignores an access request on behalf of `reviewer_email`."),
    },
    Endpoint {
        name: "exchange.authorizationRequests.queue",
        method: "GET",
        path: "/exchange/authorization_request_queue",
        path_args: &[],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: flat("authorization_requests"),
        record: text("AuthorizationRequest"),
        doc: text("The open access requests waiting for a review."),
    },
    Endpoint {
        name: "exchange.authorizations.list",
        method: "GET",
        path: "/exchange/authorizations",
        path_args: &[],
        params: &[
            Param::opt("email", Kind::Str),
            Param::opt("status", Kind::Enum(Values::AuthorizationStatus)),
        ],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: flat("authorizations"),
        record: text("Authorization"),
        doc: text(
            "Authorizations (granted or gated access), optionally filtered by email and status.",
        ),
    },
    Endpoint {
        name: "exchange.authorizations.create",
        method: "POST",
        path: "/exchange/authorizations",
        path_args: &[],
        params: &[
            Param::opt("request_id", Kind::Id),
            Param::opt("email", Kind::Str),
            Param::opt("access_group_ids", Kind::IdList),
            Param::opt("nda_bypass", Kind::Bool),
            Param::opt("expires_at", Kind::Date),
        ],
        any_of: &["request_id", "email"],
        fixed: &[],
        body: BodyKind::Json,
        response: ResponseKind::Record,
        record: text("Authorization"),
        doc: text(
            "Grants access, approving a request (`request_id`) or inviting someone (`email`).",
        ),
    },
    Endpoint {
        name: "exchange.authorizations.update",
        method: "PATCH",
        path: "/exchange/authorizations/{id}",
        path_args: &["id"],
        params: &[
            Param::opt("status", Kind::Enum(Values::AuthorizationStatus)),
            Param::opt("access_group_ids", Kind::IdList)
                .doc("Replaces the authorization's access groups."),
        ],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Json,
        response: ResponseKind::Record,
        record: text("Authorization"),
        doc: text("Changes an authorization's status or replaces its access groups."),
    },
    Endpoint {
        name: "exchange.authorizations.revoke",
        method: "PATCH",
        path: "/exchange/authorizations/{id}",
        path_args: &["id"],
        params: &[],
        any_of: &[],
        fixed: &[("status", "revoked")],
        body: BodyKind::Json,
        response: ResponseKind::Record,
        record: text("Authorization"),
        doc: text("Revokes an authorization."),
    },
    Endpoint {
        name: "exchange.accessGroups.list",
        method: "GET",
        path: "/exchange/access_groups",
        path_args: &[],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: flat("access_groups"),
        record: text("AccessGroup"),
        doc: text("Access groups (sets of documents granted together)."),
    },
    Endpoint {
        name: "exchange.folders.list",
        method: "GET",
        path: "/exchange/folders",
        path_args: &[],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: hal("folders"),
        record: text("Folder"),
        doc: text("Document folders."),
    },
    Endpoint {
        name: "exchange.folders.create",
        method: "POST",
        path: "/exchange/folders",
        path_args: &[],
        params: &[Param::req("name", Kind::Str)],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Json,
        response: ResponseKind::Record,
        record: text("Folder"),
        doc: text("Creates a folder."),
    },
    Endpoint {
        name: "exchange.folders.delete",
        method: "DELETE",
        path: "/exchange/folders/{id}",
        path_args: &["id"],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::None,
        response: ResponseKind::Empty,
        record: text(""),
        doc: text("Deletes a folder."),
    },
    Endpoint {
        name: "exchange.documents.list",
        method: "GET",
        path: "/exchange/documents",
        path_args: &[],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::Query,
        response: hal("documents"),
        record: text("Document"),
        doc: text("Trust Center documents."),
    },
    Endpoint {
        name: "exchange.documents.create",
        method: "POST",
        path: "/exchange/documents",
        path_args: &[],
        params: &DOCUMENT_CREATE,
        any_of: &[],
        fixed: &[],
        body: BodyKind::Multipart,
        response: ResponseKind::Record,
        record: text("Document"),
        doc: text("Uploads a document (multipart)."),
    },
    Endpoint {
        name: "exchange.documents.update",
        method: "PATCH",
        path: "/exchange/documents/{id}",
        path_args: &["id"],
        params: &DOCUMENT_FIELDS,
        any_of: &[],
        fixed: &[],
        body: BodyKind::Multipart,
        response: ResponseKind::Record,
        record: text("Document"),
        doc: text("Changes a document's fields, or uploads a new version with `file` (multipart)."),
    },
    Endpoint {
        name: "exchange.documents.delete",
        method: "DELETE",
        path: "/exchange/documents/{id}",
        path_args: &["id"],
        params: &[],
        any_of: &[],
        fixed: &[],
        body: BodyKind::None,
        response: ResponseKind::Empty,
        record: text(""),
        doc: text("Deletes a document."),
    },
];
