// The checks every runtime runs against the packaged client, written with web-standard
// APIs only so the same file runs in Node, Deno, workerd and Chromium. It returns a list
// of failures instead of throwing, so each runtime can ship the result back as JSON.

import { webhookScenario } from "./webhook-scenario.mjs";
import { loopbackFailures } from "./loopback.mjs";

/**
 * @param {typeof import("conveyor-client")} pkg the package as this runtime loaded it
 * @param {{ sandbox: string, keys: Record<string, string>, webhookSecret?: string }} env
 * @param {typeof import("conveyor-client/stores")} stores `conveyor-client/stores`, loaded the same way
 */
export async function runScenario(pkg, env, stores) {
  const { ConveyorClient, ConveyorError, ConveyorAuthError, ConveyorConfigError } = pkg;
  const failures = [];
  const check = (cond, what) => {
    if (!cond) failures.push(what);
  };
  const api = `${env.sandbox}/api/v2`;

  // 1. An authenticated request reaches the API and comes back as a standard Response.
  const client = new ConveyorClient({ apiKey: env.keys.full, baseUrl: api });
  const res = await client.fetch("/exchange/connections");
  check(res instanceof Response, "fetch resolves with a Response");
  check(res.status === 200, `authenticated GET is 200 (got ${res.status})`);
  const body = await res.json();
  check(Array.isArray(body.connections), "the connections envelope came back");

  // 2. The key and Accept headers arrived as sent.
  const echoClient = new ConveyorClient({ apiKey: env.keys.full, baseUrl: `${env.sandbox}/_sandbox` });
  const echo = await (await echoClient.fetch("/echo")).json();
  check(echo.headers?.["x-api-key"]?.present === true, "X-API-KEY arrived");
  check(echo.headers?.["x-api-key"]?.prefix === env.keys.full.slice(0, 4), "X-API-KEY carried this key");
  check(String(echo.headers?.accept).includes("application/json"), "Accept: application/json arrived");

  // 3. A 403 rejects with ConveyorAuthError, and the key is nowhere in it.
  const bad = new ConveyorClient({ apiKey: env.keys.inactive, baseUrl: api });
  let err;
  try {
    await bad.fetch("/exchange/connections");
  } catch (e) {
    err = e;
  }
  check(err !== undefined, "a 403 rejects");
  check(err instanceof ConveyorAuthError, "403 is a ConveyorAuthError");
  check(err instanceof ConveyorError, "ConveyorAuthError is a ConveyorError");
  check(err instanceof Error, "ConveyorAuthError is an Error");
  check(err?.name === "ConveyorAuthError", `name is ConveyorAuthError (got ${err?.name})`);
  check(err?.status === 403, "status is 403");
  check(err?.code === "forbidden", "code is forbidden");
  check(/invalid, inactive,? or lacks the permission/.test(err?.message ?? ""), "message explains the 403");
  const serialised = [err?.message, err?.stack, JSON.stringify(err), String(err)].join("\n");
  check(!serialised.includes(env.keys.inactive), "the key is not in the error");

  // 4. Bad options throw a typed error at construction.
  for (const [what, opts] of [
    ["no apiKey", { baseUrl: api }],
    ["empty apiKey", { apiKey: "", baseUrl: api }],
    ["malformed baseUrl", { apiKey: env.keys.full, baseUrl: "not a url" }],
  ]) {
    let thrown;
    try {
      new ConveyorClient(opts);
    } catch (e) {
      thrown = e;
    }
    check(thrown instanceof ConveyorConfigError, `${what} throws ConveyorConfigError`);
  }
  // Plain http only to a loopback host, as this runtime's URL spells it.
  for (const failure of loopbackFailures(ConveyorClient, env.keys.full)) check(false, `loopback: ${failure}`);

  // 5. Stores are the stores build's: the lean entry has no MemoryStore and refuses a store
  // with a ConveyorConfigError that names the entry which has them.
  check(!("MemoryStore" in pkg), "the lean entry does not export MemoryStore");
  let refused;
  try {
    new ConveyorClient({ apiKey: env.keys.full, baseUrl: api, rateLimit: { store: {}, fleetSize: 2 } });
  } catch (e) {
    refused = e;
  }
  check(refused instanceof ConveyorConfigError && /conveyor-client\/stores/.test(refused.message), `the lean entry refuses rateLimit.store, naming conveyor-client/stores (got ${refused})`);

  // 6. conveyor-client/stores: MemoryStore is exported there, the bucket name is hashed with
  // this runtime's WebCrypto, and a request goes through the store.
  check(typeof stores?.MemoryStore === "function", "conveyor-client/stores exports MemoryStore");
  if (typeof stores?.MemoryStore === "function") {
    // One set of error classes: the stores build's errors are the lean entry's classes.
    check(stores.ConveyorError === ConveyorError && stores.ConveyorConfigError === ConveyorConfigError, "both entries export the same error classes");
    let thrown;
    try {
      new stores.ConveyorClient({ apiKey: env.keys.full, baseUrl: api, rateLimit: { fleetSize: 2 } });
    } catch (e) {
      thrown = e;
    }
    check(thrown instanceof ConveyorConfigError && thrown instanceof ConveyorError, `an error of the stores build is an instance of the lean entry's classes (got ${thrown})`);
    // One bucket per key and base URL across the two builds: `client` (step 1, lean) has it.
    let twice;
    try {
      new stores.ConveyorClient({ apiKey: env.keys.full, baseUrl: api });
    } catch (e) {
      twice = e;
    }
    check(twice instanceof ConveyorConfigError, `a stores client for a key the lean build has a bucket for is refused (got ${twice})`);
    check(client.rateLimitState() !== null, "the lean client keeps its bucket");

    const store = new stores.MemoryStore();
    const seen = [];
    const spy = {
      acquire: (r) => (seen.push(r.bucket), store.acquire(r)),
      settle: (r) => store.settle(r),
      release: (r) => store.release(r),
    };
    const shared = new stores.ConveyorClient({ apiKey: env.keys.full, baseUrl: api, rateLimit: { store: spy, fleetSize: 2, shared: false } });
    const r = await shared.fetch("/exchange/connections");
    check(r.status === 200, `a request through the store is 200 (got ${r.status})`);
    // `fetch()` hands the body over: read it, as a caller must, or its connection stays
    // open (in Node until the Response is garbage-collected, which an idle process may never do).
    await r.arrayBuffer();
    check(/^[0-9a-f]{32}$/.test(seen[0] ?? ""), `the store saw a hashed bucket (got ${seen[0]})`);
    check(shared.rateLimitState()?.store === "connected", "rateLimitState says the store answers");
  }

  // 7. Webhooks: svix-signed deliveries verify, the sandbox's deliveries verify with svix.
  await webhookScenario(pkg, env, check);

  // 8. checkAccess(), plain JS in the package's snippet: its probes through this runtime's
  // fetch, the verdict over them, and a bad option refused without a probe.
  const access = await new ConveyorClient({ apiKey: env.keys.exchange, baseUrl: api }).checkAccess({ timeoutMs: 10_000 });
  check(access.length === 10 && access.verdict === "missing_permissions", `checkAccess: a key without some permissions (got ${access.verdict}: ${access.message})`);
  const forbidden = access.filter((e) => e.read === "forbidden").map((e) => e.resource);
  check(forbidden.join() === "questionnaires,knowledge_base,interactions,product_lines", `checkAccess: the forbidden groups (got ${forbidden})`);
  check(/^the key lacks these permissions: questionnaires, knowledge_base, interactions, product_lines \(403\)/.test(access.message), `checkAccess: the message (got ${access.message})`);
  const refusedOption = await client.checkAccess({ signal: "soon" }).catch((e) => e);
  check(refusedOption instanceof pkg.ConveyorValidationError, `checkAccess: a bad signal is a ConveyorValidationError (got ${refusedOption})`);
  return { failures, checked: true };
}
