"use strict";
// The store protocol's limits (docs/store-protocol.md), one set for every JS store: the
// Redis store and the Durable Object import them, and a Rust test checks that the ledger
// behind MemoryStore uses the same numbers. CommonJS so that redis.cjs can `require` it on
// every Node the package supports; ESM modules import it as a default export.

/** Most token ids or carry entries one call may carry (and the largest `want`): bounds a broken caller. */
const MAX_ENTRIES = 100000;
/** Longest bucket name or token id a store accepts: ours are short. */
const MAX_ID_LEN = 256;

/** Whether `v` is a bucket name or a token id: a string of 1 to MAX_ID_LEN characters. */
const isId = (v) => typeof v === "string" && v.length > 0 && v.length <= MAX_ID_LEN;

module.exports = { MAX_ENTRIES, MAX_ID_LEN, isId };
