"""Metrics of the vol-window model and its baselines, with moving-block bootstrap intervals
(blocks of consecutive samples keep the time dependence of neighbouring decisions)."""
import numpy as np


def auc(y, p):
    """Area under the ROC curve (Mann-Whitney, ties averaged)."""
    y = np.asarray(y).astype(bool)
    n1 = y.sum()
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    ps = np.asarray(p)[order]
    ranks = np.empty(len(p))
    # average ranks over ties
    i = 0
    r = np.arange(1, len(p) + 1, dtype=float)
    _, start, counts = np.unique(ps, return_index=True, return_counts=True)
    avg = start + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def brier(y, p):
    return float(np.mean((np.asarray(p) - y) ** 2))


def log_loss(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def ece(y, p, bins=10):
    """Expected calibration error over equal-width probability bins."""
    edges = np.linspace(0, 1, bins + 1)
    k = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    e = 0.0
    for b in range(bins):
        m = k == b
        if m.any():
            e += m.mean() * abs(p[m].mean() - y[m].mean())
    return float(e)


def reliability(y, p, bins=10):
    """Per-bin mean prediction, observed rate and count."""
    edges = np.linspace(0, 1, bins + 1)
    k = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    return [{"p": float(p[k == b].mean()), "rate": float(y[k == b].mean()), "n": int((k == b).sum())} for b in range(bins) if (k == b).any()]


def roc(y, p, points=50):
    """ROC curve points (fpr, tpr) at quantile thresholds."""
    y = np.asarray(y).astype(bool)
    out = []
    for q in np.linspace(1, 0, points):
        t = np.quantile(p, q)
        pred = p >= t
        out.append([float((pred & ~y).sum() / max(1, (~y).sum())), float((pred & y).sum() / max(1, y.sum()))])
    return out


def qlike(log_rv, pred_log_rv):
    """QLIKE loss of a variance forecast: s/h - log(s/h) - 1 with s, h the realised and predicted variance."""
    r = np.exp(2 * (log_rv - pred_log_rv))
    return float(np.mean(r - np.log(r) - 1))


def mse(a, b):
    return float(np.mean((a - b) ** 2))


def precision_recall(y, pred, classes=("short", "flat", "long")):
    prec, rec = {}, {}
    for c, name in enumerate(classes):
        tp = np.sum((pred == c) & (y == c))
        prec[name] = float(tp / max(1, np.sum(pred == c))) if np.any(pred == c) else 0.0
        rec[name] = float(tp / max(1, np.sum(y == c)))
    return prec, rec


def block_indices(n, rng, block=200):
    """Moving-block bootstrap resample of 0..n-1."""
    starts = rng.integers(0, max(1, n - block + 1), size=int(np.ceil(n / block)))
    idx = (starts[:, None] + np.arange(block)[None, :]).ravel()[:n]
    return np.minimum(idx, n - 1)


def bootstrap(fn, n, reps, seed, block=200):
    """95% interval of fn(idx) over block-bootstrap resamples; fn returns a float or a dict of floats."""
    rng = np.random.default_rng(seed)
    draws = [fn(block_indices(n, rng, block)) for _ in range(reps)]
    if isinstance(draws[0], dict):
        return {k: [float(np.nanpercentile([d[k] for d in draws], 2.5)), float(np.nanpercentile([d[k] for d in draws], 97.5))] for k in draws[0]}
    return [float(np.nanpercentile(draws, 2.5)), float(np.nanpercentile(draws, 97.5))]
