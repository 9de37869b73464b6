// conveyor-client/durable-object: one rate-limit budget shared by every Worker isolate
// that uses a key, kept by a Cloudflare Durable Object.
//
//   import { ConveyorClient } from "conveyor-client/stores";
//   import { durableObjectStore } from "conveyor-client/durable-object";
//   export { ConveyorRateLimiter } from "conveyor-client/durable-object";
//
//   const client = new ConveyorClient({
//     apiKey: env.CONVEYOR_API_KEY,
//     rateLimit: { store: durableObjectStore(env.CONVEYOR_LIMITER), fleetSize: 8 },
//   });
//
// The client names its budget by an opaque SHA-256 "bucket" of the key and base URL; the
// store addresses one object per bucket with `idFromName(bucket)`. The key never leaves
// the client: neither the object, its storage nor its logs ever see it.
//
// Why RPC and not a fetch-based JSON protocol: the object extends `DurableObject` from
// "cloudflare:workers", so `stub.acquire(req)` is a typed method call (compatibility date
// 2024-04-03 or later, which every Worker created since has). It saves a URL router and a
// JSON encoding on each side, and a store error (a TypeError for a malformed request)
// arrives in the caller as the same error instead of an HTTP status to translate.
// Miniflare 4 (the e2e tests) and production run the same workerd code for it.
//
// This module runs only in workerd: it imports "cloudflare:workers" (wrangler, and any
// bundler configured for Workers, leaves `cloudflare:*` imports external) and loads the
// stores build's .wasm the way `conveyor-client/stores`' workerd entry does, sharing that
// entry's instance.

import * as workers from "cloudflare:workers";
import "../dist/stores/entries/load-workerd.mjs";
import { MemoryStore } from "../dist/stores/conveyor_client_stores.js";
import limits from "./limits.cjs";

/** Storage key of the index record: format version, chunk count, each bucket's layout. */
const META = "meta";
/** Storage keys of the data chunks are `c0`, `c1`, ... */
const CHUNK_PREFIX = "c";
/**
 * Numbers per chunk: 8192 float64s are 64 KiB, half the 128 KiB value limit of
 * key-value-backed objects (SQLite-backed ones allow more), so any ledger fits however
 * large a limit or a carry makes it. Conveyor's 2000-token window is 32 KiB: one chunk.
 */
const CHUNK = 8192;
/** `put` and `delete` take at most 128 keys per call. */
const MAX_KEYS = 128;

/**
 * The Durable Object that keeps a rate-limit ledger: bind it in `wrangler.toml` and
 * re-export it from the Worker's main module. One object serves one bucket (one key and
 * base URL); every call is one synchronous step of a single-threaded object, so grants
 * are atomic without locks.
 *
 * The ledger lives in memory (the package's `MemoryStore`) and is persisted to
 * `ctx.storage`, so an object that is evicted, moved or restarted still knows the tokens
 * in their window. Writes are kept cheap: only calls that make the ledger *more*
 * occupied are written (a grant, a carry, a settle of a token the ledger did not know);
 * a settle or release only shortens a token's life, and a ledger that forgot one is
 * merely conservative after a restart (an unsettled token counts as sent at the end of
 * its hold, which is never too early). Each write is one coalesced put of a compact
 * Float64Array, not awaited: the runtime's output gate holds the reply until it is
 * durable, so no grant is ever reported that a crash could forget. An alarm at the
 * instant the last token frees deletes the storage once the bucket is empty, so an idle
 * key leaves nothing behind.
 *
 * The ledger's epoch (the name of its memory, which prefixes every token id) is stored
 * with it: a restarted object is the same memory to its clients, who carry on; after a
 * cleanup the next call starts a new epoch, which they adopt.
 */
export class ConveyorRateLimiter extends workers.DurableObject {
  /** @type {MemoryStore} */
  #store = new MemoryStore();
  /** Chunks the storage holds now, so a shrinking ledger deletes the rest. */
  #chunks = 0;
  /** The scheduled cleanup alarm (ms since the epoch), or null. @type {number | null} */
  #alarmAt = null;

