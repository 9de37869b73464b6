// Files from the command line as uploads: checked before anything is sent, read one at a
// time as each upload starts.
import { readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { UsageError } from "./exit.mjs";

const TYPES = {
  ".pdf": "application/pdf",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".xls": "application/vnd.ms-excel",
  ".csv": "text/csv",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".zip": "application/zip",
};

/** The API's limit is undocumented; the sandbox refuses bodies over 10 MiB. Refuse here
 * rather than spend a request on a sure 413. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Checks every path is a readable file under the size cap; throws a UsageError naming it. */
export function checkFiles(paths) {
  if (!paths.length) throw new UsageError("give at least one FILE");
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new UsageError(`cannot read ${p}: ${e.code ?? e.message}`);
    }
    if (!st.isFile()) throw new UsageError(`${p} is not a file`);
    if (st.size > MAX_UPLOAD_BYTES) throw new UsageError(`${p} is ${st.size} bytes, over the ${MAX_UPLOAD_BYTES}-byte upload limit`);
  }
}

/** `{ file: Blob, filename, name }` for one path: the name is the file name without its extension. */
export function fileParam(path) {
  const type = TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
  const filename = basename(path);
  return { file: new Blob([readFileSync(path)], { type }), filename, name: basename(path, extname(path)) || filename };
}
