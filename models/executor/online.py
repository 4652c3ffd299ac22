"""The online PPO learner of a paper or live session (`learning: online` in the deployment).

Started by the session (runtime/learning/online/learner-process.ts) with a job file naming the
policy card the session's rl-executor starts from. The actor and its exploration log-std come from
the card; the critic starts fresh; the observation normalisation stays the card's (the trust region
is measured on one fixed input map). One JSON line each way on stdin/stdout:

  learner -> session  {"ready": true}
  session -> learner  {"update": "<rollout dir>", "n": k}
      rollout dir: obs.npy [T+1, 1, D], actions.npy [T, 1, A], logp.npy [T, 1] (as played),
      rewards.npy [T, 1], dones.npy [T, 1] (finished episodes laid end to end)
  learner -> session  {"n": k, "status": "accepted", "card": "<card json>", "kl": ..., ...}
                   or {"n": k, "status": "rejected", "reason": "...", "kl": ..., ...}
      accepted only when the mean KL(old || new) over the batch is within klCap; the card and its
      ONNX file go to <outDir>/v<k>/ (a rejected update leaves the learner as it was)
  session -> learner  {"restore": k}   ->  {"restored": k}     (rollback to version k; 0: the card)
  session -> learner  {"stop": true}

Test hooks (job.test): at update numbers in destructiveAt the update is followed by pinning the
size action to nothing (a policy that never enters, with a moderate KL); in explodeAt by a shift of
every action far outside any trust region.
"""
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ppo import ActorCritic, Exported, RunningNorm, export_card, gae, normalise, ppo_epochs  # noqa: E402


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class OnlineLearner:
    def __init__(self, job):
        self.job0 = job
        card = json.load(open(job["card"]))
        self.card = card
        L = dict(job["ppo"])
        L["algorithm"] = "ppo"
        self.L = L
        torch.set_num_threads(L["threads"])
        torch.manual_seed(L["seed"])
        np.random.seed(L["seed"])
        layers = card["layers"]
        hidden = len(layers[0]["b"])
        self.ac = ActorCritic(card["obsDim"], card["actionDim"], hidden)
        lin = [m for m in self.ac.actor if isinstance(m, torch.nn.Linear)]
        if len(lin) != len(layers) or any(len(l["b"]) != m.out_features for l, m in zip(layers, lin)):
            raise SystemExit(f"LEARNING_CARD_SHAPE: card={job['card']} layers={[len(l['b']) for l in layers]} do not fit a {hidden}-wide two-layer tanh MLP")
        with torch.no_grad():
            for l, m in zip(layers, lin):
                m.weight.copy_(torch.tensor(l["w"], dtype=torch.float32).reshape(m.out_features, m.in_features))
                m.bias.copy_(torch.tensor(l["b"], dtype=torch.float32))
            self.ac.log_std.copy_(torch.tensor(card["logStd"], dtype=torch.float32))
        self.opt = torch.optim.Adam(self.ac.parameters(), lr=L["lr"], eps=1e-5)
        self.norm = RunningNorm(card["obsDim"])
        self.norm.mean = np.array(card["obsMean"], np.float64)
        self.norm.var = np.array(card["obsStd"], np.float64) ** 2
        self.versions = {job.get("startN", 0): self.state()}
        self.iteration = 0
        self.history = []
        self.out = job["outDir"]

    def state(self):
        return copy.deepcopy({"model": self.ac.state_dict(), "opt": self.opt.state_dict()})

    def load(self, s):
        self.ac.load_state_dict(s["model"])
        self.opt.load_state_dict(s["opt"])

    def update(self, rdir, n):
        L, test = self.L, self.job0.get("test") or {}
        obs = np.load(os.path.join(rdir, "obs.npy"))
        act = np.load(os.path.join(rdir, "actions.npy"))
        logp = np.load(os.path.join(rdir, "logp.npy"))
        rew = np.load(os.path.join(rdir, "rewards.npy"))
        done = np.load(os.path.join(rdir, "dones.npy")).astype(np.float32)
        T, N, D = act.shape[0], act.shape[1], obs.shape[2]
        x = torch.from_numpy(normalise(obs.reshape(-1, D), self.norm)).reshape(T + 1, N, D)
        xb = x[:T].reshape(-1, D)
        a = torch.from_numpy(act.reshape(-1, act.shape[2]))
        with torch.no_grad():
            old = self.ac.dist(xb)
            old = torch.distributions.Normal(old.loc.clone(), old.scale.clone())
            val = self.ac.critic(x.reshape(-1, D)).reshape(T + 1, N).numpy()
        adv, ret = gae(rew, val[:T], done, val[T], L["gamma"], L["lambda"])
        pre = self.state()
        # The log-probabilities the session recorded as it played (the behaviour policy's).
        old_logp = torch.from_numpy(logp.reshape(-1).astype(np.float32))
        stats, _ = ppo_epochs(self.ac, self.opt, xb, a, old_logp, torch.from_numpy(adv.reshape(-1)), torch.from_numpy(ret.reshape(-1).astype(np.float32)), L)
        forced = None
        with torch.no_grad():
            if n in test.get("destructiveAt", []):
                self.ac.actor[-1].bias[0] -= 5.0
                forced = "destructive"
            if n in test.get("explodeAt", []):
                self.ac.actor[-1].bias += 50.0
                forced = "explode"
            new = self.ac.dist(xb)
            kl = torch.distributions.kl_divergence(old, new).sum(-1).mean().item()
            entropy = new.entropy().sum(-1).mean().item()
        out = {"n": n, "kl": kl, "entropy": entropy, "policyLoss": stats["policyLoss"], "valueLoss": stats["valueLoss"], "steps": int(T * N),
               "batchReward": float(rew.sum() / max(1.0, done.sum()))}
        if forced:
            out["forced"] = forced
        if not (kl <= self.job0["klCap"]):
            self.load(pre)
            out.update({"status": "rejected", "reason": f"kl={kl:.4g} above klCap={self.job0['klCap']}"})
            return out
        self.iteration = n
        self.history.append({"iteration": n, **stats, "kl": kl})
        self.versions[n] = self.state()
        card = self.card
        self.out = os.path.join(self.job0["outDir"], f"v{n}")
        os.makedirs(self.out, exist_ok=True)
        self.job = {"name": card["name"], "version": f"{card['registryVersion']}.o{n}", "obsDim": card["obsDim"], "featureNames": card["featureNames"],
                    "obsNames": card.get("obsNames", []), "envSpec": card["env"], "trainDays": card.get("trainDays", []), "evalDays": card.get("evalDays", []),
                    "deployment": card.get("deployment", ""), "configFile": card.get("config", "")}
        path = export_card(self, Exported(self.ac, self.norm.mean, self.norm.std()).eval(), self.ac.actor, self.ac.log_std.detach().tolist(), "linear")
        out.update({"status": "accepted", "card": path, "version": self.job["version"]})
        return out


def main():
    job = json.load(open(sys.argv[1]))
    lr = OnlineLearner(job)
    send({"ready": True})
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("stop"):
            break
        if "restore" in msg:
            k = msg["restore"]
            if k not in lr.versions:
                send({"restored": k, "error": f"LEARNING_UNKNOWN_VERSION: {k} (has {sorted(lr.versions)})"})
                continue
            lr.load(lr.versions[k])
            send({"restored": k})
            continue
        send(lr.update(msg["update"], msg["n"]))


if __name__ == "__main__":
    main()
