// Running one write per id, several in flight (the client's limiter paces them), and
// accounting exactly for every id: done, failed, not attempted, or interrupted in flight.
import { EXIT, describe, exitCodeFor, stopsTheJob } from "./exit.mjs";

/** How many writes are in flight at once: the limiter, not this, sets the pace. */
export const CONCURRENCY = 8;

/**
 * Calls `act(id, signal)` for each id. An error that would fail every other id too (403,
 * 429 after retries, network, server) stops the job: ids not yet started are reported
 * as not attempted. Ctrl-C (the signal) does the same; ids whose request was in flight
 * then are "interrupted": the server may or may not have applied them.
 */
export async function runBulk(ids, act, { signal, progress, concurrency = CONCURRENCY }) {
  const outcome = new Map();
  let next = 0;
  let stoppedBy = null;
  let finished = 0;
  progress?.update(0, ids.length);
  const worker = async () => {
    while (next < ids.length && !stoppedBy && !signal.aborted) {
      const id = ids[next++];
      try {
        const result = await act(id, signal);
        outcome.set(id, { id, outcome: "done", ...result });
      } catch (e) {
        if (signal.aborted && exitCodeFor(e) === EXIT.interrupted) {
          outcome.set(id, { id, outcome: "interrupted" });
        } else {
          outcome.set(id, { id, outcome: "failed", error: describe(e) });
          progress?.log(`${id}: failed: ${e?.name ?? "Error"}: ${e?.message ?? e}`);
          if (stopsTheJob(e)) stoppedBy ??= e;
        }
      }
      finished += 1;
      progress?.update(finished, ids.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  progress?.end();
  const records = ids.map((id) => outcome.get(id) ?? { id, outcome: "not_attempted" });
  const by = (o) => records.filter((r) => r.outcome === o).map((r) => r.id);
  return { records, done: by("done"), failed: by("failed"), notAttempted: by("not_attempted"), interrupted: by("interrupted"), stoppedBy };
}

/** The summary lines on stderr and the exit code of a bulk job. */
export function reportBulk(io, verb, result, total) {
  const p = io.paintErr;
  const list = (ids) => (ids.length > 20 ? `${ids.slice(0, 20).join(", ")} … (${ids.length - 20} more)` : ids.join(", "));
  io.err(`${verb} ${result.done.length} of ${total}` + (result.done.length ? `: ${list(result.done)}` : "") + "\n");
  if (result.failed.length) io.err(p.red(`failed (${result.failed.length}): ${list(result.failed)}`) + "\n");
  if (result.interrupted.length) io.err(p.yellow(`interrupted before an answer came (${result.interrupted.length}; in flight or waiting for the rate limit), may or may not have been applied: ${list(result.interrupted)}`) + "\n");
  if (result.notAttempted.length) io.err(`not attempted (${result.notAttempted.length}): ${list(result.notAttempted)}` + "\n");
  if (result.stoppedBy) {
    io.err(`stopped at the first ${result.stoppedBy.name ?? "error"}: the rest would fail the same way\n`);
    if (exitCodeFor(result.stoppedBy) === EXIT.auth) io.err("Run `conveyor key check` to see which resources this key can read.\n");
    return exitCodeFor(result.stoppedBy);
  }
  if (result.interrupted.length || result.notAttempted.length) return EXIT.interrupted;
  return result.failed.length ? EXIT.other : EXIT.ok;
}
