// Node (CommonJS): the built Node entry, which reads the .wasm next to it and instantiates
// it synchronously on require. Every Node the package supports can require it.
"use strict";
module.exports = require("../dist/node.cjs");
