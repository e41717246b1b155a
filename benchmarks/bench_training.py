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
[--trials 1000]``.
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

if __name__ == "__main__":
    main()
