/**
 * The runtime's inference service: one batch of context windows for all instruments goes to
 * the GPU sidecar's "infer" method over the shm bridge, and comes back as one signal per
 * window. Batching is continuous: requests that arrive while a batch is in flight wait and leave
 * together as the next batch. When the sidecar is absent, dead, late, wrong or failing, the
 * batch runs in-process in onnxruntime-node instead, inside the same deadline (the sidecar gets
 * the deadline less a reserve for the fallback), and an INFER_FALLBACK alert is raised once per
 * switch (INFER_SIDECAR_RESTORED when answers come back from the sidecar). Nothing here blocks
 * the event loop, and `infer` never rejects.
 *
 * @example
 * const model = await OnnxSignalModel.load(card);           // check for an error value
 * const svc = new InferenceService({ client, model, onAlert });
 * const r = await svc.infer(batch, 28, 16, 25, 20_000);      // { outputs, source, ... } or an error value
 */
import type { ShmClient } from "../shm/client.ts";
import { Status } from "../shm/codec.ts";
import { BinaryKind, frameText, isFrameReply } from "../shm/binary-frame.ts";
import { fastCallFrame } from "./fast-call.ts";
import { decodeInferReply, INFER_HEAD_BYTES, inferWindowBytes, writeInferHead } from "./infer-frame.ts";
import type { InferError, OnnxSignalModel } from "./onnx-runner.ts";

/** Signals for one request's windows, and where and how they were computed. */
export interface InferAnswer {
  /** One signal in [-1, 1] per window, in request order. */
  readonly outputs: Float32Array;
  readonly source: "sidecar" | "in-process";
  /** The model version that computed them (the card's version). */
  readonly version: string;
  /** "cuda:0", "cpu" (sidecar) or "onnxruntime-cpu" (in-process). */
  readonly device: string;
  /** Wall time from `infer` to the answer, in microseconds. */
  readonly latencyUs: number;
  /** Windows in the batch this request travelled in (more than its own when merged). */
  readonly batchCount: number;
}

/** Options of the inference service. */
export interface InferenceServiceOptions {
  /** The bridge to a sidecar that serves "infer", or null for in-process only. */
  readonly client: ShmClient | null;
  /** The in-process model (fallback and in-process mode). */
  readonly model: OnnxSignalModel;
  /** Part of each deadline kept for the in-process fallback, in µs (default 5,000; at most half the deadline). */
  readonly reserveUs?: number;
  /**
   * When the service owns `client` alone (nothing else calls on it), it polls for its answers
   * with setImmediate for up to this many µs (see fast-call.ts); 0 (the default) uses
   * `client.call`, which is safe on a shared client but adds about 1 ms of timer latency.
   */
  readonly spinUs?: number;
  readonly onAlert?: (e: { code: string; context: string }) => void;
}

/** Counters of an inference service. */
export interface InferenceStats {
  requests: number;
  batches: number;
  sidecarBatches: number;
  inProcessBatches: number;
  /** Batches that were meant for the sidecar and ran in-process. */
  fallbacks: number;
}

interface Pending {
  readonly input: Float32Array;
  readonly count: number;
  readonly startUs: number;
  readonly deadlineUs: number;
  readonly resolve: (r: InferAnswer | InferError) => void;
}

const nowUs = () => performance.now() * 1000;

/** Batched inference with the GPU sidecar in front and onnxruntime-node behind. */
export class InferenceService {
  readonly stats: InferenceStats = { requests: 0, batches: 0, sidecarBatches: 0, inProcessBatches: 0, fallbacks: 0 };
  private readonly client: ShmClient | null;
  private readonly model: OnnxSignalModel;
  private readonly reserveUs: number;
  private readonly spinUs: number;
  /** The INFER request head, rewritten per call (the ring holds its copy before the call awaits). */
  private readonly inferHead = new Uint8Array(INFER_HEAD_BYTES);
  /** Most windows merged into one batch: as many as fit one bridge frame (unbounded in-process only). */
  readonly maxBatchWindows: number;
  private readonly onAlert: (e: { code: string; context: string }) => void;
  private queue: Pending[] = [];
  private busy = false;
  private fallingBack = false;

  constructor(opts: InferenceServiceOptions) {
    this.client = opts.client;
    this.model = opts.model;
    this.reserveUs = opts.reserveUs ?? 5_000;
    this.spinUs = opts.spinUs ?? 0;
    const frame = this.client ? this.client.segment.maxFrame - 256 : Infinity;
    this.maxBatchWindows = Math.max(1, Math.floor(frame / (4 * opts.model.card.rows * opts.model.card.width)));
    this.onAlert = opts.onAlert ?? (() => {});
  }

  /** The model's version string. */
  get version(): string {
    return this.model.card.version;
  }

