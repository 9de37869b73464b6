// conveyor-client/inline, and what bundlers get when they cannot carry the .wasm as an asset
// (esbuild, Rollup, `bun build`, bundles for Node): the bytes travel inside the JS.
import "./load-inline.mjs";
export * from "./api.mjs";
