// Where the API key comes from: --key-file, CONVEYOR_API_KEY, or a hidden prompt on a
// terminal. Never from the command line, where every user on the machine sees it in `ps`
// and the shell keeps it in its history.
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "./exit.mjs";
import { interactive, readHidden } from "./terminal.mjs";

export const KEY_HELP =
  "The key is read from --key-file FILE (\"-\" for stdin), else CONVEYOR_API_KEY, else asked for on a terminal; never from the command line.";

/** Options that would put the key in argv: refused with an explanation, not "unknown option". */
export const KEY_FLAGS = ["--key", "--api-key", "--apikey", "-k"];

/** Reads the key, or throws a UsageError saying how to give one. `warn` gets advice lines. */
export async function readKey({ keyFile, env = process.env, warn = () => {} }) {
  if (keyFile !== undefined) return fromFile(keyFile, warn);
  if (env.CONVEYOR_API_KEY) return env.CONVEYOR_API_KEY.trim();
  if (interactive()) {
    const key = (await readHidden("Conveyor API key (input hidden): ")).trim();
    if (!key) throw new UsageError("no API key entered");
    return key;
  }
  throw new UsageError(`no API key: set CONVEYOR_API_KEY or pass --key-file FILE. ${KEY_HELP}`);
}

function fromFile(path, warn) {
  let text;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    // The path is not echoed: a key passed as --key-file KEY must not be printed.
    throw new UsageError(`cannot read the key file given with --key-file: ${e.code ?? "unreadable"}`);
  }
  if (path !== "-" && process.platform !== "win32") {
    try {
      if (statSync(path).mode & 0o077) warn("warning: the key file can be read by other users; chmod 600 it");
    } catch {}
  }
  const key = text.trim();
  if (!key) throw new UsageError("the key file is empty");
  if (/\s/.test(key)) throw new UsageError("the key file must hold the key alone, on one line");
  return key;
}
