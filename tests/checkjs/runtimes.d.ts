// The runtime features the entries and stores use beyond Node's and the DOM's types.

/** A `.wasm` imported as a module (workerd, edge-light, bundlers). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "*.wasm?module" {
  const module: WebAssembly.Module;
  export default module;
}

/** Deno's file read, used by the `deno` entry. */
declare const Deno: { readFile(path: URL | string): Promise<Uint8Array> };

/** The base class of a Durable Object, as much of it as the store uses. */
declare module "cloudflare:workers" {
  /** The current request's `ctx.waitUntil` (workerd since 2025). */
  export function waitUntil(promise: Promise<unknown>): void;
  export class DurableObject<Env = unknown> {
    constructor(ctx: DurableObjectState, env: Env);
    protected ctx: DurableObjectState;
    protected env: Env;
  }
  export interface DurableObjectState {
    blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
    storage: {
      get(key: string): Promise<unknown>;
      get(keys: string[]): Promise<Map<string, unknown>>;
      put(entries: Record<string, unknown>): Promise<void>;
      put(key: string, value: unknown): Promise<void>;
      delete(keys: string | string[]): Promise<unknown>;
      deleteAll(): Promise<void>;
      getAlarm(): Promise<number | null>;
      setAlarm(at: number | Date): Promise<void>;
      deleteAlarm(): Promise<void>;
    };
  }
}
