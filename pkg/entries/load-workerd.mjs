import wasmModule from "../dist/web/conveyor_client_bg.wasm";
import { initSync } from "../dist/web/conveyor_client.js";

initSync({ module: wasmModule });
