// Unit tests of www/api.js, the adapter between the tool and the package: the raw-path
// fallback sends what docs/api.md describes, and the typed namespaces are
// used, page by page, when the client has them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createApi, itemsOf } from "../../www/api.js";

function rawClient(responses) {
  const calls = [];
  return {
    calls,
    async request(method, path, opts = {}) {
      calls.push({ method, path, ...opts });
      const r = responses[`${method} ${path}`];
      return typeof r === "function" ? r(opts) : r ?? null;
    },
  };
}

test("fallback: request() with the raw paths, methods and bodies", async () => {
  const c = rawClient({
    "GET /exchange/authorization_request_queue": { authorization_requests: [{ id: 1 }], page: 1, total_pages: 1 },
    "GET /exchange/documents": { _embedded: { documents: [{ id: 7 }] } },
    "GET /knowledge_base/questions": ({ query }) => ({ questions: [{ id: query.page }], page: query.page, total_pages: 3 }),
  });
  const api = createApi(c);
  assert.equal(api.typed, false);
  assert.deepEqual(await api.requestQueue(), [{ id: 1 }]);
  assert.deepEqual(await api.documents(), [{ id: 7 }]);
  await api.approveRequest(1, { access_group_ids: [2], nda_bypass: true });
  await api.ignoreRequest(3, "r@example.com");
  await api.revokeAuthorization(4);
  await api.updateAuthorization(5, { access_group_ids: [1, 2] });
  await api.deleteDocument(7);
  assert.deepEqual(
    c.calls.slice(2).map(({ method, path, body }) => [method, path, body]),
    [
      ["POST", "/exchange/authorizations", { request_id: 1, access_group_ids: [2], nda_bypass: true }],
      ["PATCH", "/exchange/authorization_requests/3", { status: "ignored", reviewer_email: "r@example.com" }],
      ["PATCH", "/exchange/authorizations/4", { status: "revoked" }],
      ["PATCH", "/exchange/authorizations/5", { access_group_ids: [1, 2] }],
      ["DELETE", "/exchange/documents/7", undefined],
    ],
  );
  // Knowledge base pages are fetched one at a time, only when pulled, and stop at total_pages.
  const pages = api.questionPages({ status: "verified" });
  const before = c.calls.length;
  assert.deepEqual((await pages.next()).value.items, [{ id: 1 }]);
  assert.equal(c.calls.length, before + 1);
  assert.deepEqual(c.calls.at(-1).query, { status: "verified", page: 1, per_page: 50 });
  await pages.next();
  await pages.next();
  assert.equal((await pages.next()).done, true);
  assert.equal(c.calls.length, before + 3);
});

test("typed: the namespaces are used when the client has them", async () => {
  const seen = [];
  const list = (plural, pages) => (params) => {
    seen.push(["list", plural, params]);
    const pageObjs = pages.map((items, i) => Object.defineProperty({ [plural]: items, page: i + 1, total_pages: pages.length }, "items", { value: items }));
    return {
      then: (f, r) => Promise.resolve(pageObjs[0]).then(f, r),
      async *pages() {
        yield* pageObjs;
      },
      async *[Symbol.asyncIterator]() {
        for (const p of pageObjs) yield* p.items;
      },
    };
  };
  const rec = (name) => async (...args) => (seen.push([name, ...args]), { ok: true });
  const client = {
    request: () => assert.fail("request() must not be used when typed methods exist"),
    exchange: {
      authorizationRequests: { queue: list("authorization_requests", [[{ id: 1 }], [{ id: 2 }]]), ignore: rec("ignore") },
      authorizations: { list: list("authorizations", [[]]), create: rec("create"), update: rec("update"), revoke: rec("revoke") },
      accessGroups: { list: list("access_groups", [[{ id: 9, name: "G" }]]) },
      folders: { list: list("folders", [[]]) },
      documents: { list: list("documents", [[{ id: 3 }]]), create: rec("docCreate"), delete: rec("docDelete") },
    },
    questionnaires: { list: list("questionnaires", [[{ id: 4 }]]) },
    knowledgeBase: { questions: { list: list("questions", [[{ id: 5 }], [{ id: 6 }]]) } },
  };
  const api = createApi(client);
  assert.equal(api.typed, true);
  assert.deepEqual(await api.requestQueue(), [{ id: 1 }, { id: 2 }], "every page of the queue");
  assert.deepEqual(await api.accessGroups(), [{ id: 9, name: "G" }]);
  await api.approveRequest(1, { access_group_ids: [9], nda_bypass: false, expires_at: "2027-01-01T00:00:00Z" });
  await api.ignoreRequest(2, "r@example.com");
  await api.revokeAuthorization(7);
  assert.deepEqual(seen.filter(([n]) => n !== "list"), [
    ["create", { request_id: 1, access_group_ids: [9], nda_bypass: false, expires_at: "2027-01-01T00:00:00Z" }],
    ["ignore", 2, { reviewer_email: "r@example.com" }],
    ["revoke", 7],
  ]);
  const kb = api.questionPages({ status: "unverified" });
  assert.deepEqual((await kb.next()).value.items, [{ id: 5 }]);
  assert.deepEqual((await kb.next()).value.items, [{ id: 6 }]);
  assert.equal((await kb.next()).done, true);
  assert.deepEqual(seen.find(([n, p]) => n === "list" && p === "questions")[2], { per_page: 50, status: "unverified" });
});

test("itemsOf unwraps flat and HAL envelopes", () => {
  assert.deepEqual(itemsOf({ folders: [1] }, "folders"), [1]);
  assert.deepEqual(itemsOf({ _embedded: { folders: [2] } }, "folders"), [2]);
  assert.deepEqual(itemsOf(null, "folders"), []);
});
