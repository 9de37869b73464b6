// Generated from the endpoint table (src/resources/) by src/resources/surface.rs:
// edit the table, then run `UPDATE=1 cargo test -q --lib surface`.

/** Every typed method: its dotted name, HTTP method, path template and whether it pages. */
export const ENDPOINTS = [
  { name: "exchange.connections.list", method: "GET", path: "/exchange/connections", list: true },
  { name: "exchange.authorizationRequests.list", method: "GET", path: "/exchange/authorization_requests", list: true },
  { name: "exchange.authorizationRequests.get", method: "GET", path: "/exchange/authorization_requests/{id}", list: false },
  { name: "exchange.authorizationRequests.ignore", method: "PATCH", path: "/exchange/authorization_requests/{id}", list: false },
  { name: "exchange.authorizationRequests.queue", method: "GET", path: "/exchange/authorization_request_queue", list: true },
  { name: "exchange.authorizations.list", method: "GET", path: "/exchange/authorizations", list: true },
  { name: "exchange.authorizations.create", method: "POST", path: "/exchange/authorizations", list: false },
  { name: "exchange.authorizations.update", method: "PATCH", path: "/exchange/authorizations/{id}", list: false },
  { name: "exchange.authorizations.revoke", method: "PATCH", path: "/exchange/authorizations/{id}", list: false },
  { name: "exchange.accessGroups.list", method: "GET", path: "/exchange/access_groups", list: true },
  { name: "exchange.folders.list", method: "GET", path: "/exchange/folders", list: true },
  { name: "exchange.folders.create", method: "POST", path: "/exchange/folders", list: false },
  { name: "exchange.folders.delete", method: "DELETE", path: "/exchange/folders/{id}", list: false },
  { name: "exchange.documents.list", method: "GET", path: "/exchange/documents", list: true },
  { name: "exchange.documents.create", method: "POST", path: "/exchange/documents", list: false },
  { name: "exchange.documents.update", method: "PATCH", path: "/exchange/documents/{id}", list: false },
  { name: "exchange.documents.delete", method: "DELETE", path: "/exchange/documents/{id}", list: false },
  { name: "questionnaires.list", method: "GET", path: "/questionnaires", list: true },
  { name: "questionnaires.create", method: "POST", path: "/questionnaires", list: false },
  { name: "knowledgeBase.questions.list", method: "GET", path: "/knowledge_base/questions", list: true },
  { name: "interactions.list", method: "GET", path: "/interactions", list: true },
  { name: "interactions.byConnection", method: "GET", path: "/interactions/connections/{id}", list: true },
  { name: "interactions.byDocument", method: "GET", path: "/interactions/documents/{id}", list: true },
  { name: "interactions.byQuestion", method: "GET", path: "/interactions/questions/{id}", list: true },
  { name: "productLines.list", method: "GET", path: "/product_lines", list: true },
  { name: "singleQuestion.ask", method: "POST", path: "/single_question", list: false },
  { name: "reviews.create", method: "POST", path: "/reviews", list: false },
  { name: "questionnaireRequests.create", method: "POST", path: "/questionnaire_requests", list: false },
];

/** The dotted names alone. */
export const METHODS = ENDPOINTS.map((e) => e.name);
