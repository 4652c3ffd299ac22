"""Writes Kestrel's signal model: a seeded, deterministic MLP over the last ROWS rows of an
instrument's feature context window, as ONNX (for onnxruntime-node, in-process) and as msgpack
weights (for the PyTorch GPU sidecar), plus a model card.

Usage: /usr/bin/python3 models/make_model.py [out-dir]   (default: this folder)

Model "signal-mlp/1":
  input  "context"  float32 [batch, 16, 25]  the last 16 rows of kernels.context(i), oldest
                                            first, 25 features (kernels-wasm default layout)
  output "signal"   float32 [batch, 1]       tanh(...) in [-1, 1]
  d = x - x[:, -1:, :]                       each feature relative to its newest value
  z = d / sqrt(mean_rows(d * d) + 1e-6)      scale-free per feature (|z| <= sqrt(16))
  h = relu(flatten(z) @ W1 + b1)             W1: [400, 32]
  y = tanh(h @ W2 + b2)                      W2: [32, 1]
Weights are drawn from numpy's RandomState(SEED); rerunning gives the same bytes.
"""
import hashlib
import json
import os
import sys

import msgpack
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VERSION = "signal-mlp/1"
SEED = 20261123
ROWS, WIDTH, HIDDEN = 16, 25, 32
EPS = 1e-6


def weights():
    rng = np.random.RandomState(SEED)
    w1 = (rng.standard_normal((ROWS * WIDTH, HIDDEN)) / np.sqrt(ROWS * WIDTH)).astype(np.float32)
    b1 = (rng.standard_normal(HIDDEN) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((HIDDEN, 1)) / np.sqrt(HIDDEN)).astype(np.float32)
    b2 = np.zeros(1, dtype=np.float32)
    return w1, b1, w2, b2


def graph(w1, b1, w2, b2):
    def const(name, arr):
        return numpy_helper.from_array(np.asarray(arr), name)

    inits = [
        const("last_start", np.array([ROWS - 1], dtype=np.int64)),
        const("last_end", np.array([ROWS], dtype=np.int64)),
        const("axis1", np.array([1], dtype=np.int64)),
        const("eps", np.array(EPS, dtype=np.float32)),
        const("flat_shape", np.array([0, ROWS * WIDTH], dtype=np.int64)),
        const("W1", w1), const("b1", b1), const("W2", w2), const("b2", b2),
    ]
    nodes = [
        helper.make_node("Slice", ["context", "last_start", "last_end", "axis1"], ["last"]),
        helper.make_node("Sub", ["context", "last"], ["d"]),
        helper.make_node("Mul", ["d", "d"], ["d2"]),
        helper.make_node("ReduceMean", ["d2"], ["ms"], axes=[1], keepdims=1),
        helper.make_node("Add", ["ms", "eps"], ["ms_eps"]),
        helper.make_node("Sqrt", ["ms_eps"], ["rms"]),
        helper.make_node("Div", ["d", "rms"], ["z"]),
        helper.make_node("Reshape", ["z", "flat_shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", "W1", "b1"], ["h_pre"]),
        helper.make_node("Relu", ["h_pre"], ["h"]),
        helper.make_node("Gemm", ["h", "W2", "b2"], ["y_pre"]),
        helper.make_node("Tanh", ["y_pre"], ["signal"]),
    ]
    g = helper.make_graph(
        nodes, "signal_mlp",
        [helper.make_tensor_value_info("context", TensorProto.FLOAT, ["batch", ROWS, WIDTH])],
        [helper.make_tensor_value_info("signal", TensorProto.FLOAT, ["batch", 1])],
        inits,
    )
    m = helper.make_model(g, producer_name="kestrel-make_model", opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    m.doc_string = __doc__.split("Model ")[1].strip()
    helper.set_model_props(m, {"version": VERSION, "seed": str(SEED)})
    onnx.checker.check_model(m)
    return m


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    w1, b1, w2, b2 = weights()
    onnx_bytes = graph(w1, b1, w2, b2).SerializeToString()
    blob = msgpack.packb({
        "version": VERSION, "rows": ROWS, "width": WIDTH, "hidden": HIDDEN, "eps": EPS,
        "w1": w1.tobytes(), "b1": b1.tobytes(), "w2": w2.tobytes(), "b2": b2.tobytes(),
    }, use_bin_type=True)
    card = {
        "version": VERSION,
        "onnx": "signal-mlp.onnx",
        "weights": "signal-mlp.weights.msgpack",
        "input": {"name": "context", "dtype": "float32", "shape": ["batch", ROWS, WIDTH]},
        "output": {"name": "signal", "dtype": "float32", "shape": ["batch", 1], "range": [-1, 1]},
        "rows": ROWS, "width": WIDTH, "hidden": HIDDEN, "seed": SEED,
        "onnxSha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "weightsSha256": hashlib.sha256(blob).hexdigest(),
    }
    with open(os.path.join(out, "signal-mlp.onnx"), "wb") as f:
        f.write(onnx_bytes)
    with open(os.path.join(out, "signal-mlp.weights.msgpack"), "wb") as f:
        f.write(blob)
    with open(os.path.join(out, "signal-mlp.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
