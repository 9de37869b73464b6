// The `conveyor` command: global options, dispatch to a command, Ctrl-C, and turning
// errors into one stderr line and a documented exit code.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { EXIT, UsageError, exitCodeFor } from "./exit.mjs";
import { KEY_FLAGS, KEY_HELP, readKey } from "./key.mjs";
import { colourOn, palette } from "./output.mjs";
import { createProgress } from "./progress.mjs";
import { confirm, interactive, PromptCancelled } from "./terminal.mjs";
import key from "./commands/key.mjs";
import requests from "./commands/requests.mjs";
import kb from "./commands/kb.mjs";
import documents from "./commands/documents.mjs";
import questionnaires from "./commands/questionnaires.mjs";
import api from "./commands/api.mjs";

const GROUPS = [key, requests, kb, documents, questionnaires, api];

/** Options every command takes. */
const GLOBAL = {
  "key-file": { type: "string" },
  "base-url": { type: "string" },
  "rate-limit": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const GLOBAL_HELP = `Options every command takes:
  --key-file FILE     read the API key from FILE ("-": stdin)
  --base-url URL      the API's base URL (default https://api.conveyor.com/api/v2,
                      or CONVEYOR_BASE_URL)
  --rate-limit N/S    the key's allowance: N requests per S seconds (default 2000/300,
                      or CONVEYOR_RATE_LIMIT)
  --json              one JSON document on stdout (a pipe otherwise gets JSON Lines)
  -h, --help          this help

${KEY_HELP}`;

export const EXIT_HELP = `Exit codes: 0 ok, 1 other failure (e.g. some items of a bulk job failed),
2 usage, 3 auth (403: run \`conveyor key check\`), 4 rate limit, 5 network or server,
130 interrupted (Ctrl-C).`;

/** A command and its summary: on one line when the command is short, else on two. */
const entry = (usage, summary) => {
  const u = usage.trim();
  return u.length <= 30 ? `  ${u.padEnd(30)}  ${summary}` : `  ${u}\n  ${"".padEnd(30)}  ${summary}`;
};

function mainHelp() {
  const version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
  const lines = [`conveyor ${version}: scripted admin jobs on the Conveyor API`, "", "Usage: conveyor <command> [options]", "", "Commands:"];
  for (const g of GROUPS) {
    for (const [name, c] of Object.entries(g.commands)) {
      const usage = g.direct ? `${g.name} ${c.args ?? ""}` : `${g.name} ${name} ${c.args ?? ""}`;
      lines.push(entry(usage, c.summary));
    }
  }
  lines.push("", GLOBAL_HELP, "", EXIT_HELP, "", "Run `conveyor <command> --help` for a command's options.");
  return lines.join("\n") + "\n";
}

function commandHelp(group, name, c) {
  const usage = group.direct ? `conveyor ${group.name} ${c.args ?? ""}` : `conveyor ${group.name} ${name} ${c.args ?? ""}`;
  return `Usage: ${usage.trim()} [options]\n\n${c.summary}.\n${c.help ? `\n${c.help.trim()}\n` : ""}\n${GLOBAL_HELP}\n\n${EXIT_HELP}\n`;
}

function groupHelp(group) {
  const lines = [`Usage: conveyor ${group.name} <command> [options]`, "", `${group.summary}.`, "", "Commands:"];
  for (const [name, c] of Object.entries(group.commands)) lines.push(entry(`${name} ${c.args ?? ""}`, c.summary));
  lines.push("", `Run \`conveyor ${group.name} <command> --help\` for its options.`);
  return lines.join("\n") + "\n";
}

/** parseArgs, with its messages reworded so they never repeat an argument's value. */
function parse(argv, options) {
  try {
    return parseArgs({ args: argv, options: { ...GLOBAL, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    // An option's name is echoed only when it looks like one (a key pasted as `--sk_…`
    // must not be printed).
    const flag = (re) => {
      const f = re.exec(e.message)?.[1] ?? "";
      return /^--?[a-z][a-z-]{0,24}$/.test(f) ? f : "(not shown)";
    };
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option ${flag(/'(-{1,2}[^'=\s]*)/)}`);
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") throw new UsageError(`${flag(/'(-{1,2}[^'\s<]*)/)} needs a value`);
    throw new UsageError("the command line could not be read; see --help");
  }
}

/** The streams and how to write to them, for the commands. */
function makeIo() {
  const out = (s) => process.stdout.write(s);
  const err = (s) => process.stderr.write(s);
  return {
    out,
    err,
    stdoutTTY: Boolean(process.stdout.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    columns: process.stdout.columns || undefined,
    paintOut: palette(colourOn(process.stdout)),
    paintErr: palette(colourOn(process.stderr)),
  };
}

/** ` word` for a message when `s` looks like a command word (never a key-like string);
 * otherwise nothing: arguments are not echoed, one of them may be a misplaced key. */
const safeWord = (s) => (/^[a-z][a-z-]{0,19}$/.test(String(s)) ? ` ${s}` : "");

/** `N/S` → `{ limit, windowMs }`. */
export function parseRateLimit(text) {
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) throw new UsageError("--rate-limit takes N/SECONDS, e.g. 2000/300");
  return { limit: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

/**
 * Runs the command line `argv` (without `node conveyor`) and resolves with the exit code.
 * Nothing here calls process.exit: output is flushed, and the caller sets the code.
 */
export async function main(argv) {
  const io = makeIo();
  process.stdout.on("error", (e) => {
    // A closed pipe (`conveyor … | head`) is the reader's choice, not a failure.
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    io.err("\ninterrupted: stopping (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  let ctx;
  try {
    return await run(argv, io, controller.signal, (c) => (ctx = c));
  } catch (e) {
    if (controller.signal.aborted || e instanceof PromptCancelled) return EXIT.interrupted;
    // stdout closed by its reader (`… | head`): what was wanted was written.
    if (e?.code === "EPIPE") return EXIT.ok;
    const code = exitCodeFor(e);
    const p = io.paintErr;
    if (e instanceof UsageError) {
      io.err(`${p.red("conveyor:")} ${e.message}\nRun \`conveyor ${ctx?.command ?? ""} --help\`.`.replace("conveyor  --help", "conveyor --help") + "\n");
    } else {
      io.err(`${p.red("conveyor:")} ${e?.name && e.name !== "Error" ? `${e.name}: ` : ""}${e?.message ?? e}\n`);
      if (code === EXIT.auth) io.err("Run `conveyor key check` to see which resources this key can read.\n");
      if (code === EXIT.other && !String(e?.name).startsWith("Conveyor") && !e?.code) io.err(String(e?.stack ?? "") + "\n");
    }
    return code;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

