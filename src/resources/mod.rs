//! Every Conveyor endpoint, as data.
//!
//! An [`Endpoint`] says everything the client needs to call one route: its HTTP method and
//! path template, its positional path arguments, the parameters it accepts (with their
//! kinds and whether they are required), fixed values it always sends, how the parameters
//! travel (query, JSON or multipart) and what the response looks like (a paged list in a
//! flat or HAL envelope, one record, or nothing).
//!
//! Adding an endpoint is adding one description to the table of its area: the generator in
//! `surface.rs` writes its row of the JS endpoint table (in `src/js/resources.js`, which
//! turns it into a camelCase method on a namespace object and checks and encodes each call
//! from it), its declarations (`pkg/resources.d.ts`) and the end-to-end tests' method list
//! (`UPDATE=1 cargo test -q --lib surface`; without `UPDATE` the same test fails on drift).
//! The table itself is not linked into the `.wasm`: the sandbox's coverage test, the
//! generator and `access`'s tests read it.
//!
//! ```
//! use conveyor_client::resources;
//! let ep = resources::find("exchange.folders.delete").unwrap();
//! assert_eq!((ep.method, ep.path), ("DELETE", "/exchange/folders/{id}"));
//! ```

use alloc::vec::Vec;

pub mod exchange;
pub mod interactions;
pub mod knowledge_base;
pub mod misc;
pub mod questionnaires;

/// The kind of value a parameter takes, which the typed methods check each argument against
/// (`src/js/resources.js`, from its letter in the generated table).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Str,
    /// An integer-valued number.
    Int,
    /// Any finite number.
    Num,
    /// `true` or `false`.
    Bool,
    /// An ISO-8601 date or date-time string (the shell turns a JS `Date` into one).
    Date,
    /// A record id: a non-empty string or a non-negative integer.
    Id,
    /// A string, documented with its known values. Unknown strings are accepted too
    /// (the API may add values); non-strings are rejected.
    Enum(Values),
    /// An array of ids.
    IdList,
    /// An array of strings.
    StrList,
    /// An upload: a `Blob`/`File`, a `Uint8Array` or an `ArrayBuffer`.
    File,
}

/// Text that only the generated declarations read: a doc line or a record type's name.
///
/// Native builds (the generator, the tests) keep it; in the .wasm it is empty, so describing
/// the surface costs the binary nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    #[cfg(not(target_arch = "wasm32"))]
    text: &'static str,
}

/// Wraps `text` as a [`Text`] (dropped from the .wasm).
pub const fn text(text: &'static str) -> Text {
    #[cfg(target_arch = "wasm32")]
    let _ = text;
    Text {
        #[cfg(not(target_arch = "wasm32"))]
        text,
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Text {
    /// The text (native builds only).
    pub const fn get(self) -> &'static str {
        self.text
    }
}

/// One parameter an endpoint accepts, named as on the wire (snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The wire name, e.g. `reviewer_email`.
    pub name: &'static str,
    /// What values it takes.
    pub kind: Kind,
    /// Whether a call without it is rejected before sending.
    pub required: bool,
    /// A doc line for the declarations, when the name and type do not say enough.
    pub doc: Text,
}

impl Param {
    /// An optional parameter.
    pub const fn opt(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            kind,
            required: false,
            doc: text(""),
        }
    }

    /// A required parameter.
    pub const fn req(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            kind,
            required: true,
            doc: text(""),
        }
    }

    /// The same parameter with a doc line for the declarations.
    pub const fn doc(self, doc: &'static str) -> Param {
        Param {
            doc: text(doc),
            ..self
        }
    }
}

/// How an endpoint's parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// The endpoint takes no parameters (beyond its path arguments).
    None,
    /// A JSON object body (`Content-Type: application/json`).
    Json,
    /// The query string; arrays as `name[]=a&name[]=b`.
    Query,
    /// A `multipart/form-data` body built with the platform's `FormData`; arrays as
    /// repeated `name[]` fields.
    Multipart,
}

/// Where a list response keeps its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{ "<plural>": [...], "page", "per_page", "total_pages" }`.
    Flat,
    /// `{ "_embedded": { "<plural>": [...] } }`, paging fields (when any) at the top level.
    Hal,
}

