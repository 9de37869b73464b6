// The namespace objects behind `client.exchange`, `client.knowledgeBase`..., the typed
// methods' checking and encoding, the `ListResult` every list method returns, `client.fetch()`
// and `client.request()` (their arguments checked by the same rules), and the whole of
// `client.checkAccess()`.
//
// The endpoint table below is generated from the Rust table (`src/resources/`, the one
// source of truth) by `src/resources/surface.rs`. A typed call is checked and encoded here,
// in JS, because that is what the platform does well (`encodeURIComponent`,
// `JSON.stringify`, `FormData`) and it keeps the checks, the messages and the table out of
// the .wasm: the client's internal `__send` gets the finished request and does the rest
// (limiter, pipeline, retries, typed errors, the list envelope). The refusals are
// `ConveyorValidationError`s built here (`invalid`), named by endpoint and field: the error
// classes are JS already, and building one from Rust cost the .wasm an export.
//
// Only `export class` / `export function` at the start of a line. It imports the errors
// module, which the build points at the package's one copy (scripts/post-build.mjs), and
// config.js beside it, whose option reader and number check `fetch()`, `request()` and
// `checkAccess()` share.

import { ConveyorValidationError } from "./errors.js";
import { get, num, typed } from "./config.js";

// BEGIN the endpoint table (generated: edit src/resources/, then run
// `UPDATE=1 cargo test -q --lib surface`)
const ENUMS = [
  ["initial", "requested", "approved", "ignored"],
  ["gated", "authorized", "revoked"],
  ["processing", "started", "ready_for_review", "approved", "completed"],
  ["verified", "unverified"],
  ["Document", "Q & A"],
  ["spreadsheet", "file", "portal"],
  ["security_questionnaire", "rfp"],
  ["public", "protected", "need_to_know", "internal"],
  ["soc2-type-2", "iso-27001", "hipaa", "gdpr", "pci"],
];
const ENDPOINTS = [
  "exchange.connections.list|GET|/exchange/connections||domain:s|q|connections",
  "exchange.authorizationRequests.list|GET|/exchange/authorization_requests||email:s status:0|q|authorization_requests",
  "exchange.authorizationRequests.get|GET|/exchange/authorization_requests/{id}|id|||",
  "exchange.authorizationRequests.ignore|PATCH|/exchange/authorization_requests/{id}|id|reviewer_email:s!|j|||status=ignored",
  "exchange.authorizationRequests.queue|GET|/exchange/authorization_request_queue|||q|authorization_requests",
  "exchange.authorizations.list|GET|/exchange/authorizations||email:s status:1|q|authorizations",
  "exchange.authorizations.create|POST|/exchange/authorizations||request_id:I email:s access_group_ids:L nda_bypass:b expires_at:d|j||request_id email",
  "exchange.authorizations.update|PATCH|/exchange/authorizations/{id}|id|status:1 access_group_ids:L|j|",
  "exchange.authorizations.revoke|PATCH|/exchange/authorizations/{id}|id||j|||status=revoked",
  "exchange.accessGroups.list|GET|/exchange/access_groups|||q|access_groups",
  "exchange.folders.list|GET|/exchange/folders|||q|^folders",
  "exchange.folders.create|POST|/exchange/folders||name:s!|j|",
  "exchange.folders.delete|DELETE|/exchange/folders/{id}|id|||-",
  "exchange.documents.list|GET|/exchange/documents|||q|^documents",
  "exchange.documents.create|POST|/exchange/documents||name:s! file:f! description:s certification:8 featured:b folder_id:I access_level:7 product_line_ids:L access_group_ids:L disable_downloads:b use_for_question_answering:b|m|",
  "exchange.documents.update|PATCH|/exchange/documents/{id}|id|name:s file:f description:s certification:8 featured:b folder_id:I access_level:7 product_line_ids:L access_group_ids:L disable_downloads:b use_for_question_answering:b|m|",
  "exchange.documents.delete|DELETE|/exchange/documents/{id}|id|||-",
  "questionnaires.list|GET|/questionnaires||status:2 product_line_ids:L created_at_start:d created_at_end:d completed_at_start:d completed_at_end:d due_at_start:d due_at_end:d|q|^questionnaires",
  "questionnaires.create|POST|/questionnaires||domain:s! email:s! original_format:5! questionnaire_type:6 due_at:d product_line_ids:L portal_url:s notes:s file:f filename:s content_type:s content_version_id:I customer_name:s crm_id:s crm_amount:n|m|",
  "knowledgeBase.questions.list|GET|/knowledge_base/questions||status:3|q|questions",
  "interactions.list|GET|/interactions||type:4 created_at_start:d created_at_end:d|q|interactions",
  "interactions.byConnection|GET|/interactions/connections/{id}|id|type:4 created_at_start:d created_at_end:d|q|interactions",
  "interactions.byDocument|GET|/interactions/documents/{id}|id|type:4 created_at_start:d created_at_end:d|q|interactions",
  "interactions.byQuestion|GET|/interactions/questions/{id}|id|type:4 created_at_start:d created_at_end:d|q|interactions",
  "productLines.list|GET|/product_lines|||q|^product_lines",
  "singleQuestion.ask|POST|/single_question||question:s! product_line_ids:L question_type:s multiple_choice_options:S confidence_threshold:n email:s|j|",
  "reviews.create|POST|/reviews||email:s! vendor_name:s! iteration_vm_id:I question_group_id:I vendor_vm_id:I|j|",
  "questionnaireRequests.create|POST|/questionnaire_requests||external_id:s source:s submitter_email:s submitter_external_id:s submitter_external_name:s case_ids:L raw_data:s file:f|m|",
];
// END the endpoint table

