// One attempt of a call, in one crossing from Rust (src/transport.rs binds this file).
//
// Rust decides (the limiter, redirects, retries, where a response may come from, the typed
// errors); this file does what is cheaper on the JS side of the boundary: it builds the
// `fetch` init from parts the client made once, calls `fetch`, races the attempt's
// deadline and the caller's signal itself (a custom `fetch` may ignore `signal`) and
// cancels the request when either wins, reads
// the few parts of the response Rust decides on, and reads and parses a 2xx body without
// copying it through wasm. The promise it returns never rejects: whatever a custom
// `fetch`, a `Response` or a body stream throws ends as a code on the attempt, which Rust
// turns into a typed error.
//
// Only `export class` / `export function` at the start of a line, and no imports: the
// build rewrites this file to CommonJS for the Node `require` entry.

// The attempt's `k` codes; src/transport.rs mirrors them.
const HEAD = 0; // a response: status, type, url, redirected (and headers when not 2xx)
const BODY = 1; // a 2xx whose body was read and parsed: `value`
const NETWORK = 2; // `fetch` threw or rejected: `cause`
const TIMEOUT = 3; // the deadline passed first
const ABORTED = 4; // the caller's signal fired first: `cause` is its reason
const NOT_RESPONSE = 5; // `fetch` resolved with something that is not a Response
const BAD_HEAD = 6; // reading the status, type, url or headers threw: `cause`
const TOO_LARGE = 7; // the body is over the cap; the rest was cancelled
const BODY_FAILED = 8; // the body stream failed or held something other than bytes: `cause`
const BAD_JSON = 9; // the 2xx body is not JSON (no `cause`: the parser's message quotes it)

// What the call does with a 2xx plainly from the URL asked for (`plain`); src/transport.rs
// mirrors them (`Plain2xx`).
const PLAIN_RESPONSE = 0; // its value is the Response, the body unread (`fetch()`)
const PLAIN_JSON = 1; // the body is read; its value is the JSON
const PLAIN_EMPTY = 2; // the body is read; its value is nothing
const PLAIN_READ = 3; // the body is read; Rust makes the value (a list page's check)

// Added to a wait's number: the call was ended here (src/transport.rs, `ENDED`).
const ENDED = 2 ** 31;

// What the race resolves with when the deadline or the signal wins.
const STOP = {};

// Rust's one callback per realm, `done(id, value)`: how a finished attempt, body read, sleep
// or queued wait runs the step of the call parked on `id`. What it returns (the call's
// value, the promise of the call's next wait) or throws (its typed error) settles the
// promise the wait was made with, so a call's promise is the chain of its waits. `tick(n)`
// runs the decision of scheduler `n` when its timer fires (a scheduler gone: nothing).
// Both are exports of the .wasm, which the glue hands over when it loads
// (scripts/post-build.mjs), so Rust never makes a JS function for them.
let done;
let tick;

/** @param {(id: number, value: unknown) => unknown} d @param {(n: number) => void} t */
export function setDone(d, t) {
  done = d;
  tick = t;
}

/** Scheduler `n`'s timer: `tick(n)` after `ms` (src/scheduler.rs clears it with `clearTimeout`). */
export function timer(n, ms) {
  return setTimeout(tick, ms, n);
}

/**
 * Whether timers belong to the request that set them: in workerd (`navigator.userAgent` is
 * `Cloudflare-Workers` there) a timer set while serving one request dies with it.
 */
export function scopedTimers() {
  try {
    return globalThis.navigator?.userAgent === "Cloudflare-Workers";
  } catch {
    return false;
  }
}

/**
 * A call's own headers (a `Headers` that src/js/resources.js built from the caller's, with
 * `Accept` and the content type) with the key added, where it wins over any header of that
 * name; `undefined` if `h` is not a `Headers` or that threw (a replaced `Headers.prototype`).
 * The key goes into a copy made here: `__send` is reachable by any caller, and the object
 * handed in is theirs to read afterwards (or a subclass whose `set` keeps what it is given).
 */
