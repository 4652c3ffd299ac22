import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Subprocess } from "bun";
import { loadConfig } from "../config/load.ts";
import type { DeploymentConfig } from "../config/schema.ts";
import { MarketEventKind, newMarketEvent } from "../data/sources/market-source.ts";
import { deploymentInstruments } from "../session/build.ts";
import type { VenueAdapter, VenuePlugin } from "../../plugins/sdk/venue.ts";
import { loadPlugins } from "../plugins/loader.ts";
import { SPOT_FILES } from "../../plugins/venues/binance/testing/capture.ts";
import { BinanceDouble } from "../../plugins/venues/binance/testing/exchange-double.ts";
import { recordingContext } from "../../plugins/venues/binance/testing/venue-context.ts";
import { startNats, type NatsCluster } from "./nats-server.ts";
import { ensureStreams, Topology } from "./topology.ts";
import { runFeed, type FeedStats } from "./feed.ts";
import { checkCluster, shardDeployment } from "./shard-config.ts";
import { openFeed, isLiveFeed, type VenueFeed } from "./feed-source.ts";
import { decodeMd } from "./md-frame.ts";
import { startRiskService } from "./risk/service.ts";

const shipped = resolve("configs/cluster-binance.yaml");
/** The shipped deployment on one node (replicas 1) under its own prefix, written to the test's folder for the shard process to read. */
let configFile: string;
/** Frames of the capture the double sends while the cluster runs (depth diffs, bookTickers, trades). */
const FRAMES = 1500;
let nats: NatsCluster;
let nc: NatsConnection;
let double: BinanceDouble;
let dir: string;
let config: DeploymentConfig;
const children: Subprocess[] = [];

/** Resolves when `cond` holds (polled), or throws naming `what` after `limitMs`. */
async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const end = performance.now() + limitMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(20);
  }
}

