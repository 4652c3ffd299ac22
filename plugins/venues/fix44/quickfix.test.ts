/**
 * The FIX venue against real counterparties started on loopback by the tests: the QuickFIX
 * C++ acceptor in testing/ (built at run time; skipped with a note where QuickFIX is not
 * installed, CI installs it with .ci/setup.d/60-fix.sh) and a jspurefix acceptor, so two
 * independent engines agree with ours.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FixVenueCore, type FixSessionSpec } from "./core.ts";
import type { FixCancelReject, FixExecutionReport, FixMessageReject, FixQuote } from "./app/types.ts";
import type { SessionEvent } from "./session/types.ts";
import { QuickFixAcceptor } from "./testing/quickfix.ts";
import { needsTools } from "../../../runtime/testing/system-tools.ts";


const instruments = [
  { symbol: "EURUSD", priceDecimals: 5, sizeDecimals: 0 },
  { symbol: "USDJPY", priceDecimals: 3, sizeDecimals: 0 },
  { symbol: "GBPUSD", priceDecimals: 5, sizeDecimals: 0 },
];

class Recorder {
  readonly quotes: FixQuote[] = [];
  readonly reports: FixExecutionReport[] = [];
  readonly cancelRejects: FixCancelReject[] = [];
  readonly rejects: FixMessageReject[] = [];
  readonly events: SessionEvent[] = [];
  readonly callbacks = {
    quote: (q: FixQuote) => this.quotes.push(q),
    execution: (r: FixExecutionReport) => this.reports.push(r),
    cancelReject: (r: FixCancelReject) => this.cancelRejects.push(r),
    reject: (r: FixMessageReject) => this.rejects.push(r),
    event: (_s: string, e: SessionEvent) => this.events.push(e),
  };
  report(clOrdId: string, kind: string): FixExecutionReport | undefined {
    return this.reports.find((r) => r.clOrdId === clOrdId && r.kind === kind);
  }
  count(code: string): number {
    return this.events.filter((e) => e.code === code).length;
  }
}

/** Resolves when `cond` holds; fails with `what` after `ms`. */
async function until(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await (cleanups.pop() as () => Promise<void>)();
});

async function venue(overrides: Partial<FixSessionSpec> = {}, name = "lp1") {
  const acceptor = await QuickFixAcceptor.start("LP1", "KESTREL");
  cleanups.push(() => acceptor.stop());
  const rec = new Recorder();
  const core = new FixVenueCore({
    instruments,
    sessions: [{ name, host: "127.0.0.1", port: acceptor.port, senderCompID: "KESTREL", targetCompID: "LP1", heartBtIntSec: 5, symbols: ["EURUSD", "USDJPY"], reconnectMinMs: 50, reconnectMaxMs: 200, tickMs: 50, ...overrides }],
  }, rec.callbacks);
  cleanups.push(() => core.stop());
  core.start();
  await until("logon", () => rec.count("FIX_SESSION_LOGON") >= 1);
  return { acceptor, rec, core, driver: core.driver(name)! };
}

