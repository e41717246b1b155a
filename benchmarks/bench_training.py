"""`train` against a faithful transcription of the published training loop, side by side.

Published loop: one trial at a time (batch-1 acting, one LSTM call per step), one TD3
update of 16 trajectories of equal length every 4 environment steps. navdecode's
`train`: `n_envs` trials side by side in the batched task, padded replay batches, the
same update-to-data ratio. Both start updating after the same number of stored trials and
run the same number of trials in this one process; environment steps/s and updates/s
are printed with their ratios.

Run: ``.venv/bin/python benchmarks/bench_training.py [--arch modular] [--trials 300]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

import torch

from navdecode import FireflyTask, TaskConfig, make_agent
from navdecode.replay import Batch
from navdecode.td3 import td3_update
from navdecode.train import explore, train
from navdecode.train_config import TrainConfig


def published_loop(config: TrainConfig, n_trials: int) -> tuple[int, int, float]:
    """One trial at a time, the paper's way; returns (env steps, updates, seconds)."""
    task_cfg = TaskConfig(obs_noise=False)  # phase I
    agent = make_agent(config.arch, seed=config.seed)
    target = copy.deepcopy(agent)
    opt_a = torch.optim.Adam(agent.actor.parameters(), lr=config.lr, eps=config.adam_eps)
    opt_c = torch.optim.Adam(agent.critic.parameters(), lr=config.lr, eps=config.adam_eps)
    task = FireflyTask(task_cfg)
    gen = torch.Generator().manual_seed(config.seed)
    memory: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
    steps = updates = 0
    start = time.perf_counter()
    for _ in range(n_trials):
        obs, _ = task.reset()
        hidden, xs, acts, rews = None, [], [], []
        for _ in range(task_cfg.max_steps):
            with torch.no_grad():
                clean, hidden = agent.actor(obs[None], hidden)
            noise = config.phase1_noise * torch.randn(1, 2, generator=gen)
            action = explore(clean[0], noise, task_cfg.stop_threshold, task.moved)
            xs.append(obs[0])
            acts.append(action[0])
            obs, reward, _, _, _ = task.step(action)
            rews.append(reward[0])
            steps += 1
            if len(memory) >= config.learning_starts and steps % config.steps_per_update == 0:
                # 16 trajectories of one length, drawn the published way
                length = memory[int(torch.randint(len(memory), (1,), generator=gen))][0].shape[0]
                same = [m for m in memory if m[0].shape[0] == length]
                pick = [same[int(i)] for i in torch.randint(len(same), (config.batch_size,),
                                                            generator=gen)]
                x, a, r = (torch.stack([p[k] for p in pick], dim=1) for k in range(3))
                dones = torch.zeros_like(r)
                dones[-1] = 1
                updates += 1
                td3_update(agent, target, Batch(x, a, r, dones, torch.ones_like(r)), opt_a,
                            opt_c, config, task_cfg.stop_threshold,
                            update_actor=updates % config.policy_delay == 0, gen=gen)
            if bool(task.done.all()):
                break
        memory.append((torch.stack(xs), torch.stack(acts), torch.stack(rews)))
    return steps, updates, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", default="modular")
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--learning-starts", type=int, default=100)
    args = parser.parse_args()
    config = TrainConfig(arch=args.arch, learning_starts=args.learning_starts,
                         max_phase1_trials=args.trials, validate_every=args.trials,
                         n_validation=10)
    torch.manual_seed(0)
    p_steps, p_updates, p_s = published_loop(config, args.trials)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        train(config, Path(tmp) / "run", progress=False)
        n_s = time.perf_counter() - start
        done = json.loads((Path(tmp) / "run" / "done.json").read_text())
    n_steps, n_updates = done["env_steps"], done["updates"]
    print(f"machine: {torch.get_num_threads()} torch threads, torch {torch.__version__}")
    print(f"{args.arch}, {args.trials} phase-I trials each, updates after "
          f"{args.learning_starts} stored trials")
    print(f"{'':22s}{'env steps':>10s}{'updates':>9s}{'seconds':>9s}{'steps/s':>9s}"
          f"{'updates/s':>10s}")
    for name, st, up, sec in (("published loop", p_steps, p_updates, p_s),
                              ("navdecode train", n_steps, n_updates, n_s)):
        print(f"{name:22s}{st:10d}{up:9d}{sec:9.1f}{st / sec:9.1f}{up / sec:10.2f}")
    print(f"ratio (navdecode / published): env steps/s {(n_steps / n_s) / (p_steps / p_s):.2f}x, "
          f"updates/s {(n_updates / n_s) / (p_updates / p_s):.2f}x")


if __name__ == "__main__":
    main()
