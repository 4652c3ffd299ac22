/**
 * WebSocket streams against a running paper session over loopback: orders and fills on
 * /ws/trades, alerts on /ws/alerts, conflated per-instrument quotes on /ws/market-data, msgpack on
 * request, and a client that stops reading is closed with a reason while others carry on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { formatScaled } from "../../plugins/sdk/decimal.ts";
import { SLOW_CLIENT_CLOSE } from "./streams/hub.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";
import { call } from "./testing/http.ts";
import { openStream } from "./testing/ws-client.ts";

describe("streams", () => {
  let f: PaperFixture;
  beforeAll(async () => {
    f = await startPaperFixture();
  });
  afterAll(async () => {
    await f?.stop();
  });

  test("/ws/trades streams a manual order's states and its fill, with exact decimal prices", async () => {
    const s = await openStream(f, "/ws/trades", f.tokens.analyst);
    // Not expect.any(Array) inside toMatchObject: Bun 1.4.5 replaces the matched array with {}.
    expect(Array.isArray(s.messages[0].openOrders)).toBe(true);
    expect(s.messages[0]).toMatchObject({ stream: "trades", type: "hello", role: "analyst" });
    for (const o of s.messages[0].openOrders) expect(["pending", "working", "partially-filled", "pending-cancel"]).toContain(o.status);
    const inst = f.session.instruments[0]!;
    const book = f.session.core.books.books[0]!;
    const price = formatScaled(book.ask + 20, inst.priceDecimals);
    const r = await call(f, "POST", "/api/v1/orders", f.tokens.trader, { instrument: "EURUSD", side: "buy", type: "limit", tif: "IOC", size: "1000", price });
    expect(r.status).toBe(201);
    const id = r.json.order.id as number;
    const fillMsg = await s.until((m) => m.type === "batch" && m.events.some((e: any) => e.type === "fill" && e.fill.orderId === id), "the fill");
    const fill = fillMsg.events.find((e: any) => e.type === "fill" && e.fill.orderId === id).fill;
    const core = [...f.session.core.oms.all()].find((o) => o.id === id)!;
    expect(fill).toMatchObject({ strategy: "manual", instrument: "EURUSD", side: "buy", size: "1000" });
    const fills = s.messages.flatMap((m) => (m.type === "batch" ? m.events : [])).filter((e: any) => e.type === "fill" && e.fill.orderId === id);
    if (fills.length === 1) expect(fill.price).toBe(formatScaled(core.notionalFilled / core.filled, 5));
    expect(fill.price <= price).toBe(true);
    const states = s.messages.flatMap((m) => (m.type === "batch" ? m.events : [])).filter((e: any) => e.type === "order" && e.order.id === id).map((e: any) => e.order.status);
    expect(states[0]).toBe("pending");
    expect(states.at(-1)).toBe("filled");
    s.close();
  });

  test("/ws/alerts streams the kill switch alert as it is raised", async () => {
    const s = await openStream(f, "/ws/alerts", f.tokens.analyst);
    await call(f, "POST", "/api/v1/kill-switch/engage", f.tokens.trader, { reason: "stream test" });
    const m = await s.until((x) => x.type === "batch" && x.events.some((a: any) => a.code === "KILL_SWITCH"), "the KILL_SWITCH alert");
    expect(m.events.find((a: any) => a.code === "KILL_SWITCH")).toMatchObject({ severity: "critical", acknowledged: false });
    await call(f, "POST", "/api/v1/kill-switch/release", f.tokens.admin, {});
    await s.until((x) => x.type === "batch" && x.events.some((a: any) => a.code === "KILL_SWITCH_RELEASED"), "the release alert");
    s.close();
  });

  test("/ws/market-data sends only the instruments asked for, at most one quote each per message, conflated", async () => {
    const eur = f.session.core.books.counters[0]!;
    const appliedBefore = eur.applied;
    const s = await openStream(f, "/ws/market-data?instruments=EURUSD,EURGBP&rate=10", f.tokens.analyst);
    await waitFor(() => s.messages.filter((m) => m.type === "quotes").length >= 4, 10_000, "4 snapshots");
    const snapshots = s.messages.filter((m) => m.type === "quotes");
    const applied = eur.applied - appliedBefore;
    for (const m of snapshots) {
      const symbols = m.quotes.map((q: any) => q.instrument);
      expect(new Set(symbols).size).toBe(symbols.length);
      for (const q of m.quotes) {
        expect(["EURUSD", "EURGBP"]).toContain(q.instrument);
        expect(q.bid).toMatch(/^\d+\.\d{5}$/);
      }
    }
    const eurQuotes = snapshots.flatMap((m) => m.quotes).filter((q: any) => q.instrument === "EURUSD");
    // Conflated: far fewer snapshots than book updates, each newer than the one before.
    expect(eurQuotes.length).toBeLessThan(applied);
    for (let i = 1; i < eurQuotes.length; i++) expect(eurQuotes[i].ts).toBeGreaterThan(eurQuotes[i - 1].ts);
    s.close();
  });

  test("msgpack on request", async () => {
    const s = await openStream(f, "/ws/trades?format=msgpack", f.tokens.analyst);
    expect(s.messages[0]).toMatchObject({ stream: "trades", type: "hello" });
    s.close();
  });

  test("a bad query is refused before the upgrade with its field path", async () => {
    const r = await call(f, "GET", `/ws/market-data?token=${f.tokens.analyst}&instruments=EURUSD&rate=500`, null);
    expect(r.status).toBe(400);
    expect(r.json.error.problems[0].path).toBe("/rate");
    const u = await call(f, "GET", `/ws/market-data?token=${f.tokens.analyst}&instruments=XAUUSD`, null);
    expect(u.json.error.problems[0].path).toBe("/instruments");
  });
});

describe("slow clients", () => {
  let f: PaperFixture;
  beforeAll(async () => {
    f = await startPaperFixture({ strategy: false, admin: { streams: { maxBufferedBytes: 64 * 1024, maxPending: 100_000 } } });
  });
  afterAll(async () => {
    await f?.stop();
  });

  test("a client that stops reading is closed with code 4008 and a reason; a reading client is not", async () => {
    const good = await openStream(f, "/ws/trades", f.tokens.analyst);
    const url = new URL(f.admin.url);
    const sock = net.connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    let ended = false;
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("close", () => (ended = true));
    await new Promise((r) => sock.once("connect", r));
    sock.write(`GET /ws/trades?token=${f.tokens.analyst} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await waitFor(() => f.admin.hub.clients.trades.size === 2, 5000, "both clients connected");
    sock.pause();
    // Flood the trades stream with order events (orders refused by risk: size below the minimum).
    let sent = 0;
    while (f.admin.hub.dropped.get("trades") === undefined) {
      if (sent > 400_000) throw new Error("the slow client was never dropped");
      for (let i = 0; i < 2000; i++) f.session.core.submit("manual", { instrument: 0, side: 1, type: "limit", size: 1, price: 100_000 });
      sent += 2000;
      await new Promise((r) => setTimeout(r, 25));
    }
    sock.resume();
    await waitFor(() => ended, 10_000, "the slow socket closes");
    const close = lastCloseFrame(Buffer.concat(chunks));
    expect(close.code).toBe(SLOW_CLIENT_CLOSE);
    expect(close.reason).toMatch(/^slow client: buffered=\d+ limit=65536$/);
    const lastId = f.session.core.oms.orderIds.current;
    await waitFor(() => good.messages.some((m) => m.type === "batch" && m.events.some((e: any) => e.order?.id === lastId)), 10_000, "the reading client gets the last event");
    expect(good.closed).toBeNull();
    expect(f.admin.hub.clients.trades.size).toBe(1);
    const metrics = await call(f, "GET", "/metrics", f.tokens.analyst);
    expect(metrics.text).toContain('kestrel_admin_ws_dropped_total{stream="trades"} 1');
    good.close();
  }, 30_000);
});

/** Walks server-to-client WebSocket frames after the HTTP handshake and returns the close frame's code and reason. */
function lastCloseFrame(buf: Buffer): { code: number; reason: string } {
  let at = buf.indexOf("\r\n\r\n") + 4;
  let found = { code: -1, reason: "" };
  while (at + 2 <= buf.length) {
    const opcode = buf[at]! & 0x0f;
    let len = buf[at + 1]! & 0x7f;
    let head = 2;
    if (len === 126) {
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + len > buf.length) break;
    if (opcode === 0x8) found = { code: buf.readUInt16BE(at + head), reason: buf.subarray(at + head + 2, at + head + len).toString("utf8") };
    at += head + len;
  }
  return found;
}
