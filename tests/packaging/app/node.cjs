// The app as CommonJS source: `require("conveyor-client")`.
"use strict";
const pkg = require("conveyor-client");
const stores = require("conveyor-client/stores");
const { runScenario } = require("./scenario.mjs");

runScenario(pkg, { sandbox: process.env.SANDBOX, keys: JSON.parse(process.env.KEYS) }, stores).then(
  (result) => console.log(JSON.stringify(result)),
  (e) => console.log(JSON.stringify({ failures: [`threw: ${e?.stack ?? e}`] })),
);
