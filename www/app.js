// Bootstrap: connect screen, session, routing between the sections, and the live
// rate-limit gauge. The package is imported lazily so a load failure is shown, not blank.
import { createApi } from "./api.js";
import { h, clear, errorBox, loading, fmtMs, registerSecret, describeError } from "./dom.js";
import * as requests from "./views/requests.js";
import * as authorizations from "./views/authorizations.js";
import * as documents from "./views/documents.js";
import * as questionnaires from "./views/questionnaires.js";
import * as knowledge from "./views/knowledge.js";
import { checkAccess, mayReadGroups, showAccess, clearAccess } from "./access.js";

const VIEWS = { requests, authorizations, documents, questionnaires, knowledge };
const STORAGE_KEY = "conveyor-admin:session";
/** The element with `id`: index.html has every id used here, each of the kind used.
 * @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const num = (k) => (params.has(k) && Number.isFinite(Number(params.get(k))) ? Number(params.get(k)) : undefined);

const LOCAL_SANDBOX = "http://127.0.0.1:4010/api/v2";

/** Whether `url` is an http(s) URL on this machine (127.0.0.0/8 or localhost, as the CSP allows). */
function isLoopback(url) {
  try {
    const u = new URL(url);
    const host = u.hostname;
    return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password &&
      (host === "localhost" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
  } catch {
    return false;
  }
}

/**
 * The base URL the connect form starts with. A link's `?sandbox=` may prefill a loopback
 * sandbox only: anything else is ignored, so a crafted link cannot point the form (and
 * the key typed into it) at another server. Any other URL must be typed by the user.
 */
function defaultBaseUrl() {
  const sb = params.get("sandbox");
  if (!sb || !isLoopback(sb)) return LOCAL_SANDBOX;
  return /\/api\/v2\/?$/.test(sb) ? sb.replace(/\/$/, "") : `${sb.replace(/\/$/, "")}/api/v2`;
}

/** Everything a view needs; rebuilt on each connect. */
const ctx = {
  client: /** @type {import("conveyor-client").ConveyorClient | null} */ (null),
  api: /** @type {ReturnType<typeof createApi> | null} */ (null),
  lastWait: /** @type {{ at: number, info: unknown } | null} */ (null),
  /** The limiter snapshot, or null while disconnected (the page's clients always rate-limit). */
  limiter() {
    return this.client?.rateLimitState() ?? null;
  },
  _groups: /** @type {Promise<any[]> | null} */ (null),
  /** Access groups, fetched once per session. */
  accessGroups() {
    const api = this.api;
    if (!api) return Promise.reject(new Error("not connected"));
    this._groups ??= api.accessGroups().catch((e) => {
      this._groups = null;
      throw e;
    });
    return this._groups;
  },
};

let pkg;
async function loadPackage() {
  pkg ??= await import("conveyor-client");
  return pkg;
}

function makeClient(baseUrl, apiKey) {
  const { ConveyorClient } = pkg;
  const options = {
    apiKey,
    baseUrl,
    onRateLimitWait: (info) => {
      ctx.lastWait = { at: performance.now(), info };
    },
  };
  const limit = num("limit");
  const windowMs = num("windowMs");
  const maxQueue = num("maxQueue");
  if (limit !== undefined || windowMs !== undefined || maxQueue !== undefined) {
    options.rateLimit = Object.fromEntries(Object.entries({ limit, windowMs, maxQueue }).filter(([, v]) => v !== undefined));
  }
  return new ConveyorClient(options);
}

async function connect(baseUrl, apiKey, remember) {
  const status = $("connect-status");
  const btn = $("connect-btn");
  btn.disabled = true;
  clear(status, loading("Connecting…"));
  registerSecret(apiKey);
  let client;
  try {
    await loadPackage();
    client = makeClient(baseUrl, apiKey);
    const api = createApi(client);
    ctx.client = client;
    ctx.api = api;
    ctx._groups = null;
    ctx.access = await checkAccess(client);
    // Proves the key works (its 403 explains an invalid key) and warms the cache for Approve.
    if (mayReadGroups(ctx.access)) await ctx.accessGroups();
  } catch (err) {
    ctx.client = ctx.api = null;
    try {
      client?.free?.();
    } catch {}
    clear(status, errorBox(err, () => connect(baseUrl, apiKey, remember)));
    if (describeError(err).code === "forbidden") sessionStorage.removeItem(STORAGE_KEY);
    btn.disabled = false;
    return false;
  }
  if (remember) sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ baseUrl, apiKey }));
  else sessionStorage.removeItem(STORAGE_KEY);
  clear(status);
  btn.disabled = false;
  $("api-key").value = "";
  showApp(baseUrl);
  showAccess(ctx.access, $("tabs"));
  return true;
}

