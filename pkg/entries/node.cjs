// Node (CommonJS): wasm-bindgen's nodejs loader reads and instantiates the .wasm on require.
"use strict";
const glue = require("../dist/nodejs/conveyor_client.js");
module.exports = { ConveyorClient: glue.ConveyorClient, ...require("../dist/nodejs/errors.js") };
