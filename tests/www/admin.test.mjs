// End-to-end tests of the www/ admin tool in headless Chromium against the real sandbox.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { startSandbox, launchChromium, serve, openTool, connect, shot, KEYS, repoRoot } from "./lib/harness.mjs";

let sb; // default limits
let site;
let browser;
const pages = [];

before(async () => {
  const started = await Promise.allSettled([startSandbox(), serve(), launchChromium()]);
  [sb, site, browser] = started.map((r) => (r.status === "fulfilled" ? r.value : undefined));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) throw failed.reason; // after() still closes whatever did start
});
after(async () => {
  await browser?.close();
  await site?.close();
  await sb?.stop();
});

async function open(query = {}, opts) {
  const t = await openTool(browser, site, { sandbox: sb.url, ...query }, opts);
  pages.push(t);
  return t;
}
async function done({ context, problems, csp }) {
  assert.deepEqual(await csp(), [], "no Content-Security-Policy violations");
  assert.deepEqual(problems.filter((p) => !/status of 403/.test(p)), [], "no page errors or console errors");
  await context.close();
}
const queueIds = async () => (await sb.get("/exchange/authorization_request_queue")).authorization_requests.map((r) => r.id);

test("the CSP is strict: no unsafe-eval or unsafe-inline, and the import map's hash is the one allowed", async () => {
  const html = await readFile(resolve(repoRoot, "www/index.html"), "utf8");
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)[1];
  const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src"));
  assert.match(scriptSrc, /'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)[1];
  const hash = createHash("sha256").update(importMap).digest("base64");
  assert.ok(scriptSrc.includes(`'sha256-${hash}'`), `script-src allows the import map (sha256-${hash})`);
  assert.equal((html.match(/<script(?![^>]*\bsrc=)(?![^>]*type="importmap")[^>]*>/g) ?? []).length, 0, "no other inline scripts");
});

test("connect-src names the Conveyor API and loopback only, not any https origin", async () => {
  const html = await readFile(resolve(repoRoot, "www/index.html"), "utf8");
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)[1];
  const sources = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("connect-src")).split(/\s+/).slice(1);
  assert.deepEqual(sources, ["'self'", "https://api.conveyor.com", "http://127.0.0.1:*", "http://localhost:*"]);
});

test("a ?sandbox= link prefills loopback URLs only; another origin is ignored and gets no request", async () => {
  for (const evil of ["https://attacker.example", "http://attacker.example:4010", "http://127.0.0.1.attacker.example", "http://u:p@127.0.0.1:9"]) {
    const t = await open({ sandbox: evil });
    const requested = [];
    t.page.on("request", (r) => requested.push(r.url()));
    assert.equal(await t.page.inputValue("#base-url"), "http://127.0.0.1:4010/api/v2", `?sandbox=${evil} is ignored`);
    if (evil === "https://attacker.example") {
      // Connecting as the link suggests sends the key nowhere but the prefilled loopback URL.
      await connect(t.page, KEYS.full, { expectOk: false });
      assert.ok(requested.length > 0 && requested.every((u) => !u.includes("attacker")), requested.join(" "));
    }
    await t.context.close();
  }
});

test("connect with a good key shows the access-request queue", async () => {
  const t = await open();
  assert.equal(await t.page.inputValue("#base-url"), sb.api, "the base URL defaults to the ?sandbox= URL");
  await connect(t.page, KEYS.full);
  const expected = (await queueIds()).length;
  assert.ok(expected > 0, "the sandbox has open requests");
  assert.equal(await t.page.locator("#view table tbody tr").count(), expected);
  assert.ok(await t.page.isVisible("#gauge"), "the rate-limit gauge is visible");
  assert.equal(await t.page.evaluate(() => sessionStorage.length + localStorage.length + document.cookie.length), 0, "nothing stored without 'remember'");
  await done(t);
});

