/**
 * The cluster dashboard: one page over every shard — health (status, holder, age, events, orders,
 * fills, P&L, kill switch), the firm's P&L, positions, orders and alerts, each row naming its
 * shard — refreshed every second from the cluster admin API with the token typed in (kept in the
 * tab's sessionStorage). Self-contained: no external asset.
 */
export const CLUSTER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kestrel cluster</title>
<style>
body{font:13px system-ui,sans-serif;margin:16px;color:#222}h1{font-size:18px}h2{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;min-width:50%}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.up{color:#096}.stale,.missing{color:#c00}.stopped{color:#888}
#err{color:#c00}
</style></head><body>
<h1>Kestrel cluster <span id="overall" data-testid="overall"></span></h1>
<div><input id="token" data-testid="token" placeholder="token" size="60"> <button id="go" data-testid="login">Show</button> <span id="err" data-testid="error"></span></div>
<h2>Shards</h2><table data-testid="shards"><thead><tr><th>shard</th><th>status</th><th>holder</th><th>age ms</th><th>events</th><th>orders</th><th>fills</th><th>P&amp;L</th><th>trading</th></tr></thead><tbody></tbody></table>
<h2>P&amp;L <span id="pnl" data-testid="pnl"></span></h2>
<h2>Positions</h2><table data-testid="positions"><thead><tr><th>shard</th><th>instrument</th><th>position</th><th>net</th><th>net (account)</th></tr></thead><tbody></tbody></table>
<h2>Orders</h2><table data-testid="orders"><thead><tr><th>shard</th><th>id</th><th>strategy</th><th>instrument</th><th>side</th><th>size</th><th>filled</th><th>price</th><th>status</th></tr></thead><tbody></tbody></table>
<h2>Alerts</h2><table data-testid="alerts"><thead><tr><th>shard</th><th>code</th><th>severity</th><th>message</th></tr></thead><tbody></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
const esc = (v) => String(v ?? "").replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
const row = (cells) => "<tr>" + cells.map((c) => typeof c === "number" ? '<td class="n">' + c + "</td>" : "<td>" + esc(c) + "</td>").join("") + "</tr>";
const fill = (name, rows) => { document.querySelector('[data-testid="' + name + '"] tbody').innerHTML = rows.join(""); };
let token = sessionStorage.getItem("kestrel-cluster-token") || "";
$("token").value = token;
async function get(path) {
  const r = await fetch(path, { headers: { authorization: "Bearer " + token } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.code + ": " + body.error.message : "HTTP " + r.status);
  return body;
}
async function refresh() {
  if (token === "") return;
  try {
    const [health, pnl, positions, orders, alerts] = await Promise.all(["health", "pnl", "positions", "orders", "alerts"].map((p) => get("/api/v1/cluster/" + p)));
    $("overall").textContent = health.status;
    fill("shards", health.shards.map((s) => row([s.shard, s.status, s.holder, s.ageMs, s.events, s.orders, s.fills, s.pnl, (s.tradingState || "") + (s.killSwitch ? " (kill switch)" : "")]).replace("<td>" + s.status, '<td class="' + s.status + '">' + s.status)));
    $("pnl").textContent = pnl.total === null ? "n/a" : pnl.total.toFixed(2) + " " + (pnl.currency || "");
    fill("positions", positions.positions.map((p) => row([p.shard, p.instrument, p.position, p.net + " " + p.currency, p.netAccount])));
    fill("orders", orders.orders.slice(0, 200).map((o) => row([o.shard, o.id, o.strategy, o.instrument, o.side, o.size, o.filled, o.price, o.status])));
    fill("alerts", alerts.alerts.slice(0, 50).map((a) => row([a.shard, a.code, a.severity, a.message])));
    $("err").textContent = "";
  } catch (e) { $("err").textContent = e.message; }
}
$("go").onclick = () => { token = $("token").value.trim(); sessionStorage.setItem("kestrel-cluster-token", token); refresh(); };
setInterval(refresh, 1000);
refresh();
</script></body></html>
`;
