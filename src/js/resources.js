// The namespace objects behind `client.exchange`, `client.knowledgeBase`..., the
// `ListResult` every list method returns, and the probe loop of `client.checkAccess()`.
//
// Nothing here knows an endpoint: Rust passes the endpoint table (`src/resources/`) and
// every method calls back into the client's internal `__call(index, args)`, which validates
// the arguments, sends the request through the pipeline (limiter, retries, typed errors)
// and, for lists, checks the envelope and adds the non-enumerable `items` array to the page.
//
// Only `export class` / `export function` at the start of a line, and no imports: the
// build rewrites this file to CommonJS for the Node `require` entry.

// The namespaces already built, so `client.exchange === client.exchange` and a typed call
// does not rebuild a tree of closures. Keyed on `"<namespace>@<client id>"` (the id names
// the client's shared state and is not reused while a namespace of it is alive, since the
// namespace holds that state), holding each namespace only weakly: the namespace holds the
// client, so a strong cache here or in Rust would keep every client alive forever. A
// namespace nobody holds may be collected and built again; nobody can tell it is another.
const namespaces = typeof WeakRef === "function" ? new Map() : undefined;
const forget =
  namespaces && typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry((key) => {
        if (namespaces.get(key)?.deref() === undefined) namespaces.delete(key);
      })
    : undefined;

/** The namespace `name` cached for the client `clientId`, or undefined. */
export function cachedNamespace(name, clientId) {
  return namespaces?.get(`${name}@${clientId}`)?.deref();
}

/**
 * Builds one namespace object from `table`, a list of
 * `[index, name, isList, pathArgCount]` rows (`index`: the endpoint's place in the table) whose names all start with the same
 * first segment (`exchange.folders.list`, `exchange.folders.create`...), and caches it.
 */
export function makeNamespace(client, table, name, clientId) {
  const ns = buildNamespace(client, table);
  if (namespaces) {
    const key = `${name}@${clientId}`;
    namespaces.set(key, new WeakRef(ns));
    forget?.register(ns, key);
  }
  return ns;
}

function buildNamespace(client, table) {
  const root = {};
  for (const [index, name, isList, pathArgs] of table) {
    const parts = name.split(".").slice(1);
    const method = parts.pop();
    let node = root;
    for (const p of parts) {
      if (!Object.prototype.hasOwnProperty.call(node, p)) node[p] = {};
      node = node[p];
    }
    node[method] = isList
      ? (...args) => new ListResult(client, index, pathArgs, args)
      : (...args) => client.__call(index, args);
  }
  return deepFreeze(root);
}

