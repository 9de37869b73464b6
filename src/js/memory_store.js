// `MemoryStore`'s public methods: `acquire`, `settle`, `release`, `occupied`, `snapshot` and
// the static `restore` (docs/store-protocol.md), which the stores build's glue installs on
// the class (`installMemoryStore`, scripts/post-build.mjs). A module of the stores build
// only, not a wasm-bindgen snippet: the lean build never loads it, and the snippets stay
// few (tests/js_snippets.rs).
//
// A request or a snapshot is the caller's or storage's object: it is read and checked here,
// where the platform reads objects best, in the order and with the words of the protocol's
// refusals (TypeErrors "MemoryStore: ..."). Rust keeps the ledgers (src/ledger.rs) and takes
// plain values (src/memory_store.rs): reading a request field by field from Rust cost a
// crossing per field and, in the .wasm, a reader and a message for each; building a reply or
// a snapshot there cost a crossing per property.
//
// No imports: the glue imports this file, in every loader of the stores build.

// The store protocol's limits (pkg/stores/limits.cjs; src/ledger.rs's tests check both).
const STORE_MAX_ENTRIES = 100000;
const STORE_MAX_ID_LEN = 256;

// What `__call` (src/memory_store.rs, `OP_*`) is asked to do: one export for every method.
const ACQUIRE = 0;
const SETTLE = 1;
const RELEASE = 2;
const OCCUPIED = 3;
const RESTORE = 4;
const SNAPSHOT = 5;

