// The one place the tool talks to the package, through its typed namespaces
// (client.exchange, client.knowledgeBase, client.questionnaires): the page pins the
// package version it loads, so they are always there.

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
  /** Page by page over a typed list, fetched only as the caller pulls. */
  async function* pages(list, plural) {
    let n = 0;
    for await (const p of list.pages()) {
      n++;
      yield { items: itemsOf(p, plural), page: p?.page ?? n, totalPages: p?.total_pages ?? null };
    }
  }

  async function all(list, plural) {
    const out = [];
    for await (const p of pages(list, plural)) out.push(...p.items);
    return out;
  }

  const ex = client.exchange;
  return {
    /** Open access requests, every page. */
    requestQueue: () => all(ex.authorizationRequests.queue(), "authorization_requests"),

    ignoreRequest: (id, reviewer_email) => ex.authorizationRequests.ignore(id, { reviewer_email }),

    /**
     * Approve a request: create an authorization for it.
     * @param {number | string} request_id
     * @param {{ access_group_ids?: (number | string)[], nda_bypass?: boolean, expires_at?: string }} [grant]
     */
    approveRequest: (request_id, { access_group_ids = [], nda_bypass = false, expires_at } = {}) =>
      ex.authorizations.create(compact({ request_id, access_group_ids, nda_bypass, expires_at })),

    authorizations: (params = {}) => all(ex.authorizations.list(compact(params)), "authorizations"),
    updateAuthorization: (id, patch) => ex.authorizations.update(id, patch),
    revokeAuthorization: (id) => ex.authorizations.revoke(id),

    accessGroups: () => all(ex.accessGroups.list(), "access_groups"),
    folders: () => all(ex.folders.list(), "folders"),
    documents: () => all(ex.documents.list(), "documents"),

    /** Upload: fields use the API's names; `file` is a File. */
    createDocument: (fields) => ex.documents.create(compact(fields)),
    deleteDocument: (id) => ex.documents.delete(id),

    questionnaires: (params = {}) => all(client.questionnaires.list(compact(params)), "questionnaires"),

    /** Knowledge-base questions, one page at a time, fetched only when the caller pulls. */
    questionPages: (params = {}) => pages(client.knowledgeBase.questions.list(compact({ per_page: 50, ...params })), "questions"),
  };
}
