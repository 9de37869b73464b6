// How a typed method checks and encodes its arguments (src/js/resources.js, from the endpoint
// table generated out of src/resources/), against the package as shipped: the request each
// call sends (method, path and query bytes, JSON text, multipart fields and file names), seen
// by a `fetch` that records it, and the refusal of each call that must not be sent (class,
// `details.param`, message). resources.test.mjs runs the typed calls against the sandbox;
// this file pins the encoding details. Property checks run a seeded generator loop (the
// seed is in every failure message).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConveyorClient, ConveyorValidationError } from "conveyor-client";
import { ENDPOINTS } from "./lib/endpoints.mjs";
import { seeded } from "./lib/seeded.mjs";

const BASE = "https://api.example/v2";

/** A client whose `fetch` records each request and answers `reply` (an empty page by default). */
function recording() {
  const sent = [];
  const fetch = async (input, init = {}) => {
    const url = typeof input === "string" ? input : input.url;
    let body = init.body;
    if (body instanceof FormData) body = [...body].map(([k, v]) => (typeof v === "string" ? [k, v] : [k, { name: v.name, size: v.size }]));
    sent.push({ method: init.method ?? "GET", path: url.startsWith(BASE) ? url.slice(BASE.length) : url, body, type: new Headers(init.headers).get("content-type") });
    return Response.json({ connections: [], authorization_requests: [], authorizations: [], access_groups: [], interactions: [], questions: [], _embedded: { folders: [], documents: [], questionnaires: [], product_lines: [] } });
  };
  const client = new ConveyorClient({ apiKey: "k_test_typed_calls_0123456789", baseUrl: BASE, rateLimit: false, maxRetries: 0, fetch });
  return { client, sent };
}

/** The dotted method of `client`. */
const method = (client, name) => name.split(".").reduce((o, k) => o[k], client);

/** What one call did: `{ sent }` (the request) or `{ error }` (nothing was sent). A synchronous
 * throw fails the test. */
async function outcome(name, ...args) {
  const { client, sent } = recording();
  const p = method(client, name)(...args);
  try {
    await p;
  } catch (error) {
    assert.equal(sent.length, 0, `${name}: a refused call sent nothing`);
    return { error };
  }
  assert.equal(sent.length, 1, `${name}: one request`);
  return { sent: sent[0] };
}

async function sends(name, ...args) {
  const o = await outcome(name, ...args);
  assert.ok(o.sent, `${name} refused: ${o.error?.message}`);
  return o.sent;
}

async function refuses(name, args, param, message) {
  const o = await outcome(name, ...args);
  assert.ok(o.error, `${name} accepted ${String(args)}: ${JSON.stringify(o.sent)}`);
  assert.ok(o.error instanceof ConveyorValidationError, `${name}: ${o.error.name}: ${o.error.message}`);
  assert.equal(o.error.code, "invalid_request");
  assert.equal(o.error.details?.param, param, o.error.message);
  if (message !== undefined) assert.equal(o.error.message, `${name}: ${message}`);
  return o.error;
}

/** The seeded generator (lib/seeded.mjs) with the helpers these properties use. */
function generator(seed) {
  const next = seeded(seed);
  const int = (n) => Math.floor(next() * n);
  const pick = (a) => a[int(a.length)];
  return { next, int, pick };
}

const SEED = Number(process.env.TYPED_SEED ?? Date.now() % 1_000_000);

/** A random string: plain, URL-meaningful, JSON-meaningful, control, non-ASCII and astral
 * characters. */
function text(g, max = 24) {
  const pools = ["abcXYZ019", "-._~ !'()*", "/?#&=+%[]", "\"\\\n\r\t\b\f\u0000\u001f\u007f", "\u2028\u2029é漢", "😀𝔸"];
  let out = "";
  const n = g.int(max + 1);
  for (let i = 0; i < n; i++) {
    const pool = [...g.pick(pools)];
    out += g.pick(pool);
  }
  return out;
}

