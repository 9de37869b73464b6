// The demo `make demo` runs: the package against the local sandbox, printing what it does.
import { ConveyorClient, ConveyorAuthError } from "conveyor-client";

const baseUrl = process.env.CONVEYOR_BASE_URL ?? "http://127.0.0.1:4010/api/v2";
const apiKey = process.env.CONVEYOR_API_KEY ?? "sk_test_full_0123456789abcdef";

const client = new ConveyorClient({ apiKey, baseUrl });
console.log(`client: ${client}`);

const connections = await (await client.fetch("/exchange/connections?per_page=5")).json();
console.log(`\nGET /exchange/connections?per_page=5 -> ${connections.connections.length} of ${connections.total_pages} page(s)`);
for (const c of connections.connections) console.log(`  ${c.domain.padEnd(28)} ${c.authorizations_count} authorization(s)`);

const queue = await (await client.fetch("/exchange/authorization_request_queue")).json();
const open = queue.authorization_requests ?? [];
console.log(`\nGET /exchange/authorization_request_queue -> ${open.length} open access request(s)`);
for (const r of open.slice(0, 5)) console.log(`  ${r.email.padEnd(34)} ${r.requested_at ?? ""}`);

console.log("\nNow with an inactive key (the API answers 403 with an empty body):");
const inactive = new ConveyorClient({ apiKey: "sk_test_inactive_0123456789", baseUrl });
try {
  await inactive.fetch("/exchange/connections");
} catch (e) {
  console.log(`  rejected: ${e.name} (code ${e.code}, status ${e.status})`);
  console.log(`  instanceof ConveyorAuthError: ${e instanceof ConveyorAuthError}`);
  console.log(`  message: ${e.message}`);
}
