"""Pinned actions at every checkpoint of the experiment's runs: behaviour, not gradient.

``actor_saturated`` (curve column) counts validation steps with both pre-tanh outputs
past |z| = 3, where the actor's gradient is all but gone. The saturation penalty
(`TrainConfig.saturation_penalty`, on in the defaults) penalises exactly |z| > 3, so
under the defaults that column is near 0 by construction and cannot show whether the
agent behaves as a saturated one does (both actions near +-1: driving in circles).
Curves written since session 9 also carry ``actor_pinned`` (`navdecode.pinned_fraction`:
validation steps, all gains, with both |action| >= 0.95). This script recomputes both
columns for every checkpoint of runs whose curves predate it, with the training's own
`validate` and each run's saved configuration, so the numbers are the ones the curve
would hold. Printed: per run, the maximum of each over phase I and the checkpoints with
pinned >= 0.85.

Run from the repository root (the run folders are outside the repository; the
experiment's curves, configs and provenance are in this folder):
``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/results/defaults-vs-published/pinned.py
/work/runs/exp/*-seed? /work/runs/holistic-seed? --out
benchmarks/results/defaults-vs-published/pinned.csv``
"""

from __future__ import annotations

import argparse

import pandas as pd

import navdecode as nd
from navdecode.task.config import TaskConfig
from navdecode.training.config import TrainConfig
from navdecode.training.loop import validate
from navdecode.training.runs import RunFolder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rows = []
    for run in args.runs:
        folder = RunFolder(run)
        if not folder.holds_run():
            continue
        saved = folder.read_config()
        config = TrainConfig.from_saved(saved["train"])
        task = {k: tuple(v) if isinstance(v, list) else v for k, v in saved["task"].items()}
        task_config = TaskConfig(**task)
        curve = folder.read_curve().query("task == 'gain1x'").set_index("episode")
        for path in sorted(folder.checkpoints.glob("trial_*.pt")):
            trial = int(path.stem.split("_")[1])
            table = validate(nd.load_agent(path).actor, config, task_config, trial=trial)
            rows.append({"run": folder.path.name, "trial": trial,
                         "phase": int(curve.loc[trial, "phase"]),
                         "reward_fraction_1x": float(table["reward_fraction"].iloc[0]),
                         "actor_saturated": table.attrs["saturated"],
                         "actor_pinned": table.attrs["pinned"]})
    table = pd.DataFrame(rows)
    table.to_csv(args.out, index=False)
    for run, t in table.groupby("run", sort=False):
        phase1 = t[t["phase"] == 1]
        high = t[t["actor_pinned"] >= 0.85]["trial"].tolist()
        print(f"{run} (to trial {t['trial'].max()}): phase I max saturated "
              f"{phase1['actor_saturated'].max():.3f}, max pinned "
              f"{phase1['actor_pinned'].max():.3f}; checkpoints pinned >= 0.85: "
              f"{len(high)}/{len(t)} {high}")


if __name__ == "__main__":
    main()
