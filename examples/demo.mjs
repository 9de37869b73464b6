// The demo `make demo` runs: the package against the local sandbox, printing what it does.
import { ConveyorClient, ConveyorAuthError } from "conveyor-client";

const baseUrl = process.env.CONVEYOR_BASE_URL ?? "http://127.0.0.1:4010/api/v2";
const apiKey = process.env.CONVEYOR_API_KEY ?? "sk_test_full_0123456789abcdef";

const client = new ConveyorClient({ apiKey, baseUrl });
console.log(`client: ${client}`);

const page = await client.exchange.connections.list({ per_page: 5 });
console.log(`\nclient.exchange.connections.list({ per_page: 5 }) -> page 1 of ${page.total_pages}`);
for (const c of page.items) console.log(`  ${c.domain.padEnd(28)} ${c.authorizations_count} authorization(s)`);

const queue = await client.exchange.authorizationRequests.queue();
console.log(`\nclient.exchange.authorizationRequests.queue() -> ${queue.items.length} open access request(s)`);
for (const r of queue.items.slice(0, 5)) console.log(`  ${r.email.padEnd(36)} ${r.requested_at ?? ""}`);

let verified = 0;
let total = 0;
for await (const q of client.knowledgeBase.questions.list({ per_page: 100 })) {
  total += 1;
  if (q.status === "verified") verified += 1;
}
console.log(`\nfor await (q of client.knowledgeBase.questions.list()) -> ${total} questions, ${verified} verified`);

const s = client.rateLimitState();
console.log(`\nrate limit: ${s.available} of ${s.limit} tokens left in the rolling ${s.windowMs / 1000} s window`);

console.log("\nNow with an inactive key (the API answers 403 with an empty body):");
const inactive = new ConveyorClient({ apiKey: "sk_test_inactive_0123456789", baseUrl });
try {
  await inactive.exchange.connections.list();
} catch (e) {
  console.log(`  rejected: ${e.name} (code ${e.code}, status ${e.status})`);
  console.log(`  instanceof ConveyorAuthError: ${e instanceof ConveyorAuthError}`);
  console.log(`  message: ${e.message}`);
}
