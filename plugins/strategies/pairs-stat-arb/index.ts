/**
 * Pairs statistical arbitrage on two instruments y (the first assigned) and x (the second). On
 * bar closes it samples both log mids; every `retestBars` bars it runs the Engle–Granger test
 * on the last `formationBars` bars (cointegration.ts) and, when the residuals are stationary enough, restarts a
 * Kalman filter of the hedge ratio (kalman.ts) from the window's OLS. The Kalman innovation's
 * z-score drives the trades: z ≥ entryZ sells the spread (sell y, buy x), z ≤ -entryZ buys it,
 * |z| ≤ exitZ, |z| ≥ stopZ, maxHoldBars or a failed re-test close it. The x leg is sized by
 * notional times beta. Both legs are sent as one intent pair (two IOCs at the touch in the same
 * hook, one tag); leg risk is handled: if one leg fills and the other does not, the missing leg is
 * sent again on the next quotes (`legRisk: complete`) or the filled one flattened at once
 * (`flatten`), and after `legTimeoutUs` unmatched both legs are flattened. New spreads open only
 * while the trading state is "active"; "reducing" lets it close them, "halted" sends nothing.
 * Allocation-free per quote; the test runs once per formation window over preallocated rings.
 */
import { defineStrategy, type Quote } from "../../sdk/index.ts";
import { StrategyParamsError } from "../shared/params-error.ts";
import { TargetExecutor } from "../shared/target-executor.ts";
import { engleGranger, newEngleGranger } from "./cointegration.ts";
import { KalmanHedge } from "./kalman.ts";
import { PairsStatArbParams } from "./params.ts";

const TIMER_LEGS = 1;

