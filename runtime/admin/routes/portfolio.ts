/**
 * Positions, the portfolio summary and P&L. Exact figures (positions, realised, unrealised, fees,
 * perpetuals' funding: received > 0, part of net) are decimal text in each instrument's quote currency; account-currency totals (`pnl`, `equity`,
 * each `netAccount`, `exposureGross`) are converted at current mids and are floats rounded to
 * cents, as the session summary reports them (null while a rate is missing).
 */
import { formatScaled } from "../../../plugins/sdk/decimal.ts";
import type { Session } from "../../session/build.ts";
import { defineRoute, type AdminRoute } from "../http/route.ts";
import { ok } from "../http/reply.ts";
import { moneyText, sizeText } from "../views.ts";

/** Account-currency net P&L (float, 2 decimals), or null while a conversion rate is missing. */
export function accountPnl(session: Session): number | null {
  try {
    return Math.round(session.core.portfolio.equity(session.config.account.currency) * 100) / 100;
  } catch {
    return null;
  }
}

/** Converts decimal text in `currency` to the account currency, rounded to cents; null without a rate. */
function inAccount(session: Session, text: string, currency: string): number | null {
  try {
    return Math.round(session.core.portfolio.convert(Number(text), currency, session.config.account.currency) * 100) / 100;
  } catch {
    return null;
  }
}

/** Positions and P&L per instrument with each strategy's share, as `GET /api/v1/positions` shows them. */
export function positionRows(session: Session) {
  const p = session.core.portfolio;
  const out = [];
  for (const inst of session.instruments) {
    const byStrategy = [];
    for (const s of p.strategies) {
      const pos = p.positionOf(s, inst.id);
      const realised = p.realisedOf(s, inst.id);
      const fees = p.feesOf(s, inst.id);
      if (pos === 0 && realised === 0 && fees === 0) continue;
      const avg = p.avgEntryOf(s, inst.id);
      byStrategy.push({
        strategy: s,
        position: sizeText(inst, pos),
        avgEntry: avg === null ? null : (avg / 10 ** inst.priceDecimals).toFixed(inst.priceDecimals + 1),
        realised: moneyText(inst, realised),
        unrealised: moneyText(inst, p.unrealisedOf(s, inst.id)),
        fees: moneyText(inst, fees),
      });
    }
    if (byStrategy.length === 0 && p.funding(inst.id) === 0) continue;
    const avg = p.avgEntry(inst.id);
    out.push({
      instrument: inst.symbol,
      currency: inst.quote,
      position: sizeText(inst, p.position(inst.id)),
      avgEntry: avg === null ? null : (avg / 10 ** inst.priceDecimals).toFixed(inst.priceDecimals + 1),
      realised: moneyText(inst, p.realised(inst.id)),
      unrealised: moneyText(inst, p.unrealised(inst.id)),
      fees: moneyText(inst, p.fees(inst.id)),
      funding: moneyText(inst, p.funding(inst.id)),
      net: moneyText(inst, p.net(inst.id)),
      netAccount: inAccount(session, moneyText(inst, p.net(inst.id)), inst.quote),
      byStrategy,
    });
  }
  return out;
}

function byCurrency(session: Session) {
  return session.core.portfolio.pnlByCurrency().map((c) => ({
    currency: c.currency,
    realised: formatScaled(c.realised, c.decimals),
    unrealised: formatScaled(c.unrealised, c.decimals),
    fees: formatScaled(c.fees, c.decimals),
    funding: formatScaled(c.funding, c.decimals),
    net: formatScaled(c.net, c.decimals),
    netAccount: inAccount(session, formatScaled(c.net, c.decimals), c.currency),
  }));
}

/** Exposure per currency (exact text) with each net in the account currency, and the gross total there. */
function exposure(session: Session) {
  const rows = session.core.portfolio.exposure().map((e) => {
    const net = formatScaled(e.net, e.decimals);
    return { currency: e.currency, long: formatScaled(e.long, e.decimals), short: formatScaled(e.short, e.decimals), net, netAccount: inAccount(session, net, e.currency) };
  });
  const gross = rows.some((r) => r.netAccount === null) ? null : Math.round(rows.reduce((sum, r) => sum + Math.abs(r.netAccount!), 0) * 100) / 100;
  return { rows, gross };
}

/** P&L of each strategy: exact per quote currency, and converted to the account currency (null without a rate). */
function byStrategy(session: Session) {
  const p = session.core.portfolio;
  const account = session.config.account.currency;
  const decimals = new Map<string, number>();
  for (const inst of session.instruments) decimals.set(inst.quote, Math.max(decimals.get(inst.quote) ?? 0, inst.priceDecimals + inst.sizeDecimals));
  return p.strategies.map((strategy) => {
    const totals = new Map<string, { realised: number; unrealised: number; fees: number }>();
    for (const inst of session.instruments) {
      const realised = p.realisedOf(strategy, inst.id);
      const fees = p.feesOf(strategy, inst.id);
      const unrealised = p.unrealisedOf(strategy, inst.id);
      if (realised === 0 && fees === 0 && unrealised === 0) continue;
      const scale = 10 ** (decimals.get(inst.quote)! - inst.priceDecimals - inst.sizeDecimals);
      const t = totals.get(inst.quote) ?? { realised: 0, unrealised: 0, fees: 0 };
      t.realised += realised * scale;
      t.unrealised += unrealised * scale;
      t.fees += fees * scale;
      totals.set(inst.quote, t);
    }
    let net: number | null = 0;
    const currencies = [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => {
      const d = decimals.get(currency)!;
      const n = t.realised + t.unrealised - t.fees;
      try {
        if (net !== null) net += p.convert(n / 10 ** d, currency, account);
      } catch {
        net = null;
      }
      return { currency, realised: formatScaled(t.realised, d), unrealised: formatScaled(t.unrealised, d), fees: formatScaled(t.fees, d), net: formatScaled(n, d) };
    });
    return { strategy, pnl: net === null ? null : Math.round(net * 100) / 100, byCurrency: currencies };
  });
}

/** Portfolio routes. */
export function portfolioRoutes(): AdminRoute[] {
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/positions",
      snapshot: true,
      role: "analyst",
      tag: "portfolio",
      summary: "Open positions and P&L per instrument, with each strategy's share.",
      responses: { 200: "positions" },
      handle: ({ session }) => ok({ positions: positionRows(session) }),
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/portfolio",
      snapshot: true,
      role: "analyst",
      tag: "portfolio",
      summary: "Portfolio summary: account P&L and equity, P&L and exposure per currency, open orders.",
      responses: { 200: "summary" },
      handle: ({ session }) => {
        const pnl = accountPnl(session);
        const capital = session.config.account.capital;
        const exp = exposure(session);
        return ok({
          currency: session.config.account.currency,
          capital,
          pnl,
          equity: pnl === null ? null : Math.round((capital + pnl) * 100) / 100,
          openOrders: session.core.oms.openCount,
          byCurrency: byCurrency(session),
          exposure: exp.rows,
          exposureGross: exp.gross,
          kernelTs: session.core.now(),
        });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/pnl",
      snapshot: true,
      role: "analyst",
      tag: "portfolio",
      summary: "P&L: account-currency net, exact per-currency figures, each strategy's share and the performance report.",
      responses: { 200: "P&L" },
      handle: ({ session }) =>
        ok({
          currency: session.config.account.currency,
          pnl: accountPnl(session),
          byCurrency: byCurrency(session),
          byStrategy: byStrategy(session),
          performance: session.performance.report(),
          kernelTs: session.core.now(),
        }),
    }),
  ];
}
