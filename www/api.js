// The one place the tool talks to the package. It uses the typed namespaces when the
// client has them, and otherwise the generic client.request / client.fetch with the raw
// paths of docs/api.md, so the tool runs on every version of the package.

/** Items of a flat (`{ plural: [...] }`) or HAL (`{ _embedded: { plural: [...] } }`) page. */
export function itemsOf(page, plural) {
  if (!page) return [];
  if (Array.isArray(page)) return page;
  if (Array.isArray(page[plural])) return page[plural];
  if (page._embedded && Array.isArray(page._embedded[plural])) return page._embedded[plural];
  if (Array.isArray(page.items)) return page.items;
  if (Array.isArray(page.data)) return page.data;
  return [];
}

const compact = (o) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ""));

export function createApi(client) {
  const typed = Boolean(client.exchange && client.knowledgeBase && client.questionnaires);

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(compact(params))) {
      if (Array.isArray(v)) for (const x of v) q.append(`${k}[]`, String(x));
      else q.append(k, String(v));
    }
    const s = q.toString();
    return s ? `?${s}` : "";
  }

  async function parse(res) {
    if (res.status === 204) return null;
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }

  /** Raw call: client.request when the package has it, else client.fetch + JSON. */
  async function raw(method, path, { query: q, body } = {}) {
    if (typeof client.request === "function") {
      return client.request(method, path, compact({ query: q && compact(q), body }));
    }
    const init = { method };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      // A typed Blob carries its Content-Type with it (the package's first fetch() slice
      // does not forward init.headers).
      init.body = new Blob([JSON.stringify(body)], { type: "application/json" });
    }
    return parse(await client.fetch(path + query(q), init));
  }

  /** Page by page over a raw list endpoint, stopping at total_pages. */
  async function* rawPages(path, plural, params = {}, perPage = 100) {
    for (let page = 1; ; page++) {
      const body = await raw("GET", path, { query: { ...params, page, per_page: perPage } });
      const items = itemsOf(body, plural);
      yield { items, page, totalPages: body?.total_pages ?? null };
      const total = body?.total_pages;
      if (total ? page >= total : items.length < perPage) return;
    }
  }

  /** Page by page over a typed list (awaitable first page, async-iterable, maybe .pages()). */
  async function* typedPages(list, plural) {
    if (typeof list.pages === "function") {
      let n = 0;
      for await (const p of list.pages()) {
        n++;
        yield { items: itemsOf(p, plural), page: p?.page ?? n, totalPages: p?.total_pages ?? null };
      }
      return;
    }
    // Only the item iterator: hand out items in chunks as they arrive.
    let chunk = [];
    let n = 0;
    for await (const item of list) {
      chunk.push(item);
      if (chunk.length === 100) {
        yield { items: chunk, page: ++n, totalPages: null };
        chunk = [];
      }
    }
    if (chunk.length || n === 0) yield { items: chunk, page: ++n, totalPages: null };
  }

  async function all(pages) {
    const out = [];
    for await (const p of pages) out.push(...p.items);
    return out;
  }

  const pagesOf = (typedList, path, plural, params, perPage) =>
    typed && typedList ? typedPages(typedList(), plural) : rawPages(path, plural, params, perPage);

  const ex = client.exchange;
  return {
    typed,

    /** Open access requests. */
    requestQueue: async () => {
      if (!typed) return itemsOf(await raw("GET", "/exchange/authorization_request_queue"), "authorization_requests");
      const list = ex.authorizationRequests.queue();
      // A typed list is thenable and async-iterable: iterate it (all pages) before awaiting.
      if (list && (typeof list.pages === "function" || typeof list[Symbol.asyncIterator] === "function")) {
        return all(typedPages(list, "authorization_requests"));
      }
      return itemsOf(await list, "authorization_requests");
    },

    ignoreRequest: (id, reviewer_email) =>
      typed
        ? ex.authorizationRequests.ignore(id, { reviewer_email })
        : raw("PATCH", `/exchange/authorization_requests/${encodeURIComponent(id)}`, { body: { status: "ignored", reviewer_email } }),

    /** Approve a request: create an authorization for it. */
    approveRequest: (request_id, { access_group_ids = [], nda_bypass = false, expires_at } = {}) => {
      const params = compact({ request_id, access_group_ids, nda_bypass, expires_at });
      return typed ? ex.authorizations.create(params) : raw("POST", "/exchange/authorizations", { body: params });
    },

    authorizations: (params = {}) =>
      all(pagesOf(typed && (() => ex.authorizations.list(compact(params))), "/exchange/authorizations", "authorizations", params)),

    updateAuthorization: (id, patch) =>
      typed ? ex.authorizations.update(id, patch) : raw("PATCH", `/exchange/authorizations/${encodeURIComponent(id)}`, { body: patch }),

    revokeAuthorization: (id) =>
      typed && typeof ex.authorizations.revoke === "function"
        ? ex.authorizations.revoke(id)
        : raw("PATCH", `/exchange/authorizations/${encodeURIComponent(id)}`, { body: { status: "revoked" } }),

    accessGroups: () => all(pagesOf(typed && (() => ex.accessGroups.list()), "/exchange/access_groups", "access_groups")),
    folders: () => all(pagesOf(typed && (() => ex.folders.list()), "/exchange/folders", "folders")),
    documents: () => all(pagesOf(typed && (() => ex.documents.list()), "/exchange/documents", "documents")),

    /** Upload: fields use the API's names; `file` is a File. */
    createDocument: (fields) => {
      if (typed) return ex.documents.create(compact(fields));
      const form = new FormData();
      for (const [k, v] of Object.entries(compact(fields))) {
        if (Array.isArray(v)) for (const x of v) form.append(`${k}[]`, String(x));
        else if (v instanceof Blob) form.append(k, v, v.name ?? "upload");
        else form.append(k, String(v));
      }
      return raw("POST", "/exchange/documents", { body: form });
    },

    deleteDocument: (id) => (typed ? ex.documents.delete(id) : raw("DELETE", `/exchange/documents/${encodeURIComponent(id)}`)),

    questionnaires: (params = {}) =>
      all(pagesOf(typed && (() => client.questionnaires.list(compact(params))), "/questionnaires", "questionnaires", params)),

    /** Knowledge-base questions, one page at a time, fetched only when the caller pulls. */
    questionPages: (params = {}) =>
      pagesOf(typed && (() => client.knowledgeBase.questions.list(compact({ per_page: 50, ...params }))), "/knowledge_base/questions", "questions", params, 50),
  };
}
