// The typed endpoint methods (client.exchange..., client.knowledgeBase...), through the
// packed package in Node and workerd, against the sandbox: every method's happy path,
// validation before sending, 403 for a read-only key, auto-pagination, uploads, types.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import * as pkg from "conveyor-client";
import { startSandbox, KEYS } from "./lib/sandbox.mjs";
import { rejection, typecheck } from "./lib/check.mjs";
import { startWorker } from "./lib/workerd.mjs";
import { METHODS } from "./lib/endpoints.mjs";

const { ConveyorClient, ConveyorError, ConveyorValidationError, ConveyorAuthError, ConveyorResponseError, ConveyorAbortError, ConveyorConfigError } =
  pkg;

let sb;
before(async () => {
  sb = await startSandbox();
});
after(async () => {
  await sb?.stop();
});

const client = (key = KEYS.full, extra = {}) => new ConveyorClient({ apiKey: key, baseUrl: sb.api, rateLimit: false, ...extra });


/** The sandbox's log of API requests (not its own /_sandbox routes) whose path contains `part`. */
async function requestsTo(part) {
  const all = await sb.requests();
  return all.filter((r) => JSON.stringify(r).includes(part));
}

/** Runs `fn`, expects a ConveyorValidationError naming `field`, and that nothing was sent. */
async function rejectsBeforeSending(fn, field) {
  const before = (await sb.requests()).length;
  const e = await rejection(fn());
  assert.ok(e instanceof ConveyorValidationError, `${e?.name}: ${e?.message}`);
  assert.ok(e instanceof ConveyorError);
  assert.equal(e.code, "invalid_request");
  assert.equal(e.status, undefined, "no response was involved");
  assert.equal(e.details?.param, field, e.message);
  assert.ok(e.message.includes(`\`${field.split("|")[0]}`), `the message names ${field}: ${e.message}`);
  assert.equal((await sb.requests()).length, before, "nothing was sent");
  return e;
}

const bytes = (s) => new TextEncoder().encode(s);


test("every endpoint has a method on its namespace", () => {
  const c = client();
  for (const name of METHODS) {
    const fn = name.split(".").reduce((o, k) => o?.[k], c);
    assert.equal(typeof fn, "function", name);
  }
  assert.ok(Object.isFrozen(c.exchange), "namespaces are frozen");
});

test("a namespace is built once per client, and each client's calls go through it", async () => {
  const a = client();
  assert.equal(a.exchange, a.exchange, "the same object on every access");
  assert.equal(a.knowledgeBase, a.knowledgeBase);
  assert.equal(a.exchange.folders, a.exchange.folders);
  assert.notEqual(a.exchange, a.questionnaires);
  // Same key, another client pointing nowhere: its own namespaces, its own calls.
  const b = new ConveyorClient({ apiKey: KEYS.full, baseUrl: "http://127.0.0.1:9/api/v2", rateLimit: false, maxRetries: 0 });
  assert.notEqual(a.exchange, b.exchange);
  assert.notEqual(a.exchange.folders.list, b.exchange.folders.list);
  const folders = await a.exchange.folders.list();
  assert.ok(Array.isArray(folders.items));
  const e = await rejection(b.exchange.folders.list());
  assert.equal(e.name, "ConveyorNetworkError", e.message);
});

test("the namespace getters are the class's: accessors on its prototype, not enumerable, read on a non-client a plain throw", async () => {
  const c = client();
  const names = [...new Set(METHODS.map((m) => m.split(".")[0]))];
  for (const name of names) {
    const d = Object.getOwnPropertyDescriptor(ConveyorClient.prototype, name);
    assert.equal(typeof d?.get, "function", name);
    assert.equal(d.enumerable, false, `${name} is not enumerable, as a class getter`);
    assert.equal(d.set, undefined, `${name} is read-only`);
    assert.ok(!Object.hasOwn(c, name), `${name} is not an own property of a client`);
    // Read on anything but a client: an ordinary exception, never a WebAssembly trap, and
    // no namespace that would send through it.
    for (const self of [undefined, null, 1, "s", {}, Object.create(ConveyorClient.prototype), new Proxy({}, { get() { throw new Error("hostile"); } })]) {
      let e;
      try {
        d.get.call(self);
      } catch (x) {
        e = x;
      }
      assert.ok(e instanceof Error, `${name} on ${typeof self}: threw ${e}`);
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `a wasm trap: ${e.stack}`);
    }
  }
  for (const k in c) assert.ok(!names.includes(k), `${k} is enumerable`);
  // A client still works after them.
  assert.ok(Array.isArray((await c.exchange.folders.list()).items));
});

