// The packed package's browser entry in a plain <script type="module"> page, in headless
// Chromium, calling the sandbox cross-origin (CORS).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KEYS } from "./lib/sandbox.mjs";
import { serveStatic } from "./lib/static.mjs";
import { launchChromium } from "./lib/browser.mjs";
import { startWebhookSandbox } from "./lib/webhooks.mjs";

const projectRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
let sb;
let site;
let browser;
before(async () => {
  sb = await startWebhookSandbox();
  site = await serveStatic(projectRoot);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await site?.close();
  await sb?.stop();
});

test("the shared scenario passes in Chromium through the browser entry", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const q = new URLSearchParams({ sandbox: sb.url, keys: JSON.stringify(KEYS), webhookSecret: sb.webhookSecret });
  await page.goto(`${site.url}/tests/e2e/runtimes/browser.html?${q}`);
  const result = await page.waitForFunction(() => window.__result, null, { timeout: 20_000 }).then((h) => h.jsonValue());
  assert.deepEqual(errors, []);
  assert.deepEqual(result.failures, []);
});
