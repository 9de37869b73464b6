// Unit tests of www/api.js, the adapter between the tool and the package: the typed
// namespaces are called with the API's parameters, and lists are read page by page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createApi, itemsOf } from "../../www/api.js";

test("the typed namespaces are used, page by page", async () => {
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
