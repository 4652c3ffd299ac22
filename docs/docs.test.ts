/**
 * The README and every page in docs/ are followed as a reader would: in a scratch copy of the
 * project, each file a page shows is created, each TypeScript file compiles under the project's
 * strict settings, and each command runs and exits 0 (a `kestrel run` must be bounded with --for).
 * Commands marked `# not run: <reason>` and the README's two opening lines (run by CI) are listed, not run.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { readDocSteps, type DocStep } from "../runtime/testing/doc-examples.ts";
import { realFolder, scratchProject } from "../runtime/testing/scratch-project.ts";

const ROOT = resolve(import.meta.dir, "..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
/** Runs one command line in the scratch project; `npx kestrel` runs this checkout's CLI directly (npx adds only start-up time). */
function runCommand(project: string, line: string): { code: number; out: string } {
  const text = line.replace(/^npx kestrel\b/, `${join(ROOT, "bin", "kestrel")}`);
  const r = Bun.spawnSync(["bash", "-c", text], { cwd: project, env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe", timeout: 240_000 });
  return { code: r.exitCode ?? -1, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

/** Type-checks the TypeScript files a page created, with the project's compiler options. */
function typecheck(project: string, files: string[]): { code: number; out: string } {
  writeFileSync(join(project, "tsconfig.docs.json"), JSON.stringify({ extends: "./tsconfig.json", include: files }));
  const tsc = join(ROOT, "node_modules", ".bin", "tsc");
  const r = Bun.spawnSync([tsc, "--noEmit", "-p", "tsconfig.docs.json"], { cwd: project, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

describe("docs: every example compiles and every command runs", () => {
  for (const page of PAGES) {
    const steps: DocStep[] = readDocSteps(readFileSync(join(ROOT, page), "utf8"));
    if (!steps.some((s) => s.kind !== "other")) continue;
    test(page, () => {
      const scratch = scratchProject();
      try {
        const tsFiles: string[] = [];
        for (const step of steps) {
          const where = `${page}:${step.line}`;
          if (step.kind === "other") {
            // A TypeScript example must be a file the page creates, so that it is compiled and used.
            expect(`${where} ${step.lang}`).not.toMatch(/ (ts|typescript)$/);
            continue;
          }
          if (step.kind === "file") {
            realFolder(scratch.dir, dirname(step.path));
            writeFileSync(join(scratch.dir, step.path), step.text);
            if (step.path.endsWith(".ts")) tsFiles.push(step.path);
            continue;
          }
          if (step.notRun !== null) continue;
          if (/\bkestrel run\b/.test(step.text)) expect(`${where}: ${step.text}`).toMatch(/--for \S+/);
          const r = runCommand(scratch.dir, step.text);
          if (r.code !== 0 || /^\s+at .+:\d+:\d+\)?$/m.test(r.out)) throw new Error(`${where}: \`${step.text}\` exited ${r.code}:\n${r.out.slice(-3000)}`);
          // A run whose plugin was quarantined did not do what the page says it does.
          const line = /^Quarantined +(\S.*)$/m.exec(r.out);
          const quarantined = line !== null && line[1] !== "none" ? line : /"quarantined":\s*\[\s*"([^"]+)/.exec(r.out);
          if (quarantined !== null) throw new Error(`${where}: \`${step.text}\` quarantined ${quarantined[1]}:\n${r.out.slice(-3000)}`);
        }
        if (tsFiles.length > 0) {
          const r = typecheck(scratch.dir, tsFiles);
          if (r.code !== 0) throw new Error(`${page}: its TypeScript examples do not compile:\n${r.out}`);
        }
      } finally {
        scratch.remove();
      }
    }, 900_000);
  }
});
