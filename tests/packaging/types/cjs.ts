// A TypeScript consumer written with `require` (import = require): every export, used strictly.
import conveyor = require("conveyor-client");
import inline = require("conveyor-client/inline");
import withStores = require("conveyor-client/stores");
import redis = require("conveyor-client/redis");
import durable = require("conveyor-client/durable-object");

const client = new conveyor.ConveyorClient({ apiKey: "k", rateLimit: { limit: 10, windowMs: 1000 } });
const state: conveyor.RateLimitState | null = client.rateLimitState();
export async function use(): Promise<number> {
  try {
    const res: Response = await client.fetch("/exchange/connections", { headers: [["x-trace", "1"]] });
    const page = await client.request<{ connections: unknown[] }>("GET", "/exchange/connections");
    return res.status + page.connections.length + (state?.available ?? 0);
  } catch (e) {
    if (e instanceof conveyor.ConveyorAuthError) return e.status;
    throw e;
  }
}
new inline.ConveyorClient({ apiKey: "k", rateLimit: { limit: 5 } });
const store: withStores.RateLimitStore = new withStores.MemoryStore();
new withStores.ConveyorClient({ apiKey: "k", rateLimit: { store, fleetSize: 2 } });
export const stores: withStores.RateLimitStore[] = [
  store,
  redis.createRedisStore({ eval: () => null, evalsha: () => null }),
  durable.durableObjectStore({ idFromName: (n: string) => n, get: (id: string) => ({ id }) }),
];