function deepFreeze(o) {
  for (const v of Object.values(o)) if (typeof v === "object" && v !== null) deepFreeze(v);
  return Object.freeze(o);
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
  #index;
  #pathArgs;
  #args;
  #first;

  constructor(client, index, pathArgs, args) {
    this.#client = client;
    this.#index = index;
    this.#pathArgs = pathArgs;
    this.#args = args;
  }

  // A paging parameter as the caller gave it, or undefined. The params are the caller's
  // object: a getter that throws is caught here, and the call itself (which reads them
  // again in Rust) rejects with a ConveyorValidationError naming it.
  #param(name) {
    const p = this.#args[this.#pathArgs];
    try {
      return p !== null && typeof p === "object" ? p[name] : undefined;
    } catch {
      return undefined;
    }
  }

  // The call's own params with `page` replaced (by Rust, which reads the params safely).
  #fetch(page) {
    return this.#client.__call(this.#index, this.#args, page);
  }

  #firstPage() {
    if (this.#first === undefined) this.#first = this.#fetch(undefined);
    return this.#first;
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
      page = await this.#fetch(number);
    }
  }

  /** Every record across pages; breaking out stops fetching. */
  async *[Symbol.asyncIterator]() {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Collects records across pages, at most `limit` of them (fetching no page beyond it). */
  async toArray(options) {
    let limit;
    try {
      limit = options?.limit ?? Infinity;
    } catch {
      limit = undefined;
    }
    if (typeof limit !== "number" || Number.isNaN(limit) || limit < 0) {
      throw this.#client.__invalid("toArray: `limit` must be a non-negative number");
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
 * A typed method's params object as `[key, value, ...]`: its own enumerable entries, as
 * `Object.entries` reads them. 0 when it is not an object (an array, a function, a
 * primitive; a revoked Proxy counts as an array), 1 when reading it threw. Never throws.
 */
export function paramEntries(params) {
  if (params === null || typeof params !== "object") return 0;
  try {
    if (Array.isArray(params)) return 0;
  } catch {
    return 0;
  }
  try {
    const entries = Object.entries(params);
    const out = new Array(entries.length * 2);
    for (let i = 0; i < entries.length; i++) {
      out[2 * i] = entries[i][0];
      out[2 * i + 1] = entries[i][1];
    }
    return out;
  } catch {
    return 1;
  }
}

/**
 * The multipart body of a typed call from `fields`, `[name, value, filename, ...]` as Rust
 * decided them: a string value is a text field; any other an upload, sent with `filename`
 * (an `ArrayBuffer` or view in a `Blob`), or as it is when `filename` is undefined (a `File`
 * keeping its own name). Throws what the platform throws (the binding catches it).
 */
export function formData(fields) {
  const form = new FormData();
  for (let i = 0; i < fields.length; i += 3) {
    const name = fields[i], value = fields[i + 1], filename = fields[i + 2];
    if (typeof value === "string" || filename === undefined) form.append(name, value);
    else form.append(name, value instanceof Blob ? value : new Blob([value]), filename);
  }
  return form;
}

/**
 * A `Date` argument as the text a typed call sends: its ISO string, or "Invalid Date" when
 * `getTime()` gives no number (or NaN); 0 when reading it threw or `toISOString()` gave no
 * string; undefined when `value` is no `Date` (or `instanceof` threw, which wasm-bindgen's
 * own test takes as no). Calls the instance's own methods, which may be overridden. Never
 * throws.
 */
export function dateText(value) {
  let date = false;
  try {
    date = value instanceof Date; // a Proxy's getPrototypeOf trap may throw: no Date then
  } catch {}
  if (!date) return undefined;
  try {
    const time = value.getTime();
    if (typeof time !== "number" || Number.isNaN(time)) return "Invalid Date";
    const iso = value.toISOString();
    return typeof iso === "string" ? iso : 0;
  } catch {
    return 0;
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

// The probe loop of `client.checkAccess()` (src/access_shell.rs): Rust owns the groups, the
// bound and the verdict.


/** Probes `groups` (`[[resource, path], ...]`) with `parallel` workers; a 403 is an entry,
 * not a rejection. Rejects with the first abort, after which no probe starts. */
export function runProbes(client, groups, query, parallel, init) {
  const entries = new Array(groups.length);
  let next = 0;
  let aborted = null;
  const probe = async (i) => {
    const [resource, path] = groups[i];
    try {
      const res = await client.fetch(path + query, init);
      await res.arrayBuffer().catch(() => undefined); // frees the connection
      entries[i] = { resource, path, read: "ok", status: res.status };
    } catch (e) {
      if (e && e.code === "aborted") return void (aborted = aborted || e);
      const status = e && typeof e.status === "number" ? e.status : null;
      entries[i] = e && e.code === "forbidden" ? { resource, path, read: "forbidden", status } : { resource, path, read: "error", status, error: e };
    }
  };
  const worker = async () => {
    while (next < groups.length && !aborted) await probe(next++);
  };
  const workers = [];
  for (let w = 0; w < Math.min(parallel, groups.length); w++) workers.push(worker());
  return Promise.all(workers).then(() => {
    if (aborted) throw aborted;
    const [verdict, message] = client.__accessVerdict(entries.map((e) => e.read).join(","));
    return Object.assign(entries, { verdict, message });
  });
}
