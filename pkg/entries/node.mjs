// Node (ESM): read the .wasm from disk and instantiate it synchronously.
import "./load-node.mjs";
export * from "./api.mjs";