// The kinds of the table's params (`name:kind`, `!` when required; a digit is an enum, its
// known values in `ENUMS`), as a refusal says what the param takes.
const WHAT = {
  s: "a string",
  i: "an integer",
  n: "a finite number",
  b: "true or false",
  d: "an ISO-8601 date string or a Date",
  I: "a non-empty string or an integer id",
  L: "an array of ids",
  S: "an array of strings",
  f: "a Blob, File, Uint8Array or ArrayBuffer",
};

/** The most items read from an array the caller's code built (one of length 2^32 - 1 would
 * otherwise be walked for minutes). */
const MAX_ITEMS = 100_000;
/** What `read` throws for an array over `MAX_ITEMS`: its own words, not "reading it threw". */
const TOO_MANY = new RangeError(`more than ${MAX_ITEMS} items`);
/** What `read` throws for a value it cannot read (a Date without text, an array without a
 * length): its callers say "reading it threw" of every throw but `TOO_MANY`. */
const UNREADABLE = new TypeError("unreadable");
/** The longest path argument, in UTF-8 bytes: ids are short, and a huge one would only earn
 * a 431 from the server after spending a rate-limit token. */
const MAX_SEGMENT_LEN = 1024;

// Each endpoint's description, built from its row on first use.
const described = [];

function endpoint(index) {
  return (described[index] ??= describe(ENDPOINTS[index]));
}

function describe(row) {
  const [name, method, path, pathArgs, params, body, response, anyOf = "", fixed = ""] = row.split("|");
  const own = words(params).map((p) => {
    const [n, k] = p.split(":");
    return { name: n, kind: k.replace("!", ""), required: k.endsWith("!") };
  });
  // 0 a record, 1 nothing, 2 a flat list, 3 a HAL list (as `__send` takes it).
  const kind = response === "" ? 0 : response === "-" ? 1 : response[0] === "^" ? 3 : 2;
  const list = kind > 1;
  const sendsFilename = own.some((p) => p.name === "filename");
  // Every param accepted, in declaration order: the endpoint's own, `page` and `per_page` on
  // lists, `filename` (the upload's file name) where there is a file.
  const accepted = own.slice();
  if (list) accepted.push({ name: "page", kind: "i" }, { name: "per_page", kind: "i" });
  // What is sent, in order: `[name]` for each param given (the file name only where the API
  // names it: one added below is the upload's), then `[name, value]` for each fixed field.
  const sent = [...accepted.map((p) => [p.name]), ...words(fixed).map((f) => f.split("="))];
  if (!sendsFilename && own.some((p) => p.kind === "f")) accepted.push({ name: "filename", kind: "s" });
  const args = words(pathArgs);
  const takesParams = own.length > 0 || list;
  return {
    name,
    method,
    path,
    args,
    own,
    accepted,
    takesParams,
    body,
    kind,
    plural: response.replace("^", ""),
    anyOf: words(anyOf),
    sent,
    signature: `${name}(${[...args, ...(takesParams ? ["params?"] : []), "options?"].join(", ")})`,
  };
}

function words(s) {
  return s === "" ? [] : s.split(" ");
}

// The namespaces each client has built, so `client.exchange === client.exchange` and a typed
// call does not rebuild a tree of closures: a getter reads them here, in JS, without a call
// into the .wasm. Keyed weakly on the client object. A namespace holds its own handle on the
// client's shared state (`__handle()`, one per client), not the client object: it outlives
// the object it came from and keeps calling, and the cache keeps neither alive.
const built = new WeakMap();

/** The namespace `name` of `client` (`exchange`: every endpoint whose name starts with
 * `exchange.`). */
function namespaceOf(client, name) {
  let mine = built.get(client);
  if (mine === undefined) built.set(client, (mine = { handle: client.__handle(), spaces: {} }));
  return (mine.spaces[name] ??= buildNamespace(mine.handle, name));
}

function buildNamespace(client, name) {
  const root = {};
  for (let i = 0; i < ENDPOINTS.length; i++) {
    const ep = endpoint(i);
    const parts = ep.name.split(".");
    if (parts.shift() !== name) continue;
    const method = parts.pop() ?? "";
    let node = root;
    // `??=` reads inherited properties too: the table's names are none of `Object.prototype`'s
    // (src/resources/surface.rs asserts it), so only a node made here is found.
    for (const p of parts) node = node[p] ??= {};
    node[method] = ep.kind > 1 ? (...args) => new ListResult(client, ep, args) : (...args) => call(client, ep, args);
  }
  return deepFreeze(root);
}

function deepFreeze(o) {
  for (const v of Object.values(o)) if (typeof v === "object" && v !== null) deepFreeze(v);
  return Object.freeze(o);
}

/** A typed call: its promise, or a rejection with the first thing wrong. Never throws. */
function call(client, ep, args, page) {
  try {
    return send(client, ep, args, page);
  } catch (e) {
    // A refusal below, or what the platform's `FormData` threw.
    return Promise.reject(e);
  }
}

// An upload, and a value of any other kind, as `read` keeps them.
class Upload {
  constructor(value) {
    this.value = value;
  }
}
class Other {
  constructor(type) {
    this.type = type;
  }
}

/**
 * A refusal before anything is sent, as the client's other validation errors are: with the
 * endpoint's `method` and `path` template when a typed call's, and the `param` at fault.
 */
function invalid(message, method, path, param) {
  return new ConveyorValidationError(message, { code: "invalid_request", method, path, details: param ? { param } : undefined });
}

