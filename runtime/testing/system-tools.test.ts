import { expect, test } from "bun:test";
import { join } from "node:path";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";

const ROOT = join(import.meta.dir, "..", "..");

/** Runs the fixture as its own `bun test` with only `bun` on PATH, so promtool is missing. */
function runFixture(ci: boolean) {
  const bin = mkdtempSync(join(tmpdir(), "kestrel-path-"));
  symlinkSync(process.execPath, join(bin, "bun"));
  const env: Record<string, string> = { PATH: bin, HOME: process.env.HOME ?? "/root" };
  if (ci) env.CI = "true";
  const r = Bun.spawnSync([process.execPath, "test", "./runtime/testing/fixtures/skip-report.fixture.ts"], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

test("a run without a system tool lists each skipped real-part test and what installs its tool", () => {
  const r = runFixture(false);
  expect(r.code).toBe(0);
  expect(r.out).toContain("1 real-part test(s) skipped because a system tool is missing");
  expect(r.out).toContain("fixture: needs promtool: needs promtool (install: .ci/setup.d/80-admin.sh (prometheus))");
});

test("under CI a missing tool is not a skip: the test that needs it runs", () => {
  const r = runFixture(true);
  expect(r.code).toBe(0);
  expect(r.out).not.toContain("skipped because a system tool is missing");
  expect(r.out).toMatch(/\b2 pass\b/);
  expect(r.out).not.toMatch(/\b\d+ skip\b/);
});
