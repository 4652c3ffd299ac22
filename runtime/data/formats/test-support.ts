/**
 * Shared fixtures for the format tests: the repo's `../shared/data` folder, instruments for the
 * real data sets, and a temp folder that removes itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Instrument } from "../../../plugins/sdk/instrument.ts";

/** Absolute path of a file under the shared data folder beside the repository. */
export function sharedData(relative: string): string {
  return fileURLToPath(new URL(`../../../../shared/data/${relative}`, import.meta.url));
}

/** Returns an instrument with the given scales and id 0. */
export function testInstrument(symbol: string, priceDecimals: number, sizeDecimals: number, id = 0): Instrument {
  return { id, symbol, venue: "test", base: symbol.slice(0, 3), quote: symbol.slice(3), priceDecimals, sizeDecimals, lotSize: 1, minSize: 1 };
}

/** EURUSD at 5 price decimals and whole-euro size units. */
export const EURUSD = testInstrument("EURUSD", 5, 0);

/** A temp folder for one test, removed on dispose. */
export function tempFolder(): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), "kestrel-data-"));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}
