// Exports the whole knowledge base (every question and its approved answer) to a JSON file,
// with a progress line, paging through the API with the client's auto-pagination.
//
//   CONVEYOR_API_KEY=... node examples/export-knowledge-base.mjs [out.json] [--status verified] [--per-page 100]
//
// CONVEYOR_BASE_URL points it elsewhere (e.g. the local sandbox, http://127.0.0.1:4010/api/v2).
// The rate limiter keeps a big export under 2000 requests per 5 minutes on its own.
import { writeFile } from "node:fs/promises";
import { ConveyorClient, ConveyorError } from "conveyor-client";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};
const status = flag("--status");
const perPage = Number(flag("--per-page") ?? 100);
const out = args[0] ?? "knowledge-base.json";

const apiKey = process.env.CONVEYOR_API_KEY;
if (!apiKey) {
  console.error("Set CONVEYOR_API_KEY (Settings > Integrations > Conveyor API).");
  process.exit(2);
}
const client = new ConveyorClient({ apiKey, baseUrl: process.env.CONVEYOR_BASE_URL });

// On a terminal the progress line rewrites itself; in a log it is one line per page.
const tty = process.stderr.isTTY;
const progress = (text) => process.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);

const questions = [];
let pages = 0;
try {
  for await (const page of client.knowledgeBase.questions.list({ status, per_page: perPage }).pages()) {
    pages += 1;
    questions.push(...page.items);
    const of = typeof page.total_pages === "number" ? `/${page.total_pages}` : "";
    progress(`exporting the knowledge base: page ${pages}${of}, ${questions.length} questions`);
  }
} catch (e) {
  if (tty) process.stderr.write("\n");
  if (e instanceof ConveyorError) {
    console.error(`export failed after ${questions.length} questions: ${e.name} (${e.code}): ${e.message}`);
    process.exit(1);
  }
  throw e;
}
if (tty) process.stderr.write("\n");

const doc = { exported_at: new Date().toISOString(), status: status ?? "all", count: questions.length, questions };
await writeFile(out, JSON.stringify(doc, null, 2) + "\n");
console.error(`wrote ${questions.length} questions to ${out}`);
