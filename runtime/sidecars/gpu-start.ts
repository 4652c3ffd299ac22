/**
 * Starts the GPU part of a session's sidecars: in `sidecar` mode the supervised PyTorch VaR
 * sidecar (CUDA when present, else CPU) behind `VarService`, waiting a bounded time for it to
 * attach; in `in-process` mode, or when the segment cannot be made, the in-process Monte Carlo
 * alone. Bridge alerts become VAR_FALLBACK alerts with subject `gpu`.
 *
 * With `method: bootstrap` the return history is loaded from the tick store once, here; a history
 * that cannot be loaded raises VAR_HISTORY_UNAVAILABLE and the monitor runs Monte Carlo instead.
 */
import { resolve } from "node:path";
import { startGpuSidecar, type GpuSidecar } from "../../gpu-bridge/sidecar.ts";
import type { AlertSeverity } from "../kernel/alerts.ts";
import { segmentPath, waitUntil } from "./segment-path.ts";
import type { SidecarContext, SidecarsConfig } from "./types.ts";
import { VarMonitor, type VarConfig } from "./var-monitor.ts";
import { loadReturnHistory, type ReturnHistory } from "./bootstrap-history.ts";
import { prepareVarMc } from "../../gpu-bridge/var/wasm-module.ts";

/** How long a session waits for the VaR sidecar (Python and torch imports) to attach. */
const ATTACH_WAIT_MS = 30_000;
/** Deadline of one sidecar VaR computation, wall µs: well above a computation (2-50 ms on the CPU here), below a sidecar restart (about 1 s of Python and torch imports), so a dead sidecar falls back before its successor could answer. */
export const VAR_DEADLINE_US = 500_000;

/** The VaR monitor of a session, its sidecar (when any) and what it has seen. */
export interface GpuPart {
  readonly monitor: VarMonitor;
  readonly sidecar: GpuSidecar | null;
  status(): Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts the VaR monitor; never rejects. */
export async function startGpu(gpu: NonNullable<SidecarsConfig["gpu"]>, ctx: SidecarContext): Promise<GpuPart> {
  const cfg = gpu as VarConfig;
  const history = cfg.method === "bootstrap" ? await historyOf(cfg, ctx) : null;
  // The WASM engine's module is built (or read from its cache) before the first tick needs it; a
  // build that fails leaves the TypeScript engine in charge, with an alert.
  let settings = cfg;
  if (cfg.engine === "wasm") {
    try {
      await prepareVarMc();
    } catch (err) {
      ctx.alert("VAR_ENGINE_FALLBACK", "warning", "gpu", `engine=wasm using=ts error=${(err as Error).message.split("\n")[0]}`);
      settings = { ...cfg, engine: "ts" };
    }
  }
  const events = { fallbacks: 0, exits: 0, restarts: 0 };
  let starting = true;
  const onAlert = (e: { code: string; context: string }) => {
    if (starting && e.code === "SHM_PEER_ABSENT") return;
    let code = e.code;
    let severity: AlertSeverity = "warning";
    let message = e.context;
    if (code === "SIDECAR_EXITED") events.exits++;
    else if (code === "SIDECAR_RESTARTED") {
      events.restarts++;
      severity = "info";
    } else if (code === "VAR_FALLBACK" || code.startsWith("SHM_")) {
      events.fallbacks++;
      if (code !== "VAR_FALLBACK") message = `cause=${code} ${e.context}`;
      code = "VAR_FALLBACK";
    }
    ctx.alert(code, severity, "gpu", message);
  };
  let sidecar: GpuSidecar | null = null;
  if (cfg.mode === "sidecar") {
    const s = startGpuSidecar({ path: segmentPath("gpu"), timeoutUs: VAR_DEADLINE_US, onAlert });
    if ("code" in s) {
      onAlert({ code: "VAR_FALLBACK", context: `cause=${s.code} ${s.context}` });
    } else {
      sidecar = s;
      const client = s.supervisor.client;
      if (!(await waitUntil(() => client.health() === null, ATTACH_WAIT_MS))) {
        onAlert({ code: "VAR_FALLBACK", context: `cause=not_attached waited_ms=${ATTACH_WAIT_MS}` });
      }
    }
  }
  starting = false;
  const monitor = new VarMonitor(ctx, settings, sidecar?.service ?? null, history);
  return {
    monitor,
    sidecar,
    status: () => ({
      mode: cfg.mode,
      method: monitor.method,
      historySteps: history?.steps ?? 0,
      attached: sidecar !== null && sidecar.supervisor.client.health() === null,
      pid: sidecar?.supervisor.pid() ?? null,
      epoch: sidecar?.supervisor.client.epoch() ?? null,
      starts: sidecar?.supervisor.starts ?? 0,
      var: monitor.lastVar,
      es: monitor.lastEs,
      source: monitor.lastSource,
      device: monitor.lastDevice,
      asOf: monitor.lastAsOf,
      latencyMs: monitor.lastLatencyMs,
      maxVar: cfg.maxVar,
      breached: monitor.breached,
      computed: { ...monitor.computed },
      skipped: monitor.skipped,
      errors: monitor.errors,
      refused: monitor.refused,
      ...events,
    }),
    stop: async () => {
      monitor.stop();
      if (sidecar) await sidecar.stop();
    },
  };
}

/** Loads the bootstrap's return history for the session's instruments (id order); on failure alerts and returns null. */
async function historyOf(cfg: VarConfig, ctx: SidecarContext): Promise<ReturnHistory | null> {
  const fail = (cause: string) => {
    ctx.alert("VAR_HISTORY_UNAVAILABLE", "warning", "gpu", `${cause} fallback=monte-carlo`);
    return null;
  };
  const h = cfg.history;
  if (h === undefined) return fail("cause=no_history_config");
  const symbols: string[] = [];
  for (const inst of ctx.instruments) symbols[inst.id] = inst.symbol;
  if (symbols.length !== ctx.instruments.length) return fail(`cause=instrument_ids_not_dense instruments=${ctx.instruments.length}`);
  // A relative store path is relative to the working directory, like the session's own store.
  const r = await loadReturnHistory(resolve(h.store), symbols, h.stepSeconds, { maxSteps: h.maxSteps });
  if ("code" in r) return fail(`cause=${r.code} ${r.context}`);
  return r;
}
