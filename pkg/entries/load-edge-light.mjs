// Vercel Edge (the `edge-light` condition): like workerd it refuses to compile wasm from
// bytes at run time, and its bundler gives a compiled WebAssembly.Module for a `?module` import.
import wasmModule from "../dist/web/conveyor_client_bg.wasm?module";
import { initSync } from "../dist/web/conveyor_client.js";

initSync({ module: wasmModule });
