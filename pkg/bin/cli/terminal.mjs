// Asking the person at the terminal: a hidden line (the key) and a yes/no confirmation.
// Both need stdin and stderr to be a terminal; callers check `interactive` first.

/** Whether a person can be asked: stdin and stderr are both terminals. */
export const interactive = (stdin = process.stdin, stderr = process.stderr) => Boolean(stdin.isTTY && stderr.isTTY);

/** Thrown when the person presses Ctrl-C or Ctrl-D at a prompt. */
export class PromptCancelled extends Error {
  name = "PromptCancelled";
}

/**
 * Reads one line without echoing it (raw mode: no echo, no line editing beyond
 * backspace). The typed text is never written anywhere.
 */
export function readHidden(question, { stdin = process.stdin, stderr = process.stderr } = {}) {
  // Echo goes off before the prompt shows, so nothing typed after it can be echoed.
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  stderr.write(question);
  let value = "";
  return new Promise((resolve, reject) => {
    const finish = (fn) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write("\n");
      fn();
    };
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish(() => resolve(value));
        if (ch === "\u0003" || ch === "\u0004") return finish(() => reject(new PromptCancelled("cancelled at the prompt")));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** Asks a yes/no question; only "y" or "yes" (any case) is a yes. Ctrl-C (`signal`)
 * rejects with PromptCancelled. */
export function confirm(question, { stdin = process.stdin, stderr = process.stderr, signal } = {}) {
  stderr.write(`${question} [y/N] `);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let line = "";
    const done = () => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      signal?.removeEventListener("abort", onAbort);
      stdin.pause();
    };
    const onData = (chunk) => {
      line += chunk;
      const nl = line.indexOf("\n");
      if (nl === -1) return;
      done();
      resolve(/^\s*y(es)?\s*$/i.test(line.slice(0, nl)));
    };
    const onEnd = () => {
      done();
      resolve(false);
    };
    const onAbort = () => {
      done();
      reject(new PromptCancelled("cancelled at the prompt"));
    };
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
