"""Evaluates a trained vol-window model on one split of its dataset against baselines fitted on the
training split (and, for probabilities, calibrated on validation): `ewma` (the kernels' 60 s EWMA
volatility), `har` (a HAR-style regression on the past 30 s, 5 min and 30 min realised volatility),
`logistic` (logistic regression on the same features: the newest row and the window mean of each
transformed feature; its least-squares twin for the magnitude) and `noSkill` (training base rates).
Every metric has a moving-block bootstrap 95% interval. Run by `kestrel model eval`.

Usage: python3 models/vol_window/evaluate.py <card.json> <dataset dir> <split> <out.json> [reps]
"""
import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import Dataset  # noqa: E402
from itransformer import Exported, ITransformer  # noqa: E402
import metrics as M  # noqa: E402


def load_model(card_path):
    card = json.load(open(card_path))
    st = torch.load(os.path.join(os.path.dirname(card_path), card["state"]))
    m = st["model"]
    net = ITransformer(st["kinds"], st["mid"], m["rows"], m["dModel"], m["heads"], m["layers"], m["ff"], m["dropout"])
    net.load_state_dict(st["state"])
    return card, Exported(net, st["platt"][0], st["platt"][1], st["rv"][0], st["rv"][1]).eval()


def run_model(model, ds, idx, batch=1024):
    outs = [[], [], [], []]
    with torch.no_grad():
        for k in range(0, len(idx), batch):
            for o, t in zip(outs, model(torch.from_numpy(ds.windows(idx[k:k + batch])))):
                o.append(t.numpy())
    s, p, r, d = (np.concatenate(o) for o in outs)
    return s[:, 0], p[:, 0], r[:, 0], d


def fit_logistic(x, y, classes=1, l2=1e-3, w=None):
    """Multinomial (classes > 1) or binary logistic regression by L-BFGS; returns a predict function."""
    xt = torch.from_numpy(x.astype(np.float32))
    mu, sd = xt.mean(0), xt.std(0) + 1e-6
    xs = (xt - mu) / sd
    W = torch.zeros(x.shape[1], max(1, classes), requires_grad=True)
    b = torch.zeros(max(1, classes), requires_grad=True)
    yt = torch.from_numpy(y)
    opt = torch.optim.LBFGS([W, b], lr=0.5, max_iter=300)

    def closure():
        opt.zero_grad()
        z = xs @ W + b
        loss = (F.binary_cross_entropy_with_logits(z[:, 0], yt.float()) if classes == 1 else F.cross_entropy(z, yt.long())) + l2 * (W * W).sum()
        loss.backward()
        return loss

    opt.step(closure)

    def predict(xn):
        with torch.no_grad():
            z = ((torch.from_numpy(xn.astype(np.float32)) - mu) / sd) @ W + b
            return (torch.sigmoid(z[:, 0]) if classes == 1 else torch.softmax(z, 1)).numpy().astype(np.float64)

    return predict


def fit_linear(x, y):
    a = np.c_[np.ones(len(x)), x]
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    return lambda xn: np.c_[np.ones(len(xn)), xn] @ coef


def onehot(inst, n):
    return np.eye(n)[inst]


def features(model, ds, idx):
    """The logistic baseline's inputs: newest transformed row and window mean, standardised as the model does."""
    out = []
    with torch.no_grad():
        for k in range(0, len(idx), 2048):
            z = model.net.pre(torch.from_numpy(ds.windows(idx[k:k + 2048])))
            out.append(torch.cat([z[:, -1, :], z.mean(1)], 1).numpy())
    return np.concatenate(out).astype(np.float64)


def vol_metrics(y, p, reps, seed):
    f = lambda i: {"auc": M.auc(y[i], p[i]), "brier": M.brier(y[i], p[i]), "logLoss": M.log_loss(y[i], p[i]), "ece": M.ece(y[i], p[i])}
    point, ci = f(np.arange(len(y))), M.bootstrap(f, len(y), reps, seed)
    out = {}
    for k, v in point.items():
        out[k], out[k + "Ci"] = v, ci[k]
    return out


def mag_metrics(y, pred, reps, seed):
    f = lambda i: {"qlike": M.qlike(y[i], pred[i]), "mse": M.mse(y[i], pred[i])}
    point, ci = f(np.arange(len(y))), M.bootstrap(f, len(y), reps, seed)
    return {"qlike": point["qlike"], "qlikeCi": ci["qlike"], "mse": point["mse"], "mseCi": ci["mse"]}


def dir_metrics(y, pred, reps, seed):
    def f(i):
        p, r = M.precision_recall(y[i], pred[i])
        return {**{"p_" + k: v for k, v in p.items()}, **{"r_" + k: v for k, v in r.items()}}
    point, ci = f(np.arange(len(y))), M.bootstrap(f, len(y), reps, seed)
    names = ("short", "flat", "long")
    return {"precision": {n: point["p_" + n] for n in names}, "precisionCi": {n: ci["p_" + n] for n in names},
            "recall": {n: point["r_" + n] for n in names}, "recallCi": {n: ci["r_" + n] for n in names}}


