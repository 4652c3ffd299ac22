"""PPO learner for the execution agent (clipped objective, GAE, entropy bonus, KL early stop),
and what the other learners share: observation normalisation, MLPs, the policy file, the card.
Driven by learn.py."""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

OBS_CLIP = 10.0


class RunningNorm:
    """Running mean and variance of observations (Chan et al. parallel update)."""

    def __init__(self, dim):
        self.mean = np.zeros(dim, np.float64)
        self.var = np.ones(dim, np.float64)
        self.count = 1e-4

    def update(self, x):
        m, v, n = x.mean(0), x.var(0), x.shape[0]
        d = m - self.mean
        tot = self.count + n
        self.mean = self.mean + d * n / tot
        self.var = (self.var * self.count + v * n + d * d * self.count * n / tot) / tot
        self.count = tot

    def std(self):
        return np.sqrt(np.maximum(self.var, 1e-8))

    def state(self):
        return {"mean": self.mean, "var": self.var, "count": self.count}

    def load(self, s):
        self.mean, self.var, self.count = s["mean"], s["var"], s["count"]


def mlp(i, h, o):
    return nn.Sequential(nn.Linear(i, h), nn.Tanh(), nn.Linear(h, h), nn.Tanh(), nn.Linear(h, o))


class ActorCritic(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.actor = mlp(obs_dim, hidden, act_dim)
        self.critic = mlp(obs_dim, hidden, 1)
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))
        for m in list(self.actor) + list(self.critic):
            if isinstance(m, nn.Linear):
                nn.init.orthogonal_(m.weight, math.sqrt(2))
                nn.init.zeros_(m.bias)
        nn.init.orthogonal_(self.actor[-1].weight, 0.01)
        nn.init.orthogonal_(self.critic[-1].weight, 1.0)

    def dist(self, x):
        return torch.distributions.Normal(self.actor(x), self.log_std.exp())


class Exported(nn.Module):
    """What ONNX carries: normalisation, the actor's mean action and the critic's value."""

    def __init__(self, ac, mean, std):
        super().__init__()
        self.ac = ac
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("inv", torch.tensor(1.0 / std, dtype=torch.float32))

    def forward(self, obs):
        x = torch.clamp((obs - self.mean) * self.inv, -OBS_CLIP, OBS_CLIP)
        return self.ac.actor(x), self.ac.critic(x)


def normalise(obs, norm):
    return np.clip((obs - norm.mean) / norm.std(), -OBS_CLIP, OBS_CLIP).astype(np.float32)


def write_policy(path, actor, log_std, norm, extra=None, last="linear"):
    """Writes the policy file the TypeScript side runs: normalisation, dense layers, exploration log-std."""
    layers = []
    lin = [m for m in actor if isinstance(m, nn.Linear)]
    for k, m in enumerate(lin):
        layers.append({"w": m.weight.detach().double().flatten().tolist(), "b": m.bias.detach().double().tolist(), "act": last if k == len(lin) - 1 else "tanh"})
    p = {"obsDim": int(norm.mean.shape[0]), "actionDim": int(lin[-1].out_features), "obsMean": norm.mean.tolist(), "obsStd": norm.std().tolist(), "obsClip": OBS_CLIP,
         "layers": layers, "logStd": [float(v) for v in log_std]}
    if extra:
        p.update(extra)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(p, f)
    os.replace(tmp, path)
    return path


def gae(rew, val, done, last_val, gamma, lam):
    """Generalised advantage estimates; done[t] ends the episode after step t."""
    T = rew.shape[0]
    adv = np.zeros_like(rew)
    last = np.zeros(rew.shape[1], np.float32)
    for t in reversed(range(T)):
        nxt = last_val if t == T - 1 else val[t + 1]
        nonterm = 1.0 - done[t]
        delta = rew[t] + gamma * nxt * nonterm - val[t]
        last = delta + gamma * lam * nonterm * last
        adv[t] = last
    return adv, adv + val


def ppo_epochs(ac, opt, xb, a, old_logp, adv_t, ret_t, L):
    """PPO's clipped-objective epochs over one batch (minibatches, advantage normalisation, early stop on KL); returns mean stats and whether it stopped early."""
    n = xb.shape[0]
    mb = min(L["minibatch"], n)
    stats = {"policyLoss": 0.0, "valueLoss": 0.0, "entropy": 0.0, "kl": 0.0, "clipFrac": 0.0}
    batches = 0
    stop = False
    for _ in range(L["epochs"]):
        perm = torch.randperm(n)
        for s in range(0, n, mb):
            idx = perm[s:s + mb]
            dd = ac.dist(xb[idx])
            logp = dd.log_prob(a[idx]).sum(-1)
            ratio = (logp - old_logp[idx]).exp()
            A = adv_t[idx]
            A = (A - A.mean()) / (A.std() + 1e-8) if A.numel() > 1 else A
            pl = -torch.min(ratio * A, ratio.clamp(1 - L["clip"], 1 + L["clip"]) * A).mean()
            v = ac.critic(xb[idx]).squeeze(-1)
            vl = 0.5 * (v - ret_t[idx]).pow(2).mean()
            ent = dd.entropy().sum(-1).mean()
            loss = pl + L["valueCoef"] * vl - L["entropy"] * ent
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(ac.parameters(), L["maxGradNorm"])
            opt.step()
            with torch.no_grad():
                kl = ((ratio - 1) - (logp - old_logp[idx])).mean().item()
            stats["policyLoss"] += pl.item()
            stats["valueLoss"] += vl.item()
            stats["entropy"] += ent.item()
            stats["kl"] += kl
            stats["clipFrac"] += ((ratio - 1).abs() > L["clip"]).float().mean().item()
            batches += 1
            if L.get("targetKl", 0) > 0 and kl > 1.5 * L["targetKl"]:
                stop = True
                break
        if stop:
            break
    for k in stats:
        stats[k] /= max(1, batches)
    return stats, stop