test("a list sends its query in declaration order, arrays as repeated name[] pairs, null left out", async () => {
  const s = await sends("questionnaires.list", { product_line_ids: [1, "b"], status: "completed", per_page: 5, due_at_end: null });
  assert.equal(s.method, "GET");
  assert.equal(s.body, undefined);
  assert.equal(s.path, "/questionnaires?status=completed&product_line_ids%5B%5D=1&product_line_ids%5B%5D=b&per_page=5");
});

test("a JSON body carries the fixed values after the caller's, in declaration order", async () => {
  const s = await sends("exchange.authorizationRequests.ignore", 42, { reviewer_email: 'r"@x.com' });
  assert.equal(s.method, "PATCH");
  assert.equal(s.path, "/exchange/authorization_requests/42");
  assert.equal(s.type, "application/json");
  assert.equal(s.body, '{"reviewer_email":"r\\"@x.com","status":"ignored"}');
  assert.equal((await sends("exchange.authorizations.revoke", "7")).body, '{"status":"revoked"}');
  // Escapes as they always were: \b, \f, U+2028 and U+2029 as \u escapes, the rest as JSON.stringify.
  const e = await sends("exchange.authorizationRequests.ignore", 1, { reviewer_email: "\b\f\u2028\u2029\n\u0001é\\" });
  assert.equal(e.body, '{"reviewer_email":"\\u0008\\u000c\\u2028\\u2029\\n\\u0001é\\\\","status":"ignored"}');
});

test("JSON lists keep number ids as numbers", async () => {
  const s = await sends("exchange.authorizations.create", { expires_at: "2030-01-01T00:00:00.000Z", nda_bypass: true, access_group_ids: [1, "g2"], email: "a@b.c" });
  assert.equal(s.body, '{"email":"a@b.c","access_group_ids":[1,"g2"],"nda_bypass":true,"expires_at":"2030-01-01T00:00:00.000Z"}');
  // A Date goes as its ISO text.
  const d = await sends("exchange.authorizations.create", { email: "a@b.c", expires_at: new Date(Date.UTC(2030, 0, 1)) });
  assert.equal(d.body, '{"email":"a@b.c","expires_at":"2030-01-01T00:00:00.000Z"}');
});

test("one of an any_of group is required", async () => {
  await refuses("exchange.authorizations.create", [{ nda_bypass: true }], "request_id|email", "one of `request_id` or `email` is required");
  assert.equal((await sends("exchange.authorizations.create", { request_id: 3 })).body, '{"request_id":3}');
});

test("multipart fields in declaration order, the upload with its file name", async () => {
  const file = new Uint8Array([1, 2, 3]);
  const s = await sends("exchange.documents.create", { filename: "soc2.pdf", file, name: "SOC 2", featured: false, access_group_ids: [1, 2] });
  assert.equal(s.method, "POST");
  assert.deepEqual(s.body, [
    ["name", "SOC 2"],
    ["file", { name: "soc2.pdf", size: 3 }],
    ["featured", "false"],
    ["access_group_ids[]", "1"],
    ["access_group_ids[]", "2"],
  ]);
  // Where the API names `filename` itself, it is also sent as a field.
  const q = await sends("questionnaires.create", { domain: "a.com", email: "a@a.com", original_format: "file", file, filename: "q.xlsx" });
  assert.deepEqual(q.body, [
    ["domain", "a.com"],
    ["email", "a@a.com"],
    ["original_format", "file"],
    ["file", { name: "q.xlsx", size: 3 }],
    ["filename", "q.xlsx"],
  ]);
  // No file name given: a File keeps its own, anything else is "upload".
  const own = await sends("exchange.documents.update", 1, { file: new File(["ab"], "own.txt") });
  assert.deepEqual(own.body, [["file", { name: "own.txt", size: 2 }]]);
  const plain = await sends("exchange.documents.update", 1, { file: new Blob(["abcd"]) });
  assert.deepEqual(plain.body, [["file", { name: "upload", size: 4 }]]);
  const buffer = await sends("exchange.documents.update", 1, { file: new ArrayBuffer(5) });
  assert.deepEqual(buffer.body, [["file", { name: "upload", size: 5 }]]);
});

