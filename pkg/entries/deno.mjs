// Deno: read the .wasm next to this file (needs read access to the package folder).
import "./load-deno.mjs";
export * from "./api.mjs";
