/**
 * Batched model inference for the runtime: the signal model's card, the in-process
 * onnxruntime-node runner, the inference service (GPU sidecar first, in-process fallback,
 * continuous batching) and a supervised sidecar to back it.
 */
export * from "./model-card.ts";
export * from "./onnx-runner.ts";
export * from "./service.ts";
export * from "./sidecar.ts";
