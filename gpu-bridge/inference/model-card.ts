/**
 * The signal model's card (`models/signal-mlp.json`, written by `models/make_model.py`): its
 * version string, input and output names and shapes, and where its ONNX file and torch weights
 * lie. Read once at start-up; the in-process runner and the sidecar both serve this model.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What a signal model takes and gives, as its card states it. */
export interface ModelCard {
  readonly version: string;
  /** Rows of the context window the model reads (the newest rows). */
  readonly rows: number;
  /** Features per row (must equal the kernels' layout width). */
  readonly width: number;
  readonly inputName: string;
  readonly outputName: string;
  /** Absolute path of the ONNX file. */
  readonly onnxPath: string;
  /** Absolute path of the msgpack weights the torch sidecar loads. */
  readonly weightsPath: string;
  /** Variates after the kernels' features the model also reads (e.g. tod_sin, tod_cos); [] when none. */
  readonly extraVariates: readonly string[];
}

/** Path of the model card shipped in the repository. */
export const DEFAULT_MODEL_CARD = fileURLToPath(new URL("../../models/signal-mlp.json", import.meta.url));

/** Reads a model card; returns an error value when it is missing or malformed. */
export function readModelCard(path = DEFAULT_MODEL_CARD): ModelCard | { code: "INFER_MODEL_MISSING"; context: string } {
  let raw: Record<string, any>;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { code: "INFER_MODEL_MISSING", context: `path=${path} error=${JSON.stringify((e as Error).message)}` };
  }
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  if (typeof raw.version !== "string" || !Number.isInteger(raw.rows) || !Number.isInteger(raw.width)) {
    return { code: "INFER_MODEL_MISSING", context: `path=${path} malformed=1` };
  }
  return {
    version: raw.version,
    rows: raw.rows,
    width: raw.width,
    inputName: raw.input?.name ?? "context",
    outputName: raw.output?.name ?? "signal",
    onnxPath: dir + raw.onnx,
    weightsPath: dir + raw.weights,
    extraVariates: Array.isArray(raw.extraVariates) ? raw.extraVariates.map(String) : [],
  };
}
