// Strict usage of conveyor-client/durable-object's declarations (type-checked, never run).
import { ConveyorClient, type RateLimitStore } from "conveyor-client/stores";
import {
  ConveyorRateLimiter,
  durableObjectStore,
  type AcquireResult,
  type DurableObjectRateLimitStore,
} from "conveyor-client/durable-object";

// A namespace as @cloudflare/workers-types declares it, reduced to what the store uses.
interface Id {
  toString(): string;
}
declare const namespace: { idFromName(name: string): Id; get(id: Id, options?: { locationHint?: string }): object };

const store: DurableObjectRateLimitStore = durableObjectStore(namespace);
const grant: Promise<AcquireResult> = store.acquire({ bucket: "b", want: 1, limit: 2, windowMs: 1000, holdMs: 0, carry: [5] });
void grant.then((g) => g.tokens.map((t) => t.toUpperCase()) && (g.retryInMs ?? 0) + 1);
void store.settle({ bucket: "b", tokens: ["1"], windowMs: 1000 });
void store.release({ bucket: "b", tokens: ["1"] });
// @ts-expect-error settle needs the window
void store.settle({ bucket: "b", tokens: ["1"] });
// @ts-expect-error not a namespace
durableObjectStore({});

// The class is re-exported from a Worker's main module.
export { ConveyorRateLimiter };
const o = new ConveyorRateLimiter({}, {});
const sync: AcquireResult = o.acquire({ bucket: "b", want: 1, limit: 1, windowMs: 1, holdMs: 0 });
void sync;

// It is a store as the client's options declare one.
const asStore: RateLimitStore = store;
new ConveyorClient({ apiKey: "k", rateLimit: { store: durableObjectStore(namespace), fleetSize: 4 } });
void asStore;
