// Small DOM helpers: elements are built with createElement and textContent only, so data
// from the API can never become markup.

/** h("button", { class: "x", onclick }, "text", child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export const nextId = (prefix = "id") => `${prefix}-${++uid}`;

export function fmtDate(v, withTime = false) {
  if (!v) return "—";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return withTime
    ? d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
    : d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function fmtMs(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return "–";
  if (ms <= 0) return "now";
  if (ms < 1000) return `${Math.ceil(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export const humanize = (s) => (s ? String(s).replace(/[_-]+/g, " ") : "—");

export function badge(value, kind = value) {
  return h("span", { class: `badge badge-${String(kind ?? "none").replace(/[^a-z0-9]+/gi, "-").toLowerCase()}` }, humanize(value));
}

/** A loading placeholder that announces itself to screen readers. */
export function loading(text = "Loading…") {
  return h("div", { class: "state state-loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function empty(title, detail) {
  return h("div", { class: "state state-empty" }, h("p", { class: "state-title" }, title), detail ? h("p", { class: "muted" }, detail) : null);
}

/** What the user reads for a failure: the typed error's own message, plus a hint by kind. */
export function describeError(err) {
  const code = err?.code;
  const name = err?.name ?? "Error";
  let title = "Something went wrong";
  if (code === "forbidden" || err?.status === 403) title = "The API refused this key (403)";
  else if (code === "rate_limited" || code === "queue_full") title = "Rate limit";
  else if (code === "not_found") title = "Not found";
  else if (code === "invalid_request") title = "The request was rejected";
  else if (code === "network") title = "Could not reach the API";
  else if (code === "timeout") title = "The API took too long";
  else if (code === "server_error") title = "The API had a problem";
  else if (code === "aborted") title = "Cancelled";
  else if (code === "config") title = "Check the connection settings";
  let message = String(err?.message ?? err ?? "Unknown error");
  for (const secret of secrets) if (secret) message = message.split(secret).join("•••");
  const hint = {
    forbidden: "Check that the key is active and has the permission this action needs (Settings › Integrations › Conveyor API).",
    network: "Check the base URL and your connection, and that the API allows requests from this page (CORS).",
    rate_limited: "The limit is 2000 requests per 5 minutes per key; wait a moment.",
    queue_full: "Too many requests are waiting for the rate limiter; let them finish first.",
  }[code];
  return { title, message, hint: hint && !/\bCheck\b/.test(message) ? hint : undefined, name, code, status: err?.status, retryable: Boolean(err?.retryable) };
}

const secrets = new Set();
/** Strings that must never be displayed (the API key), masked in every error message. */
export function registerSecret(s) {
  secrets.clear();
  if (s) secrets.add(s);
}

/** An error panel; a Retry button when the error says trying again may succeed. */
export function errorBox(err, retry) {
  const d = describeError(err);
  const box = h(
    "div",
    { class: "state state-error", role: "alert" },
    h("p", { class: "state-title" }, d.title),
    h("p", { class: "error-message" }, d.message),
    d.hint ? h("p", { class: "error-hint" }, d.hint) : null,
    h("p", { class: "muted small" }, [d.name, d.code && `code ${d.code}`, d.status && `HTTP ${d.status}`].filter(Boolean).join(" · ")),
  );
  if (d.retryable && retry) box.append(h("button", { type: "button", class: "secondary retry", onclick: retry }, "Retry"));
  return box;
}

/** A short-lived message in the corner (and for screen readers). */
export function toast(text, kind = "ok") {
  const el = document.getElementById("toast");
  const item = h("div", { class: `toast-item toast-${kind}` }, text);
  el?.append(item);
  setTimeout(() => item.remove(), 5000);
}

/** A table that turns into stacked cards on narrow screens (cells carry data-label). */
export function table({ caption, columns, rows, rowKey, className = "" }) {
  const thead = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label))));
  const tbody = h(
    "tbody",
    {},
    rows.map((r) =>
      h("tr", { dataset: rowKey ? { id: String(rowKey(r)) } : undefined }, columns.map((c) => h("td", { "data-label": c.label, class: c.class }, c.cell(r)))),
    ),
  );
  return h("div", { class: "table-wrap" }, h("table", { class: `data ${className}` }, caption ? h("caption", { class: "sr-only" }, caption) : null, thead, tbody));
}

/** Opens a modal <dialog>; resolves with the value from onSubmit, or undefined if cancelled. */
export function modal({ title, body, submitLabel = "Save", onSubmit, danger = false }) {
  return new Promise((resolve) => {
    const titleId = nextId("dlg");
    const status = h("div", { class: "status", role: "status", "aria-live": "polite" });
    const submit = h("button", { type: "submit", class: danger ? "danger" : "" }, submitLabel);
    const cancel = h("button", { type: "button", class: "secondary", onclick: () => dlg.close() }, "Cancel");
    const form = h("form", { method: "dialog", class: "dialog-form" }, h("h2", { id: titleId }, title), body, status, h("div", { class: "actions" }, cancel, submit));
    const dlg = h("dialog", { "aria-labelledby": titleId }, form);
    let result;
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      clear(status, loading("Working…"));
      try {
        result = await onSubmit(form);
        dlg.close();
      } catch (err) {
        clear(status, errorBox(err));
        submit.disabled = false;
      }
    });
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}