describe.skipIf(!needsTools("fix44: against the QuickFIX C++ acceptor", "quickfix"))("against the QuickFIX C++ acceptor", () => {
  test("logs on, receives quotes as integer ticks for both symbols, and logs out cleanly", async () => {
    const { acceptor, rec, core } = await venue();
    await until("quotes", () => rec.quotes.some((q) => q.symbol === "EURUSD") && rec.quotes.some((q) => q.symbol === "USDJPY"));
    const eur = rec.quotes.find((q) => q.symbol === "EURUSD")!;
    expect(eur.bidPrice).toBe(110000);
    expect(eur.askPrice).toBe(110010);
    expect(eur.bidSize).toBe(1_000_000);
    expect(rec.quotes.find((q) => q.symbol === "USDJPY")?.askPrice).toBe(150020);
    await until("incremental refresh", () => rec.quotes.filter((q) => q.symbol === "EURUSD").length >= 3);
    for (const q of rec.quotes) expect(q.askPrice - q.bidPrice).toBe(q.symbol === "EURUSD" ? 10 : 20);
    await core.stop();
    await acceptor.waitFor(/^LOGOUT/);
    expect(rec.count("FIX_SESSION_LOGOUT")).toBe(1);
  }, 20_000);

  test("heartbeats flow both ways while idle and the session stays up", async () => {
    const { rec, driver } = await venue({ heartBtIntSec: 1, symbols: [] });
    const store = driver.session.store as import("./session/store.ts").MemoryMessageStore;
    const isHeartbeat = (b: Uint8Array) => new TextDecoder().decode(b).includes("\x0135=0\x01");
    await until("a heartbeat each way", () => store.received.some(isHeartbeat) && [2, 3, 4].some((s) => { const m = store.outbound(s); return m !== undefined && isHeartbeat(m); }), 6000);
    expect(driver.session.state).toBe("active");
    expect(rec.count("FIX_SESSION_DISCONNECTED")).toBe(0);
  }, 15_000);

  test("a marketable order is acknowledged and filled at the offer, exactly, and a large one fills partially", async () => {
    const { rec, core } = await venue();
    await until("quote", () => rec.quotes.length > 0);
    expect(core.sendOrder("lp1", { clOrdId: "B1", symbol: "EURUSD", side: "buy", type: "limit", quantity: 500_000, price: 120_000 }).ok).toBe(true);
    await until("fill", () => rec.report("B1", "fill") !== undefined);
    const fill = rec.report("B1", "fill")!;
    expect(rec.report("B1", "new")).toBeDefined();
    expect(fill.lastQty).toBe(500_000);
    expect(fill.cumQty).toBe(500_000);
    expect(fill.leavesQty).toBe(0);
    expect([110_009, 110_010, 110_011]).toContain(fill.lastPrice);
    expect(fill.avgPrice).toBe(fill.lastPrice);
    expect(core.sendOrder("lp1", { clOrdId: "S1", symbol: "USDJPY", side: "sell", type: "market", quantity: 2_500_000 }).ok).toBe(true);
    await until("partial", () => rec.report("S1", "partial-fill") !== undefined);
    const part = rec.report("S1", "partial-fill")!;
    expect(part.lastQty).toBe(1_000_000);
    expect(part.leavesQty).toBe(1_500_000);
    expect(part.side).toBe("sell");
  }, 20_000);

  test("cancel/replace: a resting order is replaced into a fill, another is canceled, unknown ones are cancel-rejected", async () => {
    const { rec, core } = await venue();
    core.sendOrder("lp1", { clOrdId: "R1", symbol: "EURUSD", side: "buy", type: "limit", quantity: 100_000, price: 100_000 });
    core.sendOrder("lp1", { clOrdId: "R2", symbol: "EURUSD", side: "sell", type: "limit", quantity: 100_000, price: 120_000 });
    await until("acks", () => rec.report("R1", "new") !== undefined && rec.report("R2", "new") !== undefined);
    expect(rec.report("R1", "fill")).toBeUndefined();
    core.replaceOrder("lp1", { clOrdId: "R1b", origClOrdId: "R1", symbol: "EURUSD", side: "buy", type: "limit", quantity: 200_000, price: 120_000 });
    await until("replace and fill", () => rec.report("R1b", "replaced") !== undefined && rec.report("R1b", "fill") !== undefined);
    expect(rec.report("R1b", "replaced")?.origClOrdId).toBe("R1");
    expect(rec.report("R1b", "fill")?.cumQty).toBe(200_000);
    core.cancelOrder("lp1", { clOrdId: "R2c", origClOrdId: "R2", symbol: "EURUSD", side: "sell", quantity: 100_000 });
    await until("canceled", () => rec.report("R2c", "canceled") !== undefined);
    expect(rec.report("R2c", "canceled")?.leavesQty).toBe(0);
    core.cancelOrder("lp1", { clOrdId: "X1", origClOrdId: "NOPE", symbol: "EURUSD", side: "sell", quantity: 1 });
    core.replaceOrder("lp1", { clOrdId: "X2", origClOrdId: "NOPE", symbol: "EURUSD", side: "sell", type: "limit", quantity: 1, price: 1 });
    await until("cancel rejects", () => rec.cancelRejects.length === 2);
    expect(rec.cancelRejects.map((r) => [r.clOrdId, r.responseTo, r.reason])).toEqual([["X1", "cancel", 1], ["X2", "replace", 1]]);
  }, 20_000);

  test("rejects: the venue refuses unknown symbols and oversize orders, and a malformed order gets a session Reject with its reason", async () => {
    const { rec, core, driver } = await venue();
    core.sendOrder("lp1", { clOrdId: "J1", symbol: "GBPUSD", side: "buy", type: "market", quantity: 1000 });
    core.sendOrder("lp1", { clOrdId: "J2", symbol: "EURUSD", side: "buy", type: "market", quantity: 60_000_000 });
    await until("venue rejects", () => rec.report("J1", "rejected") !== undefined && rec.report("J2", "rejected") !== undefined);
    expect(rec.report("J1", "rejected")?.text).toBe("unknown symbol GBPUSD");
    expect(rec.report("J2", "rejected")?.text).toBe("quantity exceeds limit");
    expect(core.sendOrder("lp1", { clOrdId: "J3", symbol: "EURUSD", side: "buy", type: "limit", quantity: 1000 })).toMatchObject({ ok: false, code: "FIX_VENUE_BAD_PRICE" });
    const enc = driver.session.beginMessage("D", Date.now() * 1000)!;
    enc.str(11, "J4").str(55, "EURUSD").char(54, 49).timestamp(60, Date.now() * 1000).int(38, 1000); // no OrdType (40)
    const seq = driver.session.commit();
    await until("session reject", () => rec.rejects.length === 1);
    expect(rec.rejects[0]).toMatchObject({ level: "session", refSeqNum: seq, reason: 1 });
    expect(driver.session.state).toBe("active");
  }, 20_000);

  test("a disconnect mid-stream loses nothing: the fill stored while we were away comes back through ResendRequest", async () => {
    const { acceptor, rec, core } = await venue();
    await until("quote", () => rec.quotes.length > 0);
    core.sendOrder("lp1", { clOrdId: "DROP-1", symbol: "EURUSD", side: "buy", type: "market", quantity: 300_000 });
    await acceptor.waitFor(/^DROPPING/);
    await until("second logon", () => rec.count("FIX_SESSION_LOGON") >= 2);
    await until("resent fill", () => rec.report("DROP-1", "fill") !== undefined);
    expect(rec.count("FIX_SESSION_RESEND_REQUESTED")).toBeGreaterThanOrEqual(1);
    expect(rec.report("DROP-1", "fill")?.possDup).toBe(true);
    expect(rec.reports.filter((r) => r.clOrdId === "DROP-1" && r.kind === "fill").length).toBe(1);
    // Our side drops the line too; the session comes back with its sequence numbers and trades on.
    const logons = rec.count("FIX_SESSION_LOGON");
    core.driver("lp1")!.dropConnection();
    await until("third logon", () => rec.count("FIX_SESSION_LOGON") > logons);
    core.sendOrder("lp1", { clOrdId: "AFTER", symbol: "EURUSD", side: "buy", type: "market", quantity: 1000 });
    await until("fill after reconnect", () => rec.report("AFTER", "fill") !== undefined);
  }, 25_000);

  test("sequence gaps both ways: the acceptor skips numbers and we skip numbers, both recover", async () => {
    const { acceptor, rec, core, driver } = await venue();
    core.sendOrder("lp1", { clOrdId: "GAP-1", symbol: "EURUSD", side: "buy", type: "market", quantity: 1000 });
    await until("fill past the gap", () => rec.report("GAP-1", "fill") !== undefined);
    expect(rec.count("FIX_SESSION_RESEND_REQUESTED")).toBe(1);
    await until("gap filled", () => rec.count("FIX_SESSION_GAP_FILLED") >= 1);
    const served = rec.count("FIX_SESSION_RESEND_SERVED");
    driver.session.skipOutbound(3);
    core.sendOrder("lp1", { clOrdId: "SKIP-1", symbol: "EURUSD", side: "buy", type: "market", quantity: 1000 });
    await until("our gap served", () => rec.count("FIX_SESSION_RESEND_SERVED") > served);
    await until("fill after our gap", () => rec.report("SKIP-1", "fill") !== undefined);
    expect(driver.session.state).toBe("active");
    expect(acceptor.lines.filter((l) => l === "LOGON").length).toBe(1);
  }, 20_000);

  test("two liquidity providers run side by side with their own sessions", async () => {
    const a = await QuickFixAcceptor.start("LP1", "KESTREL");
    const b = await QuickFixAcceptor.start("LP2", "KESTREL");
    cleanups.push(() => a.stop(), () => b.stop());
    const rec = new Recorder();
    const base = { host: "127.0.0.1", senderCompID: "KESTREL", heartBtIntSec: 5, symbols: ["EURUSD"], reconnectMinMs: 50, tickMs: 50 };
    const core = new FixVenueCore({ instruments, sessions: [{ ...base, name: "lp1", port: a.port, targetCompID: "LP1" }, { ...base, name: "lp2", port: b.port, targetCompID: "LP2" }] }, rec.callbacks);
    cleanups.push(() => core.stop());
    core.start();
    await until("quotes from both", () => rec.quotes.some((q) => q.session === "lp1") && rec.quotes.some((q) => q.session === "lp2"));
    core.sendOrder("lp2", { clOrdId: "L2", symbol: "EURUSD", side: "sell", type: "market", quantity: 1000 });
    await until("fill from lp2", () => rec.report("L2", "fill")?.session === "lp2");
  }, 20_000);

  test("the session runs over TLS (a TLS terminator in front of the acceptor)", async () => {
    const acceptor = await QuickFixAcceptor.start("LP1", "KESTREL");
    cleanups.push(() => acceptor.stop());
    const cert = readFileSync(new URL("./testing/tls/cert.pem", import.meta.url), "utf8");
    const key = readFileSync(new URL("./testing/tls/key.pem", import.meta.url), "utf8");
    type Pipe = { peer?: import("bun").Socket<undefined>; early: Uint8Array[] };
    const terminator = Bun.listen<Pipe>({
      hostname: "127.0.0.1", port: 0, tls: { cert, key },
      socket: {
        open(client) {
          client.data = { early: [] };
          void Bun.connect({ hostname: "127.0.0.1", port: acceptor.port, socket: {
            open(up) { client.data.peer = up; for (const b of client.data.early) up.write(b); },
            data(_up, d) { client.write(d); },
            close() { client.end(); },
          } });
        },
        data(client, d) { if (client.data.peer) client.data.peer.write(d); else client.data.early.push(d.slice()); },
        close(client) { client.data.peer?.end(); },
      },
    });
    cleanups.push(async () => { terminator.stop(true); });
    const rec = new Recorder();
    const core = new FixVenueCore({ instruments, sessions: [{ name: "tls", host: "127.0.0.1", port: terminator.port, tls: { ca: cert, serverName: "localhost" }, senderCompID: "KESTREL", targetCompID: "LP1", heartBtIntSec: 5, symbols: ["EURUSD"], reconnectMinMs: 50, tickMs: 50 }] }, rec.callbacks);
    cleanups.push(() => core.stop());
    core.start();
    await until("quote over TLS", () => rec.quotes.length > 0);
    core.sendOrder("tls", { clOrdId: "T1", symbol: "EURUSD", side: "buy", type: "market", quantity: 1000 });
    await until("fill over TLS", () => rec.report("T1", "fill") !== undefined);
  }, 20_000);

  test("the acceptor listens on loopback only", async () => {
    const acceptor = await QuickFixAcceptor.start();
    cleanups.push(() => acceptor.stop());
    const hexPort = acceptor.port.toString(16).toUpperCase().padStart(4, "0");
    const listening = readFileSync("/proc/net/tcp", "utf8").split("\n").filter((l) => l.includes(`:${hexPort} 00000000:0000 0A`));
    expect(listening.length).toBe(1);
    expect(listening[0]).toContain(`0100007F:${hexPort}`);
  }, 20_000);
});

