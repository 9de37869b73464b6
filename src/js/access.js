// The probe loop of `client.checkAccess()` (src/access_shell.rs): Rust owns the groups, the
// bound and the verdict. Only `export function`, no imports: the build rewrites it to CJS.

/** Probes `groups` (`[[resource, path], ...]`) with `parallel` workers; a 403 is an entry,
 * not a rejection. Rejects with the first abort, after which no probe starts. */
export function runProbes(client, groups, query, parallel, init) {
  const entries = new Array(groups.length);
  let next = 0;
  let aborted = null;
  const probe = async (i) => {
    const [resource, path] = groups[i];
    try {
      const res = await client.fetch(path + query, init);
      await res.arrayBuffer().catch(() => undefined); // frees the connection
      entries[i] = { resource, path, read: "ok", status: res.status };
    } catch (e) {
      if (e && e.code === "aborted") return void (aborted = aborted || e);
      const status = e && typeof e.status === "number" ? e.status : null;
      entries[i] = e && e.code === "forbidden" ? { resource, path, read: "forbidden", status } : { resource, path, read: "error", status, error: e };
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
    return Object.assign(entries, { verdict, message });
  });
}
