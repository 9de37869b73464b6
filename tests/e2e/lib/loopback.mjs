// Which `http:` base URLs the constructor takes as loopback (and so allows over plain HTTP),
// however the runtime's `URL` spells the host: shared by the options suite (Node) and the
// scenario every runtime runs (Deno, workerd, Chromium), since the check reads the
// spelling `URL.hostname` gives.

/** The refusal's words, before the host. */
export const HTTP_ONLY_LOOPBACK =
  "`baseUrl` must use https: (http: is allowed only for localhost and loopback addresses), so the API key never crosses the network in clear text; got http://";

/** `http:` base URLs: whether each is taken as loopback (and so allowed over plain HTTP). */
export const LOOPBACK = [
  ["http://localhost/", true],
  ["http://LOCALHOST./", true],
  ["http://api.localhost:8080/v2", true],
  ["http://a..localhost/", true],
  ["http://127.0.0.1:9/api/v2", true],
  ["http://127.255.255.254/", true],
  ["http://127.1/", true],
  ["http://0x7f.1/", true],
  ["http://2130706433/", true],
  ["http://0177.0.0.1/", true],
  ["http://127.0.0.1./", true],
  ["http://[::1]/", true],
  ["http://[0:0:0:0:0:0:0:1]/", true],
  ["http://[::ffff:127.0.0.1]/", true],
  ["http://[::FFFF:7F12:AB]/", true],
  ["http://[0::ffff:7fff:ffff]/", true],
  ["http://[::ffff:7f00:0]/", true],
  ["http://localhost.evil.example/", false],
  ["http://evillocalhost/", false],
  ["http://localhost.x/", false],
  ["http://127.0.0.1.evil.example/", false],
  ["http://127.0.0.1../", false],
  ["http://127.a/", false],
  ["http://127.0.0.b1/", false],
  ["http://128.0.0.1/", false],
  ["http://126.255.255.255/", false],
  ["http://0.0.0.0/", false],
  ["http://10.0.0.1/", false],
  ["http://[::]/", false],
  ["http://[::2]/", false],
  ["http://[1::1]/", false],
  ["http://[::1:0]/", false],
  ["http://[::ffff:128.0.0.1]/", false],
  ["http://[::ffff:7f:1]/", false],
  ["http://[::ffff:7f0:1]/", false],
  ["http://[::7f00:1]/", false],
  ["http://[::fffe:7f00:1]/", false],
  ["http://[1::ffff:7f00:1]/", false],
  ["http://[::ffff:0:7f00:1]/", false],
  ["http://[::ffff:7f00:1:2]/", false],
  ["http://[64:ff9b::127.0.0.1]/", false],
];

/**
 * Constructs a client for each `LOOPBACK` URL (and the same host over https:, always fine);
 * returns what went otherwise than the table says.
 */
export function loopbackFailures(ConveyorClient, apiKey) {
  const attempt = (baseUrl) => {
    try {
      new ConveyorClient({ apiKey, baseUrl, rateLimit: false });
    } catch (e) {
      return e;
    }
    return undefined;
  };
  const wrong = [];
  for (const [baseUrl, loopback] of LOOPBACK) {
    const host = new URL(baseUrl).hostname;
    const e = attempt(baseUrl);
    if (e?.message !== (loopback ? undefined : `${HTTP_ONLY_LOOPBACK}${host}`)) wrong.push(`${baseUrl} (${host}): ${e ? e.message : "accepted"}`);
    const secure = attempt(baseUrl.replace("http:", "https:"));
    if (secure !== undefined) wrong.push(`${baseUrl} over https: ${secure.message}`);
  }
  return wrong;
}
