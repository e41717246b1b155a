"""The report on all four architectures before the last hybrid seeds are bundled.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/four_architectures.py --out DIR
[--n-trials 1000] [--jobs 2]``.

`make_report` on every bundled agent (modular, holistic, Actor1Critic5) and the finished
Actor3Critic1 seeds waiting in ``benchmarks/results/to-bundle/`` (their selected
checkpoints, ``Actor3Critic1-seed<k>.pt``): the same tables `make demo` writes once those
seeds join the bundle, with the actor x critic view. Writes DIR/report.md and its tables.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import navdecode as nd
from navdecode.report.render import make_report

WAITING = Path(__file__).parent / "results" / "to-bundle"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n-trials", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    bundle = nd.list_pretrained()
    agents = [(arch, int(seed), nd.load_pretrained(arch, int(seed)))
              for arch, seed in zip(bundle["arch"], bundle["seed"], strict=True)]
    bundled = set(bundle["arch"])
    for path in sorted(WAITING.glob("*-seed[0-9].pt")):
        arch, seed = path.stem.split("-seed")
        if arch not in bundled:
            agents.append((arch, int(seed), nd.load_agent(path)))
    counts = {}
    for arch, _, _ in agents:
        counts[arch] = counts.get(arch, 0) + 1
    print("agents:", counts)
    report = make_report(args.out, agents=agents, n_trials=args.n_trials, n_jobs=args.jobs,
                         progress=False)
    print(report)


if __name__ == "__main__":
    main()
