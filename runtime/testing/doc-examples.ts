/**
 * Reads the code blocks of a Markdown page the way a reader follows it: blocks whose info string
 * names a file (```ts file=plugins/strategies/my-strategy/index.ts) are files the reader creates,
 * `sh` blocks are commands the reader types. `docs-examples.test.ts` replays every page in a
 * scratch copy of the project, so that each example compiles and each command runs.
 *
 * A command line is not run when it ends with `# not run: <reason>` (credentials, a live venue),
 * or when it is one of the README's two opening lines (CI and `readme-check` run those).
 */

/** A file the page asks the reader to create. */
export interface DocFile {
  readonly kind: "file";
  readonly lang: string;
  readonly path: string;
  readonly text: string;
  readonly line: number;
}

/** A command the page asks the reader to type. */
export interface DocCommand {
  readonly kind: "command";
  readonly text: string;
  readonly line: number;
  /** Why this command is not run by the tests, or null when it is run. */
  readonly notRun: string | null;
}

/** A code block that is neither: shown for reading (output, a fragment); `lang` says which. */
export interface DocOther {
  readonly kind: "other";
  readonly lang: string;
  readonly text: string;
  readonly line: number;
}

/** One step of a page, in reading order. */
export type DocStep = DocFile | DocCommand | DocOther;

/** The README's two opening lines, run by `.ci/run` and `readme-check` rather than by the docs test. */
export const README_LINES = ["npm install && npm start", "npm run setup && npm test"] as const;

const SHELL = new Set(["sh", "bash", "shell", "console"]);

/** Splits a Markdown page into its steps; throws with the line number on an unterminated block. */
export function readDocSteps(markdown: string): DocStep[] {
  const lines = markdown.split("\n");
  const steps: DocStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, lang, info] = open;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`unterminated code block opened at line ${start}`);
    const file = /(?:^|\s)file=(\S+)/.exec(info)?.[1];
    if (file !== undefined) {
      steps.push({ kind: "file", lang, path: file, text: `${body.join("\n")}\n`, line: start });
    } else if (SHELL.has(lang)) {
      body.forEach((raw, k) => {
        const text = raw.replace(/\s+#.*$/, "").trim();
        if (text === "" || raw.trim().startsWith("#")) return;
        const reason = /#\s*not run:\s*(.+)$/.exec(raw)?.[1]?.trim() ?? null;
        const readme = (README_LINES as readonly string[]).includes(text) ? "the README's opening line (run by .ci/run and readme-check)" : null;
        steps.push({ kind: "command", text, line: start + 1 + k, notRun: reason ?? readme });
      });
    } else {
      steps.push({ kind: "other", lang, text: body.join("\n"), line: start });
    }
  }
  return steps;
}
