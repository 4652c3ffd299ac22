/**
 * Checks a proposed change of risk limits against the running session without applying it: the
 * figures are validated like the deployment's, resolved per instrument as the engine would, and
 * compared with the live state (a position or working size already beyond a new position limit, a
 * loss already beyond a new daily loss). `PUT /api/v1/risk/limits` applies a valid change with
 * `core.applyLimits`, which journals it.
 */
import { Type, type Static } from "@sinclair/typebox";
import { resolveLimits, type RiskLimitsConfig } from "../../risk/limits.ts";
import type { Session } from "../../session/build.ts";
import type { FieldProblem } from "../http/reply.ts";
import { SymbolText } from "../http/schemas.ts";
import { sizeText } from "../views.ts";

const LimitFields = {
  maxPosition: Type.Optional(Type.Integer({ minimum: 0, description: "largest absolute position per instrument, in size units" })),
  maxOrderNotional: Type.Optional(Type.Number({ minimum: 0, description: "largest order notional, in account currency" })),
  maxOrdersPerSecond: Type.Optional(Type.Integer({ minimum: 0 })),
  priceCollarBps: Type.Optional(Type.Number({ minimum: 0 })),
  maxDailyLoss: Type.Optional(Type.Number({ minimum: 0 })),
  maxDrawdown: Type.Optional(Type.Number({ minimum: 0 })),
};

/** Body of POST /api/v1/risk/limits/validate: the deployment's `risk.limits` and `risk.instruments` shape, every field optional. */
export const LimitsChange = Type.Object(
  {
    limits: Type.Optional(Type.Object(LimitFields, { additionalProperties: false })),
    instruments: Type.Optional(Type.Record(SymbolText, Type.Object(LimitFields, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

/** A validated proposed change. */
export type LimitsChange = Static<typeof LimitsChange>;

/** What the change would do. */
export interface LimitsCheck {
  readonly valid: boolean;
  readonly problems: FieldProblem[];
  /** Live state the new limits would already be breached by (the change is still possible). */
  readonly warnings: { instrument: string | null; reason: string }[];
  readonly resolved: { instrument: string; maxPosition: string; maxOrderNotional: number; priceCollarBps: number }[];
  readonly config: RiskLimitsConfig;
  /** Per-instrument overrides by symbol that the change resolves with (today's kept unless named). */
  readonly overrides: Record<string, Partial<RiskLimitsConfig>>;
}

/** Checks the change; never mutates the session. */
export function checkLimitsChange(session: Session, change: LimitsChange): LimitsCheck {
  const risk = session.core.risk;
  const problems: FieldProblem[] = [];
  const symbols = new Set(session.instruments.map((i) => i.symbol));
  for (const sym of Object.keys(change.instruments ?? {})) {
    if (!symbols.has(sym)) problems.push({ in: "body", path: `/instruments/${sym}`, reason: `unknown instrument; known: ${[...symbols].join(", ")}` });
  }
  const config: RiskLimitsConfig = { ...risk.config, ...(change.limits ?? {}) };
  const overrides: Record<string, Partial<RiskLimitsConfig>> = {};
  for (const inst of session.instruments) {
    const now = risk.limits[inst.id]!;
    const base = risk.config;
    // Keep today's per-instrument overrides unless the change names that instrument.
    const kept: Partial<RiskLimitsConfig> = {};
    if (now.maxPosition !== Math.floor(base.maxPosition)) kept.maxPosition = now.maxPosition;
    if (now.maxOrderNotional !== base.maxOrderNotional) kept.maxOrderNotional = now.maxOrderNotional;
    if (now.priceCollarBps !== base.priceCollarBps) kept.priceCollarBps = now.priceCollarBps;
    const merged = { ...kept, ...(change.instruments?.[inst.symbol] ?? {}) };
    if (Object.keys(merged).length > 0) overrides[inst.symbol] = merged;
  }
  const resolved = resolveLimits(session.instruments, config, overrides);
  const warnings: LimitsCheck["warnings"] = [];
  for (const inst of session.instruments) {
    const lim = resolved[inst.id]!;
    const position = session.core.portfolio.position(inst.id);
    const worst = Math.max(Math.abs(position + session.core.working(inst.id, 1)), Math.abs(position - session.core.working(inst.id, -1)));
    if (worst > lim.maxPosition) {
      warnings.push({ instrument: inst.symbol, reason: `position=${position} with working orders reaches ${worst} > maxPosition=${lim.maxPosition}; only reducing orders would pass` });
    }
  }
  const b = risk.breaker;
  if (b.day >= 0) {
    let equity: number | null = null;
    try {
      equity = session.core.portfolio.equity(session.config.account.currency);
    } catch {
      equity = null;
    }
    if (equity !== null && b.dayStartEquity - equity >= config.maxDailyLoss) {
      warnings.push({ instrument: null, reason: `today's loss ${(b.dayStartEquity - equity).toFixed(2)} >= maxDailyLoss=${config.maxDailyLoss}; the breaker would trip at the next equity sample` });
    }
    if (equity !== null && b.peakEquity - equity >= config.maxDrawdown) {
      warnings.push({ instrument: null, reason: `drawdown ${(b.peakEquity - equity).toFixed(2)} >= maxDrawdown=${config.maxDrawdown}; the breaker would trip at the next equity sample` });
    }
  }
  return {
    valid: problems.length === 0,
    problems,
    warnings,
    resolved: session.instruments.map((i) => ({ instrument: i.symbol, maxPosition: sizeText(i, resolved[i.id]!.maxPosition), maxOrderNotional: resolved[i.id]!.maxOrderNotional, priceCollarBps: resolved[i.id]!.priceCollarBps })),
    config,
    overrides,
  };
}
