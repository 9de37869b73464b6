// Node (ESM): the very module the CommonJS entry loads, so an app that both imports and
// requires the package (an ESM app with one CommonJS dependency) has one wasm instance,
// one set of error classes and one rate-limit bucket per key. dist/node.mjs loads it with
// `createRequire` and names its exports, which spares Node's scan of the CommonJS text.
export * from "../dist/node.mjs";