test("the namespace cache keeps neither a client nor its namespaces alive", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const make = () => {
    const c = client();
    const ns = c.exchange;
    assert.equal(c.exchange, ns);
    return [new WeakRef(c), new WeakRef(ns)];
  };
  const refs = Array.from({ length: 5 }, make);
  for (let i = 0; i < 20 && refs.some(([c, ns]) => c.deref() || ns.deref()); i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  for (const [c, ns] of refs) {
    assert.equal(c.deref(), undefined, "the client was collected");
    assert.equal(ns.deref(), undefined, "its namespace was collected");
  }
  // A namespace outlives the client object it came from, and still calls through it.
  let owner = client();
  const kb = owner.exchange;
  const ownerRef = new WeakRef(owner);
  owner = undefined;
  for (let i = 0; i < 20 && ownerRef.deref(); i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(ownerRef.deref(), undefined);
  assert.ok(Array.isArray((await kb.folders.list()).items));
});

test("exchange: connections, access requests and the queue", async () => {
  const c = client();
  const page = await c.exchange.connections.list();
  assert.ok(Array.isArray(page.connections) && page.connections.length > 0);
  assert.equal(page.items, page.connections, "items is the flat envelope's list");
  assert.ok(!Object.keys(page).includes("items"), "items is not enumerable");
  assert.equal(JSON.stringify(page).includes('"items"'), false, "the page serialises as sent");
  assert.equal(typeof page.total_pages, "number");
  const domain = page.connections[0].domain;
  const filtered = await c.exchange.connections.list({ domain });
  assert.ok(filtered.items.every((x) => x.domain === domain));

  const requests = await c.exchange.authorizationRequests.list();
  assert.ok(requests.items.length > 0, "the sandbox has access requests");
  const one = await c.exchange.authorizationRequests.get(requests.items[0].id);
  assert.equal(one.id, requests.items[0].id);
  const byStatus = await c.exchange.authorizationRequests.list({ status: "requested" });
  assert.ok(byStatus.items.every((r) => r.status === "requested"));

  const queue = await c.exchange.authorizationRequests.queue().toArray();
  assert.ok(queue.length > 0, "the queue has open requests");
  const ignored = await c.exchange.authorizationRequests.ignore(queue[0].id, { reviewer_email: "reviewer@example.com" });
  assert.equal(ignored.status, "ignored");
  const after = await c.exchange.authorizationRequests.queue().toArray();
  assert.ok(!after.some((r) => r.id === queue[0].id), "an ignored request leaves the queue");
});

test("exchange: authorizations and access groups", async () => {
  const c = client();
  const groups = await c.exchange.accessGroups.list().toArray();
  assert.ok(groups.length > 0);
  const list = await c.exchange.authorizations.list({ status: "authorized" });
  assert.ok(Array.isArray(list.authorizations));
  const created = await c.exchange.authorizations.create({
    email: `new-${Date.now()}@prospect.example`,
    access_group_ids: [groups[0].id],
    nda_bypass: true,
    expires_at: new Date(Date.now() + 30 * 86400e3),
  });
  assert.ok(created.id !== undefined);
  const updated = await c.exchange.authorizations.update(created.id, { access_group_ids: groups.slice(0, 2).map((g) => g.id) });
  assert.equal(updated.id, created.id);
  const revoked = await c.exchange.authorizations.revoke(created.id);
  assert.equal(revoked.status, "revoked");
  // Approving a request by id.
  const open = await c.exchange.authorizationRequests.queue().toArray({ limit: 1 });
  if (open.length) {
    const approved = await c.exchange.authorizations.create({ request_id: open[0].id });
    assert.ok(approved.id !== undefined);
  }
});

test("exchange: folders and documents (HAL envelopes, multipart uploads)", async () => {
  const c = client();
  const folders = await c.exchange.folders.list();
  assert.ok(Array.isArray(folders._embedded?.folders));
  assert.equal(folders.items, folders._embedded.folders, "items is the HAL envelope's list");
  const folder = await c.exchange.folders.create({ name: "Policies" });
  assert.equal(folder.name, "Policies");

  const docs = await c.exchange.documents.list();
  assert.ok(Array.isArray(docs.items));
  const made = [];
  for (const [what, file, filename] of [
    ["Blob", new Blob(["%PDF-1.4 blob"], { type: "application/pdf" }), "blob.pdf"],
    ["File", new File(["%PDF-1.4 file"], "file.pdf", { type: "application/pdf" }), undefined],
    ["Uint8Array", bytes("%PDF-1.4 bytes"), "bytes.pdf"],
    ["ArrayBuffer", bytes("%PDF-1.4 buffer").buffer, "buffer.pdf"],
  ]) {
    const doc = await c.exchange.documents.create({
      name: `SOC 2 (${what})`,
      file,
      filename,
      access_level: "need_to_know",
      certification: "soc2-type-2",
      featured: false,
      folder_id: folder.id,
      access_group_ids: [],
    });
    assert.equal(doc.name, `SOC 2 (${what})`, what);
    const sent = filename ?? "file.pdf";
    const versions = doc.versions ?? [];
    if (versions.length) assert.equal(versions[0].filename, sent, `${what} kept its file name`);
    made.push(doc);
  }
  const updated = await c.exchange.documents.update(made[0].id, { description: "Type 2, 2025", featured: true });
  assert.equal(updated.id, made[0].id);
  for (const d of made) assert.equal(await c.exchange.documents.delete(d.id), undefined);
  assert.equal(await c.exchange.folders.delete(folder.id), undefined);
  const gone = await rejection(c.exchange.documents.delete(made[0].id));
  assert.equal(gone.status, 404);
});

test("questionnaires, questionnaire requests, knowledge base, interactions, product lines, single question, reviews", async () => {
  const c = client();
  const qs = await c.questionnaires.list({ created_at_start: new Date(0), created_at_end: "2100-01-01" });
  assert.ok(Array.isArray(qs.items));
  const byStatus = await c.questionnaires.list({ status: "completed" });
  assert.ok(byStatus.items.every((q) => q.status === "completed"));
  const q = await c.questionnaires.create({
    domain: "prospect.example",
    email: "buyer@prospect.example",
    original_format: "spreadsheet",
    questionnaire_type: "security_questionnaire",
    due_at: new Date(Date.now() + 7 * 86400e3),
    file: bytes("Question,Answer\nDo you encrypt data at rest?,\n"),
    filename: "questions.csv",
    crm_amount: 12500.5,
  });
  assert.ok(q.id !== undefined);
  const portal = await c.questionnaires.create({ domain: "p.example", email: "x@p.example", original_format: "portal", portal_url: "https://portal.example/q/1" });
  assert.ok(portal.id !== undefined);

  const qr = await c.questionnaireRequests.create({ external_id: "case-1", source: "salesforce", submitter_email: "ae@us.example", case_ids: ["c1", "c2"], file: new Blob(["x"]), filename: "q.xlsx" });
  assert.ok(qr && typeof qr === "object");

  const questions = await c.knowledgeBase.questions.list({ status: "verified" });
  assert.ok(questions.items.length > 0 && questions.items.every((x) => x.status === "verified"));

  const interactions = await c.interactions.list({ type: "Document" });
  assert.ok(interactions.items.every((i) => i.type === "Document"));
  const conn = (await c.exchange.connections.list()).items[0];
  const doc = (await c.exchange.documents.list()).items[0];
  const question = questions.items[0];
  for (const [what, list] of [
    ["byConnection", c.interactions.byConnection(conn.id, { created_at_start: "2000-01-01" })],
    ["byDocument", c.interactions.byDocument(doc.id)],
    ["byQuestion", c.interactions.byQuestion(question.id, { type: "Q & A" })],
  ]) {
    const page = await list;
    assert.ok(Array.isArray(page.interactions), what);
  }

  const lines = await c.productLines.list();
  assert.ok(Array.isArray(lines._embedded?.product_lines) && lines.items === lines._embedded.product_lines);

  const answer = await c.singleQuestion.ask({ question: "Do you encrypt data at rest?", multiple_choice_options: ["Yes", "No"], confidence_threshold: 0.5 });
  assert.ok(answer && typeof answer.answer !== "undefined");

  const review = await c.reviews.create({ email: "me@us.example", vendor_name: "Acme" });
  assert.ok(review && typeof review === "object");
});

test("a missing required parameter or a wrong type rejects naming the field, and nothing is sent", async () => {
  const c = client();
  const cases = [
    [() => c.exchange.authorizationRequests.ignore("1", {}), "reviewer_email"],
    [() => c.exchange.authorizationRequests.ignore("1"), "reviewer_email"],
    [() => c.exchange.authorizationRequests.get(), "id"],
    [() => c.exchange.authorizationRequests.get(""), "id"],
    [() => c.exchange.authorizationRequests.get(".."), "id"],
    [() => c.exchange.authorizations.create({ nda_bypass: true }), "request_id|email"],
    [() => c.exchange.authorizations.create({ email: "a@b.c", expires_at: new Date(NaN) }), "expires_at"],
    [() => c.exchange.authorizations.create({ email: "a@b.c", access_group_ids: "1" }), "access_group_ids"],
    [() => c.exchange.authorizations.update("1", { access_group_ids: [1, {}] }), "access_group_ids[1]"],
    [() => c.exchange.authorizations.revoke("1", { status: "revoked" }), "status"],
    [() => c.exchange.folders.create({}), "name"],
    [() => c.exchange.folders.create({ name: null }), "name"],
    [() => c.exchange.folders.create({ name: 42 }), "name"],
    [() => c.exchange.folders.delete(), "id"],
    [() => c.exchange.documents.create({ name: "x" }), "file"],
    [() => c.exchange.documents.create({ name: "x", file: "not a file" }), "file"],
    [() => c.exchange.documents.update("1", { featured: "yes" }), "featured"],
    [() => c.questionnaires.create({ domain: "a.example", email: "a@a.example" }), "original_format"],
    [() => c.questionnaires.create({ domain: "a.example", email: "a@a.example", original_format: 3 }), "original_format"],
    [() => c.singleQuestion.ask({}), "question"],
    [() => c.singleQuestion.ask({ question: "q", confidence_threshold: NaN }), "confidence_threshold"],
    [() => c.reviews.create({ email: "a@b.c" }), "vendor_name"],
    [() => c.interactions.byConnection(), "id"],
    [() => c.exchange.connections.list({ domian: "typo.example" }), "domian"],
    [() => c.exchange.connections.list({ per_page: "2" }), "per_page"],
    [() => c.exchange.connections.list({ per_page: 1000 }), "per_page"],
    [() => c.exchange.connections.list({ page: 1.5 }), "page"],
    [() => c.exchange.connections.list({}, { timeoutMs: -1 }), "timeoutMs"],
    [() => c.exchange.connections.list({}, { signal: "no" }), "signal"],
    [() => c.exchange.connections.list("typo.example"), "params"],
  ];
  for (const [fn, field] of cases) await rejectsBeforeSending(fn, field);
});

test("enum parameters accept values the API may add", async () => {
  const c = client();
  const page = await c.knowledgeBase.questions.list({ status: "archived-in-a-future-version" });
  assert.ok(Array.isArray(page.items));
  const sent = await requestsTo("archived-in-a-future-version");
  assert.equal(sent.length, 1);
});

test("hostile ids stay one path segment", async () => {
  const c = client();
  const e = await rejection(c.exchange.authorizationRequests.get("../x?y#z"));
  assert.equal(e.status, 404);
  const [seen] = await requestsTo("..%2Fx%3Fy%23z");
  assert.ok(seen, "the id arrived encoded as one segment");
});

test("a read-only key gets 403 on every write, and reads", async () => {
  const ro = client(KEYS.readonly);
  assert.ok((await ro.exchange.connections.list()).items.length > 0, "reads work");
  const writes = [
    () => ro.exchange.authorizationRequests.ignore("1", { reviewer_email: "r@x.example" }),
    () => ro.exchange.authorizations.create({ email: "a@b.example" }),
    () => ro.exchange.authorizations.update("1", { status: "gated" }),
    () => ro.exchange.authorizations.revoke("1"),
    () => ro.exchange.folders.create({ name: "x" }),
    () => ro.exchange.folders.delete("1"),
    () => ro.exchange.documents.create({ name: "x", file: bytes("x"), filename: "x.pdf" }),
    () => ro.exchange.documents.update("1", { name: "y" }),
    () => ro.exchange.documents.delete("1"),
    () => ro.questionnaires.create({ domain: "a.example", email: "a@a.example", original_format: "file" }),
    () => ro.questionnaireRequests.create({ external_id: "x" }),
    () => ro.reviews.create({ email: "a@b.example", vendor_name: "Acme" }),
    () => ro.singleQuestion.ask({ question: "Do you encrypt data at rest?" }),
  ];
  for (const w of writes) {
    const e = await rejection(w());
    assert.ok(e instanceof ConveyorAuthError, `${e.name}: ${e.message}`);
    assert.equal(e.status, 403);
  }
  const inactive = await rejection(client(KEYS.inactive).knowledgeBase.questions.list());
  assert.ok(inactive instanceof ConveyorAuthError);
  const listErr = await rejection(client(KEYS.inactive).knowledgeBase.questions.list().toArray());
  assert.ok(listErr instanceof ConveyorAuthError, "iteration rejects with the same error");
});

/**
 * A list of the sandbox's fixtures with a `per_page` that gives it 3 to 5 pages, so every
 * paging test crosses at least 3 pages without fetching hundreds.
 */
async function pagedList(c) {
  const candidates = [
    ["knowledge_base/questions", (params) => c.knowledgeBase.questions.list(params)],
    ["exchange/connections", (params) => c.exchange.connections.list(params)],
    ["interactions", (params) => c.interactions.list(params)],
  ];
  for (const [path, list] of candidates) {
    const count = (await list({ per_page: 1 })).total_pages;
    if (count >= 3) {
      const perPage = Math.min(100, Math.floor(count / 3));
      const total = Math.ceil(count / perPage);
      if (total >= 3 && total <= 5) return { path, perPage, count, total, make: () => list({ per_page: perPage }) };
    }
  }
  assert.fail("no list has enough records for 3 pages");
}

test("auto-pagination: every item across >= 3 pages, lazily; break stops fetching", async () => {
  const c = client();
  const { path, perPage, count, total, make } = await pagedList(c);
  assert.ok(total >= 3);
  // Only this test's requests carry this per_page.
  const sent = async () => (await requestsTo(path)).filter((r) => JSON.stringify(r).includes(`per_page=${perPage}`)).length;

  await sb.reset();
  const list = make();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await sent(), 0, "nothing is sent before awaiting or iterating");
  const ids = [];
  for await (const item of list) ids.push(item.id);
  assert.equal(ids.length, count, "every item, once");
  assert.equal(new Set(ids).size, ids.length, "no duplicates");
  assert.equal(await sent(), total, "one request per page, none past total_pages");

  await sb.reset();
  let seen = 0;
  for await (const _ of make()) {
    if (++seen === perPage + 1) break; // the first item of page 2
  }
  assert.equal(await sent(), 2, "breaking on page 2 fetched no page 3");

  await sb.reset();
  const pages = [];
  for await (const p of make().pages()) pages.push(p.page);
  assert.deepEqual(pages, Array.from({ length: total }, (_, i) => i + 1));

  await sb.reset();
  const some = await make().toArray({ limit: perPage + 1 });
  assert.equal(some.length, perPage + 1);
  assert.equal(await sent(), 2, "toArray({ limit }) fetched no page beyond the limit");

  const from2 = await c.knowledgeBase.questions.list({ per_page: perPage, page: 2 }).pages().next();
  assert.equal(from2.value.page, 2, "iteration starts at the given page");

  // Awaiting the result is the first page; iterating it afterwards reuses that page.
  await sb.reset();
  const r = make();
  const first = await r;
  assert.equal(first.items.length, perPage);
  let n = 0;
  for await (const _ of r) if (++n === 1) break;
  assert.equal(await sent(), 1, "the awaited first page is not fetched again");
});

