// The auto-approval rules and what acting on them means, shared by the Worker (worker.mjs)
// and the Node server (../webhook-node.mjs). Plain JS over the package's typed methods.

/**
 * The rules, read from environment variables (strings, as Workers and `process.env` hold them):
 *   APPROVE_DOMAINS           comma-separated email domains to approve (subdomains included)
 *   APPROVE_ACCESS_GROUP_IDS  comma-separated access-group ids the approval grants
 *   APPROVE_NDA_BYPASS        "true" to skip the NDA for approved requests
 *   IGNORE_DOMAINS            comma-separated email domains whose requests are ignored
 *   REVIEWER_EMAIL            who the API records as having ignored them (required to ignore)
 * Everything else is left in the queue for a person.
 */
export function readRules(env) {
  const list = (v) =>
    String(v ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
  const groups = list(env.APPROVE_ACCESS_GROUP_IDS).map(Number);
  if (groups.some((g) => !Number.isSafeInteger(g) || g <= 0)) {
    throw new Error("APPROVE_ACCESS_GROUP_IDS must be comma-separated positive integers");
  }
  return {
    approve: list(env.APPROVE_DOMAINS),
    ignore: list(env.IGNORE_DOMAINS),
    accessGroupIds: groups,
    ndaBypass: String(env.APPROVE_NDA_BYPASS ?? "").toLowerCase() === "true",
    reviewerEmail: String(env.REVIEWER_EMAIL ?? "").trim(),
  };
}

/** Whether `email`'s domain is `domain` or one of its subdomains. */
function inDomain(email, domain) {
  const at = email.lastIndexOf("@");
  if (at < 0) return false;
  const host = email.slice(at + 1).toLowerCase();
  return host === domain || host.endsWith("." + domain);
}

/** What to do with a request from `email`: `approve`, `ignore`, or `leave` for a person. */
export function decide(email, rules) {
  if (typeof email !== "string") return { action: "leave" };
  if (rules.ignore.some((d) => inDomain(email, d))) {
    return rules.reviewerEmail ? { action: "ignore" } : { action: "leave" };
  }
  if (rules.approve.some((d) => inDomain(email, d))) {
    return { action: "approve", accessGroupIds: rules.accessGroupIds, ndaBypass: rules.ndaBypass };
  }
  return { action: "leave" };
}

/**
 * Acts on a verified `access.requested` event through the client's typed methods (so the
 * calls go through its rate limiter) and returns what was done.
 *
 * Safe to run twice for one request: it reads the request first and acts only while its
 * status is still `requested`. That check is what makes redelivery harmless when the
 * caller's record of delivery ids has not caught up (KV is eventually consistent).
 */
export async function actOn(event, client, rules) {
  const id = event?.data?.id;
  if (id === undefined || id === null) return { outcome: "no_request_id" };
  const decision = decide(event.data.email, rules);
  if (decision.action === "leave") return { outcome: "left_for_review", requestId: id };
  const current = await client.exchange.authorizationRequests.get(id);
  if (current.status !== "requested") return { outcome: "already_" + current.status, requestId: id };
  if (decision.action === "ignore") {
    await client.exchange.authorizationRequests.ignore(id, { reviewer_email: rules.reviewerEmail });
    return { outcome: "ignored", requestId: id };
  }
  const auth = await client.exchange.authorizations.create({
    request_id: id,
    ...(decision.accessGroupIds.length ? { access_group_ids: decision.accessGroupIds } : {}),
    nda_bypass: decision.ndaBypass,
  });
  return { outcome: "approved", requestId: id, authorizationId: auth.id };
}
