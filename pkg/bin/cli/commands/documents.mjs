// `conveyor documents`: list, upload and delete Trust Center documents.
import { EXIT, ExitError, UsageError } from "../exit.mjs";
import { printList, printRecords, shortTime } from "../output.mjs";
import { runBulk, reportBulk } from "../bulk.mjs";
import { parseIds } from "../select.mjs";
import { checkFiles, fileParam } from "../upload.mjs";

const ACCESS_LEVELS = ["public", "protected", "need_to_know", "internal"];

const OUTCOME_COLUMNS = [
  { key: "id", title: "FILE" },
  { key: "outcome", title: "OUTCOME" },
  { key: "document_id", title: "DOCUMENT" },
  { key: "error", title: "ERROR", get: (r) => r.error?.message },
];

const checkLevel = (l) => {
  if (l !== undefined && !ACCESS_LEVELS.includes(l)) throw new UsageError(`--access-level takes ${ACCESS_LEVELS.join(", ")}`);
};
const checkFolder = (f) => f !== undefined && parseIds([f], "folder id");

export default {
  name: "documents",
  summary: "Trust Center documents",
  commands: {
    list: {
      summary: "list documents",
      options: { folder: { type: "string" }, "access-level": { type: "string" } },
      help: `Options:
  --folder ID          only documents in folder ID
  --access-level L     only documents at level L (${ACCESS_LEVELS.join(", ")})

Example:
  conveyor documents list --access-level public`,
      check(values) {
        checkLevel(values["access-level"]);
        checkFolder(values.folder);
      },
      async run(ctx, values) {
        const folder = values.folder ? Number(values.folder) : undefined;
        const level = values["access-level"];
        const list = ctx.client.exchange.documents.list({}, { signal: ctx.signal });
        async function* matching() {
          for await (const d of list) {
            if (folder !== undefined && d.folder?.id !== folder) continue;
            if (level !== undefined && d.access_level !== level) continue;
            yield d;
          }
        }
        await printList(ctx.io, matching(), [
          { key: "id", title: "ID" },
          { key: "name", title: "NAME" },
          { key: "access_level", title: "ACCESS" },
          { key: "folder", title: "FOLDER", get: (d) => d.folder?.name },
          { key: "versions", title: "VERSIONS", get: (d) => d.versions?.length },
          { key: "updated_at", title: "UPDATED", get: (d) => shortTime(d.updated_at) },
        ], { json: ctx.json });
      },
    },
    upload: {
      args: "FILE…",
      summary: "upload files as new documents",
      options: {
        folder: { type: "string" },
        "access-level": { type: "string" },
        name: { type: "string" },
        description: { type: "string" },
      },
      help: `Options:
  --folder ID          put them in folder ID
  --access-level L     ${ACCESS_LEVELS.join(", ")}
  --name NAME          the document's name (one FILE only; default: the file name without extension)
  --description TEXT   a description

Example:
  conveyor documents upload soc2-2026.pdf iso27001.pdf --folder 1 --access-level need_to_know`,
      check(values, positionals) {
        checkLevel(values["access-level"]);
        checkFolder(values.folder);
        if (values.name && positionals.length > 1) throw new UsageError("--name names one document: give one FILE");
        checkFiles(positionals);
      },
      async run(ctx, values, positionals) {
        const result = await runBulk(positionals, async (path, signal) => {
          const params = fileParam(path);
          if (values.name) params.name = values.name;
          if (values.folder) params.folder_id = Number(values.folder);
          if (values["access-level"]) params.access_level = values["access-level"];
          if (values.description) params.description = values.description;
          const doc = await ctx.client.exchange.documents.create(params, { signal });
          return { document_id: doc?.id ?? null };
        }, { signal: ctx.signal, progress: ctx.progress("uploading", "files"), concurrency: 2 });
        printRecords(ctx.io, result.records, OUTCOME_COLUMNS, { json: ctx.json });
        return reportBulk(ctx.io, "uploaded", result, positionals.length);
      },
    },
    delete: {
      args: "ID…",
      summary: "delete documents",
      options: { yes: { type: "boolean", short: "y" } },
      help: `Options:
  -y, --yes   do not ask for confirmation (required when not on a terminal)

Example:
  conveyor documents delete 12 13 --yes`,
      check(values, positionals) {
        if (!positionals.length) throw new UsageError("give the document ids to delete");
        parseIds(positionals, "document id");
      },
      async run(ctx, values, positionals) {
        const ids = parseIds(positionals, "document id");
        if (!(await ctx.confirm(`Delete ${ids.length} document${ids.length === 1 ? "" : "s"} (${ids.join(", ")})?`, values.yes))) {
          throw new ExitError("cancelled: nothing was deleted", EXIT.other);
        }
        const result = await runBulk(ids, async (id, signal) => {
          await ctx.client.exchange.documents.delete(id, { signal });
          return {};
        }, { signal: ctx.signal, progress: ctx.progress("deleting", "documents") });
        printRecords(ctx.io, result.records, [
          { key: "id", title: "ID" },
          { key: "outcome", title: "OUTCOME" },
          { key: "error", title: "ERROR", get: (r) => r.error?.message },
        ], { json: ctx.json });
        return reportBulk(ctx.io, "deleted", result, ids.length);
      },
    },
  },
};