test("a bad key shows the 403 message from the typed error, never the key", async () => {
  const t = await open();
  await connect(t.page, KEYS.inactive, { expectOk: false });
  const alert = await t.page.textContent("#connect-status [role=alert]");
  assert.match(alert, /refused this key \(403\)/);
  assert.match(alert, /invalid, inactive,? or lacks the permission/);
  assert.match(alert, /ConveyorAuthError/);
  const everything = await t.page.evaluate(() => document.documentElement.outerHTML + document.body.innerText + JSON.stringify(sessionStorage) + JSON.stringify(localStorage));
  assert.ok(!everything.includes(KEYS.inactive), "the key is nowhere in the page");
  assert.ok(!(await t.page.isVisible("#tabs")), "the app stays on the connect screen");
  await shot(t.page, "connect-403");
  await done(t);
});

test("on connect the key check marks the sections the key cannot read, without hiding them", async () => {
  const t = await open();
  await connect(t.page, KEYS.exchange);
  const tabs = await t.page.$$eval("#tabs a", (as) => as.map((a) => [a.getAttribute("href"), a.dataset.access ?? "", a.title]));
  const marked = tabs.filter(([, access]) => access === "forbidden").map(([href]) => href);
  assert.deepEqual(marked, ["#questionnaires", "#knowledge"], "the exchange-only key cannot read these");
  assert.ok(tabs.every(([href]) => href), "every section is still there");
  assert.match(tabs.find(([href]) => href === "#knowledge")[2], /cannot read knowledge_base \(403\)/);
  assert.match(await t.page.textContent("#access-summary"), /lacks these permissions: questionnaires, knowledge_base, interactions, product_lines/);
  await t.page.click("#tabs a[href='#knowledge']");
  await t.page.waitForSelector("#view[data-view=knowledge] [role=alert]", { timeout: 15_000 });
  await shot(t.page, "access-marked");
  await t.page.click("#disconnect");
  assert.equal(await t.page.locator("#tabs a[data-access], #access-summary").count(), 0, "disconnecting clears the marks");
  await t.page.evaluate(() => history.replaceState(null, "", "#requests"));
  await connect(t.page, KEYS.full);
  assert.equal(await t.page.locator("#tabs a[data-access]").count(), 0, "a key that reads everything marks nothing");
  assert.equal(await t.page.locator("#access-summary").count(), 0);
  await done(t);
});

test("'remember for this tab' uses sessionStorage only and survives a reload", async () => {
  const t = await open();
  await connect(t.page, KEYS.readonly, { remember: true });
  const stored = await t.page.evaluate(() => ({ s: sessionStorage.length, l: localStorage.length, c: document.cookie }));
  assert.deepEqual(stored, { s: 1, l: 0, c: "" });
  await t.page.reload();
  await t.page.waitForSelector("#view[data-view=requests] table", { timeout: 15_000 });
  await t.page.click("#disconnect");
  assert.equal(await t.page.evaluate(() => sessionStorage.length), 0, "disconnect forgets the key");
  assert.ok(await t.page.isVisible("#connect-form"));
  await done(t);
});

test("the gauge's timer runs only while connected: disconnecting stops it, reconnecting starts one", async () => {
  const t = await open();
  // Count the page's live intervals from here on (the app looks setInterval up when it calls it).
  await t.page.evaluate(() => {
    const live = new Set();
    const set = window.setInterval.bind(window);
    const clear = window.clearInterval.bind(window);
    window.setInterval = (...args) => {
      const id = set(...args);
      live.add(id);
      return id;
    };
    window.clearInterval = (id) => {
      live.delete(id);
      clear(id);
    };
    window.__liveIntervals = () => live.size;
  });
  const live = () => t.page.evaluate(() => window.__liveIntervals());
  await connect(t.page, KEYS.full);
  assert.equal(await live(), 1, "the gauge ticks while connected");
  await t.page.click("#disconnect");
  assert.equal(await live(), 0, "disconnecting stops the gauge");
  await connect(t.page, KEYS.full);
  assert.equal(await live(), 1, "reconnecting starts one timer, not a second");
  await t.page.waitForFunction(() => document.querySelector("#gauge-available")?.textContent.includes("/"), null, { timeout: 5_000 });
  await done(t);
});

