"""Validation AUC of trained vol-window models with 95% moving-block bootstrap intervals, for the
size / context / skill sweep (validation only: the trainer's `validation.npz`, its calibrated
high-volatility probabilities and labels with each decision's time and instrument).

The decisions are put in time order and resampled in blocks of consecutive decisions (default 200,
as `kestrel model eval` does): neighbouring decisions are not independent (an instrument decides
every 10 s on a 30 s label, so consecutive labels share most of their window, and volatility comes
in spells of minutes); the label's autocorrelation in time order is printed to show it. Models
validated on the same decisions (every sweep point reads one dataset) are also compared paired:
the AUC difference from a reference model on the same resampled blocks.

Models validated on the same decisions but from datasets whose high-volatility thresholds were
fitted on different training splits (the shipped vol-window/1's 64-row dataset against the sweep's
512-row one, whose longer warm-up drops some training decisions) disagree on a few labels; they are
refused unless `--labels NAME` scores every model against NAME's labels (same decision times and
instruments still required; each model's own AUC and the number of labels that differ are printed).

Usage: /usr/bin/python3 models/vol_window/val_intervals.py [--reps 1000] [--block 200] [--ref NAME] [--labels NAME] NAME=DIR ...
Prints one JSON line per model: {"name", "n", "auc", "ci", "diffRef", "diffCi"} (with --labels also
"ownLabelsAuc", "labelsDiffer"), then {"labelAutocorr": ...}.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics as M  # noqa: E402


def load(dir_):
    """A model's validation predictions in time order (ties by instrument)."""
    z = np.load(os.path.join(dir_, "validation.npz"))
    order = np.lexsort((z["instrument"], z["t"]))
    return {k: z[k][order] for k in ("p", "y", "t", "instrument")}


def main():
    args = sys.argv[1:]
    opts = {"--reps": "1000", "--block": "200", "--ref": "", "--labels": ""}
    while args and args[0] in opts:
        opts[args[0]] = args[1]
        args = args[2:]
    reps, block, ref = int(opts["--reps"]), int(opts["--block"]), opts["--ref"]
    models = {}
    for a in args:
        name, dir_ = a.split("=", 1)
        models[name] = load(dir_)
    labels = opts["--labels"]
    if labels and labels not in models:
        raise SystemExit(f"VAL_LABELS_UNKNOWN: labels={labels} models={list(models)}")
    first = models[labels] if labels else next(iter(models.values()))
    for name, m in models.items():
        same_rows = len(m["t"]) == len(first["t"]) and np.array_equal(m["t"], first["t"]) and np.array_equal(m["instrument"], first["instrument"])
        if not same_rows or (not labels and not np.array_equal(m["y"], first["y"])):
            raise SystemExit(f"VAL_DECISIONS_DIFFER: model={name} (paired intervals need the same validation decisions"
                             f"; same rows: {same_rows}, labels differ: {int((m['y'] != first['y']).sum()) if same_rows else 'n/a'})")
    n = len(first["y"])
    y = first["y"]
    for name, m in models.items():
        p = m["p"]
        out = {"name": name, "n": n, "auc": M.auc(y, p), "ci": M.bootstrap(lambda i: M.auc(y[i], p[i]), n, reps, seed=11, block=block)}
        if labels:
            out["ownLabelsAuc"], out["labelsDiffer"] = M.auc(m["y"], p), int((m["y"] != y).sum())
        if ref and ref in models and ref != name:
            q = models[ref]["p"]
            out["diffRef"] = out["auc"] - M.auc(y, q)
            out["diffCi"] = M.bootstrap(lambda i: M.auc(y[i], p[i]) - M.auc(y[i], q[i]), n, reps, seed=11, block=block)
        print(json.dumps(out), flush=True)
    # Autocorrelation of the label in time order at lags of one round of the instruments and more.
    k = len(np.unique(first["instrument"]))
    yc = y - y.mean()
    ac = {str(lag): float(np.dot(yc[:-lag], yc[lag:]) / np.dot(yc, yc)) for lag in (k, 3 * k, 10 * k, 40 * k)}
    print(json.dumps({"labelAutocorr": ac, "lagUnit": f"{k} decisions (one per instrument, ~10 s)", "reps": reps, "block": block}))


if __name__ == "__main__":
    main()
