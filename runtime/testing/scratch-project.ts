/**
 * A scratch copy of this project for tests that act as a user would (create files, install a
 * package, run the CLI): a temporary folder whose entries link to the real project's, with
 * `../shared` beside it. Files are written through `realFolder`, so the real project is never changed.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..", "..");
/** Top-level entries never linked into the scratch copy: its own var/ and git state. */
const PRIVATE = new Set([".git", "var", ".tmp"]);

/** A scratch project and how to remove it. */
export interface ScratchProject {
  readonly dir: string;
  remove(): void;
}

/** Makes a scratch copy of the project (links, not copies). */
export function scratchProject(): ScratchProject {
  const parent = mkdtempSync(join(tmpdir(), "kestrel-scratch-"));
  symlinkSync(resolve(ROOT, "..", "shared"), join(parent, "shared"));
  const dir = join(parent, "project");
  mkdirSync(dir);
  for (const entry of readdirSync(ROOT)) if (!PRIVATE.has(entry)) symlinkSync(join(ROOT, entry), join(dir, entry));
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Makes `rel` a real folder inside the scratch copy (a linked folder becomes a folder of links), so that files written there do not land in the real project. */
export function realFolder(project: string, rel: string): void {
  let at = project;
  for (const part of rel.split("/").filter((p) => p !== "" && p !== ".")) {
    const real = join(ROOT, at === project ? "" : at.slice(project.length + 1), part);
    at = join(at, part);
    let st;
    try {
      st = lstatSync(at);
    } catch {
      mkdirSync(at);
      continue;
    }
    if (st.isSymbolicLink()) {
      unlinkSync(at);
      mkdirSync(at);
      for (const entry of readdirSync(real)) symlinkSync(join(real, entry), join(at, entry));
    }
  }
}
