#!/usr/bin/env node
// A plain static file server for the admin tool: serves the repo root (www/ and pkg/) with
// the right MIME types (.wasm as application/wasm). The tool itself has no server logic.
//   node www/serve.mjs [--port 8080] [--host 127.0.0.1] [--sandbox http://127.0.0.1:4010]
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".d.ts": "text/plain; charset=utf-8",
};

export const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

/** Serves `root` on host:port (0 = any free port); resolves with { url, close() }. */
export async function serve({ root = repoRoot, port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === "/") {
      res.writeHead(302, { location: "/www/" }).end();
      return;
    }
    let file = join(root, path);
    if (!file.startsWith(root) || /(^|\/)\.(?!well-known)/.test(path)) {
      res.writeHead(404).end("not found");
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) {
        if (!path.endsWith("/")) {
          res.writeHead(301, { location: `${path}/` }).end();
          return;
        }
        file = join(file, "index.html");
      }
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((r, j) => server.once("error", j).listen(port, host, () => r(undefined)));
  const { port: bound } = /** @type {import("node:net").AddressInfo} */ (server.address());
  const url = `http://${host}:${bound}`;
  return { url, close: () => new Promise((r) => server.close(r)), server };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const { url } = await serve({ port: Number(arg("port", process.env.PORT ?? 8080)), host: arg("host", "127.0.0.1") });
  const sandbox = arg("sandbox", process.env.SANDBOX_URL);
  console.log(`admin tool: ${url}/www/${sandbox ? `?sandbox=${encodeURIComponent(sandbox)}` : ""}`);
  console.log("(serving the repository root; Ctrl-C to stop)");
}