test("pages go through the limiter", async () => {
  const c = client(KEYS.full, { rateLimit: { limit: 1000, windowMs: 60_000, shared: false } });
  const { make, total } = await pagedList(c);
  const before = c.rateLimitState().available;
  await make().toArray();
  const state = c.rateLimitState();
  assert.equal(before - state.available, total, `one token per page (${JSON.stringify(state)})`);
});

test("a list whose envelope lacks its records rejects with ConveyorResponseError", async () => {
  const fake = async () => Response.json({ something_else: [] });
  const c = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false, fetch: fake });
  const e = await rejection(c.exchange.connections.list());
  assert.ok(e instanceof ConveyorResponseError, e.name);
  assert.equal(e.code, "bad_response");
  assert.match(e.message, /connections/);
  const hal = await rejection(c.productLines.list().toArray());
  assert.ok(hal instanceof ConveyorResponseError);
  assert.match(hal.message, /_embedded\.product_lines/);
});

test("a list page's records are found under either envelope, the declared one first", async () => {
  let body;
  const fake = async () => Response.json(body);
  const c = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false, fetch: fake });
  // A flat endpoint answered in HAL, and a HAL endpoint answered flat.
  body = { _embedded: { connections: [{ id: 1 }] } };
  const hal = await c.exchange.connections.list();
  assert.equal(hal.items, hal._embedded.connections);
  body = { product_lines: [{ id: 2 }] };
  const flat = await c.productLines.list();
  assert.equal(flat.items, flat.product_lines);
  // Both: the declared envelope wins; a non-array there falls back to the other.
  body = { connections: [{ id: 3 }], _embedded: { connections: [{ id: 4 }] } };
  assert.equal((await c.exchange.connections.list()).items[0].id, 3);
  body = { connections: "x", _embedded: { connections: [{ id: 4 }] } };
  assert.equal((await c.exchange.connections.list()).items[0].id, 4);
  body = { product_lines: [{ id: 5 }], _embedded: { product_lines: [{ id: 6 }] } };
  assert.equal((await c.productLines.list()).items[0].id, 6);
  // No array under either, or no object at all: a typed rejection with the body (key masked).
  for (const b of [{ connections: "x" }, { _embedded: "x" }, { _embedded: null }, [], null, 7, "connections", { connections: { length: 1 } }, { note: KEYS.full }]) {
    body = b;
    const e = await rejection(c.exchange.connections.list());
    assert.ok(e instanceof ConveyorResponseError, `${JSON.stringify(b)}: ${e.name}`);
    assert.equal(e.code, "bad_response");
    assert.equal(JSON.stringify(e).includes(KEYS.full), false, "the key is masked in details");
  }
});

