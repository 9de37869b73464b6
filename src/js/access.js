// The probes behind `client.checkAccess()`: one `client.fetch` per resource group, a few
// workers taking the next group in turn, each 403 kept as `read: "forbidden"` instead of a
// rejection. Rust (`src/access.rs`) owns the group table, the bound and the verdict;
// this loop is the imperative shell around them.
//
// Only `export function` at the start of a line, and no imports: the build rewrites this
// file to CommonJS for the Node `require` entry.

/**
 * Runs the probes. `groups` is `[[resource, path], ...]`; `init` (`{ signal, timeoutMs }`)
 * goes to every `fetch`. Resolves with the entries in `groups` order, with `verdict` and
 * `message` from Rust; rejects with the first abort, after which no probe starts.
 */
export function runProbes(client, groups, query, parallel, init) {
  const entries = new Array(groups.length);
  let next = 0;
  let aborted = null;
  const probe = async (i) => {
    const [resource, path] = groups[i];
    try {
      const res = await client.fetch(path + query, init);
      // Read to the end, so the connection is free for the next probe.
      await res.arrayBuffer().catch(() => undefined);
      entries[i] = { resource, path, read: "ok", status: res.status };
    } catch (e) {
      if (e && e.code === "aborted") {
        aborted = aborted || e;
        return;
      }
      const forbidden = Boolean(e) && e.code === "forbidden";
      const status = e && typeof e.status === "number" ? e.status : null;
      entries[i] = forbidden ? { resource, path, read: "forbidden", status } : { resource, path, read: "error", status, error: e };
    }
  };
  const worker = async () => {
    while (next < groups.length && !aborted) await probe(next++);
  };
  const workers = [];
  for (let w = 0; w < Math.min(parallel, groups.length); w++) workers.push(worker());
  return Promise.all(workers).then(() => {
    if (aborted) throw aborted;
    const [verdict, message] = client.__accessVerdict(entries.map((e) => e.read).join(","));
    entries.verdict = verdict;
    entries.message = message;
    return entries;
  });
}
