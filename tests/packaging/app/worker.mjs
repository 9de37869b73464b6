// The app every Workers-like case bundles: the shared scenario, answered as JSON.
import * as pkg from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { runScenario } from "./scenario.mjs";

export default {
  async fetch(request, env) {
    const result = await runScenario(pkg, { sandbox: env.SANDBOX, keys: JSON.parse(env.KEYS) }, stores);
    return Response.json(result);
  },
};
