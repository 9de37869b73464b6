// The overhead loop inside workerd: ?mode=plain|client-off|client-high|ky|ofetch|hand|ofetch-deadline|hand-deadline&n=&conc=&api=&key=
import { ConveyorClient } from "conveyor-client";
import ky from "ky";
import { ofetch } from "ofetch";
import { handWrapper } from "./hand-wrapper.mjs";

const PATH = "/exchange/access_groups";
const clients = new Map();

function client(mode, api, key) {
  const id = `${mode} ${api}`;
  if (!clients.has(id)) {
    const rateLimit = mode === "client-off" ? false : { limit: 1_000_000_000, windowMs: 1000, maxQueue: 1_000_000, shared: false };
    clients.set(id, new ConveyorClient({ apiKey: key, baseUrl: api, rateLimit }));
  }
  return clients.get(id);
}

export default {
  async fetch(request) {
    const p = new URL(request.url).searchParams;
    const api = p.get("api");
    const key = p.get("key");
    const mode = p.get("mode");
    const n = Number(p.get("n"));
    const conc = Number(p.get("conc"));
    try {
      let one;
      if (mode === "plain") {
        const headers = { "X-API-KEY": key, Accept: "application/json" };
        one = async () => {
          const res = await fetch(api + PATH, { headers });
          if (res.status !== 200) throw new Error(`plain fetch got ${res.status}`);
          await res.arrayBuffer();
        };
      } else if (mode === "ky") {
        const api2 = ky.create({ prefix: api, headers: { "X-API-KEY": key, Accept: "application/json" }, retry: 0 });
        one = async () => {
          await api2.get(PATH.slice(1)).arrayBuffer();
        };
      } else if (mode === "ofetch" || mode === "ofetch-deadline") {
        // `-deadline`: a 30 s deadline per request, as the client always has (`timeoutMs`).
        const timeout = mode === "ofetch" ? undefined : 30_000;
        const api2 = ofetch.create({ baseURL: api, headers: { "X-API-KEY": key, Accept: "application/json" }, retry: 0, responseType: "arrayBuffer", timeout });
        one = async () => {
          await api2(PATH);
        };
      } else if (mode === "hand" || mode === "hand-deadline") {
        const timeoutMs = mode === "hand" ? undefined : 30_000;
        const hand = handWrapper({ apiKey: key, baseUrl: api, limit: 1_000_000_000, windowMs: 1000, timeoutMs });
        one = async () => {
          await (await hand(PATH)).arrayBuffer();
        };
      } else {
        const c = client(mode, api, key);
        one = async () => {
          await (await c.fetch(PATH)).arrayBuffer();
        };
      }
      await one(); // the clock reads below both follow I/O
      let next = 0;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: Math.min(conc, n) }, async () => {
          while (next < n) {
            next += 1;
            await one();
          }
        }),
      );
      const ms = Date.now() - t0;
      return Response.json({ n, ms });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) });
    }
  },
};