test("a read-only key can list but approving shows the 403 in the dialog", async () => {
  const t = await open();
  await connect(t.page, KEYS.readonly);
  const before = await queueIds();
  await t.page.locator("#view tbody tr").first().getByRole("button", { name: /^Ignore/ }).click();
  await t.page.fill("dialog input[type=email]", "reviewer@example.com");
  await t.page.click("dialog button[type=submit]");
  await t.page.waitForSelector("dialog [role=alert]");
  assert.match(await t.page.textContent("dialog [role=alert]"), /403/);
  await t.page.click("dialog button:text('Cancel')");
  assert.deepEqual(await queueIds(), before, "nothing changed");
  await done(t);
});

test("approve and ignore single requests, and the sandbox's queue changes", async () => {
  await sb.reset();
  const t = await open();
  await connect(t.page, KEYS.full);
  const [first, second] = await queueIds();
  const row = (id) => t.page.locator(`#view tbody tr[data-id="${id}"]`);

  await row(first).getByRole("button", { name: /^Approve/ }).click();
  await t.page.waitForSelector("dialog[open]");
  await t.page.check("dialog input[name=nda]");
  await shot(t.page, "approve-dialog");
  await t.page.click("dialog button[type=submit]");
  await row(first).waitFor({ state: "detached" });

  await row(second).getByRole("button", { name: /^Ignore/ }).click();
  await t.page.fill("dialog input[type=email]", "reviewer@example.com");
  await t.page.click("dialog button[type=submit]");
  await row(second).waitFor({ state: "detached" });

  const after = await queueIds();
  assert.ok(!after.includes(first) && !after.includes(second), "both left the queue");
  const r1 = await sb.get(`/exchange/authorization_requests/${first}`);
  const r2 = await sb.get(`/exchange/authorization_requests/${second}`);
  assert.equal(r1.status, "approved");
  assert.equal(r2.status, "ignored");
  const auths = (await sb.get("/exchange/authorizations")).authorizations;
  assert.ok(auths.some((a) => a.email === r1.email), "an authorization exists for the approved email");
  await done(t);
});

test("bulk approve of 30 requests waits on the limiter: gauge and progress move, no 429 reaches the sandbox", async () => {
  const limited = await startSandbox(["--rate-limit", "20/2"]);
  try {
    const t = await openTool(browser, site, { sandbox: limited.url, limit: 20, windowMs: 2000 });
    await connect(t.page, KEYS.full);
    // The queue as the tool loaded it (no direct API call here, so only the tool's own
    // requests count against the sandbox's window while the job runs).
    const before = (await t.page.$$eval("#view tbody tr[data-id]", (rows) => rows.map((r) => r.dataset.id))).map((id) => (/^\d+$/.test(id) ? Number(id) : id));
    assert.ok(before.length >= 30, `the sandbox has at least 30 open requests (${before.length})`);
    const boxes = t.page.locator("#view tbody input[data-select]");
    for (let i = 0; i < 30; i++) await boxes.nth(i).check();
    await t.page.getByRole("button", { name: "Approve selected (30)" }).click();
    await t.page.waitForSelector("dialog[open]");
    // Sample the gauge and the progress panel every 50 ms while the job runs.
    await t.page.evaluate(() => {
      window.__samples = [];
      window.__sampler = setInterval(() => {
        const p = document.querySelector(".bulk-panel progress");
        window.__samples.push({
          available: document.getElementById("gauge-available").textContent,
          queued: Number(document.getElementById("gauge-queued").textContent),
          progress: p ? Number(p.value) : null,
          eta: document.querySelector(".bulk-eta")?.textContent ?? "",
        });
      }, 50);
    });
    const started = Date.now();
    await t.page.click("dialog button[type=submit]");
    await t.page.waitForSelector(".bulk-panel[data-waiting=true]", { timeout: 10_000 });
    await shot(t.page, "bulk-waiting");
    await t.page.waitForSelector(".bulk-panel[data-done=true]", { timeout: 30_000 });
    const elapsed = Date.now() - started;
    const samples = await t.page.evaluate(() => (clearInterval(window.__sampler), window.__samples));
    const progress = samples.map((s) => s.progress).filter((v) => v !== null);
    assert.ok(progress.some((v) => v > 0 && v < 30), "the progress bar showed intermediate values");
    // Read the bar itself at the end: the last 50 ms sample may predate the final update.
    assert.equal(await t.page.$eval(".bulk-panel progress", (p) => Number(p.value)), 30);
    assert.ok(samples.some((s) => s.queued > 0), "the gauge showed queued requests");
    assert.ok(samples.some((s) => /^0 \/ 20$/.test(s.available)), "the gauge showed the bucket empty");
    assert.ok(samples.some((s) => /Waiting on the rate limiter.*about .* left/.test(s.eta)), "an ETA was shown while waiting");
    assert.ok(elapsed > 1500, `the job had to wait for the window (${elapsed} ms)`);
    assert.match(await t.page.textContent(".bulk-panel"), /Approved 30 of 30/);
    const stats = await limited.stats();
    assert.equal(stats.keys.full.rate_limited, 0, "no request of the full key was rate limited");
    assert.ok(stats.keys.full.max_in_window <= 20);
    const after = (await limited.get("/exchange/authorization_request_queue")).authorization_requests.map((r) => r.id);
    assert.equal(after.length, before.length - 30, "30 requests left the sandbox's queue");
    assert.deepEqual(after, before.slice(30));
    await t.page.waitForSelector("#view table tbody tr, #view .state-empty");
    await shot(t.page, "bulk-done");
    await done(t);
  } finally {
    await limited.stop();
  }
});