export function callHeaders(h, name, key) {
  try {
    if (!(h instanceof Headers)) return undefined;
    const keyed = new Headers(h);
    keyed.set(name, key);
    return keyed;
  } catch {
    return undefined;
  }
}

/**
 * Sends one attempt to `prefix + path` (the client's origin and base path, and a path Rust
 * checked; or nothing and a whole URL): `fetchFn` (undefined: the global `fetch`, looked up
 * now so a polyfill installed later is used) with `redirect: "manual"` and the attempt's
 * own signal, which follows the caller's `signal` (or undefined); the deadline of `ms` is
 * raced here and aborts that signal. Unless `plain` is PLAIN_RESPONSE, a 2xx plainly from
 * the URL asked for has its body read (at most `cap` bytes) and parsed as JSON within the
 * same deadline. When it ends, `done(id, attempt)` runs the call's next step, which returns
 * the call's value, throws its typed error, or returns the promise of the rest of the call
 * (a retry, a redirect...); a plain 2xx whose value is the response or its JSON as it is
 * ends the call here (`finish`).
 */
export function attempt(id, fetchFn, prefix, path, method, headers, body, signal, ms, plain, cap) {
  return new Attempt(id, signal, ms, plain).send(fetchFn, prefix + path, method, headers, body, cap);
}

// Deadline groups. Node 20 spends about 4 µs making an `AbortSignal` (it makes each one
// transferable), more than all the rest of the client's own work per call, and a timer per
// attempt is another half µs. An attempt without a signal of the caller's shares one timer
// with the attempts of the same timeout started within a sixteenth of it (at most 16 ms)
// of the first: the group's timer fires when the last of them is due and stops those still
// live (each ends TIMEOUT, at most that late, never early). An attempt that reads its whole
// body within its deadline (`request()` and the typed calls) also shares the group's
// `AbortController`, which the timer aborts, cancelling those requests; a finished member,
// its body read whole, is untouched. `fetch()` hands its body to the caller before
// the deadline, so a later abort would cut the caller's read: its attempts abort a
// controller of their own, as do those with a caller's signal (which keep a timer of their
// own too), and so does every attempt where timers belong to the request that set them
// (workerd). A group takes at most `GROUP_MAX` attempts: undici adds a listener to the
// signal per request, removes it only when the request is collected, and warns past 1,500
// on one signal.
const GROUP_MAX = 64;
// The group attempts join now (undefined: none, or it is full, late or aborted).
let group;
// Whether attempts may share: not where timers belong to a request; read once.
let sharing;
class Group {
  constructor(ms, t) {
    this.ms = ms;
    // Attempts join until `until`; the timer is due when the last of them is, within a
    // timer's 2^31 - 1 ms.
    this.until = t + Math.min(16, ms / 16, 2 ** 31 - 1 - ms);
    this.due = this.until + ms;
    // Made when the first member that shares it asks (`fetchSignal`): a group of `fetch()`
    // calls alone has none.
    /** @type {AbortController | undefined} */
    this.ctl = undefined;
    /** @type {AbortSignal | undefined} */
    this.signal = undefined;
    /** @type {Set<Attempt>} */
    this.live = new Set();
    this.n = 0;
    this.timer = undefined;
  }
}

// The group attempt `a` (with a deadline of `ms`) joins, or undefined if it cannot share.
function join(a, ms) {
  sharing ??= !scopedTimers();
  if (!sharing) return undefined;
  // A monotonic clock: a wall clock set back would keep a group open past its due time.
  const t = performance.now();
  let g = group;
  if (g === undefined || g.ms !== ms || t >= g.until || g.n >= GROUP_MAX) {
    if (g !== undefined && g.live.size === 0) stopTimer(g);
    g = group = new Group(ms, t);
  }
  g.n++;
  if (g.live.size === 0) {
    // `due - t` in floating point can land just over a timer's 2^31 - 1 ms, which fires at once.
    if (g.timer === undefined) g.timer = setTimeout(fire, Math.min(g.due - t, 2 ** 31 - 1), g);
    else g.timer.ref();
  }
  g.live.add(a);
  return g;
}

