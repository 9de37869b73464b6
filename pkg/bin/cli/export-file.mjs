// Writing records as they arrive, so that whatever was written when the job stops (done,
// failed, or Ctrl-C) is a complete file of its format: JSON (an array), JSON Lines or CSV.
import { closeSync, openSync, writeSync } from "node:fs";

export const FORMATS = ["json", "jsonl", "csv"];

/** The format named by a file's extension, or undefined. */
export function formatOf(path) {
  const m = /\.(json|jsonl|ndjson|csv)$/i.exec(path ?? "");
  if (!m) return undefined;
  const ext = m[1].toLowerCase();
  return ext === "ndjson" ? "jsonl" : ext;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(v) {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A writer to `path` (stdout when undefined). Every `write(records)` leaves the output one
 * `close()` away from valid; writes are synchronous so a signal cannot land mid-record.
 */
export function createExportWriter({ path, format, columns }) {
  const fd = path === undefined ? 1 : openSync(path, "w");
  const put = (s) => writeSync(fd, s);
  let count = 0;
  if (format === "json") put("[");
  if (format === "csv") put(columns.map(csvField).join(",") + "\r\n");
  return {
    get count() {
      return count;
    },
    write(records) {
      let s = "";
      for (const r of records) {
        if (format === "json") s += `${count === 0 ? "\n" : ",\n"}${JSON.stringify(r)}`;
        else if (format === "jsonl") s += JSON.stringify(r) + "\n";
        else s += columns.map((c) => csvField(r[c])).join(",") + "\r\n";
        count += 1;
      }
      if (s) put(s);
    },
    close() {
      if (format === "json") put(count ? "\n]\n" : "]\n");
      if (fd !== 1) closeSync(fd);
    },
  };
}
