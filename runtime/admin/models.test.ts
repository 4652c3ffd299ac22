/**
 * Shadow mode and promotion over real HTTP with a real paper session: the seeded signal MLP runs
 * live and the learned vol-window model in shadow on the same windows; the API shows both, their
 * online scores and agreement; an admin promotes the shadow (traders may not), orders then carry
 * the promoted model's version, the promotion is journaled and alerted, the shadow log records
 * both models' signals, and a restart from the journal comes back with the promoted model live.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { readJournal } from "../journal/journal-file.ts";
import type { ControlRecord, OrderRecord } from "../journal/records.ts";
import { buildSession } from "../session/build.ts";
import { call } from "./testing/http.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";

const FOLLOWER = resolve(import.meta.dir, "../session/fixtures/signal-strategy.ts");
const MODELS = "models: { mode: in-process, everyMs: 200, model: signal-mlp@1, shadow: { model: vol-window@1, horizonMs: 2000, logEveryMs: 200 } }\nfeatures: { instruments: all }\n";

let f: PaperFixture;

/** Runs bin/kestrel with KESTREL_TOKEN set, without blocking this process's session and server. */
async function kestrel(args: string[], token: string): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([resolve(import.meta.dir, "../../bin/kestrel"), ...args], { env: { ...process.env, KESTREL_TOKEN: token }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}
beforeAll(async () => {
  // The follower runs in process (a fixture outside plugins/ would be isolated, and a loaded machine can trip its watchdog).
  f = await startPaperFixture({ strategy: false, journal: true, strategies: [`{ name: follower, plugin: ${JSON.stringify(FOLLOWER)}, instruments: [EURUSD, GBPUSD], isolate: false }`], extraYaml: MODELS });
}, 30_000);
afterAll(async () => {
  // The test stops the session itself (to restart it); this only cleans up after a failure.
  if (existsSync(f.dir)) await f.stop().catch(() => rmSync(f.dir, { recursive: true, force: true }));
});

describe("shadow model and promotion", () => {
  test("the API shows live and shadow with online scores; an admin promotes, journaled, and a restart keeps it", async () => {
    await waitFor(() => f.session.models!.status().comparison!.scored >= 20, 20_000, "20 scored shadow samples");
    const before = await call(f, "GET", "/api/v1/models", f.tokens.analyst);
    expect(before.status).toBe(200);
    const m = before.json;
    expect(m.live).toMatchObject({ ref: "signal-mlp@1", role: "live", version: "signal-mlp/1", source: "in-process", fallback: false });
    expect(m.shadow).toMatchObject({ ref: "vol-window@1", role: "shadow", version: "vol-window/1", source: "in-process", fallback: false });
    expect(m.live.batches).toBeGreaterThan(0);
    expect(m.shadow.batches).toBeGreaterThan(0);
    expect(m.comparison.horizonUs).toBe(2_000_000);
    expect(m.comparison.scored).toBeGreaterThanOrEqual(20);
    for (const ref of ["signal-mlp@1", "vol-window@1"]) {
      const s = m.comparison.models[ref];
      expect(s.scored + s.missing).toBe(m.comparison.scored);
      expect(s.scored).toBeGreaterThan(0);
      if (s.ic !== null) expect(Math.abs(s.ic)).toBeLessThanOrEqual(1);
    }
    expect(m.comparison.agreement.sameSign).toBeLessThanOrEqual(m.comparison.agreement.both);
    expect(m.log).toBe(`${join(f.dir, "journal.bin")}.shadow.jsonl`);
    expect(m.promotions).toEqual([]);
    // Strategies trade the live model: orders so far carry its version.
    await waitFor(() => f.session.core.oms.created > 0, 20_000, "an order from the follower");

    // Traders may not promote; a stale `expect` changes nothing; an admin promotes.
    expect((await call(f, "POST", "/api/v1/models/promote", f.tokens.trader, {})).status).toBe(403);
    const wrong = await call(f, "POST", "/api/v1/models/promote", f.tokens.admin, { expect: "vol-window@9" });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error.code).toBe("ADMIN_PROMOTE_MISMATCH");
    expect(f.session.models!.live.ref).toBe("signal-mlp@1");
    // The CLI reads the same API: both models with their scores.
    const live = await kestrel(["model", "live", "--url", f.admin.url], f.tokens.analyst);
    expect(live.code).toBe(0);
    expect(live.out).toMatch(/^live\tsignal-mlp@1\tsource=in-process .*scored=\d+ ic=/m);
    expect(live.out).toMatch(/^shadow\tvol-window@1\t/m);
    expect(live.out).toMatch(/^agreement\tboth=\d+/m);
    const refused = await kestrel(["model", "promote", "--url", f.admin.url, "--expect", "signal-mlp@1"], f.tokens.admin);
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toStartWith("kestrel model promote: ADMIN_PROMOTE_MISMATCH:");
    // The promotion itself, by the CLI with an admin token.
    const promoted = await kestrel(["model", "promote", "--url", f.admin.url, "--expect", "vol-window@1"], f.tokens.admin);
    expect(promoted.err).toBe("");
    expect(promoted.out.trim()).toBe("promoted: vol-window@1 is live (was signal-mlp@1, now the shadow) by=admin");
    expect(promoted.code).toBe(0);

    const alerts = await call(f, "GET", "/api/v1/alerts?limit=50", f.tokens.analyst);
    const alert = alerts.json.alerts.find((a: { code: string }) => a.code === "MODEL_PROMOTED");
    expect(alert).toMatchObject({ severity: "info", subject: "models" });
    const after = (await call(f, "GET", "/api/v1/models", f.tokens.analyst)).json;
    expect(after.promotions).toHaveLength(1);
    expect(after.promotions[0]).toMatchObject({ from: "signal-mlp@1", to: "vol-window@1", by: "admin" });
    expect(after.live).toMatchObject({ ref: "vol-window@1", role: "live" });
    expect(after.shadow).toMatchObject({ ref: "signal-mlp@1", role: "shadow" });
    const promotedAt = after.promotions[0].ts as number;

    // Orders after the promotion carry the promoted model's version.
    const created = f.session.core.oms.created;
    await waitFor(() => f.session.core.oms.created > created + 2, 20_000, "orders after the promotion");

    // Stop, then check the journal, the shadow log, and a restart from the journal.
    const journal = join(f.dir, "journal.bin");
    await f.admin.stop();
    f.run.stop();
    await f.run.done;
    await f.session.close();
    const records = readJournal(journal).records;
    const promote = records.filter((r): r is ControlRecord => r.t === "control" && r.kind === "promote");
    expect(promote).toHaveLength(1);
    expect(JSON.parse(promote[0]!.reason)).toMatchObject({ live: "vol-window@1", shadow: "signal-mlp@1", from: "signal-mlp@1", to: "vol-window@1" });
    const orders = records.filter((r): r is OrderRecord => r.t === "order");
    expect(orders.filter((o) => o.ts < promotedAt).every((o) => o.model!.startsWith("signal-mlp/1@"))).toBe(true);
    const late = orders.filter((o) => o.ts > promotedAt + 400_000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((o) => o.model!.startsWith("vol-window/1@"))).toBe(true);
    const lines = readFileSync(`${journal}.shadow.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(20);
    expect(lines[0]).toMatchObject({ live: "signal-mlp@1", shadow: "vol-window@1" });
    expect(lines.at(-1)).toMatchObject({ live: "vol-window@1", shadow: "signal-mlp@1" });
    expect(lines.at(-1).liveSignal).toHaveLength(3);
    expect(lines.some((l) => l.shadowSignal.every((x: number | null) => typeof x === "number"))).toBe(true);

    const loaded = loadConfig(join(f.dir, "paper.yaml"));
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const again = await buildSession(loaded.config, join(f.dir, "paper.yaml"), { journalPath: journal, log: () => {}, features: "ts" });
    try {
      expect(again.models!.live.ref).toBe("vol-window@1");
      expect(again.models!.shadow!.ref).toBe("signal-mlp@1");
      expect(again.core.promotedModels).toEqual({ live: "vol-window@1", shadow: "signal-mlp@1" });
    } finally {
      await again.close();
      rmSync(f.dir, { recursive: true, force: true });
    }
  }, 90_000);
});