async function run(argv, io, signal, setCtx) {
  for (const a of argv) {
    const flag = a.split("=")[0];
    if (KEY_FLAGS.includes(flag)) throw new UsageError(`there is no ${flag}: a key on the command line shows in \`ps\` and the shell's history. ${KEY_HELP}`);
  }
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.out(mainHelp());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === "--version") {
    io.out(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version + "\n");
    return EXIT.ok;
  }
  // Global options may come before the command: `conveyor --base-url URL key check`.
  let at = 0;
  while (at < argv.length && argv[at].startsWith("-")) {
    const opt = GLOBAL[argv[at].replace(/^--?/, "")];
    at += opt?.type === "string" && !argv[at].includes("=") ? 2 : 1;
  }
  const leading = argv.slice(0, at);
  if (argv[at] === undefined) throw new UsageError("no command given");
  const group = GROUPS.find((g) => g.name === argv[at]);
  if (!group) throw new UsageError(`unknown command${safeWord(argv[at])}`);
  let name;
  let rest;
  if (group.direct) {
    name = Object.keys(group.commands)[0];
    rest = [...leading, ...argv.slice(at + 1)];
  } else {
    const sub = argv[at + 1];
    if (sub === undefined || sub === "--help" || sub === "-h") {
      io.out(groupHelp(group));
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    name = sub;
    rest = [...leading, ...argv.slice(at + 2)];
  }
  const command = group.commands[name];
  if (!command) {
    setCtx({ command: group.name });
    throw new UsageError(`unknown command \`${group.name}\`${safeWord(name)}`);
  }
  const ctx = { command: group.direct ? group.name : `${group.name} ${name}`, io, signal };
  setCtx(ctx);
  const { values, positionals } = parse(rest, command.options ?? {});
  if (values.help) {
    io.out(commandHelp(group, name, command));
    return EXIT.ok;
  }
  // Positionals are never echoed: a key pasted in the wrong place must not be printed.
  if (!command.args && positionals.length) throw new UsageError(`\`${ctx.command}\` takes no arguments, only options`);
  command.check?.(values, positionals);
  const { ConveyorClient } = await import("conveyor-client");
  const baseUrl = values["base-url"] ?? (process.env.CONVEYOR_BASE_URL || undefined);
  const rateText = values["rate-limit"] ?? (process.env.CONVEYOR_RATE_LIMIT || undefined);
  const rateLimit = rateText ? parseRateLimit(rateText) : undefined;
  const apiKey = await readKey({ keyFile: values["key-file"], warn: (l) => io.err(l + "\n") });
  if (apiKey.length >= 8 && process.argv.some((a) => a.includes(apiKey))) {
    throw new UsageError("the API key is on the command line, where `ps` and the shell's history show it: rotate it, then give it through CONVEYOR_API_KEY or --key-file");
  }
  ctx.client = new ConveyorClient({ apiKey, baseUrl, rateLimit });
  ctx.json = Boolean(values.json);
  ctx.progress = (label, unit) => createProgress({ label, unit, client: ctx.client });
  ctx.confirm = async (question, yes) => {
    if (yes) return true;
    if (!interactive()) throw new UsageError(`${question.replace(/\?$/, "")}: not on a terminal, so nobody can confirm; pass --yes to go ahead`);
    return confirm(question, { signal });
  };
  return (await command.run(ctx, values, positionals)) ?? EXIT.ok;
}