/// What a successful response holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// A page of records under `plural`; the method returns a `ListResult` that pages.
    List {
        /// The key of the record array, e.g. `connections`.
        plural: &'static str,
        /// Flat or HAL.
        envelope: Envelope,
    },
    /// One record (or whatever JSON the server sent), passed through untouched.
    Record,
    /// Nothing useful: the method resolves with `undefined`.
    Empty,
}

/// One endpoint of the Conveyor API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    /// Dotted JS name: namespace path then method, e.g. `exchange.authorizationRequests.ignore`.
    pub name: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template relative to the base URL, e.g. `/exchange/authorization_requests/{id}`.
    pub path: &'static str,
    /// The positional path arguments, in call order (each a `{name}` in [`Endpoint::path`]).
    pub path_args: &'static [&'static str],
    /// The parameters accepted in the params object.
    pub params: &'static [Param],
    /// At least one of these must be given (empty: no such rule).
    pub any_of: &'static [&'static str],
    /// Values always sent, e.g. `[("status", "ignored")]`; the caller cannot set them.
    pub fixed: &'static [(&'static str, &'static str)],
    /// How parameters travel.
    pub body: BodyKind,
    /// What comes back.
    pub response: ResponseKind,
    /// The TypeScript type of one record in the response (`Connection`), declared by hand in
    /// `pkg/records.d.ts`; empty for [`ResponseKind::Empty`].
    pub record: Text,
    /// One line for the docs (the method's JSDoc).
    pub doc: Text,
}

/// The `page` parameter every list endpoint accepts (from 1).
pub const PAGE: Param = Param::opt("page", Kind::Int);
/// The `per_page` parameter every list endpoint accepts (1..=100).
pub const PER_PAGE: Param = Param::opt("per_page", Kind::Int);
/// The upload's file name, accepted by every endpoint with a file.
pub const FILENAME: Param = Param::opt("filename", Kind::Str)
    .doc("The upload's file name (default: the `File`'s own name, else \"upload\").");
/// The largest `per_page` the API accepts (the typed methods' check in `src/js/resources.js`
/// says the same).
pub const MAX_PER_PAGE: f64 = 100.0;

impl Endpoint {
    /// Whether the method returns a paging `ListResult`.
    pub const fn is_list(&self) -> bool {
        matches!(self.response, ResponseKind::List { .. })
    }

    /// Whether the JS method takes a params object after its path arguments.
    pub fn takes_params(&self) -> bool {
        !self.params.is_empty() || self.is_list()
    }

    /// Whether one of the parameters is an upload.
    pub fn has_file(&self) -> bool {
        self.params.iter().any(|p| matches!(p.kind, Kind::File))
    }

    /// The parameter `name` as this endpoint accepts it: its own, `page`/`per_page` on
    /// lists, and `filename` (the upload's file name) on endpoints with a file.
    pub fn param(&self, name: &str) -> Option<Param> {
        if let Some(p) = self.params.iter().find(|p| p.name == name) {
            return Some(*p);
        }
        match name {
            "page" if self.is_list() => Some(PAGE),
            "per_page" if self.is_list() => Some(PER_PAGE),
            "filename" if self.has_file() => Some(FILENAME),
            _ => None,
        }
    }

    /// Every parameter name accepted, in declaration order (for error messages and docs).
    // Pushes in a loop: a chain of iterators collected costs the .wasm about 1 KB.
    pub fn accepted_names(&self) -> Vec<&'static str> {
        let mut out = Vec::with_capacity(self.params.len() + 3);
        for p in self.params {
            out.push(p.name);
        }
        if self.is_list() {
            out.push("page");
            out.push("per_page");
        }
        if self.has_file() && !out.contains(&"filename") {
            out.push("filename");
        }
        out
    }

    /// The namespace getter this endpoint hangs off (`exchange` for `exchange.folders.list`).
    pub fn namespace(&self) -> &'static str {
        self.name.split('.').next().unwrap_or(self.name)
    }
}

/// The namespace getters on `ConveyorClient` (`exchange`, `knowledgeBase`...), in the
/// table's order.
pub fn namespaces() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in all() {
        if !out.contains(&e.namespace()) {
            out.push(e.namespace());
        }
    }
    out
}

