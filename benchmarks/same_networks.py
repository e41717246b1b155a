"""Does the training code of two commits train the same networks? Short runs compared.

For each commit, that commit's ``navdecode`` package is extracted with ``git archive``
into a temporary folder and its own ``navdecode train`` runs the same command (one torch
thread, so the arithmetic is deterministic on one machine). The checkpoints both runs
wrote (actor and critic weights at every validation) are then compared tensor by
tensor: the largest absolute difference is printed per checkpoint, ``0`` meaning
bit-identical networks. A difference that appears only after some checkpoint dates the
first update that computed differently.

Run from the repository root, e.g.
``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/same_networks.py faae07a HEAD --trials 1500
--train-args "--saturation-penalty 1"`` (results: ``benchmarks/results/same-networks/``).
Settings whose default changed between the two commits must be named in ``--train-args``
(the saturation penalty's default was 0 until commit 21c1410).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch


def extract(commit: str, dest: Path) -> str:
    """Write `commit`'s navdecode package into `dest`; returns the full commit hash."""
    full = subprocess.run(["git", "rev-parse", commit], capture_output=True, text=True,
                          check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", full, "navdecode"], capture_output=True,
                             check=True).stdout
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return full


def flat_tensors(obj: object, prefix: str = "") -> dict[str, torch.Tensor]:
    """Every tensor in a nested checkpoint dict, keyed by its dotted path."""
    if torch.is_tensor(obj):
        return {prefix: obj}
    if isinstance(obj, dict):
        out: dict[str, torch.Tensor] = {}
        for key, value in obj.items():
            out.update(flat_tensors(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {}


def max_difference(path_a: Path, path_b: Path) -> float:
    """Largest absolute difference over the tensors of two checkpoints (inf if unlike)."""
    a = flat_tensors(torch.load(path_a, weights_only=True))
    b = flat_tensors(torch.load(path_b, weights_only=True))
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
        return float("inf")
    return max((a[k].double() - b[k].double()).abs().max().item() for k in a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commits", nargs=2, help="two commits (hash, tag, HEAD)")
    parser.add_argument("--arch", default="modular")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=1500,
                        help="phase-I trials to train (default 1500; updates start at 800)")
    parser.add_argument("--validate-every", type=int, default=500)
    parser.add_argument("--n-validation", type=int, default=50)
    parser.add_argument("--train-args", default="",
                        help="further train options, one string (settings whose default "
                             "changed between the commits, e.g. '--saturation-penalty 1')")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for i, commit in enumerate(args.commits):
            src = Path(tmp) / f"src{i}"
            full = extract(commit, src)
            out = Path(tmp) / f"run{i}"
            command = [sys.executable, "-m", "navdecode.cli", "train", "--arch", args.arch,
                       "--seed", str(args.seed), "--torch-threads", "1", "--quiet",
                       "--max-phase1-trials", str(args.trials),
                       "--n-trials-after-phase1", "10",
                       "--validate-every", str(args.validate_every),
                       "--n-validation", str(args.n_validation), "--out", str(out),
                       *shlex.split(args.train_args)]
            start = time.perf_counter()
            env = {**os.environ, "PYTHONPATH": str(src), "OMP_NUM_THREADS": "1"}
            subprocess.run(command, check=True, cwd=src, env=env)
            print(f"{commit} ({full[:10]}): {time.perf_counter() - start:.0f} s", flush=True)
            runs.append(out / "checkpoints")
        print(f"\n{args.arch} seed {args.seed}, {args.trials} phase-I trials "
              f"{args.train_args}: {args.commits[0]} against {args.commits[1]}")
        print("| checkpoint | largest absolute weight difference |\n|---|---|")
        for path in sorted(runs[0].glob("trial_*.pt")):
            other = runs[1] / path.name
            diff = max_difference(path, other) if other.exists() else float("nan")
            print(f"| {path.stem} | {diff:.3g} |")


if __name__ == "__main__":
    main()
