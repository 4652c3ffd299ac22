"""The learner process of `kestrel rl train` (PPO, SAC or TD3 by the config's learner.algorithm).

The TypeScript driver steps the vectorised environment with the policy this process writes and
hands back rollouts as .npy files. One JSON line each way on stdin/stdout:

  learner -> driver  {"policy": "<policy json>", "iteration": k}          (the policy to roll out)
  driver  -> learner {"rollout": "<dir>", "iteration": k, "episodes": {...}}
  learner -> driver  {"iteration": k, "metrics": {...}, "policy": "<next policy json>"}
  driver  -> learner {"export": true}  ->  {"card": "<card json>"}     (ONNX + card, at the end)

Offline (a machine with only Python, e.g. a lent GPU): `learn.py <job.json> --offline <rollouts dir>`
runs the updates on recorded rollouts (rollout-<k>/) without the environment.
Seeded and resumable: `--resume` continues from checkpoint.pt in the job's folder.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def make_learner(job, resume):
    algo = job["learner"]["algorithm"]
    if algo == "ppo":
        from ppo import Learner
        return Learner(job, resume)
    from offpolicy import OffPolicyLearner
    return OffPolicyLearner(job, resume)


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    args = sys.argv[1:]
    job = json.load(open(args[0]))
    learner = make_learner(job, "--resume" in args)
    if "--offline" in args:
        rdir = args[args.index("--offline") + 1]
        k = learner.iteration
        while os.path.isdir(os.path.join(rdir, f"rollout-{k:05d}")):
            ep = json.load(open(os.path.join(rdir, f"rollout-{k:05d}", "episodes.json")))
            stats = learner.update(os.path.join(rdir, f"rollout-{k:05d}"), ep)
            send({"iteration": learner.iteration, "metrics": stats})
            k += 1
        learner.checkpoint()
        send({"card": learner.export()})
        return
    send({"policy": learner.policy_path(), "iteration": learner.iteration})
    for line in sys.stdin:
        msg = json.loads(line)
        if msg.get("export"):
            send({"card": learner.export()})
            continue
        if msg.get("stop"):
            break
        stats = learner.update(msg["rollout"], msg.get("episodes", {}))
        send({"iteration": learner.iteration, "metrics": stats, "policy": learner.policy_path()})


if __name__ == "__main__":
    main()
