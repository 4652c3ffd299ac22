"""Trains the vol-window iTransformer from a `kestrel model dataset` folder (run by
`kestrel model train <config>`, which passes the validated config as JSON).

Seeded and reproducible on the CPU (one thread by default), early stopping on the validation loss,
a checkpoint after every epoch (`--resume` continues from it), then: Platt calibration of the
vol-window probability and the trading threshold, both on validation (the test split is never read
here); ONNX export (opset 17, the grouped serving form of models/vol_window/grouped.py) and a TorchScript copy for the GPU sidecar; real validation windows with
PyTorch's outputs for the runtime's ONNX parity check; the model card.

Usage: python3 models/vol_window/train.py <job.json> [--resume]
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import Dataset  # noqa: E402
from itransformer import Exported, ITransformer, feature_kinds  # noqa: E402
from grouped import export_onnx, grouped  # noqa: E402
import metrics as M  # noqa: E402

warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)

OUTPUTS = ["signal", "vol_prob", "log_rv", "direction"]


def bar(done, total, width=24):
    k = int(width * done / max(1, total))
    return "|" + "#" * k + "-" * (width - k) + "|"


def fmt_eta(s):
    s = int(max(0, s))
    return f"{s // 60}:{s % 60:02d}"


class Progress:
    """A progress line on stderr: rewritten in place on a terminal, one line per step otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def show(self, text, final=False):
        now = time.time()
        if not final and now - self.last < (0.2 if self.tty else 5.0):
            return
        self.last = now
        sys.stderr.write(("\r" + text + " " * 4) if self.tty else (text + "\n"))
        if final and self.tty:
            sys.stderr.write("\n")
        sys.stderr.flush()


def fit_stats(net, ds, idx, batch=512):
    """Mean and deviation of each transformed feature over training windows."""
    s1 = torch.zeros(ds.width, dtype=torch.float64)
    s2 = torch.zeros(ds.width, dtype=torch.float64)
    n = 0
    with torch.no_grad():
        for k in range(0, len(idx), batch):
            z = net.pre.transform(torch.from_numpy(ds.windows(idx[k:k + batch]))).double()
            s1 += z.sum(dim=(0, 1))
            s2 += (z * z).sum(dim=(0, 1))
            n += z.shape[0] * z.shape[1]
    mean = s1 / n
    std = torch.sqrt(torch.clamp(s2 / n - mean * mean, min=0))
    std[std < 1e-6] = 1.0
    net.pre.mean.copy_(mean.float())
    net.pre.std.copy_(std.float())


def losses(net, x, high, rvz, direction, cfg):
    vol_logit, rv_hat, dir_logits = net(x)
    l_vol = F.binary_cross_entropy_with_logits(vol_logit, high)
    l_rv = F.mse_loss(rv_hat, rvz)
    l_dir = F.cross_entropy(dir_logits, direction)
    return l_vol + cfg["magnitudeWeight"] * l_rv + cfg["directionWeight"] * l_dir, (l_vol, l_rv, l_dir)


def tensors(ds, idx, rv_mean, rv_std):
    return (torch.from_numpy(ds.windows(idx)), torch.from_numpy(ds.high[idx].astype(np.float32)),
            torch.from_numpy(((ds.log_rv[idx] - rv_mean) / rv_std).astype(np.float32)), torch.from_numpy(ds.direction[idx].astype(np.int64)))


def predict(net, ds, idx, batch=1024):
    """Raw outputs over samples: vol logits, standardised log RV, direction probabilities."""
    net.eval()
    out = ([], [], [])
    with torch.no_grad():
        for k in range(0, len(idx), batch):
            v, r, d = net(torch.from_numpy(ds.windows(idx[k:k + batch])))
            out[0].append(v.numpy()), out[1].append(r.numpy()), out[2].append(torch.softmax(d, 1).numpy())
    return np.concatenate(out[0]), np.concatenate(out[1]), np.concatenate(out[2])


