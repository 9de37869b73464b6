// Small assertion helpers shared by the e2e test files.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";

/** The rejection reason of `promise`; fails the test when it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

/** `tsc --strict --noEmit` of `file` (in tests/e2e/runtimes/) against the installed package's declarations. */
export async function typecheck(file) {
  const dir = new URL("../runtimes/", import.meta.url).pathname;
  const config = `${dir}tsconfig.${file.replace(/\.ts$/, "")}.json`;
  writeFileSync(
    config,
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
      files: [file],
    }),
  );
  const r = await promisify(execFile)(process.env.TSC, ["-p", config]).catch((e) => e);
  assert.equal(r.code ?? 0, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
}