  /**
   * Infers `count` windows of `rows` x `width` float32 (instrument-major, oldest row first) within
   * `timeoutUs` microseconds from now. The input is copied, so the caller may reuse its buffer.
   */
  infer(batch: Float32Array, count: number, rows: number, width: number, timeoutUs: number): Promise<InferAnswer | InferError> {
    const card = this.model.card;
    const n = count * rows * width;
    if (rows !== card.rows || width !== card.width || !(count >= 1) || batch.length < n || !(timeoutUs > 0)) {
      return Promise.resolve({
        code: "INFER_INPUT_INVALID",
        context: `count=${count} rows=${rows} width=${width} length=${batch.length} timeout_us=${timeoutUs} model_rows=${card.rows} model_width=${card.width}`,
      });
    }
    this.stats.requests++;
    const startUs = nowUs();
    return new Promise((resolve) => {
      this.queue.push({ input: batch.slice(0, n), count, startUs, deadlineUs: startUs + timeoutUs, resolve });
      if (!this.busy) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      // A merged batch stays within one bridge frame; the rest waits for the next batch.
      let take = 1;
      let windows = this.queue[0]!.count;
      while (take < this.queue.length && windows + this.queue[take]!.count <= this.maxBatchWindows) windows += this.queue[take++]!.count;
      const group = this.queue.splice(0, take);
      await this.runBatch(group);
    }
    this.busy = false;
  }

  private async runBatch(group: Pending[]): Promise<void> {
    const { rows, width } = this.model.card;
    const per = rows * width;
    let total = 0;
    let deadline = Infinity;
    for (const p of group) {
      total += p.count;
      deadline = Math.min(deadline, p.deadlineUs);
    }
    let input = group[0]!.input;
    if (group.length > 1) {
      input = new Float32Array(total * per);
      let at = 0;
      for (const p of group) {
        input.set(p.input, at);
        at += p.input.length;
      }
    }
    this.stats.batches++;
    let outputs: Float32Array | null = null;
    let device = "onnxruntime-cpu";
    let source: InferAnswer["source"] = "in-process";
    if (this.client) {
      const remaining = deadline - nowUs();
      const budget = remaining - Math.min(this.reserveUs, remaining / 2);
      const r = budget >= 1 ? await this.askSidecar(input, total, rows, width, Math.floor(budget)) : "cause=no_time_left";
      if (typeof r === "string") {
        this.stats.fallbacks++;
        if (!this.fallingBack) {
          this.fallingBack = true;
          this.onAlert({ code: "INFER_FALLBACK", context: `count=${total} ${r}` });
        }
      } else {
        if (this.fallingBack) {
          this.fallingBack = false;
          this.onAlert({ code: "INFER_SIDECAR_RESTORED", context: `count=${total} device=${r.device}` });
        }
        outputs = r.outputs;
        device = r.device;
        source = "sidecar";
        this.stats.sidecarBatches++;
      }
    }
    if (!outputs) {
      const local = await this.model.run(input, total);
      if ("code" in local) {
        for (const p of group) p.resolve(local);
        return;
      }
      outputs = local;
      this.stats.inProcessBatches++;
    }
    const end = nowUs();
    let at = 0;
    for (const p of group) {
      const mine = group.length === 1 ? outputs : outputs.slice(at, at + p.count);
      at += p.count;
      p.resolve({ outputs: mine, source, version: this.version, device, latencyUs: Math.round(end - p.startUs), batchCount: total });
    }
  }

  /** Returns the sidecar's outputs, or why it gave none (a key=value cause). */
  private async askSidecar(input: Float32Array, count: number, rows: number, width: number, timeoutUs: number): Promise<{ outputs: Float32Array; device: string } | string> {
    // Head and windows go into the ring as two parts, copied there before the first await: no
    // frame is built per call (a fresh 44.8 KB body per 28-window batch cost more than msgpack's
    // encode into its reused buffer).
    const head = writeInferHead(this.inferHead, count, rows, width);
    const windows = inferWindowBytes(input, count, rows, width);
    const r = this.spinUs > 0
      ? await fastCallFrame(this.client!, BinaryKind.INFER, head, timeoutUs, this.spinUs, windows)
      : await this.client!.callFrame(BinaryKind.INFER, head, timeoutUs, windows);
    if ("code" in r) return `cause=${r.code} ${r.context}`;
    if (!isFrameReply(r.body)) return `cause=bad_output detail=${JSON.stringify(r.body)}`;
    if (r.status !== Status.OK) return `cause=status_${r.status} detail=${JSON.stringify(frameText(r.body.body))}`;
    const b = decodeInferReply(r.body.body, count);
    if (!b) return `cause=bad_output bytes=${r.body.body.length} count=${count}`;
    if (b.version !== this.version) return `cause=version_mismatch sidecar=${b.version} model=${this.version}`;
    return { outputs: b.outputs, device: b.device };
  }
}