function disconnect() {
  stopView();
  stopGauge();
  try {
    ctx.client?.free?.();
  } catch {}
  ctx.client = ctx.api = ctx._groups = ctx.access = null;
  clearAccess($("tabs"));
  registerSecret(null);
  sessionStorage.removeItem(STORAGE_KEY);
  for (const id of ["tabs", "view", "gauge", "session"]) $(id).hidden = true;
  $("connect").hidden = false;
  document.body.classList.remove("connected");
  $("api-key").focus();
}

function showApp(baseUrl) {
  $("connect").hidden = true;
  for (const id of ["tabs", "view", "gauge", "session"]) $(id).hidden = false;
  document.body.classList.add("connected");
  startGauge();
  $("session-url").textContent = new URL(baseUrl).host;
  $("session-url").title = baseUrl;
  if (!location.hash || !VIEWS[location.hash.slice(1)]) history.replaceState(null, "", "#requests");
  route(true);
}

let current = null;
function stopView() {
  current?.cleanup?.();
  current = null;
}

function route(initial = false) {
  if (!ctx.api) return;
  const name = VIEWS[location.hash.slice(1)] ? location.hash.slice(1) : "requests";
  for (const a of document.querySelectorAll("#tabs a")) {
    if (a.getAttribute("href") === `#${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  stopView();
  const container = clear($("view"));
  container.dataset.view = name;
  const cleanup = VIEWS[name].mount(container, ctx);
  current = { name, cleanup: typeof cleanup === "function" ? cleanup : null };
  if (!initial) container.querySelector("h1")?.focus();
  else container.querySelector("h1")?.focus({ preventScroll: true });
}

// The gauge: redrawn every 250 ms from client.rateLimitState() while connected.
let gaugeTimer = null;
function startGauge() {
  stopGauge();
  const meter = $("gauge-meter");
  const out = $("gauge-available");
  const gauge = $("gauge");
  gaugeTimer = setInterval(() => {
    const s = ctx.limiter();
    if (!s) return;
    meter.max = s.limit;
    meter.low = Math.max(1, Math.floor(s.limit * 0.1));
    meter.high = Math.floor(s.limit * 0.3);
    meter.optimum = s.limit;
    meter.value = s.available;
    out.textContent = `${s.available} / ${s.limit}`;
    $("gauge-inflight").textContent = String(s.inFlight ?? 0);
    $("gauge-queued").textContent = String(s.queued ?? 0);
    $("gauge-next").textContent = s.available >= s.limit ? "full" : s.available > 0 ? "now" : s.nextTokenInMs == null ? "after a response" : fmtMs(s.nextTokenInMs);
    gauge.dataset.state = s.queued > 0 ? "waiting" : s.available === 0 ? "empty" : "ok";
    gauge.title = `${s.limit} requests per ${fmtMs(s.windowMs)} (rolling)`;
  }, 250);
}

function stopGauge() {
  clearInterval(gaugeTimer);
  gaugeTimer = null;
}

function init() {
  $("base-url").value = defaultBaseUrl();
  $("connect-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const baseUrl = $("base-url").value.trim();
    const apiKey = $("api-key").value.trim();
    const status = $("connect-status");
    if (!baseUrl || !$("base-url").checkValidity()) {
      clear(status, h("p", { class: "field-error" }, "Enter the API base URL, e.g. https://api.conveyor.com/api/v2."));
      $("base-url").focus();
      return;
    }
    if (!apiKey) {
      clear(status, h("p", { class: "field-error" }, "Enter an API key."));
      $("api-key").focus();
      return;
    }
    connect(baseUrl, apiKey, $("remember").checked);
  });
  $("disconnect").addEventListener("click", disconnect);
  window.addEventListener("hashchange", () => route());
  const saved = sessionStorage.getItem(STORAGE_KEY);
  if (saved) {
    try {
      const { baseUrl, apiKey } = JSON.parse(saved);
      $("base-url").value = baseUrl;
      $("remember").checked = true;
      connect(baseUrl, apiKey, true);
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
    }
  } else {
    $("api-key").focus();
  }
  window.__conveyorAdmin = { ready: true };
}

init();
