"""DPO fine-tuning of the vol-window model's direction head from trade-outcome preference pairs
(run by `kestrel model finetune`, which builds the set from a session store and passes a job file).

The policy is the direction head's distribution pi(d | window) over (short, flat, long). For a pair
(chosen c, rejected r) at a decision window x the DPO loss is
    -log sigmoid(beta * [(log pi(c|x) - log ref(c|x)) - (log pi(r|x) - log ref(r|x))])
with ref the frozen parent, plus klWeight * KL(ref || pi) over the pair windows. Only the direction
rows of the model's last layer are trained (encoder, vol-window and magnitude outputs stay exactly
the parent's). Seeded, one thread, deterministic. Then: reference and candidate scored on the
held-out later validation window (direction accuracy and log-loss, with block-bootstrap 95%
intervals of each and of the paired differences); the candidate is promotable only when the whole
interval of its log-loss improvement is above zero and its accuracy is not lower. Exports ONNX (the
grouped serving form of grouped.py, as train.py does), TorchScript, state, the runtime's weights and
parity windows (the training form's outputs) like train.py, and the card.

Usage: python3 models/vol_window/finetune.py <job.json>
"""
import copy
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import time_of_day  # noqa: E402
from evaluate import load_model  # noqa: E402
from grouped import export_onnx, grouped  # noqa: E402
import metrics as M  # noqa: E402

warnings.filterwarnings("ignore")
OUTPUTS = ["signal", "vol_prob", "log_rv", "direction"]


class Windows:
    """Context windows of a fine-tuning set: rows [row - L + 1, row] of the instrument's rows file."""

    def __init__(self, path, rows, extra):
        self.files = []
        i = 0
        while os.path.exists(os.path.join(path, f"rows-{i}.npy")):
            self.files.append(np.load(os.path.join(path, f"rows-{i}.npy"), mmap_mode="r"))
            i += 1
        self.rows, self.extra = rows, extra
        self.kw = self.files[0].shape[1]

    def get(self, inst, row, t):
        out = np.empty((len(inst), self.rows, self.kw + len(self.extra)), dtype=np.float32)
        offsets = np.arange(-self.rows + 1, 1)
        for i in np.unique(inst):
            sel = np.nonzero(inst == i)[0]
            out[sel, :, :self.kw] = self.files[i][row[sel][:, None] + offsets[None, :]]
        if self.extra:
            out[:, :, self.kw:] = time_of_day(t)[:, None, :]
        return torch.from_numpy(out)


def dir_logp(exported, x):
    """Log-probabilities of the direction head [n, 3]."""
    _, _, logits = exported.net(x)
    return torch.log_softmax(logits, dim=1)


def scores(logp, y):
    """Per-decision correctness and log-loss from log-probabilities [n, 3] and classes [n]."""
    correct = (np.argmax(logp, 1) == y).astype(np.float64)
    loss = -logp[np.arange(len(y)), y]
    return correct, loss


