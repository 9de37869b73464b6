// The constructor's options, read from the caller's object and checked.
//
// Reading an object the caller built (getters, Proxies, values of any type) and checking
// each value's type and range is what JS does in a few bytes and the .wasm did in kilobytes,
// so it happens here. Rust keeps the checks that guard the key and where it goes: whether
// the key is acceptable, `baseUrl` parsed into origin and base path (https only), the key's
// header name a token (no line can be injected); and it builds the rate limiter's plan from the values handed over
// (`src/options.rs`).
//
// Each option is read once (a getter that answers differently each time cannot pass one
// check and hand over another value), in a fixed order, and the first refusal stops the
// reading. The refusal is handed back, not thrown: an option Rust checks may come before it
// (`{ apiKey: "", maxRetries: -1 }` is refused for its key), and Rust runs its checks on the
// values read before the refusal first. (So when Rust refuses an option, the ones after it
// have been read, up to the reader's own first refusal: a getter's side effects show it,
// the refusal never does.)
//
// `readOptions` (the lean build) and `readStoreOptions` (the stores build) return an array of
// slots, in the order `Slot` in `src/options.rs` names them:
//   0 the refusal's message, or undefined     1 apiKey           2 baseUrl (with its default)
//   3 apiKeyHeader (with its default)         4 fetch            5 maxRetries
//   6 maxRetryAfterMs    7 timeoutMs    8 maxResponseBytes    9 true for `rateLimit: false`
//   10 limit    11 windowMs    12 maxQueue    13 shared    14 onRateLimitStore    15 store
//   16 fleetSize    17 lease    18 storeTimeoutMs    19 onRateLimitWait
//   20, 21 the per-client header records: the key's header and `Accept`, then the same with
//   the JSON content type
// A slot left undefined was not given (Rust applies the default) or not reached.
//
// Only `export function` at the start of a line, and no imports: each build's glue imports
// this file as it is.

/** The longest delay a JS timer can wait: 2^31 - 1 ms. */
const TIMER = 2147483647;
const AT_MOST_A_TIMER = "at most 2147483647 ms (2^31 - 1, about 24.8 days): a JS timer cannot wait longer";
const NEEDS_STORES = '` needs rate-limit store support, which this entry leaves out: import { ConveyorClient } from "conveyor-client/stores"';

/** Header names a runtime forbids, drops or sets itself, hop-by-hop headers a proxy strips,
 * and the two the client sets on every request: the key would silently not arrive, or would
 * replace another header. */
const RESERVED = ("accept accept-charset accept-encoding access-control-request-headers access-control-request-method " +
  "connection content-length content-type cookie cookie2 date dnt expect host keep-alive origin referer set-cookie te " +
  "trailer trailers transfer-encoding upgrade via").split(" ");

const must = (name, what) => `\`${name}\` must be ${what}`;

/** `obj[name]`, with `null` as `undefined` (not given); a getter or Proxy trap that throws
 * is refused by name rather than read as "not given", which would mean the default. Also how
 * `fetch()`, `request()` and `checkAccess()` read their options (src/js/resources.js), whose
 * objects are checked to be objects first. */
export function get(obj, name) {
  try {
    return obj?.[name] ?? undefined;
  } catch {
    throw `reading \`${name}\` threw`;
  }
}

/** An optional option of `typeof` `type` ("string", "number" or "function": refused as
 * "must be a string", and so on). */
export function typed(obj, name, type) {
  const v = get(obj, name);
  if (v !== undefined && typeof v !== type) throw must(name, "a " + type);
  return v;
}

/** An optional number option: finite, whole when `whole`, at least `min`, and at most
 * `max` when given (`TIMER` for an option that sets a timer; `Infinity` for one that takes
 * `Infinity` itself, no cap). `checkAccess()` checks its `timeoutMs` with it too. */
