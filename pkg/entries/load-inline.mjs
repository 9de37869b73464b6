// The .wasm embedded as base64 and instantiated synchronously: no file to locate, no fetch,
// no top-level await, so any bundler (or none) can carry it, for Node or the browser.
import base64 from "../dist/inline/wasm.js";
import { initSync } from "../dist/web/conveyor_client.js";

const text = atob(base64);
const bytes = new Uint8Array(text.length);
for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
initSync({ module: bytes });
