// Shared setup for the admin-tool tests: the real sandbox binary, the static server from
// www/serve.mjs, and Debian's Chromium through playwright-core.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { serve, repoRoot } from "../../../www/serve.mjs";

export { serve, repoRoot };
export const KEYS = {
  full: "sk_test_full_0123456789abcdef",
  inactive: "sk_test_inactive_0123456789",
  readonly: "sk_test_readonly_0123456789",
  exchange: "sk_test_exchange_0123456789",
};
export const SHOTS = resolve(repoRoot, "test-output/www");
mkdirSync(SHOTS, { recursive: true });

/** Starts the sandbox on a free port; `args` e.g. ["--rate-limit", "20/2"]. */
export async function startSandbox(args = []) {
  const bin = process.env.SANDBOX_BIN ?? resolve(repoRoot, "target/debug/conveyor-sandbox");
  if (!existsSync(bin)) throw new Error(`no sandbox binary at ${bin}: run \`make sandbox\` first`);
  const [cmd, cmdArgs] = bin.endsWith(".mjs") ? [process.execPath, [bin]] : [bin, []];
  const child = spawn(cmd, [...cmdArgs, "--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let buffered = "";
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("sandbox did not start within 10 s")), 10_000);
    child.once("exit", (code) => fail(new Error(`sandbox exited early with ${code}`)));
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
  });
  const api = `${url}/api/v2`;
  /** A direct API call from the test (default: the read-only key, so it never spends the full key's budget). */
  async function call(method, path, { key = KEYS.readonly, body } = {}) {
    const res = await fetch(api + path, {
      method,
      headers: { "x-api-key": key, accept: "application/json", ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  return {
    url,
    api,
    call,
    async get(path, key) {
      const r = await call("GET", path, { key });
      if (r.status !== 200) throw new Error(`GET ${path} -> ${r.status}`);
      return r.body;
    },
    stats: async () => (await fetch(`${url}/_sandbox/stats`)).json(),
    reset: async () => {
      await fetch(`${url}/_sandbox/reset`, { method: "POST" });
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill();
        await once(child, "exit");
      }
    },
  };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * A page on the tool with every console error, page error and CSP violation collected.
 * `query` is added to the tool URL (sandbox, limit, windowMs).
 */
export async function openTool(browser, site, query, { width = 1280, height = 860 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${site.url}/www/?${new URLSearchParams(query)}`);
  await page.waitForFunction(() => window.__conveyorAdmin?.ready === true, null, { timeout: 15_000 });
  return { page, context, problems, csp: () => page.evaluate(() => window.__csp) };
}

/** Fills the connect form and waits for the queue (or the error). */
export async function connect(page, key, { remember = false, expectOk = true } = {}) {
  await page.fill("#api-key", key);
  if (remember) await page.check("#remember");
  await page.click("#connect-btn");
  if (expectOk) await page.waitForSelector("#view[data-view=requests] table, #view[data-view=requests] .state-empty", { timeout: 15_000 });
  else await page.waitForSelector("#connect-status [role=alert]", { timeout: 15_000 });
}

/** Saves test-output/www/<name>-<width>.png: the page from the top, at most 1600 px tall. */
export async function shot(page, name) {
  const { width } = page.viewportSize();
  const height = Math.min(1600, await page.evaluate(() => document.documentElement.scrollHeight));
  await page.screenshot({ path: resolve(SHOTS, `${name}-${width}.png`), fullPage: true, clip: { x: 0, y: 0, width, height } });
}