export function num(obj, name, min, whole, max) {
  const n = typed(obj, name, "number");
  if (n === undefined || n === max) return n;
  if (!isFinite(n)) throw must(name, "a finite number");
  if (whole && n % 1) throw must(name, "a whole number");
  if (n < min) throw must(name, "at least " + min);
  if (n > max) throw must(name, AT_MOST_A_TIMER);
  return n;
}

function read(o, stores) {
  const out = [];
  try {
    if (typeof o !== "object" || o === null) throw "ConveyorClient needs an options object: new ConveyorClient({ apiKey })";
    if ((out[1] = typed(o, "apiKey", "string")) === undefined) throw "`apiKey` is required";
    out[2] = typed(o, "baseUrl", "string") ?? "https://api.conveyor.com/api/v2";
    const header = (out[3] = typed(o, "apiKeyHeader", "string") ?? "X-API-KEY");
    // Rust checks the name's syntax first (a name that is no token is refused as such).
    if (RESERVED.includes(header.toLowerCase()) || /^(proxy|sec)-/i.test(header)) {
      throw `\`apiKeyHeader\` cannot be ${header}: runtimes forbid or drop it, proxies strip it, or the client sets it itself`;
    }
    out[4] = typed(o, "fetch", "function");
    out[5] = num(o, "maxRetries", 0, true);
    out[6] = num(o, "maxRetryAfterMs", 0, false, TIMER);
    out[7] = num(o, "timeoutMs", 1, false, TIMER);
    out[8] = num(o, "maxResponseBytes", 0, true, Infinity);
    const r = get(o, "rateLimit");
    if (r === false) out[9] = true;
    else {
      // A function is not an options object either.
      if (r !== undefined && typeof r !== "object") throw "`rateLimit` must be an object or false";
      out[10] = num(r, "limit", 1, true);
      out[11] = num(r, "windowMs", 1, false, TIMER);
      out[12] = num(r, "maxQueue", 0, true);
      if ((out[13] = get(r, "shared")) !== undefined && typeof out[13] !== "boolean") throw "`rateLimit.shared` must be a boolean";
      stores(o, r, out);
    }
    out[19] = typed(o, "onRateLimitWait", "function");
    // The per-client header records, made once and frozen so that a `fetch` cannot change
    // them for the next call; the second adds the JSON content type. `Object.fromEntries`
    // defines the key's header as an own property whatever its name.
    const accept = ["Accept", "application/json"];
    out[20] = Object.freeze(Object.fromEntries([accept, [header, out[1]]]));
    out[21] = Object.freeze(Object.fromEntries([accept, ["Content-Type", "application/json"], [header, out[1]]]));
  } catch (refusal) {
    out[0] = refusal;
  }
  return out;
}

/** The lean build has no store: an option that asks for one is refused, naming the entry
 * that has it, rather than ignored (a budget the user meant to share would silently be this
 * process's alone). */
export function readOptions(o) {
  return read(o, (o, r) => {
    if (get(o, "onRateLimitStore") !== undefined) throw "`onRateLimitStore" + NEEDS_STORES;
    for (const name of ["store", "fleetSize", "lease", "storeTimeoutMs"]) {
      if (get(r, name) !== undefined) throw "`rateLimit." + name + NEEDS_STORES;
    }
  });
}

/** The stores build: a shared store when `rateLimit.store` is given; the store's own
 * options without a store are refused. */
export function readStoreOptions(o) {
  return read(o, (o, r, out) => {
    out[14] = typed(o, "onRateLimitStore", "function");
    if ((out[15] = get(r, "store")) === undefined) {
      if (get(r, "fleetSize") !== undefined) throw "`rateLimit.fleetSize` only makes sense with `rateLimit.store`";
      return;
    }
    if ((out[16] = num(r, "fleetSize", 1, true)) === undefined) {
      throw "`rateLimit.fleetSize` is required with `rateLimit.store`: how many processes share the key (their share when the store is unreachable)";
    }
    out[17] = num(r, "lease", 1, true);
    out[18] = num(r, "storeTimeoutMs", 1, false, TIMER);
  });
}