test("required parameters are named, null counting as missing", async () => {
  await refuses("exchange.folders.create", [], "name", "`name` is required");
  await refuses("exchange.folders.create", [{ name: null }], "name");
  await refuses("reviews.create", [{ email: "a@b.c" }], "vendor_name");
  await refuses("exchange.documents.create", [{ name: "x" }], "file");
});

test("path arguments are required and checked", async () => {
  await refuses("exchange.folders.delete", [], "id", "`id` (argument 1) is required");
  for (const bad of ["", 1.5, -1, NaN, true, "..", "."]) await refuses("exchange.folders.delete", [bad], "id");
  await refuses("exchange.folders.delete", [".."], "id", "`id` must not be `.` or `..`");
  await refuses("exchange.folders.delete", ["a\u0001"], "path", "`id`: a path argument contains a control character; pass the id of the resource");
  await refuses("exchange.folders.delete", ["é".repeat(513)], "path", "`id`: a path argument is 1026 bytes long, more than the 1024 an id can be");
  assert.equal((await sends("exchange.folders.delete", "é".repeat(512))).path, `/exchange/folders/${"%C3%A9".repeat(512)}`);
});

test("hostile ids stay one path segment", async () => {
  for (const [id, want] of [
    ["../x?y#z", "/exchange/documents/..%2Fx%3Fy%23z"],
    ["a/b", "/exchange/documents/a%2Fb"],
    ["%2e%2e", "/exchange/documents/%252e%252e"],
    ["é ", "/exchange/documents/%C3%A9%20"],
    ["!'()*~", "/exchange/documents/%21%27%28%29%2A~"],
    ["\ud800", "/exchange/documents/%EF%BF%BD"],
  ]) {
    assert.equal((await sends("exchange.documents.delete", id)).path, want);
  }
  const g = generator(SEED);
  for (let i = 0; i < 300; i++) {
    const id = text(g).replace(/[\u0000-\u001f\u007f-\u009f]/g, "") || "x";
    if (id === "." || id === "..") continue;
    const { path } = await sends("exchange.documents.delete", id);
    const segment = path.slice("/exchange/documents/".length);
    assert.ok(/^[A-Za-z0-9\-._~%]+$/.test(segment), `seed ${SEED}: ${JSON.stringify(id)} -> ${path}`);
    assert.equal(decodeURIComponent(segment), id, `seed ${SEED}`);
  }
});

test("unknown parameters are refused, with what is accepted", async () => {
  await refuses("exchange.connections.list", [{ domian: "x" }], "domian", "unknown parameter `domian` (accepted: `domain`, `page`, `per_page`)");
  // A method without params takes its options there: a param is an unknown option.
  await refuses("exchange.authorizations.revoke", ["1", { status: "gated" }], "status", "unknown option `status`: the options are `signal` and `timeoutMs` (this method's arguments are exchange.authorizations.revoke(id, options?))");
  await refuses("exchange.authorizations.revoke", ["1", {}, {}], "arguments", "takes at most 2 arguments (exchange.authorizations.revoke(id, options?))");
  await refuses("exchange.authorizationRequests.queue", [{ status: "gated" }], "status", "unknown parameter `status` (accepted: `page`, `per_page`)");
  // `filename` only where there is a file; page/per_page only on lists.
  await refuses("exchange.folders.create", [{ name: "x", filename: "f" }], "filename");
  await refuses("exchange.folders.create", [{ name: "x", page: 1 }], "page");
  // An empty name is refused like any other, with no `details` (there is no name to give).
  const empty = await refuses("exchange.connections.list", [{ "": "x" }], undefined, "unknown parameter `` (accepted: `domain`, `page`, `per_page`)");
  assert.equal(empty.details, undefined);
});