// When its last live member ends, the group joined now keeps its timer where a timer can
// stop holding the process open (Node, Bun: `unref`), so calls made one after another do
// not set and clear a timer each; any other group's timer goes. Either way nothing of the
// client's keeps a process alive once its calls are done.
function leave(g, a) {
  g.live.delete(a);
  if (g.live.size > 0) return;
  if (g === group && g.timer?.unref) g.timer.unref();
  else stopTimer(g);
}

function stopTimer(g) {
  clearTimeout(g.timer);
  g.timer = undefined;
}

// Every member still live is past its deadline.
function fire(g) {
  g.timer = undefined;
  if (group === g) group = undefined;
  if (g.live.size === 0) return;
  for (const a of g.live) a.stop(TIMEOUT);
  // A platform controller reports its listeners' errors instead of throwing them.
  g.ctl?.abort();
}

// `readBody` (and `head`, when it reads the body) resolve with the attempt itself, which
// carries the wait's id: one function for every attempt instead of a closure per wait.
function attemptDone(a) {
  return done(a.id, a);
}

// How a sent attempt ends its wait. A 2xx plainly from the URL asked for passes every rule
// the call would apply (the source check is `plain`'s; the status is a success): where the
// call's value is then the response or its JSON as it is, the call resolves with it here,
// and `done` with ENDED in the wait's number only tells it that the attempt ended (its token
// is settled), sparing the crossings that would hand back what this side has. Anything else
// goes to `done` whole.
function finish(a) {
  const how = a.onPlain;
  if (a.plain && a.status >= 200 && a.status < 300 && (a.k === HEAD ? how === PLAIN_RESPONSE : a.k === BODY && how !== PLAIN_READ)) {
    done(a.id + ENDED, undefined);
    return how === PLAIN_RESPONSE ? a.res : how === PLAIN_EMPTY ? undefined : a.value;
  }
  return done(a.id, a);
}

// An attempt that ended before it was sent: `done` still runs in a microtask.
function later(a) {
  return Promise.resolve(a).then(attemptDone);
}

// `new Promise(capture)` hands over its resolving functions here: no executor closure per
// wait. Read them at once, before anything else can make a promise.
let captured;
let capturedReject;
function capture(resolve, reject) {
  captured = resolve;
  capturedReject = reject;
}

// The deadline's timer callback, given the attempt as the timer's argument (no closure).
function deadline(a) {
  a.stop(TIMEOUT);
}

/**
 * Reads a body the attempt left unread: the JSON of a 2xx (`truncate` false: over `cap`
 * is TOO_LARGE) or an error body's text for `details` (`truncate` true: cut at `cap`).
 * Runs `done(id, attempt)` when done.
 */
export function readBody(id, a, cap, truncate) {
  a.id = id;
  return a.readBody(cap, truncate).then(attemptDone);
}

/** Ends the attempt: the deadline and the signal listener go; `cancel` drops an unread body. */
export function closeAttempt(a, cancel) {
  a.close(cancel);
}

// The queued calls' waits, by id: the promise's resolver, or a `Queued` when the wait also
// listens to a signal or has a timer of its own.
const queue = [];

/**
 * A queued call's wait for its token: `done(id, fired)` runs when `wake(id)` says its
 * grant is there (`fired` false), when `signal` fires (true; a signal that refuses the
 * listener is looked at by Rust whenever the call runs), or when the timer `arm` sets
 * ends (false). The scheduler wakes a waiter from inside its own Rust call: `done` runs
 * in a microtask (`settleQueued`), never inside that call. While it waits, a queued call
 * holds its promise and that promise's resolver (no object without a signal, no second
 * promise, no reaction).
 */
export function queued(id, signal) {
  return new Promise((resolve) => {
    queue[id] = signal ? new Queued(id, signal, resolve) : resolve;
  });
}

// Resolves a queued call's promise with the outcome of `done`, run in a microtask with
// `id * 2 + fired` (a number, never a thenable).
function settleQueued(resolve, v) {
  resolve(Promise.resolve(v).then(resumeQueued));
}

