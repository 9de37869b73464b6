// The server half of the hostile-world suite, runtime-neutral: it runs in Node
// (hostile.test.mjs) and inside workerd (runtimes/hostile-worker.mjs) against the
// node:http server of lib/hostile-server.mjs. Each case must settle within its deadline
// plus SLACK_MS, with the expected class and code; the answer is a list of failures.

const TIMEOUT_MS = 300;
// Scheduling slack on a shared 2-CPU machine; a body that kept the call pending would
// overrun it by seconds (the servers never finish on their own).
const SLACK_MS = 1200;

/**
 * @param pkg the package's exports
 * @param {{ server: string, foreign: string, key: string }} env base origins and the key
 * @returns {Promise<{ failures: string[], ran: string[] }>}
 */
export async function serverCases(pkg, env) {
  const { ConveyorClient, ConveyorError } = pkg;
  const failures = [];
  const ran = [];
  const client = (mode, extra = {}) =>
    new ConveyorClient({
      apiKey: env.key,
      baseUrl: `${env.server}/${mode}/api/v2`,
      maxRetries: 0,
      rateLimit: false,
      ...extra,
    });

  /** Runs `call(signal)` and checks how and when it settled. */
  async function expect(name, call, { cls, code, within = TIMEOUT_MS, abortAt }) {
    ran.push(name);
    const controller = new AbortController();
    const started = Date.now();
    let timer;
    if (abortAt !== undefined) timer = setTimeout(() => controller.abort(new Error("stop")), abortAt);
    // A guard far past the deadline, so a case that hangs fails instead of hanging the suite.
    let guard;
    const hung = new Promise((r) => (guard = setTimeout(() => r({ hung: true }), within + 10_000)));
    const outcome = await Promise.race([
      call(controller.signal).then((value) => ({ value }), (error) => ({ error })),
      hung,
    ]);
    clearTimeout(guard);
    clearTimeout(timer);
    const elapsed = Date.now() - started;
    if (outcome.hung) return failures.push(`${name}: still pending after ${elapsed} ms`);
    if (!outcome.error) return failures.push(`${name}: resolved, expected ${cls}/${code}`);
    const e = outcome.error;
    if (!(e instanceof ConveyorError) || e.name !== cls || e.code !== code) {
      failures.push(`${name}: rejected with ${e && e.name}/${e && e.code} (${e && e.message}), expected ${cls}/${code}`);
    }
    if (elapsed > within + SLACK_MS) failures.push(`${name}: settled after ${elapsed} ms, deadline ${within} ms`);
    return e;
  }

  const timeoutError = { cls: "ConveyorTimeoutError", code: "timeout" };
  const aborted = { cls: "ConveyorAbortError", code: "aborted", abortAt: TIMEOUT_MS };
  // A fetch that drops the signal it is given: the deadline must not depend on it.
  const deaf = (input, init) => fetch(input, { ...init, signal: undefined });

  // A stalled error body ends at the deadline with the status's own error, without
  // `details`: the status arrived, only the optional body did not.
  const badRequest = { cls: "ConveyorValidationError", code: "invalid_request" };
  for (const mode of ["trickle", "stall", "error-stall", "headers-stall"]) {
    const timeout = mode === "error-stall" ? badRequest : timeoutError;
    const c = client(mode, { timeoutMs: TIMEOUT_MS });
    await expect(`${mode}: request() with timeoutMs`, () => c.request("GET", "/exchange/access_groups"), timeout);
    await expect(`${mode}: typed method with timeoutMs`, () => c.exchange.accessGroups.list(), timeout);
    await expect(`${mode}: per-call timeoutMs`, () =>
      client(mode).request("POST", "/exchange/folders", { body: { name: "x" }, timeoutMs: TIMEOUT_MS }), timeout);
    await expect(`${mode}: custom fetch that drops the signal`, () =>
      client(mode, { timeoutMs: TIMEOUT_MS, fetch: deaf }).request("GET", "/x"), timeout);
    const slow = client(mode, { timeoutMs: 60_000 });
    await expect(`${mode}: request() aborted`, (signal) => slow.request("GET", "/x", { signal }), aborted);
    await expect(`${mode}: typed method aborted`, (signal) =>
      slow.exchange.accessGroups.list({}, { signal }), aborted);
    await expect(`${mode}: aborted with a custom fetch that drops the signal`, (signal) =>
      client(mode, { timeoutMs: 60_000, fetch: deaf }).request("GET", "/x", { signal }), aborted);
  }
  // fetch() hands the body over unread; an error body it reads itself for `details`.
  await expect("error-stall: fetch() with timeoutMs", () =>
    client("error-stall", { timeoutMs: TIMEOUT_MS }).fetch("/x"), badRequest);
  await expect("error-stall: fetch() aborted", (signal) =>
    client("error-stall", { timeoutMs: 60_000 }).fetch("/x", { signal }), aborted);

  const tooLarge = { cls: "ConveyorResponseError", code: "too_large", within: 3000 };
  await expect("a body over maxResponseBytes", () =>
    client("big", { maxResponseBytes: 10_000 }).request("GET", "/x?n=200000"), tooLarge);
  await expect("a body over maxResponseBytes, typed method", () =>
    client("big", { maxResponseBytes: 10_000 }).exchange.accessGroups.list(), tooLarge);
  await expect("a body over the default 32 MiB cap", () =>
    client("big").request("GET", `/x?n=${32 * 1024 * 1024 + 10}`), { ...tooLarge, within: 20_000 });
  ran.push("a body under the cap is read");
  try {
    const body = await client("big", { maxResponseBytes: 10_000 }).request("GET", "/x?n=10000");
    if (body.length !== 9998) failures.push(`a body under the cap: got ${body.length} characters`);
    const inf = await client("big", { maxResponseBytes: Infinity }).request("GET", "/x?n=100000");
    if (inf.length !== 99998) failures.push(`maxResponseBytes: Infinity: got ${inf.length} characters`);
  } catch (e) {
    failures.push(`a body under the cap rejected: ${e && e.message}`);
  }

  // The key never comes back in an error, whole or in long pieces.
  const leaks = (text) => {
    for (let i = 0; i + 8 <= env.key.length; i++) if (text.includes(env.key.slice(i, i + 8))) return true;
    return false;
  };
  const echoed = await expect("a 400 that echoes the key", () => client("echo").request("GET", "/x"), {
    cls: "ConveyorValidationError",
    code: "invalid_request",
  });
  if (echoed instanceof ConveyorError) {
    const shown = [JSON.stringify(echoed), echoed.message, String(echoed), JSON.stringify(echoed.details)].join("\n");
    if (leaks(shown)) failures.push(`the echoed key reached the error: ${shown}`);
    if (echoed.details?.error !== "bad request") failures.push(`the rest of the echoed body was lost: ${JSON.stringify(echoed.details)}`);
  }
  const deep = await expect("a 400 nested 100,000 deep", () => client("deep").request("GET", "/x"), {
    cls: "ConveyorValidationError",
    code: "invalid_request",
  });
  if (deep instanceof ConveyorError) {
    try {
      const text = JSON.stringify(deep);
      if (text.length > 100_000) failures.push(`a deep body gave ${text.length} characters of JSON`);
    } catch (e) {
      failures.push(`JSON.stringify of a deep body's error threw: ${e && e.message}`);
    }
  }

  // A custom fetch that follows redirects itself, or answers from elsewhere: the client
  // refuses the foreign response.
  const follow = (input, init) => fetch(input, { ...init, redirect: "follow" });
  const foreign = { cls: "ConveyorNetworkError", code: "network" };
  await expect("a custom fetch that followed a redirect to another origin", () =>
    client("redirect", { fetch: follow }).request("GET", `/x?to=${encodeURIComponent(`${env.foreign}/ok/`)}`), foreign);
  await expect("a custom fetch that answered from another origin", () =>
    client("ok", { fetch: () => fetch(`${env.foreign}/ok/`) }).request("GET", "/x"), foreign);

  // After all of it, a normal request works.
  ran.push("a normal request afterwards");
  try {
    const ok = await client("ok").request("GET", "/x");
    if (!ok || ok.ok !== true) failures.push(`a normal request afterwards resolved with ${JSON.stringify(ok)}`);
  } catch (e) {
    failures.push(`a normal request afterwards rejected: ${e && e.message}`);
  }
  return { failures, ran };
}
