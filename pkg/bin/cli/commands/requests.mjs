// `conveyor requests`: list, approve and ignore Trust Center access requests.
import { EXIT, ExitError, UsageError } from "../exit.mjs";
import { printList, printRecords, shortTime, table } from "../output.mjs";
import { runBulk, reportBulk } from "../bulk.mjs";
import { parseExpires, parseIds, openRequestsFrom } from "../select.mjs";

const REQUEST_COLUMNS = [
  { key: "id", title: "ID" },
  { key: "email", title: "EMAIL" },
  { key: "status", title: "STATUS" },
  { key: "requested_at", title: "REQUESTED", get: (r) => shortTime(r.requested_at ?? r.created_at) },
  { key: "message", title: "MESSAGE" },
];

const OUTCOME_COLUMNS = [
  { key: "id", title: "ID" },
  { key: "outcome", title: "OUTCOME" },
  { key: "email", title: "EMAIL" },
  { key: "detail", title: "DETAIL", get: (r) => r.error?.message ?? (r.authorization_id ? `authorization ${r.authorization_id}` : r.note) },
];

const SELECT_HELP = `Select requests either by id (ID… , also comma-separated) or with --domain D: every
open request (the queue) whose requester's email domain is exactly D. With --domain the
list is shown and confirmed on a terminal (--yes skips; without a terminal --yes is
required). --dry-run sends only reads and prints what would be done.
Writes go several at a time through the rate limiter. If some fail, stderr and the
records on stdout say exactly which ids were done, failed, not attempted, or were in
flight when Ctrl-C stopped the job.`;

/** The requests a bulk command acts on: by id, or the open ones of a domain. */
async function selectRequests(ctx, values, positionals, dryRun) {
  if (values.domain) {
    const found = await openRequestsFrom(ctx.client, values.domain, ctx.signal);
    return found.map((r) => ({ id: r.id, email: r.email, status: r.status }));
  }
  const ids = parseIds(positionals);
  if (!dryRun) return ids.map((id) => ({ id }));
  // A dry run may read: show who each id is and whether it is still open.
  const out = [];
  for (const id of ids) {
    try {
      const r = await ctx.client.exchange.authorizationRequests.get(id, { signal: ctx.signal });
      out.push({ id, email: r.email, status: r.status });
    } catch (e) {
      if (e?.code !== "not_found") throw e;
      out.push({ id, status: "not found" });
    }
  }
  return out;
}

function checkSelection(values, positionals) {
  if (values.domain && positionals.length) throw new UsageError("give either request ids or --domain, not both");
  if (!values.domain && !positionals.length) throw new UsageError("give the request ids, or --domain D");
  if (!values.domain) parseIds(positionals);
}

/** Shows the plan, and asks on a terminal when the selection came from --domain. */
async function confirmPlan(ctx, values, targets, verb, details) {
  const { io } = ctx;
  const what = `${verb} ${targets.length} request${targets.length === 1 ? "" : "s"}${values.domain ? ` from ${values.domain}` : ""}${details}`;
  if (!targets.some((t) => t.email)) {
    // Ids given and not read (no dry run): nothing more to show than the ids.
    io.err(`${what}: ${targets.map((t) => t.id).join(", ")}\n`);
    return true;
  }
  io.err(`${what}:\n`);
  const shown = targets.slice(0, 50);
  io.err(table(shown, [{ key: "id", title: "ID" }, { key: "email", title: "EMAIL" }, { key: "status", title: "STATUS" }], { paint: io.paintErr }));
  if (targets.length > shown.length) io.err(`… and ${targets.length - shown.length} more\n`);
  if (values["dry-run"]) return true;
  if (!values.domain) return true;
  const ok = await ctx.confirm(`${verb} these ${targets.length} requests?`, values.yes);
  if (!ok) throw new ExitError("cancelled: nothing was changed", EXIT.other);
  return true;
}

/** Shared by approve and ignore: select, plan, confirm, run, report. */
async function bulk(ctx, values, positionals, { verb, past, details, act, dryNote }) {
  const dryRun = Boolean(values["dry-run"]);
  const targets = await selectRequests(ctx, values, positionals, dryRun);
  if (targets.length === 0) {
    ctx.io.err(`no open requests${values.domain ? ` from ${values.domain}` : ""}: nothing to do\n`);
    if (ctx.json) ctx.io.out("[]\n");
    return EXIT.ok;
  }
  await confirmPlan(ctx, values, targets, verb, details);
  if (dryRun) {
    const records = targets.map((t) => ({ ...t, outcome: "dry_run", note: dryNote }));
    printRecords(ctx.io, records, OUTCOME_COLUMNS, { json: ctx.json });
    ctx.io.err(`dry run: nothing was sent but reads; ${targets.length} request${targets.length === 1 ? "" : "s"} would be ${past}\n`);
    return EXIT.ok;
  }
  const email = new Map(targets.map((t) => [t.id, t.email]));
  const result = await runBulk(targets.map((t) => t.id), act, { signal: ctx.signal, progress: ctx.progress(verb.toLowerCase(), "requests") });
  const records = result.records.map((r) => (email.get(r.id) ? { ...r, email: email.get(r.id) } : r));
  printRecords(ctx.io, records, OUTCOME_COLUMNS, { json: ctx.json });
  return reportBulk(ctx.io, past, result, targets.length);
}

