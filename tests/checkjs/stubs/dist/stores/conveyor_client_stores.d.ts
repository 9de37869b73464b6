// What the stores build's glue (pkg/dist/stores/conveyor_client_stores.js) exports, for the JS
// check: the stores entry's declarations plus the loader functions the entries call.
export * from "../../stores.js";
export { initSync, default } from "../web/conveyor_client.js";
