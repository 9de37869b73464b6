// `tsc --strict --noEmit` of a usage file against the declarations the tarball ships.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";

test("the shipped declarations type-check strict usage", async () => {
  const dir = new URL("./runtimes/", import.meta.url).pathname;
  writeFileSync(
    dir + "tsconfig.json",
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        lib: ["es2022", "dom", "dom.iterable"],
        types: [],
      },
      files: ["usage.ts"],
    }),
  );
  const tsc = process.env.TSC;
  const run = promisify(execFile)(tsc, ["-p", dir + "tsconfig.json"]).catch((e) => e);
  const r = await run;
  assert.equal(r.code ?? 0, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
