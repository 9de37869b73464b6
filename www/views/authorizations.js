// Authorizations: list, filter by status and email, revoke, change access groups.
import { h, clear, loading, empty, errorBox, fmtDate, table, modal, toast, badge, nextId } from "../dom.js";

const STATUSES = ["gated", "authorized", "revoked"];
const groupsOf = (a) => a?._embedded?.access_groups ?? a?.access_groups ?? [];

export function mount(root, ctx) {
  const statusId = nextId("st");
  const emailId = nextId("em");
  const status = h("select", { id: statusId }, h("option", { value: "" }, "Any status"), STATUSES.map((s) => h("option", { value: s }, s)));
  const email = h("input", { id: emailId, type: "search", placeholder: "name@company.com", autocomplete: "off" });
  const filters = h(
    "form",
    { class: "filters", role: "search", onsubmit: (e) => (e.preventDefault(), load()) },
    h("div", { class: "field" }, h("label", { for: statusId }, "Status"), status),
    h("div", { class: "field grow" }, h("label", { for: emailId }, "Email"), email),
    h("button", { type: "submit", class: "secondary" }, "Filter"),
  );
  status.addEventListener("change", () => load());
  const count = h("span", { class: "count" });
  const body = h("div", { class: "view-body" });
  clear(root, h("div", { class: "view-head" }, h("h1", { tabindex: "-1" }, "Authorizations ", count)), filters, body);

  async function load() {
    clear(body, loading("Loading authorizations…"));
    count.textContent = "";
    let rows;
    try {
      rows = await ctx.api.authorizations({ status: status.value || undefined, email: email.value.trim() || undefined });
    } catch (err) {
      clear(body, errorBox(err, load));
      return;
    }
    count.textContent = `(${rows.length})`;
    if (!rows.length) {
      clear(body, empty("No authorizations match", status.value || email.value ? "Try another status or email." : "Approve an access request to create one."));
      return;
    }
    clear(
      body,
      table({
        caption: "Authorizations",
        rowKey: (a) => a.id,
        rows,
        columns: [
          { label: "Email", cell: (a) => h("span", { class: "strong" }, a.email ?? "—") },
          { label: "Status", cell: (a) => badge(a.status) },
          { label: "Access groups", cell: (a) => (groupsOf(a).length ? h("ul", { class: "chips" }, groupsOf(a).map((g) => h("li", {}, g.name ?? g.id))) : h("span", { class: "muted" }, "None")) },
          { label: "Updated", cell: (a) => fmtDate(a.updated_at ?? a.created_at) },
          {
            label: "Actions",
            class: "col-actions",
            cell: (a) =>
              h(
                "div",
                { class: "row-actions" },
                h("button", { type: "button", class: "small secondary", disabled: a.status === "revoked", onclick: () => editGroups(a) }, "Groups", h("span", { class: "sr-only" }, ` for ${a.email}`)),
                h("button", { type: "button", class: "small danger", disabled: a.status === "revoked", onclick: () => revoke(a) }, "Revoke", h("span", { class: "sr-only" }, ` ${a.email}`)),
              ),
          },
        ],
      }),
    );
  }

  async function revoke(a) {
    const done = await modal({
      title: `Revoke access for ${a.email}?`,
      body: h("p", {}, "They will lose access to every protected document at once."),
      submitLabel: "Revoke",
      danger: true,
      onSubmit: () => ctx.api.revokeAuthorization(a.id).then(() => true),
    });
    if (done) {
      toast(`Revoked ${a.email}`);
      load();
    }
  }

  async function editGroups(a) {
    let groups;
    try {
      groups = await ctx.accessGroups();
    } catch (err) {
      clear(body, errorBox(err, load));
      return;
    }
    const current = new Set(groupsOf(a).map((g) => String(g.id)));
    const boxes = groups.map((g) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "group", value: String(g.id), checked: current.has(String(g.id)) }), g.name));
    const done = await modal({
      title: `Access groups for ${a.email}`,
      body: h("fieldset", {}, h("legend", {}, "Groups (replaces the current list)"), boxes.length ? boxes : h("p", { class: "muted" }, "No access groups exist.")),
      submitLabel: "Save groups",
      onSubmit: (form) => {
        const ids = [...form.querySelectorAll("input[name=group]:checked")].map((i) => (Number.isNaN(Number(i.value)) ? i.value : Number(i.value)));
        return ctx.api.updateAuthorization(a.id, { access_group_ids: ids }).then(() => true);
      },
    });
    if (done) {
      toast(`Updated groups for ${a.email}`);
      load();
    }
  }

  load();
}
