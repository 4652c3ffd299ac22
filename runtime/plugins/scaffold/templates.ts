/**
 * The files `kestrel plugin new` writes for each kind of plugin: a package.json carrying the
 * manifest's kind and SDK range, the module, a harness test, a backtest deployment on the seeded
 * synthetic market, and a README. Names are substituted; nothing else varies.
 */
import { SDK_VERSION } from "../../../plugins/sdk/manifest.ts";

/** Plugin kinds the scaffolder knows. */
export type ScaffoldKind = "strategy" | "risk" | "venue" | "algo";

const SDK_RANGE = `^${SDK_VERSION}`;

const CAPABILITIES: Record<ScaffoldKind, string[]> = { strategy: ["orders"], risk: [], venue: ["execution"], algo: [] };

/** package.json of a new plugin package. */
function packageJson(kind: ScaffoldKind, name: string): string {
  const pkg = {
    name,
    version: "0.1.0",
    description: `A Kestrel ${kind} plugin`,
    type: "module",
    main: "index.ts",
    files: ["index.ts", "README.md"],
    keywords: ["kestrel", `kestrel-${kind}`],
    kestrel: { kind, sdk: SDK_RANGE, capabilities: CAPABILITIES[kind] },
    license: "MIT",
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function strategyModule(name: string): string {
  return `/**
 * ${name}: buys when the bid's size outweighs the ask's by \`entryRatio\` and sells its position back
 * when the ask side does, at most once every \`holdSeconds\`; both with immediate-or-cancel orders at the touch.
 */
import { defineStrategy, Type } from "kestrel/sdk";

const Params = Type.Object({
  size: Type.Integer({ minimum: 1, default: 100000 }),
  entryRatio: Type.Number({ exclusiveMinimum: 1, default: 2 }),
  holdSeconds: Type.Number({ minimum: 0, default: 5 }),
});

export default defineStrategy({
  manifest: { name: "${name}", version: "0.1.0", kind: "strategy", sdk: "${SDK_RANGE}", capabilities: ["orders"], params: Params },
  create: () => {
    let lastTradeUs = -Infinity;
    return {
      onQuote(ctx, q) {
        if (ctx.openOrders(q.instrument).length > 0 || ctx.now() - lastTradeUs < ctx.params.holdSeconds * 1e6) return;
        const position = ctx.position(q.instrument);
        const r = ctx.params.entryRatio;
        if (position === 0 && q.bidSize > r * q.askSize)
          ctx.submit({ instrument: q.instrument, side: 1, type: "limit", tif: "IOC", price: q.ask, size: ctx.params.size });
        else if (position > 0 && q.askSize > r * q.bidSize)
          ctx.submit({ instrument: q.instrument, side: -1, type: "limit", tif: "IOC", price: q.bid, size: position });
      },
      onFill(ctx) {
        lastTradeUs = ctx.now();
      },
    };
  },
});
`;
}

function strategyTest(name: string): string {
  return `import { expect, test } from "bun:test";
import { createStrategyHarness } from "kestrel/sdk/harness";
import type { Instrument } from "kestrel/sdk";
import plugin from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

test("${name} takes the ask on a bid-heavy book and sells its position on an ask-heavy one", () => {
  const h = createStrategyHarness(plugin, { instruments: [EURUSD] });
  h.quote("EURUSD", 114543, 114545, 1_000_000, 1_000_000);
  expect(h.intents).toHaveLength(0);
  h.quote("EURUSD", 114543, 114545, 3_000_000, 1_000_000);
  expect(h.intents[0]!.intent).toMatchObject({ side: 1, tif: "IOC", price: 114545, size: 100000 });
  h.fill(h.intents[0]!.orderId);
  h.quote("EURUSD", 114544, 114546, 1_000_000, 3_000_000);
  expect(h.intents).toHaveLength(1); // holds for holdSeconds after a fill
  h.advance(5_000_000);
  h.quote("EURUSD", 114544, 114546, 1_000_000, 3_000_000);
  expect(h.intents[1]!.intent).toMatchObject({ side: -1, tif: "IOC", price: 114544, size: 100000 });
});
`;
}

function riskModule(name: string): string {
  return `/** ${name}: refuses an order larger than \`maxSize\` units. */
import { defineRisk, Type } from "kestrel/sdk";

export default defineRisk({
  manifest: { name: "${name}", version: "0.1.0", kind: "risk", sdk: "${SDK_RANGE}", capabilities: [], params: Type.Object({ maxSize: Type.Integer({ minimum: 1, default: 500000 }) }) },
  create: () => ({
    check: (ctx, order) => (order.intent.size > ctx.params.maxSize ? { code: "MAX_SIZE", reason: \`size=\${order.intent.size} max=\${ctx.params.maxSize}\` } : null),
  }),
});
`;
}

function riskTest(name: string): string {
  return `import { expect, test } from "bun:test";
import type { Instrument, RiskCheck, RiskContext } from "kestrel/sdk";
import plugin from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };
const book = { instrument: 0, ts: 0, bid: 114543, ask: 114545, bidSize: 1, askSize: 1, mid2: 229088, valid: true };
const ctx: RiskContext<typeof plugin.manifest.params> = {
  name: "${name}", params: { maxSize: 500000 }, instruments: [EURUSD], now: () => 0, log: () => {},
  position: () => 0, book: () => book, toAccount: (_instrument, money) => money / 1e5,
  requestTradingState: () => {}, requestedTradingState: () => "active", journalLimitChange: () => {}, portfolioVar: () => null,
};
const order = (size: number): RiskCheck => ({ strategy: "s", instrument: EURUSD, intent: { instrument: 0, side: 1, type: "limit", price: 114543, size }, position: 0, workingSameSide: 0, book, now: 0 });

test("${name} passes an order within the limit and refuses a larger one with its code", () => {
  const hooks = plugin.create(ctx);
  expect(hooks.check(ctx, order(500000))).toBeNull();
  expect(hooks.check(ctx, order(600000))).toEqual({ code: "MAX_SIZE", reason: "size=600000 max=500000" });
});
`;
}

function venueModule(name: string): string {
  return `/** ${name}: a venue that fills every limit order at its price and every market order at once (a starting point). */
import { defineVenue, Type } from "kestrel/sdk";

export default defineVenue({
  manifest: { name: "${name}", version: "0.1.0", kind: "venue", sdk: "${SDK_RANGE}", capabilities: ["execution"], params: Type.Object({}) },
  create: (ctx) => ({
    submit(order) {
      ctx.report({ kind: "accepted", orderId: order.id, ts: ctx.now() });
      if (order.price > 0) ctx.report({ kind: "fill", orderId: order.id, ts: ctx.now(), price: order.price, size: order.size, fee: 0, liquidity: "maker" });
    },
    cancel(orderId) {
      ctx.report({ kind: "canceled", orderId, ts: ctx.now(), reason: "requested" });
    },
  }),
});
`;
}

function venueTest(name: string): string {
  return `import { expect, test } from "bun:test";
import type { ExecutionReport, VenueContext, VenueOrder } from "kestrel/sdk";
import plugin from "./index.ts";

test("${name} accepts and fills a limit order at its price", () => {
  const reports: ExecutionReport[] = [];
  const ctx = { name: "${name}", params: {}, instruments: [], seed: 1, now: () => 7, report: (r: ExecutionReport) => reports.push(r) } as unknown as VenueContext<typeof plugin.manifest.params>;
  const venue = plugin.create(ctx);
  const order = { id: 1, instrument: 0, side: 1, type: "limit", tif: "GTC", price: 114543, stopPrice: 0, size: 1000, expireTs: 0, postOnly: false, ts: 7 } as VenueOrder;
  venue.submit(order);
  expect(reports.map((r) => r.kind)).toEqual(["accepted", "fill"]);
});
`;
}

function algoModule(name: string): string {
  return `/**
 * ${name}: works the parent in \`slices\` equal children, one every \`intervalSeconds\`, each an IOC
 * at the far touch; after the last slice it finishes with what is filled.
 */
import { defineAlgo, Type } from "kestrel/sdk";

const Params = Type.Object({
  slices: Type.Integer({ minimum: 1, default: 5 }),
  intervalSeconds: Type.Number({ exclusiveMinimum: 0, default: 60 }),
});

export default defineAlgo({
  manifest: { name: "${name}", version: "0.1.0", kind: "algo", sdk: "${SDK_RANGE}", capabilities: [], params: Params },
  create: () => {
    // Restart-safe: the slice is derived from the clock and what is filled and working, never counted.
    const slice = (ctx: Parameters<NonNullable<import("kestrel/sdk").AlgoHooks<typeof Params>["onTimer"]>>[0]) => {
      const p = ctx.parent;
      const { slices, intervalSeconds } = ctx.params;
      const k = Math.floor((ctx.now() - p.createdTs) / (intervalSeconds * 1_000_000)) + 1;
      if (k > slices || p.filled >= p.quantity) {
        ctx.finish(\`slices=\${Math.min(k, slices)} filled=\${p.filled}/\${p.quantity}\`);
        return;
      }
      const lot = ctx.instrument.lotSize;
      const target = k === slices ? p.quantity : Math.floor((p.quantity * k) / slices / lot) * lot;
      const size = target - p.filled - p.working;
      const book = ctx.book();
      if (size > 0 && book.valid) ctx.child({ type: "limit", tif: "IOC", price: p.side === 1 ? book.ask : book.bid, size, note: \`slice \${k}/\${slices}\` });
      ctx.setTimer(p.createdTs + k * intervalSeconds * 1_000_000 - ctx.now(), k);
    };
    return { onStart: slice, onResume: slice, onTimer: (ctx) => slice(ctx) };
  },
});
`;
}

function algoTest(name: string): string {
  return `import { expect, test } from "bun:test";
import { startAlgo } from "kestrel/sdk/algo-harness";
import type { Instrument } from "kestrel/sdk";
import plugin from "./index.ts";

const EURUSD: Instrument = { id: 0, symbol: "EURUSD", venue: "sim", base: "EUR", quote: "USD", priceDecimals: 5, sizeDecimals: 0, lotSize: 1000, minSize: 1000 };

test("${name} sends five equal IOC slices a minute apart at the far touch", () => {
  const h = startAlgo(plugin as never, { instrument: EURUSD, side: 1, quantity: 500_000, bid: 114543, ask: 114545 });
  for (let i = 0; i < 5; i++) {
    expect(h.children).toHaveLength(i + 1);
    expect(h.children[i]!.intent).toMatchObject({ type: "limit", tif: "IOC", price: 114545, size: 100_000 });
    h.fill(h.children[i]!.id, 114545);
    h.advance(60_000_000);
  }
  expect(h.parent.filled).toBe(500_000);
  expect(h.parent.finished).not.toBe("");
});
`;
}

const RISK_LIMITS = "  limits: { maxPosition: 1000000, maxOrderNotional: 2000000, maxOrdersPerSecond: 50, priceCollarBps: 50, maxDailyLoss: 50000, maxDrawdown: 50000 }";

function backtestYaml(kind: ScaffoldKind, name: string): string {
  if (kind === "algo") {
    return `# A backtest of this package (plugin: ./ is this folder): a strategy that rebalances every five minutes through it, on half an hour of Kestrel's seeded synthetic EURUSD market.
name: ${name}-backtest
mode: backtest
seed: 1
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic: { pairs: [EURUSD], start: "2026-01-05T08:00:00Z", durationSeconds: 1800 }
venue: { name: sim, plugin: sim }
execution:
  algos:
    - { name: ${name}, plugin: ./ }
strategies:
  - { name: rebalancer, plugin: rebalancer, instruments: [EURUSD], params: { everySeconds: 300, size: 500000, urgentAlgo: ${name}, passiveAlgo: ${name} } }
${RISK_LIMITS.startsWith("  ") ? "risk:\n" + RISK_LIMITS : RISK_LIMITS}
`;
  }
  const venue = kind === "venue" ? `venue: { name: ${name}, plugin: ./ }` : "venue: { name: sim, plugin: sim }";
  const strategy = kind === "strategy" ? `  - { name: ${name}, plugin: ./, instruments: [EURUSD] }` : "  - { name: demo, plugin: obi-scalper, instruments: [EURUSD], params: { entryImbalance: 0.2, maxSpreadTicks: 40 } }";
  const risk = kind === "risk" ? `${RISK_LIMITS}\n  plugins: [{ name: ${name}, plugin: ./ }]` : RISK_LIMITS;
  return `# A backtest of this package (plugin: ./ is this folder) on ten minutes of Kestrel's seeded synthetic EURUSD market.
name: ${name}-backtest
mode: backtest
seed: 1
account: { currency: USD, capital: 1000000 }
market:
  source: synthetic
  synthetic: { pairs: [EURUSD], start: "2026-01-05T08:00:00Z", durationSeconds: 600 }
${venue}
strategies:
${strategy}
risk:
${risk}
`;
}

function readme(kind: ScaffoldKind, name: string): string {
  return `# ${name}

A Kestrel ${kind} plugin. Its manifest is in \`index.ts\`; \`package.json\` carries the same kind and
SDK range in its \`kestrel\` field, and the two must agree.

\`\`\`sh
kestrel plugin check ${name}      # manifest, SDK range, types, capabilities and a harness run
kestrel plugin test ${name}       # its tests
kestrel backtest ${name}/backtest.yaml
kestrel plugin pack ${name}       # an npm tarball; a deployment then names it plugin: ${name}@^0.1
\`\`\`
`;
}

/** The files of a new plugin package, by path relative to its folder. */
export function scaffoldFiles(kind: ScaffoldKind, name: string): Record<string, string> {
  const [module, test] =
    kind === "strategy" ? [strategyModule(name), strategyTest(name)] : kind === "risk" ? [riskModule(name), riskTest(name)] : kind === "algo" ? [algoModule(name), algoTest(name)] : [venueModule(name), venueTest(name)];
  return { "package.json": packageJson(kind, name), "index.ts": module, "index.test.ts": test, "backtest.yaml": backtestYaml(kind, name), "README.md": readme(kind, name) };
}
