"""Batched inference for the GPU sidecar: the signal MLP of models/make_model.py in PyTorch, on
the sidecar's device (CUDA when present, the CPU otherwise), loaded from the msgpack weights the
ONNX file was written with, so that it computes what onnxruntime computes in-process.

Method:
  infer {input: bin f32[count*rows*width] (little-endian, instrument-major, oldest row first),
         count, rows, width} -> {output: bin f32[count], count, version, device, elapsedNs}
"""
import os
import time

import msgpack
import numpy as np
import torch

import kshm

DEFAULT_WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "signal-mlp.weights.msgpack")


class SignalModel:
    """The signal MLP on one device; `run` takes a [batch, rows, width] float32 array."""

    def __init__(self, path, device):
        with open(path, "rb") as f:
            w = msgpack.unpackb(f.read(), raw=False)
        self.version = w["version"]
        self.rows, self.width, self.hidden = int(w["rows"]), int(w["width"]), int(w["hidden"])
        self.device = device

        def t(name, shape):
            return torch.from_numpy(np.frombuffer(w[name], dtype="<f4").reshape(shape).copy()).to(device)

        self.w1 = t("w1", (self.rows * self.width, self.hidden))
        self.b1 = t("b1", (self.hidden,))
        self.w2 = t("w2", (self.hidden, 1))
        self.b2 = t("b2", (1,))
        self.eps = torch.tensor(float(w["eps"]), dtype=torch.float32, device=device)

    @torch.inference_mode()
    def run(self, x):
        d = x - x[:, -1:, :]
        z = d / torch.sqrt((d * d).mean(dim=1, keepdim=True) + self.eps)
        h = torch.relu(z.reshape(x.shape[0], -1) @ self.w1 + self.b1)
        return torch.tanh(h @ self.w2 + self.b2).reshape(-1)


class TorchScriptModel:
    """A trained model exported as TorchScript by models/vol_window/train.py (`<name>.torchscript.pt`
    beside its card `<name>.json`); its first output is the signal."""

    def __init__(self, path, device):
        import json
        card = json.load(open(path[: -len(".torchscript.pt")] + ".json"))
        self.version = card["version"]
        self.rows, self.width = int(card["rows"]), int(card["width"])
        self.device = device
        self.module = torch.jit.load(path, map_location=device).eval()

    @torch.inference_mode()
    def run(self, x):
        return self.module(x)[0].reshape(-1)


def load(path, device):
    """Returns the model, or the reason it could not be loaded (the sidecar still serves VaR)."""
    try:
        if path and path.endswith(".torchscript.pt"):
            return TorchScriptModel(path, device)
        return SignalModel(path or DEFAULT_WEIGHTS, device)
    except (OSError, KeyError, ValueError, RuntimeError) as e:
        return f"INFER_MODEL_MISSING: path={path or DEFAULT_WEIGHTS} error={type(e).__name__}"


def infer(model, req):
    """Handles one infer request; returns (status, body)."""
    if isinstance(model, str):
        return kshm.STATUS_ERROR, model
    count, rows, width = int(req["count"]), int(req["rows"]), int(req["width"])
    raw = req["input"]
    if rows != model.rows or width != model.width or count < 1 or len(raw) != 4 * count * rows * width:
        return kshm.STATUS_ERROR, (
            f"INFER_INPUT_INVALID: count={count} rows={rows} width={width} bytes={len(raw)} "
            f"model_rows={model.rows} model_width={model.width}"
        )
    t0 = time.perf_counter_ns()
    x = torch.from_numpy(np.frombuffer(raw, dtype="<f4").reshape(count, rows, width).copy()).to(model.device)
    y = model.run(x).to("cpu").numpy().astype("<f4")
    return kshm.STATUS_OK, {
        "output": y.tobytes(),
        "count": count,
        "version": model.version,
        "device": str(model.device),
        "elapsedNs": time.perf_counter_ns() - t0,
    }
