/**
 * Metrics the alerting rules (ops/prometheus/kestrel.rules.yml) and the Grafana dashboards read
 * beyond the session's counters: alerts raised by code, the age of each instrument's last quote,
 * the sidecars' attachment, fallbacks and VaR, and the model engine's answer age, batches and
 * errors. Families are always declared (a scraper and the dashboards see every name); samples
 * appear when their part exists in the session (sidecars, models).
 */
import type { Session } from "../../session/build.ts";
import { sidecarParts } from "../../sidecars/index.ts";
import type { Exposition } from "./exposition.ts";

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : Number.NaN);

/** Appends the health families to `x`. */
export function renderHealthMetrics(x: Exposition, session: Session): void {
  const core = session.core;
  const byCode = new Map<string, number>();
  for (const a of core.alerts.all()) byCode.set(a.code, (byCode.get(a.code) ?? 0) + 1);
  x.family("kestrel_alerts_raised_total", "counter", "Alerts raised, by code (e.g. DATA_STALE_FEED, STORE_LAG, FPGA_FALLBACK, VAR_FALLBACK).");
  for (const [code, n] of byCode) x.sample("kestrel_alerts_raised_total", n, { code });

  const now = core.now();
  x.family("kestrel_quote_age_seconds", "gauge", "Kernel time since each instrument's last applied quote.");
  for (const book of core.books.books) {
    if (!book.valid) continue;
    x.sample("kestrel_quote_age_seconds", Math.max(0, now - book.ts) / 1e6, { instrument: session.instruments[book.instrument]?.symbol ?? `#${book.instrument}` });
  }

  const parts = sidecarParts(session.sidecars);
  const status = (session.sidecars?.status() ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const sidecars = (["fpga", "gpu"] as const).filter((name) => parts !== null && parts[name] !== null);
  x.family("kestrel_sidecar_attached", "gauge", "1 while an accelerator sidecar process is attached over shared memory (0: the in-process fallback answers).");
  for (const name of sidecars) x.sample("kestrel_sidecar_attached", status[name]?.attached === true ? 1 : 0, { sidecar: name, mode: String(status[name]?.mode ?? "") });
  x.family("kestrel_sidecar_fallbacks_total", "counter", "Times a sidecar call fell back to the in-process implementation.");
  for (const name of sidecars) x.sample("kestrel_sidecar_fallbacks_total", num(status[name]?.fallbacks), { sidecar: name });
  x.family("kestrel_sidecar_restarts_total", "counter", "Sidecar processes restarted by their supervisor.");
  for (const name of sidecars) x.sample("kestrel_sidecar_restarts_total", num(status[name]?.restarts), { sidecar: name });
  const gpu = status.gpu;
  x.family("kestrel_var_account", "gauge", "Latest portfolio VaR in the account currency (GPU sidecar or in-process; NaN before the first).");
  if (gpu !== undefined) x.sample("kestrel_var_account", num(gpu.var), { source: String(gpu.source ?? "none") });
  x.family("kestrel_var_limit_account", "gauge", "VaR above which orders that add risk are refused.");
  if (gpu !== undefined) x.sample("kestrel_var_limit_account", num(gpu.maxVar));
  const models = session.models?.engine.status();
  x.family("kestrel_model_answer_age_seconds", "gauge", "Kernel time since the batch the latest model answer was computed from (NaN before the first).");
  if (models !== undefined) x.sample("kestrel_model_answer_age_seconds", num(models.ageUs) / 1e6, { version: models.version, source: models.source });
  x.family("kestrel_model_batches_total", "counter", "Model batches answered.");
  if (models !== undefined) x.sample("kestrel_model_batches_total", models.batches);
  x.family("kestrel_model_errors_total", "counter", "Model batches that failed.");
  if (models !== undefined) x.sample("kestrel_model_errors_total", models.errors);
  x.family("kestrel_model_batch_latency_seconds", "gauge", "Wall latency of the latest model batch.");
  if (models !== undefined) x.sample("kestrel_model_batch_latency_seconds", models.latencyUs / 1e6);
}
