// Run by deno.test.mjs: the scenario in Deno, result as JSON on stdout.
import * as pkg from "conveyor-client";
import * as stores from "conveyor-client/stores";
import { runScenario } from "../lib/scenario.mjs";

const [sandbox] = Deno.args;
const keys = Deno.env.get("SCENARIO_KEYS");
const webhookSecret = Deno.env.get("SCENARIO_WEBHOOK_SECRET");
const result = await runScenario(pkg, { sandbox, keys: JSON.parse(keys), webhookSecret }, stores);
result.resolved = import.meta.resolve("conveyor-client");
console.log(JSON.stringify(result));