test("a params object that is not one, or whose reading throws, is refused naming `params`", async () => {
  const c = client();
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwingKeys = new Proxy({}, { ownKeys: () => { throw new Error("hostile"); } });
  const throwingGetter = { get per_page() { throw new Error("hostile"); } };
  const cases = [
    [[1], /`params` must be an object \(exchange\.accessGroups\.list\(params\?, options\?\)\)/],
    [() => {}, /`params` must be an object/],
    ["x", /`params` must be an object/],
    [revoked.proxy, /`params` must be an object/],
    [throwingKeys, /reading `params` threw/],
    [throwingGetter, /reading `params` threw/],
  ];
  for (const [params, message] of cases) {
    const e = await rejection(c.exchange.accessGroups.list(params));
    assert.ok(e instanceof ConveyorValidationError, e.name);
    assert.match(e.message, message);
    assert.equal(e.details.param, "params");
  }
  // Own enumerable entries only, in the object's order: the first bad one is named.
  const inherited = Object.create({ nope: 1 });
  inherited.per_page = 5;
  Object.defineProperty(inherited, "hidden", { value: 1, enumerable: false });
  assert.equal((await c.exchange.accessGroups.list(inherited)).per_page, 5);
  const e = await rejection(c.exchange.accessGroups.list({ per_page: 1, bogus: 1, worse: 2 }));
  assert.equal(e.details.param, "bogus");
});

