/**
 * The model's fallback in a real paper session, seen through the admin API: the PyTorch inference
 * sidecar serving vol-window is killed (SIGKILL); batches then run in-process within their
 * deadline, so strategies keep a fresh signal, and INFER_FALLBACK is in GET /api/v1/alerts; the
 * supervisor restarts the sidecar and its answers come back (SIDECAR_RESTARTED,
 * INFER_SIDECAR_RESTORED). The stale path (no answer at all: signals withheld, MODEL_STALE) is
 * tested on the engine in runtime/models/model-engine.test.ts.
 */
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { needsTools } from "../testing/system-tools.ts";
import { call } from "./testing/http.ts";
import { startPaperFixture, waitFor, type PaperFixture } from "./testing/paper-session.ts";

const FOLLOWER = resolve(import.meta.dir, "../session/fixtures/signal-strategy.ts");
let f: PaperFixture | undefined;
afterAll(async () => {
  await f?.stop();
});

/** Alerts raised after alert id `after`, from the API. */
const codes = async (fx: PaperFixture, after = 0): Promise<{ id: number; code: string; subject: string; message: string }[]> =>
  (await call(fx, "GET", "/api/v1/alerts?limit=100", fx.tokens.analyst)).json.alerts.filter((a: { id: number }) => a.id > after);
const live = async (fx: PaperFixture) => (await call(fx, "GET", "/api/v1/models", fx.tokens.analyst)).json.live;

test.skipIf(!needsTools("admin: model fallback with a killed sidecar", "torch"))(
  "a killed inference sidecar: batches fall back in-process, INFER_FALLBACK is in the alerts API, and the restarted sidecar serves again",
  async () => {
    f = await startPaperFixture({
      strategy: false,
      speed: 5,
      strategies: [`{ name: follower, plugin: ${JSON.stringify(FOLLOWER)}, instruments: [EURUSD, GBPUSD], isolate: false }`],
      extraYaml: "models: { mode: sidecar, device: cpu, everyMs: 200, timeoutUs: 400000, staleAfterMs: 30000, model: vol-window@1 }\nfeatures: { instruments: all }\n",
    });
    const fx = f;
    const set = fx.session.models!;
    await waitFor(() => set.sidecar!.client.health() === null, 30_000, "python sidecar attached");
    await waitFor(() => set.engine.status().source === "sidecar", 30_000, "an answer from the sidecar");
    expect((await live(fx)).source).toBe("sidecar");
    // While python started, batches ran in-process (INFER_FALLBACK, then INFER_SIDECAR_RESTORED).
    // An operator acknowledges those, so the same condition can be raised again (alerts are
    // raised once per open condition).
    for (const a of (await call(fx, "GET", "/api/v1/alerts?unacknowledged=true&limit=100", fx.tokens.analyst)).json.alerts) {
      expect((await call(fx, "POST", `/api/v1/alerts/${a.id}/acknowledge`, fx.tokens.trader, {})).status).toBe(200);
    }
    const seen = Math.max(0, ...fx.session.core.alerts.all().map((a) => a.id));

    const pid = set.sidecar!.pid()!;
    process.kill(pid, "SIGKILL");
    // The next batches run in-process: signals stay fresh and finite, the alert is in the API.
    let alerts: Awaited<ReturnType<typeof codes>> = [];
    const until = performance.now() + 20_000;
    while (!(alerts = await codes(fx, seen)).some((a) => a.code === "INFER_FALLBACK")) {
      if (performance.now() > until) throw new Error(`no INFER_FALLBACK: ${JSON.stringify(alerts)}`);
      await Bun.sleep(20);
    }
    const fallback = alerts.find((a) => a.code === "INFER_FALLBACK")!;
    expect(fallback.subject).toBe("models");
    expect(fallback.message).toContain("model=vol-window@1");
    expect(fallback.message).toMatch(/cause=SHM_/);
    await waitFor(() => set.engine.status().source === "in-process", 20_000, "an in-process answer");
    const during = await live(fx);
    expect(during).toMatchObject({ source: "in-process", version: "vol-window/1", fallback: false });
    for (const s of set.engine.signals) expect(Number.isFinite(s)).toBe(true);

    // The supervisor restarts it; answers come from the sidecar again.
    await waitFor(() => set.sidecar!.pid() !== null && set.sidecar!.pid() !== pid && set.sidecar!.client.health() === null, 30_000, "restarted sidecar attached");
    await waitFor(() => set.engine.status().source === "sidecar", 30_000, "an answer from the restarted sidecar");
    const after = (await codes(fx, seen)).map((a) => a.code);
    expect(after).toContain("SIDECAR_RESTARTED");
    expect(after).toContain("INFER_SIDECAR_RESTORED");
    expect(after).not.toContain("MODEL_STALE");
    expect((await live(fx)).source).toBe("sidecar");
  },
  90_000,
);
