// What the key can read, shown on connect: client.checkAccess() probes every resource
// group; sections the key cannot read are marked in the tabs (not hidden), and a line
// under the tabs says what the 403s mean.
import { h } from "./dom.js";

/** The resource groups each section reads. */
const SECTION_RESOURCES = {
  requests: ["access_requests", "access_groups"],
  authorizations: ["authorizations"],
  documents: ["documents", "folders"],
  questionnaires: ["questionnaires"],
  knowledge: ["knowledge_base"],
};

/** The check, or null when this package version has none or it could not run. */
export async function checkAccess(client) {
  if (typeof client.checkAccess !== "function") return null;
  try {
    return await client.checkAccess();
  } catch {
    return null;
  }
}

/** Whether the connect step may read access groups (skipped only when they are forbidden
 * to an otherwise valid key, so that key can still use the sections it has). */
export function mayReadGroups(check) {
  if (!check || check.verdict === "invalid_key") return true;
  return check.find((e) => e.resource === "access_groups")?.read !== "forbidden";
}

/** Marks the tabs and writes the summary line; `clearAccess` undoes it. */
export function showAccess(check, tabs) {
  clearAccess(tabs);
  if (!check) return;
  const forbidden = new Set(check.filter((e) => e.read === "forbidden").map((e) => e.resource));
  for (const a of tabs.querySelectorAll("a[href^='#']")) {
    const lacking = (SECTION_RESOURCES[a.getAttribute("href").slice(1)] ?? []).filter((r) => forbidden.has(r));
    if (!lacking.length) continue;
    a.dataset.access = "forbidden";
    a.title = `This key cannot read ${lacking.join(", ")} (403)`;
    a.append(h("span", { class: "access-mark" }, "(no access)"));
  }
  if (check.verdict !== "ok") {
    tabs.after(h("p", { id: "access-summary", class: "access-summary", role: "status", dataset: { verdict: check.verdict } }, `Key check: ${check.message}.`));
  }
}

export function clearAccess(tabs) {
  for (const a of tabs.querySelectorAll("a[data-access]")) {
    delete a.dataset.access;
    a.removeAttribute("title");
    a.querySelector(".access-mark")?.remove();
  }
  document.getElementById("access-summary")?.remove();
}