beforeAll(async () => {
  // The double holds the capture still (speed 0): frames move only when the test steps them.
  double = BinanceDouble.start({ files: SPOT_FILES, speed: 0 });
  process.env.BINANCE_PORT = String(double.port);
  dir = mkdtempSync(join(tmpdir(), "kestrel-venue-feed-"));
  configFile = join(dir, "cluster-binance.yaml");
  const text = readFileSync(shipped, "utf8");
  if (!text.includes("replicas: 3") || !text.includes("prefix: kestrel")) throw new Error("configs/cluster-binance.yaml: expected replicas: 3 and prefix: kestrel");
  writeFileSync(configFile, text.replace("replicas: 3", "replicas: 1").replace("prefix: kestrel", "prefix: kv"));
  const loaded = loadConfig(configFile);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  config = loaded.config;
  nats = await startNats({ nodes: 1 });
  nc = await connect({ servers: nats.servers });
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await nc?.close();
  await nats?.stop();
  await double?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("a venue feed", () => {
  test("the shards of a venue-fed cluster trade on the sim venue (no second market-data connection); live order entry is refused with one line", () => {
    expect(checkCluster(config)).toEqual([]);
    const shard = shardDeployment(config, "shard-btc", dir);
    expect(shard.venue).toEqual({ name: "binance", plugin: "sim", params: { orderLatencyUs: 2000, reportLatencyUs: 2000, makerFeePpm: 1000, takerFeePpm: 1000, dayEndHourUtc: 0 } });
    const live = { ...config, venue: { ...config.venue!, params: { ...(config.venue!.params as object), execution: "binance" } } };
    expect(checkCluster(live)).toEqual([
      'venue.params.execution: a cluster fed by a venue trades on the sim venue in its shards (paper), so expected "sim", got "binance" (live order entry from shards is not built)',
    ]);
  });

  test("publishes what the Binance double sends through the venue plugin, in order, and a shard process consumes each event exactly once", async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const topo = new Topology("kv");
    await ensureStreams(jsm, config.cluster!);
    const risk = await startRiskService(nc, topo, config.cluster!.risk);
    let feedSource: VenueFeed | null = null;
    let reference: VenueAdapter | null = null;
    let stopFeed!: () => void;
    let feedRun: Promise<FeedStats> | null = null;
    const out = join(dir, "shard-btc.json");
    try {
      // The shard: its own process, as `kestrel cluster up` starts it.
      const shard = Bun.spawn(
        [process.execPath, resolve("runtime/cluster/instance-main.ts"), "--config", configFile, "--shard", "shard-btc", "--servers", nats.servers.join(","), "--dir", dir, "--holder", "shard-btc-1", "--out", out],
        { stdout: "pipe", stderr: "pipe", env: { ...process.env, BINANCE_PORT: String(double.port) } },
      );
      children.push(shard);
      let stderr = "";
      void (async () => {
        for await (const chunk of shard.stderr as ReadableStream<Uint8Array>) stderr += new TextDecoder().decode(chunk);
      })();
      await until(() => stderr.includes("started shard=") || shard.exitCode !== null, "the shard process to start", 120_000);
      if (shard.exitCode !== null) throw new Error(`shard exited ${shard.exitCode}: ${stderr}`);

      // The feed (as `cluster up` opens it) and an independent instance of the plugin on the same double: what it sees is what the double sent.
      const source = await openFeed(config, configFile);
      expect(isLiveFeed(source)).toBe(true);
      feedSource = source as VenueFeed;
      const plugin = await loadPlugins([{ name: "binance", plugin: "binance", kind: "venue", params: config.venue!.params, path: ["venue"] }], configFile, null);
      expect(plugin.problems).toEqual([]);
      const { ctx, rec } = recordingContext(plugin.loaded[0]!.params, deploymentInstruments(config));
      reference = (plugin.loaded[0]!.plugin as unknown as VenuePlugin).create(ctx);
      const synced = (alerts: readonly { code: string }[]) => alerts.some((a) => a.code === "BINANCE_BOOK_SYNCED");
      await until(() => synced(feedSource!.alerts) && synced(rec.alerts), "both plugin instances to sync their books from the double's snapshot");
      feedRun = runFeed({ js, topology: topo, source, instruments: deploymentInstruments(config), live: true, stopSignal: new Promise<void>((r) => (stopFeed = r)) });

      // An empty live source is not the end: the feed is still running with nothing to publish.
      await Bun.sleep(300);
      let settled = false;
      void feedRun.then(() => (settled = true));
      await Bun.sleep(0);
      expect(settled).toBe(false);

      const tradeFrames = double.frames.slice(0, FRAMES).filter((f) => f.stream.endsWith("@trade")).length;
      for (let sent = 0; sent < FRAMES; sent += 250) double.step(250);
      const expected = () => rec.quotes.length + rec.trades.length;
      await until(() => rec.trades.length === tradeFrames, `the reference to see the ${tradeFrames} trades sent`);
      await until(() => feedSource!.received === expected() && feedSource!.received > 0, "the feed's venue to hand in what the reference saw");
      await until(async () => (await jsm.streams.info(topo.mdStream)).state.messages === expected(), "the market-data stream to hold every event");
      stopFeed();
      const stats = await feedRun;
      feedRun = null;
      expect({ errors: stats.errors, dropped: feedSource.dropped }).toEqual({ errors: 0, dropped: 0 });
      expect(stats.published).toBe(expected());

      // The stream holds exactly the events the double's frames make, in the order they were sent.
      const want = [
        ...rec.quotes.map((q) => ({ kind: MarketEventKind.Quote as number, line: `${q.bid} ${q.ask} ${q.bidSize} ${q.askSize}` })),
        ...rec.trades.map((t) => ({ kind: MarketEventKind.Trade as number, line: `${t.price} ${t.size} ${t.side}` })),
      ];
      const got: { kind: number; line: string }[] = [];
      const subjects = new Set<string>();
      const ev = newMarketEvent();
      const consumer = await js.consumers.get(topo.mdStream);
      const iter = await consumer.consume({ max_messages: 512 });
      for await (const m of iter) {
        subjects.add(m.subject);
        decodeMd(m.data, ev, m.subject);
        got.push({ kind: ev.kind, line: ev.kind === MarketEventKind.Quote ? `${ev.bid} ${ev.ask} ${ev.bidSize} ${ev.askSize}` : `${ev.price} ${ev.size} ${ev.side}` });
        if (m.seq >= want.length) break;
      }
      await iter.close();
      expect([...subjects]).toEqual([topo.md("BTCUSDT")]);
      expect(rec.quotes.length).toBeGreaterThan(100);
      expect(rec.trades.length).toBeGreaterThan(10);
      // Quotes and trades each in the order sent (the reference keeps them in two lists).
      expect(got.filter((g) => g.kind === MarketEventKind.Quote)).toEqual(want.filter((w) => w.kind === MarketEventKind.Quote));
      expect(got.filter((g) => g.kind === MarketEventKind.Trade)).toEqual(want.filter((w) => w.kind === MarketEventKind.Trade));

      // The shard consumed every one of them, each once.
      await until(async () => {
        const info = await jsm.consumers.info(topo.mdStream, "shard-btc-BTCUSDT");
        return info.num_pending + info.num_ack_pending === 0;
      }, "the shard's consumer to drain");
      shard.kill("SIGTERM");
      await until(() => shard.exitCode !== null, "the shard to stop", 60_000);
      expect(existsSync(out)).toBe(true);
      const result = JSON.parse(readFileSync(out, "utf8")) as { events: number; duplicatesSkipped: number; instruments: string[] };
      expect(result.instruments).toEqual(["BTCUSDT"]);
      expect({ events: result.events, duplicatesSkipped: result.duplicatesSkipped }).toEqual({ events: want.length, duplicatesSkipped: 0 });
      // Two market-data connections reached the double: the feed's and the reference's; the shard (on the sim venue) opened none.
      expect(double.counters.marketConnections).toBe(2);
    } finally {
      stopFeed?.();
      await feedRun?.catch(() => undefined);
      feedSource?.close();
      reference?.stop?.();
      await risk.stop();
    }
  }, 180_000);

  test("kestrel cluster up runs the Binance deployment from the double (its own process): the shard processes every event the feed published, once", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "kestrel-cluster-binance-"));
    const mine: Subprocess[] = [];
    try {
      // The double as an operator starts it (serve.ts), replaying the capture in real time.
      const served = Bun.spawn([process.execPath, resolve("plugins/venues/binance/testing/serve.ts"), "--port", "0", "--speed", "1"], { stdout: "pipe", stderr: "pipe" });
      children.push(served);
      mine.push(served);
      const reader = (served.stdout as ReadableStream<Uint8Array>).getReader();
      let line = "";
      while (!line.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the double exited (code ${served.exitCode}) before printing its URLs`);
        line += new TextDecoder().decode(value);
      }
      const port = (JSON.parse(line.split("\n")[0]!) as { port: number }).port;
      const proc = Bun.spawn([process.execPath, resolve("runtime/cli.ts"), "cluster", "up", shipped, "--for", "5s", "--dir", runDir], { stdout: "pipe", stderr: "pipe", env: { ...process.env, BINANCE_PORT: String(port) } });
      children.push(proc);
      mine.push(proc);
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      if (code !== 0) throw new Error(`kestrel cluster up exited ${code}\n--- stderr ---\n${err}\n--- stdout ---\n${out}`);
      // The only thing on standard error is the venue's own note that its book synced.
      expect(err.trim().split("\n").filter((l) => l !== "" && !l.includes("BINANCE_BOOK_SYNCED"))).toEqual([]);
      const published = Number(/feed: (\d+) events published/.exec(out)?.[1] ?? "NaN");
      const shardEvents = Number(/shard-btc\s+1 instruments\s+(\d+) events/.exec(out)?.[1] ?? "NaN");
      expect(published).toBeGreaterThan(50);
      expect(out).toMatch(/\d+ retried, 0 lost, 0 dropped at intake/);
      expect(shardEvents).toBe(published);
      expect(out).toContain("duplicates: 0  lost: 0");
    } finally {
      for (const c of mine) {
        if (c.exitCode === null) {
          c.kill("SIGKILL");
          await c.exited;
        }
      }
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 240_000);
});