  constructor(ctx, env) {
    super(ctx, env);
    // No call runs before the ledger is back in memory.
    ctx.blockConcurrencyWhile(async () => {
      const meta = await ctx.storage.get(META);
      if (meta && meta.v === 1 && Number.isInteger(meta.chunks) && Array.isArray(meta.buckets)) {
        const keys = Array.from({ length: meta.chunks }, (_, i) => CHUNK_PREFIX + i);
        const parts = [];
        for (let i = 0; i < keys.length; i += MAX_KEYS) {
          const got = await ctx.storage.get(keys.slice(i, i + MAX_KEYS));
          for (const k of keys.slice(i, i + MAX_KEYS)) parts.push(got.get(k));
        }
        this.#store.free();
        this.#store = MemoryStore.restore(decode(meta.buckets, parts));
        this.#chunks = meta.chunks;
      }
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Grants up to `req.want` tokens: `{ tokens, retryInMs, epoch, occupied }` (see the store protocol).
   * @param {import("./durable-object.js").AcquireRequest} req
   */
  acquire(req) {
    const grant = this.#store.acquire(req);
    if (grant.tokens.length > 0 || (Array.isArray(req.carry) && req.carry.length > 0)) this.#persist();
    return grant;
  }

  /**
   * The responses to `req.tokens` arrived: each frees one `req.windowMs` from now.
   * @param {import("./durable-object.js").SettleRequest} req
   */
  settle(req) {
    const bucket = validBucket(req) ? req.bucket : null;
    const before = bucket === null ? 0 : this.#store.occupied(bucket);
    this.#store.settle(req);
    // Only ids the ledger did not know (expired, or lost) add usage worth a write.
    if (bucket !== null && this.#store.occupied(bucket) > before) this.#persist();
  }

  /**
   * `req.tokens` were never sent: they free now. Not written (see the class comment).
   * @param {import("./durable-object.js").ReleaseRequest} req
   */
  release(req) {
    this.#store.release(req);
  }

  /** The cleanup alarm: forget an empty ledger, or write it and look again later. */
  async alarm() {
    this.#alarmAt = null;
    const snapshot = this.#store.snapshot();
    if (Object.keys(snapshot).length > 0) {
      this.#persist(snapshot);
      return;
    }
    // The memory side first, in the same synchronous step as the emptiness check, so no
    // call can ever see a ledger the storage no longer backs. The new store is a new
    // epoch: its token ids can never collide with the forgotten ones, and clients adopt it
    // (nothing was in the window, so there is nothing to re-carry).
    this.#store.free();
    this.#store = new MemoryStore();
    this.#chunks = 0;
    await this.ctx.storage.deleteAll();
  }

  /** Writes the ledger (not awaited: the output gate holds replies until it is durable). */
  #persist(snapshot = this.#store.snapshot()) {
    const { buckets, data, lastFreeAt } = encode(snapshot);
    const storage = this.ctx.storage;
    if (buckets.length === 0) return;
    const chunks = Math.ceil(data.length / CHUNK);
    /** @type {[string, unknown][]} */
    const entries = [[META, { v: 1, chunks, buckets }]];
    for (let i = 0; i < chunks; i++) entries.push([CHUNK_PREFIX + i, data.slice(i * CHUNK, (i + 1) * CHUNK)]);
    // `slice`, not `subarray`: a view would be stored with its whole buffer.
    // Puts without an await between them are coalesced into one atomic write.
    for (let i = 0; i < entries.length; i += MAX_KEYS) storage.put(Object.fromEntries(entries.slice(i, i + MAX_KEYS)));
    const stale = [];
    for (let i = chunks; i < this.#chunks; i++) stale.push(CHUNK_PREFIX + i);
    for (let i = 0; i < stale.length; i += MAX_KEYS) storage.delete(stale.slice(i, i + MAX_KEYS));
    this.#chunks = chunks;
    // One alarm at a time: when it fires it reschedules itself while anything is left.
    if (this.#alarmAt === null) {
      this.#alarmAt = lastFreeAt;
      storage.setAlarm(lastFreeAt);
    }
  }
}

/**
 * A rate-limit store backed by {@link ConveyorRateLimiter}: pass it as
 * `rateLimit.store`, with the Durable Object namespace binding of that class.
 * Each call goes to the bucket's object through a fresh stub (`idFromName` hashes
 * locally and `get` opens nothing, so there is nothing worth caching, and a stub is never
 * carried from one request's context into another's). Each call keeps the request alive
 * until the object answered (see {@link outlive}).
 *
 * @param {{ idFromName(name: string): unknown, get(id: unknown): any }} namespace
 * @returns {import("./durable-object.js").DurableObjectRateLimitStore}
 */
export function durableObjectStore(namespace) {
  if (!namespace || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw new TypeError("durableObjectStore: expected a Durable Object namespace binding (e.g. env.CONVEYOR_LIMITER)");
  }
  const object = (req) => {
    if (!validBucket(req)) throw new TypeError("durableObjectStore: `bucket` must be a non-empty string");
    return namespace.get(namespace.idFromName(req.bucket));
  };
  // `async` turns the RPC promise (a thenable with extra powers) into a plain Promise and a
  // synchronous throw into a rejection, as the store protocol expects.
  return Object.freeze({
    acquire: (req) =>
      outlive(
        (async () => {
          const r = await object(req).acquire(req);
          return { tokens: r.tokens, retryInMs: r.retryInMs, epoch: r.epoch, occupied: r.occupied };
        })(),
      ),
    settle: (req) =>
      outlive(
        (async () => {
          await object(req).settle(req);
        })(),
      ),
    release: (req) =>
      outlive(
        (async () => {
          await object(req).release(req);
        })(),
      ),
  });
}

/**
 * Keeps the Worker's request alive until `call` is answered. The client settles a token
 * after its response arrived, so the last settles of a request are still on their way to
 * the object when the handler returns; workerd then cancels whatever that request left
 * running, and a settle it cancels never arrives: the object holds that token as in
 * flight until its hold ends (`timeoutMs` + 5 s) and then a window more, and the whole
 * fleet has one token fewer all that time. `waitUntil` from "cloudflare:workers" (the
 * current request's `ctx.waitUntil`) lets each call finish. Outside a request (a Durable
 * Object's own code, an older runtime without it) calls run as before.
 * @template T
 * @param {Promise<T>} call
 * @returns {Promise<T>}
 */
function outlive(call) {
  try {
    // A rejection is the caller's to handle: the kept-alive copy must not report it again.
    if (typeof workers.waitUntil === "function") workers.waitUntil(call.catch(() => {}));
  } catch {
    // No request to keep alive.
  }
  return call;
}

/** The protocol's bound on a bucket name (MemoryStore refuses longer ones too). */
function validBucket(req) {
  return limits.isId(req?.bucket);
}

/**
 * A `MemoryStore.snapshot()` as storage values: per bucket `[name, epoch, next, tokens,
 * carried]` (the epoch is kept, so a restarted object is the same memory to its clients)
 * and one Float64Array of `id, freeAt` pairs then carried `freeAt`s, bucket after bucket.
 * 16 bytes a token instead of a structured-clone array each.
 */
function encode(snapshot) {
  const buckets = [];
  let size = 0;
  for (const [name, b] of Object.entries(snapshot)) {
    buckets.push([name, b.epoch, b.next, b.tokens.length, b.carried.length]);
    size += 2 * b.tokens.length + b.carried.length;
  }
  const data = new Float64Array(size);
  let i = 0;
  let lastFreeAt = 0;
  for (const b of Object.values(snapshot)) {
    for (const [id, at] of b.tokens) {
      data[i++] = id;
      data[i++] = at;
      lastFreeAt = Math.max(lastFreeAt, at);
    }
    for (const at of b.carried) {
      data[i++] = at;
      lastFreeAt = Math.max(lastFreeAt, at);
    }
  }
  return { buckets, data, lastFreeAt };
}

/** The inverse of {@link encode}; MemoryStore.restore drops whatever is malformed. */
function decode(buckets, parts) {
  const data = [];
  for (const p of parts) if (p instanceof Float64Array) for (const x of p) data.push(x);
  const snapshot = {};
  let i = 0;
  for (const entry of buckets) {
    if (!Array.isArray(entry) || entry.length !== 5) continue;
    const [name, epoch, next, nTokens, nCarried] = entry;
    const tokens = [];
    for (let t = 0; t < nTokens; t++, i += 2) tokens.push([data[i], data[i + 1]]);
    const carried = data.slice(i, i + nCarried);
    i += nCarried;
    snapshot[name] = { epoch, next, tokens, carried };
  }
  return snapshot;
}