def main():
    job = json.load(open(sys.argv[1]))
    torch.manual_seed(job["seed"])
    np.random.seed(job["seed"])
    torch.set_num_threads(job.get("threads", 1))
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    parent_card, ref = load_model(job["parentCard"])
    policy = copy.deepcopy(ref)
    ref.eval()
    for p in ref.parameters():
        p.requires_grad_(False)
    extra = parent_card.get("extraVariates") or []
    d = job["setDir"]
    col = lambda n: np.load(os.path.join(d, f"{n}.npy"))
    win = Windows(d, parent_card["rows"], extra)
    if win.kw + len(extra) != parent_card["width"]:
        print(f"MODEL_LAYOUT_MISMATCH: card width={parent_card['width']} set width={win.kw}+{len(extra)}", file=sys.stderr)
        return 3
    px = win.get(col("pairs.instrument"), col("pairs.row"), col("pairs.t"))
    chosen = torch.from_numpy(col("pairs.chosen").astype(np.int64))
    rejected = torch.from_numpy(col("pairs.rejected").astype(np.int64))
    vx = win.get(col("val.instrument"), col("val.row"), col("val.t"))
    vy = col("val.direction").astype(np.int64)

    # Only the direction rows (2:5) of the last linear layer learn.
    last = policy.net.head[-1]
    for p in policy.parameters():
        p.requires_grad_(False)
    last.weight.requires_grad_(True)
    last.bias.requires_grad_(True)
    mask_w = torch.zeros_like(last.weight)
    mask_w[2:5] = 1.0
    mask_b = torch.zeros_like(last.bias)
    mask_b[2:5] = 1.0
    opt = torch.optim.Adam([last.weight, last.bias], lr=job["lr"])
    beta, klw = job["beta"], job["klWeight"]
    policy.eval()  # no dropout: the windows are the encoder's, deterministic
    with torch.no_grad():
        ref_lp = dir_logp(ref, px)
    n = len(chosen)
    idx_all = np.arange(n)
    history = []
    for epoch in range(job["epochs"]):
        perm = np.random.default_rng(job["seed"] * 1000 + epoch).permutation(idx_all)
        tot = [0.0, 0.0, 0.0]
        for k in range(0, n, job["batchSize"]):
            b = torch.from_numpy(np.sort(perm[k:k + job["batchSize"]]))
            lp = dir_logp(policy, px[b])
            rl = ref_lp[b]
            ar = torch.arange(len(b))
            margin = (lp[ar, chosen[b]] - rl[ar, chosen[b]]) - (lp[ar, rejected[b]] - rl[ar, rejected[b]])
            dpo = -F.logsigmoid(beta * margin).mean()
            kl = (rl.exp() * (rl - lp)).sum(1).mean()
            loss = dpo + klw * kl
            opt.zero_grad()
            loss.backward()
            last.weight.grad *= mask_w
            last.bias.grad *= mask_b
            opt.step()
            tot[0] += dpo.item() * len(b)
            tot[1] += kl.item() * len(b)
            tot[2] += float((margin > 0).float().sum())
        history.append({"epoch": epoch + 1, "dpoLoss": tot[0] / n, "kl": tot[1] / n, "pairAccuracy": tot[2] / n})
        print(f"finetune epoch {epoch + 1}/{job['epochs']} dpo {tot[0] / n:.4f} kl {tot[1] / n:.5f} pair-acc {tot[2] / n:.3f}", file=sys.stderr)
    policy.eval()

    with torch.no_grad():
        final_lp = dir_logp(policy, px)
        kl_pairs = float((ref_lp.exp() * (ref_lp - final_lp)).sum(1).mean())
        ar = torch.arange(n)
        final_margin = (final_lp[ar, chosen] - ref_lp[ar, chosen]) - (final_lp[ar, rejected] - ref_lp[ar, rejected])
        ref_pref = float(((ref_lp[ar, chosen] - ref_lp[ar, rejected]) > 0).float().mean())
        pol_pref = float(((final_lp[ar, chosen] - final_lp[ar, rejected]) > 0).float().mean())
        v_ref = dir_logp(ref, vx).numpy()
        v_pol = dir_logp(policy, vx).numpy()
        kl_val = float((np.exp(v_ref) * (v_ref - v_pol)).sum(1).mean())
        # The other outputs are untouched: same vol_prob and log_rv on validation windows.
        r_out, p_out = ref(vx[:256]), policy(vx[:256])
        untouched = max(float((r_out[1] - p_out[1]).abs().max()), float((r_out[2] - p_out[2]).abs().max()))
    rc, rl_ = scores(v_ref, vy)
    pc, pl_ = scores(v_pol, vy)
    m = len(vy)
    reps, block = job["reps"], max(1, min(200, m // 10))
    ci = M.bootstrap(lambda i: {"refAcc": rc[i].mean(), "candAcc": pc[i].mean(), "refLoss": rl_[i].mean(), "candLoss": pl_[i].mean(),
                                "accGain": (pc[i] - rc[i]).mean(), "lossGain": (rl_[i] - pl_[i]).mean()}, m, reps, job["seed"], block)
    validation = {
        "decisions": int(m), "bootstrap": {"reps": reps, "block": block},
        "reference": {"directionAccuracy": float(rc.mean()), "directionAccuracyCi": ci["refAcc"], "logLoss": float(rl_.mean()), "logLossCi": ci["refLoss"]},
        "candidate": {"directionAccuracy": float(pc.mean()), "directionAccuracyCi": ci["candAcc"], "logLoss": float(pl_.mean()), "logLossCi": ci["candLoss"]},
        "gain": {"accuracy": float((pc - rc).mean()), "accuracyCi": ci["accGain"], "logLoss": float((rl_ - pl_).mean()), "logLossCi": ci["lossGain"]},
        "klToReference": kl_val,
        # Naive baselines on the same window: always flat, and the window's own class frequencies
        # (fitted on the window itself, so an optimistic log-loss floor for a no-skill model).
        "baselines": {"alwaysFlat": {"directionAccuracy": float(np.mean(vy == 1))},
                      "labelPrior": {"logLoss": float(-np.mean(np.log(np.maximum(np.bincount(vy, minlength=3) / m, 1e-12)[vy])))}},
    }
    promote = bool(ci["lossGain"][0] > 0 and float((pc - rc).mean()) >= 0)
    validation["promote"] = promote
    validation["rule"] = "promote when the 95% interval of the log-loss gain (reference - candidate) lies above 0 and accuracy is not lower"

    # Exports, as train.py does.
    out, name, version = job["outDir"], parent_card["name"], job["version"]
    os.makedirs(out, exist_ok=True)
    sample = vx[np.linspace(0, m - 1, min(64, m)).astype(int)]
    onnx_path = os.path.join(out, f"{name}.onnx")
    # The grouped serving form, as the trainer exports it; the parity outputs below are the training form's
    # (kestrel's finetune checks the ONNX file against them within the trainer's tolerance).
    export_onnx(grouped(policy), sample, onnx_path)
    with torch.no_grad():
        traced = torch.jit.trace(policy, (sample,))
        refout = policy(sample)
    traced.save(os.path.join(out, f"{name}.torchscript.pt"))
    st = torch.load(os.path.join(os.path.dirname(job["parentCard"]), parent_card["state"]))
    st["state"] = policy.net.state_dict()
    torch.save(st, os.path.join(out, f"{name}.state.pt"))
    np.save(os.path.join(out, "parity.context.npy"), sample.numpy())
    for o, t in zip(OUTPUTS, refout):
        np.save(os.path.join(out, f"parity.{o}.npy"), t.numpy().astype(np.float32))
    # onnxExport describes the parent's file (the export it replaced), not this one.
    card = {k: v for k, v in parent_card.items() if k not in ("onnxParity", "onnxSha256", "weightsSha256", "trainedAs", "metrics", "onnxExport")}
    card.update({
        "version": f"{name}/{version}", "registryVersion": version, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "onnx": f"{name}.onnx", "weights": f"{name}.torchscript.pt", "state": f"{name}.state.pt", "stage": "shadow",
        "finetune": {
            "method": "DPO on the direction head + KL(ref || policy)", "parent": parent_card["version"], "parentCard": job["parentCard"],
            "store": job["store"], "pairs": int(n), "set": job["set"], "beta": beta, "klWeight": klw, "lr": job["lr"], "epochs": job["epochs"],
            "batchSize": job["batchSize"], "seed": job["seed"], "history": history, "klOnPairs": kl_pairs,
            "pairPreference": {"reference": ref_pref, "candidate": pol_pref, "meanMargin": float(final_margin.mean())},
            "otherOutputsMaxDiff": untouched, "seconds": round(time.time() - t0, 1), "torch": torch.__version__,
        },
        "metrics": {"finetuneValidation": validation, "parent": parent_card.get("metrics", {})},
        "promote": promote,
    })
    json.dump(card, open(os.path.join(out, f"{name}.json"), "w"), indent=2)
    from export_weights import export
    export(os.path.join(out, f"{name}.json"))
    print(json.dumps({"card": os.path.join(out, f"{name}.json"), "pairs": int(n), "validation": validation, "klOnPairs": kl_pairs, "history": history}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
