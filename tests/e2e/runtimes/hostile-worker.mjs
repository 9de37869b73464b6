// A module worker that runs the server half of the hostile-world suite inside workerd
// against the node:http server named in the request's query.
import * as pkg from "conveyor-client";
import { serverCases } from "../lib/hostile-cases.mjs";

export default {
  async fetch(request) {
    const q = new URL(request.url).searchParams;
    try {
      const result = await serverCases(pkg, { server: q.get("server"), foreign: q.get("foreign"), key: q.get("key") });
      return Response.json(result);
    } catch (e) {
      return Response.json({ failures: [`threw: ${e && e.stack}`], ran: [] }, { status: 500 });
    }
  },
};
