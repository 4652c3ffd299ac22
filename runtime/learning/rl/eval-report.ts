/**
 * The HTML report of `kestrel rl eval`: the summary table with intervals, shortfall per day per
 * player, and the distribution of per-episode shortfall (inline SVG, one file, no scripts).
 */
import type { RlEvalDetail, RlEvalSummary } from "./eval.ts";

const COLORS: Record<string, string> = { agent: "#d62728", take: "#1f77b4", limitOffset: "#2ca02c", twap: "#9467bd" };
const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : String(v));

function histogram(d: RlEvalDetail): string {
  const W = 520, H = 260, P = 36, bins = 30;
  const all = Object.values(d.outcomes).flat().map((o) => o.shortfallBps);
  const lo = Math.min(...all), hi = Math.max(...all);
  const width = (hi - lo) / bins || 1;
  const series = Object.entries(d.outcomes).map(([name, os]) => {
    const c = new Array(bins).fill(0);
    for (const o of os) c[Math.min(bins - 1, Math.floor((o.shortfallBps - lo) / width))]++;
    return [name, c] as const;
  });
  const top = Math.max(1, ...series.flatMap(([, c]) => c));
  const x = (b: number) => P + (b / bins) * (W - 2 * P);
  const y = (n: number) => H - P - (n / top) * (H - 2 * P);
  const lines = series.map(([name, c], k) =>
    `<polyline fill="none" stroke="${COLORS[name]}" stroke-width="1.5" points="${c.map((n, b) => `${x(b + 0.5).toFixed(1)},${y(n).toFixed(1)}`).join(" ")}"/><text x="${W - P - 80}" y="${P + 14 * k}" fill="${COLORS[name]}" font-size="11">${name}</text>`);
  return `<svg width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><rect x="${P}" y="${P}" width="${W - 2 * P}" height="${H - 2 * P}" fill="none" stroke="#ccc"/>${lines.join("")}
<text x="${P}" y="${H - 12}" font-size="10">${f(lo, 1)} bps</text><text x="${W - P - 40}" y="${H - 12}" font-size="10">${f(hi, 1)} bps</text></svg>`;
}

/** Renders the evaluation as one HTML page. */
export function renderRlReport(d: RlEvalDetail): string {
  const r = d.result;
  const rows: [string, RlEvalSummary][] = [["agent", r.agent], ...Object.entries(r.baselines)];
  const table = rows.map(([k, s]) => `<tr><td>${k}</td><td>${f(s.shortfallBps)}</td><td>[${f(s.shortfallBpsCi[0])}, ${f(s.shortfallBpsCi[1])}]</td><td>${f(s.pnl, 2)}</td><td>${f(s.fillRate)}</td><td>${f(s.maxDrawdown, 2)}</td></tr>`).join("");
  const days = Object.entries(d.byDay).map(([day, m]) => `<tr><td>${day}</td>${rows.map(([k]) => `<td>${f(m[k]!)}</td>`).join("")}</tr>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${r.policy} evaluation</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>
<h1>${r.policy}: execution against baselines</h1>
<p>${r.episodes} episodes on ${d.days.join(", ")} (days the policy did not train on); the same episodes (start, side, venue jitter) for every player. Shortfall: entry cost against the arrival mid, fees and the unfilled part at the window-end mid included, bps of the arrival notional (lower is better); 95% percentile bootstrap over episodes. P&amp;L: total net of fees after flattening; drawdown: of the cumulative P&amp;L over episodes.</p>
<table><tr><th></th><th>shortfall bps</th><th>95% CI</th><th>P&amp;L</th><th>fill rate</th><th>max drawdown</th></tr>${table}</table>
<p>Agent minus take, paired per episode: ${f(d.agentMinusTake.mean)} bps [${f(d.agentMinusTake.ci[0])}, ${f(d.agentMinusTake.ci[1])}].</p>
<h2>Mean shortfall per day (bps)</h2><table><tr><th>day</th>${rows.map(([k]) => `<th>${k}</th>`).join("")}</tr>${days}</table>
<h2>Per-episode shortfall</h2>${histogram(d)}
</body></html>
`;
}
