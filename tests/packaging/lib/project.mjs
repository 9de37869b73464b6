// Sets up the tiny projects of the packaging matrix and runs the real tools on them.
//
// Each case is a folder in tests/packaging/cases/ (its package.json, plus the config or
// index.html the tool needs). It is copied to target/packaging/<name>/ with the app
// (tests/packaging/app/) and the shared scenario (tests/e2e/lib/scenario.mjs, with the modules
// it imports) in src/, and the packed tarball is extracted into node_modules/conveyor-client exactly as npm would
// install it: no registry, no network. The tools themselves (Vite, webpack, ...) are the
// repo's pinned dev dependencies, found by Node's resolution walking up from target/.
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, rmSync, readdirSync, statSync, readFileSync, writeFileSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, relative } from "node:path";
import { gzipSync } from "node:zlib";

export const REPO = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const HERE = join(REPO, "tests/packaging");
const WORK = join(REPO, "target/packaging");
export const bin = (name) => join(REPO, "node_modules/.bin", name);
/** The CLI script of a dev dependency (run with `node`, so two versions can coexist). */
export const cli = (pkg, path) => join(REPO, "node_modules", pkg, path);

/**
 * A fresh copy of case `name` as `as` with the package installed from the tarball.
 * @param {{ as?: string, app?: Record<string, string>, specifier?: string }} opts app: file
 *   name in the project's src/ -> source file in tests/packaging/app/; specifier: what the
 *   app imports instead of "conveyor-client" (the one line a case documents, verbatim)
 */
export function project(name, { as = name, app = {}, specifier } = {}) {
  const tarball = process.env.PACKAGING_TARBALL;
  if (!tarball) throw new Error("PACKAGING_TARBALL is not set: run through scripts/packaging.sh");
  const dir = join(WORK, as);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(HERE, "cases", name), dir, { recursive: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  for (const [dest, src] of Object.entries(app)) {
    let text = readFileSync(join(HERE, "app", src), "utf8");
    // The stores entry moves the same way: conveyor-client/inline -> conveyor-client/stores/inline.
    if (specifier) {
      text = text.replace(/(from |require\()"conveyor-client(\/stores)?"/g, (_, how, stores) =>
        `${how}"${stores ? specifier.replace(/^conveyor-client/, "conveyor-client/stores") : specifier}"`,
      );
    }
    writeFileSync(join(dir, "src", dest), text);
  }
  cpSync(join(REPO, "tests/e2e/lib/scenario.mjs"), join(dir, "src", "scenario.mjs"));
  cpSync(join(REPO, "tests/e2e/lib/webhook-scenario.mjs"), join(dir, "src", "webhook-scenario.mjs"));
  cpSync(join(REPO, "tests/e2e/lib/loopback.mjs"), join(dir, "src", "loopback.mjs"));
  cpSync(join(WORK, "vendor", "svix.mjs"), join(dir, "src", "vendor", "svix.mjs"));
  // deps/: local packages of the case (e.g. a CommonJS dependency), installed beside it.
  if (existsSync(join(dir, "deps"))) {
    for (const dep of readdirSync(join(dir, "deps"))) cpSync(join(dir, "deps", dep), join(dir, "node_modules", dep), { recursive: true });
  }
  const installed = join(dir, "node_modules", "conveyor-client");
  mkdirSync(installed, { recursive: true });
  return run("tar", ["xzf", tarball, "-C", installed, "--strip-components=1"]).then(() => dir);
}

/** Runs a command; resolves with its output, rejects with the output when it fails. */
export function run(cmd, args, { cwd, env, timeout = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed (${err.code ?? err.signal}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Starts a long-running command (a dev server) and resolves once `ready` matches its output. */
export function start(cmd, args, { cwd, env, ready, timeout = 60_000 }) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const stop = () =>
    new Promise((r) => {
      if (child.exitCode !== null || child.signalCode !== null) return r();
      child.once("exit", r);
      child.kill();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} not ready in ${timeout} ms:\n${out}`)), timeout);
    const onData = (chunk) => {
      out += chunk;
      const m = ready.exec(out.replace(/\x1b\[[0-9;]*m/g, ""));
      if (m) {
        clearTimeout(timer);
        resolve({ match: m, stop, output: () => out });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${cmd} exited with ${code}:\n${out}`)));
  });
}

/** Copies `dir` to a fresh folder outside the repo, so nothing can resolve from node_modules. */
export function alone(dir) {
  const to = mkdtempSync(join(tmpdir(), "conveyor-packaging-"));
  cpSync(dir, to, { recursive: true });
  return to;
}

/** Every file under `dir`, relative paths. */
export function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p).map((f) => join(name, f)) : [name];
  });
}

/** What a bundler emitted: gzip -9 bytes of the JS and of the .wasm files under `dir`. */
export function emitted(dir) {
  const sizes = { js: 0, wasm: 0, files: [] };
  for (const f of listFiles(dir)) {
    const ext = extname(f);
    if (![".js", ".mjs", ".cjs", ".wasm"].includes(ext)) continue;
    const gz = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
    if (ext === ".wasm") sizes.wasm += gz;
    else sizes.js += gz;
    sizes.files.push(relative(dir, join(dir, f)));
  }
  sizes.total = sizes.js + sizes.wasm;
  return sizes;
}

/** Runs `jobs` (functions returning promises) at most `n` at a time; settles like allSettled. */
export async function pool(n, jobs) {
  const results = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]().then(
          (value) => ({ status: "fulfilled", value }),
          (reason) => ({ status: "rejected", reason }),
        );
      }
    }),
  );
  return results;
}
