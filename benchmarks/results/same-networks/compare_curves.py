"""Compare two training curves row by row: do two runs of one seed follow the same path?

Prints, for every validation trial both curves have, the largest relative difference
of ``error_distance`` over the gains and whether the reward fractions agree. Two runs
that train the same networks differ only in the last digits (the validation's metric
code has changed its float precision over time); runs that parted differ from the
first parting validation on.

Run from the repository root:
``.venv/bin/python benchmarks/results/same-networks/compare_curves.py A/curve.csv B/curve.csv``
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd


def compare(path_a: str, path_b: str) -> pd.DataFrame:
    """One row per common validation trial: max relative error-distance difference."""
    keys = ["episode", "task"]
    a, b = pd.read_csv(path_a), pd.read_csv(path_b)
    both = a.merge(b, on=keys, suffixes=("_a", "_b"))
    both["rel_diff"] = (np.abs(both["error_distance_a"] - both["error_distance_b"])
                        / both["error_distance_a"].abs())
    both["same_reward"] = both["reward_fraction_a"] == both["reward_fraction_b"]
    return both.groupby("episode").agg(max_rel_diff_error=("rel_diff", "max"),
                                       reward_fractions_equal=("same_reward", "all"))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: compare_curves.py CURVE_A CURVE_B")
    table = compare(sys.argv[1], sys.argv[2])
    print("| trial | largest relative error-distance difference | reward fractions equal |")
    print("|---|---|---|")
    for trial, row in table.iterrows():
        print(f"| {trial} | {row.max_rel_diff_error:.2g} | {row.reward_fractions_equal} |")
