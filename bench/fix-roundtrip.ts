/**
 * FIX round trip on loopback: NewOrderSingle out through FixVenueCore to the QuickFIX C++
 * acceptor (plugins/venues/fix44/testing), ExecutionReport (New) back, one order at a time.
 * Baseline in the same run: a plain TCP ping-pong of the same size against an echo server in
 * another Bun process, which is the floor any FIX engine on this machine sits on.
 * Needs libquickfix-dev and g++ (.ci/setup.d/60-fix.sh). Run: bun bench/fix-roundtrip.ts
 */
import { FixVenueCore } from "../plugins/venues/fix44/core.ts";
import type { FixExecutionReport } from "../plugins/venues/fix44/app/types.ts";
import { QuickFixAcceptor, freePort } from "../plugins/venues/fix44/testing/quickfix.ts";

const N = Number(process.env.N ?? 5000);
const WARMUP = 500;

function stats(samples: number[]): { p50: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { p50: at(0.5), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

// ---- FIX round trip ----------------------------------------------------------------------
const acceptor = await QuickFixAcceptor.start("LP1", "KESTREL");
let waiting: ((r: FixExecutionReport) => void) | undefined;
const core = new FixVenueCore({
  instruments: [{ symbol: "EURUSD", priceDecimals: 5, sizeDecimals: 0 }],
  sessions: [{ name: "lp1", host: "127.0.0.1", port: acceptor.port, senderCompID: "KESTREL", targetCompID: "LP1", heartBtIntSec: 30, symbols: [] }],
}, { execution: (r) => { if (r.kind === "new") waiting?.(r); } });
core.start();
while (core.driver("lp1")?.session.state !== "active") await Bun.sleep(5);
const fix: number[] = [];
for (let i = 0; i < N + WARMUP; i++) {
  const got = new Promise<FixExecutionReport>((resolve) => { waiting = resolve; });
  const t0 = Bun.nanoseconds();
  // A resting buy (below the offer): the acceptor answers with one ExecutionReport (New).
  const sent = core.sendOrder("lp1", { clOrdId: `RT-${i}`, symbol: "EURUSD", side: "buy", type: "limit", quantity: 1000, price: 100_000 });
  if (!sent.ok) throw new Error(sent.reason);
  await got;
  if (i >= WARMUP) fix.push((Bun.nanoseconds() - t0) / 1000);
}
await core.stop();
await acceptor.stop();

// ---- TCP ping-pong baseline ----------------------------------------------------------------
const port = freePort();
const echo = Bun.spawn(["bun", "-e", `Bun.listen({ hostname: "127.0.0.1", port: ${port}, socket: { data(s, d) { s.write(d); } } }); console.log("up");`], { stdout: "pipe", stdin: "pipe" });
const reader = echo.stdout.getReader();
await reader.read();
const payload = new Uint8Array(150).fill(65);
let pending: (() => void) | undefined;
let received = 0;
const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data(_s, d) { received += d.length; if (received >= payload.length) { received = 0; pending?.(); } } } });
const tcp: number[] = [];
for (let i = 0; i < N + WARMUP; i++) {
  const got = new Promise<void>((resolve) => { pending = resolve; });
  const t0 = Bun.nanoseconds();
  socket.write(payload);
  await got;
  if (i >= WARMUP) tcp.push((Bun.nanoseconds() - t0) / 1000);
}
socket.end();
echo.kill();
await echo.exited;

const f = stats(fix), t = stats(tcp);
const us = (x: number) => x.toFixed(1).padStart(10);
console.log(`FIX loopback round trip, ${N} sequential orders after ${WARMUP} warm-up (microseconds), Bun ${Bun.version}`);
console.log(`${"path".padEnd(44)}${"p50".padStart(10)}${"p99".padStart(10)}${"mean".padStart(10)}`);
console.log(`${"NewOrderSingle -> ExecutionReport (QuickFIX)".padEnd(44)}${us(f.p50)}${us(f.p99)}${us(f.mean)}`);
console.log(`${"TCP ping-pong 150 B (Bun echo process)".padEnd(44)}${us(t.p50)}${us(t.p99)}${us(t.mean)}`);
console.log(`headline: FIX round trip p50 ${f.p50.toFixed(1)} us, p99 ${f.p99.toFixed(1)} us; ratio to TCP ping-pong p50 ${(f.p50 / t.p50).toFixed(2)}x, p99 ${(f.p99 / t.p99).toFixed(2)}x`);
