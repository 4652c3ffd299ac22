"""Kestrel GPU sidecar: Monte Carlo VaR and expected shortfall with PyTorch, CUDA when a GPU is
present and the CPU otherwise, served over the shared-memory bridge.

Usage: /usr/bin/python3 gpu-bridge/sidecar/var_sidecar.py <segment-path> [--spin] [--device cpu|cuda] [--model path]

Methods:
  var   {exposures: bin f64[n], cov: bin f64[n*n], covHorizonSeconds, horizonSeconds, confidence,
         paths, dist: "normal"|"student-t", dof, seed}
        -> {var, es, mean, std, paths, device, elapsedNs}
  var.bootstrap {exposures: bin f64[n], history: bin f64[T*n], stepSeconds, horizonSeconds,
         confidence, paths, seed} -> as var (paths sum round(horizon / step) resampled steps)
  infer {input: bin f32[count*rows*width], count, rows, width} -> {output: bin f32[count], count,
         version, device, elapsedNs}: the signal model (infer_model.py; --model <weights.msgpack>,
         default models/signal-mlp.weights.msgpack)
  info  nil -> {device, torch, threads}

The hot methods also come as fixed-layout binary frames (frames.py, gpu-bridge/PROTOCOL.md): kinds
3 var, 4 var.bootstrap and 5 infer, decoded into the same bodies and computed by the same code as
their msgpack twins, so their answers are bit-equal; kind 0 echo returns its body.

Definitions match gpu-bridge/var/monte-carlo.ts: returns r = L z scaled by sqrt(horizon /
covHorizon), Student-t scaled by sqrt((dof - 2) / W), W ~ chi2(dof), so that its covariance is
cov; loss = -w.r, computed as -(L^T w).z; with k = ceil((1 - confidence) * paths), VaR is the k-th largest loss and ES
the mean of the k largest. Paths run in chunks, with a heartbeat between chunks.
"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import frames  # noqa: E402
import infer_model  # noqa: E402
import kshm  # noqa: E402


def pick_device(arg):
    if arg:
        return torch.device(arg)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def tail_count(paths, confidence):
    return max(1, math.ceil((1 - confidence) * paths - 1e-9))


def monte_carlo_var(req, device, beat):
    w64 = np.frombuffer(req["exposures"], dtype="<f8")
    n = w64.size
    cov64 = np.frombuffer(req["cov"], dtype="<f8")
    if n < 1 or cov64.size != n * n:
        return kshm.STATUS_ERROR, f"VAR_REQUEST_INVALID: instruments={n} cov={cov64.size}"
    dtype = torch.float32
    cov = torch.tensor(cov64.reshape(n, n), dtype=torch.float64)
    L, info = torch.linalg.cholesky_ex(cov)
    if int(info) != 0:
        return kshm.STATUS_ERROR, f"VAR_COVARIANCE_INVALID: not_positive_definite pivot={int(info) - 1}"
    scale = math.sqrt(req["horizonSeconds"] / req["covHorizonSeconds"])
    # P&L of a path is w.(L z) = (L^T w).z: n multiply-adds per path instead of n^2 / 2, exact
    # for a linear book (the same reduction as the in-process engine).
    b = ((L.T @ torch.tensor(w64, dtype=torch.float64)) * scale).to(device=device, dtype=dtype)
    paths = int(req["paths"])
    k = tail_count(paths, req["confidence"])
    student = req.get("dist") == "student-t"
    dof = float(req.get("dof") or 0)
    gen = torch.Generator(device=device)
    gen.manual_seed(int(req.get("seed") or 0x5EED))
    chunk = (1 << 22) if device.type == "cuda" else (1 << 16)
    top = torch.empty(0, dtype=dtype, device=device)
    s1 = torch.zeros((), dtype=torch.float64, device=device)
    s2 = torch.zeros((), dtype=torch.float64, device=device)
    t0 = time.perf_counter_ns()
    done = 0
    while done < paths:
        m = min(chunk, paths - done)
        z = torch.randn((m, n), generator=gen, device=device, dtype=dtype)
        pnl = z @ b
        if student:
            shape = torch.full((m,), dof / 2, dtype=dtype, device=device)
            chi2 = 2 * torch._standard_gamma(shape, generator=gen)
            pnl *= torch.sqrt((dof - 2) / chi2)
        s1 += pnl.sum(dtype=torch.float64)
        s2 += (pnl.double() ** 2).sum()
        cand = torch.cat([top, torch.topk(-pnl, min(k, m)).values])
        top = torch.topk(cand, min(k, cand.numel())).values
        done += m
        beat()
    if device.type == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter_ns() - t0
    mean = float(s1) / paths
    std = math.sqrt(max(0.0, float(s2) / paths - mean * mean))
    return kshm.STATUS_OK, {
        "var": float(top[k - 1]),
        "es": float(top.double().mean()),
        "mean": mean,
        "std": std,
        "paths": paths,
        "device": str(device),
        "elapsedNs": elapsed,
    }


def bootstrap_var(req, device, beat):
    w64 = np.frombuffer(req["exposures"], dtype="<f8")
    n = w64.size
    hist = np.frombuffer(req["history"], dtype="<f8")
    if n < 1 or hist.size < n or hist.size % n:
        return kshm.STATUS_ERROR, f"VAR_REQUEST_INVALID: instruments={n} history={hist.size}"
    steps = max(1, round(req["horizonSeconds"] / req["stepSeconds"]))
    paths = int(req["paths"])
    k = tail_count(paths, req["confidence"])
    # Each historical step reduced to its portfolio P&L (the book is linear).
    step_pnl = torch.tensor(hist.reshape(-1, n) @ w64, dtype=torch.float64, device=device)
    T = step_pnl.numel()
    gen = torch.Generator(device=device)
    gen.manual_seed(int(req.get("seed") or 0x5EED))
    chunk = max(1, (1 << 24) // steps)
    top = torch.empty(0, dtype=torch.float64, device=device)
    s1 = 0.0
    s2 = 0.0
    t0 = time.perf_counter_ns()
    done = 0
    while done < paths:
        m = min(chunk, paths - done)
        idx = torch.randint(T, (m, steps), generator=gen, device=device)
        pnl = step_pnl[idx].sum(dim=1)
        s1 += float(pnl.sum())
        s2 += float((pnl * pnl).sum())
        cand = torch.cat([top, torch.topk(-pnl, min(k, m)).values])
        top = torch.topk(cand, min(k, cand.numel())).values
        done += m
        beat()
    elapsed = time.perf_counter_ns() - t0
    mean = s1 / paths
    return kshm.STATUS_OK, {
        "var": float(top[k - 1]),
        "es": float(top.mean()),
        "mean": mean,
        "std": math.sqrt(max(0.0, s2 / paths - mean * mean)),
        "paths": paths,
        "device": str(device),
        "elapsedNs": elapsed,
    }


def main(argv):
    if len(argv) < 2:
        print("usage: var_sidecar.py <segment-path> [--spin] [--device cpu|cuda] [--model weights.msgpack]", file=sys.stderr)
        return 2
    device = pick_device(argv[argv.index("--device") + 1] if "--device" in argv else None)
    version = int(argv[argv.index("--version") + 1]) if "--version" in argv else kshm.VERSION
    try:
        bridge = kshm.Bridge(argv[1], version)
    except (OSError, kshm.AttachError) as e:
        print(str(e), file=sys.stderr)
        return 3
    model = infer_model.load(argv[argv.index("--model") + 1] if "--model" in argv else None, device)

    def handle(method, body, beat):
        if method == "var":
            return monte_carlo_var(body, device, beat)
        if method == "var.bootstrap":
            return bootstrap_var(body, device, beat)
        if method == "infer":
            return infer_model.infer(model, body)
        if method == "info":
            return kshm.STATUS_OK, {"device": str(device), "torch": torch.__version__, "threads": torch.get_num_threads()}
        return kshm.STATUS_UNKNOWN_METHOD, method

    def handle_frame(kind, body, beat):
        if kind == frames.ECHO:
            return kshm.STATUS_OK, bytes(body), 0
        if kind == frames.VAR or kind == frames.VAR_BOOTSTRAP:
            req = frames.decode_var(body) if kind == frames.VAR else frames.decode_bootstrap(body)
            status, out = monte_carlo_var(req, device, beat) if kind == frames.VAR else bootstrap_var(req, device, beat)
            if status != kshm.STATUS_OK:
                return status, str(out).encode(), 0
            return status, frames.encode_var_reply(out), out["elapsedNs"]
        if kind == frames.INFER:
            status, out = infer_model.infer(model, frames.decode_infer(body))
            if status != kshm.STATUS_OK:
                return status, str(out).encode(), 0
            return status, frames.encode_infer_reply(out), out["elapsedNs"]
        return None

    bridge.serve(handle, spin="--spin" in argv, handle_frame=handle_frame)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