export default defineStrategy({
  manifest: {
    name: "pairs-stat-arb",
    version: "0.1.0",
    kind: "strategy",
    sdk: "^0.1.0",
    description: "Pairs trading: Engle–Granger test on a formation window, Kalman hedge ratio, z-score entry and exit, both legs as one pair with leg risk handled.",
    params: PairsStatArbParams,
    instruments: { min: 2, max: 2 },
    capabilities: ["orders", "timers"],
  },
  create(ctx) {
    const p = ctx.params;
    if (p.exitZ >= p.entryZ || p.stopZ <= p.entryZ) throw new StrategyParamsError("pairs-stat-arb", [`need exitZ < entryZ < stopZ, got params.exitZ=${p.exitZ}, params.entryZ=${p.entryZ}, params.stopZ=${p.stopZ}`]);
    const [instY, instX] = ctx.instruments as [typeof ctx.instruments[0], typeof ctx.instruments[0]];
    const legY = new TargetExecutor(instY, p.rejectBackoffUs);
    const legX = new TargetExecutor(instX, p.rejectBackoffUs);
    const ys = new Float64Array(p.formationBars);
    const xs = new Float64Array(p.formationBars);
    const eg = newEngleGranger();
    const kf = new KalmanHedge(p.kalmanDelta);
    let samples = 0;
    let bar = -1;
    let sinceTest = 0;
    let cointegrated = false;
    /** Spread held: 1 long (long y, short x), -1 short, 0 flat. */
    let dir = 0;
    let heldBars = 0;
    let targetY = 0;
    let targetX = 0;
    /** When the current targets were set and the legs must match by (0: no deadline). */
    let legsDeadline = 0;
    let pairs = 0;
    let z = NaN;
    let lastY = NaN;
    let lastX = NaN;

    const mid = (id: number): number => {
      const b = ctx.book(id);
      return b.valid ? b.mid2 / 2 : NaN;
    };

    function setTargets(newDir: number, why: string): void {
      dir = newDir;
      heldBars = 0;
      if (newDir === 0) {
        targetY = 0;
        targetX = 0;
      } else {
        const py = mid(instY.id), px = mid(instX.id);
        targetY = legY.lots(newDir * p.legSize);
        // Hedge by notional: beta is the elasticity of y's price to x's (log prices).
        targetX = legX.lots((-newDir * kf.beta * p.legSize * py) / px);
        pairs++;
      }
      legsDeadline = ctx.now() + p.legTimeoutUs;
      ctx.setTimer(p.legTimeoutUs, TIMER_LEGS);
      ctx.log(newDir === 0 ? "close spread" : "open spread", { why, z, beta: kf.beta, targetY, targetX, pair: pairs });
      drive();
    }

    /** Sends both legs toward their targets in the same call: the intent pair. */
    function drive(): void {
      const tag = dir === 0 ? "pairs:flat" : dir > 0 ? "pairs:long" : "pairs:short";
      const by = ctx.book(instY.id), bx = ctx.book(instX.id);
      // Spread in bps of the mid: (ask - bid) / (mid2 / 2) * 1e4.
      if ((by.ask - by.bid) * 20_000 <= p.maxSpreadBps * by.mid2) legY.drive(ctx, by, targetY, tag);
      if ((bx.ask - bx.bid) * 20_000 <= p.maxSpreadBps * bx.mid2) legX.drive(ctx, bx, targetX, tag);
    }

    /** True when both positions equal their targets. */
    const matched = (): boolean => ctx.position(instY.id) === targetY && ctx.position(instX.id) === targetX;

    /** Leg risk: a pair left unmatched is flattened when its time is up, or at once under "flatten". */
    function checkLegs(timeUp: boolean): void {
      if (matched()) {
        legsDeadline = 0;
        return;
      }
      if (legY.busy() || legX.busy()) return;
      const yDone = ctx.position(instY.id) === targetY, xDone = ctx.position(instX.id) === targetX;
      const oneLegged = yDone !== xDone;
      if ((timeUp || (p.legRisk === "flatten" && oneLegged && dir !== 0)) && (targetY !== 0 || targetX !== 0)) {
        ctx.log("leg risk: flattening", { posY: ctx.position(instY.id), posX: ctx.position(instX.id), targetY, targetX, timeUp });
        setTargets(0, "leg risk");
      }
    }

    function onBar(y: number, x: number): void {
      ys[samples % p.formationBars] = y;
      xs[samples % p.formationBars] = x;
      samples++;
      sinceTest++;
      if (samples >= p.formationBars && (sinceTest >= p.retestBars || samples === p.formationBars)) {
        sinceTest = 0;
        engleGranger(ys, xs, samples % p.formationBars, p.formationBars, eg);
        const was = cointegrated;
        cointegrated = eg.tStat <= p.egCritical && eg.beta > 0;
        ctx.log("formation", { tStat: eg.tStat, beta: eg.beta, halfLifeBars: eg.halfLife, cointegrated });
        if (cointegrated && !was) {
          kf.reset(eg.alpha, eg.beta, Math.max(eg.residualVar, 1e-12));
        }
        if (!cointegrated && dir !== 0) setTargets(0, "no longer cointegrated");
        if (!cointegrated && was) z = NaN;
        if (!cointegrated) return;
      }
      if (!cointegrated) return;
      z = kf.update(y, x);
      if (dir !== 0) heldBars++;
      if (legsDeadline !== 0) return; // a pair is still being matched
      if (dir !== 0) {
        if (Math.abs(z) >= p.stopZ) setTargets(0, "stop");
        else if (dir * z >= -p.exitZ) setTargets(0, "exit");
        else if (heldBars >= p.maxHoldBars) setTargets(0, "max hold");
      } else if (ctx.tradingState() === "active" && Math.abs(z) >= p.entryZ && Math.abs(z) < p.stopZ) {
        setTargets(z > 0 ? -1 : 1, "entry");
      }
    }

    return {
      onQuote(_ctx, q: Quote) {
        if (q.instrument !== instY.id && q.instrument !== instX.id) return;
        const b = Math.floor(q.ts / p.barUs);
        if (b > bar) {
          // Close the previous bar on the mids that stood before this quote.
          if (bar >= 0 && lastY > 0 && lastX > 0) onBar(Math.log(lastY), Math.log(lastX));
          bar = b;
        }
        if (q.instrument === instY.id) lastY = (q.bid + q.ask) / 2;
        else lastX = (q.bid + q.ask) / 2;
        if (legsDeadline !== 0 || !matched()) {
          drive();
          checkLegs(legsDeadline !== 0 && ctx.now() >= legsDeadline);
        }
      },
      onOrder(_ctx, o) {
        const ended = legY.onOrder(o, ctx.now()) || legX.onOrder(o, ctx.now());
        if (ended && p.legRisk === "flatten") checkLegs(false);
      },
      onTimer(_ctx, token) {
        if (token !== TIMER_LEGS || legsDeadline === 0 || ctx.now() < legsDeadline) return;
        checkLegs(true);
        if (legsDeadline !== 0 && !matched()) drive();
      },
      onTradingState(_ctx, state) {
        ctx.log("trading state", { state });
        if (state === "reducing" && dir !== 0) setTargets(0, "reducing");
      },
      onStop() {
        ctx.cancelAll();
      },
    };
  },
});

export { PairsStatArbParams };
