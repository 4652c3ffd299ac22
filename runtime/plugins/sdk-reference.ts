/**
 * Generates the SDK reference (docs/sdk-reference.md) from the doc comments of what
 * `kestrel/sdk` exports, with the TypeScript compiler's own API: each exported function, type,
 * interface (with its members) and constant, its declaration and its comment. Run
 * `bun runtime/plugins/sdk-reference.ts --write` after changing the SDK; a test checks the file is current.
 */
import ts from "typescript";
import { readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const ENTRIES = [
  { title: "kestrel/sdk", file: resolve(ROOT, "plugins/sdk/index.ts") },
  { title: "kestrel/sdk/harness", file: resolve(ROOT, "plugins/sdk/harness.ts") },
];
/** Where the generated reference is kept. */
export const REFERENCE_PATH = resolve(ROOT, "docs/sdk-reference.md");

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();

/** Inline code that survives backticks inside it (a longer fence, padded). */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  return longest === 0 ? `${fence}${text}${fence}` : `${fence} ${text} ${fence}`;
}

function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const examples = symbol
    .getJsDocTags(checker)
    .filter((t) => t.name === "example")
    .map((t) => ts.displayPartsToString(t.text).trim());
  return [text, ...examples.map((e) => `Example: ${code(oneLine(e))}`)].filter((s) => s !== "").join(" ");
}

/** The declaration's own text without its body or comments, on one line. */
function signature(decl: ts.Declaration): string {
  const source = decl.getSourceFile();
  if (ts.isFunctionDeclaration(decl)) {
    const head = source.text.slice(decl.getStart(source), decl.body?.getStart(source) ?? decl.end);
    return oneLine(head.replace(/^export\s+/, ""));
  }
  if (ts.isInterfaceDeclaration(decl) || ts.isClassDeclaration(decl)) {
    const text = decl.getText(source);
    return oneLine(text.slice(0, text.indexOf("{")).replace(/^export\s+/, ""));
  }
  if (ts.isVariableDeclaration(decl)) return oneLine(`const ${decl.getText(source)}`);
  return oneLine(decl.getText(source).replace(/^export\s+/, ""));
}

function members(decl: ts.Declaration, checker: ts.TypeChecker): string[] {
  if (!ts.isInterfaceDeclaration(decl)) return [];
  const out: string[] = [];
  for (const m of decl.members) {
    const sym = m.name === undefined ? undefined : checker.getSymbolAtLocation(m.name);
    const text = oneLine(m.getText(decl.getSourceFile()).replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/;$/, ""));
    const doc = sym === undefined ? "" : docOf(sym, checker);
    out.push(`  - ${code(text)}${doc === "" ? "" : ` — ${doc}`}`);
  }
  return out;
}

/** Returns the reference as Markdown. */
export function generateSdkReference(): string {
  const program = ts.createProgram(
    ENTRIES.map((e) => e.file),
    { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, noEmit: true, strict: true, skipLibCheck: true },
  );
  const checker = program.getTypeChecker();
  const lines: string[] = [
    "# SDK reference",
    "",
    "Generated from the SDK's doc comments by `bun runtime/plugins/sdk-reference.ts --write`; do not edit by hand.",
    "A plugin imports these names from `kestrel/sdk` (and the test harness from `kestrel/sdk/harness`).",
    "Prices are integer ticks, sizes integer units, money integer minor units, time integer microseconds.",
  ];
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(entry.file)!;
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
    lines.push("", `## ${entry.title}`, "");
    for (const exported of exports) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decl = symbol.declarations?.[0];
      if (decl === undefined) continue;
      const from = relative(ROOT, decl.getSourceFile().fileName);
      if (from.startsWith("node_modules")) {
        lines.push(`- **${exported.name}** — re-exported from \`${from.split("/").slice(1, 3).join("/").replace(/\/build.*$/, "")}\`.`);
        continue;
      }
      const doc = docOf(symbol, checker);
      lines.push(`- **${exported.name}** (${code(from)}): ${code(signature(decl))}${doc === "" ? "" : ` — ${doc}`}`);
      lines.push(...members(decl, checker));
    }
  }
  return `${lines.join("\n")}\n`;
}

if (import.meta.main) {
  const text = generateSdkReference();
  if (process.argv.includes("--write")) {
    writeFileSync(REFERENCE_PATH, text);
    console.log(`wrote ${relative(process.cwd(), REFERENCE_PATH)}`);
  } else {
    const current = (() => {
      try {
        return readFileSync(REFERENCE_PATH, "utf8");
      } catch {
        return "";
      }
    })();
    console.log(current === text ? "docs/sdk-reference.md is current" : "docs/sdk-reference.md is stale: run bun runtime/plugins/sdk-reference.ts --write");
    process.exitCode = current === text ? 0 : 1;
  }
}
