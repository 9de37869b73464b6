// bench/stores.mjs inside workerd. One bundle serves every role: the first worker hosts
// the ConveyorRateLimiter class (the LIMITER binding), the others bind it by scriptName, as
// separate isolates of one deployment would. The key is a binding, never in a URL.
//
// GET /?op=latency&mode=plain|memory|do&n=&conc=&api=
//   n requests, conc in flight; answers each request's latency in ms (workerd's clock only
//   moves on I/O, in whole ms: each reading follows the previous response or the dispatch
//   into this isolate) and the batch's total.
// GET /?op=fleet&api=&limit=&windowMs=&fleet=&backlog=&at=&until=
//   from epoch ms `at` until `until` keeps `backlog` requests waiting through the Durable
//   Object store, then lets them finish; answers when each request left (Date.now()).
import { ConveyorClient } from "conveyor-client/stores";
import { ConveyorRateLimiter, durableObjectStore } from "conveyor-client/durable-object";
import { saturate } from "./saturate.mjs";

export { ConveyorRateLimiter };

const PATH = "/exchange/access_groups";
const HIGH = { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000 };
const clients = new Map();

function client(mode, api, env) {
  const id = `${mode} ${api}`;
  if (!clients.has(id)) {
    const rateLimit = mode === "do" ? { ...HIGH, shared: false, store: durableObjectStore(env.LIMITER), fleetSize: 1 } : { ...HIGH, shared: false };
    clients.set(id, new ConveyorClient({ apiKey: env.CONVEYOR_API_KEY, baseUrl: api, rateLimit }));
  }
  return clients.get(id);
}

async function latency(p, env) {
  const api = p.get("api");
  const n = Number(p.get("n"));
  const conc = Number(p.get("conc"));
  let one;
  if (p.get("mode") === "plain") {
    const headers = { "X-API-KEY": env.CONVEYOR_API_KEY, Accept: "application/json" };
    one = async () => {
      const res = await fetch(api + PATH, { headers });
      if (res.status !== 200) throw new Error(`plain fetch got ${res.status}`);
      await res.arrayBuffer();
    };
  } else {
    const c = client(p.get("mode"), api, env);
    one = async () => {
      await (await c.fetch(PATH)).arrayBuffer();
    };
  }
  await one();
  const ms = [];
  let left = n;
  // A lane times one request and, while any are left, starts the next.
  const lane = () => {
    if (left <= 0) return undefined;
    left -= 1;
    const t = Date.now();
    return one().then(() => (ms.push(Date.now() - t), lane()));
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: Math.min(conc, n) }, lane));
  return { ms, totalMs: Date.now() - t0 };
}

function fleet(p, env) {
  const options = {
    apiKey: env.CONVEYOR_API_KEY,
    baseUrl: p.get("api"),
    rateLimit: {
      limit: Number(p.get("limit")),
      windowMs: Number(p.get("windowMs")),
      store: durableObjectStore(env.LIMITER),
      fleetSize: Number(p.get("fleet")),
    },
  };
  return saturate(options, { backlog: Number(p.get("backlog")), at: Number(p.get("at")), until: Number(p.get("until")) });
}

export default {
  async fetch(request, env) {
    const p = new URL(request.url).searchParams;
    try {
      if (p.get("op") === "latency") return Response.json(await latency(p, env));
      if (p.get("op") === "fleet") return Response.json(await fleet(p, env));
      return new Response("pong");
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) });
    }
  },
};