test("each kind refuses the wrong type, naming the field", async () => {
  const blob = new Blob(["x"]);
  const cases = [
    ["exchange.connections.list", [{ domain: 1 }], "domain", "`domain` must be a string, not the number 1"],
    ["exchange.connections.list", [{ page: 1.5 }], "page", "`page` must be an integer, not the number 1.5"],
    ["exchange.connections.list", [{ page: NaN }], "page", "`page` must be an integer, not NaN"],
    ["exchange.connections.list", [{ page: 0 }], "page", "`page` must be 1 or more"],
    ["exchange.connections.list", [{ per_page: 101 }], "per_page", "`per_page` must be between 1 and 100"],
    ["exchange.connections.list", [{ per_page: "10" }], "per_page", "`per_page` must be an integer, not a string"],
    ["singleQuestion.ask", [{ question: "q", confidence_threshold: Infinity }], "confidence_threshold", "`confidence_threshold` must be a finite number, not the number Infinity"],
    ["singleQuestion.ask", [{ question: "q", multiple_choice_options: ["a", 2] }], "multiple_choice_options[1]", "`multiple_choice_options[1]` must be a string, not the number 2"],
    ["singleQuestion.ask", [{ question: "q", multiple_choice_options: "a" }], "multiple_choice_options", "`multiple_choice_options` must be an array of strings, not a string"],
    ["exchange.authorizations.create", [{ email: "e", nda_bypass: "true" }], "nda_bypass", "`nda_bypass` must be true or false, not a string"],
    ["exchange.authorizations.create", [{ email: "e", expires_at: "tomorrow" }], "expires_at", '`expires_at` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not "tomorrow"'],
    ["exchange.authorizations.create", [{ email: "e", expires_at: new Date(NaN) }], "expires_at", '`expires_at` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not "Invalid Date"'],
    ["exchange.authorizations.create", [{ email: "e", access_group_ids: [1, null] }], "access_group_ids[1]", "`access_group_ids[1]` must be a non-empty string or an integer id, not nothing"],
    ["exchange.authorizations.create", [{ email: "e", access_group_ids: 1 }], "access_group_ids", "`access_group_ids` must be an array of ids, not the number 1"],
    ["exchange.authorizations.update", ["1", { status: 1 }], "status", '`status` must be a string such as "gated", "authorized", "revoked", not the number 1'],
    ["exchange.documents.update", ["1", { file: "not a file" }], "file", "`file` must be a Blob, File, Uint8Array or ArrayBuffer, not a string"],
    ["exchange.documents.update", ["1", { name: {} }], "name", "`name` must be a string, not a value of type object"],
    ["exchange.documents.update", ["1", { name: 10n }], "name", "`name` must be a string, not a value of type bigint"],
    ["exchange.documents.update", ["1", { name: blob }], "name", "`name` must be a string, not a file"],
    ["exchange.documents.update", ["1", { featured: false, name: [] }], "name", "`name` must be a string, not an array"],
  ];
  for (const [name, args, param, message] of cases) await refuses(name, args, param, message);
});

test("an array past 100,000 items is refused by its size, before it is walked", async () => {
  const many = new Array(100_001).fill(1);
  await refuses("exchange.authorizations.create", [{ email: "e", access_group_ids: many }], "access_group_ids", "`access_group_ids`: more than 100000 items");
  // A length that lies (2^32 - 1) is refused at once, not iterated.
  const huge = [];
  huge.length = 2 ** 32 - 1;
  await refuses("singleQuestion.ask", [{ question: "q", multiple_choice_options: huge }], "multiple_choice_options", "`multiple_choice_options`: more than 100000 items");
  // At the bound it is read.
  await sends("exchange.authorizations.create", { email: "e", access_group_ids: new Array(100_000).fill(1) });
});

