/**
 * The in-process signal model: the ONNX file run by onnxruntime-node on the CPU. It is the
 * inference service's fallback and the reference the sidecar is tested against. `run` resolves
 * with one float32 output per instrument. onnxruntime-node (1.30) runs the model synchronously on
 * the JavaScript thread in a setImmediate callback (with one intra-op thread, on that thread
 * alone), so a batch holds the event loop for its whole run: about 1 ms for vol-window's
 * 28-instrument batch (bench/model-latency-profile.ts). Only the card's output is fetched.
 */
import * as ort from "onnxruntime-node";
import type { ModelCard } from "./model-card.ts";

/** An error value from inference. */
export interface InferError {
  readonly code: "INFER_INPUT_INVALID" | "INFER_MODEL_MISSING" | "INFER_FAILED";
  readonly context: string;
}

/** The signal model in onnxruntime-node. */
export class OnnxSignalModel {
  private constructor(
    readonly card: ModelCard,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Loads the card's ONNX file; `threads` bounds onnxruntime's intra-op threads (default 1). */
  static async load(card: ModelCard, threads = 1): Promise<OnnxSignalModel | InferError> {
    try {
      const session = await ort.InferenceSession.create(card.onnxPath, { intraOpNumThreads: threads, interOpNumThreads: 1 });
      return new OnnxSignalModel(card, session);
    } catch (e) {
      return { code: "INFER_MODEL_MISSING", context: `path=${card.onnxPath} error=${JSON.stringify((e as Error).message)}` };
    }
  }

  /** Runs `count` windows (input: count x rows x width float32, instrument-major); never rejects. */
  async run(input: Float32Array, count: number): Promise<Float32Array | InferError> {
    const { rows, width } = this.card;
    const n = count * rows * width;
    if (count < 1 || input.length < n) {
      return { code: "INFER_INPUT_INVALID", context: `count=${count} length=${input.length} need=${n}` };
    }
    try {
      const x = new ort.Tensor("float32", input.length === n ? input : input.subarray(0, n), [count, rows, width]);
      const out = await this.session.run({ [this.card.inputName]: x }, [this.card.outputName]);
      return out[this.card.outputName]!.data as Float32Array;
    } catch (e) {
      return { code: "INFER_FAILED", context: `source=in-process count=${count} error=${JSON.stringify((e as Error).message)}` };
    }
  }

  /** Releases onnxruntime's session. */
  async close(): Promise<void> {
    await this.session.release();
  }
}
