// conveyor-client/inline from `require`: the ESM entry itself (bundlers inline it; Node needs
// require(esm), 20.19 or 22.12 and later), so import and require share one instance.
"use strict";
module.exports = require("./inline.mjs");