def trading(signal, ret_bps, spread_bps, threshold, reps, seed):
    m = np.abs(signal) >= threshold
    net = np.where(m, np.sign(signal) * ret_bps - spread_bps, 0.0)
    f = lambda i: {"meanNetBps": float(net[i][m[i]].mean()) if m[i].any() else 0.0, "totalNetBps": float(net[i].sum())}
    ci = M.bootstrap(f, len(net), reps, seed)
    p = f(np.arange(len(net)))
    return {"threshold": threshold, "trades": int(m.sum()), "meanNetBps": p["meanNetBps"], "meanNetBpsCi": ci["meanNetBps"],
            "totalNetBps": p["totalNetBps"], "totalNetBpsCi": ci["totalNetBps"], "equityBps": np.cumsum(net)[:: max(1, len(net) // 400)].tolist()}


def main():
    card_path, ds_dir, split, out_path = sys.argv[1:5]
    reps = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    torch.set_num_threads(1)
    torch.manual_seed(0)
    card, model = load_model(card_path)
    ds = Dataset(ds_dir, card["rows"], "tod_sin" in card.get("extraVariates", []), "sess_asia" in card.get("extraVariates", []))
    layout = ds.layout_index
    n_inst = len(ds.meta["instruments"])
    tr, va, ev = ds.indices("train"), ds.indices("validation"), ds.indices(split)
    if len(ev) == 0:
        print(f"MODEL_DATASET_EMPTY: split={split}", file=sys.stderr)
        return 3
    H = ds.meta["dataset"]["horizonSeconds"]
    ewma_slot = layout[[k for k in layout if k.startswith("ewmavol_")][-1]]

    def ewma_x(i):
        return np.c_[np.log(ds.last_rows(i)[:, ewma_slot].astype(np.float64) * np.sqrt(H) + 1e-7), onehot(ds.instrument[i], n_inst)]

    def har_x(i):
        return np.c_[np.log(ds.past_rv[i]), onehot(ds.instrument[i], n_inst)]

    y_tr, y_ev = ds.high[tr].astype(np.float64), ds.high[ev].astype(np.float64)
    signal, p_model, rv_model, d_model = run_model(model, ds, ev)
    f_tr, f_ev = features(model, ds, tr), features(model, ds, ev)
    f_tr1, f_ev1 = np.c_[f_tr, onehot(ds.instrument[tr], n_inst)], np.c_[f_ev, onehot(ds.instrument[ev], n_inst)]
    probs = {
        "ewma": fit_logistic(ewma_x(tr), y_tr)(ewma_x(ev)),
        "har": fit_logistic(har_x(tr), y_tr)(har_x(ev)),
        "logistic": fit_logistic(f_tr1, y_tr)(f_ev1),
        "noSkill": np.full(len(ev), y_tr.mean()),
    }
    lr_tr, lr_ev = ds.log_rv[tr], ds.log_rv[ev]
    mags = {
        "ewma": fit_linear(ewma_x(tr), lr_tr)(ewma_x(ev)),
        "har": fit_linear(har_x(tr), lr_tr)(har_x(ev)),
        "logistic": fit_linear(f_tr1, lr_tr)(f_ev1),
        "noSkill": np.array([lr_tr[ds.instrument[tr] == i].mean() for i in range(n_inst)])[ds.instrument[ev]],
    }
    lo, hi = lr_tr.min(), lr_tr.max()  # a regression is not trusted outside what training saw
    mags = {k: np.clip(v, lo, hi) for k, v in mags.items()}
    dy_tr, dy_ev = ds.direction[tr].astype(np.int64), ds.direction[ev].astype(np.int64)
    dirs = {
        "logistic": np.argmax(fit_logistic(f_tr1, dy_tr, classes=3)(f_ev1), 1),
        "noSkill": np.full(len(ev), np.bincount(dy_tr, minlength=3).argmax()),
    }
    last = ds.last_rows(ev)
    spread_bps = last[:, layout["spread"]] / np.maximum(last[:, layout["mid"]], 1) * 1e4
    result = {
        "model": card["version"], "rows": int(len(ev)), "split": split, "bootstrap": {"reps": reps, "block": 200, "method": "moving block, time order"},
        "volWindow": {**vol_metrics(y_ev, p_model, reps, 1), "baseRate": float(y_ev.mean()),
                      "baselines": {k: vol_metrics(y_ev, v, reps, 1) for k, v in probs.items()}},
        "magnitude": {**mag_metrics(lr_ev, rv_model, reps, 2), "baselines": {k: mag_metrics(lr_ev, v, reps, 2) for k, v in mags.items()}},
        "direction": {**dir_metrics(dy_ev, np.argmax(d_model, 1), reps, 3), "classRates": np.bincount(dy_ev, minlength=3).astype(float).__truediv__(len(ev)).tolist(),
                      "baselines": {k: dir_metrics(dy_ev, v, reps, 3) for k, v in dirs.items()}},
        "trading": trading(signal, ds.ret_bps[ev], spread_bps, card["threshold"]["threshold"], reps, 4),
        "perInstrument": {ds.meta["instruments"][i]["symbol"]: {"auc": M.auc(y_ev[ds.instrument[ev] == i], p_model[ds.instrument[ev] == i]),
                                                               "aucHar": M.auc(y_ev[ds.instrument[ev] == i], probs["har"][ds.instrument[ev] == i]),
                                                               "rows": int((ds.instrument[ev] == i).sum())} for i in range(n_inst)},
        "curves": {"reliability": {k: M.reliability(y_ev, v) for k, v in {"model": p_model, **probs}.items()},
                   "roc": {k: M.roc(y_ev, v) for k, v in {"model": p_model, **probs}.items()}},
    }
    json.dump(result, open(out_path, "w"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