test("upload a document and see it listed, then delete it", async () => {
  const t = await open();
  await connect(t.page, KEYS.full);
  await t.page.click('#tabs a[href="#documents"]');
  await t.page.waitForSelector("#view[data-view=documents] table");
  await t.page.click("text=Upload document");
  await t.page.setInputFiles("dialog input[type=file]", { name: "pentest-2026.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 test\n") });
  await t.page.fill("dialog input[name=name]", "Penetration test summary 2026");
  await t.page.selectOption("dialog select[name=access_level]", "need_to_know");
  await t.page.selectOption("dialog select[name=certification]", "iso-27001");
  await shot(t.page, "upload-dialog");
  await t.page.click("dialog button[type=submit]");
  const row = t.page.locator("#view tbody tr", { hasText: "Penetration test summary 2026" });
  await row.waitFor();
  const docs = await sb.get("/exchange/documents");
  const doc = (docs._embedded?.documents ?? docs.documents).find((d) => d.name === "Penetration test summary 2026");
  assert.ok(doc, "the sandbox has the document");
  assert.equal(doc.access_level, "need_to_know");
  await row.getByRole("button", { name: /^Delete/ }).click();
  await t.page.click("dialog button[type=submit]");
  await row.waitFor({ state: "detached" });
  await done(t);
});

test("every screen renders at 1280 and 390 px (screenshots in test-output/www)", async () => {
  await sb.reset();
  for (const width of [1280, 390]) {
    const t = await open({}, { width, height: width > 500 ? 860 : 844 });
    await shot(t.page, "connect");
    await connect(t.page, KEYS.full);
    await shot(t.page, "requests");
    const noHorizontalScroll = () => t.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
    assert.ok(await noHorizontalScroll(), `requests fits ${width} px`);
    for (const [tab, ready] of [
      ["authorizations", "table, .state-empty"],
      ["documents", "table, .state-empty"],
      ["questionnaires", "table, .state-empty"],
      ["knowledge", ".kb-item, .state-empty"],
    ]) {
      await t.page.click(`#tabs a[href="#${tab}"]`);
      await t.page.waitForSelector(`#view[data-view=${tab}] :is(${ready})`);
      await shot(t.page, tab);
      assert.ok(await noHorizontalScroll(), `${tab} fits ${width} px`);
    }
    await done(t);
  }
});

