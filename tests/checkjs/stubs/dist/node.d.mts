// The ESM Node entry the build writes (pkg/dist/node.mjs): the declarations.
export * from "../index.js";
