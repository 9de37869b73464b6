// Starts a real redis-server (installed by scripts/setup.sh) on a free loopback port for a
// test: nothing persisted, so every start is empty, and restart() keeps the port, as a
// Redis coming back after an outage would.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, connect } from "node:net";

/** A free loopback port: the OS picks one for a throwaway listener. */
async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/** Resolves once something accepts connections on `port`, or throws after `ms`. */
async function waitForPort(port, child, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => socket.end(() => resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * @returns {Promise<{ port: number, url: string, stop(): Promise<void>, restart(): Promise<void> }>}
 */
export async function startRedis() {
  const port = await freePort();
  let child;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    await waitForPort(port, child);
  };
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGKILL: an outage, not a graceful shutdown (and nothing to save anyway).
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}
