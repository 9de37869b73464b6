// Compiled with `tsc --strict --noEmit` against the shipped declarations.
import {
  ConveyorClient,
  ConveyorError,
  ConveyorAuthError,
  ConveyorRateLimitError,
  type ConveyorClientOptions,
} from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { MemoryStore, type RateLimitStoreEvent } from "conveyor-client/stores";
// @ts-expect-error the lean entry has no MemoryStore: stores are conveyor-client/stores
import { MemoryStore as NotInLean } from "conveyor-client";
void NotInLean;

const options: ConveyorClientOptions = { apiKey: "k", baseUrl: "http://127.0.0.1:1/api/v2" };
const client = new ConveyorClient(options);

export async function main(): Promise<number> {
  try {
    const res: Response = await client.fetch("/exchange/connections", { method: "GET" });
    return res.status;
  } catch (e) {
    if (e instanceof ConveyorAuthError) {
      const status: 403 = e.status;
      return status;
    }
    if (e instanceof ConveyorRateLimitError) {
      return e.retryAfterMs ?? 0;
    }
    if (e instanceof ConveyorError) {
      const code: string = e.code;
      return code.length;
    }
    throw e;
  }
}

// The declarations must be strict enough to catch misuse:
// @ts-expect-error apiKey is required
new ConveyorClient({ baseUrl: "https://x" });
// @ts-expect-error apiKey is a string
new ConveyorClient({ apiKey: 42 });
// @ts-expect-error fetch takes a path string
void client.fetch(42);

// A shared store needs the fleet size (the fallback share), and only a store takes one.
const shared = new stores.ConveyorClient({
  apiKey: "k",
  rateLimit: { store: new MemoryStore(), fleetSize: 4, lease: 8, storeTimeoutMs: 500 },
  onRateLimitStore: (e: RateLimitStoreEvent) => {
    if (e.type === "recovered") void e.downMs;
    else void e.localLimit;
  },
});
const mode: "connected" | "fallback" | undefined = shared.rateLimitState()?.store;
void mode;
// The stores build's client is the lean one with more options, and its errors are the same classes.
const asLean: ConveyorClient = shared;
const sameError: typeof ConveyorError = stores.ConveyorError;
void [asLean, sameError];
// @ts-expect-error fleetSize is required with a store
new stores.ConveyorClient({ apiKey: "k", rateLimit: { store: new MemoryStore() } });
// @ts-expect-error fleetSize without a store means nothing
new stores.ConveyorClient({ apiKey: "k", rateLimit: { fleetSize: 4 } });
// @ts-expect-error a store has acquire, settle and release
new stores.ConveyorClient({ apiKey: "k", rateLimit: { store: { acquire() {} }, fleetSize: 2 } });
// @ts-expect-error the lean entry takes no store (conveyor-client/stores does)
new ConveyorClient({ apiKey: "k", rateLimit: { store: new MemoryStore(), fleetSize: 2 } });
// @ts-expect-error nor the store's callback
new ConveyorClient({ apiKey: "k", onRateLimitStore: () => {} });

// The key check: one entry per resource group and a verdict over them.
async function keyCheck(c: ConveyorClient): Promise<void> {
  const check = await c.checkAccess({ signal: AbortSignal.timeout(5000) });
  const lacking: string[] = check.filter((e) => e.read === "forbidden").map((e) => e.resource);
  const v: "ok" | "invalid_key" | "missing_permissions" | "incomplete" = check.verdict;
  const status: number | null = check[0].status;
  const code: string | undefined = check.find((e) => e.read === "error")?.error?.code;
  void [lacking, v, status, code, check.message];
  // @ts-expect-error read is one of three strings
  const bad: "granted" = check[0].read;
  void bad;
}
void keyCheck;
