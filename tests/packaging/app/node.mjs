// The app every Node/Bun/Deno case runs (as ESM source): the shared scenario against the
// sandbox in $SANDBOX, printed as one JSON line. No top-level await, so CommonJS output works.
import * as pkg from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { runScenario } from "./scenario.mjs";

const env = globalThis.Deno ? Deno.env.toObject() : process.env;
runScenario(pkg, { sandbox: env.SANDBOX, keys: JSON.parse(env.KEYS) }, stores).then(
  (result) => console.log(JSON.stringify(result)),
  (e) => console.log(JSON.stringify({ failures: [`threw: ${e?.stack ?? e}`] })),
);
