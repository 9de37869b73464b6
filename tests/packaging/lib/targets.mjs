// Runs what a case built where it would run, against the sandbox, and answers the shared
// scenario's result ({ failures: [...] }).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { launchChromium } from "../../e2e/lib/browser.mjs";
import { serveStatic } from "../../e2e/lib/static.mjs";
import { KEYS } from "../../e2e/lib/sandbox.mjs";
import { run, listFiles } from "./project.mjs";

/** The last line of `stdout` that parses as JSON. */
function lastJson(stdout) {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {}
  }
  throw new Error(`no JSON result in the output:\n${stdout}`);
}

/** Runs `args` (e.g. ["node", "main.mjs"]) in `cwd`, with the sandbox in the environment. */
export async function inProcess(cmd, args, cwd, sandbox) {
  const { stdout, stderr } = await run(cmd, args, { cwd, env: { SANDBOX: sandbox.url, KEYS: JSON.stringify(KEYS) } });
  return { ...lastJson(stdout), stderr };
}

let browser;
/** One Chromium for the whole file; closed by `closeBrowser`. */
async function chromium() {
  browser ??= await launchChromium();
  return browser;
}
export const closeBrowser = () => browser?.close();

/** Loads `url` (a page of the app) in headless Chromium and waits for its result. */
export async function inPage(url, sandbox) {
  const page = await (await chromium()).newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e}`));
  // Failed loads are judged by URL: the scenario's 403 is expected, a favicon is not ours.
  page.on("console", (m) => m.type() === "error" && !/^Failed to load resource/.test(m.text()) && errors.push(`console: ${m.text()}`));
  page.on("response", (r) => {
    if (r.status() >= 400 && r.status() !== 403 && !r.url().endsWith("/favicon.ico")) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  try {
    const q = new URLSearchParams({ sandbox: sandbox.url, keys: JSON.stringify(KEYS) });
    await page.goto(`${url}${url.includes("?") ? "&" : "?"}${q}`);
    const result = await page
      .waitForFunction(() => window.__result, null, { timeout: 30_000 })
      .then((h) => h.jsonValue())
      .catch((e) => ({ failures: [`no result: ${e.message}`] }));
    return { ...result, failures: [...result.failures, ...errors] };
  } finally {
    await page.close();
  }
}

/** Serves `dir` and loads its index.html. */
export async function inStaticPage(dir, sandbox) {
  const site = await serveStatic(dir);
  try {
    return await inPage(`${site.url}/index.html`, sandbox);
  } finally {
    await site.close();
  }
}

/** Runs a Worker bundle (an ES module plus the .wasm modules beside it) in workerd. */
export async function inWorkerd(dir, main, sandbox) {
  const modules = [{ type: "ESModule", path: main, contents: readFileSync(join(dir, main), "utf8") }];
  for (const f of listFiles(dir)) {
    if (f.endsWith(".wasm")) modules.push({ type: "CompiledWasm", path: f, contents: readFileSync(join(dir, f)) });
  }
  const mf = new Miniflare({
    modules,
    compatibilityDate: "2025-06-01",
    bindings: { SANDBOX: sandbox.url, KEYS: JSON.stringify(KEYS) },
  });
  try {
    const res = await mf.dispatchFetch("http://worker/");
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      return { failures: [`worker answered ${res.status}: ${text.slice(0, 2000)}`] };
    }
  } finally {
    await mf.dispose();
  }
}
