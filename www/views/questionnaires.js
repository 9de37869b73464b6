// Questionnaires: a table filterable by status and due date.
import { h, clear, loading, empty, errorBox, fmtDate, table, badge, nextId } from "../dom.js";

const STATUSES = ["processing", "started", "ready_for_review", "approved", "completed"];

export function mount(root, ctx) {
  const ids = { status: nextId("qs"), from: nextId("qf"), to: nextId("qt") };
  const status = h("select", { id: ids.status }, h("option", { value: "" }, "Any status"), STATUSES.map((s) => h("option", { value: s }, s.replace(/_/g, " "))));
  const from = h("input", { id: ids.from, type: "date" });
  const to = h("input", { id: ids.to, type: "date" });
  const reset = h("button", { type: "button", class: "secondary", onclick: () => ((status.value = ""), (from.value = ""), (to.value = ""), load()) }, "Clear");
  const filters = h(
    "form",
    { class: "filters", role: "search", onsubmit: (e) => (e.preventDefault(), load()) },
    h("div", { class: "field" }, h("label", { for: ids.status }, "Status"), status),
    h("div", { class: "field" }, h("label", { for: ids.from }, "Due from"), from),
    h("div", { class: "field" }, h("label", { for: ids.to }, "Due to"), to),
    h("div", { class: "field-actions" }, h("button", { type: "submit", class: "secondary" }, "Filter"), reset),
  );
  for (const el of [status, from, to]) el.addEventListener("change", () => load());
  const count = h("span", { class: "count" });
  const body = h("div", { class: "view-body" });
  clear(root, h("div", { class: "view-head" }, h("h1", { tabindex: "-1" }, "Questionnaires ", count)), filters, body);

  let seq = 0;
  async function load() {
    const mine = ++seq;
    clear(body, loading("Loading questionnaires…"));
    count.textContent = "";
    const params = {
      status: status.value || undefined,
      due_at_start: from.value ? `${from.value}T00:00:00Z` : undefined,
      due_at_end: to.value ? `${to.value}T23:59:59Z` : undefined,
    };
    let rows;
    try {
      rows = await ctx.api.questionnaires(params);
    } catch (err) {
      if (mine === seq) clear(body, errorBox(err, load));
      return;
    }
    if (mine !== seq) return;
    // The API filters too; filtering here as well keeps the table right on any server.
    rows = rows.filter((q) => {
      if (params.status && q.status !== params.status) return false;
      const due = q.due_at ? Date.parse(q.due_at) : NaN;
      if (params.due_at_start && !(due >= Date.parse(params.due_at_start))) return false;
      if (params.due_at_end && !(due <= Date.parse(params.due_at_end))) return false;
      return true;
    });
    rows.sort((a, b) => (Date.parse(a.due_at ?? "") || Infinity) - (Date.parse(b.due_at ?? "") || Infinity));
    count.textContent = `(${rows.length})`;
    if (!rows.length) {
      clear(body, empty("No questionnaires match", status.value || from.value || to.value ? "Widen the status or due-date filter." : "Questionnaires your customers send appear here."));
      return;
    }
    const now = Date.now();
    clear(
      body,
      table({
        caption: "Questionnaires",
        rowKey: (q) => q.id,
        rows,
        columns: [
          { label: "Name", cell: (q) => h("span", { class: "strong" }, q.name ?? `Questionnaire ${q.id}`) },
          { label: "Company", cell: (q) => q.connection?.domain ?? q.domain ?? "—" },
          { label: "Status", cell: (q) => badge(q.status) },
          { label: "Assignee", cell: (q) => q.assignee?.name ?? q.assignee?.email ?? h("span", { class: "muted" }, "Unassigned") },
          { label: "Questions", class: "num", cell: (q) => String(q.question_count ?? "—") },
          {
            label: "Due",
            cell: (q) => {
              const overdue = q.due_at && Date.parse(q.due_at) < now && !["completed", "approved"].includes(q.status);
              return h("span", { class: overdue ? "overdue" : "" }, fmtDate(q.due_at), overdue ? h("span", { class: "badge badge-overdue" }, "overdue") : null);
            },
          },
          { label: "Completed", cell: (q) => fmtDate(q.completed_at) },
        ],
      }),
    );
  }

  load();
}