test("unknown record fields pass through untouched", async () => {
  const fake = async () => Response.json({ connections: [{ id: 1, brand_new_field: { nested: [1, 2] } }], page: 1, per_page: 100, total_pages: 1, extra: "kept" });
  const c = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false, fetch: fake });
  const page = await c.exchange.connections.list();
  assert.deepEqual(page.items[0].brand_new_field, { nested: [1, 2] });
  assert.equal(page.extra, "kept");
});

test("an aborted signal rejects the call and stops paging", async () => {
  const c = client();
  const ac = new AbortController();
  ac.abort();
  const e = await rejection(c.exchange.connections.list({}, { signal: ac.signal }));
  assert.ok(e instanceof ConveyorAbortError, e.name);
  const e2 = await rejection(c.exchange.folders.create({ name: "x" }, { signal: ac.signal }));
  assert.ok(e2 instanceof ConveyorAbortError, e2.name);
});

test("uploads and paging work in workerd", async () => {
  const worker = await startWorker(new URL("./runtimes/resources-worker.mjs", import.meta.url).pathname);
  try {
    const q = new URLSearchParams({ api: sb.api, key: KEYS.full });
    const res = await worker.mf.dispatchFetch(`http://worker.test/?${q}`);
    const result = await res.json();
    assert.deepEqual(result.failures, []);
    assert.ok(result.uploaded >= 3, JSON.stringify(result));
  } finally {
    await worker.mf.dispose();
  }
});

