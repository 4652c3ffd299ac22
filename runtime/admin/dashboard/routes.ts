/**
 * The dashboard: one static HTML page with inline script (no build step), the
 * lightweight-charts standalone bundle served from node_modules, and the backtest tearsheet
 * renderer (the script `kestrel backtest --html` inlines). All are public: they hold no session
 * data; the page asks for a token and calls the API with it.
 */
import { dirname, join } from "node:path";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { text } from "../http/reply.ts";

/** The page and the chart library, read once at start. */
export interface DashboardAssets {
  readonly html: string;
  readonly chartJs: string;
  /** The tearsheet renderer (`session/tearsheet/render.js`). */
  readonly tearsheetJs: string;
}

/** Reads the assets. */
export async function loadDashboard(): Promise<DashboardAssets> {
  const html = await Bun.file(join(import.meta.dir, "index.html")).text();
  const pkg = Bun.resolveSync("lightweight-charts/package.json", import.meta.dir);
  const chartFile = Bun.file(join(dirname(pkg), "dist", "lightweight-charts.standalone.production.js"));
  const chartJs = (await chartFile.exists()) ? await chartFile.text() : "/* lightweight-charts not installed */";
  const tearsheetJs = await Bun.file(join(import.meta.dir, "../../session/tearsheet/render.js")).text();
  return { html, chartJs, tearsheetJs };
}

/** Routes of the page and its asset. */
export function dashboardRoutes(assets: DashboardAssets): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/",
      role: "public",
      tag: "dashboard",
      summary: "The operator dashboard (HTML; asks for a token).",
      responses: { 200: "the page" },
      handle: () => text(assets.html, "text/html; charset=utf-8"),
    }),
    defineRoute({
      method: "GET",
      path: "/assets/lightweight-charts.js",
      role: "public",
      tag: "dashboard",
      summary: "TradingView lightweight-charts, standalone build.",
      responses: { 200: "JavaScript" },
      handle: () => text(assets.chartJs, "text/javascript; charset=utf-8"),
    }),
    defineRoute({
      method: "GET",
      path: "/assets/tearsheet.js",
      role: "public",
      tag: "dashboard",
      summary: "The backtest tearsheet renderer (the Backtests view; the same script HTML tearsheets inline).",
      responses: { 200: "JavaScript" },
      handle: () => text(assets.tearsheetJs, "text/javascript; charset=utf-8"),
    }),
  ];
}
