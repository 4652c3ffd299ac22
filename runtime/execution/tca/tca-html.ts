/**
 * An HTML report of one parent: its TCA figures and an SVG chart of the mid at each venue over the
 * parent's life with the children's fills as dots (buys up-triangles, sells down), one self-contained
 * file with no scripts.
 */
import type { Row } from "../../store/database.ts";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"];

/** Renders the report. */
export function parentTcaHtml(tca: Row, mids: readonly Row[], fills: readonly Row[]): string {
  const W = 900;
  const H = 360;
  const pad = 50;
  const ts = [...mids.map((m) => Number(m.ts)), ...fills.map((f) => Number(f.ts))];
  const px = [...mids.map((m) => Number(m.mid)), ...fills.map((f) => Number(f.price))];
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts, t0 + 1);
  const p0 = Math.min(...px);
  const p1 = Math.max(...px, p0 + 1e-9);
  const x = (t: number) => pad + ((t - t0) / (t1 - t0)) * (W - 2 * pad);
  const y = (p: number) => H - pad - ((p - p0) / (p1 - p0)) * (H - 2 * pad);
  const venues = [...new Set(mids.map((m) => String(m.venue)))];
  const lines = venues
    .map((v, i) => {
      const pts = mids.filter((m) => String(m.venue) === v).map((m) => `${x(Number(m.ts)).toFixed(1)},${y(Number(m.mid)).toFixed(1)}`);
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1" points="${pts.join(" ")}"><title>${esc(v)} mid</title></polyline>`;
    })
    .join("\n");
  const dots = fills
    .map((f) => {
      const cx = x(Number(f.ts));
      const cy = y(Number(f.price));
      const up = Number(f.side) > 0;
      const d = up ? `M${cx},${cy - 6} L${cx - 5},${cy + 4} L${cx + 5},${cy + 4} Z` : `M${cx},${cy + 6} L${cx - 5},${cy - 4} L${cx + 5},${cy - 4} Z`;
      return `<path d="${d}" fill="${up ? "#2ca02c" : "#d62728"}"><title>order ${f.order_id} ${esc(String(f.venue))} ${f.size} @ ${f.price}</title></path>`;
    })
    .join("\n");
  const legend = venues.map((v, i) => `<span style="color:${COLORS[i % COLORS.length]}">&#9644; ${esc(v)} mid</span>`).join(" ");
  const rows = Object.entries(tca)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
    .join("");
  const fillRows = fills.map((f) => `<tr><td>${new Date(Number(f.ts) / 1000).toISOString()}</td><td>${f.order_id}</td><td>${esc(String(f.venue))}</td><td>${Number(f.side) > 0 ? "buy" : "sell"}</td><td>${f.price}</td><td>${f.size}</td><td>${f.fee}</td></tr>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Parent ${tca.id} TCA</title>
<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style></head>
<body><h1>Parent ${tca.id} (${esc(String(tca.algo))}, ${esc(String(tca.symbol))})</h1>
<p>${legend} <span style="color:#2ca02c">&#9650; buy fill</span> <span style="color:#d62728">&#9660; sell fill</span></p>
<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>
<text x="${pad}" y="20" font-size="12">${p1.toFixed(5)}</text><text x="${pad}" y="${H - 10}" font-size="12">${p0.toFixed(5)}</text>
${lines}
${dots}
</svg>
<h2>TCA</h2><table>${rows}</table>
<h2>Child fills (${fills.length})</h2><table><tr><th>time</th><th>order</th><th>venue</th><th>side</th><th>price</th><th>size</th><th>fee</th></tr>${fillRows}</table>
</body></html>
`;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