test("the declarations type-check strict usage of every method", () => typecheck("resources-usage.ts"));

// Every message a typed call can be refused with, word for word: the shell's own (argument
// count, params and options objects, values whose reading throws, the endpoint index, a list
// envelope without its records) and the parameter checks', with numbers printed by JS.
test("the typed methods' refusals keep their exact words", async () => {
  const c = client();
  const hostileList = new Proxy([1], { get: (t, k) => (k === "length" ? 1 : (() => { throw new Error("hostile"); })()) });
  const throwing = new Proxy({}, { ownKeys: () => { throw new Error("hostile"); } });
  const blob = new Blob(["x"]);
  const dates = { throwing: new Date(0), notANumber: new Date(0), notAString: new Date(0) };
  dates.throwing.toISOString = () => { throw new Error("hostile"); };
  dates.notANumber.getTime = () => "soon";
  dates.notAString.toISOString = () => 7;
  const cases = [
    [() => c.exchange.authorizations.create({ email: "e", expires_at: dates.throwing }), "expires_at", "exchange.authorizations.create: `expires_at`: reading it threw"],
    [() => c.exchange.authorizations.create({ email: "e", expires_at: dates.notANumber }), "expires_at", 'exchange.authorizations.create: `expires_at` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not "Invalid Date"'],
    [() => c.exchange.authorizations.create({ email: "e", expires_at: dates.notAString }), "expires_at", "exchange.authorizations.create: `expires_at`: reading it threw"],
    [() => c.exchange.authorizations.create({ email: "e", access_group_ids: [1, dates.throwing] }), "access_group_ids", "exchange.authorizations.create: `access_group_ids`: reading it threw"],
    [() => c.exchange.folders.delete(1, undefined, undefined), "arguments", "exchange.folders.delete: takes at most 2 arguments (exchange.folders.delete(id, options?))"],
    [() => c.exchange.folders.create({ name: "x" }, {}, 1), "arguments", "exchange.folders.create: takes at most 2 arguments (exchange.folders.create(params?, options?))"],
    [() => c.interactions.byDocument(1, {}, {}, 1), "arguments", "interactions.byDocument: takes at most 3 arguments (interactions.byDocument(id, params?, options?))"],
    [() => c.exchange.accessGroups.list([1]), "params", "exchange.accessGroups.list: `params` must be an object (exchange.accessGroups.list(params?, options?))"],
    [() => c.exchange.accessGroups.list(throwing), "params", "exchange.accessGroups.list: reading `params` threw"],
    [() => c.exchange.authorizations.create({ email: "a@b.c", access_group_ids: hostileList }), "access_group_ids", "exchange.authorizations.create: `access_group_ids`: reading it threw"],
    [() => c.exchange.folders.list({}, 5), "options", "exchange.folders.list: `options` must be an object (exchange.folders.list(params?, options?))"],
    [() => c.exchange.folders.list({}, throwing), "options", "exchange.folders.list: reading `options` threw"],
    [() => c.exchange.folders.list({}, { bogus: 1 }), "bogus", "exchange.folders.list: unknown option `bogus`: the options are `signal` and `timeoutMs`"],
    [() => c.exchange.folders.list({}, { per_page: 1 }), "per_page", "exchange.folders.list: unknown option `per_page`: the options are `signal` and `timeoutMs` (this method's arguments are exchange.folders.list(params?, options?))"],
    [() => c.exchange.folders.delete(1, { bogus: 1 }), "bogus", "exchange.folders.delete: unknown option `bogus`: the options are `signal` and `timeoutMs` (this method's arguments are exchange.folders.delete(id, options?))"],
    [() => c.exchange.folders.delete(), "id", "exchange.folders.delete: `id` (argument 1) is required"],
    [() => c.exchange.folders.delete(1.5), "id", "exchange.folders.delete: `id` must be a non-empty string or an integer id, not the number 1.5"],
    [() => c.exchange.folders.delete(".."), "id", "exchange.folders.delete: `id` must not be `.` or `..`"],
    [() => c.exchange.folders.delete(-1e21), "id", "exchange.folders.delete: `id` must be a non-empty string or an integer id, not the number -1e+21"],
    [() => c.exchange.connections.list({ domian: "x" }), "domian", "exchange.connections.list: unknown parameter `domian` (accepted: `domain`, `page`, `per_page`)"],
    [() => c.questionnaires.create({ domain: "d", email: "e", original_format: "file", nope: 1 }), "nope", "questionnaires.create: unknown parameter `nope` (accepted: `domain`, `email`, `original_format`, `questionnaire_type`, `due_at`, `product_line_ids`, `portal_url`, `notes`, `file`, `filename`, `content_type`, `content_version_id`, `customer_name`, `crm_id`, `crm_amount`)"],
    [() => c.exchange.documents.update(1, { nope: 1 }), "nope", "exchange.documents.update: unknown parameter `nope` (accepted: `name`, `file`, `description`, `certification`, `featured`, `folder_id`, `access_level`, `product_line_ids`, `access_group_ids`, `disable_downloads`, `use_for_question_answering`, `filename`)"],
    [() => c.exchange.folders.create({}), "name", "exchange.folders.create: `name` is required"],
    [() => c.exchange.authorizations.create({ nda_bypass: true }), "request_id|email", "exchange.authorizations.create: one of `request_id` or `email` is required"],
    [() => c.exchange.connections.list({ domain: 1 }), "domain", "exchange.connections.list: `domain` must be a string, not the number 1"],
    [() => c.exchange.connections.list({ page: 1.5 }), "page", "exchange.connections.list: `page` must be an integer, not the number 1.5"],
    [() => c.exchange.connections.list({ page: 0 }), "page", "exchange.connections.list: `page` must be 1 or more"],
    [() => c.exchange.connections.list({ per_page: 101 }), "per_page", "exchange.connections.list: `per_page` must be between 1 and 100"],
    [() => c.exchange.connections.list({ per_page: -0.5 }), "per_page", "exchange.connections.list: `per_page` must be an integer, not the number -0.5"],
    [() => c.singleQuestion.ask({ question: "q", confidence_threshold: NaN }), "confidence_threshold", "singleQuestion.ask: `confidence_threshold` must be a finite number, not NaN"],
    [() => c.singleQuestion.ask({ question: "q", confidence_threshold: -Infinity }), "confidence_threshold", "singleQuestion.ask: `confidence_threshold` must be a finite number, not the number -Infinity"],
    [() => c.singleQuestion.ask({ question: "q", multiple_choice_options: ["a", 2] }), "multiple_choice_options[1]", "singleQuestion.ask: `multiple_choice_options[1]` must be a string, not the number 2"],
    [() => c.singleQuestion.ask({ question: "q", multiple_choice_options: "a" }), "multiple_choice_options", "singleQuestion.ask: `multiple_choice_options` must be an array of strings, not a string"],
    [() => c.exchange.authorizations.create({ email: "e", nda_bypass: "true" }), "nda_bypass", "exchange.authorizations.create: `nda_bypass` must be true or false, not a string"],
    [() => c.exchange.authorizations.create({ email: "e", expires_at: "tomorrow" }), "expires_at", 'exchange.authorizations.create: `expires_at` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not "tomorrow"'],
    [() => c.exchange.authorizations.create({ email: "e", expires_at: new Date(NaN) }), "expires_at", 'exchange.authorizations.create: `expires_at` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not "Invalid Date"'],
    [() => c.exchange.authorizations.create({ email: "e", expires_at: false }), "expires_at", "exchange.authorizations.create: `expires_at` must be an ISO-8601 date string or a Date, not the boolean false"],
    [() => c.exchange.authorizations.create({ email: "e", access_group_ids: [1, null] }), "access_group_ids[1]", "exchange.authorizations.create: `access_group_ids[1]` must be a non-empty string or an integer id, not nothing"],
    [() => c.exchange.authorizations.create({ email: "e", access_group_ids: [""] }), "access_group_ids[0]", "exchange.authorizations.create: `access_group_ids[0]` must be a non-empty string or an integer id, not an empty string"],
    [() => c.exchange.authorizations.create({ email: "e", access_group_ids: 1 }), "access_group_ids", "exchange.authorizations.create: `access_group_ids` must be an array of ids, not the number 1"],
    [() => c.exchange.authorizations.create({ request_id: true }), "request_id", "exchange.authorizations.create: `request_id` must be a non-empty string or an integer id, not the boolean true"],
    [() => c.exchange.authorizations.update(1, { status: 1 }), "status", 'exchange.authorizations.update: `status` must be a string such as "gated", "authorized", "revoked", not the number 1'],
    [() => c.exchange.documents.update(1, { file: "not a file" }), "file", "exchange.documents.update: `file` must be a Blob, File, Uint8Array or ArrayBuffer, not a string"],
    [() => c.exchange.documents.update(1, { name: {} }), "name", "exchange.documents.update: `name` must be a string, not a value of type object"],
    [() => c.exchange.documents.update(1, { name: () => 1 }), "name", "exchange.documents.update: `name` must be a string, not a value of type function"],
    [() => c.exchange.documents.update(1, { name: blob }), "name", "exchange.documents.update: `name` must be a string, not a file"],
    [() => c.exchange.documents.update(1, { name: ["x"] }), "name", "exchange.documents.update: `name` must be a string, not an array"],
    [() => c.reviews.create({ email: "e", vendor_name: "v", vendor_vm_id: -1 }), "vendor_vm_id", "reviews.create: `vendor_vm_id` must be a non-empty string or an integer id, not the number -1"],
  ];
  const got = [];
  for (const [call, param, message] of cases) {
    const e = await rejection(call());
    got.push([e?.name, e?.details?.param, e?.message]);
  }
  assert.deepEqual(got, cases.map(([, param, message]) => ["ConveyorValidationError", param, message]));
  const fake = async () => Response.json({ nothing: [] });
  const f = new ConveyorClient({ apiKey: KEYS.full, baseUrl: sb.api, rateLimit: false, fetch: fake });
  const flat = await rejection(f.exchange.connections.list({ per_page: 5 }));
  assert.equal(flat.message, "GET /exchange/connections?per_page=5: the response has no `connections` array; the API may have changed (the body is in `details`)");
  const hal = await rejection(f.productLines.list());
  assert.equal(hal.message, "GET /product_lines: the response has no `_embedded.product_lines` array; the API may have changed (the body is in `details`)");
});

