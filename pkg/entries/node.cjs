// Node (CommonJS): wasm-bindgen's nodejs loader reads and instantiates the .wasm on require.
"use strict";
const glue = require("../dist/nodejs/conveyor_client.js");
module.exports = { ConveyorClient: glue.ConveyorClient, MemoryStore: glue.MemoryStore, ...require("../dist/nodejs/errors.js") };
module.exports.verifyWebhook = glue.verifyWebhook;
