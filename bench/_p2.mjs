import { ConveyorClient } from "conveyor-client";
const R = new Response("{}", { status: 200 });
const stub = () => Promise.resolve(R);
const mk = (rl) => new ConveyorClient({ apiKey: "bench_0123456789abcdef", baseUrl: "https://api.conveyor.test/api/v2", rateLimit: rl, fetch: stub });
const off = mk(false), on = mk({ limit: 1e9, windowMs: 1000, maxQueue: 1e6, shared: false });
const N = 50000;
const modes = { stub: () => stub(), off: () => off.fetch("/exchange/access_groups"), on: () => on.fetch("/exchange/access_groups"), hand: async () => { const r = await stub("u", { headers: { a: "b" } }); if (r.status === 403) throw 1; return r; } };
const only = process.argv[2];
for (let r = 0; r < 6; r++) for (const [m, f] of Object.entries(modes)) {
  if (only && m !== only && m !== "stub") continue;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await f();
  const u = process.cpuUsage(c0);
  if (r >= 2) console.log(m, ((u.user + u.system) / N).toFixed(2));
}
