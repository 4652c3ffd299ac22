/**
 * The self-contained HTML tearsheet of a stored backtest result: one file with the
 * lightweight-charts standalone build, the tearsheet renderer (`render.js`, the same script the
 * dashboard's Backtests view uses) and the result as JSON inlined, so it opens from disk with no
 * server and no network.
 */
import { dirname, join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import type { BacktestResult } from "../backtest-results.ts";

/** The two scripts a tearsheet needs: the chart library and the renderer. */
export interface TearsheetScripts {
  readonly chartJs: string;
  readonly renderJs: string;
}

/** Reads lightweight-charts' standalone build from node_modules and the renderer beside this file. */
export async function loadTearsheetScripts(): Promise<TearsheetScripts> {
  const pkg = Bun.resolveSync("lightweight-charts/package.json", import.meta.dir);
  const chartJs = await Bun.file(join(dirname(pkg), "dist", "lightweight-charts.standalone.production.js")).text();
  const renderJs = await Bun.file(join(import.meta.dir, "render.js")).text();
  return { chartJs, renderJs };
}

/** Text safe inside a <script> element (no closing tag, no HTML comment opener). */
function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The tearsheet page of `result`. */
export function tearsheetHtml(result: BacktestResult, scripts: TearsheetScripts): string {
  // JSON with "<" escaped cannot end the script element it sits in.
  const data = JSON.stringify(result).replace(/</g, "\\u003c");
  const title = `${result.deployment} ${result.id} — Kestrel backtest`.replace(/[<&]/g, "");
  return `<!doctype html>
<!-- Kestrel backtest tearsheet: self-contained (lightweight-charts standalone build and data inlined). -->
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;padding:12px 16px;background:#0f1419}</style>
<script>${scriptText(scripts.chartJs)}</script>
<script>${scriptText(scripts.renderJs)}</script>
</head>
<body>
<div id="tearsheet"></div>
<script type="application/json" id="kestrel-backtest">${data}</script>
<script>KestrelTearsheet.render(document.getElementById("tearsheet"), JSON.parse(document.getElementById("kestrel-backtest").textContent));</script>
</body>
</html>
`;
}

/** Writes the tearsheet of `result` to `file` (creating its folder). */
export async function writeTearsheet(file: string, result: BacktestResult): Promise<void> {
  const html = tearsheetHtml(result, await loadTearsheetScripts());
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
}
