/**
 * The simulated venue's own memory (`stateFile`): what a real venue keeps on its side, so that a
 * restarted session can ask it what happened. One JSON line per venue event, written synchronously
 * as the event happens at the venue (before its report travels back): an order reaching the venue,
 * each fill, a replace, a trigger and the end of an order. Loading rebuilds the orders it knows
 * (working ones keep working after a restart), their fills and the net position per symbol; a torn
 * last line (the process died mid-write) is cut. A graceful stop rewrites the file as the positions
 * plus the working orders only, so it stays small. While running, the memory keeps every working
 * order and the newest `keepFinished` finished ones (older finished ones are forgotten, as a venue
 * ages out its history), and the file is rewritten as that memory every `compactEvery` lines, so
 * neither grows with the length of the session.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { OrderType, Side, TimeInForce } from "../../sdk/orders.ts";
import type { VenueFill, VenueOrderStatus } from "../../sdk/venue.ts";

/** An order as the venue's memory holds it. */
export interface RememberedOrder {
  id: number;
  symbol: string;
  side: Side;
  type: OrderType;
  tif: TimeInForce;
  price: number;
  stopPrice: number;
  size: number;
  postOnly: boolean;
  triggered: boolean;
  expireTs: number;
  fills: VenueFill[];
  state: VenueOrderStatus["state"];
}

type Line =
  | { e: "order"; o: Omit<RememberedOrder, "fills" | "state"> }
  | { e: "fill"; id: number; f: VenueFill }
  | { e: "replace"; id: number; price: number; size: number }
  | { e: "trigger"; id: number; type: OrderType }
  | { e: "end"; id: number; state: VenueOrderStatus["state"] }
  | { e: "positions"; p: Record<string, number> };

/** The venue's memory, backed by a JSON-lines file. */
export class SimStateFile {
  readonly orders = new Map<number, RememberedOrder>();
  /** Net position per symbol (size units) over every fill the venue made. */
  readonly positions = new Map<string, number>();
  /** A torn last line that was cut on load (null when none). */
  tornTail: string | null = null;
  /** Ids of finished orders still remembered, oldest first. */
  private finished: number[] = [];
  private linesSinceCompact = 0;

  constructor(
    readonly path: string,
    /** Finished orders remembered besides the working ones. */
    readonly keepFinished = 10_000,
    /** Lines appended between two rewrites of the file while running. */
    readonly compactEvery = 100_000,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) this.load();
  }

  private load(): void {
    const text = readFileSync(this.path, "utf8");
    const lines = text.split("\n");
    let good = 0;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      if (raw === "") {
        good += 1;
        continue;
      }
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l !== "")) throw new Error(`SIM_STATE_CORRUPT: path=${this.path} line=${i + 1} is not JSON`);
        this.tornTail = raw.slice(0, 80);
        break;
      }
      this.apply(line);
      good += raw.length + 1;
    }
    if (this.tornTail !== null) writeFileSync(this.path, text.slice(0, Math.min(good, text.length)));
  }

  private apply(line: Line): void {
    switch (line.e) {
      case "order":
        this.orders.set(line.o.id, { ...line.o, fills: [], state: "working" });
        break;
      case "fill": {
        const o = this.orders.get(line.id);
        if (o === undefined) break;
        o.fills.push(line.f);
        this.positions.set(o.symbol, (this.positions.get(o.symbol) ?? 0) + o.side * line.f.size);
        if (o.state === "working" && o.fills.reduce((n, f) => n + f.size, 0) >= o.size) this.finish(o, "filled");
        break;
      }
      case "replace": {
        const o = this.orders.get(line.id);
        if (o !== undefined) {
          o.price = line.price;
          o.size = o.fills.reduce((n, f) => n + f.size, 0) + line.size;
        }
        break;
      }
      case "trigger": {
        const o = this.orders.get(line.id);
        if (o !== undefined) {
          o.triggered = true;
          o.type = line.type;
        }
        break;
      }
      case "end": {
        const o = this.orders.get(line.id);
        if (o !== undefined && o.state === "working") this.finish(o, line.state);
        break;
      }
      case "positions":
        for (const [symbol, n] of Object.entries(line.p)) this.positions.set(symbol, n);
        break;
    }
  }

  /** Marks an order finished and forgets the oldest finished ones past `keepFinished`. */
  private finish(o: RememberedOrder, state: VenueOrderStatus["state"]): void {
    o.state = state;
    this.finished.push(o.id);
    if (this.finished.length > 2 * this.keepFinished) {
      const cut = this.finished.length - this.keepFinished;
      for (let i = 0; i < cut; i++) this.orders.delete(this.finished[i]!);
      this.finished = this.finished.slice(cut);
    }
  }

  private write(line: Line): void {
    this.apply(line);
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    if (++this.linesSinceCompact >= this.compactEvery) this.rewrite(false);
  }

  /** An order reached the venue. */
  order(o: Omit<RememberedOrder, "fills" | "state">): void {
    this.write({ e: "order", o });
  }

  fill(id: number, f: VenueFill): void {
    this.write({ e: "fill", id, f });
  }

  /** A replace: the new price and the new remaining size. */
  replace(id: number, price: number, remaining: number): void {
    this.write({ e: "replace", id, price, size: remaining });
  }

  trigger(id: number, type: OrderType): void {
    this.write({ e: "trigger", id, type });
  }

  end(id: number, state: VenueOrderStatus["state"]): void {
    const o = this.orders.get(id);
    if (o === undefined || o.state !== "working") return;
    this.write({ e: "end", id, state });
  }

  /** Orders still working at the venue. */
  working(): RememberedOrder[] {
    return [...this.orders.values()].filter((o) => o.state === "working");
  }

  /** Rewrites the file as the positions and the working orders (with their fills); atomic. */
  compact(): void {
    this.rewrite(true);
  }

  /** Rewrites the file as the positions and the remembered orders (finished ones too unless `workingOnly`); atomic. */
  private rewrite(workingOnly: boolean): void {
    this.linesSinceCompact = 0;
    const kept = [...this.orders.values()].filter((o) => !workingOnly || o.state === "working");
    // The positions line leaves out the kept orders' fills: their fill lines add them back.
    const base = new Map(this.positions);
    for (const o of kept) for (const f of o.fills) base.set(o.symbol, (base.get(o.symbol) ?? 0) - o.side * f.size);
    const out: Line[] = [{ e: "positions", p: Object.fromEntries(base) }];
    for (const o of kept) {
      const { fills, state, ...rest } = o;
      out.push({ e: "order", o: rest });
      for (const f of fills) out.push({ e: "fill", id: o.id, f });
      if (state !== "working" && state !== "filled") out.push({ e: "end", id: o.id, state });
    }
    const text = out.map((l) => JSON.stringify(l)).join("\n") + "\n";
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
    this.orders.clear();
    this.positions.clear();
    this.finished = [];
    this.load();
  }

  /** Filled size of an order the venue knows. */
  static filled(o: RememberedOrder): number {
    let n = 0;
    for (const f of o.fills) n += f.size;
    return n;
  }
}
