/**
 * Hot swap in a running paper session, through the admin API: a counting strategy is replaced by
 * its next version while quotes flow; with the count handed over by snapshot()/restore(), the new
 * version ends with exactly the count of a reference strategy that saw every quote (no event missed
 * or seen twice). A version that refuses the state is rolled back, and a restart from the journal
 * comes back on the deployed version.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { call } from "../admin/testing/http.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "../admin/testing/paper-session.ts";
import { counts } from "./fixtures/counter-v1.ts";
import { loadConfig } from "../config/load.ts";
import { buildSession } from "../session/build.ts";

const V1 = resolve(import.meta.dir, "fixtures/counter-v1.ts");
const V2 = resolve(import.meta.dir, "fixtures/counter-v2.ts");
const BAD = resolve(import.meta.dir, "fixtures/counter-bad.ts");

describe("hot swap", () => {
  let f: PaperFixture;
  beforeAll(async () => {
    f = await startPaperFixture({
      strategy: false,
      journal: true,
      speed: 40,
      strategies: [`{ name: counted, plugin: ${V1}, instruments: [EURUSD, GBPUSD], isolate: false }`, `{ name: reference, plugin: ${V1}, instruments: [EURUSD, GBPUSD], isolate: false }`],
    });
  }, 30_000);
  afterAll(async () => {
    await f?.stop();
  });

  let atSwap = 0;
  test("a deploy under load answers with the new version running", async () => {
    await waitFor(() => (counts.counted?.total ?? 0) > 200, 20_000, "quotes counted by version 1");
    const r = await call(f, "POST", "/api/v1/strategies/counted/deploy", f.tokens.admin, { plugin: V2 });
    expect(r.status).toBe(200);
    expect(r.json.strategy).toMatchObject({ name: "counted", version: "2.0.0", state: "running" });
    atSwap = counts.counted!.byVersion["1.0.0"]!;
    const alerts = await call(f, "GET", "/api/v1/alerts", f.tokens.analyst);
    expect(alerts.text).toContain("PLUGIN_DEPLOYED");
  }, 60_000);

  test("a version that refuses the state is rolled back; a trader may not deploy; an unknown plugin is a 409", async () => {
    const bad = await call(f, "POST", "/api/v1/strategies/counted/deploy", f.tokens.admin, { plugin: BAD });
    expect(bad.json.error.code).toBe("ADMIN_DEPLOY_FAILED");
    expect(bad.status).toBe(409);
    expect(bad.json.error.message).toContain("state of 2.0.0 is not supported");
    const list = await call(f, "GET", "/api/v1/strategies", f.tokens.analyst);
    expect(list.json.strategies.find((s: { name: string }) => s.name === "counted")).toMatchObject({ version: "2.0.0", state: "running" });
    expect((await call(f, "POST", "/api/v1/strategies/counted/deploy", f.tokens.trader, { plugin: V2 })).status).toBe(403);
    const missing = await call(f, "POST", "/api/v1/strategies/counted/deploy", f.tokens.admin, { plugin: "./no-such-plugin.ts" });
    expect(missing.status).toBe(409);
  }, 60_000);

  test("kestrel plugin deploy does the same from the command line", async () => {
    const proc = Bun.spawn([resolve(import.meta.dir, "../../bin/kestrel"), "plugin", "deploy", "counted", V2, "--url", f.admin.url], {
      env: { ...process.env, KESTREL_TOKEN: f.tokens.admin },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(`${out}${err}`).toContain("deployed: counted now runs version 2.0.0 (running)");
    expect(code).toBe(0);
  }, 60_000);

  test("no quote was missed or seen twice: the swapped strategy's count equals the reference's, version 1 stopped at the swap", async () => {
    await waitFor(() => (counts.counted!.byVersion["2.0.0"] ?? 0) > 200, 20_000, "quotes counted by version 2");
    f.run.stop();
    await f.run.done;
    expect(counts.counted!.byVersion["1.0.0"]).toBe(atSwap);
    expect(counts.counted!.total).toBe(counts.reference!.total);
    expect(counts.counted!.byVersion["1.0.0"]! + counts.counted!.byVersion["2.0.0"]!).toBe(counts.reference!.total);
  }, 60_000);

  test("a restart from the journal comes back on the deployed version", async () => {
    const file = join(f.dir, "paper.yaml");
    const loaded = loadConfig(file);
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const again = await buildSession(loaded.config, file, { journalPath: join(f.dir, "journal.bin"), log: () => {}, features: "ts" });
    try {
      expect(again.core.host.get("counted")!.plugin.manifest.version).toBe("2.0.0");
      expect(again.core.host.get("reference")!.plugin.manifest.version).toBe("1.0.0");
    } finally {
      await again.close();
    }
  }, 60_000);
});