test("questionnaires filter by status; the knowledge base fetches pages lazily and searches", async () => {
  const t = await open();
  await connect(t.page, KEYS.full);
  await t.page.click('#tabs a[href="#questionnaires"]');
  await t.page.waitForSelector("#view[data-view=questionnaires] :is(table, .state-empty)");
  const all = (await sb.get("/questionnaires"))._embedded?.questionnaires ?? [];
  const status = all[0]?.status ?? "completed";
  await t.page.selectOption("#view select", status);
  await t.page.waitForFunction((s) => {
    const rows = [...document.querySelectorAll("#view tbody tr")];
    return !document.querySelector("#view .state-loading") && rows.length > 0 && rows.every((r) => r.textContent.toLowerCase().includes(s.replace(/_/g, " ")));
  }, status);

  await t.page.click('#tabs a[href="#knowledge"]');
  await t.page.waitForSelector(".kb-item");
  const first = await t.page.locator(".kb-item").count();
  const total = await sb.get("/knowledge_base/questions?per_page=1");
  if (total.total_pages > first) {
    await t.page.locator(".kb-footer").scrollIntoViewIfNeeded();
    await t.page.waitForFunction((n) => document.querySelectorAll(".kb-item").length > n, first);
  }
  const sample = (await sb.get("/knowledge_base/questions?per_page=1")).questions[0];
  const word = sample.question.split(/\W+/).find((w) => w.length > 5) ?? sample.question.split(/\s+/)[0];
  await t.page.fill("#view input[type=search]", word);
  await t.page.waitForFunction(() => /match/.test(document.querySelector(".kb-progress").textContent));
  await t.page.waitForFunction((w) => [...document.querySelectorAll(".kb-item")].every((li) => li.textContent.toLowerCase().includes(w.toLowerCase())), word);
  assert.ok((await t.page.locator(".kb-item").count()) > 0, "the search finds the sample question");
  await done(t);
});

test("keyboard only: connect, open a dialog, Escape closes it and focus comes back", async () => {
  const t = await open();
  assert.equal(await t.page.evaluate(() => document.activeElement.id), "api-key", "the key field has focus on load");
  await t.page.keyboard.type(KEYS.full);
  await t.page.keyboard.press("Enter");
  await t.page.waitForSelector("#view[data-view=requests] table");
  assert.equal(await t.page.evaluate(() => document.activeElement.tagName), "H1", "focus moves to the section heading");
  const approve = t.page.locator("#view tbody tr").first().getByRole("button", { name: /^Approve/ });
  await approve.focus();
  await t.page.keyboard.press("Enter");
  await t.page.waitForSelector("dialog[open]");
  assert.ok(await t.page.evaluate(() => document.querySelector("dialog").contains(document.activeElement)), "focus is inside the dialog");
  await t.page.keyboard.press("Escape");
  await t.page.waitForSelector("dialog", { state: "detached" });
  assert.ok(await t.page.evaluate(() => /^Approve/.test(document.activeElement.textContent)), "focus returns to the Approve button");
  // Every form control on the connect screen and in the sections has a label.
  const unlabeled = await t.page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")].filter((el) => el.type !== "hidden" && !el.labels?.length && !el.getAttribute("aria-label")).map((el) => el.outerHTML),
  );
  assert.deepEqual(unlabeled, []);
  await done(t);
});

test("an unreachable API shows a readable network error", async () => {
  const t = await open();
  await t.page.fill("#base-url", "http://127.0.0.1:9/api/v2");
  await connect(t.page, KEYS.full, { expectOk: false });
  const alert = await t.page.textContent("#connect-status [role=alert]");
  assert.match(alert, /Could not reach the API|ConveyorNetworkError/);
  // A Retry button appears exactly when the typed error says `retryable` (dom.js errorBox).
  await shot(t.page, "connect-network-error");
  t.problems.length = 0; // the browser logs the refused connection itself
  await done(t);
});
