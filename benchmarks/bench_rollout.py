"""Batched `run_agent` against the tutorial's one-trial-at-a-time loop, side by side.

Run: ``.venv/bin/python benchmarks/bench_rollout.py [--n-trials 1000] [--arch modular]``.
Both evaluate the same actor on the same targets, noise off, in this one process.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from navdecode import fixed_targets, load_pretrained, make_agent, run_agent
from navdecode.recording.tutorial_loop import run_agent_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-trials", type=int, default=1000)
    parser.add_argument("--arch", default="modular")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pretrained", type=int, default=None, metavar="SEED",
                        help="use the bundled agent of this seed (trials end when it stops) "
                             "instead of fresh weights (every trial runs 35 steps)")
    args = parser.parse_args()

    actor = (load_pretrained(args.arch, args.pretrained) if args.pretrained is not None
             else make_agent(args.arch, seed=0)).actor
    targets = fixed_targets(args.n_trials, seed=0)
    run_agent(actor, targets[:16], noise=False)  # warm-up

    batched = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ds = run_agent(actor, targets, noise=False)
        batched.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    loop = run_agent_loop(actor, targets, noise=False)
    loop_s = time.perf_counter() - t0

    steps = int(ds.n_steps.sum())
    if steps != sum(r["n_steps"] for r in loop):
        msg = "the two evaluations disagree on trial lengths"
        raise SystemExit(msg)
    best = min(batched)
    print(f"machine: {torch.get_num_threads()} torch threads, torch {torch.__version__}")
    kind = f"bundled seed {args.pretrained}" if args.pretrained is not None else "fresh"
    print(f"{args.arch} actor ({kind}), {args.n_trials} trials, {steps} agent steps in total")
    print(f"per-trial loop (tutorial): {loop_s:8.3f} s")
    print(f"run_agent (batched):       {best:8.3f} s  (best of {args.repeats}: "
          f"{', '.join(f'{b:.3f}' for b in batched)})")
    print(f"speed-up: {loop_s / best:.0f}x")
    diff = max(float(np.max(np.abs(ds.pos_x.values[i, : r["n_steps"]] - r["pos_x"])))
               for i, r in enumerate(loop))
    print(f"largest |pos_x| difference between the two: {diff:.2e} cm; "
          f"mean trial length {np.mean(ds.n_steps.values):.1f} steps")


if __name__ == "__main__":
    main()
