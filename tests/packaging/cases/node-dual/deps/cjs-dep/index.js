// A CommonJS dependency of an ESM app that uses conveyor-client itself, through require().
"use strict";
const { ConveyorClient } = require("conveyor-client");

exports.makeClient = (options) => new ConveyorClient(options);
exports.ConveyorClient = ConveyorClient;
