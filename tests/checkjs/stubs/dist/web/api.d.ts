// The public surface the build derives from the glue (pkg/dist/web/api.js): the declarations.
export * from "../../index.js";
