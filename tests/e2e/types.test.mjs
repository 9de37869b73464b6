// `tsc --strict --noEmit` of a usage file against the declarations the tarball ships.
import { test } from "node:test";
import { typecheck } from "./lib/check.mjs";

test("the shipped declarations type-check strict usage", () => typecheck("usage.ts"));

test("the webhook declarations type-check strict usage", () => typecheck("webhook-usage.ts"));