/// One line about each namespace, for the declarations.
pub const NAMESPACE_DOCS: &[(&str, &str)] = &[
    (
        "exchange",
        "The Trust Center: connections, access requests, authorizations, access groups, folders, documents.",
    ),
    ("questionnaires", "Security questionnaires."),
    (
        "questionnaireRequests",
        "Questionnaire requests from external systems.",
    ),
    ("knowledgeBase", "The knowledge base of approved answers."),
    (
        "interactions",
        "What visitors did with documents and answers.",
    ),
    (
        "productLines",
        "Product lines (used to scope documents, answers and questionnaires).",
    ),
    (
        "singleQuestion",
        "One question answered from the knowledge base.",
    ),
    ("reviews", "Vendor reviews."),
];

/// The known values of a [`Kind::Enum`] parameter, each named as its TypeScript union (a
/// string-literal union that still accepts other strings). A one-byte tag rather than the
/// list itself, so that each [`Param`] of the table is half the size in the .wasm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Authorization request `status`.
    AuthorizationRequestStatus,
    /// Authorization `status`.
    AuthorizationStatus,
    /// Questionnaire `status`.
    QuestionnaireStatus,
    /// Knowledge-base question `status`.
    KnowledgeBaseQuestionStatus,
    /// Interaction `type`.
    InteractionType,
    /// Questionnaire `original_format`.
    OriginalFormat,
    /// Questionnaire `questionnaire_type`.
    QuestionnaireType,
    /// Document `access_level`.
    AccessLevel,
    /// Document `certification`.
    Certification,
}

impl Values {
    /// Every one, in the declarations' order.
    pub const ALL: [Values; 9] = [
        Values::AuthorizationRequestStatus,
        Values::AuthorizationStatus,
        Values::QuestionnaireStatus,
        Values::KnowledgeBaseQuestionStatus,
        Values::InteractionType,
        Values::OriginalFormat,
        Values::QuestionnaireType,
        Values::AccessLevel,
        Values::Certification,
    ];

    /// The known values.
    pub const fn list(self) -> &'static [&'static str] {
        match self {
            Values::AuthorizationRequestStatus => exchange::AUTHORIZATION_REQUEST_STATUS,
            Values::AuthorizationStatus => exchange::AUTHORIZATION_STATUS,
            Values::QuestionnaireStatus => questionnaires::QUESTIONNAIRE_STATUS,
            Values::KnowledgeBaseQuestionStatus => knowledge_base::QUESTION_STATUS,
            Values::InteractionType => interactions::INTERACTION_TYPE,
            Values::OriginalFormat => questionnaires::ORIGINAL_FORMAT,
            Values::QuestionnaireType => questionnaires::QUESTIONNAIRE_TYPE,
            Values::AccessLevel => exchange::ACCESS_LEVEL,
            Values::Certification => exchange::CERTIFICATION,
        }
    }

    /// The TypeScript union's name (native builds: the declarations' generator).
    #[cfg(not(target_arch = "wasm32"))]
    pub const fn type_name(self) -> &'static str {
        match self {
            Values::AuthorizationRequestStatus => "AuthorizationRequestStatus",
            Values::AuthorizationStatus => "AuthorizationStatus",
            Values::QuestionnaireStatus => "QuestionnaireStatus",
            Values::KnowledgeBaseQuestionStatus => "KnowledgeBaseQuestionStatus",
            Values::InteractionType => "InteractionType",
            Values::OriginalFormat => "OriginalFormat",
            Values::QuestionnaireType => "QuestionnaireType",
            Values::AccessLevel => "AccessLevel",
            Values::Certification => "Certification",
        }
    }
}

/// Every endpoint, area by area.
pub fn all() -> impl Iterator<Item = &'static Endpoint> {
    exchange::ENDPOINTS
        .iter()
        .chain(questionnaires::ENDPOINTS)
        .chain(knowledge_base::ENDPOINTS)
        .chain(interactions::ENDPOINTS)
        .chain(misc::ENDPOINTS)
}

/// The endpoint named `name` (e.g. `knowledgeBase.questions.list`).
pub fn find(name: &str) -> Option<&'static Endpoint> {
    all().find(|e| e.name == name)
}

/// The endpoints under one namespace getter.
pub fn in_namespace(namespace: &'static str) -> impl Iterator<Item = &'static Endpoint> {
    all().filter(move |e| e.namespace() == namespace)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod surface;
#[cfg(test)]
mod tests;