/** A typed call's refusal: named by its endpoint, and by the `field` at fault. */
function bad(ep, field, message) {
  return invalid(`${ep.name}: ${message}`, ep.method, ep.path, field);
}

/** `read(v)`, its throw refused naming `field`. */
function reading(ep, v, field, prefix) {
  try {
    return read(v);
  } catch (e) {
    throw bad(ep, field, `${prefix}${e === TOO_MANY ? TOO_MANY.message : "reading it threw"}`);
  }
}

/**
 * The own enumerable entries of `params` or `options` (`what`), as `Object.entries` reads
 * them; refused when it is not an object (an array, a function, a primitive; a revoked
 * Proxy counts as an array) or reading it threw.
 */
function entriesOf(ep, value, what) {
  if (typeof value !== "object" || isArray(value)) throw bad(ep, what, `\`${what}\` must be an object (${ep.signature})`);
  try {
    return Object.entries(value);
  } catch {
    throw bad(ep, what, `reading \`${what}\` threw`);
  }
}

/** The value given for `name` in `params` (`[name, value]` pairs), undefined for none or null. */
function given(params, name) {
  for (let i = 0; i < params.length; i++) {
    const at = params[i];
    if (at[0] === name) return at[1] !== null ? at[1] : undefined;
  }
  return undefined;
}

/**
 * Checks a typed call's arguments (`...pathArgs, params?, options?`) against `ep`, encodes
 * them, asking for page `page` when it is a number, and hands the request to `__send`.
 * Throws the first refusal, in this order: too many arguments, a path argument or param
 * whose reading threw, `params` or `options` not an object, an option, a path argument,
 * each param in the caller's order, the required ones, the `any_of` group.
 */
function send(client, ep, args, page) {
  const n = ep.args.length;
  const max = n + (ep.takesParams ? 2 : 1);
  if (args.length > max) throw bad(ep, "arguments", `takes at most ${max} argument${max === 1 ? "" : "s"} (${ep.signature})`);
  const ids = [];
  for (let i = 0; i < n; i++) ids.push(reading(ep, args[i], ep.args[i], ""));

  // The params object's own enumerable entries, in its order.
  const params = [];
  const raw = ep.takesParams ? args[n] : undefined;
  if (raw !== undefined && raw !== null) {
    for (const [rawKey, v] of entriesOf(ep, raw, "params")) {
      const key = wellFormed(rawKey);
      params.push([key, reading(ep, v, key, `\`${key}\`: `)]);
    }
  }
  // The next page of a list: the caller's params as they are now, with `page` replaced (in
  // place: the page asked for is valid, so its position cannot change the first refusal).
  if (typeof page === "number") {
    const at = params.find(([k]) => k === "page");
    if (at) at[1] = page;
    else params.push(["page", page]);
  }

  // The call's options, by the rules `fetch()` and `request()` use; an unknown option is
  // refused, since a typed method takes nothing else.
  let signal, timeoutMs;
  const options = args[max - 1];
  if (options !== undefined && options !== null) {
    for (const [rawKey, v] of entriesOf(ep, options, "options")) {
      if (v === undefined || v === null) continue;
      const key = wellFormed(rawKey);
      if (key === "signal") {
        if (!isSignal(v)) throw bad(ep, key, NOT_A_SIGNAL);
        signal = v;
      } else if (key === "timeoutMs") {
        if (!isTimeout(v)) throw bad(ep, key, NOT_A_TIMEOUT);
        timeoutMs = v;
      } else {
        const hint = lookup(ep, key) || !ep.takesParams ? ` (this method's arguments are ${ep.signature})` : "";
        throw bad(ep, key, `unknown option \`${key}\`: the options are \`signal\` and \`timeoutMs\`${hint}`);
      }
    }
  }

  // Path arguments: each a record id, one path segment whatever its text (encoded, so no
  // `$` pattern reaches `replace`).
  let path = ep.path;
  for (let i = 0; i < n; i++) {
    const name = ep.args[i];
    const v = ids[i];
    if (v === null) throw bad(ep, name, `\`${name}\` (argument ${i + 1}) is required`);
    if (!isId(v)) throw bad(ep, name, wrong(name, "I", v));
    const id = String(v);
    if (id === "." || id === "..") throw bad(ep, name, `\`${name}\` must not be \`.\` or \`..\``);
    const problem = segmentProblem(id);
    if (problem) throw bad(ep, "path", `\`${name}\`: ${problem}`);
    path = path.replace(`{${name}}`, encode(id));
  }

  // Check: unknown names and each value, in the caller's order; then the required ones.
  let filename;
  for (const [name, v] of params) {
    const param = lookup(ep, name);
    if (!param) {
      const names = ep.accepted.map((p) => p.name);
      throw bad(ep, name, names.length === 0 ? `unknown parameter \`${name}\`: this method takes no parameters` : `unknown parameter \`${name}\` (accepted: \`${names.join("`, `")}\`)`);
    }
    check(ep, param, v);
    if (name === "filename" && typeof v === "string") filename = v;
  }
  for (const p of ep.own) if (p.required && given(params, p.name) === undefined) throw bad(ep, p.name, `\`${p.name}\` is required`);
  if (ep.anyOf.length > 0 && ep.anyOf.every((name) => given(params, name) === undefined)) throw bad(ep, ep.anyOf.join("|"), `one of \`${ep.anyOf.join("` or `")}\` is required`);

  // Encode in declaration order, whatever the order of the caller's object, then the fixed
  // fields. The file name goes with the upload, and as its own field only where the API
  // names it. A text field or a query pair: an endpoint with params and no JSON body sends
  // them in its query or as multipart (the table's tests hold that).
  const isJson = ep.body === "j";
  const form = ep.body === "m" ? new FormData() : undefined;
  let query = "";
  let json = "";
  for (const [name, fixed] of ep.sent) {
    const v = fixed ?? given(params, name);
    if (v === undefined) continue;
    if (isJson) {
      json += `${json === "" ? "" : ","}${jsonString(name)}:${jsonValue(v)}`;
    } else if (v instanceof Upload) {
      if (form) {
        // Sent with `filename` (an `ArrayBuffer` or view in a `Blob`), or as it is without
        // one (a `File` keeping its own name).
        const file = v.value;
        const as = filename ?? (named(file) ? undefined : "upload");
        if (as === undefined) form.append(name, file);
        else form.append(name, file instanceof Blob ? file : new Blob([file]), as);
      }
    } else {
      const items = Array.isArray(v) ? v : [v];
      const field = items === v ? `${name}[]` : name;
      for (const item of items) {
        if (form) form.append(field, String(item));
        else query += `${query === "" ? "?" : "&"}${encode(field)}=${encode(String(item))}`;
      }
    }
  }
  return client.__send(ep.method, path + query, isJson ? `{${json}}` : form, isJson, signal, timeoutMs, ep.kind, ep.plural);
}

