import { initSync } from "../dist/web/conveyor_client.js";

initSync({ module: await Deno.readFile(new URL("../dist/web/conveyor_client_bg.wasm", import.meta.url)) });
