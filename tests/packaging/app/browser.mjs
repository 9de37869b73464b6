// The app every browser case bundles: the shared scenario against the sandbox named in the
// page's query string; the result lands in window.__result for the test to read.
import * as pkg from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { runScenario } from "./scenario.mjs";

const q = new URLSearchParams(location.search);
runScenario(pkg, { sandbox: q.get("sandbox"), keys: JSON.parse(q.get("keys")) }, stores).then(
  (result) => (window.__result = result),
  (e) => (window.__result = { failures: [`threw: ${e?.stack ?? e}`] }),
);
