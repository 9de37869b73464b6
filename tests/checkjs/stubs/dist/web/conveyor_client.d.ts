// What the wasm-bindgen glue (pkg/dist/web/conveyor_client.js) exports, for the JS check:
// the package's declarations plus the loader functions the entries call.
export * from "../../index.js";

/** Instantiates the .wasm synchronously from its bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;
/** Instantiates the .wasm from a URL, a `Response`, bytes or a compiled module. */
export default function init(options: {
  module_or_path: URL | string | Response | BufferSource | WebAssembly.Module | Promise<unknown>;
}): Promise<unknown>;