test("enums accept strings they do not list; dates accept the ISO shapes", async () => {
  assert.equal((await sends("knowledgeBase.questions.list", { status: "archived" })).path, "/knowledge_base/questions?status=archived");
  assert.equal((await sends("interactions.list", { type: "Q & A" })).path, "/interactions?type=Q%20%26%20A");
  for (const ok of ["2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01t1", "2024-05-01 12:00", "2024-05-01T12:00:00.000+02:00"]) {
    await sends("interactions.list", { created_at_start: ok });
  }
  for (const bad of ["", "2024-5-1", "01/05/2024", "2024-05-01X", "Invalid Date", "２０２４-05-01", "2024-05-0"]) {
    await refuses("interactions.list", [{ created_at_start: bad }], "created_at_start");
  }
});

test("the refusal names the endpoint, its method and path template, and the field", async () => {
  const e = await refuses("exchange.folders.create", [], "name");
  assert.equal(e.message, "exchange.folders.create: `name` is required");
  assert.equal(e.method, "POST");
  assert.equal(e.path, "/exchange/folders");
  assert.equal(e.status, undefined);
  assert.equal(e.retryable, false);
  const d = await refuses("exchange.documents.delete", [{}], "id");
  assert.equal(d.path, "/exchange/documents/{id}", "the template, not the caller's id");
});

test("numbers print as JavaScript prints them", async () => {
  const g = generator(SEED + 1);
  const fixed = [0, -0, 0.25, 1e21, 1e-7, 0.1 + 0.2, 2 ** 53 + 2, 1e15, -1e15 - 1, 123456789.125, Number.MAX_VALUE, Number.MIN_VALUE];
  for (let i = 0; i < 200; i++) {
    const n = i < fixed.length ? fixed[i] : g.pick([() => g.next() * 10 ** g.int(30), () => -g.next(), () => g.int(2 ** 31) / 8, () => (g.next() - 0.5) * 1e-300])();
    const j = await sends("singleQuestion.ask", { question: "q", confidence_threshold: n });
    assert.equal(j.body, `{"question":"q","confidence_threshold":${String(n)}}`, `seed ${SEED}: ${n}`);
    const m = await sends("questionnaires.create", { domain: "d", email: "e", original_format: "portal", crm_amount: n });
    assert.deepEqual(m.body.at(-1), ["crm_amount", String(n)], `seed ${SEED}: ${n}`);
    if (Number.isInteger(n) && n >= 1) {
      const q = await sends("interactions.byConnection", n, { page: n });
      assert.equal(q.path, `/interactions/connections/${encodeURIComponent(n)}?page=${encodeURIComponent(n)}`, `seed ${SEED}: ${n}`);
    }
  }
});

test("whatever string a caller passes arrives intact: query, JSON and multipart", async () => {
  const g = generator(SEED + 2);
  for (let i = 0; i < 300; i++) {
    const t = text(g, 40);
    const j = await sends("exchange.authorizationRequests.ignore", "1", { reviewer_email: t });
    const parsed = JSON.parse(j.body);
    assert.deepEqual(parsed, { reviewer_email: t, status: "ignored" }, `seed ${SEED}: ${JSON.stringify(t)}`);
    const q = await sends("exchange.connections.list", { domain: t });
    const query = q.path.slice("/exchange/connections".length);
    assert.equal(query, `?domain=${encodeURIComponent(t).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`, `seed ${SEED}`);
    assert.equal(new URLSearchParams(query).get("domain"), t, `seed ${SEED}: ${JSON.stringify(t)}`);
    const m = await sends("exchange.documents.update", "1", { description: t, product_line_ids: [t || "x"] });
    assert.deepEqual(m.body, [["description", t], ["product_line_ids[]", t || "x"]], `seed ${SEED}: ${JSON.stringify(t)}`);
  }
  // A lone surrogate cannot be UTF-8: it goes as U+FFFD, as it always did.
  assert.equal(JSON.parse((await sends("exchange.authorizationRequests.ignore", "1", { reviewer_email: "a\udc00" })).body).reviewer_email, "a\ufffd");
});

