"""Agent-updates per second of a population against the same agents trained one by one.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_population.py [--sizes 1 4 16
32] [--trials 100] [--arch modular] [--device cpu]``.

For each population size N: N agents of ``--arch`` (seeds 0..N-1), each a short phase-I
run of ``--trials`` trials with updates from the 20th stored trajectory on, trained three
ways on the same device, one thread, one update per environment step (so that updates,
not validations, fill the runs): as one `train_population` of separate members (each on
its own fused modules, taking turns), as one stacked `train_population` (members in
lockstep on stacked networks, ``stacked=True``), and as N `train` calls one after the
other. The figure is TD3 updates of all members per wall-clock second; "one core" is one
agent trained alone on the CPU, one thread (measured once, first, after a warm-up run
of the same). Every way runs the
same number of updates (checked). The stacked path is built for a GPU; on a CPU the
fused kernels of separate members are expected to win.
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


def timed(way: str, configs: list[TrainConfig]) -> tuple[float, int]:
    """Seconds and TD3 updates of one way of training the configs."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folders = train_way(way, configs, Path(tmp))
        return time.perf_counter() - start, updates_in(folders)


def train_way(way: str, configs: list[TrainConfig], tmp: Path) -> list[Path]:
    if way == "one by one":
        return [train(c, tmp / f"alone{c.seed}", progress=False).out_dir for c in configs]
    runs = train_population(configs, tmp, progress=False, stacked=way == "stacked")
    return [r.out_dir for r in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16, 32])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--arch", default="modular")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    base = {"max_phase1_trials": args.trials, "phase1_threshold": 1.0, "arch": args.arch,
            "validate_every": args.trials, "n_validation": 10, "learning_starts": 20,
            "torch_threads": 1, "steps_per_update": 1}
    cpu = TrainConfig(seed=0, **base, device="cpu")
    timed("one by one", [cpu])  # the process's warm-up, not counted
    seconds, n_updates = timed("one by one", [cpu])
    one_core = n_updates / seconds
    rows = []
    for n in args.sizes:
        configs = [TrainConfig(seed=s, **base, device=args.device) for s in range(n)]
        measured = {way: timed(way, configs) for way in ("separate", "stacked", "one by one")}
        counts = {u for _, u in measured.values()}
        assert len(counts) == 1, f"the ways ran different numbers of updates: {measured}"
        rows.append((n, counts.pop(), {way: u / t for way, (t, u) in measured.items()}))
    print(f"{args.arch}, device {args.device}, 1 thread, {args.trials} phase-I trials per "
          f"agent; one CPU core alone: {one_core:.1f} updates/s")
    print(f"  {'N':>3} {'updates':>8} {'separate/s':>11} {'stacked/s':>10} "
          f"{'one by one/s':>13} {'stacked / one by one':>21} {'best / one core':>16}")
    for n, u, rate in rows:
        best = max(rate["separate"], rate["stacked"])
        print(f"  {n:>3} {u:>8} {rate['separate']:>11.1f} {rate['stacked']:>10.1f} "
              f"{rate['one by one']:>13.1f} {rate['stacked'] / rate['one by one']:>20.2f}x "
              f"{best / one_core:>15.2f}x")


if __name__ == "__main__":
    main()
