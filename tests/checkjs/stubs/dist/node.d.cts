// The CommonJS Node entry the build writes (pkg/dist/node.cjs): the declarations.
export * from "../index.js";
