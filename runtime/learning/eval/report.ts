/**
 * The HTML report of a model evaluation: the metrics against every baseline with their intervals,
 * the reliability curve, the ROC curves and the strategy's equity curve, as inline SVG (one file,
 * no scripts, viewable anywhere).
 */

/** An evaluation result as `models/vol_window/evaluate.py` writes it. */
export type EvalResult = Record<string, any>;

const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#7f7f7f"];

function svgLines(title: string, series: Record<string, [number, number][]>, xLabel: string, yLabel: string, diagonal = false): string {
  const W = 420, H = 300, P = 40;
  const all = Object.values(series).flat();
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1] = diagonal ? [0, 1] : [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = diagonal ? [0, 1] : [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => P + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * P);
  const sy = (y: number) => H - P - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * P);
  const paths = Object.entries(series).map(([name, pts], k) =>
    `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="${k === 0 ? 2.5 : 1.2}" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ")}"><title>${name}</title></polyline>` +
    `<text x="${W - P - 90}" y="${P + 14 * k}" fill="${COLORS[k % COLORS.length]}" font-size="11">${name}</text>`);
  const diag = diagonal ? `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" stroke="#bbb" stroke-dasharray="4"/>` : "";
  return `<figure><svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><rect x="${P}" y="${P}" width="${W - 2 * P}" height="${H - 2 * P}" fill="none" stroke="#ccc"/>${diag}${paths.join("")}
<text x="${W / 2}" y="${H - 8}" font-size="11" text-anchor="middle">${xLabel}</text><text x="12" y="${H / 2}" font-size="11" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">${yLabel}</text>
<text x="${P}" y="${x0 === x1 ? 0 : P - 8}" font-size="10">${y1.toPrecision(3)}</text><text x="${P}" y="${H - P + 12}" font-size="10">${y0.toPrecision(3)}</text></svg><figcaption>${title}</figcaption></figure>`;
}

const f = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
const ci = (c: [number, number] | undefined) => (c ? `[${f(c[0])}, ${f(c[1])}]` : "");

function table(title: string, rows: Record<string, Record<string, any>>, keys: string[]): string {
  const head = `<tr><th></th>${keys.map((k) => `<th>${k}</th><th>95% CI</th>`).join("")}</tr>`;
  const body = Object.entries(rows).map(([name, m]) => `<tr><td>${name}</td>${keys.map((k) => `<td>${f(m[k])}</td><td>${ci(m[`${k}Ci`])}</td>`).join("")}</tr>`).join("");
  return `<h2>${title}</h2><table>${head}${body}</table>`;
}

/** Renders the evaluation as one HTML page. */
export function renderReport(r: EvalResult): string {
  const v = r.volWindow, m = r.magnitude, d = r.direction;
  const dirRows: Record<string, Record<string, any>> = {};
  for (const [name, x] of [["model", d], ...Object.entries(d.baselines)] as [string, any][]) {
    dirRows[name] = {};
    for (const c of ["short", "flat", "long"]) {
      dirRows[name][`precision ${c}`] = x.precision[c];
      dirRows[name][`precision ${c}Ci`] = x.precisionCi[c];
      dirRows[name][`recall ${c}`] = x.recall[c];
      dirRows[name][`recall ${c}Ci`] = x.recallCi[c];
    }
  }
  const rel = Object.fromEntries(Object.entries(r.curves.reliability as Record<string, { p: number; rate: number }[]>).map(([k, pts]) => [k, pts.map((p) => [p.p, p.rate] as [number, number])]));
  const roc = Object.fromEntries(Object.entries(r.curves.roc as Record<string, [number, number][]>));
  const eq = (r.trading.equityBps as number[]).map((y, k) => [k, y] as [number, number]);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${r.model} on ${r.split}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px;text-align:right}td:first-child{text-align:left}figure{display:inline-block;margin:0 1em 1em 0}</style></head><body>
<h1>${r.model}: ${r.split} split, ${r.rows} decisions</h1>
<p>Bootstrap: ${r.bootstrap.reps} ${r.bootstrap.method} resamples (blocks of ${r.bootstrap.block} decisions). Base rate of a high-volatility window: ${f(v.baseRate)}.</p>
${table("High-volatility window (next 30 s)", { model: v, ...v.baselines }, ["auc", "brier", "logLoss", "ece"])}
${table("Magnitude (log realised volatility)", { model: m, ...m.baselines }, ["qlike", "mse"])}
${table("Direction (argmax class)", dirRows, ["precision short", "precision flat", "precision long", "recall short", "recall flat", "recall long"])}
<h2>Trading rule (|signal| &ge; ${f(r.trading.threshold)}, one spread per round trip)</h2>
<p>${r.trading.trades} trades, mean ${f(r.trading.meanNetBps)} bps net ${ci(r.trading.meanNetBpsCi)}, total ${f(r.trading.totalNetBps)} bps ${ci(r.trading.totalNetBpsCi)}.</p>
${svgLines("Reliability (calibrated probability vs observed rate)", rel, "predicted probability", "observed rate", true)}
${svgLines("ROC curves", roc, "false positive rate", "true positive rate", true)}
${svgLines("Equity of the trading rule, net bps (decisions in time order)", { model: eq }, "decision", "cumulative net bps")}
</body></html>`;
}
