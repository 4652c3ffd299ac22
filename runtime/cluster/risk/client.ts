/**
 * A shard's side of the reservation protocol: local allowances (gross notional the shard may
 * hold, order tokens of the current window, loss it may take) granted by the risk service, spent
 * synchronously by the pre-trade check, refilled asynchronously in chunks before they run out and
 * given back when far more than needed. An order the allowance does not cover is refused at once
 * (never waits on the network) and a refill is asked for; the next order may pass. Grants only
 * grow on the service's answer and shrink locally before a release is sent, so the shard never
 * spends what the service has not granted.
 */
import { decode, encode } from "@msgpack/msgpack";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { RiskVerdict } from "../../../plugins/sdk/risk.ts";
import { wallMicros } from "../../kernel/clock.ts";
import type { GlobalRiskConfig } from "../schema.ts";
import type { ClusterCommand } from "../shard.ts";
import type { Topology } from "../topology.ts";
import type { ReserveKind } from "./ledger.ts";
import type { RiskReply, RiskRequest } from "./protocol.ts";

/** What the client reads of its shard. */
export interface ShardRiskInputs {
  /** Gross notional the shard holds now (|positions| + working orders), account currency. */
  exposure(): number;
  /** Loss the shard has now (positive = money lost), account currency. */
  loss(): number;
}

/** Options of a client. */
export interface RiskClientOptions {
  /** Tokens are treated as expired this long before their window ends (clock skew), µs. */
  skewUs?: number;
  /** Request timeout, milliseconds. */
  timeoutMs?: number;
}

/** Local allowances of one shard. */
export class GlobalRiskClient {
  notionalGrant = 0;
  lossGrant = 0;
  tokens = 0;
  tokensEndUs = 0;
  killed = false;
  killReason = "";
  /** Orders accepted per token window (window end µs → count), for audits and tests. */
  readonly usedByWindow = new Map<number, number>();
  /** Requests that failed (timeout, no responder): the allowance simply stays as it was. */
  errors = 0;
  private readonly pending = new Map<string, Promise<void>>();
  private readonly notionalChunk: number;
  private readonly lossChunk: number;
  private readonly ordersChunk: number;
  private readonly skewUs: number;
  private readonly timeoutMs: number;
  private sub: Subscription | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    readonly shard: string,
    limits: GlobalRiskConfig,
    private readonly inputs: ShardRiskInputs,
    opts: RiskClientOptions = {},
  ) {
    this.notionalChunk = limits.notionalChunk ?? limits.maxGrossNotional / 10;
    this.lossChunk = limits.maxDailyLoss / 10;
    this.ordersChunk = limits.ordersChunk ?? Math.max(1, Math.floor(limits.maxOrdersPerSecond / 10));
    this.skewUs = opts.skewUs ?? 20_000;
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  /** Listens for kill commands, takes first allowances, then every `everyMs` refills tokens, reports loss and returns surplus. */
  async start(everyMs = 100): Promise<void> {
    this.sub = this.nc.subscribe(this.topology.commands("all"), {
      callback: (_e, m) => {
        try {
          const cmd = decode(m.data) as ClusterCommand;
          if (cmd.kind === "kill") {
            this.killed = true;
            this.killReason = cmd.reason;
          } else if (cmd.kind === "release") this.killed = false;
        } catch {
          this.errors++;
        }
      },
    });
    await Promise.all([this.ask("notional", this.notionalChunk), this.ask("loss", this.lossChunk), this.ask("orders", this.ordersChunk)]);
    this.timer = setInterval(() => void this.housekeeping(), everyMs);
  }

  /** Stops the timer and the subscription (grants stay with the service until released). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.sub?.unsubscribe();
    await this.settled();
  }

  /** Waits until no request is in flight. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.values()]);
  }

  /**
   * The pre-trade check of one order of `notional` (account currency): null when the allowances
   * cover it (and they are spent), otherwise the refusal; never waits.
   */
  check(notional: number): RiskVerdict | null {
    if (this.killed) return { code: "GLOBAL_KILL", reason: `shard=${this.shard} reason=${this.killReason}` };
    const now = wallMicros();
    if (now >= this.tokensEndUs - this.skewUs) this.tokens = 0;
    if (this.tokens < 1) {
      this.want("orders", this.ordersChunk);
      return { code: "GLOBAL_RATE", reason: `shard=${this.shard} tokens=0` };
    }
    const exposure = this.inputs.exposure();
    if (exposure + notional > this.notionalGrant) {
      this.want("notional", exposure + notional - this.notionalGrant + this.notionalChunk);
      return { code: "GLOBAL_NOTIONAL", reason: `shard=${this.shard} exposure=${exposure.toFixed(2)} order=${notional.toFixed(2)} granted=${this.notionalGrant.toFixed(2)}` };
    }
    const loss = this.inputs.loss();
    if (loss >= this.lossGrant) {
      this.want("loss", loss - this.lossGrant + this.lossChunk);
      return { code: "GLOBAL_LOSS", reason: `shard=${this.shard} loss=${loss.toFixed(2)} granted=${this.lossGrant.toFixed(2)}` };
    }
    this.tokens--;
    this.usedByWindow.set(this.tokensEndUs, (this.usedByWindow.get(this.tokensEndUs) ?? 0) + 1);
    // Refill ahead of need so the next orders rarely wait.
    if (this.tokens < this.ordersChunk / 2) this.want("orders", this.ordersChunk);
    if (this.notionalGrant - exposure - notional < this.notionalChunk / 2) this.want("notional", this.notionalChunk);
    return null;
  }

  /** Asks for more of a kind unless such a request is already in flight. */
  private want(kind: ReserveKind, amount: number): void {
    if (this.pending.has(kind) || this.killed) return;
    void this.ask(kind, amount);
  }

  private ask(kind: ReserveKind, amount: number): Promise<void> {
    const p = this.request({ op: "reserve", shard: this.shard, kind, amount })
      .then((r) => {
        if (r === null) return;
        if (r.killed) this.killed = true;
        if (kind === "orders") {
          // A new window's grant replaces what is left of the old one.
          if (r.windowEndUs !== this.tokensEndUs) this.tokens = 0;
          this.tokens += r.granted;
          this.tokensEndUs = r.windowEndUs;
        } else if (kind === "notional") this.notionalGrant += r.granted;
        else this.lossGrant += r.granted;
      })
      .finally(() => this.pending.delete(kind));
    this.pending.set(kind, p);
    return p;
  }

  private async request(req: RiskRequest): Promise<RiskReply | null> {
    try {
      const m = await this.nc.request(this.topology.risk(), encode(req), { timeout: this.timeoutMs });
      const r = decode(m.data) as RiskReply;
      if (!r.ok) {
        this.errors++;
        return null;
      }
      return r;
    } catch {
      this.errors++;
      return null;
    }
  }

  /** Reports the loss and gives back notional held far beyond need. */
  private async housekeeping(): Promise<void> {
    // A new window's tokens before the first order of the window needs them.
    if (wallMicros() >= this.tokensEndUs - this.skewUs) this.want("orders", this.ordersChunk);
    const loss = this.inputs.loss();
    const report = await this.request({ op: "report", shard: this.shard, loss });
    if (report?.killed === true) this.killed = true;
    const surplus = this.notionalGrant - this.inputs.exposure() - 2 * this.notionalChunk;
    if (surplus > 0 && !this.pending.has("notional")) {
      // Shrink first: the shard must never spend what it is giving back.
      this.notionalGrant -= surplus;
      await this.request({ op: "release", shard: this.shard, kind: "notional", amount: surplus });
    }
  }
}
