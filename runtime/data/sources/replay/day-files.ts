/**
 * Finding the day files of a replay: a path can name one file, a folder of day files or a glob
 * (`.../eurusd/2014050*_quote.csv.gz`). Day files are ordered by the `YYYYMMDD` their names start
 * with, then by name, so a week of Lean files replays in date order.
 */
import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { leanFileDay } from "../../formats/lean-quotes.ts";
import { SourceConfigError } from "../source-error.ts";

const GLOB_CHARS = /[*?[{]/;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Returns the paths a glob matches (files, or folders too when `onlyFiles` is false). */
function globPaths(path: string, onlyFiles: boolean): string[] {
  const parts = path.split("/");
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const dir = parts.slice(0, firstGlob).join("/") || (path.startsWith("/") ? "/" : ".");
  const pattern = parts.slice(firstGlob).join("/");
  return Array.from(new Bun.Glob(pattern).scanSync({ cwd: dir, onlyFiles }), (f) => join(dir, f));
}

/**
 * Returns the Dukascopy bi5 units a path names, in date order: one `HHh_ticks.bi5` file, one day
 * folder (`YYYY-MM-DD`), an instrument folder of day folders, or a glob of either.
 */
export function resolveBi5Days(path: string): string[] {
  let found: string[];
  if (GLOB_CHARS.test(path)) found = globPaths(path, false);
  else {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new SourceConfigError("SOURCE_FILE_MISSING", { path });
    }
    if (!isDir || ISO_DAY.test(basename(path))) return [path];
    found = readdirSync(path)
      .filter((f) => ISO_DAY.test(f))
      .map((f) => join(path, f));
  }
  if (found.length === 0) throw new SourceConfigError("SOURCE_NO_FILES", { path, expected: "YYYY-MM-DD day folders or HHh_ticks.bi5 files" });
  // ISO day names and hour-file names sort by time as text.
  return found.sort();
}

/**
 * Returns the files a path names, in date order; throws `SourceConfigError` if there are none.
 * A folder lists its `YYYYMMDD_...` day files when `leanNames` is set, else all its files.
 */
export function resolveDayFiles(path: string, leanNames = true): string[] {
  let files: string[];
  if (GLOB_CHARS.test(path)) files = globPaths(path, true);
  else {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new SourceConfigError("SOURCE_FILE_MISSING", { path });
    }
    if (!isDir) return [path];
    files = readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isFile() && (!leanNames || leanFileDay(d.name) === leanFileDay(d.name)))
      .map((d) => join(path, d.name));
  }
  if (files.length === 0) throw new SourceConfigError("SOURCE_NO_FILES", { path, expected: leanNames ? "files named YYYYMMDD_..." : "files" });
  return files.sort(byDayThenName);
}

function byDayThenName(a: string, b: string): number {
  const da = leanFileDay(a);
  const db = leanFileDay(b);
  if (da !== db && da === da && db === db) return da - db;
  const na = basename(a);
  const nb = basename(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}
