// Progress of a long job on stderr: a bar redrawn in place on a terminal, a plain line at
// most once a second otherwise (logs, CI). Counts, rate, and an ETA that also knows
// what the rate limiter will make the rest wait.

/**
 * The rate so far and the time left. `limiter` is `client.rateLimitState()`: when the
 * remaining requests exceed the tokens left, each one past them waits for a token to come
 * back, at most `limit` per rolling window, so the ETA is at least that long.
 */
export function estimate({ done, total, elapsedMs, limiter = null }) {
  const ratePerSec = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  if (total === undefined || total === null) return { ratePerSec, etaMs: null };
  const remaining = Math.max(0, total - done);
  if (remaining === 0) return { ratePerSec, etaMs: 0 };
  const byRate = ratePerSec > 0 ? (remaining * 1000) / ratePerSec : null;
  let byLimiter = 0;
  if (limiter && limiter.limit > 0) {
    const deficit = remaining - Math.max(0, limiter.available);
    if (deficit > 0) byLimiter = (limiter.nextTokenInMs ?? 0) + ((deficit - 1) / limiter.limit) * limiter.windowMs;
  }
  if (byRate === null && byLimiter === 0) return { ratePerSec, etaMs: null };
  return { ratePerSec, etaMs: Math.max(byRate ?? 0, byLimiter) };
}

/** `1.2s`, `45s`, `3m05s`, `1h02m`. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "?";
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** One progress line's text (without the bar). */
export function describeProgress({ label, done, total, unit, ratePerSec, etaMs, limiter, detail }) {
  const parts = [total != null ? `${done}/${total} ${unit}` : `${done} ${unit}`];
  if (total) parts.push(`${Math.floor((100 * done) / total)}%`);
  parts.push(`${ratePerSec.toFixed(1)}/s`);
  if (total != null) parts.push(`ETA ${fmtDuration(etaMs)}`);
  if (limiter && limiter.queued > 0) parts.push(`${limiter.queued} waiting for the rate limit`);
  if (detail) parts.push(detail);
  return `${label}: ${parts.join(", ")}`;
}

/**
 * A progress reporter writing to `stream`. `update(done, total?, detail?)` as work
 * completes, `log(line)` for a line that must not collide with the bar, `end()` once.
 */
export function createProgress({ label, unit, stream = process.stderr, client = null, tty = Boolean(stream.isTTY), now = () => performance.now() }) {
  const started = now();
  let state = { done: 0, total: null, detail: "" };
  let lastDraw = -Infinity;
  let drawn = false;
  const limiter = () => {
    try {
      return client?.rateLimitState?.() ?? null;
    } catch {
      return null;
    }
  };
  const text = () => {
    const l = limiter();
    const { ratePerSec, etaMs } = estimate({ ...state, elapsedMs: now() - started, limiter: l });
    return describeProgress({ label, unit, ...state, ratePerSec, etaMs, limiter: l });
  };
  const bar = () => {
    if (!state.total) return "";
    const w = 20;
    const full = Math.min(w, Math.round((w * state.done) / state.total));
    return `[${"#".repeat(full)}${"-".repeat(w - full)}] `;
  };
  const draw = (force) => {
    const t = now();
    if (!force && t - lastDraw < (tty ? 100 : 1000)) return;
    // A log gets no line before there is progress to report.
    if (!tty && !force && state.done === 0) return;
    lastDraw = t;
    if (tty) {
      const line = bar() + text();
      const cols = stream.columns || 100;
      stream.write(`\r\x1b[2K${line.length >= cols ? line.slice(0, cols - 1) : line}`);
      drawn = true;
    } else {
      stream.write(text() + "\n");
    }
  };
  // On a terminal the ETA and the limiter's queue move even while nothing completes.
  const timer = tty ? setInterval(() => draw(true), 500) : null;
  timer?.unref?.();
  return {
    update(done, total = state.total, detail = state.detail) {
      state = { done, total, detail };
      draw(false);
    },
    log(line) {
      if (tty && drawn) stream.write("\r\x1b[2K");
      stream.write(line + "\n");
      if (tty && drawn) draw(true);
    },
    end() {
      if (timer) clearInterval(timer);
      draw(true);
      if (tty) stream.write("\n");
    },
  };
}
