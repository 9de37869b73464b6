// conveyor-client/durable-object from `require` (a Worker written as CommonJS): the ESM
// module itself, which the Workers bundler (wrangler's esbuild) inlines; it runs only in workerd.
"use strict";
module.exports = require("./durable-object.mjs");
