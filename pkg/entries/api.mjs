// The package's public surface, shared by every ESM entry. The entry imports its loader
// first, so by the time user code runs the wasm instance is ready.
export { ConveyorClient, MemoryStore } from "../dist/web/conveyor_client.js";
export { verifyWebhook } from "../dist/web/conveyor_client.js";
export * from "../dist/web/errors.js";
