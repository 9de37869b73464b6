// Documents and folders: browse by folder with access level and certification, upload, delete.
import { h, clear, loading, empty, errorBox, fmtDate, table, modal, toast, badge, nextId, humanize } from "../dom.js";

const ACCESS_LEVELS = ["public", "protected", "need_to_know", "internal"];
const CERTIFICATIONS = ["soc2-type-2", "iso-27001", "hipaa", "gdpr", "pci"];
const CERT_LABELS = { "soc2-type-2": "SOC 2 Type 2", "iso-27001": "ISO 27001", hipaa: "HIPAA", gdpr: "GDPR", pci: "PCI" };

const folderIdOf = (d) => (d.folder && typeof d.folder === "object" ? d.folder.id : d.folder ?? d.folder_id ?? null);

export function mount(root, ctx) {
  let folders = [];
  let docs = [];
  let active = "all";
  const count = h("span", { class: "count" });
  const upload = h("button", { type: "button", onclick: () => uploadForm() }, "Upload document");
  const side = h("nav", { class: "folders", "aria-label": "Folders" });
  const body = h("div", { class: "view-body" });
  clear(root, h("div", { class: "view-head" }, h("h1", { tabindex: "-1" }, "Documents ", count), upload), h("div", { class: "split" }, side, body));

  function folderOf(doc) {
    const id = folderIdOf(doc);
    if (id !== null && id !== undefined) return String(id);
    const f = folders.find((f) => (f.document_ids ?? []).map(String).includes(String(doc.id)));
    return f ? String(f.id) : null;
  }

  async function load() {
    clear(side);
    clear(body, loading("Loading documents and folders…"));
    count.textContent = "";
    try {
      [folders, docs] = await Promise.all([ctx.api.folders(), ctx.api.documents()]);
    } catch (err) {
      clear(body, errorBox(err, load));
      return;
    }
    count.textContent = `(${docs.length})`;
    render();
  }

  function render() {
    const counts = new Map();
    for (const d of docs) counts.set(folderOf(d), (counts.get(folderOf(d)) ?? 0) + 1);
    const entries = [
      { key: "all", name: "All documents", n: docs.length },
      ...folders.map((f) => ({ key: String(f.id), name: f.name, n: counts.get(String(f.id)) ?? 0 })),
      ...(counts.get(null) ? [{ key: "none", name: "Not in a folder", n: counts.get(null) }] : []),
    ];
    if (!entries.some((e) => e.key === active)) active = "all";
    clear(
      side,
      h(
        "ul",
        {},
        entries.map((e) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", class: "folder", "aria-pressed": String(e.key === active), onclick: () => ((active = e.key), render()) },
              h("span", { class: "folder-name" }, e.name),
              h("span", { class: "folder-count", "aria-label": `${e.n} documents` }, String(e.n)),
            ),
          ),
        ),
      ),
    );
    const shown = docs.filter((d) => active === "all" || (active === "none" ? folderOf(d) === null : folderOf(d) === active));
    if (!shown.length) {
      clear(body, empty(docs.length ? "This folder is empty" : "No documents yet", "Upload a policy, report or certificate to share it through the Trust Center."));
      return;
    }
    const folderName = (d) => folders.find((f) => String(f.id) === folderOf(d))?.name ?? (d.folder && d.folder.name) ?? "—";
    clear(
      body,
      table({
        caption: "Documents",
        rowKey: (d) => d.id,
        rows: shown,
        columns: [
          {
            label: "Name",
            cell: (d) =>
              h(
                "div",
                {},
                h("span", { class: "strong" }, d.name ?? "Untitled"),
                d.description ? h("div", { class: "muted small" }, d.description) : null,
                latestFile(d) ? h("div", { class: "muted small" }, latestFile(d)) : null,
              ),
          },
          ...(active === "all" ? [{ label: "Folder", cell: folderName }] : []),
          { label: "Access", cell: (d) => badge(d.access_level ?? "unknown") },
          { label: "Certification", cell: (d) => (d.display_certification || d.certification ? h("span", { class: "cert" }, CERT_LABELS[d.display_certification ?? d.certification] ?? d.display_certification ?? d.certification) : h("span", { class: "muted" }, "—")) },
          { label: "Updated", cell: (d) => fmtDate(d.file_updated_at ?? d.updated_at) },
          {
            label: "Actions",
            class: "col-actions",
            cell: (d) => h("button", { type: "button", class: "small danger", onclick: () => remove(d) }, "Delete", h("span", { class: "sr-only" }, ` ${d.name}`)),
          },
        ],
      }),
    );
  }

  function latestFile(d) {
    const v = (d.versions ?? []).slice().sort((a, b) => (b.version_number ?? 0) - (a.version_number ?? 0))[0];
    return v?.filename ? `${v.filename}${v.version_number ? ` · v${v.version_number}` : ""}` : null;
  }

  async function remove(d) {
    const done = await modal({
      title: `Delete “${d.name}”?`,
      body: h("p", {}, "It disappears from the Trust Center for everyone. This cannot be undone."),
      submitLabel: "Delete",
      danger: true,
      onSubmit: () => ctx.api.deleteDocument(d.id).then(() => true),
    });
    if (done) {
      toast(`Deleted ${d.name}`);
      load();
    }
  }

  async function uploadForm() {
    const ids = { name: nextId("n"), file: nextId("f"), folder: nextId("fo"), level: nextId("l"), cert: nextId("c"), desc: nextId("d") };
    const file = h("input", { id: ids.file, type: "file", name: "file", required: true });
    const name = h("input", { id: ids.name, type: "text", name: "name", required: true, autocomplete: "off" });
    file.addEventListener("change", () => {
      if (!name.value && file.files[0]) name.value = file.files[0].name.replace(/\.[^.]+$/, "");
    });
    const folder = h("select", { id: ids.folder, name: "folder" }, h("option", { value: "" }, "No folder"), folders.map((f) => h("option", { value: String(f.id), selected: String(f.id) === active }, f.name)));
    const level = h("select", { id: ids.level, name: "access_level" }, ACCESS_LEVELS.map((l) => h("option", { value: l, selected: l === "protected" }, humanize(l))));
    const cert = h("select", { id: ids.cert, name: "certification" }, h("option", { value: "" }, "None"), CERTIFICATIONS.map((c) => h("option", { value: c }, CERT_LABELS[c])));
    const desc = h("textarea", { id: ids.desc, name: "description", rows: "2" });
    const done = await modal({
      title: "Upload a document",
      submitLabel: "Upload",
      body: h(
        "div",
        { class: "form-grid" },
        h("div", { class: "field" }, h("label", { for: ids.file }, "File"), file),
        h("div", { class: "field" }, h("label", { for: ids.name }, "Name"), name),
        h("div", { class: "field" }, h("label", { for: ids.folder }, "Folder"), folder),
        h("div", { class: "field" }, h("label", { for: ids.level }, "Access level"), level),
        h("div", { class: "field" }, h("label", { for: ids.cert }, "Certification"), cert),
        h("div", { class: "field" }, h("label", { for: ids.desc }, "Description (optional)"), desc),
      ),
      onSubmit: async () => {
        if (!file.files[0]) throw new Error("Choose a file to upload.");
        if (!name.value.trim()) throw new Error("Give the document a name.");
        const folderId = folder.value === "" ? undefined : Number.isNaN(Number(folder.value)) ? folder.value : Number(folder.value);
        await ctx.api.createDocument({
          name: name.value.trim(),
          file: file.files[0],
          folder_id: folderId,
          access_level: level.value,
          certification: cert.value || undefined,
          description: desc.value.trim() || undefined,
        });
        return name.value.trim();
      },
    });
    if (done) {
      toast(`Uploaded ${done}`);
      load();
    }
  }

  load();
}
