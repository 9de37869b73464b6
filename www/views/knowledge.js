// Knowledge base: search across every question. Pages are fetched lazily, one at a time,
// when the list is scrolled to its end or when a search needs more matches.
import { h, clear, loading, empty, errorBox, fmtDate, badge, nextId } from "../dom.js";

const WANT = 25; // matches to show before a search stops pulling pages

export function mount(root, ctx) {
  const ids = { q: nextId("kq"), st: nextId("ks") };
  const search = h("input", { id: ids.q, type: "search", placeholder: "e.g. encryption at rest", autocomplete: "off" });
  const status = h("select", { id: ids.st }, h("option", { value: "" }, "Any status"), h("option", { value: "verified" }, "verified"), h("option", { value: "unverified" }, "unverified"));
  const progress = h("p", { class: "muted small kb-progress", role: "status", "aria-live": "polite" });
  const list = h("ol", { class: "kb-list", "aria-label": "Questions" });
  const more = h("button", { type: "button", class: "secondary", onclick: () => pull() }, "Load more");
  const sentinel = h("div", { class: "sentinel", "aria-hidden": "true" });
  const footer = h("div", { class: "kb-footer" });
  const body = h("div", { class: "view-body" });
  clear(
    root,
    h("div", { class: "view-head" }, h("h1", { tabindex: "-1" }, "Knowledge base")),
    h(
      "form",
      { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      h("div", { class: "field grow" }, h("label", { for: ids.q }, "Search questions and answers"), search),
      h("div", { class: "field" }, h("label", { for: ids.st }, "Status"), status),
    ),
    progress,
    body,
  );

  let pages; // the async page iterator for the current status filter
  let loaded = [];
  let done = false;
  let busy = false;
  let pageNo = 0;
  let totalPages = null;
  let error = null;
  let gen = 0;

  function restart() {
    gen++;
    pages = ctx.api.questionPages({ status: status.value || undefined });
    loaded = [];
    done = false;
    busy = false;
    pageNo = 0;
    totalPages = null;
    error = null;
    clear(body, loading("Loading questions…"));
    pull();
  }

  const terms = () => search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (q, t) => t.every((w) => `${q.question ?? ""} ${q.answer ?? ""}`.toLowerCase().includes(w));
  const visible = () => {
    const t = terms();
    return t.length ? loaded.filter((q) => matches(q, t)) : loaded;
  };

  async function pull() {
    if (busy || done) return;
    busy = true;
    error = null;
    const mine = gen;
    more.disabled = true;
    progress.textContent = `Fetching page ${pageNo + 1}${totalPages ? ` of ${totalPages}` : ""}…`;
    try {
      const next = await pages.next();
      if (mine !== gen) return;
      if (next.done) done = true;
      else {
        pageNo = next.value.page ?? pageNo + 1;
        totalPages = next.value.totalPages ?? totalPages;
        loaded.push(...next.value.items);
        if (totalPages && pageNo >= totalPages) done = true;
      }
    } catch (err) {
      if (mine !== gen) return;
      error = err;
    } finally {
      if (mine === gen) busy = false;
    }
    render();
    // A search keeps pulling pages until it has enough matches or has seen everything.
    if (!error && !done && terms().length && visible().length < WANT) pull();
  }

  function render() {
    const shown = visible();
    const t = terms();
    progress.textContent =
      `${loaded.length} question${loaded.length === 1 ? "" : "s"} loaded` +
      (totalPages ? ` (page ${pageNo} of ${totalPages})` : pageNo ? ` (${pageNo} page${pageNo === 1 ? "" : "s"})` : "") +
      (done ? ", all fetched" : "") +
      (t.length ? ` · ${shown.length} match${shown.length === 1 ? "" : "es"}` : "");
    clear(
      list,
      shown.map((q) =>
        h(
          "li",
          { class: "kb-item", dataset: { id: String(q.id) } },
          h("div", { class: "kb-q" }, h("span", { class: "strong" }, q.question ?? "—"), badge(q.status)),
          q.answer ? h("p", { class: "kb-a" }, q.answer) : h("p", { class: "muted" }, "No approved answer yet."),
          h("p", { class: "muted small" }, [q.curator?.name ?? q.curator?.email ?? (typeof q.curator === "string" ? q.curator : null), q.updated_at && `updated ${fmtDate(q.updated_at)}`].filter(Boolean).join(" · ")),
        ),
      ),
    );
    more.disabled = busy || done;
    more.hidden = done;
    clear(footer, error ? errorBox(error, () => pull()) : null, done ? null : more);
    if (!shown.length && done && !error) {
      clear(body, empty(t.length ? "No question matches" : "The knowledge base is empty", t.length ? `Nothing in ${loaded.length} questions matches “${search.value.trim()}”.` : null));
      return;
    }
    if (!shown.length && error && !loaded.length) {
      clear(body, errorBox(error, () => pull()));
      return;
    }
    clear(body, list, sentinel, footer);
    // If the end of the list is already on screen, the observer may not fire again.
    requestAnimationFrame(() => {
      if (!done && !busy && !error && !terms().length && sentinel.isConnected && sentinel.getBoundingClientRect().top < innerHeight + 400) pull();
    });
  }

  // Scrolling the sentinel into view fetches the next page.
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !terms().length) pull();
  }, { rootMargin: "400px" });
  observer.observe(sentinel);

  let debounce;
  search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      render();
      if (!done && terms().length && visible().length < WANT) pull();
    }, 200);
  });
  status.addEventListener("change", restart);

  restart();
  return () => {
    gen++;
    observer.disconnect();
    clearTimeout(debounce);
  };
}
