"""The vol-window model in the form it is exported to ONNX for serving: the same function as
`Exported` (same weights, same calibration, same element-wise arithmetic), with fewer and smaller
operators in its graph. `Preprocess` computes all four transforms (price, spread, volatility,
plain) on every feature and masks three of them away: about twenty element-wise passes over the
whole [batch, rows, width] window. Here the window is turned token-major once ([batch, width, rows],
which the embedding reads anyway), each kind's features are gathered and transformed alone, and
the results are put back in layout order before the same standardisation and clamp. Every value
that reaches the embedding is the one `Preprocess` computes (bit for bit, bar NaN/inf inputs, where
`Preprocess`'s masking by multiplication turned an infinite term into NaN in every kind).

Usage:
  /usr/bin/python3 models/vol_window/grouped.py export <card.json> <out.onnx>
    re-exports a trained card's model (its state file) in this form;
  /usr/bin/python3 models/vol_window/grouped.py reference <card.json> <windows.f32> <count>
    runs `Exported` (the training form) in PyTorch on raw float32 windows [count, rows, width],
    writes its outputs beside them (<windows>.<output>.f32) and prints, per output, the largest
    |difference| of this form from it in PyTorch;
  /usr/bin/python3 models/vol_window/grouped.py form <card.json> <file.onnx>
    prints {"form": "grouped" | "training" | "other", ...}: which export of the card's model the
    file's graph is (its operator sequence against fresh exports of both forms).
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itransformer import Exported  # noqa: E402

OUTPUTS = ["signal", "vol_prob", "log_rv", "direction"]


class GroupedNet(nn.Module):
    """An ITransformer whose preprocessing runs per feature kind on token-major windows."""

    def __init__(self, net):
        super().__init__()
        pre = net.pre
        self.net = net
        self.mid_slot = pre.mid_slot
        groups = [torch.nonzero(m > 0.5).flatten() for m in (pre.is_price, pre.is_spread, pre.is_vol, pre.is_plain)]
        self.sizes = [int(g.numel()) for g in groups]
        order = torch.cat(groups)
        if sorted(order.tolist()) != list(range(pre.mean.numel())):
            raise ValueError(f"feature kinds do not cover the layout once each: {order.tolist()}")
        for name, g in zip(("price", "spread", "vol", "plain"), groups):
            self.register_buffer(f"idx_{name}", g)
        self.register_buffer("inverse", torch.argsort(order))
        self.register_buffer("mean", pre.mean.reshape(-1, 1).clone())
        self.register_buffer("std", pre.std.reshape(-1, 1).clone())

    def tokens(self, x):
        """Raw [batch, rows, width] -> standardised variate tokens [batch, width, rows]."""
        xt = x.transpose(1, 2)
        mid = torch.clamp(xt[:, self.mid_slot:self.mid_slot + 1, -1:], min=1.0)
        parts = []
        if self.sizes[0]:
            xp = xt.index_select(1, self.idx_price)
            parts.append((xp - mid) / mid * 1e4 * (xp != 0).float())
        if self.sizes[1]:
            parts.append(xt.index_select(1, self.idx_spread) / mid * 1e4)
        if self.sizes[2]:
            parts.append(torch.log(torch.clamp(xt.index_select(1, self.idx_vol), min=0.0) * 1e4 + 1e-3))
        if self.sizes[3]:
            parts.append(xt.index_select(1, self.idx_plain))
        t = torch.cat(parts, 1).index_select(1, self.inverse)
        return torch.clamp((t - self.mean) / self.std, -10.0, 10.0)

    def forward(self, x):
        net = self.net
        h = net.embed(self.tokens(x)) + net.variate
        for blk in net.blocks:
            h = blk(h)
        o = net.head(net.norm(h).flatten(1))
        return o[:, 0], o[:, 1], o[:, 2:5]


def grouped(exported):
    """The serving form of a trained `Exported` model (shares its weights)."""
    cal = exported.cal.tolist()
    return Exported(GroupedNet(exported.net), cal[0], cal[1], cal[2], cal[3]).eval()


def export_onnx(model, sample, path):
    """Exports a model (Exported or grouped) to ONNX opset 17 with a dynamic batch, as the trainer does."""
    torch.onnx.export(model, (sample,), path, input_names=["context"], output_names=OUTPUTS, opset_version=17,
                      dynamic_axes={"context": {0: "batch"}, **{o: {0: "batch"} for o in OUTPUTS}})


def op_types(path):
    """The operator types of an ONNX file's graph, in node order."""
    import onnx
    return [n.op_type for n in onnx.load(path).graph.node]


def export_form(card, exported, path):
    """Which form an ONNX file of this model is: "grouped" (serving), "training" (`Exported`) or "other"."""
    import tempfile
    sample = torch.rand(8, card["rows"], card["width"]) + 1.0
    got = op_types(path)
    with tempfile.TemporaryDirectory() as tmp:
        forms = {}
        for name, model in (("grouped", grouped(exported)), ("training", exported)):
            export_onnx(model, sample, os.path.join(tmp, f"{name}.onnx"))
            forms[name] = op_types(os.path.join(tmp, f"{name}.onnx"))
    if forms["grouped"] == forms["training"]:
        raise ValueError("the grouped and training forms export the same graph: cannot tell them apart")
    form = next((n for n, ops in forms.items() if ops == got), "other")
    return {"form": form, "nodes": len(got), "gather": got.count("Gather"), "groupedNodes": len(forms["grouped"]), "trainingNodes": len(forms["training"])}


def load(card_path):
    """The card's trained model as `Exported`, in eval mode (models/vol_window/evaluate.py's loader)."""
    from evaluate import load_model
    return load_model(card_path)


def main():
    mode, card_path = sys.argv[1], sys.argv[2]
    card, exported = load(card_path)
    fast = grouped(exported)
    rows, width = card["rows"], card["width"]
    if mode == "export":
        export_onnx(fast, torch.rand(8, rows, width) + 1.0, sys.argv[3])
    elif mode == "reference":
        import numpy as np
        path, count = sys.argv[3], int(sys.argv[4])
        x = torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(count, rows, width))
        with torch.no_grad():
            ref, got = exported(x), fast(x)
        for o, r, g in zip(OUTPUTS, ref, got):
            r.numpy().astype(np.float32).tofile(f"{path}.{o}.f32")
            print(json.dumps({"output": o, "maxAbsDiffTorch": float((r - g).abs().max())}))
    elif mode == "form":
        print(json.dumps(export_form(card, exported, sys.argv[3])))
    else:
        print(f"usage: grouped.py export <card> <out.onnx> | reference <card> <windows.f32> <count> | form <card> <file.onnx> (got mode {mode!r})", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
