// `conveyor key check`: which resource groups the key can read, and what a 403 meant.
import { EXIT, describe } from "../exit.mjs";
import { printRecords } from "../output.mjs";

const READ_COLOUR = { ok: "green", forbidden: "red", error: "yellow" };

/** The exit code for a verdict: a key refused anything is an auth failure. */
const CODE = { ok: EXIT.ok, invalid_key: EXIT.auth, missing_permissions: EXIT.auth, incomplete: EXIT.network };

export default {
  name: "key",
  summary: "the API key",
  commands: {
    check: {
      summary: "which resources the key can read (one read of one record each; nothing is written)",
      help: `Sends one GET of one record to each resource group (through the rate limiter, at most
4 at once) and prints whether it was readable, forbidden (403) or failed otherwise, then
what that means: every group forbidden = the key is invalid or inactive; some = the key
lacks those permissions. Exit code 0 when every group is readable, 3 when any is
forbidden, 5 when some could not be checked.

Example:
  CONVEYOR_API_KEY=… conveyor key check`,
      async run(ctx) {
        const check = await ctx.client.checkAccess({ signal: ctx.signal });
        const rows = check.map((e) => ({ resource: e.resource, read: e.read, status: e.status, ...(e.error ? { error: describe(e.error) } : {}) }));
        const summary = { verdict: check.verdict, message: check.message };
        const { io } = ctx;
        if (ctx.json) {
          io.out(JSON.stringify({ ...summary, resources: rows }, null, io.stdoutTTY ? 2 : 0) + "\n");
        } else {
          printRecords(io, rows, [
            { key: "resource", title: "RESOURCE" },
            { key: "read", title: "READ" },
            { key: "status", title: "STATUS" },
            ...(rows.some((r) => r.error) ? [{ key: "error", title: "ERROR", get: (r) => r.error?.message }] : []),
          ], { colour: { read: (r, t, p) => p[READ_COLOUR[r.read]](t) } });
          const p = io.stdoutTTY ? io.paintOut : io.paintErr;
          const line = `${check.verdict === "ok" ? p.green("ok") : p.red(check.verdict)}: ${check.message}\n`;
          // On a terminal the verdict closes the table; in a pipe stdout stays JSON Lines.
          if (io.stdoutTTY) io.out("\n" + line);
          else io.err(line);
        }
        return CODE[check.verdict] ?? EXIT.other;
      },
    },
  },
};
