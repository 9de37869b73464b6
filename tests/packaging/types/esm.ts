// A TypeScript consumer written with `import`: every export of the package, used strictly.
import { ConveyorClient, ConveyorAuthError, ConveyorError } from "conveyor-client";
import type { ConveyorClientOptions, RateLimitState } from "conveyor-client";
import * as inline from "conveyor-client/inline";
import * as withStores from "conveyor-client/stores";
import { MemoryStore, type RateLimitStore } from "conveyor-client/stores";
import { createRedisStore } from "conveyor-client/redis";
import { durableObjectStore, ConveyorRateLimiter } from "conveyor-client/durable-object";

const options: ConveyorClientOptions = { apiKey: "k", rateLimit: { limit: 10, windowMs: 1000 } };
const client = new ConveyorClient(options);
const state: RateLimitState | null = client.rateLimitState();
export async function use(): Promise<number> {
  try {
    const res: Response = await client.fetch("/exchange/connections", { headers: { "x-trace": "1" } });
    const page = await client.request<{ connections: unknown[] }>("GET", "/exchange/connections", { query: { per_page: 10 } });
    for await (const q of client.knowledgeBase.questions.list({ status: "verified" })) void q.id;
    return res.status + page.connections.length + (state?.available ?? 0);
  } catch (e) {
    if (e instanceof ConveyorAuthError) return e.status;
    if (e instanceof ConveyorError) return e.retryable ? 1 : 0;
    throw e;
  }
}
const store: RateLimitStore = new MemoryStore();
new withStores.ConveyorClient({ apiKey: "k", rateLimit: { store, fleetSize: 2 } });
new inline.ConveyorClient({ apiKey: "k", rateLimit: { limit: 5 } });
export const sameClasses: (typeof ConveyorError)[] = [withStores.ConveyorError, ConveyorError];
const redis = createRedisStore({ eval: () => null, evalSha: () => null });
const durable = durableObjectStore({ idFromName: (n: string) => n, get: (id: string) => ({ id }) });
export const stores: RateLimitStore[] = [redis, durable];
export { ConveyorRateLimiter };
