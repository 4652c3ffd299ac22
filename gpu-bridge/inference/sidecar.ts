/**
 * One call that gives the runtime an inference service backed by its own supervised PyTorch
 * sidecar (the GPU sidecar script on a segment of its own, so that a long VaR computation never
 * delays a batch), with onnxruntime-node in-process as the fallback, and a stop function.
 */
import { SidecarSupervisor } from "../shm/supervisor.ts";
import { DEFAULT_MODEL_CARD, readModelCard } from "./model-card.ts";
import { type InferError, OnnxSignalModel } from "./onnx-runner.ts";
import { InferenceService } from "./service.ts";

/** Options of `startInferenceSidecar`. */
export interface InferenceSidecarOptions {
  /** Segment file (default /dev/shm/kestrel-infer-<pid>). */
  readonly path?: string;
  /** Model card (default models/signal-mlp.json). */
  readonly cardPath?: string;
  readonly device?: "cuda" | "cpu";
  /** Fallback reserve of each deadline, in µs (see InferenceServiceOptions). */
  readonly reserveUs?: number;
  /** setImmediate polling window of each sidecar call, in µs (default 5,000; the service owns this client). */
  readonly spinUs?: number;
  /** onnxruntime intra-op threads of the fallback (default 1). */
  readonly threads?: number;
  readonly onAlert?: (e: { code: string; context: string }) => void;
}

/** A running inference service and its sidecar. */
export interface InferenceSidecar {
  readonly service: InferenceService;
  readonly supervisor: SidecarSupervisor;
  stop(): Promise<void>;
}

/** Returns the argv of the sidecar that serves "infer" for a segment and a weights file. */
export function inferenceSidecarCommand(segmentPath: string, weightsPath: string, device?: "cuda" | "cpu"): string[] {
  const script = new URL("../sidecar/var_sidecar.py", import.meta.url).pathname;
  return ["/usr/bin/python3", script, segmentPath, "--model", weightsPath, ...(device ? ["--device", device] : [])];
}

/** Loads the model in-process and starts the sidecar; returns an error value when either cannot be set up. */
export async function startInferenceSidecar(opts: InferenceSidecarOptions = {}): Promise<InferenceSidecar | InferError | { code: string; context: string }> {
  const card = readModelCard(opts.cardPath ?? DEFAULT_MODEL_CARD);
  if ("code" in card) return card;
  const model = await OnnxSignalModel.load(card, opts.threads);
  if ("code" in model) return model;
  const sup = SidecarSupervisor.start({
    name: "infer",
    path: opts.path ?? `/dev/shm/kestrel-infer-${process.pid}`,
    capacity: 1 << 22,
    deadAfterMs: 1000,
    command: (p) => inferenceSidecarCommand(p, card.weightsPath, opts.device),
    onAlert: opts.onAlert,
  });
  if ("code" in sup) {
    await model.close();
    return sup;
  }
  const service = new InferenceService({ client: sup.client, model, reserveUs: opts.reserveUs, spinUs: opts.spinUs ?? 5_000, onAlert: opts.onAlert });
  return {
    service,
    supervisor: sup,
    stop: async () => {
      await sup.stop();
      await model.close();
    },
  };
}
