// The open access-request queue: approve (groups, NDA bypass, expiry) or ignore one, or a
// selection in bulk with a progress bar and an ETA while the rate limiter makes it wait.
import { h, clear, loading, empty, errorBox, fmtDate, fmtMs, table, modal, toast, nextId, describeError } from "../dom.js";

let reviewerEmail = "";
const domainOf = (email) => (email && email.includes("@") ? email.split("@").pop() : "—");

export function mount(root, ctx) {
  const selected = new Set();
  let items = [];
  let bulkRunning = false;
  const count = h("span", { class: "count" });
  const refresh = h("button", { type: "button", class: "secondary", onclick: () => load() }, "Refresh");
  const selectAll = h("input", { type: "checkbox", id: nextId("all"), "aria-label": "Select all requests" });
  const bulkApprove = h("button", { type: "button", disabled: true, onclick: () => bulk("approve") }, "Approve selected");
  const bulkIgnore = h("button", { type: "button", class: "secondary", disabled: true, onclick: () => bulk("ignore") }, "Ignore selected");
  const toolbar = h("div", { class: "toolbar" }, h("label", { class: "check", for: selectAll.id }, selectAll, "Select all"), bulkApprove, bulkIgnore);
  const progressArea = h("div", { class: "bulk", "aria-live": "polite" });
  const body = h("div", { class: "view-body" });
  clear(
    root,
    h("div", { class: "view-head" }, h("h1", { tabindex: "-1" }, "Access requests ", count), refresh),
    h("p", { class: "muted" }, "People asking for access to your Trust Center. Approving creates an authorization with the chosen access groups."),
    toolbar,
    progressArea,
    body,
  );

  selectAll.addEventListener("change", () => {
    selected.clear();
    if (selectAll.checked) for (const r of items) selected.add(r.id);
    for (const cb of body.querySelectorAll("input[data-select]")) cb.checked = selectAll.checked;
    syncSelection();
  });

  function syncSelection() {
    const n = selected.size;
    bulkApprove.textContent = n ? `Approve selected (${n})` : "Approve selected";
    bulkIgnore.textContent = n ? `Ignore selected (${n})` : "Ignore selected";
    bulkApprove.disabled = bulkIgnore.disabled = n === 0 || bulkRunning;
    selectAll.checked = n > 0 && n === items.length;
    selectAll.indeterminate = n > 0 && n < items.length;
  }

  async function load() {
    clear(body, loading("Loading the request queue…"));
    count.textContent = "";
    try {
      items = await ctx.api.requestQueue();
    } catch (err) {
      clear(body, errorBox(err, load));
      return;
    }
    for (const id of [...selected]) if (!items.some((r) => r.id === id)) selected.delete(id);
    count.textContent = `(${items.length})`;
    toolbar.hidden = items.length === 0;
    syncSelection();
    if (!items.length) {
      clear(body, empty("The queue is empty", "No one is waiting for access right now."));
      return;
    }
    clear(
      body,
      table({
        caption: "Open access requests",
        className: "requests",
        rowKey: (r) => r.id,
        rows: items,
        columns: [
          {
            label: "Select",
            class: "col-select",
            cell: (r) =>
              h("input", {
                type: "checkbox",
                "aria-label": `Select request from ${r.email}`,
                dataset: { select: String(r.id) },
                checked: selected.has(r.id),
                onchange: (ev) => {
                  if (ev.target.checked) selected.add(r.id);
                  else selected.delete(r.id);
                  syncSelection();
                },
              }),
          },
          { label: "Email", cell: (r) => h("span", { class: "strong" }, r.email ?? "—") },
          { label: "Company", cell: (r) => domainOf(r.email) },
          { label: "Message", class: "col-message", cell: (r) => (r.message ? h("span", { class: "message" }, r.message) : h("span", { class: "muted" }, "No message")) },
          { label: "Requested", cell: (r) => h("time", { datetime: r.requested_at ?? r.created_at ?? "" }, fmtDate(r.requested_at ?? r.created_at, true)) },
          {
            label: "Actions",
            class: "col-actions",
            cell: (r) =>
              h(
                "div",
                { class: "row-actions" },
                h("button", { type: "button", class: "small", onclick: () => approveOne(r) }, "Approve", h("span", { class: "sr-only" }, ` ${r.email}`)),
                h("button", { type: "button", class: "small secondary", onclick: () => ignoreOne(r) }, "Ignore", h("span", { class: "sr-only" }, ` ${r.email}`)),
              ),
          },
        ],
      }),
    );
  }

  /** The Approve form: access groups, NDA bypass, expiry. Resolves with the params or undefined. */
  async function approveForm(title, submitLabel, run) {
    let groups;
    try {
      groups = await ctx.accessGroups();
    } catch (err) {
      clear(progressArea, errorBox(err, () => clear(progressArea)));
      return undefined;
    }
    const today = new Date().toISOString().slice(0, 10);
    const groupBoxes = groups.map((g, i) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "group", value: String(g.id), checked: i === 0 }), g.name));
    const expiresId = nextId("exp");
    const body = h(
      "div",
      {},
      h("fieldset", {}, h("legend", {}, "Access groups"), groupBoxes.length ? groupBoxes : h("p", { class: "muted" }, "No access groups exist; the authorization will have none.")),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "nda" }), "Bypass the NDA"),
      h("label", { for: expiresId }, "Expires on (optional)"),
      h("input", { type: "date", id: expiresId, name: "expires", min: today }),
    );
    return modal({
      title,
      body,
      submitLabel,
      onSubmit: async (form) => {
        const params = {
          access_group_ids: [...form.querySelectorAll("input[name=group]:checked")].map((i) => (Number.isNaN(Number(i.value)) ? i.value : Number(i.value))),
          nda_bypass: form.querySelector("input[name=nda]").checked,
          expires_at: form.querySelector("input[name=expires]").value ? new Date(`${form.querySelector("input[name=expires]").value}T23:59:59Z`).toISOString() : undefined,
        };
        return run ? run(params) : params;
      },
    });
  }

  function reviewerForm(title, submitLabel, run) {
    const id = nextId("rev");
    const input = h("input", { type: "email", id, name: "reviewer", required: true, autocomplete: "email", value: reviewerEmail });
    return modal({
      title,
      body: h("div", {}, h("label", { for: id }, "Reviewer email"), input, h("p", { class: "hint" }, "Recorded on the request as the person who ignored it.")),
      submitLabel,
      onSubmit: async () => {
        if (!input.value.trim() || !input.checkValidity()) throw new Error("Enter the reviewer's email address.");
        reviewerEmail = input.value.trim();
        return run ? run(reviewerEmail) : reviewerEmail;
      },
    });
  }

  /** After a row leaves the queue, keep keyboard focus near where it was. */
  async function reloadKeepingFocus(index) {
    await load();
    const buttons = body.querySelectorAll("tbody tr .row-actions button:first-child");
    (buttons[Math.min(index, buttons.length - 1)] ?? root.querySelector("h1"))?.focus();
  }

  async function approveOne(r) {
    const index = items.indexOf(r);
    const done = await approveForm(`Approve ${r.email}`, "Approve", (p) => ctx.api.approveRequest(r.id, p));
    if (done !== undefined) {
      toast(`Approved ${r.email}`);
      await reloadKeepingFocus(index);
    }
  }

  async function ignoreOne(r) {
    const index = items.indexOf(r);
    const done = await reviewerForm(`Ignore ${r.email}`, "Ignore request", (email) => ctx.api.ignoreRequest(r.id, email));
    if (done !== undefined) {
      toast(`Ignored ${r.email}`);
      await reloadKeepingFocus(index);
    }
  }

  async function bulk(kind) {
    const targets = items.filter((r) => selected.has(r.id));
    if (!targets.length) return;
    const label = kind === "approve" ? "Approve" : "Ignore";
    const params =
      kind === "approve"
        ? await approveForm(`Approve ${targets.length} requests`, `Approve ${targets.length}`)
        : await reviewerForm(`Ignore ${targets.length} requests`, `Ignore ${targets.length}`);
    if (params === undefined) return;
    const call = kind === "approve" ? (r) => ctx.api.approveRequest(r.id, params) : (r) => ctx.api.ignoreRequest(r.id, params);
    await runBulk(label, kind === "approve" ? "Approved" : "Ignored", targets, call);
  }

  /** Runs `call` over `targets` a few at a time; the package's limiter paces the rest. */
  async function runBulk(label, past, targets, call) {
    bulkRunning = true;
    syncSelection();
    for (const b of body.querySelectorAll(".row-actions button, input[data-select]")) b.disabled = true;
    selectAll.disabled = true;
    /** Marks a row as handled (or failed) while the job runs. */
    const mark = (r, state, text) => {
      const tr = body.querySelector(`tr[data-id="${CSS.escape(String(r.id))}"]`);
      if (!tr) return;
      tr.dataset.state = state;
      const cell = tr.querySelector(".col-actions");
      if (cell) clear(cell, h("span", { class: `badge badge-${state === "done" ? past.toLowerCase() : "revoked"}` }, text));
    };
    const total = targets.length;
    let done = 0;
    const failed = [];
    const bar = h("progress", { max: String(total), value: "0", id: nextId("prog") });
    const text = h("p", { class: "bulk-text" });
    const eta = h("p", { class: "bulk-eta muted" });
    const cancelBtn = h("button", { type: "button", class: "secondary small", onclick: () => (cancelled = true) }, "Stop");
    let cancelled = false;
    const panel = h("div", { class: "card bulk-panel", role: "region", "aria-label": `${label} progress` }, h("label", { for: bar.id, class: "strong" }, `${label} ${total} requests`), bar, text, eta, cancelBtn);
    clear(progressArea, panel);
    const started = performance.now();
    const tick = () => {
      bar.value = done + failed.length;
      text.textContent = `${past} ${done} of ${total}${failed.length ? `, ${failed.length} failed` : ""}`;
      const remaining = total - done - failed.length;
      const s = ctx.limiter();
      if (remaining > 0 && s && (s.queued > 0 || s.available === 0)) {
        const needed = Math.max(0, remaining - s.available);
        const next = s.nextTokenInMs ?? 0;
        const ms = needed > 0 ? next + Math.max(0, Math.ceil(needed / s.limit) - 1) * s.windowMs : next;
        eta.textContent = `Waiting on the rate limiter (${s.queued} queued) — about ${ms > 0 ? fmtMs(ms) : "a moment"} left`;
        panel.dataset.waiting = "true";
      } else if (remaining > 0) {
        const elapsed = performance.now() - started;
        const per = done ? elapsed / done : 0;
        eta.textContent = per ? `About ${fmtMs(per * remaining)} left` : "Starting…";
        panel.dataset.waiting = "false";
      } else {
        eta.textContent = "";
      }
    };
    const timer = setInterval(tick, 250);
    tick();
    const queue = [...targets];
    const worker = async () => {
      while (queue.length && !cancelled) {
        const r = queue.shift();
        try {
          await call(r);
          done++;
          selected.delete(r.id);
          mark(r, "done", past);
        } catch (err) {
          failed.push({ r, err });
          mark(r, "failed", "Failed");
        }
        tick();
      }
    };
    await Promise.all(Array.from({ length: Math.min(6, total) }, worker));
    clearInterval(timer);
    tick();
    bulkRunning = false;
    cancelBtn.remove();
    panel.dataset.done = "true";
    const skipped = total - done - failed.length;
    text.textContent = `${past} ${done} of ${total}${failed.length ? `, ${failed.length} failed` : ""}${skipped ? `, ${skipped} not started (stopped)` : ""}.`;
    eta.textContent = `Took ${fmtMs(performance.now() - started)}.`;
    if (failed.length) {
      panel.append(
        h("details", {}, h("summary", {}, `Why ${failed.length} failed`), h("ul", {}, failed.map((f) => h("li", {}, `${f.r.email}: ${describeError(f.err).message}`)))),
      );
      if (failed.some((f) => f.err?.retryable)) {
        panel.append(h("button", { type: "button", class: "small", onclick: () => runBulk(label, past, failed.map((f) => f.r), call) }, `Retry ${failed.length} failed`));
      }
      panel.setAttribute("role", "alert");
    }
    panel.append(h("button", { type: "button", class: "small secondary", onclick: () => clear(progressArea) }, "Dismiss"));
    selectAll.disabled = false;
    toast(`${past} ${done} of ${total}`, failed.length ? "warn" : "ok");
    await load();
  }

  load();
}