// What a multipart upload is named on the wire: the `filename` given, else a `File`'s own
// name, else "upload"; text fields and arrays beside it arrive as sent.
test("an upload's file name: the one given, a File's own, else upload", async () => {
  const c = client();
  const folder = await c.exchange.folders.create({ name: "Names" });
  const cases = [
    [new Blob(["%PDF-1.4 a"]), undefined, "upload"],
    [bytes("%PDF-1.4 b"), undefined, "upload"],
    [bytes("%PDF-1.4 c").buffer, undefined, "upload"],
    [new File(["%PDF-1.4 d"], "own.pdf"), undefined, "own.pdf"],
    [new File(["%PDF-1.4 e"], "own.pdf"), "given.pdf", "given.pdf"],
    [new Blob(["%PDF-1.4 f"]), "given.pdf", "given.pdf"],
  ];
  for (const [file, filename, sent] of cases) {
    const doc = await c.exchange.documents.create({ name: `named ${sent}`, file, filename, folder_id: folder.id, access_group_ids: [1, "2"] });
    assert.equal(doc.versions?.[0]?.filename, sent, `${Object.prototype.toString.call(file)} with ${filename}`);
    assert.equal(doc.name, `named ${sent}`);
    await c.exchange.documents.delete(doc.id);
  }
  await c.exchange.folders.delete(folder.id);
});