/** The param `name` as `ep` accepts it, or undefined. */
function lookup(ep, name) {
  return ep.accepted.find((p) => p.name === name);
}

/**
 * One argument as the checks see it: a number, boolean or string (lone surrogates replaced,
 * as they would be on their way to the server), null for `undefined`/`null`, an array of
 * such values (read through its iterator), a `Date` as its ISO text, an `Upload` (`Blob`,
 * `File`, `ArrayBuffer` or a view), or an `Other` named by its type. Throws when reading it
 * threw (a getter, a trap, an iterator, more than `MAX_ITEMS` items).
 */
function read(v) {
  switch (typeof v) {
    case "number":
    case "boolean":
      return v;
    case "string":
      return wellFormed(v);
  }
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return arrayItems(v).map(read);
  if (isA(v, Date)) {
    // Its own methods, which may be overridden: "Invalid Date" when `getTime()` gives no
    // number (or NaN), else its ISO text.
    const time = v.getTime();
    if (typeof time !== "number" || Number.isNaN(time)) return "Invalid Date";
    const iso = v.toISOString();
    if (typeof iso !== "string") throw UNREADABLE;
    return wellFormed(iso);
  }
  if (isA(v, globalThis.Blob) || isA(v, ArrayBuffer) || ArrayBuffer.isView(v)) return new Upload(v);
  return new Other(typeof v);
}

/** The items of the array `v`, read through its iterator; throws when reading them threw, or
 * `TOO_MANY`. */
function arrayItems(v) {
  const length = v.length;
  if (typeof length !== "number") throw UNREADABLE;
  if (length > MAX_ITEMS) throw TOO_MANY;
  const items = Array.from(v);
  if (items.length > MAX_ITEMS) throw TOO_MANY;
  return items;
}

/** `Array.isArray(v)`, true when the test threw (a revoked Proxy counts as an array). */
function isArray(v) {
  try {
    return Array.isArray(v);
  } catch {
    return true;
  }
}

/** `v instanceof C`, false when `C` is missing or the test threw (a Proxy's trap). */
function isA(v, C) {
  try {
    return typeof C === "function" && v instanceof C;
  } catch {
    return false;
  }
}

function isSignal(v) {
  try {
    // Its state must be readable: the pipeline reads both.
    return isA(v, globalThis.AbortSignal) && (Reflect.get(v, "aborted"), Reflect.get(v, "reason"), true);
  } catch {
    return false;
  }
}

/** A call's `timeoutMs`: the constructor's rule, a number of ms a JS timer can wait. */
function isTimeout(v) {
  return typeof v === "number" && v >= 1 && v <= 2147483647;
}

const NOT_A_SIGNAL = "`signal` must be an AbortSignal";
const NOT_A_TIMEOUT = "`timeoutMs` must be a number of ms from 1 to 2147483647 (2^31 - 1)";

/** A `File` keeps its own name: a `Blob` with a string `name`. */
function named(value) {
  try {
    return typeof value.name === "string" && isA(value, globalThis.Blob);
  } catch {
    return false;
  }
}

/** `s` with lone surrogates replaced by U+FFFD, as UTF-8 encoding them would. */
function wellFormed(s) {
  // The test first: most strings have no surrogate at all.
  return !/[\ud800-\udfff]/.test(s) ? s : s.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g, (m) => (m.length === 2 ? m : "\ufffd"));
}

/** A record id: a non-empty string or a non-negative integer. */
function isId(v) {
  return typeof v === "string" ? v !== "" : Number.isInteger(v) && v >= 0;
}

/** Whether `v` (given, not null) has the type `kind` takes; a list's items, a date's shape
 * and the paging bounds are `check`'s. */
function fits(kind, v) {
  const test = FITS[kind];
  return test ? test(v) : typeof v === "string";
}

/** The test of each kind that is not a string (`s`, `d`, an enum). */
const FITS = {
  i: Number.isInteger,
  n: Number.isFinite,
  b: (v) => typeof v === "boolean",
  I: isId,
  L: Array.isArray,
  S: Array.isArray,
  f: (v) => v instanceof Upload,
};

