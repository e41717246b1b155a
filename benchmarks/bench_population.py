"""Agent-updates per second of a population against the same agents trained one by one.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_population.py [--sizes 1 4 16
32] [--trials 100] [--device cpu]``.

For each population size N: N modular agents (seeds 0..N-1), each a short phase-I run of
``--trials`` trials with updates from the 20th stored trajectory on, trained once as one
`train_population` and once as N `train` calls one after the other, on the same device,
one thread, one update per environment step (so that updates, not validations, fill the
runs); the figure is TD3 updates of all members per wall-clock second. "one core" is
N = 1 trained alone. On a CPU the population steps its members' own fused networks in
turn, so it is expected to match the sequential runs, not beat them: the stacked-weight
GPU path is not built (no GPU was at hand), and its figures are unmeasured.
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
from navdecode.training.population import train_population


def updates_in(folders: list[Path]) -> int:
    return sum(json.loads((f / "done.json").read_text())["updates"] for f in folders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 32])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    base = {"max_phase1_trials": args.trials, "phase1_threshold": 1.0,
            "validate_every": args.trials, "n_validation": 10, "learning_starts": 20,
            "torch_threads": 1, "device": args.device, "steps_per_update": 1}
    rows = []
    for n in args.sizes:
        configs = [TrainConfig(seed=s, **base) for s in range(n)]
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            runs = train_population(configs, Path(tmp) / "pop", progress=False)
            together = time.perf_counter() - start
            n_updates = updates_in([r.out_dir for r in runs])
            start = time.perf_counter()
            alone = [train(c, Path(tmp) / f"alone{c.seed}", progress=False).out_dir
                     for c in configs]
            one_by_one = time.perf_counter() - start
            assert updates_in(alone) == n_updates
        rows.append((n, n_updates, n_updates / together, n_updates / one_by_one))
    single = rows[0][3] if rows[0][0] == 1 else float("nan")
    print(f"device {args.device}, 1 thread, {args.trials} phase-I trials per agent")
    print(f"  {'N':>3} {'updates':>8} {'population/s':>13} {'one by one/s':>13} "
          f"{'pop / one by one':>17} {'pop / one core':>15}")
    for n, u, pop, seq in rows:
        print(f"  {n:>3} {u:>8} {pop:>13.1f} {seq:>13.1f} {pop / seq:>16.2f}x "
              f"{pop / single:>14.2f}x")
    print("  GPU (stacked-weight members): not built, unmeasured")


if __name__ == "__main__":
    main()
