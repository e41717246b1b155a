"""Paired training runs, navdecode's defaults against `TrainConfig.published()`, same seeds.

Reads the validation curves in this folder (``<arm>-modular-seed<S>/curve.csv``, copied
from the run folders; no training state) and, for the defaults arm, also the bundled
agents' curves (``navdecode/pretrained/modular-seed<S>-curve.csv``, trained with the
defaults). Every curve is cut at the same budget of trials, so runs that went on longer
do not count for more. Prints a markdown table per run and a summary per arm.

Run from the repository root:
``.venv/bin/python benchmarks/results/defaults-vs-published/analyse.py --budget 6000``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
BUNDLE = HERE.parents[2] / "navdecode" / "pretrained"
SATURATED = 0.85  # a validation counts as saturated when both actions are, at >= 85% of steps


def summarise(curve: pd.DataFrame, budget: int) -> dict[str, object]:
    """Phase I, saturation, time to 0.9 and best 1x / 2x within `budget` trials."""
    curve = curve[curve["episode"] <= budget]
    one = curve[curve["task"] == "gain1x"].sort_values("episode")
    two = curve[curve["task"] == "gain2x"]
    after = one[one["trials_after_phase1"] >= 0]
    phase1 = int(after["episode"].iloc[0] - after["trials_after_phase1"].iloc[0]) \
        if len(after) else None
    sat = one.loc[one["phase"] == 1, "actor_saturated"] if "actor_saturated" in one else None
    reached = after[(after["reward_fraction"] >= 0.9) & (after["trials_after_phase1"] > 0)]
    post2 = two[two["trials_after_phase1"] > 0]
    return {
        "trials": int(one["episode"].max()) if len(one) else 0,
        "phase1_trials": phase1,
        "phase1_saturated_validations": (None if sat is None or sat.isna().all()
                                         else f"{int((sat >= SATURATED).sum())}/{len(sat)}"),
        "phase1_max_saturated": None if sat is None or sat.isna().all() else float(sat.max()),
        "trials_to_0.9": int(reached["trials_after_phase1"].iloc[0]) if len(reached) else None,
        "wall_s_to_0.9": float(reached["wall_time_s"].iloc[0]) if len(reached) else None,
        "best_1x": float(after.loc[after["trials_after_phase1"] > 0, "reward_fraction"].max())
        if (after["trials_after_phase1"] > 0).any() else None,
        "best_2x": float(post2["reward_fraction"].max()) if len(post2) else None,
    }


def fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, required=True, help="trials per run")
    args = parser.parse_args()
    rows = []
    for folder in sorted(HERE.glob("*-modular-seed*")):
        arm, seed = folder.name.split("-modular-seed")
        rows.append({"arm": arm, "seed": int(seed), "source": f"{folder.name}/curve.csv",
                     **summarise(pd.read_csv(folder / "curve.csv"), args.budget)})
    seeds = sorted({r["seed"] for r in rows})
    for seed in seeds:
        path = BUNDLE / f"modular-seed{seed}-curve.csv"
        if path.exists():
            rows.append({"arm": "defaults (bundled)", "seed": seed,
                         "source": f"navdecode/pretrained/{path.name}",
                         **summarise(pd.read_csv(path), args.budget)})
    table = pd.DataFrame(rows).sort_values(["seed", "arm"])
    cols = ["arm", "seed", "trials", "phase1_trials", "phase1_saturated_validations",
            "phase1_max_saturated", "trials_to_0.9", "best_1x", "best_2x", "wall_s_to_0.9"]
    print(f"budget: {args.budget:,} trials per run; saturated validation: both actions "
          f"past |pre-tanh| 3 at >= {SATURATED:.0%} of noise-free 1x validation steps\n")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in table.to_dict("records"):
        print("| " + " | ".join(fmt(row[c]) for c in cols) + " |")
    print()
    for arm, group in table.groupby("arm"):
        ended = group["phase1_trials"].notna()
        reached = group["trials_to_0.9"].notna()
        lengths = group.loc[ended, "phase1_trials"].astype(float)
        where = f" (mean {lengths.mean():,.0f} trials where it did)" if len(lengths) else ""
        print(f"{arm}: phase I ended in {int(ended.sum())} of {len(group)} runs{where}; "
              f"1x >= 0.9 in {int(reached.sum())} of {len(group)}")


if __name__ == "__main__":
    main()