/** The names `name` accepts, read from its refusal of an unknown one. */
async function acceptedNames(name, pathArgs) {
  const o = await outcome(name, ...pathArgs.map(() => "1"), { zz_unknown: 1 });
  const m = /accepted: `(.*)`\)$/.exec(o.error?.message ?? "");
  return m ? m[1].split("`, `") : [];
}

test("any call is sent, carrying only what its endpoint accepts, or refused naming one of its fields", async () => {
  const g = generator(SEED + 3);
  const fixed = { "exchange.authorizationRequests.ignore": ["status"], "exchange.authorizations.revoke": ["status"] };
  const scalar = () =>
    g.pick([
      () => undefined,
      () => null,
      () => g.next() < 0.5,
      () => g.pick([0, 1, 1.5, -1, NaN, Infinity, 101, 7, 2 ** 53]),
      () => g.pick(["", "a", "..", "2024-05-01", "x y"]),
      () => text(g, 6),
      () => g.pick([new Uint8Array(1), new Blob(["b"]), new Date(0), {}, () => 1]),
    ])();
  const value = () => (g.next() < 0.2 ? Array.from({ length: g.int(4) }, scalar) : scalar());
  const accepted = new Map();
  for (const ep of ENDPOINTS) {
    const pathArgs = ep.path.match(/\{\w+\}/g) ?? [];
    accepted.set(ep.name, { names: await acceptedNames(ep.name, pathArgs), pathArgs: pathArgs.map((p) => p.slice(1, -1)) });
  }
  for (let i = 0; i < 1500; i++) {
    const ep = g.pick(ENDPOINTS);
    const { names, pathArgs } = accepted.get(ep.name);
    const path = Array.from({ length: g.int(pathArgs.length + 1) }, () => (g.next() < 0.7 ? g.pick([1, "abc", "../x"]) : value()));
    const params = {};
    for (let k = g.int(6); k > 0 && names.length > 0; k--) params[g.pick(names)] = value();
    if (g.next() < 0.1) params[g.pick(["domian", "bogus", "page_size"])] = true;
    const args = names.length > 0 || ep.list ? [...path, ...(path.length === pathArgs.length ? [params] : [])] : path;
    const o = await outcome(ep.name, ...args);
    const what = `seed ${SEED} #${i}: ${ep.name}(${args.map((a) => String(typeof a === "object" ? JSON.stringify(a) : a)).join(", ")})`;
    if (o.sent) {
      assert.ok(!o.sent.path.includes("{"), `${what}: ${o.sent.path}`);
      assert.equal(o.sent.method, ep.method, what);
      assert.ok(o.sent.path.startsWith(ep.path.split("{")[0]), `${what}: ${o.sent.path}`);
      if (typeof o.sent.body === "string") {
        for (const key of Object.keys(JSON.parse(o.sent.body))) {
          assert.ok(names.includes(key) || fixed[ep.name]?.includes(key), `${what} sent \`${key}\``);
        }
      }
    } else {
      const e = o.error;
      assert.ok(e instanceof ConveyorValidationError, `${what}: ${e?.name}: ${e?.message}`);
      const field = e.details?.param ?? "";
      const base = field.split("[")[0];
      const named = Object.hasOwn(params, base) || pathArgs.includes(base) || names.includes(base) || field.includes("|") || ["arguments", "path", "params"].includes(field);
      assert.ok(named, `${what}: field \`${field}\` (${e.message})`);
      if (field !== "arguments" && field !== "path") assert.ok(e.message.includes(`\`${base.split("|")[0]}`), `${what}: ${e.message}`);
    }
  }
});
