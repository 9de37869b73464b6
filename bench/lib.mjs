// Shared helpers of the benchmarks: the sandbox, timing, medians, JSON hand-back.
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export { startSandbox, KEYS } from "../tests/e2e/lib/sandbox.mjs";

/** An integer from the environment, or `fallback`. */
export function envInt(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The `q` quantile (0..1) of `xs`, nearest rank. */
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

export const cpuMicros = (d) => d.user + d.system;

/** Runs `total` calls of `one()` with `concurrency` of them in flight at any time. */
export async function pool(total, concurrency, one) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/** Each part prints one line `BENCH_RESULT <json>`; run.mjs collects it. */
export function report(result) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
