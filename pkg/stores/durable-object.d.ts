// Type declarations for conveyor-client/durable-object (Cloudflare Workers only).
//
// Structural on purpose: no dependency on @cloudflare/workers-types, yet a
// `DurableObjectNamespace` from those types is accepted as it is.

import type { RateLimitGrant, RateLimitStore } from "../stores.js";

/** `acquire` as the store protocol defines it. `bucket` is an opaque hash, never the key. */
export type AcquireRequest = Parameters<RateLimitStore["acquire"]>[0];
/** What `acquire` answers: the granted token ids and, when short, ms until one can free. */
export type AcquireResult = RateLimitGrant;
/** `settle`: the responses to `tokens` arrived now. */
export type SettleRequest = Parameters<RateLimitStore["settle"]>[0];
/** `release`: `tokens` were never sent. */
export type ReleaseRequest = Parameters<RateLimitStore["release"]>[0];

/** The store {@link durableObjectStore} returns; pass it as `rateLimit.store`. */
export interface DurableObjectRateLimitStore extends RateLimitStore {
  acquire(req: AcquireRequest): Promise<AcquireResult>;
  settle(req: SettleRequest): Promise<void>;
  release(req: ReleaseRequest): Promise<void>;
}

/** The parts of a `DurableObjectNamespace` binding the store uses. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): unknown;
}

/**
 * A rate-limit store that keeps the budget in {@link ConveyorRateLimiter} objects, one
 * per bucket, addressed with `namespace.idFromName(bucket)`. Each call keeps the current
 * request alive until the object answers (`waitUntil` from "cloudflare:workers"), so a
 * request's last settles, sent as its handler returns, are not cancelled with it.
 *
 * ```js
 * const client = new ConveyorClient({
 *   apiKey: env.CONVEYOR_API_KEY,
 *   rateLimit: { store: durableObjectStore(env.CONVEYOR_LIMITER), fleetSize: 8 },
 * });
 * ```
 */
export declare function durableObjectStore<Id>(namespace: DurableObjectNamespaceLike<Id>): DurableObjectRateLimitStore;

/**
 * The Durable Object class that keeps one bucket's ledger in memory and in its storage.
 * Re-export it from the Worker's main module and bind it (wrangler.toml):
 *
 * ```toml
 * [[durable_objects.bindings]]
 * name = "CONVEYOR_LIMITER"
 * class_name = "ConveyorRateLimiter"
 *
 * [[migrations]]
 * tag = "v1"
 * new_sqlite_classes = ["ConveyorRateLimiter"]
 * ```
 */
export declare class ConveyorRateLimiter {
  constructor(ctx: unknown, env: unknown);
  acquire(req: AcquireRequest): AcquireResult;
  settle(req: SettleRequest): void;
  release(req: ReleaseRequest): void;
  /** Deletes the storage once the ledger is empty; reschedules itself otherwise. */
  alarm(): Promise<void>;
}