/** Wakes queued wait `id` (its grant is there); nothing if it is gone or woken already. */
export function wake(id) {
  const w = queue[id];
  if (typeof w === "function") {
    queue[id] = undefined;
    settleQueued(w, id * 2);
  } else if (w !== undefined) {
    w.wake(0);
  }
}

/**
 * Also wakes queued wait `id` after `ms` (where timers belong to the request that set
 * them, a waiter is resumed only by a timer of its own).
 */
export function arm(id, ms) {
  let w = queue[id];
  if (w === undefined) return;
  if (typeof w === "function") queue[id] = w = new Queued(id, undefined, w);
  w.timer = setTimeout(() => w.wake(0), ms);
}

/** Ends queued wait `id` unsettled: the call had its token after all. */
export function unqueue(id) {
  const w = queue[id];
  queue[id] = undefined;
  if (w !== undefined && typeof w === "object") w.close();
}

function resumeQueued(v) {
  const id = v >> 1;
  const w = queue[id];
  // A `Queued` is retired here, outside the Rust call that woke it: removing its listener
  // runs the signal's code.
  if (w !== undefined && typeof w === "object") {
    queue[id] = undefined;
    w.close();
  }
  return done(id, (v & 1) === 1);
}

// A queued wait with a signal or a timer; its own abort listener (`handleEvent` on the
// prototype: no function made per wait).
class Queued {
  constructor(id, signal, resolve) {
    this.id = id;
    this.resolve = resolve;
    this.signal = undefined;
    this.timer = undefined;
    if (signal) {
      try {
        signal.addEventListener("abort", this, { once: true });
        this.signal = signal;
      } catch {}
    }
  }

  handleEvent() {
    this.wake(1);
  }

  // Settles the wait once.
  wake(fired) {
    const resolve = this.resolve;
    if (resolve === undefined) return;
    this.resolve = undefined;
    settleQueued(resolve, this.id * 2 + fired);
  }

  close() {
    this.resolve = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const signal = this.signal;
    this.signal = undefined;
    if (signal) {
      try {
        signal.removeEventListener("abort", this);
      } catch {}
    }
  }
}

/** Runs `done(id, aborted)`: true when `signal` fires within `ms`, false when the time passes. */
export function sleep(id, ms, signal) {
  return new Promise((resolve) => {
    let settled = false;
    let onAbort;
    const finish = (aborted) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (onAbort) {
        try {
          signal.removeEventListener("abort", onAbort);
        } catch {}
      }
      resolve(aborted);
    };
    const timer = setTimeout(() => finish(false), ms);
    if (!signal) return;
    if (isAborted(signal)) return finish(true);
    onAbort = () => finish(true);
    // A signal subclass may throw here: then only the time ends the sleep.
    try {
      signal.addEventListener("abort", onAbort);
    } catch {}
  }).then((aborted) => done(id, aborted));
}

function isAborted(signal) {
  try {
    return signal.aborted === true;
  } catch {
    return false;
  }
}

function reasonOf(signal) {
  try {
    return signal.reason;
  } catch {
    return undefined;
  }
}

// A string or undefined, from a header read that may throw or lie.
function header(headers, name) {
  try {
    const v = headers.get(name);
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An HTTP date's instant in epoch ms, by the platform's `Date` (the retry policy compares it
 * with its clock), or undefined: only RFC 9110's three forms, IMF-fixdate, RFC 850 and
 * asctime, for `Date.parse` reads "1 GMT" as a date too. RFC 850's two-digit year is within
 * fifty years from now; asctime has no zone: GMT.
 * @param {string} s
 */
function httpDate(s) {
  const m =
    /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (\w{3}) (\d{4})|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d\d)-(\w{3})-(\d\d)|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\w{3}) (\d\d?)) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60) (?:GMT|UTC|(\d{4}))$/.exec(
      s.replace(/\s+/g, " "),
    );
  // asctime, and only asctime, ends with the year.
  if (!m || !m[7] != !m[12]) return undefined;
  // Each name starts with the only capital in its three letters: found only where it is.
  const month = "JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(m[2] || m[5] || m[7]) / 3;
  const day = +(m[1] || m[4] || m[8]);
  let year = +(m[3] || m[6] || m[12]);
  if (m[6]) {
    const now = new Date().getUTCFullYear();
    year += now - (now % 100);
    if (year > now + 50) year -= 100;
  }
  const at = Date.UTC(year, month, day);
  // A day the month has (no 31 Nov), and a month at all.
  if (new Date(at).getUTCDate() != day || month % 1 != 0) return undefined;
  return at + ((+m[9] * 60 + +m[10]) * 60 + +m[11]) * 1000;
}

