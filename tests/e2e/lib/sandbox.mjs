// Starts the real conveyor-sandbox binary on a free loopback port for a test.
import { spawn } from "node:child_process";
import { once } from "node:events";

/** The keys the sandbox ships in sandbox/fixtures/keys.json. */
export const KEYS = {
  full: "sk_test_full_0123456789abcdef",
  inactive: "sk_test_inactive_0123456789",
  readonly: "sk_test_readonly_0123456789",
  bench: "sk_test_bench_0123456789",
  exchange: "sk_test_exchange_0123456789",
};

/**
 * @param {string[]} args extra flags, e.g. ["--rate-limit", "50/2"]
 * @returns {Promise<{ url: string, api: string, stop(): Promise<void>, stats(): Promise<any>, requests(): Promise<any[]>, reset(): Promise<void> }>}
 */
export async function startSandbox(args = []) {
  const bin = process.env.SANDBOX_BIN;
  if (!bin) throw new Error("SANDBOX_BIN is not set: run the tests through `make test`");
  const child = spawn(bin, ["--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let buffered = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("sandbox did not start within 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`sandbox exited early with ${code}`)));
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const get = async (p) => (await fetch(url + p)).json();
  return {
    url,
    api: `${url}/api/v2`,
    async stop() {
      if (child.exitCode === null) {
        child.kill();
        await once(child, "exit");
      }
    },
    stats: () => get("/_sandbox/stats"),
    requests: () => get("/_sandbox/requests"),
    async reset() {
      await fetch(url + "/_sandbox/reset", { method: "POST" });
    },
  };
}
