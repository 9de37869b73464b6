// `conveyor questionnaires`: list questionnaires and upload new ones.
import { UsageError } from "../exit.mjs";
import { printList, printRecords, shortTime } from "../output.mjs";
import { runBulk, reportBulk } from "../bulk.mjs";
import { parseExpires } from "../select.mjs";
import { checkFiles, fileParam } from "../upload.mjs";

const FORMATS = ["spreadsheet", "file", "portal"];
const TYPES = ["security_questionnaire", "rfp"];
const SPREADSHEET = /\.(xlsx|xls|csv|ods)$/i;

export default {
  name: "questionnaires",
  summary: "security questionnaires",
  commands: {
    list: {
      summary: "list questionnaires",
      options: { status: { type: "string" } },
      help: `Options:
  --status S   only questionnaires in status S (processing, started, ready_for_review,
               approved, completed)

Example:
  conveyor questionnaires list --status ready_for_review`,
      async run(ctx, values) {
        const list = ctx.client.questionnaires.list({ status: values.status }, { signal: ctx.signal });
        await printList(ctx.io, list, [
          { key: "id", title: "ID" },
          { key: "name", title: "NAME" },
          { key: "status", title: "STATUS" },
          { key: "domain", title: "DOMAIN" },
          { key: "question_count", title: "QUESTIONS" },
          { key: "due_at", title: "DUE", get: (q) => shortTime(q.due_at) },
        ], { json: ctx.json });
      },
    },
    upload: {
      args: "FILE… --domain D --email E",
      summary: "upload questionnaire files for Conveyor to answer",
      options: {
        domain: { type: "string" },
        email: { type: "string" },
        format: { type: "string" },
        type: { type: "string" },
        due: { type: "string" },
        notes: { type: "string" },
      },
      help: `Options:
  --domain D     the customer's domain (required)
  --email E      the requester's email (required)
  --format F     ${FORMATS.join(", ")} (default: spreadsheet for .xlsx/.xls/.csv/.ods, else file)
  --type T       ${TYPES.join(", ")}
  --due WHEN     due date: 2027-01-31, a date-time, or 14d from now
  --notes TEXT   notes for the team

Example:
  conveyor questionnaires upload vsa.xlsx --domain acme.com --email buyer@acme.com --due 14d`,
      check(values, positionals) {
        if (!values.domain) throw new UsageError("--domain is required: the customer's domain");
        if (!values.email || !values.email.includes("@")) throw new UsageError("--email is required: the requester's email");
        if (values.format && !FORMATS.includes(values.format)) throw new UsageError(`--format takes ${FORMATS.join(", ")}`);
        if (values.type && !TYPES.includes(values.type)) throw new UsageError(`--type takes ${TYPES.join(", ")}`);
        if (values.due) parseExpires(values.due);
        checkFiles(positionals);
      },
      async run(ctx, values, positionals) {
        const due = values.due ? parseExpires(values.due) : undefined;
        const result = await runBulk(positionals, async (path, signal) => {
          const { file, filename } = fileParam(path);
          const params = {
            domain: values.domain,
            email: values.email,
            original_format: values.format ?? (SPREADSHEET.test(path) ? "spreadsheet" : "file"),
            file,
            filename,
          };
          if (values.type) params.questionnaire_type = values.type;
          if (due) params.due_at = due;
          if (values.notes) params.notes = values.notes;
          const q = await ctx.client.questionnaires.create(params, { signal });
          return { questionnaire_id: q?.id ?? null, status: q?.status };
        }, { signal: ctx.signal, progress: ctx.progress("uploading", "files"), concurrency: 2 });
        printRecords(ctx.io, result.records, [
          { key: "id", title: "FILE" },
          { key: "outcome", title: "OUTCOME" },
          { key: "questionnaire_id", title: "QUESTIONNAIRE" },
          { key: "status", title: "STATUS" },
          { key: "error", title: "ERROR", get: (r) => r.error?.message },
        ], { json: ctx.json });
        return reportBulk(ctx.io, "uploaded", result, positionals.length);
      },
    },
  },
};
