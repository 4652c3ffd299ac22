/*
 * Kestrel backtest tearsheet renderer (browser script, no build step). Renders a stored backtest
 * result (`var/backtests/<id>.json`: id, deployment, summary, tearsheet) into an element: the
 * performance table with its period, equity and drawdown curves, mid price with entries and exits
 * per instrument (zoomable, TradingView lightweight-charts, which must be loaded first as the global
 * `LightweightCharts`), P&L by strategy, instrument and hour of day, trade-outcome and holding-time
 * distributions, fees and slippage, data anomalies, risk refusals and model/policy versions.
 * `compare` puts two results side by side. Every chart element carries `data-chart` (its name) and
 * `data-points` (how many points it drew) so a test can check that each one has data.
 * Exposes `window.KestrelTearsheet = { render, compare }`.
 */
(function () {
  "use strict";
  var CSS =
    ".kt{font:13px/1.4 system-ui,sans-serif;color:#d8dee6}" +
    ".kt h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#8a96a3;margin:14px 0 6px}" +
    ".kt h1{font-size:16px;margin:0 0 4px}" +
    ".kt .meta{color:#8a96a3;margin-bottom:6px}" +
    ".kt .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:10px}" +
    ".kt .card{background:#171e26;border:1px solid #2a3440;border-radius:6px;padding:8px 10px;min-width:0;overflow-x:auto}" +
    ".kt .chart{height:240px}" +
    ".kt .chart.tall{height:320px}" +
    ".kt svg{display:block;width:100%;height:200px}" +
    ".kt table{border-collapse:collapse;font-variant-numeric:tabular-nums;width:100%}" +
    ".kt th,.kt td{text-align:left;padding:2px 8px;border-bottom:1px solid #2a3440;white-space:nowrap}" +
    ".kt th{color:#8a96a3;font-weight:500}" +
    ".kt td.n{text-align:right}" +
    ".kt .pos{color:#3fb950}.kt .neg{color:#f85149}.kt .dim{color:#8a96a3}" +
    ".kt .cols{display:grid;grid-template-columns:1fr 1fr;gap:10px}";
  var GOOD = "#3fb950", BAD = "#f85149", BLUE = "#58a6ff", ORANGE = "#d29922";

  function injectCss() {
    if (document.getElementById("kt-css") !== null) return;
    var s = document.createElement("style");
    s.id = "kt-css";
    s.textContent = CSS;
    document.head.appendChild(s);
  }

  function esc(v) {
    return String(v).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "–";
    if (typeof v !== "number") return esc(v);
    return v.toLocaleString("en-US", { minimumFractionDigits: digits === undefined ? 2 : digits, maximumFractionDigits: digits === undefined ? 2 : digits });
  }

  function cls(v) {
    return typeof v === "number" && v < 0 ? "neg" : typeof v === "number" && v > 0 ? "pos" : "";
  }

  function iso(us) {
    return new Date(us / 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  function duration(us) {
    var s = Math.round(us / 1e6);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    return (d > 0 ? d + "d " : "") + h + "h " + m + "m";
  }

  function el(tag, attrs, html) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (html !== undefined) e.innerHTML = html;
    return e;
  }

  function card(parent, title, body) {
    var c = el("div", { class: "card" });
    c.appendChild(el("h2", {}, esc(title)));
    if (body !== undefined) c.appendChild(body);
    parent.appendChild(c);
    return c;
  }

  function chartOptions(div) {
    return {
      width: Math.max(200, div.clientWidth),
      height: Math.max(120, div.clientHeight),
      layout: { background: { color: "#171e26" }, textColor: "#8a96a3" },
      grid: { vertLines: { color: "#222b35" }, horzLines: { color: "#222b35" } },
      // A small minimum spacing lets fitContent show a whole run (thousands of samples) in a narrow chart.
      timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.01 },
      rightPriceScale: { borderColor: "#2a3440" },
    };
  }

  /** A line or area series from parallel arrays; strictly increasing integer seconds. */
  function points(time, value) {
    var out = [];
    var last = -Infinity;
    for (var i = 0; i < time.length; i++) {
      var t = Math.floor(time[i]);
      if (!isFinite(value[i])) continue;
      if (t <= last) {
        out[out.length - 1] = { time: t, value: value[i] };
        continue;
      }
      out.push({ time: t, value: value[i] });
      last = t;
    }
    return out;
  }

  function drawdown(series) {
    var peak = -Infinity;
    return series.map(function (p) {
      if (p.value > peak) peak = p.value;
      return { time: p.time, value: p.value - peak };
    });
  }

  /** A lightweight-charts chart in a new element; `add(chart)` adds series and returns the drawn count. */
  function lwChart(parent, name, tall, add) {
    var div = el("div", { class: tall ? "chart tall" : "chart", "data-chart": name });
    parent.appendChild(div);
    // Sized from the laid-out element (not autoSize, which sizes later and leaves fitContent
    // fitting a zero-width chart); a ResizeObserver keeps the width in step afterwards.
    var chart = LightweightCharts.createChart(div, chartOptions(div));
    var n = add(chart, div);
    // What the chart shows (the whole run once fitContent applies, then whatever the reader zooms to).
    chart.timeScale().subscribeVisibleTimeRangeChange(function (shown) {
      if (shown === null) return;
      div.setAttribute("data-shown-from", String(shown.from));
      div.setAttribute("data-shown-to", String(shown.to));
    });
    chart.timeScale().fitContent();
    var width = div.clientWidth;
    new ResizeObserver(function () {
      if (div.clientWidth === width || div.clientWidth === 0) return;
      width = div.clientWidth;
      chart.applyOptions({ width: width });
      chart.timeScale().fitContent();
    }).observe(div);
    div.setAttribute("data-points", String(n));
    return chart;
  }

  /** An SVG bar chart of labelled values (green up, red down). */
  function bars(parent, name, labels, values, format) {
    var W = 600, H = 200, pad = 28;
    var max = 0;
    values.forEach(function (v) {
      if (isFinite(v)) max = Math.max(max, Math.abs(v));
    });
    var signed = values.some(function (v) { return v < 0; });
    var zero = signed ? H / 2 : H - pad;
    var scale = max > 0 ? (signed ? H / 2 - pad : H - 2 * pad) / max : 0;
    var bw = (W - 2 * pad) / Math.max(1, values.length);
    var parts = ['<line x1="' + pad + '" x2="' + (W - pad) + '" y1="' + zero + '" y2="' + zero + '" stroke="#2a3440"/>'];
    var drawn = 0;
    values.forEach(function (v, i) {
      if (!isFinite(v)) return;
      var h = Math.max(v === 0 ? 0 : 1, Math.abs(v) * scale);
      var x = pad + i * bw + bw * 0.1;
      var y = v >= 0 ? zero - h : zero;
      parts.push('<rect x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + (bw * 0.8).toFixed(1) + '" height="' + h.toFixed(1) + '" fill="' + (v >= 0 ? GOOD : BAD) + '"><title>' + esc(labels[i]) + ": " + esc(format ? format(v) : fmt(v)) + "</title></rect>");
      drawn++;
    });
    var every = Math.max(1, Math.ceil(values.length / 12));
    labels.forEach(function (l, i) {
      if (i % every !== 0) return;
      parts.push('<text x="' + (pad + i * bw + bw / 2).toFixed(1) + '" y="' + (H - 6) + '" fill="#8a96a3" font-size="10" text-anchor="middle">' + esc(String(l).slice(0, 14)) + "</text>");
    });
    var div = el("div", { "data-chart": name, "data-points": String(drawn) });
    div.innerHTML = '<svg viewBox="0 0 ' + W + " " + H + '" preserveAspectRatio="none">' + parts.join("") + "</svg>";
    parent.appendChild(div);
  }

  /** Counts of `values` in `n` equal bins (of log10 when `log`); returns labels and counts. */
  function histogram(values, n, log, unit) {
    var xs = values.filter(function (v) { return isFinite(v) && (!log || v > 0); }).map(function (v) { return log ? Math.log10(v) : v; });
    if (xs.length === 0) return { labels: [], counts: [] };
    var lo = Math.min.apply(null, xs), hi = Math.max.apply(null, xs);
    if (hi === lo) hi = lo + 1;
    var w = (hi - lo) / n;
    var counts = new Array(n).fill(0);
    xs.forEach(function (x) { counts[Math.min(n - 1, Math.floor((x - lo) / w))]++; });
    var labels = counts.map(function (_, i) {
      var a = lo + i * w;
      return (log ? fmtSeconds(Math.pow(10, a)) : fmt(a, 0)) + (unit || "");
    });
    return { labels: labels, counts: counts };
  }

  function fmtSeconds(s) {
    return s < 1 ? s.toFixed(2) + "s" : s < 120 ? s.toFixed(0) + "s" : s < 7200 ? (s / 60).toFixed(0) + "m" : (s / 3600).toFixed(1) + "h";
  }

  /** A table; numbers in the columns listed in `signed` are coloured by sign (money), others plain. */
  function table(headers, rows, signed) {
    var colour = signed || [];
    return el("table", {}, "<thead><tr>" + headers.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") + "</tr></thead><tbody>" +
      rows.map(function (r) { return "<tr>" + r.map(function (c, i) { return typeof c === "number" ? '<td class="n ' + (colour.indexOf(i) >= 0 ? cls(c) : "") + '">' + fmt(c, Number.isInteger(c) ? 0 : 2) + "</td>" : "<td>" + (c === null || c === undefined ? "–" : esc(c)) + "</td>"; }).join("") + "</tr>"; }).join("") + "</tbody>");
  }

  function performanceRows(r) {
    var s = r.summary, p = s.performance;
    return [
      ["P&L (" + s.currency + ")", p.pnl, 2],
      ["final equity", s.equity, 2],
      ["Sharpe (annualised)", p.sharpe, 2],
      ["Sortino (annualised)", p.sortino, 2],
      ["max drawdown", p.maxDrawdown, 2],
      ["max drawdown %", p.maxDrawdownPct === null ? null : p.maxDrawdownPct * 100, 3],
      ["Calmar", p.calmar, 2],
      ["win rate %", p.winRate === null ? null : p.winRate * 100, 1],
      ["profit factor", p.profitFactor, 2],
      ["trades (closing fills)", p.trades, 0],
      ["fills", s.fills, 0],
      ["orders", s.orders, 0],
      ["turnover", p.turnover, 0],
      ["fees", p.fees, 2],
      ["market events", s.events, 0],
      ["equity samples", p.samples, 0],
    ];
  }

  function periodText(r) {
    var t = r.tearsheet;
    if (!t) return "period unknown (result stored without a tearsheet)";
    return iso(t.period.fromTs) + " → " + iso(t.period.toTs) + " (" + duration(t.period.toTs - t.period.fromTs) + " of market time)";
  }

  function header(root, r) {
    root.appendChild(el("h1", {}, esc(r.deployment) + ' <span class="dim">' + esc(r.id || "") + "</span>"));
    root.appendChild(el("div", { class: "meta" },
      "config " + esc(r.configFile) + " · finished " + esc(r.finishedAt) + " · period <b data-testid=\"period\">" + esc(periodText(r)) + "</b> · fills hash " + esc(r.summary.fillsHash.slice(0, 16))));
  }

  function equitySeries(r) {
    var t = r.tearsheet;
    return t ? points(t.equity.time, t.equity.value) : [];
  }

  /** Renders one result's tearsheet into `root` (cleared first). */
  function render(root, r) {
    injectCss();
    root.innerHTML = "";
    root.classList.add("kt");
    header(root, r);
    var t = r.tearsheet;
    var s = r.summary;
    var top = el("div", { class: "grid" });
    root.appendChild(top);
    var perf = card(top, "Performance — " + periodText(r));
    perf.appendChild(table(["measure", "value"], performanceRows(r).map(function (x) { return [x[0], x[1] === null ? null : Number(Number(x[1]).toFixed(x[2]))]; })));
    perf.appendChild(el("div", { class: "dim" }, "Ratios from equity sampled every report interval, risk-free rate 0" + (s.performance.periodsPerYear ? ", " + fmt(s.performance.periodsPerYear, 0) + " periods a year" : "") + "."));
    if (!t) {
      root.appendChild(el("p", { class: "dim" }, "This result was stored without tearsheet data (run it again with this version of kestrel)."));
      return;
    }
    var eq = equitySeries(r);
    var curves = card(top, "Equity and drawdown (" + t.currency + ")");
    lwChart(curves, "equity", false, function (c) {
      var line = c.addSeries(LightweightCharts.LineSeries, { color: BLUE, lineWidth: 2 });
      line.setData(eq);
      return line.data().length;
    });
    lwChart(curves, "drawdown", false, function (c) {
      var area = c.addSeries(LightweightCharts.AreaSeries, { lineColor: BAD, topColor: "rgba(248,81,73,0.05)", bottomColor: "rgba(248,81,73,0.4)", lineWidth: 1 });
      area.setData(drawdown(eq));
      return area.data().length;
    });

    t.bars.forEach(function (b) {
      var c = card(root, b.symbol + " mid price (" + fmtSeconds(b.barSeconds) + " bars) with entries ▲▼ and exits ●");
      lwChart(c, "price-" + b.symbol, true, function (chart, div) {
        var series = chart.addSeries(LightweightCharts.CandlestickSeries, {
          upColor: GOOD, downColor: BAD, borderVisible: false, wickUpColor: GOOD, wickDownColor: BAD,
          priceFormat: { type: "price", precision: b.priceDecimals, minMove: Math.pow(10, -b.priceDecimals) },
        });
        var data = b.time.map(function (tm, i) { return { time: tm, open: b.open[i], high: b.high[i], low: b.low[i], close: b.close[i] }; });
        series.setData(data);
        var markers = [];
        var j = 0;
        t.fills.forEach(function (f) {
          if (f.instrument !== b.symbol) return;
          var ft = f.ts / 1e6;
          while (j + 1 < b.time.length && b.time[j + 1] <= ft) j++;
          var exit = f.realised !== 0;
          markers.push({
            time: b.time[j],
            position: f.side === 1 ? "belowBar" : "aboveBar",
            color: exit ? ORANGE : f.side === 1 ? GOOD : BAD,
            shape: exit ? "circle" : f.side === 1 ? "arrowUp" : "arrowDown",
          });
        });
        markers.sort(function (x, y) { return x.time - y.time; });
        LightweightCharts.createSeriesMarkers(series, markers);
        div.setAttribute("data-markers", String(markers.length));
        return series.data().length;
      });
    });

    var groups = el("div", { class: "grid" });
    root.appendChild(groups);
    var bs = card(groups, "Realised P&L net of fees by strategy");
    bars(bs, "pnl-by-strategy", t.byStrategy.map(function (g) { return g.name; }), t.byStrategy.map(function (g) { return g.pnl; }));
    var bi = card(groups, "Realised P&L net of fees by instrument");
    bars(bi, "pnl-by-instrument", t.byInstrument.map(function (g) { return g.name; }), t.byInstrument.map(function (g) { return g.pnl; }));
    var bh = card(groups, "Closed-trade outcome by hour of day (UTC)");
    bars(bh, "pnl-by-hour", t.byHour.map(function (_, h) { return String(h).padStart(2, "0") + "h"; }), t.byHour);
    var oc = histogram(t.tradeOutcomes, 24, false);
    var to = card(groups, "Trade outcomes (" + t.tradeOutcomes.length + " closing fills, " + t.currency + ")");
    bars(to, "trade-outcomes", oc.labels, oc.counts, function (v) { return v + " trades"; });
    var hd = histogram(t.holdingSeconds, 20, true);
    var ht = card(groups, "Holding time (" + t.holdingSeconds.length + " round trips, log scale)");
    bars(ht, "holding-times", hd.labels, hd.counts, function (v) { return v + " round trips"; });

    var costs = card(groups, "Fees and slippage (" + t.currency + "; slippage against the mid, negative = spread earned)");
    var costRows = t.byStrategy.map(function (g) { return ["strategy " + g.name, g.fills, g.trades, g.turnover, g.realised, g.fees, g.slippage, g.pnl]; })
      .concat(t.byInstrument.map(function (g) { return ["instrument " + g.name, g.fills, g.trades, g.turnover, g.realised, g.fees, g.slippage, g.pnl]; }));
    costs.appendChild(table(["group", "fills", "trades", "turnover", "realised", "fees", "slippage", "net"], costRows, [4, 7]));
    if (t.fillsTotal > t.fills.length) costs.appendChild(el("div", { class: "dim" }, "Fill list capped at " + t.fills.length + " of " + t.fillsTotal + "; totals include every fill."));

    var anomalies = Object.entries(s.dataAnomalies || {});
    var an = card(groups, "Data anomalies");
    an.appendChild(anomalies.length === 0 ? el("div", { "data-testid": "no-anomalies" }, "none: every market event was applied") : table(["reason", "events"], anomalies));
    var refusals = Object.entries(s.riskRejections || {});
    var rr = card(groups, "Risk refusals");
    rr.appendChild(refusals.length === 0 ? el("div", {}, "none: the pre-trade chain refused no order") : table(["code", "orders"], refusals));
    var vers = Object.entries(t.versions || {});
    var vv = card(groups, "Model and policy versions");
    vv.appendChild(vers.length === 0 ? el("div", {}, "none: no model or policy drove this run") : table(["part", "version"], vers));
    var st = card(groups, "Strategies and params");
    st.appendChild(table(["strategy", "plugin", "params"], (t.strategies || []).map(function (x) { return [x.name, x.plugin, JSON.stringify(x.params)]; })));
  }

  /** Renders two results side by side: equity and drawdown overlaid, figures and params in columns. */
  function compare(root, a, b) {
    injectCss();
    root.innerHTML = "";
    root.classList.add("kt");
    root.appendChild(el("h1", {}, "Compare " + esc(a.id) + " (A, blue) with " + esc(b.id) + " (B, orange)"));
    var top = el("div", { class: "grid" });
    root.appendChild(top);
    var ea = equitySeries(a), eb = equitySeries(b);
    var curves = card(top, "Equity and drawdown, A and B");
    lwChart(curves, "compare-equity", false, function (c) {
      var la = c.addSeries(LightweightCharts.LineSeries, { color: BLUE, lineWidth: 2 });
      la.setData(ea);
      var lb = c.addSeries(LightweightCharts.LineSeries, { color: ORANGE, lineWidth: 2 });
      lb.setData(eb);
      return Math.min(la.data().length, lb.data().length);
    });
    lwChart(curves, "compare-drawdown", false, function (c) {
      var la = c.addSeries(LightweightCharts.LineSeries, { color: BLUE, lineWidth: 1 });
      la.setData(drawdown(ea));
      var lb = c.addSeries(LightweightCharts.LineSeries, { color: ORANGE, lineWidth: 1 });
      lb.setData(drawdown(eb));
      return Math.min(la.data().length, lb.data().length);
    });
    var ra = performanceRows(a), rb = performanceRows(b);
    var perf = card(top, "Performance");
    perf.appendChild(table(["measure", "A", "B", "B − A"], ra.map(function (x, i) {
      var va = x[1] === null ? null : Number(Number(x[1]).toFixed(x[2]));
      var vb = rb[i][1] === null ? null : Number(Number(rb[i][1]).toFixed(x[2]));
      return [x[0], va, vb, va === null || vb === null ? null : Number((vb - va).toFixed(x[2]))];
    }), [3]));
    perf.appendChild(el("div", { class: "dim" }, "A: " + esc(periodText(a)) + "<br>B: " + esc(periodText(b))));
    var cols = el("div", { class: "cols" });
    root.appendChild(cols);
    [a, b].forEach(function (r, k) {
      var c = card(cols, (k === 0 ? "A " : "B ") + r.deployment + " — strategies and params");
      var t = r.tearsheet;
      c.appendChild(table(["strategy", "plugin", "params"], ((t && t.strategies) || []).map(function (x) { return [x.name, x.plugin, JSON.stringify(x.params)]; })));
      c.appendChild(table(["strategy", "fills", "net", "fees", "slippage"], ((t && t.byStrategy) || []).map(function (g) { return [g.name, g.fills, g.pnl, g.fees, g.slippage]; }), [2]));
      var vers = Object.entries((t && t.versions) || {});
      c.appendChild(el("div", { class: "dim" }, vers.length === 0 ? "no model or policy versions" : vers.map(function (v) { return esc(v[0]) + " " + esc(v[1]); }).join(", ")));
    });
  }

  window.KestrelTearsheet = { render: render, compare: compare };
})();
