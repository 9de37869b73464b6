// Type declarations for conveyor-client/stores: the lean entry's surface (index.d.ts), plus
// rate-limit stores: `MemoryStore`, the store protocol, and a `ConveyorClient` whose
// `rateLimit` may name a store.

import type {
  ConveyorClient as LeanConveyorClient,
  ConveyorClientOptions as LeanConveyorClientOptions,
  InMemoryRateLimitOptions,
  RateLimitBaseOptions,
} from "./index.js";
export * from "./index.js";

/** Options for {@link ConveyorClient} from `conveyor-client/stores`. */
export interface ConveyorClientOptions extends Omit<LeanConveyorClientOptions, "rateLimit" | "onRateLimitStore"> {
  /** The rolling-window limiter; `false` turns it off. */
  rateLimit?: false | RateLimitOptions;
  /** Called when a shared `rateLimit.store` fails (the client falls back to its share) and when it answers again. */
  onRateLimitStore?: (event: RateLimitStoreEvent) => void;
}

/** Options of the rolling-window limiter: the realm's in-memory bucket, or a shared store. */
export type RateLimitOptions = InMemoryRateLimitOptions | StoreRateLimitOptions;

/** One budget shared by every process or isolate using the key, through a store. */
export interface StoreRateLimitOptions extends RateLimitBaseOptions {
  /**
   * The store (`MemoryStore`, `durableObjectStore(...)` from `conveyor-client/durable-object`,
   * `createRedisStore(...)` from `conveyor-client/redis`, or your own).
   */
  store: RateLimitStore;
  /** How many processes or isolates share the key. When the store fails, each grants from `floor(limit / fleetSize)`. */
  fleetSize: number;
  /** The most tokens asked for in one round trip (default 16). */
  lease?: number;
  /** A store call slower than this counts as a failure (default 1000 ms). */
  storeTimeoutMs?: number;
}

/**
 * The store protocol. Each method may return a value or a promise; the store's own clock
 * decides. A store never sees the API key, only `bucket`, a hash of it.
 */
export interface RateLimitStore {
  /**
   * Records `carry` (for each token used without the store's knowledge, ms until it frees),
   * then grants up to `want` tokens, each occupying the window until settled or released
   * (at most `holdMs + windowMs`). When short, `retryInMs` says when the next one can free.
   */
  acquire(req: {
    bucket: string;
    want: number;
    limit: number;
    windowMs: number;
    holdMs: number;
    carry?: number[];
  }): RateLimitGrant | Promise<RateLimitGrant>;
  /** The responses to `tokens` arrived: each frees `windowMs` from now. */
  settle(req: { bucket: string; tokens: string[]; windowMs: number }): void | Promise<void>;
  /** `tokens` were never sent: they free now. */
  release(req: { bucket: string; tokens: string[] }): void | Promise<void>;
}

/** What a store's `acquire` answers. */
export interface RateLimitGrant {
  /** The granted tokens' ids, unique across the store's epochs (e.g. `<epoch>-<n>`). */
  tokens: string[];
  /** When fewer than `want` were granted: ms until the next token can free; otherwise null. */
  retryInMs: number | null;
  /**
   * Names the store's memory of this bucket; it changes when the data was lost (a restart).
   * A client that sees it change tells the store its usage again and keeps to its share for
   * a window. A store without it is trusted never to forget.
   */
  epoch?: string;
  /**
   * Entries in the bucket's window after this grant (the whole fleet's usage). A client
   * remembers it: if the store fails next, it knows how much of the window others hold.
   */
  occupied?: number;
}

/** Passed to `onRateLimitStore`. */
export type RateLimitStoreEvent =
  /** The store failed: each request now comes from this client's share of the limit. */
  | { type: "fallback"; localLimit: number; error?: unknown }
  /** The store answers again; for one window it is held to the share while the fleet hands over. */
  | { type: "recovered"; downMs: number }
  /** The store answered from a new epoch (it lost its data): it was told this client's usage, and for one window gives it no more than its share. */
  | { type: "forgotten"; localLimit: number };

/** A {@link MemoryStore}'s state, bucket by bucket: its epoch, next token id, granted tokens as `[id, freeAt]` and carried entries' `freeAt` (ms since 1970). */
export interface MemoryStoreSnapshot {
  [bucket: string]: { epoch: string; next: number; tokens: [number, number][]; carried: number[] };
}

/**
 * The store protocol over in-memory ledgers (one realm). The Durable Object keeps one, and
 * it lets clients of one realm with `shared: false` share a budget through a store.
 */
export declare class MemoryStore implements RateLimitStore {
  constructor();
  acquire(req: Parameters<RateLimitStore["acquire"]>[0]): RateLimitGrant;
  settle(req: Parameters<RateLimitStore["settle"]>[0]): void;
  release(req: Parameters<RateLimitStore["release"]>[0]): void;
  /** Entries occupying `bucket`'s window now. */
  occupied(bucket: string): number;
  /** The state as a JSON-able value, to persist. */
  snapshot(): MemoryStoreSnapshot;
  /** A store from a {@link MemoryStore.snapshot}; malformed entries are skipped. */
  static restore(snapshot: unknown): MemoryStore;
  free(): void;
}

/** A client for the Conveyor API, whose rate limit may be shared through a store. */
export declare class ConveyorClient extends LeanConveyorClient {
  constructor(options: ConveyorClientOptions);
}
