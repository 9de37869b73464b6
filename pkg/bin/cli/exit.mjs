// Exit codes, one per error class, and the mapping from the client's typed errors to them.

/** The documented exit codes (README, `conveyor --help`). */
export const EXIT = Object.freeze({
  ok: 0,
  other: 1,
  usage: 2,
  auth: 3,
  rateLimit: 4,
  network: 5,
  interrupted: 130,
});

/** A mistake on the command line: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  name = "UsageError";
}

/** A failure the command already explained; carries the exit code to use. */
export class ExitError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** The exit code for an error a client call rejected with (or anything else thrown). */
export function exitCodeFor(err) {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof ExitError) return err.code;
  switch (err?.name) {
    case "ConveyorAuthError":
      return EXIT.auth;
    case "ConveyorRateLimitError":
      return EXIT.rateLimit;
    case "ConveyorNetworkError":
    case "ConveyorServerError":
    case "ConveyorTimeoutError":
    case "ConveyorResponseError":
      return EXIT.network;
    case "ConveyorAbortError":
      return EXIT.interrupted;
    case "ConveyorConfigError":
      return EXIT.usage;
    default:
      return EXIT.other;
  }
}

/** Whether a bulk job should stop at this error rather than go on with the next item:
 * a key that is refused, a spent allowance or an unreachable server fails every item alike. */
export function stopsTheJob(err) {
  const code = exitCodeFor(err);
  return code === EXIT.auth || code === EXIT.rateLimit || code === EXIT.network || code === EXIT.interrupted;
}

/** A short, secret-free description of an error for a log line or a JSON record. */
export function describe(err) {
  if (err && typeof err === "object" && typeof err.code === "string" && String(err.name).startsWith("Conveyor")) {
    return { name: err.name, code: err.code, status: err.status ?? null, message: err.message };
  }
  return { name: err?.name ?? "Error", code: null, status: null, message: String(err?.message ?? err) };
}
