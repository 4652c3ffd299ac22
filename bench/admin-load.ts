/**
 * Load generator for bench/admin.ts, run as its own process so its work does not share the
 * trading loop's thread: opens WebSocket clients (half /ws/trades, half /ws/market-data), then
 * sends GET requests over a mix of read routes at a target rate (open loop, bounded in flight) for
 * a number of seconds, and prints one JSON line: requests/s achieved, errors, p50/p99 latency.
 *
 * Run: bun bench/admin-load.ts <baseUrl> <token> <requestsPerSecond> <seconds> <wsClients> [path,path,...]
 */
export {};

const [base, token, rpsText, secondsText, wsText, pathsText] = process.argv.slice(2) as [string, string, string, string, string, string?];
const rps = Number(rpsText);
const seconds = Number(secondsText);
const wsCount = Number(wsText);
const DEFAULT_READS = ["/api/v1/kill-switch", "/api/v1/portfolio", "/api/v1/positions", "/api/v1/strategies", "/api/v1/health", "/api/v1/orders?status=open&limit=20", "/api/v1/alerts?limit=20", "/metrics"];
const READS = pathsText ? pathsText.split(",") : DEFAULT_READS;
const headers = { Authorization: `Bearer ${token}` };

let wsMessages = 0;
const sockets: WebSocket[] = [];
await Promise.all(
  Array.from({ length: wsCount }, (_, i) => {
    const path = i % 2 === 0 ? "/ws/trades" : "/ws/market-data?rate=10";
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}${path.slice(1)}${path.includes("?") ? "&" : "?"}token=${token}`);
    ws.onmessage = () => wsMessages++;
    sockets.push(ws);
    return new Promise((r) => (ws.onopen = r));
  }),
);

const latencies: number[] = [];
let errors = 0;
let inFlight = 0;
let sent = 0;
const MAX_IN_FLIGHT = 256;
const t0 = performance.now();
const end = t0 + seconds * 1000;
await new Promise<void>((done) => {
  const pump = () => {
    const now = performance.now();
    if (now >= end) {
      if (inFlight === 0) return done();
      return void setTimeout(pump, 1);
    }
    const due = Math.floor(((now - t0) / 1000) * rps);
    while (sent < due && inFlight < MAX_IN_FLIGHT) {
      const path = READS[sent % READS.length]!;
      const started = performance.now();
      sent++;
      inFlight++;
      fetch(base + path.slice(1), { headers })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status !== 200) errors++;
          latencies.push(performance.now() - started);
        })
        .catch(() => errors++)
        .finally(() => inFlight--);
    }
    setTimeout(pump, 1);
  };
  pump();
});
const wall = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
for (const ws of sockets) ws.close();
console.log(JSON.stringify({ requests: latencies.length, errors, rps: latencies.length / wall, p50Ms: pct(50), p99Ms: pct(99), wsMessages, wsOpen: sockets.length }));
process.exit(0);
