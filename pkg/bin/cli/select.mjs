// Reading the command line's selections: ids, id lists, dates, and access requests by
// domain.
import { UsageError } from "./exit.mjs";

/** Positive integer ids, in order, without repeats. */
export function parseIds(texts, what = "id") {
  const ids = [];
  let n = 0;
  for (const t of texts) {
    for (const part of String(t).split(",")) {
      n += 1;
      // The value is not echoed: a misplaced key must not be printed.
      if (!/^[1-9]\d{0,15}$/.test(part.trim())) throw new UsageError(`${what}s are positive integers; value ${n} is not`);
      const id = Number(part.trim());
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

/** `--expires`: an ISO 8601 date or date-time, or `N` days from now as `Nd`. */
export function parseExpires(text, now = Date.now()) {
  const days = /^(\d{1,4})d$/.exec(text);
  if (days) return new Date(now + Number(days[1]) * 86_400_000).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`--expires takes an ISO date (2027-01-31), a date-time (2027-01-31T12:00:00Z) or days from now (30d)`);
  }
  return text;
}

/** The domain of an email address, lower-cased. */
export const domainOf = (email) => String(email ?? "").split("@").pop().trim().toLowerCase();

/** Every open access request (the queue) whose requester's email domain is `domain`. */
export async function openRequestsFrom(client, domain, signal) {
  const want = domain.trim().toLowerCase().replace(/^@/, "");
  if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(want)) throw new UsageError("--domain takes a domain such as example.com");
  const matches = [];
  for await (const r of client.exchange.authorizationRequests.queue({}, { signal })) {
    if (domainOf(r.email) === want) matches.push(r);
  }
  return matches;
}
