import { readFileSync } from "node:fs";
import { initSync } from "../dist/web/conveyor_client.js";

initSync({ module: readFileSync(new URL("../dist/web/conveyor_client_bg.wasm", import.meta.url)) });
