// Strict usage of conveyor-client/redis's declarations (type-checked, never run).
import { ConveyorClient } from "conveyor-client/stores";
import { createRedisStore, type AcquireResult, type RedisRateLimitStore } from "conveyor-client/redis";

// Clients as node-redis and ioredis declare them, reduced to what the store uses (their
// own declarations need @types/node, which the type-check leaves out).
declare const nodeRedis: {
  eval(script: string, options?: { keys?: string[]; arguments?: string[] }): Promise<unknown>;
  evalSha(sha: string, options?: { keys?: string[]; arguments?: string[] }): Promise<unknown>;
  isReady: boolean;
};
declare const ioredis: {
  eval(script: string, numKeys: number | string, ...args: (string | number)[]): Promise<unknown>;
  evalsha(sha: string, numKeys: number | string, ...args: (string | number)[]): Promise<unknown>;
  status: string;
};

const store: RedisRateLimitStore = createRedisStore(nodeRedis);
const other = createRedisStore(ioredis, { prefix: "app:rl:" });
const grant: Promise<AcquireResult> = store.acquire({ bucket: "b", want: 1, limit: 2, windowMs: 1000, holdMs: 0, carry: [5] });
void grant.then((g) => g.tokens.map((t) => t.toUpperCase()) && (g.retryInMs ?? 0) + g.epoch.length);
void other.settle({ bucket: "b", tokens: ["1"], windowMs: 1000 });
void other.release({ bucket: "b", tokens: ["1"] });
new ConveyorClient({ apiKey: "k", rateLimit: { limit: 10, windowMs: 1000, store, fleetSize: 4 } });
// @ts-expect-error settle needs the window
void store.settle({ bucket: "b", tokens: ["1"] });
// @ts-expect-error not a Redis client
createRedisStore({ get() {} });
// @ts-expect-error the prefix is a string
createRedisStore(ioredis, { prefix: 1 });