class Learner:
    def __init__(self, job, resume):
        self.job = job
        L = job["learner"]
        self.L = L
        self.out = job["outDir"]
        torch.set_num_threads(L["threads"])
        torch.manual_seed(L["seed"])
        np.random.seed(L["seed"])
        self.ac = ActorCritic(job["obsDim"], job["actionDim"], L["hidden"])
        self.opt = torch.optim.Adam(self.ac.parameters(), lr=L["lr"], eps=1e-5)
        self.norm = RunningNorm(job["obsDim"])
        self.iteration = 0
        self.history = []
        ck = os.path.join(self.out, "checkpoint.pt")
        if resume and os.path.exists(ck):
            s = torch.load(ck)
            self.ac.load_state_dict(s["model"])
            self.opt.load_state_dict(s["opt"])
            self.norm.load(s["norm"])
            self.iteration = s["iteration"]
            self.history = s["history"]
            torch.set_rng_state(s["torch_rng"])
            np.random.set_state(s["np_rng"])

    def policy_path(self):
        return write_policy(os.path.join(self.out, f"policy-{self.iteration:05d}.json"), self.ac.actor, self.ac.log_std.detach().tolist(), self.norm)

    def checkpoint(self):
        tmp = os.path.join(self.out, "checkpoint.pt.tmp")
        torch.save({"model": self.ac.state_dict(), "opt": self.opt.state_dict(), "norm": self.norm.state(), "iteration": self.iteration,
                    "history": self.history, "torch_rng": torch.get_rng_state(), "np_rng": np.random.get_state()}, tmp)
        os.replace(tmp, os.path.join(self.out, "checkpoint.pt"))

    def update(self, rdir, episodes):
        L = self.L
        obs = np.load(os.path.join(rdir, "obs.npy"))  # [T+1, N, D]
        act = np.load(os.path.join(rdir, "actions.npy"))  # [T, N, A]
        rew = np.load(os.path.join(rdir, "rewards.npy"))  # [T, N]
        done = np.load(os.path.join(rdir, "dones.npy")).astype(np.float32)  # [T, N]
        T, N, D = act.shape[0], act.shape[1], obs.shape[2]
        # The rollout was played with the current normalisation; log-probs and values under it.
        x = torch.from_numpy(normalise(obs.reshape(-1, D), self.norm)).reshape(T + 1, N, D)
        with torch.no_grad():
            d = self.ac.dist(x[:T].reshape(-1, D))
            a = torch.from_numpy(act.reshape(-1, act.shape[2]))
            old_logp = d.log_prob(a).sum(-1)
            val = self.ac.critic(x.reshape(-1, D)).reshape(T + 1, N).numpy()
        adv, ret = gae(rew, val[:T], done, val[T], L["gamma"], L["lambda"])
        adv_t = torch.from_numpy(adv.reshape(-1))
        ret_t = torch.from_numpy(ret.reshape(-1).astype(np.float32))
        xb = x[:T].reshape(-1, D)
        stats, stop = ppo_epochs(self.ac, self.opt, xb, a, old_logp, adv_t, ret_t, L)
        # The next rollout's normalisation includes this one's observations.
        self.norm.update(obs.reshape(-1, D).astype(np.float64))
        self.iteration += 1
        stats.update({"episodeReward": episodes.get("meanReturn"), "episodes": episodes.get("count"), "earlyStop": stop, "steps": int(T * N)})
        self.history.append({"iteration": self.iteration, **stats})
        if self.iteration % self.L["checkpointEvery"] == 0 or self.iteration == self.L["iterations"]:
            self.checkpoint()
        return stats

    def export(self):
        return export_card(self, Exported(self.ac, self.norm.mean, self.norm.std()).eval(), self.ac.actor, self.ac.log_std.detach().tolist(), "linear")


def export_card(lr, exported, actor, log_std, last):
    """Exports ONNX (opset 17: obs -> action, value) and writes the card with PyTorch's outputs on probes."""
    job = lr.job
    name, version = job["name"], job["version"]
    onnx_name = f"{name}.onnx"
    sample = torch.zeros(1, job["obsDim"])
    torch.onnx.export(exported, (sample,), os.path.join(lr.out, onnx_name), input_names=["obs"], output_names=["action", "value"], opset_version=17,
                      dynamic_axes={"obs": {0: "batch"}, "action": {0: "batch"}, "value": {0: "batch"}})
    g = np.random.RandomState(0)
    probe = (lr.norm.mean + lr.norm.std() * g.randn(64, job["obsDim"])).astype(np.float32)
    with torch.no_grad():
        pa, pv = exported(torch.from_numpy(probe))
    card = {
        "name": name, "registryVersion": version, "version": f"{name}/{version}", "kind": "rl-policy", "algorithm": lr.L["algorithm"],
        "onnx": onnx_name, "rows": 1, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "featureNames": job["featureNames"], "obsNames": job["obsNames"], "env": job["envSpec"],
        "trainDays": job["trainDays"], "evalDays": job["evalDays"], "deployment": job["deployment"],
        "config": job["configFile"], "learner": lr.L, "iterations": lr.iteration, "history": lr.history,
        "metrics": lr.history[-1] if lr.history else {},
        "parity": {"obs": probe.tolist(), "action": pa.numpy().tolist(), "value": pv.numpy().reshape(-1).tolist()},
    }
    path = os.path.join(lr.out, f"{name}.json")
    write_policy(path, actor, log_std, lr.norm, card, last)
    return path