/** "`field` must be <what `kind` takes>, not <what the caller passed>". */
function wrong(field, kind, v) {
  const what = WHAT[kind] ?? `a string such as "${ENUMS[kind].join('", "')}"`;
  let passed;
  if (v === null) passed = "nothing";
  else if (typeof v === "boolean") passed = `the boolean ${v}`;
  else if (typeof v === "number") passed = Number.isNaN(v) ? "NaN" : `the number ${v}`;
  else if (typeof v === "string") passed = v === "" ? "an empty string" : "a string";
  else if (Array.isArray(v)) passed = "an array";
  else if (v instanceof Upload) passed = "a file";
  else passed = `a value of type ${v.type}`;
  return `\`${field}\` must be ${what}, not ${passed}`;
}

/** Throws `bad(ep, field, message)` when `v` does not fit `param`. */
function check(ep, param, v) {
  const { name, kind } = param;
  if (v === null) return;
  if (!fits(kind, v)) throw bad(ep, name, wrong(name, kind, v));
  if (Array.isArray(v)) {
    const itemKind = kind === "L" ? "I" : "s";
    for (let i = 0; i < v.length; i++) {
      if (!fits(itemKind, v[i])) throw bad(ep, `${name}[${i}]`, wrong(`${name}[${i}]`, itemKind, v[i]));
    }
  } else if (kind === "d" && !/^\d{4}-\d{2}-\d{2}(?:[Tt ]|$)/.test(v)) {
    // The shape every ISO-8601 date the API takes starts with; the server judges the rest.
    throw bad(ep, name, `\`${name}\` must be an ISO-8601 date (e.g. 2024-05-01 or 2024-05-01T12:00:00Z) or a valid Date, not "${v}"`);
  } else if (name === "page" && v < 1) {
    throw bad(ep, name, "`page` must be 1 or more");
  } else if (name === "per_page" && !(v >= 1 && v <= 100)) {
    throw bad(ep, name, "`per_page` must be between 1 and 100");
  }
}

/** Why `id` cannot be a path segment, or undefined (empty, `.` and `..` are refused before). */
function segmentProblem(id) {
  if (id.length * 3 > MAX_SEGMENT_LEN) {
    const bytes = utf8Length(id);
    if (bytes > MAX_SEGMENT_LEN) return `a path argument is ${bytes} bytes long, more than the ${MAX_SEGMENT_LEN} an id can be`;
  }
  if (/[\0-\x1f\x7f-\x9f]/.test(id)) return "a path argument contains a control character; pass the id of the resource";
}

/** The length of `s` in UTF-8 bytes, a lone surrogate counted as the U+FFFD it is sent as. */
function utf8Length(s) {
  return new TextEncoder().encode(s).length;
}

/**
 * `raw` percent-encoded: everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _
 * ~`), each UTF-8 byte as `%XX`, so no character with a meaning anywhere in a URL survives
 * (a space is `%20`, `&`, `=`, `#`, `+` cannot split a query, `/` and `..` cannot change the
 * route). `encodeURIComponent` also leaves `! ' ( ) *`, encoded here after it.
 */
