// The edge-light entry from `require` (a Worker written as CommonJS): the ESM entry itself, which
// the runtime's bundler inlines, so import and require share one instance.
"use strict";
module.exports = require("./edge-light.mjs");
