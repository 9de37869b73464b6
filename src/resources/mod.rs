//! Every Conveyor endpoint, as data.
//!
//! An [`Endpoint`] says everything the client needs to call one route: its HTTP method and
//! path template, its positional path arguments, the parameters it accepts (with their
//! kinds and whether they are required), fixed values it always sends, how the parameters
//! travel (query, JSON or multipart) and what the response looks like (a paged list in a
//! flat or HAL envelope, one record, or nothing).
//!
//! Adding an endpoint is adding one description to the table of its area:
//! [`crate::params::prepare`] validates and encodes the call from it, the JS shell
//! (`src/resources_shell.rs` and `src/js/resources.js`) turns it into a camelCase method on
//! a namespace object, and a test checks it against `pkg/resources.d.ts`.
//!
//! ```
//! use conveyor_client::resources;
//! let ep = resources::find("exchange.folders.delete").unwrap();
//! assert_eq!((ep.method, ep.path), ("DELETE", "/exchange/folders/{id}"));
//! ```

pub mod exchange;
pub mod interactions;
pub mod knowledge_base;
pub mod misc;
pub mod questionnaires;

/// The kind of value a parameter takes. The JS shell maps JS values onto
/// [`crate::params::Value`]; [`crate::params::prepare`] checks them against this.
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
    Enum(&'static [&'static str]),
    /// An array of ids.
    IdList,
    /// An array of strings.
    StrList,
    /// An upload: a `Blob`/`File`, a `Uint8Array` or an `ArrayBuffer`.
    File,
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
}

impl Param {
    /// An optional parameter.
    pub const fn opt(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            kind,
            required: false,
        }
    }

    /// A required parameter.
    pub const fn req(name: &'static str, kind: Kind) -> Param {
        Param {
            name,
            kind,
            required: true,
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
    /// One line for the docs.
    pub doc: &'static str,
}

/// The `page` parameter every list endpoint accepts (from 1).
pub const PAGE: Param = Param::opt("page", Kind::Int);
/// The `per_page` parameter every list endpoint accepts (1..=100).
pub const PER_PAGE: Param = Param::opt("per_page", Kind::Int);
/// The largest `per_page` the API accepts.
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
        self.params.iter().any(|p| p.kind == Kind::File)
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
            "filename" if self.has_file() => Some(Param::opt("filename", Kind::Str)),
            _ => None,
        }
    }

    /// Every parameter name accepted, in declaration order (for error messages and docs).
    pub fn accepted_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.params.iter().map(|p| p.name).collect();
        if self.is_list() {
            names.extend(["page", "per_page"]);
        }
        if self.has_file() && !names.contains(&"filename") {
            names.push("filename");
        }
        names
    }

    /// The namespace getter this endpoint hangs off (`exchange` for `exchange.folders.list`).
    pub fn namespace(&self) -> &'static str {
        self.name.split('.').next().unwrap_or(self.name)
    }
}

/// The namespace getters on `ConveyorClient`, in the order of the API's areas.
pub const NAMESPACES: [&str; 8] = [
    "exchange",
    "questionnaires",
    "questionnaireRequests",
    "knowledgeBase",
    "interactions",
    "productLines",
    "singleQuestion",
    "reviews",
];

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

#[cfg(test)]
mod tests;
