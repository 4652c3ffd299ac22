/**
 * The runtime's VaR service: asks the GPU sidecar over the shm bridge (a fixed-layout binary
 * frame, var-frame.ts; `wire: "msgpack"` sends the msgpack control form instead) and falls back to the
 * in-process Monte Carlo (`monte-carlo.ts`) when the sidecar is absent, dead, late or fails,
 * raising a VAR_FALLBACK alert. The sidecar call leaves the event loop (it is awaited); the
 * fallback runs in-process, so callers size `paths` for the fallback's budget too.
 *
 * @example
 * const svc = new VarService({ client, timeoutUs: 50_000, onAlert });
 * const r = await svc.compute(request); // { result, source: "sidecar" | "in-process" } or an error value
 */
import { BinaryKind, frameText, isFrameReply } from "../shm/binary-frame.ts";
import type { ShmClient } from "../shm/client.ts";
import { Status, type ShmResponse } from "../shm/codec.ts";
import type { BridgeError } from "../shm/errors.ts";
import { decodeVarReply, encodeBootstrapFrame, encodeVarFrame } from "./var-frame.ts";
import { type BootstrapRequest, type BootstrapRequestError, bootstrapSteps, bootstrapVar } from "./bootstrap.ts";
import type { CovarianceError } from "./cholesky.ts";
import { monteCarloVar, validateVarRequest, type VarRequest, type VarRequestError, type VarResult } from "./monte-carlo.ts";

/** A computed VaR and where it was computed. */
export interface VarAnswer {
  readonly result: VarResult;
  readonly source: "sidecar" | "in-process";
  /** The sidecar's device ("cuda:0", "cpu") for sidecar answers. */
  readonly device?: string;
  /** Simulation time the sidecar reported, in ns. */
  readonly elapsedNs?: number;
}

/** Options of the VaR service. */
export interface VarServiceOptions {
  readonly client: ShmClient | null;
  /** Deadline of one sidecar computation, in microseconds (default 100 ms). */
  readonly timeoutUs?: number;
  readonly onAlert?: (e: { code: string; context: string }) => void;
  /** How requests travel: fixed-layout binary frames (default) or msgpack (the control form; benchmarks, compatibility). */
  readonly wire?: "frame" | "msgpack";
}

/** Returns the msgpack wire body of a VaR request (float arrays as little-endian float64 binaries). */
export function encodeVarRequest(r: VarRequest): Record<string, unknown> {
  return {
    exposures: new Uint8Array(Float64Array.from(r.exposures).buffer),
    cov: new Uint8Array(Float64Array.from(r.cov).buffer),
    covHorizonSeconds: r.covHorizonSeconds,
    horizonSeconds: r.horizonSeconds,
    confidence: r.confidence,
    paths: r.paths,
    dist: r.dist,
    dof: r.dof ?? 0,
    seed: r.seed ?? 0x5eed,
  };
}

/** Returns the msgpack wire body of a bootstrap request. */
export function encodeBootstrapRequest(r: BootstrapRequest): Record<string, unknown> {
  return {
    exposures: new Uint8Array(Float64Array.from(r.exposures).buffer),
    history: new Uint8Array(Float64Array.from(r.history).buffer),
    stepSeconds: r.stepSeconds,
    horizonSeconds: r.horizonSeconds,
    confidence: r.confidence,
    paths: r.paths,
    seed: r.seed ?? 0x5eed,
  };
}

/** VaR with the GPU sidecar in front and the in-process engine behind. */
export class VarService {
  private readonly client: ShmClient | null;
  private readonly timeoutUs: number;
  private readonly onAlert: (e: { code: string; context: string }) => void;
  private readonly wire: "frame" | "msgpack";

  constructor(opts: VarServiceOptions) {
    this.client = opts.client;
    this.wire = opts.wire ?? "frame";
    this.timeoutUs = opts.timeoutUs ?? 100_000;
    this.onAlert = opts.onAlert ?? (() => {});
  }

  /** Computes Monte Carlo VaR/ES; resolves with an answer or an error value, never rejects. */
  async compute(req: VarRequest): Promise<VarAnswer | VarRequestError | CovarianceError> {
    const bad = validateVarRequest(req);
    if (bad) return bad;
    const remote = await this.ask("var", () => this.wire === "frame" ? this.client!.callFrame(BinaryKind.VAR, encodeVarFrame(req), this.timeoutUs) : this.client!.call("var", encodeVarRequest(req), this.timeoutUs));
    if (remote) return remote;
    const local = monteCarloVar(req);
    if ("code" in local) return local;
    return { result: local, source: "in-process" };
  }

  /** Computes historical-bootstrap VaR/ES; resolves with an answer or an error value. */
  async computeBootstrap(req: BootstrapRequest): Promise<VarAnswer | BootstrapRequestError> {
    const steps = bootstrapSteps(req);
    if (typeof steps !== "number") return steps;
    const remote = await this.ask("var.bootstrap", () => this.wire === "frame" ? this.client!.callFrame(BinaryKind.VAR_BOOTSTRAP, encodeBootstrapFrame(req), this.timeoutUs) : this.client!.call("var.bootstrap", encodeBootstrapRequest(req), this.timeoutUs));
    if (remote) return remote;
    const local = bootstrapVar(req);
    if ("code" in local) return local;
    return { result: local, source: "in-process" };
  }

  private async ask(method: string, send: () => Promise<ShmResponse | BridgeError>): Promise<VarAnswer | null> {
    if (!this.client) return null;
    const r = await send();
    if (!("code" in r) && r.status === Status.OK) {
      const answer = sidecarAnswer(r.body);
      if (answer) return answer;
    }
    const cause = "code" in r
      ? `${r.code} ${r.context}`
      : `status=${r.status} body=${JSON.stringify(isFrameReply(r.body) ? (r.status === Status.OK ? `bad_reply bytes=${r.body.body.length}` : frameText(r.body.body)) : r.body)}`;
    this.onAlert({ code: "VAR_FALLBACK", context: `method=${method} cause=${cause}` });
    return null;
  }
}

/** Reads a sidecar's OK answer, a binary reply or a msgpack map; null when it is neither. */
function sidecarAnswer(body: unknown): VarAnswer | null {
  if (isFrameReply(body)) {
    const b = decodeVarReply(body.body);
    if (!b) return null;
    return { result: { var: b.var, es: b.es, mean: b.mean, std: b.std, paths: b.paths }, source: "sidecar", device: b.device, elapsedNs: body.elapsedNs };
  }
  const b = body as VarResult & { device: string; elapsedNs: number };
  return { result: { var: b.var, es: b.es, mean: b.mean, std: b.std, paths: b.paths }, source: "sidecar", device: b.device, elapsedNs: b.elapsedNs };
}