describe("against a second engine (jspurefix)", () => {
  test("the same order flow against a jspurefix acceptor: quotes, a fill at the offer, a reject", async () => {
    const lp = await QuickFixAcceptor.startJspurefix("LP2", "KESTREL");
    cleanups.push(() => lp.stop());
    const rec = new Recorder();
    const core = new FixVenueCore({ instruments, sessions: [{ name: "jsp", host: "127.0.0.1", port: lp.port, senderCompID: "KESTREL", targetCompID: "LP2", heartBtIntSec: 5, symbols: ["EURUSD"], reconnectMinMs: 50, tickMs: 50 }] }, rec.callbacks);
    cleanups.push(() => core.stop());
    core.start();
    await until("quote from jspurefix", () => rec.quotes.length > 0);
    expect(rec.quotes[0]).toMatchObject({ session: "jsp", symbol: "EURUSD", bidPrice: 110000, askPrice: 110010, bidSize: 1_000_000 });
    core.sendOrder("jsp", { clOrdId: "JB1", symbol: "EURUSD", side: "buy", type: "limit", quantity: 250_000, price: 110_020 });
    core.sendOrder("jsp", { clOrdId: "JB2", symbol: "GBPUSD", side: "buy", type: "market", quantity: 1000 });
    await until("fill and reject", () => rec.report("JB1", "fill") !== undefined && rec.report("JB2", "rejected") !== undefined);
    expect(rec.report("JB1", "fill")).toMatchObject({ lastPrice: 110010, lastQty: 250_000, cumQty: 250_000, avgPrice: 110010 });
    expect(rec.report("JB2", "rejected")?.text).toBe("unknown symbol GBPUSD");
    expect(rec.count("FIX_SESSION_INBOUND_REJECTED")).toBe(0);
  }, 20_000);
});
