// Cloudflare Workers and other worker runtimes: the .wasm is imported as a compiled
// WebAssembly.Module (they forbid compiling from bytes at run time) and instantiated
// synchronously.
import "./load-workerd.mjs";
export * from "./api.mjs";
