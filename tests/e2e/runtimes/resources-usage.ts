// Compiled with `tsc --strict --noEmit` against the shipped declarations: every typed
// method, its params, its records and the ListResult shape.
import {
  ConveyorClient,
  type AuthorizationRequest,
  type Connection,
  type ConnectionsPage,
  type Document,
  type DocumentsPage,
  type KnowledgeBaseQuestion,
  type ListResult,
  type CallOptions,
  type Id,
} from "conveyor-client";

const client = new ConveyorClient({ apiKey: "k" });
const options: CallOptions = { signal: new AbortController().signal, timeoutMs: 5000 };

export async function everyMethod(file: Blob, bytes: Uint8Array): Promise<number> {
  const x = client.exchange;
  // Lists: awaitable for the first page (flat and HAL), iterable over records.
  const connections: ListResult<Connection, ConnectionsPage> = x.connections.list({ domain: "a.example", per_page: 10 }, options);
  const page: ConnectionsPage = await connections;
  const firstDomain: string | undefined = page.connections[0]?.domain;
  const items: Connection[] = page.items;
  const total: number | undefined = page.total_pages;
  for await (const c of x.connections.list()) {
    const id: Id = c.id;
    void id;
  }
  for await (const p of x.connections.list().pages()) void p.items.length;
  const some: Connection[] = await x.connections.list().toArray({ limit: 5 });

  const req: AuthorizationRequest = await x.authorizationRequests.get(1, options);
  await x.authorizationRequests.list({ email: "a@b.c", status: "requested" });
  await x.authorizationRequests.list({ status: "a-status-added-later" });
  const ignored: AuthorizationRequest = await x.authorizationRequests.ignore("1", { reviewer_email: "r@x" });
  const queue: AuthorizationRequest[] = await x.authorizationRequests.queue().toArray();

  await x.authorizations.list({ email: "a@b.c", status: "authorized" });
  const auth = await x.authorizations.create({ email: "a@b.c", access_group_ids: [1, "2"], nda_bypass: true, expires_at: new Date() });
  await x.authorizations.create({ request_id: req.id });
  await x.authorizations.update(auth.id, { status: "revoked", access_group_ids: [] });
  const revoked = await x.authorizations.revoke(auth.id, options);
  const groupName: string | undefined = revoked._embedded?.access_groups?.[0]?.name;

  await x.accessGroups.list().toArray();
  const folders = await x.folders.list();
  const folderCount: number = folders._embedded.folders.length + folders.items.length;
  const folder = await x.folders.create({ name: "Policies" });
  const deleted: void = await x.folders.delete(folder.id);

  const docs: DocumentsPage = await x.documents.list();
  const doc: Document = await x.documents.create({ name: "SOC 2", file, access_level: "need_to_know", certification: "soc2-type-2" });
  await x.documents.create({ name: "ISO", file: bytes, filename: "iso.pdf", folder_id: folder.id, product_line_ids: [1] });
  await x.documents.create({ name: "Raw", file: bytes.buffer as ArrayBuffer, filename: "raw.pdf" });
  await x.documents.update(doc.id, { description: "d", featured: true, disable_downloads: false, use_for_question_answering: true });
  await x.documents.delete(doc.id);

  const qs = await client.questionnaires.list({ status: "completed", created_at_start: new Date(0), due_at_end: "2030-01-01", product_line_ids: [1] });
  const qStatus: string | undefined = qs.items[0]?.status;
  await client.questionnaires.create({ domain: "a.example", email: "a@a.example", original_format: "spreadsheet", file, filename: "q.xlsx", crm_amount: 1.5 });
  await client.questionnaireRequests.create({ external_id: "e", case_ids: ["c"], file: bytes });
  await client.questionnaireRequests.create();

  const kb: KnowledgeBaseQuestion[] = await client.knowledgeBase.questions.list({ status: "verified" }).toArray();
  await client.interactions.list({ type: "Q & A", created_at_start: new Date() });
  await client.interactions.byConnection(1).toArray();
  await client.interactions.byDocument("d", { type: "Document" });
  await client.interactions.byQuestion(3, {}, options);
  const lines = await client.productLines.list();
  const lineName: string | undefined = lines.items[0]?.name;
  const answer = await client.singleQuestion.ask({ question: "q?", multiple_choice_options: ["Yes", "No"], confidence_threshold: 0.8 });
  const text: string | null | undefined = answer.answer;
  await client.reviews.create({ email: "a@b.c", vendor_name: "Acme", vendor_vm_id: 1 });

  // Unknown fields are there, as `unknown`.
  const extra: unknown = page.items[0]?.some_new_field;
  void [firstDomain, items, total, some, ignored, queue, groupName, folderCount, deleted, docs, qStatus, kb, lineName, text, extra];
  return page.items.length;
}

// The declarations must be strict enough to catch misuse:
// @ts-expect-error reviewer_email is required
void client.exchange.authorizationRequests.ignore("1", {});
// @ts-expect-error ignore needs the id first
void client.exchange.authorizationRequests.ignore({ reviewer_email: "r@x" });
// @ts-expect-error request_id or email is required
void client.exchange.authorizations.create({ nda_bypass: true });
// @ts-expect-error name is required
void client.exchange.folders.create({});
// @ts-expect-error file is required to create a document
void client.exchange.documents.create({ name: "x" });
// @ts-expect-error a file is a Blob, Uint8Array or ArrayBuffer
void client.exchange.documents.create({ name: "x", file: "path/to/file.pdf" });
// @ts-expect-error original_format is required
void client.questionnaires.create({ domain: "a", email: "b" });
// @ts-expect-error status is a string
void client.knowledgeBase.questions.list({ status: 1 });
// @ts-expect-error unknown parameter
void client.exchange.connections.list({ domian: "typo" });
// @ts-expect-error per_page is a number
void client.exchange.connections.list({ per_page: "10" });
// @ts-expect-error revoke takes no params object
void client.exchange.authorizations.revoke("1", { status: "revoked" });
// @ts-expect-error question is required
void client.singleQuestion.ask({});
// @ts-expect-error vendor_name is required
void client.reviews.create({ email: "a@b.c" });
