// A small node:http server that misbehaves on purpose, for the hostile-world suite. The
// first path segment picks the behaviour, so a client's `baseUrl` can carry it and every
// typed method meets the same fault: `http://127.0.0.1:PORT/<mode>/api/v2/...`.
import http from "node:http";

/** Modes; each answers any path under `/<mode>/`. */
const MODES = {
  // 200 {"ok":true} (with the request's query echoed, for the query-encoding checks).
  ok: (req, res, url) => json(res, 200, { ok: true, query: url.search, access_groups: [] }),
  // Headers at once, then one byte every 50 ms, never ending.
  trickle: (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write("[");
    const t = setInterval(() => res.write(" "), 50);
    res.on("close", () => clearInterval(t));
  },
  // Headers and half a body, then nothing.
  stall: (req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"access_groups":');
  },
  // An error's headers and half its body, then nothing.
  "error-stall": (req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.write('{"error":');
  },
  // Never any headers.
  "headers-stall": () => {},
  // A JSON string body of `?n=` bytes (default 1 MiB), written in 64 KiB chunks.
  big: (req, res, url) => {
    const n = Number(url.searchParams.get("n") ?? 1 << 20);
    res.writeHead(200, { "content-type": "application/json" });
    let left = n - 2;
    res.write('"');
    const chunk = "x".repeat(65536);
    const more = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.slice(0, left);
        left -= part.length;
        if (!res.write(part)) return void res.once("drain", more);
      }
      res.end('"');
    };
    more();
  },
  // A 400 that echoes what it was sent, the key included, as proxies and debug servers do.
  echo: (req, res) => {
    const key = req.headers["x-api-key"] ?? "";
    json(res, 400, {
      error: "bad request",
      headers: req.headers,
      note: `you sent ${key}`,
      part: key.slice(3, -3),
      nested: { deeper: [{ again: `key=${key}` }] },
    });
  },
  // A 400 whose body nests 100,000 arrays deep.
  deep: (req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end("[".repeat(100_000) + "]".repeat(100_000));
  },
  // A 302 to `?to=`.
  redirect: (req, res, url) => {
    res.writeHead(302, { location: url.searchParams.get("to") });
    res.end();
  },
  // 429 with `Retry-After: ?s=` seconds.
  "retry-after": (req, res, url) => {
    res.writeHead(429, { "retry-after": url.searchParams.get("s") ?? "3000000" });
    res.end();
  },
};

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * Starts the server on a free loopback port.
 * @returns {Promise<{ url: string, requests: { mode: string, method: string, url: string, headers: object }[], stop(): Promise<void> }>}
 */
export async function startHostileServer() {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const mode = url.pathname.split("/")[1];
    requests.push({ mode, method: req.method, url: req.url, headers: req.headers });
    req.resume();
    const handler = MODES[mode];
    if (!handler) return json(res, 404, { error: `no mode ${mode}` });
    handler(req, res, url);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
