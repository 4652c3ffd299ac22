"""Exports seeded, untrained vol-window iTransformers of other sizes (context rows, model width,
layers) to ONNX, for the latency side of the size/context/skill trade-off (bench/model-size-latency.ts).
Latency depends on the graph, not the weights, so no training is needed to time a variant; its
skill is only known for the shipped point (the card's metrics).

Usage: /usr/bin/python3 models/vol_window/size_variants.py <out dir> rows:d:layers:ff [...]
Writes <out>/<rows>x<d>x<layers>.onnx (input "context" [batch, rows, 25], the shipped model's outputs),
in the grouped serving form that the trainer exports (models/vol_window/grouped.py).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itransformer import Exported, ITransformer, feature_kinds  # noqa: E402
from grouped import export_onnx, grouped  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    card = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vol-window.json")))
    layout = card["layout"]
    kinds = feature_kinds(layout)
    torch.manual_seed(7)
    for spec in sys.argv[2:]:
        rows, d, layers, ff = (int(x) for x in spec.split(":"))
        net = ITransformer(kinds, layout["mid"], rows, d, 4, layers, ff, 0.0).eval()
        exported = Exported(net, 1.0, 0.0, 0.0, 1.0).eval()
        sample = torch.rand(8, rows, len(kinds)) + 1.0
        path = os.path.join(out, f"{rows}x{d}x{layers}.onnx")
        export_onnx(grouped(exported), sample, path)
        params = sum(p.numel() for p in net.parameters())
        print(json.dumps({"path": path, "rows": rows, "d": d, "layers": layers, "ff": ff, "params": params}))


if __name__ == "__main__":
    main()
