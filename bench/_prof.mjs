import { ConveyorClient } from "conveyor-client";
const BODY='{"access_groups":[]}';
const stub = () => Promise.resolve(new Response(BODY, { status: 200, headers: { "content-type": "application/json" } }));
const c = new ConveyorClient({ apiKey: "bench_0123456789abcdef", baseUrl: "https://api.conveyor.test/api/v2", rateLimit: false, fetch: stub });
const mode = process.argv[2] || "fetch";
const one = mode === "fetch" ? async () => (await c.fetch("/exchange/access_groups")).arrayBuffer() : mode === "stub" ? async () => (await stub()).arrayBuffer() : () => c.request("GET", "/exchange/access_groups");
for (let r = 0; r < 5; r++) {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 20000; i++) await one();
  const u = process.cpuUsage(cpu0);
  console.log(mode, ((u.user + u.system) / 20000).toFixed(2), "us/call");
}
