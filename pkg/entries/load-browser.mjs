import init from "../dist/web/conveyor_client.js";

await init({ module_or_path: new URL("../dist/web/conveyor_client_bg.wasm", import.meta.url) });