def platt(logit, y):
    """Fits p = sigmoid(a * logit + b) by maximum likelihood."""
    a = torch.ones(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    x = torch.from_numpy(logit.astype(np.float64)).float()
    t = torch.from_numpy(y.astype(np.float32))
    opt = torch.optim.LBFGS([a, b], lr=0.5, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(a * x + b, t)
        loss.backward()
        return loss

    opt.step(closure)
    return float(a.item()), float(b.item())


def choose_threshold(signal, ret_bps, spread_bps, min_trades=30):
    """Trading threshold on |signal| that maximises the total net basis points on validation."""
    mag = np.abs(signal)
    best = None
    for q in np.linspace(0.5, 0.995, 100):
        tau = float(np.quantile(mag, q))
        m = mag >= tau
        if m.sum() < min_trades:
            continue
        net = np.sign(signal[m]) * ret_bps[m] - spread_bps[m]
        cand = {"threshold": tau, "trades": int(m.sum()), "meanNetBps": float(net.mean()), "totalNetBps": float(net.sum())}
        if best is None or cand["totalNetBps"] > best["totalNetBps"]:
            best = cand
    lo = float(np.quantile(mag, 0.9))
    hi = float(np.quantile(mag, 0.999))
    best = best or {"threshold": hi, "trades": 0, "meanNetBps": 0.0, "totalNetBps": 0.0}
    best["positive"] = best["totalNetBps"] > 0
    best["bounds"] = [min(lo, best["threshold"]), max(hi, best["threshold"])]
    return best


def main():
    job = json.load(open(sys.argv[1]))
    resume = "--resume" in sys.argv
    cfg, mcfg = job["train"], job["model"]
    out = job["outDir"]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.set_num_threads(cfg["threads"])
    torch.use_deterministic_algorithms(True)
    t_start = time.time()

    ds = Dataset(job["datasetDir"], mcfg["rows"], bool(mcfg.get("timeOfDay", False)), bool(mcfg.get("session", False)))
    layout = ds.layout_index
    kinds = feature_kinds(layout)
    train_idx, val_idx = ds.indices("train"), ds.indices("validation")
    if len(train_idx) == 0 or len(val_idx) == 0:
        print(f"MODEL_DATASET_EMPTY: train={len(train_idx)} validation={len(val_idx)}", file=sys.stderr)
        return 3
    net = ITransformer(kinds, layout["mid"], mcfg["rows"], mcfg["dModel"], mcfg["heads"], mcfg["layers"], mcfg["ff"], mcfg["dropout"])
    rv_mean, rv_std = float(ds.log_rv[train_idx].mean()), float(ds.log_rv[train_idx].std())
    rng = np.random.default_rng(cfg["seed"])
    fit_stats(net, ds, np.sort(rng.choice(train_idx, size=min(20000, len(train_idx)), replace=False)))
    opt = torch.optim.AdamW(net.parameters(), lr=cfg["lr"], weight_decay=1e-4)
    ckpt_path = os.path.join(out, "checkpoint.pt")
    start_epoch, best, best_state, bad, history = 0, float("inf"), None, 0, []
    if resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        start_epoch, best, best_state, bad, history = ck["epoch"] + 1, ck["best"], ck["best_state"], ck["bad"], ck["history"]
        torch.set_rng_state(ck["rng"])
        print(f"resumed from epoch {ck['epoch'] + 1} (best validation loss {best:.4f})", file=sys.stderr)
    vx = tensors(ds, val_idx[:: max(1, len(val_idx) // 20000)], rv_mean, rv_std)
    per_epoch = cfg["samplesPerEpoch"] or len(train_idx)
    steps = int(np.ceil(min(per_epoch, len(train_idx)) / cfg["batchSize"]))
    prog = Progress()
    stopped_early = False
    epoch = start_epoch
    for epoch in range(start_epoch, cfg["epochs"]):
        if bad >= cfg["patience"]:
            stopped_early = True
            break
        net.train()
        perm = np.random.default_rng(cfg["seed"] * 1000 + epoch).permutation(train_idx)[:per_epoch]
        t0 = time.time()
        run = 0.0
        for s in range(steps):
            x, h, r, d = tensors(ds, np.sort(perm[s * cfg["batchSize"]:(s + 1) * cfg["batchSize"]]), rv_mean, rv_std)
            loss, _ = losses(net, x, h, r, d, cfg)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            run = loss.item() if s == 0 else 0.98 * run + 0.02 * loss.item()
            el = time.time() - t0
            eta = el / (s + 1) * (steps - s - 1) + el / (s + 1) * steps * (cfg["epochs"] - epoch - 1)
            prog.show(f"epoch {epoch + 1}/{cfg['epochs']} {bar(s + 1, steps)} {100 * (s + 1) // steps:3d}% loss {run:.4f} val {history[-1]['val'] if history else float('nan'):.4f} eta {fmt_eta(eta)}")
        net.eval()
        with torch.no_grad():
            vl, parts = [], []
            for k in range(0, len(vx[0]), 2048):
                l, p = losses(net, *(t[k:k + 2048] for t in vx), cfg)
                vl.append(l.item() * len(vx[0][k:k + 2048]))
            val = sum(vl) / len(vx[0])
        history.append({"epoch": epoch + 1, "train": run, "val": val, "seconds": time.time() - t0})
        if val < best - 1e-4:
            best, bad = val, 0
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            bad += 1
        prog.show(f"epoch {epoch + 1}/{cfg['epochs']} {bar(1, 1)} 100% loss {run:.4f} val {val:.4f}{' *' if bad == 0 else ''}", final=True)
        torch.save({"model": net.state_dict(), "opt": opt.state_dict(), "epoch": epoch, "best": best, "best_state": best_state, "bad": bad,
                    "history": history, "rng": torch.get_rng_state()}, ckpt_path)
    if bad >= cfg["patience"]:
        stopped_early = True
    net.load_state_dict(best_state)
    net.eval()

    # Calibration and threshold, on validation only.
    v_logit, v_rvz, v_dir = predict(net, ds, val_idx)
    y_val = ds.high[val_idx].astype(np.float64)
    a, b = platt(v_logit, y_val)
    p_val = 1 / (1 + np.exp(-(a * v_logit + b)))
    signal = p_val * (v_dir[:, 2] - v_dir[:, 0])
    last = ds.last_rows(val_idx)
    spread_bps = last[:, layout["spread"]] / np.maximum(last[:, layout["mid"]], 1) * 1e4
    threshold = choose_threshold(signal, ds.ret_bps[val_idx], spread_bps)
    exported = Exported(net, a, b, rv_mean, rv_std).eval()
    val_metrics = {"auc": M.auc(y_val, p_val), "brier": M.brier(y_val, p_val), "logLoss": M.log_loss(y_val, p_val), "ece": M.ece(y_val, p_val),
                   "eceUncalibrated": M.ece(y_val, 1 / (1 + np.exp(-v_logit))), "magnitudeMse": M.mse(ds.log_rv[val_idx], v_rvz * rv_std + rv_mean),
                   "directionAccuracy": float(np.mean(np.argmax(v_dir, 1) == ds.direction[val_idx]))}

    # Exports: ONNX (opset 17) for onnxruntime-node, TorchScript for the sidecar, state for evaluation.
    name = job["name"]
    sample = torch.from_numpy(ds.windows(val_idx[np.linspace(0, len(val_idx) - 1, 64).astype(int)]))
    onnx_path = os.path.join(out, f"{name}.onnx")
    # The ONNX file is the grouped serving form (same arithmetic, fewer element-wise passes); parity below is against the training form.
    export_onnx(grouped(exported), sample, onnx_path)
    with torch.no_grad():
        traced = torch.jit.trace(exported, (sample,))
        ref = exported(sample)
    traced.save(os.path.join(out, f"{name}.torchscript.pt"))
    torch.save({"state": net.state_dict(), "platt": [a, b], "rv": [rv_mean, rv_std], "kinds": kinds, "mid": layout["mid"], "model": mcfg}, os.path.join(out, f"{name}.state.pt"))
    np.save(os.path.join(out, "parity.context.npy"), sample.numpy())
    # Validation predictions with their decision times, for interval estimates after training (models/vol_window/val_intervals.py).
    np.savez(os.path.join(out, "validation.npz"), p=p_val, y=y_val, t=ds.t[val_idx], instrument=ds.instrument[val_idx])
    for o, t in zip(OUTPUTS, ref):
        np.save(os.path.join(out, f"parity.{o}.npy"), t.numpy().astype(np.float32))

    params = sum(p.numel() for p in net.parameters())
    card = {
        "version": f"{name}/{job['version']}", "name": name, "registryVersion": job["version"],
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "onnx": f"{name}.onnx", "weights": f"{name}.torchscript.pt", "state": f"{name}.state.pt",
        "input": {"name": "context", "dtype": "float32", "shape": ["batch", mcfg["rows"], ds.width]},
        "output": {"name": "signal", "dtype": "float32", "shape": ["batch", 1], "range": [-1, 1]},
        "outputs": {"signal": "p_vol * (p_long - p_short)", "vol_prob": "calibrated P(high-volatility window in the next H s)",
                    "log_rv": "predicted log realised volatility over the next H s", "direction": "P(short), P(flat), P(long)"},
        "rows": mcfg["rows"], "width": ds.width, "layout": layout, "extraVariates": ds.extra,
        "architecture": {"kind": "iTransformer", **mcfg, "parameters": int(params)},
        "training": {**cfg, "epochsRun": len(history), "stoppedEarly": stopped_early, "history": history, "seconds": round(time.time() - t_start, 1),
                     "torch": torch.__version__, "device": "cpu"},
        "data": {"dataset": job["datasetDir"], "config": job["configFile"], "sources": ds.meta["sources"], "instruments": ds.meta["instruments"],
                 "splits": ds.meta["dataset"]["splits"], "embargoSeconds": ds.meta["dataset"]["embargoSeconds"], "samples": ds.meta["samples"],
                 "horizonSeconds": ds.meta["dataset"]["horizonSeconds"], "sampleEveryMs": ds.meta["dataset"]["sampleEveryMs"],
                 "deadBandBps": ds.meta["dataset"]["deadBandBps"], "highVolQuantile": ds.meta["dataset"]["highVolQuantile"]},
        "normalisation": {"fittedOn": "train", "mean": net.pre.mean.tolist(), "std": net.pre.std.tolist(), "logRv": [rv_mean, rv_std]},
        "calibration": {"method": "platt", "fittedOn": "validation", "a": a, "b": b},
        "threshold": {**threshold, "chosenOn": "validation", "on": "|signal|", "costModel": "one full spread per round trip"},
        "metrics": {"validation": val_metrics},
    }
    json.dump(card, open(os.path.join(out, f"{name}.json"), "w"), indent=2)
    from export_weights import export  # the weights for the runtime's synchronous TypeScript forward pass
    export(os.path.join(out, f"{name}.json"))
    print(json.dumps({"card": os.path.join(out, f"{name}.json"), "epochs": len(history), "best": best, "validation": val_metrics, "threshold": threshold,
                      "seconds": card["training"]["seconds"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
