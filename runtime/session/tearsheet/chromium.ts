/**
 * Test helpers for pages that render tearsheets in headless Chromium: where the browser is, how it
 * is launched (as the dashboard's test does), and a reading of every `[data-chart]` element (its
 * name, how many points it drew, and whether a canvas or an SVG bar is really on the page).
 */
import type { Page } from "playwright-core";

/** Debian's chromium (.ci/setup.d/80-admin.sh installs it; tests that use it skip via needsTools where it is missing, never in CI). */
export const CHROMIUM_PATH = Bun.which("chromium") ?? Bun.which("chromium-browser") ?? "/usr/bin/chromium";

/** Launch options shared by the Chromium tests. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"];

/** One chart on a page. */
export interface ChartReading {
  readonly name: string;
  readonly points: number;
  readonly drawn: boolean;
}

/** Every chart on the page, in document order. */
export function chartsOf(page: Page, scope = "body"): Promise<ChartReading[]> {
  return page.$$eval(`${scope} [data-chart]`, (els) =>
    els.map((e) => ({
      name: e.getAttribute("data-chart") ?? "",
      points: Number(e.getAttribute("data-points") ?? "0"),
      drawn: e.querySelector("canvas") !== null || e.querySelectorAll("svg rect").length > 0,
    })),
  );
}
