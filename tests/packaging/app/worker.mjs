// The app every Workers-like case bundles: the shared scenario, answered as JSON.
import * as pkg from "conveyor-client";
import { runScenario } from "./scenario.mjs";

export default {
  async fetch(request, env) {
    const result = await runScenario(pkg, { sandbox: env.SANDBOX, keys: JSON.parse(env.KEYS) });
    return Response.json(result);
  },
};
