"""SAC and TD3 for the execution agent's continuous actions (three numbers in [-1, 1]).

Off-policy: every rollout's transitions go into a replay buffer (kept in the checkpoint, so
`--resume` continues exactly), and each iteration runs `updatesPerIteration` gradient steps on
minibatches drawn from it. Twin critics with Polyak-averaged targets for both; SAC learns a
tanh-squashed Gaussian actor with an automatically tuned entropy temperature; TD3 a deterministic
tanh actor with delayed updates and target-policy smoothing. In the environment the driver plays
the deterministic action (SAC: tanh of the mean) plus Gaussian noise of std `explorationStd`
(written as the policy file's log-std), as TD3 prescribes; SAC learns from those transitions like
from any behaviour policy. Progress: `entropy` is SAC's -log pi (TD3: that of the exploration
noise), `kl` the Gaussian KL between the exploration policies before and after the iteration's
updates, `valueLoss` the critics' loss.
"""
import copy
import math
import os

import numpy as np
import torch
import torch.nn as nn

from ppo import OBS_CLIP, RunningNorm, export_card, mlp, normalise, write_policy


class Critic(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.q1 = mlp(obs_dim + act_dim, hidden, 1)
        self.q2 = mlp(obs_dim + act_dim, hidden, 1)

    def forward(self, x, a):
        xa = torch.cat([x, a], -1)
        return self.q1(xa).squeeze(-1), self.q2(xa).squeeze(-1)


class SacActor(nn.Module):
    def __init__(self, obs_dim, act_dim, hidden):
        super().__init__()
        self.mu = mlp(obs_dim, hidden, act_dim)
        self.log_std = mlp(obs_dim, hidden, act_dim)

    def sample(self, x):
        mu = self.mu(x)
        log_std = self.log_std(x).clamp(-5, 1)
        d = torch.distributions.Normal(mu, log_std.exp())
        u = d.rsample()
        a = torch.tanh(u)
        logp = d.log_prob(u).sum(-1) - (2 * (math.log(2) - u - nn.functional.softplus(-2 * u))).sum(-1)
        return a, logp

    def deterministic(self, x):
        return torch.tanh(self.mu(x))


class TanhActor(nn.Module):
    def __init__(self, seq):
        super().__init__()
        self.seq = seq

    def forward(self, x):
        return torch.tanh(self.seq(x))


class ExportedOff(nn.Module):
    def __init__(self, actor_seq, critic, mean, std):
        super().__init__()
        self.actor_seq = actor_seq
        self.critic = critic
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("inv", torch.tensor(1.0 / std, dtype=torch.float32))

    def forward(self, obs):
        x = torch.clamp((obs - self.mean) * self.inv, -OBS_CLIP, OBS_CLIP)
        a = torch.tanh(self.actor_seq(x))
        q1, q2 = self.critic(x, a)
        return a, torch.min(q1, q2).unsqueeze(-1)


class OffPolicyLearner:
    def __init__(self, job, resume):
        self.job = job
        L = job["learner"]
        self.L = L
        self.sac = L["algorithm"] == "sac"
        self.out = job["outDir"]
        torch.set_num_threads(L["threads"])
        torch.manual_seed(L["seed"])
        np.random.seed(L["seed"])
        D, A, H = job["obsDim"], job["actionDim"], L["hidden"]
        self.A = A
        if self.sac:
            self.actor = SacActor(D, A, H)
            self.log_alpha = torch.zeros(1, requires_grad=True)
            self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=L["lr"])
        else:
            self.actor = TanhActor(mlp(D, H, A))
            self.actor_target = copy.deepcopy(self.actor)
        self.critic = Critic(D, A, H)
        self.critic_target = copy.deepcopy(self.critic)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=L["lr"])
        self.critic_opt = torch.optim.Adam(self.critic.parameters(), lr=L["lr"])
        self.norm = RunningNorm(D)
        n = L["bufferSize"]
        self.buf = {"obs": np.zeros((n, D), np.float32), "act": np.zeros((n, A), np.float32), "rew": np.zeros(n, np.float32),
                    "next": np.zeros((n, D), np.float32), "done": np.zeros(n, np.float32)}
        self.size = 0
        self.ptr = 0
        self.updates = 0
        self.iteration = 0
        self.history = []
        ck = os.path.join(self.out, "checkpoint.pt")
        if resume and os.path.exists(ck):
            s = torch.load(ck)
            self.actor.load_state_dict(s["actor"])
            self.critic.load_state_dict(s["critic"])
            self.critic_target.load_state_dict(s["critic_target"])
            self.actor_opt.load_state_dict(s["actor_opt"])
            self.critic_opt.load_state_dict(s["critic_opt"])
            if self.sac:
                with torch.no_grad():
                    self.log_alpha.copy_(s["log_alpha"])
                self.alpha_opt.load_state_dict(s["alpha_opt"])
            else:
                self.actor_target.load_state_dict(s["actor_target"])
            self.norm.load(s["norm"])
            self.buf, self.size, self.ptr, self.updates = s["buf"], s["size"], s["ptr"], s["updates"]
            self.iteration, self.history = s["iteration"], s["history"]
            torch.set_rng_state(s["torch_rng"])
            np.random.set_state(s["np_rng"])

    def actor_seq(self):
        return self.actor.mu if self.sac else self.actor.seq

    def policy_path(self):
        log_std = [math.log(self.L["explorationStd"])] * self.A
        return write_policy(os.path.join(self.out, f"policy-{self.iteration:05d}.json"), self.actor_seq(), log_std, self.norm, last="tanh")

    def checkpoint(self):
        s = {"actor": self.actor.state_dict(), "critic": self.critic.state_dict(), "critic_target": self.critic_target.state_dict(),
             "actor_opt": self.actor_opt.state_dict(), "critic_opt": self.critic_opt.state_dict(), "norm": self.norm.state(),
             "buf": self.buf, "size": self.size, "ptr": self.ptr, "updates": self.updates, "iteration": self.iteration, "history": self.history,
             "torch_rng": torch.get_rng_state(), "np_rng": np.random.get_state()}
        if self.sac:
            s["log_alpha"] = self.log_alpha.detach().clone()
            s["alpha_opt"] = self.alpha_opt.state_dict()
        else:
            s["actor_target"] = self.actor_target.state_dict()
        tmp = os.path.join(self.out, "checkpoint.pt.tmp")
        torch.save(s, tmp)
        os.replace(tmp, os.path.join(self.out, "checkpoint.pt"))

    def add(self, obs, act, rew, done):
        T, N, D = act.shape[0], act.shape[1], obs.shape[2]
        o = obs[:T].reshape(-1, D)
        nx = obs[1:].reshape(-1, D)
        a = np.clip(act.reshape(-1, act.shape[2]), -1, 1)
        r = rew.reshape(-1)
        d = done.reshape(-1)
        n = self.buf["rew"].shape[0]
        for k in range(o.shape[0]):
            i = self.ptr
            self.buf["obs"][i], self.buf["act"][i], self.buf["rew"][i], self.buf["next"][i], self.buf["done"][i] = o[k], a[k], r[k], nx[k], d[k]
            self.ptr = (i + 1) % n
            self.size = min(n, self.size + 1)

    def update(self, rdir, episodes):
        L = self.L
        obs = np.load(os.path.join(rdir, "obs.npy"))
        act = np.load(os.path.join(rdir, "actions.npy"))
        rew = np.load(os.path.join(rdir, "rewards.npy"))
        done = np.load(os.path.join(rdir, "dones.npy")).astype(np.float32)
        self.add(obs, act, rew, done)
        # Transitions are normalised when drawn, with the statistics the next policy will use.
        self.norm.update(obs.reshape(-1, obs.shape[2]).astype(np.float64))
        D = obs.shape[2]
        probe = torch.from_numpy(normalise(obs[: act.shape[0]].reshape(-1, D), self.norm))
        with torch.no_grad():
            before = self.deterministic(probe)
        stats = {"valueLoss": 0.0, "policyLoss": 0.0, "entropy": 0.0}
        n_upd = L["updatesPerIteration"]
        for _ in range(n_upd):
            idx = np.random.randint(0, self.size, size=min(L["minibatch"], self.size))
            x = torch.from_numpy(normalise(self.buf["obs"][idx], self.norm))
            x2 = torch.from_numpy(normalise(self.buf["next"][idx], self.norm))
            a = torch.from_numpy(self.buf["act"][idx])
            r = torch.from_numpy(self.buf["rew"][idx])
            d = torch.from_numpy(self.buf["done"][idx])
            vl, pl, ent = self.sac_step(x, a, r, x2, d) if self.sac else self.td3_step(x, a, r, x2, d)
            stats["valueLoss"] += vl
            stats["policyLoss"] += pl
            stats["entropy"] += ent
        for k in stats:
            stats[k] /= max(1, n_upd)
        with torch.no_grad():
            after = self.deterministic(probe)
        s2 = L["explorationStd"] ** 2
        stats["kl"] = float(((after - before) ** 2).sum(-1).mean() / (2 * s2))
        self.iteration += 1
        stats.update({"episodeReward": episodes.get("meanReturn"), "episodes": episodes.get("count"), "steps": int(act.shape[0] * act.shape[1]), "buffer": self.size})
        self.history.append({"iteration": self.iteration, **stats})
        if self.iteration % L["checkpointEvery"] == 0 or self.iteration == L["iterations"]:
            self.checkpoint()
        return stats

    def deterministic(self, x):
        return self.actor.deterministic(x) if self.sac else self.actor(x)

    def soft_update(self, net, target):
        tau = self.L["tau"]
        with torch.no_grad():
            for p, t in zip(net.parameters(), target.parameters()):
                t.mul_(1 - tau).add_(tau * p)

    def critic_step(self, x, a, target):
        q1, q2 = self.critic(x, a)
        loss = 0.5 * ((q1 - target) ** 2).mean() + 0.5 * ((q2 - target) ** 2).mean()
        self.critic_opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.critic.parameters(), self.L["maxGradNorm"] * 20)
        self.critic_opt.step()
        return loss.item()

    def sac_step(self, x, a, r, x2, d):
        g = self.L["gamma"]
        alpha = self.log_alpha.exp().detach()
        with torch.no_grad():
            a2, logp2 = self.actor.sample(x2)
            t1, t2 = self.critic_target(x2, a2)
            target = r + g * (1 - d) * (torch.min(t1, t2) - alpha * logp2)
        vl = self.critic_step(x, a, target)
        an, logp = self.actor.sample(x)
        q1, q2 = self.critic(x, an)
        pl = (alpha * logp - torch.min(q1, q2)).mean()
        self.actor_opt.zero_grad()
        pl.backward()
        self.actor_opt.step()
        al = -(self.log_alpha * (logp.detach() - self.A)).mean()  # target entropy -|A|
        self.alpha_opt.zero_grad()
        al.backward()
        self.alpha_opt.step()
        self.soft_update(self.critic, self.critic_target)
        self.updates += 1
        return vl, pl.item(), float(-logp.mean().item())

    def td3_step(self, x, a, r, x2, d):
        L = self.L
        with torch.no_grad():
            noise = (torch.randn_like(a) * L["targetNoise"]).clamp(-0.5, 0.5)
            a2 = (self.actor_target(x2) + noise).clamp(-1, 1)
            t1, t2 = self.critic_target(x2, a2)
            target = r + L["gamma"] * (1 - d) * torch.min(t1, t2)
        vl = self.critic_step(x, a, target)
        pl = 0.0
        self.updates += 1
        if self.updates % L["policyDelay"] == 0:
            q1, _ = self.critic(x, self.actor(x))
            loss = -q1.mean()
            self.actor_opt.zero_grad()
            loss.backward()
            self.actor_opt.step()
            pl = loss.item()
            self.soft_update(self.actor, self.actor_target)
            self.soft_update(self.critic, self.critic_target)
        ent = 0.5 * self.A * (1 + math.log(2 * math.pi * L["explorationStd"] ** 2))
        return vl, pl, ent

    def export(self):
        m = ExportedOff(self.actor_seq(), self.critic, self.norm.mean, self.norm.std()).eval()
        return export_card(self, m, self.actor_seq(), [math.log(self.L["explorationStd"])] * self.A, "tanh")