/** "MemoryStore: `name` what" (without a name: "MemoryStore: what"). */
function storeError(what, name) {
  return new TypeError(`MemoryStore: ${name ? `\`${name}\` ` : ""}${what}`);
}

/** `req[name]`, undefined for `undefined`/`null`; a throwing getter or trap is a TypeError. */
function storeField(req, name) {
  if (typeof req !== "object" || req === null) throw storeError("the request must be an object");
  try {
    return req[name] ?? undefined;
  } catch {
    throw storeError("could not be read", name);
  }
}

/** `req[name]` when it is a finite number. */
function storeNumber(req, name) {
  const n = storeField(req, name);
  if (typeof n !== "number" || !isFinite(n)) throw storeError("must be a finite number", name);
  return n;
}

/** One encoder for every id that needs measuring. */
const utf8 = new TextEncoder();

/**
 * Whether `s` is a string of at most STORE_MAX_ID_LEN UTF-8 bytes (non-empty unless
 * `empty`): Rust's limit counts the bytes it receives, where a lone surrogate becomes the
 * three of U+FFFD, as `TextEncoder` writes it. A UTF-16 unit is one to three bytes, so only
 * a string between a third of the limit and the limit is encoded (a settle carries many
 * short ids: none of them is).
 * @param {unknown} s
 * @param {boolean} [empty]
 */
function storeId(s, empty) {
  return (
    typeof s === "string" &&
    (empty || s !== "") &&
    s.length <= STORE_MAX_ID_LEN &&
    (s.length * 3 <= STORE_MAX_ID_LEN || utf8.encode(s).length <= STORE_MAX_ID_LEN)
  );
}

/** `req.bucket`, a bucket name. */
function storeBucket(req) {
  const b = storeField(req, "bucket");
  if (!storeId(b)) throw storeError("must be a non-empty string", "bucket");
  return b;
}

/**
 * The items of `v` in a fresh array when it is an array (read as `Array.from` reads it),
 * undefined when it is not; throws when reading it throws or it holds more than
 * STORE_MAX_ENTRIES items (counted as they come, so neither a huge length nor an endless
 * iterator is walked).
 * @param {unknown} v
 * @returns {unknown[] | undefined}
 */
function storeList(v) {
  if (!Array.isArray(v)) return undefined;
  if (!(v.length <= STORE_MAX_ENTRIES)) throw 0;
  return Array.from(v, (x, i) => {
    if (i >= STORE_MAX_ENTRIES) throw 0;
    return x;
  });
}

/** `req.tokens`: a fresh array of token id strings (an empty string is an id too). */
function storeIds(req) {
  const v = storeField(req, "tokens");
  let ids;
  try {
    ids = storeList(v);
  } catch {}
  if (!ids?.every((t) => storeId(t, true))) throw storeError("must be an array of token id strings", "tokens");
  return ids;
}

/** A snapshot's `b[key]`, undefined when it is not there or not readable. */
function snapshotField(b, key) {
  try {
    return storeField(b, key);
  } catch {}
}

/** A snapshot's list, empty when it is not a readable array of at most STORE_MAX_ENTRIES. */
function snapshotList(v) {
  try {
    return storeList(v) ?? [];
  } catch {
    return [];
  }
}

/**
 * `pair[i]` (`pair` an object, as `Reflect.get` reads it) when it is a number.
 * @param {any} pair
 * @param {number} i
 * @returns {any}
 */
function snapshotNumber(pair, i) {
  try {
    const n = Object(pair) === pair ? pair[i] : undefined;
    return typeof n === "number" ? n : undefined;
  } catch {}
}

// Methods, so each is named and sized as wasm-bindgen's were (`acquire.length === 1`).
const STORE_METHODS = {
  /**
   * Grants up to `want` tokens of `bucket`: `{ tokens, retryInMs, epoch, occupied }`.
   * @this {any}
   */
  acquire(req) {
    const bucket = storeBucket(req);
    const [want, limit, windowMs, holdMs] = ["want", "limit", "windowMs", "holdMs"].map((name, i) => {
      const n = storeNumber(req, name);
      if (i < 2 && (n !== Math.trunc(n) || !(n >= 1 && n <= 0xffffffff))) throw storeError("must be a whole number of at least 1", name);
      return n;
    });
    const v = storeField(req, "carry");
    /** @type {any} */
    let carry = [];
    if (v !== undefined) {
      try {
        carry = storeList(v);
      } catch {
        throw storeError("could not be read, or holds too many entries", "carry");
      }
      if (!carry) throw storeError("must be an array of numbers", "carry");
      if (!carry.every((n) => typeof n === "number" && isFinite(n))) throw storeError("must be an array of finite numbers", "carry");
    }
    if (!(windowMs > 0)) throw storeError("must be a finite number greater than 0", "windowMs");
    if (holdMs < 0) throw storeError("must be a finite number of at least 0", "holdMs");
    // One array of numbers: one argument's glue. Answers `[retryInMs, epoch, occupied, ...tokens]`.
    const a = this.__call(ACQUIRE, bucket, [want, limit, windowMs, holdMs, ...carry]);
    return { tokens: a.slice(3), retryInMs: a[0], epoch: a[1], occupied: a[2] };
  },

  /**
   * The responses to `tokens` arrived: each frees one `windowMs` from now.
   * @this {any}
   */
  settle(req) {
    const bucket = storeBucket(req);
    const windowMs = storeNumber(req, "windowMs");
    if (!(windowMs > 0)) throw storeError("must be a finite number greater than 0", "windowMs");
    this.__call(SETTLE, bucket, [windowMs], storeIds(req));
  },

  /**
   * `tokens` were never sent: they free at once.
   * @this {any}
   */
  release(req) {
    this.__call(RELEASE, storeBucket(req), [], storeIds(req));
  },

  /**
   * How many entries occupy `bucket`'s window now (for tests and dashboards); 0 for a
   * bucket it does not know (or a `bucket` that is not a string).
   * @this {any}
   */
  occupied(bucket) {
    return this.__call(OCCUPIED, typeof bucket === "string" ? bucket : "", []);
  },

  /**
   * The whole state as a JSON-able value, to persist (a Durable Object writes it to its
   * storage). Empty buckets are left out; the others come in name order.
   * @this {any}
   */
  snapshot() {
    // Per bucket: name, epoch, next, n, n pairs of id and instant, m, m carried instants.
    const flat = this.__call(SNAPSHOT, "", []);
    /** @type {Record<string, unknown>} */
    const out = {};
    for (let i = 0; i < flat.length; ) {
      const name = flat[i];
      /** @type {{ epoch: string, next: number, tokens: number[][], carried: number[] }} */
      const b = { epoch: flat[i + 1], next: flat[i + 2], tokens: [], carried: [] };
      i += 3;
      for (let n = flat[i++]; n > 0; n--, i += 2) b.tokens.push([flat[i], flat[i + 1]]);
      for (let m = flat[i++]; m > 0; m--) b.carried.push(flat[i++]);
      out[name] = b;
    }
    return out;
  },
};

/**
 * Installs `MemoryStore`'s public methods on the stores build's class, whose Rust side is
 * `__call`.
 * @param {any} Store
 */
export function installMemoryStore(Store) {
  const statics = {
    /**
     * A store from a `snapshot()`. Malformed entries are skipped rather than trusted: a
     * damaged snapshot can only forget usage that has mostly expired anyway.
     */
    restore(snapshot) {
      const store = new Store();
      let buckets = [];
      try {
        if (typeof snapshot === "object" && snapshot !== null) buckets = Object.entries(snapshot);
      } catch {}
      for (const [name, b] of buckets) {
        // Without its epoch a bucket is a new memory (the store's own): clients re-carry.
        const epoch = snapshotField(b, "epoch");
        const next = snapshotField(b, "next");
        // One array of numbers (one argument's glue): `next`, how many tokens, each token's
        // id and instant, then the carried instants.
        const nums = [typeof next === "number" && isFinite(next) && next >= 0 ? next : 0, 0];
        for (const pair of snapshotList(snapshotField(b, "tokens"))) {
          const id = snapshotNumber(pair, 0);
          const at = id === undefined ? undefined : snapshotNumber(pair, 1);
          if (at !== undefined && isFinite(id) && id >= 0) nums[1] = nums.push(id, at) / 2 - 1;
        }
        for (const at of snapshotList(snapshotField(b, "carried"))) if (typeof at === "number") nums.push(at);
        store.__call(RESTORE, name, nums, storeId(epoch) ? [epoch] : undefined);
      }
      return store;
    },
  };
  for (const [name, value] of /** @type {[string, Function][]} */ ([...Object.entries(STORE_METHODS), ["restore", statics.restore]])) {
    Object.defineProperty(name === "restore" ? Store : Store.prototype, name, { value, writable: true, configurable: true });
  }
}
