// A Cloudflare module worker that runs the shared scenario against the sandbox named in
// the request's query and answers with the result.
import * as pkg from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { runScenario } from "../lib/scenario.mjs";

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    try {
      const result = await runScenario(pkg, {
        sandbox: params.get("sandbox"),
        keys: JSON.parse(params.get("keys")),
        webhookSecret: params.get("webhookSecret") ?? undefined,
      }, stores);
      return Response.json(result);
    } catch (e) {
      return Response.json({ failures: [`threw: ${e && e.stack}`] }, { status: 500 });
    }
  },
};
