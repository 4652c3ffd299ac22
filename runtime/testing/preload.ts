/**
 * Preloaded by `bun test` (bunfig.toml): at the end of the run, lists each real-part test that was
 * skipped because a system tool is missing, with the script that installs it.
 */
import { afterAll } from "bun:test";
import { skippedRealParts } from "./system-tools.ts";

// An afterAll in a preload runs once, after every test file.
afterAll(() => {
  if (skippedRealParts.length === 0) return;
  const lines = skippedRealParts.map((s) => `  - ${s.test}: needs ${s.tool} (install: ${s.install})`);
  process.stderr.write(
    `\n${skippedRealParts.length} real-part test(s) skipped because a system tool is missing` +
      ` (run \`npm run setup\` as root to install them all):\n${lines.join("\n")}\n`,
  );
});
