// What the commands print: tables for a person at a terminal, JSON or JSON Lines for
// a pipe, colour only on a terminal and never with NO_COLOR.

/** Whether `stream` gets colour: a terminal, and NO_COLOR unset or empty (no-color.org). */
export function colourOn(stream, env = process.env) {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] };

/** Paint functions that are the identity when colour is off. */
export function palette(on) {
  const paint = {};
  for (const [name, [open, close]] of Object.entries(CODES)) {
    paint[name] = on ? (s) => `\x1b[${open}m${s}\x1b[${close}m` : (s) => String(s);
  }
  return paint;
}

/** Visible width: escape sequences take no room. */
const width = (s) => String(s).replace(/\x1b\[[0-9;]*m/g, "").length;

/** A cell's text: objects as JSON, nothing as empty, one line. */
export function cell(v) {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return s.replace(/\s+/g, " ");
}

/**
 * A table as text. `columns` is `[{ key, title, get? }]`; the widest text column is cut
 * with "…" so a row fits in `maxWidth` when it is given.
 */
export function table(rows, columns, { maxWidth, paint = palette(false), colour = {} } = {}) {
  const text = rows.map((r) => columns.map((c) => cell(c.get ? c.get(r) : r[c.key])));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...text.map((t) => t[i].length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  // Cut the widest column, one character at a time, until the row fits (or nothing is
  // wider than 8 characters).
  while (maxWidth && total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= Math.max(8, columns[widest].title.length)) break;
    widths[widest] -= 1;
  }
  const fit = (s, w) => (s.length > w ? s.slice(0, Math.max(0, w - 1)) + "…" : s);
  const line = (cells, style) =>
    cells
      .map((s, i) => {
        const t = fit(s, widths[i]);
        const painted = style(i, t);
        return i === cells.length - 1 ? painted : painted + " ".repeat(widths[i] - width(t));
      })
      .join("  ")
      .trimEnd();
  const out = [line(columns.map((c) => c.title), (_, t) => paint.bold(t))];
  text.forEach((cells, r) => out.push(line(cells, (i, t) => (colour[columns[i].key] ? colour[columns[i].key](rows[r], t, paint) : t))));
  return out.join("\n") + "\n";
}

/**
 * Prints records the way the reader wants them: `--json` one JSON document; a pipe gets
 * JSON Lines (one record per line); a terminal gets a table.
 */
export function printRecords(io, records, columns, { json = false, colour } = {}) {
  if (json) io.out(JSON.stringify(records, null, io.stdoutTTY ? 2 : 0) + "\n");
  else if (!io.stdoutTTY) io.out(records.map((r) => JSON.stringify(r) + "\n").join(""));
  else if (records.length === 0) io.out(io.paintOut.dim("(none)") + "\n");
  else io.out(table(records, columns, { maxWidth: io.columns, paint: io.paintOut, colour }));
}

/** An ISO time as `YYYY-MM-DD HH:MM` for a table (the records keep the full value). */
export const shortTime = (s) => (typeof s === "string" && s.length >= 16 ? s.slice(0, 16).replace("T", " ") : s);

/**
 * Prints records as an async iterable yields them: a pipe gets each JSON Line as it
 * arrives and `--json` an array written record by record (closed even when the listing
 * fails or is interrupted, so what was printed stays valid JSON); a terminal gets one
 * table at the end. Resolves with the number printed.
 */
export async function printList(io, source, columns, { json = false } = {}) {
  if (io.stdoutTTY && !json) {
    const all = [];
    for await (const r of source) all.push(r);
    printRecords(io, all, columns);
    return all.length;
  }
  let n = 0;
  if (json) io.out("[");
  try {
    for await (const r of source) {
      io.out(json ? `${n === 0 ? "\n" : ",\n"}${JSON.stringify(r)}` : JSON.stringify(r) + "\n");
      n += 1;
    }
  } finally {
    if (json) io.out(n ? "\n]\n" : "]\n");
  }
  return n;
}
