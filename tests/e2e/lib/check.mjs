// Small assertion helpers shared by the e2e test files.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
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

/**
 * Runs `script` (an ES module's source) in a fresh Node process and asserts that it prints
 * "done" and exits within 5 s: nothing the client leaves behind (a timer, a store call's
 * timeout, the rate-limit window) may keep the process alive. `why` names what would.
 */
export async function exitsPromptly(script, why) {
  const t0 = Date.now();
  // The script on stdin, not in `-e`: it may hold a key, and a command line is visible to
  // every process on the machine (the CLI's tests check `ps` for keys while this may run).
  const child = spawn(process.execPath, ["--input-type=module"], { cwd: process.cwd() });
  child.stdin.end(script);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const code = await new Promise((r) => child.on("exit", r));
  assert.equal(code, 0);
  assert.match(out, /done/);
  assert.ok(Date.now() - t0 < 5000, why);
}