// Every body's decoder: only ever whole bodies, never `stream: true`, so it keeps no state
// between calls.
const utf8 = new TextDecoder();

// `n` bytes of `parts` as one array.
function joined(parts, n) {
  const all = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

// Cancels a stream or body we will not read; whatever it does instead is ignored.
function cancel(x) {
  try {
    const p = x.cancel();
    if (p && typeof p.then === "function") p.then(undefined, () => {});
  } catch {}
}

export class Attempt {
  constructor(id, signal, ms, plain) {
    // The wait `done` is given the attempt for (a body read is a wait of its own).
    this.id = id;
    this.k = HEAD;
    this.res = undefined;
    this.status = 0;
    this.type = "";
    // The response's URL when it is not the one asked for (`null` when it is).
    this.url = null;
    this.redirected = false;
    // A response plainly from the URL asked for (a readable type, and either that URL or
    // none without a redirect): Rust's source check would pass it, so it is not asked.
    this.plain = false;
    // What the call does with such a 2xx (PLAIN_*).
    this.onPlain = plain;
    // `location`, `retryAfter`, `retryAfterMs`, `requestId`, `value`, `cause`, `text` and
    // `truncated` are set only when an attempt has them (their defaults are on the
    // prototype, below the class): most attempts are a 2xx, and each field is memory
    // every attempt in flight holds.
    // Whether the body was read (or handed over): nothing to cancel.
    this.used = false;
    this.signal = signal;
    this.live = true;
    // How the deadline or the signal stopped the attempt (HEAD: not stopped), and the
    // wait they end.
    this.stopped = HEAD;
    this.resume = undefined;
    // Aborted when the deadline or the caller's signal wins, so the request is really
    // cancelled: a server that never answers would otherwise keep its connection (in Node
    // until undici's five-minute timeout; in a browser, six of them use up an origin's
    // HTTP/1.1 connections; in Workers, six per invocation).
    // An attempt without a caller's signal has its deadline group's timer (see `join`),
    // and, when it reads its whole body within the deadline, the group's signal too.
    this.g = signal ? undefined : join(this, ms);
    this.ctl = plain !== PLAIN_RESPONSE && this.g !== undefined ? undefined : new AbortController();
    this.timer = undefined;
    if (this.g !== undefined) return;
    this.timer = setTimeout(deadline, ms, this);
    if (signal) {
      // The attempt is its own listener (`handleEvent`): no function made per attempt.
      try {
        signal.addEventListener("abort", this);
      } catch {}
    }
  }

  handleEvent() {
    this.stop(ABORTED);
  }

  stop(code) {
    if (this.stopped === HEAD) this.stopped = code;
    // An attempt on its group's signal is cancelled by the group, once all are stopped.
    if (this.ctl !== undefined) {
      try {
        this.ctl.abort();
      } catch {}
    }
    const resume = this.resume;
    this.resume = undefined;
    if (resume) resume(STOP);
  }

  // `p` against the deadline and the signal: one promise per wait, and a throwing `then`
  // or `constructor` rejects, as a rejection would.
  race(p) {
    if (this.stopped !== HEAD) return Promise.resolve(STOP);
    const q = new Promise(capture);
    const resolve = captured;
    const reject = capturedReject;
    this.resume = resolve;
    try {
      Promise.resolve(p).then(resolve, reject);
    } catch (e) {
      reject(e);
    }
    return q;
  }

  end(k, cause) {
    this.k = k;
    if (k === ABORTED) cause = reasonOf(this.signal);
    if (cause !== undefined) this.cause = cause;
    if (k !== HEAD) this.close(true);
    return this;
  }

  close(cancelBody) {
    if (!this.live) return;
    this.live = false;
    if (this.g !== undefined) leave(this.g, this);
    else clearTimeout(this.timer);
    if (this.signal) {
      try {
        this.signal.removeEventListener("abort", this);
      } catch {}
    }
    if (cancelBody && !this.used && this.res !== undefined) {
      this.used = true;
      try {
        const b = this.res.body;
        if (b !== null && typeof b === "object") cancel(b);
      } catch {}
    }
  }

  // The signal `fetch` gets: its deadline group's, or the attempt's own, joined with the
  // caller's where the platform can (so that after `fetch()` resolves, the caller's abort
  // still reaches the body, as `fetch`'s own signal would); a signal `AbortSignal.any`
  // refuses is left to the race.
  fetchSignal() {
    if (this.ctl === undefined) {
      const g = /** @type {Group} */ (this.g);
      return (g.signal ??= (g.ctl = new AbortController()).signal);
    }
    const own = this.ctl.signal;
    if (!this.signal) return own;
    try {
      if (typeof AbortSignal.any === "function") return AbortSignal.any([this.signal, own]);
    } catch {}
    return own;
  }

  // Sends the request; the promise settles with what `done` makes of the attempt, which
  // always runs in a later microtask (never inside the Rust call that sent it). No async
  // function: its generator and its awaits' closures would be held by every attempt in
  // flight.
  send(fetchFn, url, method, headers, body, cap) {
    if (this.signal && isAborted(this.signal)) return later(this.end(ABORTED));
    /** @type {RequestInit} */
    const init = { method, headers, redirect: "manual", signal: this.fetchSignal() };
    if (body !== undefined) init.body = body;
    let sent;
    try {
      sent = fetchFn === undefined ? fetch(url, init) : fetchFn(url, init);
    } catch (e) {
      return later(this.end(NETWORK, e));
    }
    return this.race(sent).then(
      (res) => {
        const a = this.head(res, sent, url, cap);
        return a instanceof Attempt ? finish(a) : a.then(finish);
      },
      (e) => done(this.id, this.end(NETWORK, e)),
    );
  }

  // The response (or STOP) is in: its parts are read; unless the call hands the response
  // over, a plain 2xx's body too (then a promise of the attempt).
  head(res, sent, url, cap) {
    if (res === STOP) {
      // The request was aborted; a custom `fetch` may ignore that: if its response comes
      // after all, its body is dropped so the connection goes back to the pool.
      Promise.race([sent]).then(
        (late) => {
          try {
            if (late instanceof Response && late.body) cancel(late.body);
          } catch {}
        },
        () => {},
      );
      return this.end(this.stopped);
    }
    try {
      if (!(res instanceof Response)) return this.end(NOT_RESPONSE);
    } catch {
      return this.end(NOT_RESPONSE);
    }
    this.res = res;
    let ok;
    try {
      const status = res.status;
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new TypeError("not an HTTP status");
      this.status = status;
      const type = res.type;
      this.type = typeof type === "string" ? type : "";
      const u = res.url;
      this.url = u === url ? null : typeof u === "string" ? u : "";
      this.redirected = res.redirected === true;
      this.plain = (this.type === "basic" || this.type === "cors" || this.type === "default") &&
        (this.url === null || (this.url === "" && !this.redirected));
      ok = status >= 200 && status < 300;
      if (!ok) {
        const h = res.headers;
        if (status >= 300 && status < 400) this.location = header(h, "location");
        this.retryAfter = header(h, "retry-after");
        if (this.retryAfter !== undefined) {
          const at = httpDate(this.retryAfter);
          if (at !== undefined) this.retryAt = at;
        }
        this.retryAfterMs = header(h, "retry-after-ms");
        this.requestId = header(h, "x-request-id");
      }
    } catch (e) {
      return this.end(BAD_HEAD, e);
    }
    if (!ok) return this;
    // A 2xx plainly from the URL asked for: Rust's source check cannot refuse it, so the
    // body is read now. Anything else goes back unread for Rust to judge.
    if (!this.plain) return this;
    if (this.onPlain !== PLAIN_RESPONSE) return this.readBody(cap, false);
    // `fetch()` hands the body over unread: its deadline ends at the headers.
    this.used = true;
    this.close(false);
    return this;
  }

  async readBody(cap, truncate) {
    this.used = true;
    let reader;
    try {
      const b = /** @type {Response} */ (this.res).body;
      if (b === null || b === undefined) return this.parsed("", truncate);
      reader = b.getReader();
    } catch (e) {
      return this.end(BODY_FAILED, e);
    }
    // The chunks are kept and decoded once at the end: a decoder used with `stream: true`
    // leaves Node's UTF-8 fast path for an ICU converter made per decoder, which cost more
    // than the rest of a small body's read.
    /** @type {Uint8Array | undefined} */
    let first;
    /** @type {Uint8Array[] | undefined} */
    let more;
    let n = 0;
    for (;;) {
      let chunk;
      let done;
      let v;
      try {
        chunk = await this.race(reader.read());
        if (chunk === STOP) {
          cancel(reader);
          return this.end(this.stopped);
        }
        done = chunk.done === true;
        if (!done) v = chunk.value;
      } catch (e) {
        cancel(reader);
        return this.end(BODY_FAILED, e);
      }
      if (done) break;
      try {
        // `isView` reads internal slots: a Proxy or a fake fails it.
        if (!ArrayBuffer.isView(v) || !(v instanceof Uint8Array)) throw new TypeError("a response body chunk that is not bytes");
        const over = v.length > cap - n;
        if (over) {
          cancel(reader);
          if (!truncate) return this.end(TOO_LARGE);
          this.truncated = true;
          v = v.subarray(0, cap - n);
        }
        n += v.length;
        if (first === undefined) first = v;
        else (more ??= [first]).push(v);
        if (over) break;
      } catch (e) {
        cancel(reader);
        return this.end(BODY_FAILED, e);
      }
    }
    let text;
    try {
      text = more === undefined ? (first === undefined ? "" : utf8.decode(first)) : utf8.decode(joined(more, n));
    } catch (e) {
      return this.end(BODY_FAILED, e);
    }
    return this.parsed(text, truncate);
  }

  // The body's text for an error's `details`, or its JSON (`undefined` when empty).
  parsed(text, raw) {
    if (raw) {
      this.text = text;
      return this.end(BODY);
    }
    if (text.trim() === "") return this.end(BODY);
    try {
      this.value = JSON.parse(text);
    } catch {
      return this.end(BAD_JSON);
    }
    return this.end(BODY);
  }
}

// What an attempt has until it is set (see the constructor).
Attempt.prototype.location = undefined;
Attempt.prototype.retryAfter = undefined;
Attempt.prototype.retryAfterMs = undefined;
Attempt.prototype.requestId = undefined;
Attempt.prototype.value = undefined;
Attempt.prototype.cause = undefined;
Attempt.prototype.text = "";
Attempt.prototype.truncated = false;
Attempt.prototype.retryAt = undefined;

// The stores build's wait on a store (src/store.rs says what it promises): `done(id, w)`
// once `f.call(self, arg)` (or `self`), called in a microtask, answered (`k` 0), failed (1)
// or let `ms` pass (2).
export function outside(id, f, self, arg, ms) {
  /** @type {{ k: number, v: unknown, p: Promise<void> }} */
  const w = { k: 2, v: undefined, p: Promise.resolve() };
  w.p = w.p
    .then(() => (f ? f.call(self, arg) : self))
    .then(
      (v) => {
        w.k = 0;
        w.v = v;
      },
      (e) => {
        w.k = 1;
        w.v = e;
      },
    );
  let timer;
  new Promise((resolve) => {
    if (ms !== undefined) timer = setTimeout(resolve, ms);
    w.p.then(resolve);
  }).then(() => {
    clearTimeout(timer);
    done(id, w);
  });
}

/** @param {{ p: Promise<void> }} w @param {number} id */
export function lateThen(w, id) {
  w.p.then(() => done(id, w));
}

