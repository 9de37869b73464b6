// What a user might write instead of the client, as a benchmark baseline: the key header, a
// token bucket (a classic one: it can let up to twice the limit into a rolling window, which
// is the client's reason to exist) and a typed 403. Not part of the package. With `timeoutMs`
// it also gives each request a deadline the way the client does (an AbortController per
// request, aborted by a timer when the headers are late), so the cost of cancelling a hung
// request can be compared like for like.
export class HandAuthError extends Error {}
export class HandHttpError extends Error {}

/** A `fetch(path, init)` for `baseUrl` that sends `apiKey` and waits for a token. */
export function handWrapper({ apiKey, baseUrl, limit = 2000, windowMs = 300_000, fetch = globalThis.fetch, timeoutMs }) {
  const headers = { "X-API-KEY": apiKey, Accept: "application/json" };
  const rate = limit / windowMs;
  let tokens = limit;
  let last = Date.now();
  const waiters = [];
  let timer = null;
  const refill = () => {
    const now = Date.now();
    tokens = Math.min(limit, tokens + (now - last) * rate);
    last = now;
  };
  const wake = () => {
    timer = null;
    refill();
    while (waiters.length && tokens >= 1) {
      tokens -= 1;
      waiters.shift()();
    }
    if (waiters.length) timer = setTimeout(wake, Math.ceil((1 - tokens) / rate));
  };
  return async function fetchApi(path, init = {}) {
    refill();
    if (tokens >= 1 && !waiters.length) tokens -= 1;
    else {
      const granted = new Promise((resolve) => waiters.push(resolve));
      timer ??= setTimeout(wake, Math.ceil((1 - tokens) / rate));
      await granted;
    }
    const options = { ...init, headers: { ...headers, ...init.headers } };
    let res;
    if (timeoutMs === undefined) res = await fetch(baseUrl + path, options);
    else {
      const ctl = new AbortController();
      const deadline = setTimeout(() => ctl.abort(), timeoutMs);
      try {
        res = await fetch(baseUrl + path, { ...options, signal: ctl.signal });
      } finally {
        clearTimeout(deadline);
      }
    }
    if (res.status === 403) throw new HandAuthError(`${init.method ?? "GET"} ${path}: the API key was refused`);
    if (!res.ok) throw new HandHttpError(`${init.method ?? "GET"} ${path}: HTTP ${res.status}`);
    return res;
  };
}
