"""Validation predictions of an already trained vol-window model, rebuilt from its card without
retraining: for a model whose `validation.npz` was never kept (the shipped vol-window/1), so that
`val_intervals.py` can give its validation AUC an interval.

It checks that the dataset folder is the one the card names (every source file's sha256, the
per-instrument high-volatility thresholds fitted on train, the sample counts per split), runs the
card's model (its state file, in eval mode) over the VALIDATION split only (no test window or label
is gathered or scored), applies the card's Platt calibration and compares the card's validation
metrics with the recomputed ones. Two calibrated forms are scored: the trainer's (float64
sigmoid(a * logit + b) over the network's float32 logits, the numbers the card was written from) and
the served one (`Exported`, the function the ONNX file computes, float32 end to end). The trainer's
form is written to `<out>/validation.npz` ({p, y, t, instrument}, as train.py writes it).

Usage: /usr/bin/python3 models/vol_window/val_predict.py <card.json> <dataset dir> <out dir>
Prints one JSON object: {"checks", "card", "trainerForm", "servedForm", "maxAbsDiffForms", "out"};
exits 3 when the dataset is not the card's, 4 when the card's metrics are not reproduced.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import Dataset  # noqa: E402
from evaluate import load_model  # noqa: E402
import metrics as M  # noqa: E402

# The card's metrics are floats written by the same code on the same data: anything beyond float
# rounding means the dataset or the model is not the card's.
TOLERANCE = 1e-6


def dataset_checks(card, ds):
    """Differences between the card's data section and the dataset folder's meta.json ([] when none)."""
    bad = []
    want = {(s["instrument"], os.path.basename(s["file"])): s["sha256"] for s in card["data"]["sources"]}
    got = {(s["instrument"], os.path.basename(s["file"])): s["sha256"] for s in ds.meta["sources"]}
    if want != got:
        bad.append(f"sources differ: card {len(want)} files, dataset {len(got)}, differing {sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))}")
    for a, b in zip(card["data"]["instruments"], ds.meta["instruments"]):
        if a["symbol"] != b["symbol"] or a["highVolThreshold"] != b["highVolThreshold"]:
            bad.append(f"instrument {a['symbol']}: threshold card {a['highVolThreshold']} dataset {b.get('highVolThreshold')}")
    if card["data"]["samples"] != ds.meta["samples"]:
        bad.append(f"samples card {card['data']['samples']} dataset {ds.meta['samples']}")
    if card["data"]["splits"] != ds.meta["dataset"]["splits"]:
        bad.append("splits differ")
    return bad


def scored(y, p, logit=None):
    """The card's validation metrics of calibrated probabilities p (and the uncalibrated ECE from logits)."""
    out = {"auc": M.auc(y, p), "brier": M.brier(y, p), "logLoss": M.log_loss(y, p), "ece": M.ece(y, p)}
    if logit is not None:
        out["eceUncalibrated"] = M.ece(y, 1 / (1 + np.exp(-logit)))
    return out


def main():
    card_path, data_dir, out = sys.argv[1], sys.argv[2], sys.argv[3]
    torch.set_num_threads(1)
    card, model = load_model(card_path)
    st = torch.load(os.path.join(os.path.dirname(card_path), card["state"]))
    ds = Dataset(data_dir, card["rows"], "tod_sin" in (card.get("extraVariates") or []), "sess_asia" in (card.get("extraVariates") or []))
    bad = dataset_checks(card, ds)
    a, b = card["calibration"]["a"], card["calibration"]["b"]
    if list(st["platt"]) != [a, b]:
        bad.append(f"calibration: card {[a, b]} state {st['platt']}")
    if bad:
        print(f"VAL_DATASET_MISMATCH: card={card_path} dataset={data_dir} {'; '.join(bad)}", file=sys.stderr)
        return 3
    idx = ds.indices("validation")
    logit, dir_p, served_p = [], [], []
    with torch.no_grad():
        for k in range(0, len(idx), 1024):
            x = torch.from_numpy(ds.windows(idx[k:k + 1024]))
            v, _, d = model.net(x)
            logit.append(v.numpy()), dir_p.append(torch.softmax(d, 1).numpy())
            served_p.append(model(x)[1][:, 0].numpy())
    logit, dir_p, served_p = np.concatenate(logit), np.concatenate(dir_p), np.concatenate(served_p)
    y = ds.high[idx].astype(np.float64)
    p = 1 / (1 + np.exp(-(a * logit + b)))  # train.py's calibration of the card's numbers
    trainer = {**scored(y, p, logit), "directionAccuracy": float(np.mean(np.argmax(dir_p, 1) == ds.direction[idx]))}
    served = scored(y, served_p.astype(np.float64))
    want = card["metrics"]["validation"]
    diffs = {k: abs(trainer[k] - want[k]) for k in ("auc", "brier", "logLoss", "ece", "eceUncalibrated", "directionAccuracy")}
    os.makedirs(out, exist_ok=True)
    np.savez(os.path.join(out, "validation.npz"), p=p, y=y, t=ds.t[idx], instrument=ds.instrument[idx])
    report = {"checks": {"sources": len(card["data"]["sources"]), "sha256Equal": True, "thresholdsEqual": True, "samplesEqual": ds.meta["samples"],
                         "validationDecisions": int(len(idx)), "maxAbsDiffFromCard": max(diffs.values()), "diffs": diffs},
              "card": {k: want[k] for k in diffs}, "trainerForm": trainer, "servedForm": served,
              "maxAbsDiffForms": float(np.abs(served_p - p).max()), "out": os.path.join(out, "validation.npz")}
    print(json.dumps(report))
    if max(diffs.values()) > TOLERANCE:
        print(f"VAL_METRICS_NOT_REPRODUCED: card={card_path} diffs={diffs}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
