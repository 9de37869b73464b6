// Prints the names every Node-reachable entry exports at run time, for runtimes.test.mjs.
import { createRequire } from "node:module";
import * as esm from "conveyor-client";
import * as inline from "conveyor-client/inline";
import * as stores from "conveyor-client/stores";
import * as storesInline from "conveyor-client/stores/inline";

const require = createRequire(import.meta.url);
const names = (m) => Object.keys(m).filter((k) => k !== "default" && k !== "module.exports").sort();
console.log(
  JSON.stringify({
    import: names(esm),
    require: names(require("conveyor-client")),
    inline: names(inline),
    stores: { import: names(stores), require: names(require("conveyor-client/stores")), inline: names(storesInline) },
  }),
);
