import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { generateSdkReference, REFERENCE_PATH } from "./sdk-reference.ts";

test("docs/sdk-reference.md is generated from the SDK as it is now (bun runtime/plugins/sdk-reference.ts --write)", () => {
  const generated = generateSdkReference();
  expect(readFileSync(REFERENCE_PATH, "utf8")).toBe(generated);
  // Every name a plugin imports is documented.
  for (const name of ["defineStrategy", "defineRisk", "defineVenue", "StrategyContext", "OrderIntent", "Instrument", "createStrategyHarness"]) {
    expect(generated).toContain(`- **${name}** (`);
  }
}, 60_000);
