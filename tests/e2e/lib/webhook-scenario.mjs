// The webhook checks every runtime runs (called from scenario.mjs): deliveries signed by
// svix's own `Webhook.sign` verify with `verifyWebhook`; deliveries the sandbox sends verify
// with svix's `Webhook.verify` and with `verifyWebhook`; and every way a delivery can be
// wrong rejects with the right `ConveyorWebhookError` code, the secret nowhere in it.
// Web-standard APIs only. `./vendor/svix.mjs` is the `svix` package bundled by scripts/e2e.sh.
import { Webhook } from "./vendor/svix.mjs";

const b64 = (bytes) => btoa(String.fromCharCode(...bytes));

/** A signature over raw bytes (svix's `sign` takes only strings), by WebCrypto. */
async function signBytes(secret, id, ts, bytes) {
  const raw = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const prefix = new TextEncoder().encode(`${id}.${ts}.`);
  const data = new Uint8Array(prefix.length + bytes.length);
  data.set(prefix);
  data.set(bytes, prefix.length);
  return "v1," + b64(new Uint8Array(await crypto.subtle.sign("HMAC", key, data)));
}

/**
 * @param {typeof import("conveyor-client")} pkg
 * @param {{ sandbox: string, webhookSecret?: string }} env
 * @param {(cond: unknown, what: string) => void} check
 */
