"""Writes a trained vol-window model's weights as msgpack (`<name>.weights.msgpack` beside its card)
for the runtime's synchronous TypeScript forward pass (runtime/models/itransformer.ts): the
architecture sizes, the calibration, and every tensor of the exported module as float32 bytes.

Usage: python3 models/vol_window/export_weights.py <card.json>
"""
import json
import os
import sys

import msgpack
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import load_model  # noqa: E402


def export(card_path):
    card, model = load_model(card_path)
    m = card["architecture"]
    tensors = {k: {"shape": list(v.shape), "data": v.detach().numpy().astype("<f4").tobytes()} for k, v in model.state_dict().items()}
    blob = {"version": card["version"], "rows": card["rows"], "width": card["width"], "dModel": m["dModel"], "heads": m["heads"], "layers": m["layers"],
            "ff": m["ff"], "mid": card["layout"]["mid"], "kinds": model.net.pre.is_price.numpy().astype(int).tolist(), "tensors": tensors}
    kinds = (model.net.pre.is_spread.numpy() * 1 + model.net.pre.is_vol.numpy() * 2 + model.net.pre.is_plain.numpy() * 3).astype(int)
    blob["kinds"] = kinds.tolist()
    name = os.path.join(os.path.dirname(card_path), card["name"] + ".weights.msgpack")
    with open(name, "wb") as f:
        f.write(msgpack.packb(blob, use_bin_type=True))
    return name


if __name__ == "__main__":
    print(export(sys.argv[1]))
