// `conveyor kb`: export and search the knowledge base of approved answers.
import { EXIT, UsageError } from "../exit.mjs";
import { printList } from "../output.mjs";
import { FORMATS, createExportWriter, formatOf } from "../export-file.mjs";

const CSV_COLUMNS = ["id", "question", "answer", "status", "created_at", "updated_at"];

export default {
  name: "kb",
  summary: "the knowledge base",
  commands: {
    export: {
      args: "",
      summary: "export every question and answer to JSON, JSON Lines or CSV",
      options: {
        status: { type: "string" },
        format: { type: "string" },
        output: { type: "string", short: "o" },
      },
      help: `Options:
  --status S          only questions in status S (verified, unverified)
  --format F          json (an array; the default), jsonl or csv (${CSV_COLUMNS.join(", ")});
                      by default taken from the -o file's extension
  -o, --output FILE   write to FILE instead of stdout

Records are written page by page as they arrive: if the export stops (an error, Ctrl-C),
the file holds every question fetched so far and is still valid JSON / JSON Lines / CSV.
A progress bar (pages, rate, ETA including the rate limiter's waits) goes to stderr.

Examples:
  conveyor kb export --status verified -o verified.json
  conveyor kb export --format csv > kb.csv`,
      check(values) {
        const f = values.format ?? formatOf(values.output) ?? "json";
        if (!FORMATS.includes(f)) throw new UsageError(`--format takes ${FORMATS.join(", ")}`);
      },
      async run(ctx, values) {
        const format = values.format ?? formatOf(values.output) ?? "json";
        const out = createExportWriter({ path: values.output, format, columns: CSV_COLUMNS });
        const where = values.output ?? "stdout";
        const progress = ctx.progress("exporting the knowledge base", "pages");
        let pages = 0;
        try {
          const list = ctx.client.knowledgeBase.questions.list({ status: values.status, per_page: 100 }, { signal: ctx.signal });
          for await (const page of list.pages()) {
            out.write(page.items);
            pages += 1;
            progress.update(pages, typeof page.total_pages === "number" ? page.total_pages : null, `${out.count} questions`);
          }
        } catch (e) {
          if (e?.code === "EPIPE") throw e;
          out.close();
          progress.end();
          const stopped = ctx.signal.aborted ? "interrupted" : "stopped by an error";
          ctx.io.err(`${stopped}: wrote the first ${out.count} questions to ${where} (a complete ${format} file)\n`);
          throw e;
        }
        out.close();
        progress.end();
        ctx.io.err(`wrote ${out.count} questions to ${where}\n`);
        return EXIT.ok;
      },
    },
    search: {
      args: "TEXT…",
      summary: "find questions whose question or answer holds every word of TEXT",
      options: { status: { type: "string" }, limit: { type: "string" } },
      help: `Options:
  --status S   only questions in status S (verified, unverified)
  --limit N    stop after N matches

The API has no search endpoint: this reads the knowledge base page by page and matches
case-insensitively on the client (reads only).

Example:
  conveyor kb search encryption at rest --status verified`,
      check(values, positionals) {
        if (!positionals.join(" ").trim()) throw new UsageError("give the text to search for");
        if (values.limit !== undefined && !/^[1-9]\d*$/.test(values.limit)) throw new UsageError("--limit takes a positive integer");
      },
      async run(ctx, values, positionals) {
        const words = positionals.join(" ").toLowerCase().split(/\s+/).filter(Boolean);
        const limit = values.limit ? Number(values.limit) : Infinity;
        const list = ctx.client.knowledgeBase.questions.list({ status: values.status, per_page: 100 }, { signal: ctx.signal });
        async function* matching() {
          let found = 0;
          for await (const q of list) {
            const text = `${q.question ?? ""}\n${q.answer ?? ""}`.toLowerCase();
            if (!words.every((w) => text.includes(w))) continue;
            yield { id: q.id, status: q.status, question: q.question, answer: q.answer };
            if (++found >= limit) return;
          }
        }
        await printList(ctx.io, matching(), [
          { key: "id", title: "ID" },
          { key: "status", title: "STATUS" },
          { key: "question", title: "QUESTION" },
          { key: "answer", title: "ANSWER" },
        ], { json: ctx.json });
        return EXIT.ok;
      },
    },
  },
};