export async function webhookScenario(pkg, env, check) {
  const { verifyWebhook, ConveyorWebhookError, ConveyorError, ConveyorConfigError } = pkg;
  check(typeof verifyWebhook === "function", "verifyWebhook is exported");
  check(typeof ConveyorWebhookError === "function", "ConveyorWebhookError is exported");
  if (typeof verifyWebhook !== "function") return;

  const secret = env.webhookSecret ?? "whsec_" + b64(crypto.getRandomValues(new Uint8Array(24)));
  const wh = new Webhook(secret);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const ts = Math.floor(now.getTime() / 1000);
  const id = "msg_2Lx9ScenarioVector";
  const event = { type: "access.requested", data: { id: 7, email: "ada@example.com", status: "requested", future_field: { nested: [1, 2] } } };
  // Spaces and key order a re-serialisation would not keep.
  const body = `{"type": "access.requested",  "data": {"id": 7, "email": "ada@example.com", "status": "requested", "future_field": {"nested": [1, 2]}}}`;
  const sig = wh.sign(id, now, body);
  const svixHeaders = { "svix-id": id, "svix-timestamp": String(ts), "svix-signature": sig };

  /** Calls verifyWebhook; whatever is wrong must reject its promise, never throw from the call. */
  const call = (what, opts) => {
    try {
      const p = verifyWebhook(opts);
      check(p instanceof Promise, `${what}: verifyWebhook returns a Promise`);
      return p;
    } catch (err) {
      check(false, `${what}: verifyWebhook threw synchronously (${err?.code}: ${err?.message}) instead of rejecting`);
      return Promise.reject(err);
    }
  };
  /** Runs verifyWebhook and returns `{ ok, value, err }`. */
  const attempt = async (opts, what = "verifyWebhook") => {
    try {
      return { ok: true, value: await call(what, { secret, now, ...opts }) };
    } catch (err) {
      return { ok: false, err };
    }
  };
  const expectOk = async (what, opts) => {
    const r = await attempt(opts, what);
    check(r.ok, `${what}: verifies (got ${r.err?.code}: ${r.err?.message})`);
    return r.value;
  };
  const expectCode = async (what, code, opts, secretUsed = secret) => {
    const r = await attempt(opts, what);
    const e = r.err;
    check(!r.ok, `${what}: rejects`);
    if (r.ok) return;
    const cls = code === "config" ? ConveyorConfigError : ConveyorWebhookError;
    check(e instanceof cls && e instanceof ConveyorError && e instanceof Error, `${what}: is a ${cls.name} (got ${e?.name})`);
    check(e?.code === code, `${what}: code ${code} (got ${e?.code}: ${e?.message})`);
    const text = [e?.message, e?.stack, JSON.stringify(e), String(e)].join("\n");
    const bare = String(secretUsed).replace(/^whsec_/, "");
    check(!bare || !text.includes(bare), `${what}: the secret is not in the error`);
    const expected = sig.slice(3);
    check(!text.includes(expected), `${what}: no signature is in the error`);
  };

  // 1. svix's signer → verifyWebhook, for every body and header shape a server may hold.
  const parsed = await expectOk("svix-signed string body, plain object headers", { body, headers: svixHeaders });
  check(JSON.stringify(parsed) === JSON.stringify(event), "the parsed payload, unknown fields kept");
  check(parsed?.data?.future_field?.nested?.[1] === 2, "unknown nested fields are kept");
  const bytes = new TextEncoder().encode(body);
  await expectOk("Uint8Array body", { body: bytes, headers: svixHeaders });
  await expectOk("ArrayBuffer body", { body: bytes.slice().buffer, headers: svixHeaders });
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 4);
  await expectOk("a Uint8Array view into a larger buffer", { body: padded.subarray(4, 4 + bytes.length), headers: svixHeaders });
  await expectOk("Headers object", { body, headers: new Headers(svixHeaders) });
  await expectOk("header names in any case", {
    body,
    headers: { "Svix-Id": id, "SVIX-TIMESTAMP": String(ts), "Svix-Signature": sig },
  });
  await expectOk("Standard Webhooks header names", {
    body,
    headers: { "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig },
  });
  await expectOk("the bare base64 secret", { body, headers: svixHeaders, secret: secret.slice("whsec_".length) });
  await expectOk("several signatures, one valid", {
    body,
    headers: { ...svixHeaders, "svix-signature": `v1,${b64(new Uint8Array(32))} v2,${sig.slice(3)} ${sig} v1,bm90IGEgbWFj` },
  });

  // 2. Tampering.
  await expectCode("tampered body", "bad_signature", { body: body.replace("ada@", "eve@"), headers: svixHeaders });
  await expectCode("parsed and re-serialised body", "bad_signature", { body: JSON.stringify(JSON.parse(body)), headers: svixHeaders });
  await expectCode("tampered id", "bad_signature", { body, headers: { ...svixHeaders, "svix-id": id + "x" } });
  await expectCode("tampered timestamp (still in the window)", "bad_signature", {
    body,
    headers: { ...svixHeaders, "svix-timestamp": String(ts - 1) },
  });
  const other = "whsec_" + b64(crypto.getRandomValues(new Uint8Array(24)));
  await expectCode("wrong secret", "bad_signature", { body, headers: svixHeaders, secret: other }, other);
  await expectCode("only an unknown version (v2,) carries the right MAC", "bad_signature", {
    body,
    headers: { ...svixHeaders, "svix-signature": `v2,${sig.slice(3)}` },
  });
  await expectCode("malformed secret", "bad_secret", { body, headers: svixHeaders, secret: "whsec_not*base64" });
  await expectCode("missing secret", "bad_secret", { body, headers: svixHeaders, secret: undefined });

  // 3. The timestamp window: 300 s either way by default, inclusive; `toleranceSec` moves it.
  const signedAt = (offsetSec) => {
    const at = new Date(now.getTime() + offsetSec * 1000);
    return { "svix-id": id, "svix-timestamp": String(ts + offsetSec), "svix-signature": wh.sign(id, at, body) };
  };
  await expectOk("300 s old: just inside", { body, headers: signedAt(-300) });
  await expectCode("301 s old: just outside", "timestamp_out_of_range", { body, headers: signedAt(-301) });
  await expectOk("300 s ahead: just inside", { body, headers: signedAt(300) });
  await expectCode("301 s ahead: just outside", "timestamp_out_of_range", { body, headers: signedAt(301) });
  await expectCode("toleranceSec 10, 11 s old", "timestamp_out_of_range", { body, headers: signedAt(-11), toleranceSec: 10 });
  await expectOk("toleranceSec 10, 10 s old", { body, headers: signedAt(-10), toleranceSec: 10 });
  await expectCode("a timestamp that is not a number", "timestamp_out_of_range", {
    body,
    headers: { ...svixHeaders, "svix-timestamp": "soon" },
  });
  await expectOk("now as a number of ms", { body, headers: svixHeaders, now: now.getTime() });

  // 4. Missing headers, each one.
  for (const name of ["svix-id", "svix-timestamp", "svix-signature"]) {
    const headers = { ...svixHeaders };
    delete headers[name];
    await expectCode(`no ${name}`, "missing_header", { body, headers });
  }
  await expectCode("no headers at all", "missing_header", { body, headers: {} });
  await expectCode("headers not given", "missing_header", { body });

  // 5. Hostile sizes: rejected, and the instance still works afterwards (no trap).
  const huge = "v1," + "A".repeat(2 * 1024 * 1024);
  await expectCode("a 2 MB signature header", "bad_signature", { body, headers: { ...svixHeaders, "svix-signature": `${huge} ${sig}` } });
  await expectCode("a 1 MB id header", "bad_signature", { body, headers: { ...svixHeaders, "svix-id": "m".repeat(1 << 20) } });
  await expectCode("a 1 MB secret", "bad_secret", { body, headers: svixHeaders, secret: "whsec_" + "A".repeat(1 << 20) }, "");
  const bigBody = `{"type":"access.requested","pad":"${"x".repeat(2 * 1024 * 1024)}"}`;
  const bigHeaders = { "svix-id": id, "svix-timestamp": String(ts), "svix-signature": wh.sign(id, now, bigBody) };
  await expectCode("a 2 MB body", "bad_payload", { body: bigBody, headers: bigHeaders });
  const big = await expectOk("a 2 MB body with maxBodyBytes raised", { body: bigBody, headers: bigHeaders, maxBodyBytes: 4 * 1024 * 1024 });
  check(big?.pad?.length === 2 * 1024 * 1024, "the large payload parsed");
  await expectOk("still verifies after the hostile inputs", { body, headers: svixHeaders });

  // 6. Bodies that are signed but not a JSON event.
  const latin1 = Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0xff, 0x22, 0x7d]); // {"a":"é?"} in Latin-1
  await expectCode("a signed non-UTF-8 body", "bad_payload", {
    body: latin1,
    headers: { ...svixHeaders, "svix-signature": await signBytes(secret, id, ts, latin1) },
  });
  await expectCode("an unsigned non-UTF-8 body", "bad_signature", { body: latin1, headers: svixHeaders });
  for (const [what, text] of [["not JSON", "{nope"], ["a JSON array", "[1,2]"], ["a JSON number", "42"]]) {
    await expectCode(`a signed body that is ${what}`, "bad_payload", {
      body: text,
      headers: { ...svixHeaders, "svix-signature": wh.sign(id, now, text) },
    });
  }

  // 7. Programming errors are configuration errors.
  await expectCode("a parsed object as the body", "config", { body: event, headers: svixHeaders });
  await expectCode("toleranceSec negative", "config", { body, headers: svixHeaders, toleranceSec: -1 });
  await expectCode("now not a date", "config", { body, headers: svixHeaders, now: "yesterday" });
  let thrown;
  try {
    await call("no options", undefined);
  } catch (e) {
    thrown = e;
  }
  check(thrown instanceof ConveyorConfigError, "verifyWebhook() without options rejects with ConveyorConfigError");

  // 8. Verifications in flight together each settle with their own outcome: the HMACs
  // finish in any order, and every one must be judged against its own signatures and body.
  const many = [];
  for (let i = 0; i < 12; i++) {
    const text = `{"type":"access.requested","n":${i},"pad":"${"p".repeat(i * 97)}"}`;
    const key = i % 3 === 2 ? other : secret;
    const signed = new Webhook(key).sign(`${id}_${i}`, now, text);
    const headers = { "svix-id": `${id}_${i}`, "svix-timestamp": String(ts), "svix-signature": signed };
    // Every fourth one carries another delivery's signature, every third another secret.
    if (i % 4 === 1) headers["svix-signature"] = wh.sign(`${id}_${i - 1}`, now, text);
    const expect = i % 4 === 1 ? "bad_signature" : i % 3 === 2 ? "ok, its own secret" : "ok";
    many.push([i, expect, attempt({ body: i % 2 ? new TextEncoder().encode(text) : text, headers, secret: key }, `concurrent #${i}`)]);
  }
  for (const [i, expect, pending] of many) {
    const r = await pending;
    if (expect === "bad_signature") check(!r.ok && r.err?.code === "bad_signature", `concurrent #${i}: rejects bad_signature (got ${r.ok ? "ok" : r.err?.code})`);
    else check(r.ok && r.value?.n === i && r.value?.pad?.length === i * 97, `concurrent #${i}: resolves with its own payload (got ${r.ok ? JSON.stringify(r.value).slice(0, 60) : r.err?.code})`);
  }

  // 9. The sandbox's signer → svix's verifier and verifyWebhook.
  if (env.webhookSecret) {
    const email = `webhook-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await fetch(`${env.sandbox}/_sandbox/access_requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, message: "Please share the SOC 2 report." }),
    });
    check(res.status === 201, `the sandbox created an access request (got ${res.status})`);
    const { webhook_msg_id: msgId } = await res.json();
    let delivery;
    for (let i = 0; i < 100 && !delivery; i++) {
      const stats = await (await fetch(`${env.sandbox}/_sandbox/stats`)).json();
      delivery = stats.webhooks?.deliveries?.find((d) => d.msg_id === msgId);
      if (!delivery) await new Promise((r) => setTimeout(r, 50));
    }
    check(delivery, "the sandbox recorded the delivery");
    if (delivery) {
      let svixOk = true;
      try {
        new Webhook(env.webhookSecret).verify(delivery.body, delivery.headers);
      } catch {
        svixOk = false;
      }
      check(svixOk, "svix's Webhook.verify accepts the sandbox's delivery");
      let svixRejectsTampered = false;
      try {
        new Webhook(env.webhookSecret).verify(delivery.body + " ", delivery.headers);
      } catch {
        svixRejectsTampered = true;
      }
      check(svixRejectsTampered, "svix's Webhook.verify rejects the sandbox's delivery tampered");
      const ev = await expectOk("verifyWebhook on the sandbox's delivery", {
        body: delivery.body,
        headers: delivery.headers,
        secret: env.webhookSecret,
        now: undefined,
      });
      check(ev?.type === "access.requested", `the event is access.requested (got ${ev?.type})`);
      check(ev?.data?.email === email && ev?.data?.status === "requested", "the event carries the request");
    }
  }
}
