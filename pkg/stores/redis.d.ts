// Type declarations for conveyor-client/redis (Node).
//
// Structural on purpose: no dependency on the `redis` or `ioredis` packages, yet their
// clients are accepted as they are.

import type { RateLimitGrant, RateLimitStore } from "../stores.js";

/** `acquire` as the store protocol defines it. `bucket` is an opaque hash, never the key. */
export type AcquireRequest = Parameters<RateLimitStore["acquire"]>[0];
/** `settle`: the responses to `tokens` arrived now. */
export type SettleRequest = Parameters<RateLimitStore["settle"]>[0];
/** `release`: `tokens` were never sent. */
export type ReleaseRequest = Parameters<RateLimitStore["release"]>[0];

/** A node-redis client (v4 or later; also a cluster): `eval(script, { keys, arguments })`. */
export interface NodeRedisLike {
  eval(...args: any[]): unknown;
  evalSha(...args: any[]): unknown;
}

/** An ioredis client or cluster: `eval(script, numKeys, ...keysAndArgs)`. */
export interface IORedisLike {
  eval(...args: any[]): unknown;
  evalsha(...args: any[]): unknown;
}

/** What `acquire` answers; `epoch` names Redis's memory of the bucket (new after a restart or flush). */
export type AcquireResult = RateLimitGrant & { epoch: string; occupied: number };

/** The store {@link createRedisStore} returns; pass it as `rateLimit.store`. */
export interface RedisRateLimitStore extends RateLimitStore {
  acquire(req: AcquireRequest): Promise<AcquireResult>;
  settle(req: SettleRequest): Promise<void>;
  release(req: ReleaseRequest): Promise<void>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** Starts every key the store writes (default "conveyor:rl:"). */
  prefix?: string;
}

/**
 * A rate-limit store kept in Redis, shared by every process using the same Redis: one
 * sorted set per bucket updated by one Lua script per call, with keys that expire on
 * their own. Pass a connected client; the store never connects or closes it. Calls reject
 * at once while the client is reconnecting, so the ConveyorClient falls back to its share.
 *
 * ```js
 * import { createClient } from "redis";
 * import { createRedisStore } from "conveyor-client/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const client = new ConveyorClient({
 *   apiKey: process.env.CONVEYOR_API_KEY,
 *   rateLimit: { store: createRedisStore(redis), fleetSize: 4 },
 * });
 * ```
 */
export declare function createRedisStore(client: NodeRedisLike | IORedisLike, options?: RedisStoreOptions): RedisRateLimitStore;