function encode(raw) {
  // Most ids, names and numbers are unreserved characters already, which both leave as they
  // are: tested first, it spares them the encoding and the scan for what it leaves.
  return UNRESERVED.test(raw) ? raw : encodeURIComponent(raw).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Only RFC 3986's unreserved characters (`\w` is `A-Z a-z 0-9 _`). */
const UNRESERVED = /^[\w.~-]*$/;

/** A JSON string literal: `JSON.stringify`'s, with `\b`, `\f`, U+2028 and U+2029 as `\u` escapes
 * (the text stays valid JavaScript too, and the bodies are those the client always sent). */
function jsonString(s) {
  return JSON.stringify(s).replace(/\\(.)|[\u2028\u2029]/g, (m, c) => (c === "b" ? "\\u0008" : c === "f" ? "\\u000c" : c === undefined ? `\\u${m.charCodeAt(0).toString(16)}` : m));
}

/** A checked value as JSON; ids keep numbers as numbers. */
function jsonValue(v) {
  if (typeof v === "string") return jsonString(v);
  if (Array.isArray(v)) return `[${v.map(jsonValue).join(",")}]`;
  return typeof v === "number" || typeof v === "boolean" ? String(v) : "null";
}

/**
 * The result of a list method: awaitable for the first page, async-iterable over every
 * record across pages, with `.pages()` and `.toArray({ limit })`.
 *
 * Nothing is sent until it is awaited or iterated. Pages are fetched one at a time, only
 * when the loop needs the next record, and each goes through the client's pipeline (rate
 * limiter, retries, the call's `signal`/`timeoutMs`). Paging starts at the `page` given in
 * the params (default 1) and stops after `total_pages`, on an empty page, or, when the
 * server sends no `total_pages`, on a page shorter than `per_page`.
 */
export class ListResult {
  #client;
  #endpoint;
  #args;
  #first;

  constructor(client, endpoint, args) {
    this.#client = client;
    this.#endpoint = endpoint;
    this.#args = args;
  }

  // A paging parameter as the caller gave it, or undefined. The params are the caller's
  // object: a getter that throws is caught here, and the call itself (which reads them
  // again, as safely) rejects with a ConveyorValidationError naming it.
  #param(name) {
    const p = this.#args[this.#endpoint.args.length];
    try {
      return p !== null && typeof p === "object" ? p[name] : undefined;
    } catch {
      return undefined;
    }
  }

  #firstPage() {
    return (this.#first ??= call(this.#client, this.#endpoint, this.#args));
  }

  /** Resolves with the first page: the response object as sent, plus a non-enumerable `items`. */
  then(onFulfilled, onRejected) {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  catch(onRejected) {
    return this.#firstPage().catch(onRejected);
  }

  finally(onFinally) {
    return this.#firstPage().finally(onFinally);
  }

  /** Every page in turn, fetched lazily; breaking out stops fetching. */
  async *pages() {
    const start = this.#param("page");
    let number = Number.isInteger(start) ? start : 1;
    let page = await this.#firstPage();
    for (;;) {
      yield page;
      if (!hasNextPage(page, number, this.#param("per_page"))) return;
      number += 1;
      // The caller's own params with `page` replaced.
      page = await call(this.#client, this.#endpoint, this.#args, number);
    }
  }

  /** Every record across pages; breaking out stops fetching. */
  async *[Symbol.asyncIterator]() {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Collects records across pages, at most `limit` of them (fetching no page beyond it). */
  async toArray(options) {
    let limit; // stays undefined, and is refused, when reading it threw
    try {
      limit = options?.limit ?? Infinity;
    } catch {}
    if (typeof limit !== "number" || !(limit >= 0)) {
      throw invalid("toArray: `limit` must be a non-negative number");
    }
    const out = [];
    if (limit === 0) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }

  get [Symbol.toStringTag]() {
    return "ListResult";
  }
}

/**
 * Adds the non-enumerable `items` to a list page: the array under `plural`, or under
 * `_embedded.plural` (the HAL envelope, tried first when `hal`). False when neither is an
 * array. Never throws: a throwing getter or trap counts as no array, and a page that cannot
 * take the property (frozen) is kept as it is.
 */
export function withItems(page, plural, hal) {
  if (page === null || typeof page !== "object") return false;
  const items = hal ? (embeddedList(page, plural) ?? ownList(page, plural)) : (ownList(page, plural) ?? embeddedList(page, plural));
  if (items === undefined) return false;
  try {
    Reflect.defineProperty(page, "items", { value: items, configurable: true });
  } catch {
    // A Proxy page whose trap throws keeps its records where they are.
  }
  return true;
}

function ownList(page, plural) {
  try {
    const v = page[plural];
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function embeddedList(page, plural) {
  try {
    const e = page._embedded;
    const v = e !== null && typeof e === "object" ? e[plural] : undefined;
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function hasNextPage(page, number, requestedPerPage) {
  const items = page.items;
  if (!Array.isArray(items) || items.length === 0) return false;
  const total = page.total_pages;
  if (typeof total === "number") return number < total;
  const perPage = typeof page.per_page === "number" ? page.per_page : requestedPerPage;
  return typeof perPage === "number" && items.length >= perPage;
}

// `client.fetch(path, init)` and `client.request(method, path, options)`: plain JS methods of
// `ConveyorClient` (the build installs them on its prototype with `installCalls`), whose
// arguments are read and checked here, as a typed call's are, and sent by the same `__send`.
// Reading a caller's object from Rust cost a crossing and a string copy per option, and a
// second copy of the rules the typed calls check here. What stays Rust is what must: the
// path resolved against the base URL (the key never goes to another origin), the key put in
// the headers, then the limiter and the pipeline.
//
// Every refusal is a `ConveyorValidationError`, the first one met, in the order the client
// has always checked: the arguments, the method, the query, the body against the method,
// then the path (Rust's), then the JSON body, the headers, the signal and the timeout. The
// refusals that come after the path's are found here but handed to `__send` in place of the
// call's own headers, as the message string, and Rust refuses the path first. The checks
// throw their message; `refuse` makes it the error.

/** The longest `path` argument, in UTF-8 bytes (Rust bounds the path with its query alike). */
const MAX_PATH_LEN = 8192;
/** What `__send` resolves a `fetch()` with: the `Response`, its body unread. */
const RESPONSE = 4;
/** `request()`'s options: anything else is a misspelling, refused rather than ignored. */
const REQUEST_OPTIONS = ["query", "body", "headers", "signal", "timeoutMs"];
const NOT_A_METHOD = "`method` must be an HTTP method such as GET or POST (a token of letters, digits and !#$%&'*+-.^_`|~)";

// Methods, so each is named and sized as wasm-bindgen's were (`fetch.length === 2`).
const CALLS = {
  /**
   * Sends an authenticated request; resolves with the `Response` (body unread).
   * @this {any}
   */
  fetch(path, init) {
    try {
      checkPath(path);
      checkObject(init, "init");
      const m = typed(init, "method", "string");
      const method = m === undefined ? "GET" : checkedMethod(m);
      const body = get(init, "body");
      if (body !== undefined && !isRawBody(body)) {
        throw "`body` must be a string, FormData, Blob, ArrayBuffer, typed array or URLSearchParams (request() sends objects as JSON)";
      }
      checkBodyAllowed(method, body);
      const [, , own, signal, timeoutMs] = afterPath(init, undefined);
      return this.__send(method, path, body, false, signal, timeoutMs, RESPONSE, "", own);
    } catch (e) {
      return refuse(e);
    }
  },

  /**
   * Sends `method` to `path` with `{ query, body, headers, signal, timeoutMs }`; resolves with
   * the parsed JSON.
   * @this {any}
   */
  request(method, path, options) {
    try {
      if (typeof method !== "string") throw "`method` must be a string";
      checkPath(path);
      checkObject(options, "options");
      if (options !== undefined && options !== null) {
        let keys;
        try {
          keys = Object.keys(options);
        } catch {
          throw "reading `options` threw";
        }
        for (const key of keys) {
          if (!REQUEST_OPTIONS.includes(key)) {
            throw `unknown option \`${[...wellFormed(key)].slice(0, 64).join("")}\`: request() takes \`query\`, \`body\`, \`headers\`, \`signal\` and \`timeoutMs\``;
          }
        }
      }
      const upper = checkedMethod(method);
      const query = get(options, "query");
      const pathAndQuery = query === undefined ? path : path + encodeQuery(query);
      const raw = get(options, "body");
      checkBodyAllowed(upper, raw);
      const [body, json, own, signal, timeoutMs] = afterPath(options, raw);
      return this.__send(upper, pathAndQuery, body, json, signal, timeoutMs, 0, "", own);
    } catch (e) {
      return refuse(e);
    }
  },
};

/**
 * Puts `fetch` and `request` on `Client.prototype`, as the class's own methods would be, and
 * a getter for each namespace of the table (`exchange`, `knowledgeBase`...), as the class's
 * own getters would be.
 */
export function installCalls(Client) {
  const proto = Client.prototype;
  for (const [name, value] of Object.entries(CALLS)) Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  for (const row of ENDPOINTS) {
    const name = row.slice(0, row.indexOf("."));
    if (!Object.hasOwn(proto, name)) {
      Object.defineProperty(proto, name, {
        get() {
          return namespaceOf(this, name);
        },
        configurable: true,
      });
    }
  }
}

/** A rejection with `e`: a check's message as the client's validation error. */
function refuse(e) {
  return Promise.reject(typeof e === "string" ? invalid(e) : e);
}

function checkPath(path) {
  if (typeof path !== "string") throw "`path` must be a string";
  // A UTF-16 unit is at most 3 bytes: only a long path is measured.
  const bytes = path.length * 3 > MAX_PATH_LEN ? utf8Length(path) : 0;
  if (bytes > MAX_PATH_LEN) throw `\`path\` is ${bytes} bytes long, more than the ${MAX_PATH_LEN} allowed`;
}

/** `init`/`options` may be left out, but when given must be an object. */
function checkObject(v, name) {
  if (v !== undefined && v !== null && typeof v !== "object") throw `\`${name}\` must be an object`;
}

/** The method upper-cased; the refusal never repeats it (it may be huge or carry header lines).
 * CONNECT, TRACE and TRACK are refused: `fetch` forbids them, and the API has no use for them. */
function checkedMethod(m) {
  if (m.length > 32 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(m)) throw NOT_A_METHOD;
  const upper = m.toUpperCase();
  if (upper === "CONNECT" || upper === "TRACE" || upper === "TRACK") throw `\`method\` ${upper} is not allowed`;
  return upper;
}

/** `fetch` refuses a body on GET and HEAD: refused here, before a token is spent. */
function checkBodyAllowed(method, body) {
  if (body !== undefined && (method === "GET" || method === "HEAD")) throw `a ${method} request cannot have a body`;
}

/** Bodies `fetch` takes as they are; `request()` sends anything else as JSON. */
function isRawBody(b) {
  return (
    typeof b === "string" ||
    isA(b, globalThis.FormData) ||
    isA(b, globalThis.Blob) ||
    isA(b, ArrayBuffer) ||
    ArrayBuffer.isView(b) ||
    isA(b, globalThis.URLSearchParams)
  );
}

/**
 * `{ a: 1, ids: [1, 2] }` as `?a=1&ids%5B%5D=1&ids%5B%5D=2` (`""` for no pair): arrays
 * repeated as `name[]`, as the typed methods send them; `undefined` and `null` values left
 * out, as callers expect of optional parameters. Encoded as the typed calls' queries are.
 */
function encodeQuery(q) {
  // An array would be sent as `?0=a&1=b`: refused, as the typed methods refuse it.
  if (typeof q !== "object" || isArray(q)) throw "`query` must be an object of parameters";
  let entries;
  try {
    entries = Object.entries(q);
  } catch {
    throw "reading `query` threw";
  }
  const pairs = [];
  for (const [rawKey, v] of entries) {
    if (v === undefined || v === null) continue;
    const key = wellFormed(rawKey);
    const bad = `query parameter \`${key}\` must be a string, number or boolean, or an array of them`;
    let items;
    try {
      items = Array.isArray(v) ? arrayItems(v) : undefined;
    } catch {
      throw bad;
    }
    const name = items && !key.endsWith("[]") ? `${key}[]` : key;
    for (const item of items ?? [v]) {
      const text = typeof item === "string" ? wellFormed(item) : typeof item === "boolean" || Number.isFinite(item) ? String(item) : undefined;
      if (text === undefined) throw bad;
      pairs.push(`${encode(name)}=${encode(text)}`);
    }
  }
  return pairs.length === 0 ? "" : `?${pairs.join("&")}`;
}

/**
 * What is checked after the path: a body that is not raw as JSON text (`request()`), the
 * call's `headers` as a `Headers` with `Accept` unless given and the JSON content type (Rust
 * adds the key), `signal` and `timeoutMs`: `[body, json, headers, signal, timeoutMs]`, or
 * `[body, json, refusal]`, the first refusal's message in place of the headers (the rest
 * then unread).
 */
function afterPath(obj, body) {
  let json = false;
  try {
    if (body !== undefined && !isRawBody(body)) {
      let text;
      try {
        text = JSON.stringify(body);
      } catch {}
      // `undefined` for a Symbol, a function or a `toJSON` that returns nothing: sending no
      // body for those would be a silent lie.
      if (typeof text !== "string") throw "`body` cannot be serialised as JSON";
      body = text;
      json = true;
    }
    const h = get(obj, "headers");
    let headers;
    if (h !== undefined) {
      try {
        headers = new Headers(h);
        if (!headers.has("accept")) headers.set("Accept", "application/json");
        if (json) headers.set("Content-Type", "application/json");
      } catch {
        throw "`headers` is not a valid HeadersInit";
      }
    }
    const signal = get(obj, "signal");
    if (signal !== undefined && !isSignal(signal)) throw NOT_A_SIGNAL;
    const timeoutMs = get(obj, "timeoutMs");
    if (timeoutMs !== undefined && !isTimeout(timeoutMs)) throw NOT_A_TIMEOUT;
    return [body, json, headers, signal, timeoutMs];
  } catch (refusal) {
    return [body, json, refusal];
  }
}

// `client.checkAccess()`, whole: the API answers an invalid key, an inactive key and a key
// missing one permission alike, 403 with an empty body. One 403 cannot tell them apart, but
// the pattern across every resource group can: a key refused everything is invalid or
// inactive (no active key is created without any permission), a key refused some groups
// but not others lacks those permissions. Each probe is the group's cheapest read, an
// ordinary `client.fetch` (limiter, retries, typed errors), never a write. All of it is JS:
// the verdict is a pure function of ten answers, and the table, the option checks, the
// verdict and its messages cost the .wasm about three times their bytes here; the Rust
// method only hands over the client (src/access_shell.rs).

/** Every resource group, `[resource, path]`, in the order the API documents its areas; each
 * path a list endpoint of the table above (the package's tests hold that). */
const GROUPS = [
  ["access_requests", "/exchange/authorization_requests"],
  ["authorizations", "/exchange/authorizations"],
  ["access_groups", "/exchange/access_groups"],
  ["folders", "/exchange/folders"],
  ["documents", "/exchange/documents"],
  ["connections", "/exchange/connections"],
  ["questionnaires", "/questionnaires"],
  ["knowledge_base", "/knowledge_base/questions"],
  ["interactions", "/interactions"],
  ["product_lines", "/product_lines"],
];

/** How many probes may be in flight at once: enough to finish in a few round trips, few
 * enough not to crowd out the caller's own requests behind the limiter. */
const MAX_PARALLEL = 4;

/**
 * Probes every group and resolves with one entry per group, `{ resource, path, read, status,
 * error? }`, plus `verdict` and `message` on the array. Rejects, never throws: with a
 * `ConveyorValidationError` for bad options (nothing sent), or with the first abort, after
 * which no probe starts. A 403 or any other failure is an entry, not a rejection.
 */
export async function checkAccess(client, options) {
  // An option as config.js's `get` reads it (inherited ones too), absent when undefined or
  // null; each refusal is thrown as its message, as `fetch()`'s are, and made the error
  // below. `timeoutMs` is checked as the constructor's is, in the same words.
  const init = {};
  try {
    if (options !== undefined && options !== null && typeof options !== "object") throw "the options must be an object";
    const signal = get(options, "signal");
    if (signal !== undefined) {
      if (!isA(signal, globalThis.AbortSignal)) throw NOT_A_SIGNAL;
      init.signal = signal;
    }
    const timeoutMs = num(options, "timeoutMs", 1, false, 2147483647);
    if (timeoutMs !== undefined) init.timeoutMs = timeoutMs;
  } catch (e) {
    // A check's refusal is named as checkAccess's; a getter's throw ("reading `signal`
    // threw", config.js's `get`) names the option only.
    return refuse(e.startsWith("reading ") ? e : "checkAccess: " + e);
  }

  const entries = [];
  let next = 0;
  let aborted;
  // Each worker probes the next group until none is left or a probe was aborted.
  const worker = async () => {
    while (next < GROUPS.length && !aborted) {
      const i = next++;
      const [resource, path] = GROUPS[i];
      try {
        // The first page of one record: the least the API can send.
        const res = await client.fetch(`${path}?page=1&per_page=1`, init);
        await res.arrayBuffer().catch(() => undefined); // frees the connection
        entries[i] = { resource, path, read: "ok", status: res.status };
      } catch (e) {
        if (e?.code === "aborted") aborted ??= e;
        else {
          const status = typeof e?.status === "number" ? e.status : null;
          entries[i] = e?.code === "forbidden" ? { resource, path, read: "forbidden", status } : { resource, path, read: "error", status, error: e };
        }
      }
    }
  };
  await Promise.all(Array.from({ length: MAX_PARALLEL }, worker));
  if (aborted) throw aborted;

  // The verdict over the pattern; every message names the groups concerned, never the key.
  const named = (read) => entries.filter((e) => e.read === read).map((e) => e.resource);
  const forbidden = named("forbidden");
  const unchecked = named("error");
  const readable = entries.length - forbidden.length - unchecked.length;
  const [verdict, message] =
    readable === entries.length
      ? ["ok", "the key is valid and can read every resource"]
      : forbidden.length === entries.length
        ? ["invalid_key", "the key is invalid or inactive: every resource answered 403. Check it in Conveyor (Settings > Integrations > Conveyor API)"]
        : readable > 0 && forbidden.length > 0
          ? ["missing_permissions", `the key lacks these permissions: ${forbidden.join(", ")} (403); the others are readable${unchecked.length > 0 ? `; not checked: ${unchecked.join(", ")}` : ""}`]
          : [
              "incomplete",
              `some resources could not be checked (${unchecked.join(", ")}): try again${readable === 0 && forbidden.length > 0 ? "; every other resource answered 403, so the key is most likely invalid or inactive" : ""}`,
            ];
  return Object.assign(entries, { verdict, message });
}
