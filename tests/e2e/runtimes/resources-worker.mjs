// A module worker exercising the typed methods inside workerd: uploads of every kind
// (Blob, Uint8Array, ArrayBuffer) through the platform FormData, and auto-pagination.
import { ConveyorClient, ConveyorValidationError } from "conveyor-client";

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const failures = [];
    const check = (cond, what) => {
      if (!cond) failures.push(what);
    };
    let uploaded = 0;
    try {
      const c = new ConveyorClient({ apiKey: params.get("key"), baseUrl: params.get("api"), rateLimit: false });
      const enc = new TextEncoder();
      for (const [what, file, filename] of [
        ["Blob", new Blob(["%PDF-1.4 workerd blob"], { type: "application/pdf" }), "w-blob.pdf"],
        ["Uint8Array", enc.encode("%PDF-1.4 workerd bytes"), "w-bytes.pdf"],
        ["ArrayBuffer", enc.encode("%PDF-1.4 workerd buffer").buffer, "w-buffer.pdf"],
      ]) {
        const doc = await c.exchange.documents.create({ name: `workerd ${what}`, file, filename });
        check(doc?.name === `workerd ${what}`, `${what} upload came back (${JSON.stringify(doc)})`);
        const v = doc?.versions?.[0];
        if (v) check(v.filename === filename, `${what} kept its file name (${v.filename})`);
        await c.exchange.documents.delete(doc.id);
        uploaded += 1;
      }
      const q = await c.questionnaires.create({
        domain: "w.example",
        email: "w@w.example",
        original_format: "spreadsheet",
        file: enc.encode("a,b\n"),
        filename: "w.csv",
      });
      check(q?.id !== undefined, "questionnaire upload");
      uploaded += 1;

      const first = await c.knowledgeBase.questions.list({ per_page: 1 });
      const all = await c.knowledgeBase.questions.list({ per_page: 1 }).toArray();
      check(all.length === first.total_pages, `iterated ${all.length} of ${first.total_pages} questions`);

      let invalid;
      try {
        await c.exchange.folders.create({});
      } catch (e) {
        invalid = e;
      }
      check(invalid instanceof ConveyorValidationError, "validation errors are typed in workerd");
    } catch (e) {
      failures.push(`threw: ${e && e.stack}`);
    }
    return Response.json({ failures, uploaded });
  },
};
