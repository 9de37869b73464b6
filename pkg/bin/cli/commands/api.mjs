// `conveyor api METHOD /path`: any endpoint, through the same key, limiter and errors.
import { readFileSync } from "node:fs";
import { EXIT, UsageError } from "../exit.mjs";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/** `k=v` pairs → a query object; a key given twice becomes an array. */
export function parseQuery(pairs = []) {
  const q = {};
  for (const [n, p] of pairs.entries()) {
    const i = p.indexOf("=");
    if (i <= 0) throw new UsageError(`--query takes KEY=VALUE; query ${n + 1} has no "="`);
    const k = p.slice(0, i);
    const v = p.slice(i + 1);
    q[k] = k in q ? [].concat(q[k], v) : v;
  }
  return q;
}

/** `--data`: JSON text, or `@FILE` holding JSON (`@-`: stdin). */
export function parseData(text) {
  if (text === undefined) return undefined;
  let raw = text;
  if (text.startsWith("@")) {
    const path = text.slice(1);
    try {
      raw = readFileSync(path === "-" ? 0 : path, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${e.code ?? e.message}`);
    }
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    // JSON.parse's message quotes the input; say only where it failed.
    throw new UsageError(`--data is not valid JSON${/position \d+/.exec(e.message) ? ` (at ${/position (\d+)/.exec(e.message)[0]})` : ""}`);
  }
}

export default {
  name: "api",
  summary: "any endpoint",
  direct: true,
  commands: {
    api: {
      args: "METHOD /path",
      summary: "call any endpoint and print its JSON",
      options: { query: { type: "string", multiple: true, short: "q" }, data: { type: "string", short: "d" } },
      help: `METHOD is ${METHODS.join(", ")}; /path is relative to the base URL.

Options:
  -q, --query KEY=VALUE   a query parameter (repeat it; a repeated KEY is sent as KEY[]=…)
  -d, --data JSON|@FILE   a JSON body, inline or from FILE (@- reads stdin)

The response is printed as JSON (indented on a terminal). Only the base URL's origin
ever gets the key.

Examples:
  conveyor api GET /exchange/access_groups
  conveyor api GET /interactions --query type=Document --query per_page=5
  conveyor api POST /exchange/folders --data '{"name":"Policies"}'`,
      check(values, positionals) {
        if (positionals.length !== 2) throw new UsageError("give METHOD and /path, e.g. conveyor api GET /exchange/connections");
        if (!METHODS.includes(positionals[0].toUpperCase())) throw new UsageError(`METHOD is one of ${METHODS.join(", ")}`);
        if (!positionals[1].startsWith("/")) throw new UsageError("the path starts with /, relative to the base URL");
        parseQuery(values.query);
        parseData(values.data);
      },
      async run(ctx, values, positionals) {
        const [method, path] = positionals;
        const options = { query: parseQuery(values.query), signal: ctx.signal };
        const body = parseData(values.data);
        if (body !== undefined) options.body = body;
        const result = await ctx.client.request(method.toUpperCase(), path, options);
        if (result !== undefined) ctx.io.out(JSON.stringify(result, null, ctx.io.stdoutTTY ? 2 : 0) + "\n");
        return EXIT.ok;
      },
    },
  },
};