export default {
  name: "requests",
  summary: "Trust Center access requests",
  commands: {
    list: {
      args: "",
      summary: "list access requests (every page)",
      options: { status: { type: "string" } },
      help: `Options:
  --status S   only requests in status S (initial, requested, approved, ignored)

Examples:
  conveyor requests list --status requested
  conveyor requests list --json | jq '.[].email'`,
      async run(ctx, values) {
        const list = ctx.client.exchange.authorizationRequests.list({ status: values.status }, { signal: ctx.signal });
        await printList(ctx.io, list, REQUEST_COLUMNS, { json: ctx.json });
      },
    },
    approve: {
      args: "<ID…|--domain D> --groups G,…",
      summary: "approve requests: grant access groups",
      options: {
        domain: { type: "string" },
        groups: { type: "string" },
        "nda-bypass": { type: "boolean" },
        expires: { type: "string" },
        "dry-run": { type: "boolean" },
        yes: { type: "boolean", short: "y" },
      },
      help: `Options:
  --groups G,…      the access group ids to grant (required; \`conveyor api GET /exchange/access_groups\` lists them)
  --domain D        every open request from D instead of ids
  --nda-bypass      grant without the NDA
  --expires WHEN    end of access: 2027-01-31, 2027-01-31T12:00:00Z, or 30d from now
  --dry-run         send only reads; print what would be approved
  -y, --yes         do not ask for confirmation

${SELECT_HELP}

Examples:
  conveyor requests approve 17 18 --groups 1,2
  conveyor requests approve --domain example.com --groups 1 --expires 90d --dry-run`,
      check(values, positionals) {
        checkSelection(values, positionals);
        if (!values.groups) throw new UsageError("--groups is required: the access group ids to grant, e.g. --groups 1,2");
        parseIds([values.groups], "access group id");
        if (values.expires) parseExpires(values.expires);
      },
      async run(ctx, values, positionals) {
        const groups = parseIds([values.groups], "access group id");
        const expiresAt = values.expires ? parseExpires(values.expires) : undefined;
        // One read up front: an unknown group would otherwise fail every request alike.
        const known = new Map();
        for await (const g of ctx.client.exchange.accessGroups.list({}, { signal: ctx.signal })) known.set(g.id, g.name);
        const unknown = groups.filter((g) => !known.has(g));
        if (unknown.length) {
          throw new UsageError(`no access group ${unknown.join(", ")}; this key's access groups: ${[...known].map(([id, n]) => `${id} (${n})`).join(", ") || "none"}`);
        }
        const details = ` with access group${groups.length === 1 ? "" : "s"} ${groups.map((g) => `${g} (${known.get(g)})`).join(", ")}` +
          `${values["nda-bypass"] ? ", NDA bypassed" : ""}${expiresAt ? `, until ${expiresAt}` : ""}`;
        return bulk(ctx, values, positionals, {
          verb: "Approve",
          past: "approved",
          details,
          dryNote: "would be approved",
          act: async (id, signal) => {
            const params = { request_id: id, access_group_ids: groups };
            if (values["nda-bypass"]) params.nda_bypass = true;
            if (expiresAt) params.expires_at = expiresAt;
            const auth = await ctx.client.exchange.authorizations.create(params, { signal });
            return { authorization_id: auth?.id ?? null };
          },
        });
      },
    },
    ignore: {
      args: "<ID…|--domain D> --reviewer EMAIL",
      summary: "ignore requests (no access granted)",
      options: {
        domain: { type: "string" },
        reviewer: { type: "string" },
        "dry-run": { type: "boolean" },
        yes: { type: "boolean", short: "y" },
      },
      help: `Options:
  --reviewer EMAIL  who ignored them, as the API records it (required)
  --domain D        every open request from D instead of ids
  --dry-run         send only reads; print what would be ignored
  -y, --yes         do not ask for confirmation

${SELECT_HELP}

Example:
  conveyor requests ignore --domain spam.example --reviewer me@mycompany.com --yes`,
      check(values, positionals) {
        checkSelection(values, positionals);
        if (!values.reviewer || !values.reviewer.includes("@")) throw new UsageError("--reviewer EMAIL is required: the API records who ignored the request");
      },
      async run(ctx, values, positionals) {
        return bulk(ctx, values, positionals, {
          verb: "Ignore",
          past: "ignored",
          details: ` as ${values.reviewer}`,
          dryNote: "would be ignored",
          act: async (id, signal) => {
            await ctx.client.exchange.authorizationRequests.ignore(id, { reviewer_email: values.reviewer }, { signal });
            return {};
          },
        });
      },
    },
  },
};
