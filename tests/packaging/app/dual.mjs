// An ESM app with one CommonJS dependency, both using conveyor-client: one process must
// hold one wasm instance, so classes are shared and one key has one rate-limit bucket.
import * as pkg from "conveyor-client";
import dep from "cjs-dep";

const env = process.env;
const keys = JSON.parse(env.KEYS);
const api = `${env.SANDBOX}/api/v2`;
const failures = [];
const check = (cond, what) => cond || failures.push(what);

check(dep.ConveyorClient === pkg.ConveyorClient, "require and import give the same ConveyorClient");

// A 403 from the dependency's client is a ConveyorAuthError of the app's own import.
let err;
try {
  await dep.makeClient({ apiKey: keys.inactive, baseUrl: api }).fetch("/exchange/connections");
} catch (e) {
  err = e;
}
check(err instanceof pkg.ConveyorAuthError, `a 403 from the CommonJS side is the ESM side's ConveyorAuthError (got ${err?.name})`);
check(err instanceof pkg.ConveyorError, "... and its ConveyorError");

// One bucket per key: what the dependency's client spends, the app's client no longer has.
const rateLimit = { limit: 5, windowMs: 60_000 };
const theirs = dep.makeClient({ apiKey: keys.full, baseUrl: api, rateLimit });
const ours = new pkg.ConveyorClient({ apiKey: keys.full, baseUrl: api, rateLimit });
for (let i = 0; i < 3; i++) {
  const res = await theirs.fetch("/exchange/connections");
  await res.arrayBuffer(); // an unread body would keep Node's process alive
  check(res.status === 200, "the dependency's request succeeds");
}
const available = ours.rateLimitState()?.available;
check(available === 2, `the app's client sees the dependency's 3 requests in the shared bucket (available ${available}, want 2)`);

console.log(JSON.stringify({ failures, checked: true }));
