import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FIX_DEPS_INSTALL, jspurefixDictionaryPath, jspurefixDir, parseDictionary } from "./load.ts";

const fix44 = resolve(import.meta.dir, "..");
const root = resolve(fix44, "../../..");

describe("the FIX venue's own dependency", () => {
  test("jspurefix resolves from plugins/venues/fix44, and the root install does not carry it", () => {
    expect(jspurefixDir()).toBe(join(fix44, "node_modules", "jspurefix"));
    const loaded = parseDictionary(readFileSync(jspurefixDictionaryPath("FIX44.xml"), "utf8"));
    expect(loaded.ok && loaded.dict.beginString).toBe("FIX.4.4");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain("jspurefix");
    const own = JSON.parse(readFileSync(join(fix44, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(own.dependencies.jspurefix).toBeDefined();
  });

  test("where it is not installed, one line names it and the command that installs it", () => {
    const dir = mkdtempSync(join(tmpdir(), "kestrel-fix-deps-"));
    try {
      expect(() => jspurefixDir(pathToFileURL(join(dir, "x.ts")).href)).toThrow(`FIX_DEPS_MISSING: the FIX venue's dictionaries come from the jspurefix package, which is not installed; run ${FIX_DEPS_INSTALL}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
