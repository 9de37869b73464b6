// Node (ESM): the very module the CommonJS entry loads, so an app that both imports and
// requires the package (an ESM app with one CommonJS dependency) has one wasm instance,
// one set of error classes and one rate-limit bucket per key.
export * from "../dist/node.cjs";
