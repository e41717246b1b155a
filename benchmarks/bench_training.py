"""Training speed: `train` with navdecode's defaults, the published schedule, the preset.

All three sides are navdecode's own `train`, run one after the other in this process on
the same number of phase-I trials with the same update ratio (updates start after
`--learning-starts` stored trajectories, one per 4 environment steps):

- "navdecode defaults": 10 trials side by side, padded replay batches;
- "published schedule": the defaults with one trial at a time and equal-length batches
  (`n_envs=1, replay_sampling="equal_length"`), the two settings that are about speed;
- "published preset": `TrainConfig.published()`, every published rule.

The exploration rule changes what a fresh agent does (under the published rule its early
trials run standing still to the 35-step timeout, so its replayed trajectories are
longer and each update costs more), so only the first two sides compare the same
behaviour; the third shows what the whole preset costs.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_training.py [--arch modular]
[--trials 1000]``. With ``--compare-update`` it times one TD3 update as it was at 933d057^
and as it is now (the actor loss no longer computes the critic's unused weight gradients;
`after_history` computes its recurrent term once), side by side, and checks that the
weights after the same updates and a short seeded run's curve are the same both ways.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from navdecode.training.config import TrainConfig
from navdecode.training.loop import train


def timed_run(config: TrainConfig) -> tuple[int, int, float]:
    """Train in a temporary folder; returns (environment steps, updates, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        train(config, Path(tmp) / "run", progress=False)
        seconds = time.perf_counter() - start
        done = json.loads((Path(tmp) / "run" / "done.json").read_text())
    return done["env_steps"], done["updates"], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--arch", default="modular")
    parser.add_argument("--trials", type=int, default=1000, help="phase-I trials per side")
    parser.add_argument("--learning-starts", type=int, default=100)
    parser.add_argument("--skip-preset", action="store_true",
                        help="time only the defaults and the published schedule")
    args = parser.parse_args()
    # phase I only: a threshold of 1 is never exceeded, so the trial cap ends both runs
    shared = {"arch": args.arch, "learning_starts": args.learning_starts,
              "max_phase1_trials": args.trials, "validate_every": args.trials,
              "n_validation": 10, "phase1_threshold": 1.0, "torch_threads": 1}
    sides = {"navdecode defaults": TrainConfig(**shared),
             "published schedule": TrainConfig(n_envs=1, replay_sampling="equal_length",
                                               **shared),
             "published preset": TrainConfig.published(**shared)}
    if args.skip_preset:
        del sides["published preset"]
    results = {name: timed_run(config) for name, config in sides.items()}
    print(f"machine: {torch.get_num_threads()} torch thread(s), torch {torch.__version__}")
    print(f"{args.arch}, {args.trials} phase-I trials each, updates after "
          f"{args.learning_starts} stored trajectories")
    print(f"{'':22s}{'env steps':>10s}{'updates':>9s}{'seconds':>9s}{'steps/s':>9s}"
          f"{'updates/s':>10s}")
    for name, (steps, updates, seconds) in results.items():
        print(f"{name:22s}{steps:10d}{updates:9d}{seconds:9.1f}{steps / seconds:9.1f}"
              f"{updates / seconds:10.2f}")
    d_steps, d_up, d_s = results["navdecode defaults"]
    for name in [n for n in results if n != "navdecode defaults"]:
        p_steps, p_up, p_s = results[name]
        print(f"ratio (defaults / {name}): env steps/s "
              f"{(d_steps / d_s) / (p_steps / p_s):.2f}x, updates/s "
              f"{(d_up / d_s) / (p_up / p_s):.2f}x")

BEFORE = "933d057^"  # the update before the two speed-ups below


def _module_at(revision: str, path: str, name: str):
    """Import ``path`` as it was at git ``revision`` (run from the repository)."""
    import importlib.util
    import subprocess

    source = subprocess.run(["git", "show", f"{revision}:{path}"], check=True,
                            capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp())
    (folder / f"{name}.py").write_text(source)
    spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare_update(archs: list[str], n_updates: int, trials: int, revision: str) -> None:
    """One TD3 update as at `revision` and now, per architecture, on the same batches (the
    two take turns); and a short seeded run's curve both ways.

    Since 933d057^ the actor loss no longer computes the critic's unused weight gradients
    (`td3._frozen`), and `RecurrentCritic.after_history` computes the recurrent term
    ``W_hh h_{t-1} + b_hh`` once for the executed and the evaluated action instead of twice.
    "before" runs that revision's `td3_update` and `after_history` on today's networks.
    """
    import copy

    import pandas as pd

    from navdecode.agents import networks
    from navdecode.agents.networks import make_agent
    from navdecode.training import learner, td3
    from navdecode.training.replay import TrajectoryMemory

    old_td3 = _module_at(revision, "navdecode/training/td3.py", "td3_before")
    old_networks = _module_at(revision, "navdecode/agents/networks.py", "networks_before")
    now_history = networks.RecurrentCritic.after_history
    versions = {"before": (old_td3.td3_update, old_networks.RecurrentCritic.after_history),
                "after": (td3.td3_update, now_history)}

    # the old after_history reads the read-out layers by their old private name
    networks.RecurrentCritic._linears = networks.RecurrentCritic.linears  # type: ignore[attr-defined]

    def use(name: str) -> None:
        update, history = versions[name]
        networks.RecurrentCritic.after_history = history
        learner.td3_update = update  # what every collection's updates call

    print(f"one TD3 update, batch 16, {n_updates} updates per side, half with the actor, "
          f"1 thread (min over blocks of 10, the sides taking turns); before = {revision}")
    try:
        for arch in archs:
            config = TrainConfig(arch=arch)
            gen = torch.Generator().manual_seed(0)
            memory = TrajectoryMemory(500, 35)
            memory.add(torch.randn(500, 35, 6, generator=gen),
                       torch.rand(500, 35, 2, generator=gen) * 2 - 1,
                       torch.randn(500, 35, generator=gen),
                       torch.randint(5, 36, (500,), generator=gen))
            sides = {}
            for name in versions:
                agent = make_agent(arch, seed=0)
                sides[name] = (agent, copy.deepcopy(agent),
                               torch.optim.Adam(agent.actor.parameters(), lr=1e-4),
                               torch.optim.Adam(agent.critic.parameters(), lr=1e-4),
                               torch.Generator().manual_seed(1), [])
            for _ in range(n_updates // 10):
                for name, (agent, target, opt_a, opt_c, g, times) in sides.items():
                    use(name)
                    update = versions[name][0]
                    start = time.perf_counter()
                    for k in range(10):
                        update(agent, target, memory.sample(16, g), opt_a, opt_c, config, 0.2,
                               update_actor=k % 2 == 1, gen=g)
                    times.append((time.perf_counter() - start) / 10)
            same = all(torch.equal(p, q) for p, q in zip(sides["before"][0].parameters(),
                                                          sides["after"][0].parameters(),
                                                          strict=True))
            t_before, t_after = min(sides["before"][5]), min(sides["after"][5])
            print(f"  {arch:<14} before {1e3 * t_before:6.1f} ms ({1 / t_before:5.1f}/s)   "
                  f"after {1e3 * t_after:6.1f} ms ({1 / t_after:5.1f}/s)   "
                  f"{t_before / t_after:.2f}x   weights after {n_updates} updates "
                  f"{'identical' if same else 'DIFFER'}")
        curves = []
        for name in versions:
            use(name)
            config = TrainConfig(arch=archs[-1], max_phase1_trials=trials,
                                 phase1_threshold=1.0, validate_every=trials // 2,
                                 n_validation=20, learning_starts=20, torch_threads=1)
            with tempfile.TemporaryDirectory() as tmp:
                curves.append(train(config, Path(tmp) / "run", progress=False).curve.drop(
                    columns="wall_time_s"))
    finally:
        use("after")
        del networks.RecurrentCritic._linears  # type: ignore[attr-defined]
    same = curves[0].equals(curves[1])
    print(f"  {archs[-1]}, {trials} seeded trials: curves {'identical' if same else 'DIFFER'}")
    pd.testing.assert_frame_equal(curves[0], curves[1])


if __name__ == "__main__":
    import sys

    if "--compare-update" in sys.argv:
        compare_update(["modular", "holistic", "Actor3Critic1"], n_updates=60, trials=60,
                       revision=BEFORE)
    else:
        main()
