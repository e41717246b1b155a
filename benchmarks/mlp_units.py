"""What the modular actor's MLP layers carry, beside its LSTM (the paper's figures 1l, S1f).

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/mlp_units.py [--trials 1000]``.

Every bundled modular agent (Actor3: LSTM of 128 units, then MLP layers of 300 and 300
units with ReLU) on `fixed_targets` at 1x (noise seed = its seed). From its LSTM units,
from MLP layer 1 and from MLP layer 2 after the ReLU (`recording.rerun.mlp_units`,
`with_units`), the report's decoders (grouped CV): position error (cm) and Pearson's r of
the velocities, the target's distance and angle, and the actions. Prints the means over
seeds and the layers compared per seed (`compare`: exact permutation tests, Holm).
"""

from __future__ import annotations

import argparse

import pandas as pd
import torch

import navdecode as nd
from navdecode.analysis.target_frame import relative_to_target
from navdecode.recording.rerun import mlp_units, with_units
from navdecode.report.sections.task_variables import TASK_VARIABLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    targets = nd.fixed_targets(args.trials)
    rows = []
    for seed in range(8):
        agent = nd.load_pretrained("modular", seed)
        ds = nd.run_agent(agent, targets, seed=seed)
        framed = relative_to_target(ds)
        ds = ds.assign(target_distance=framed["target_distance"],
                       target_angle=framed["target_angle"])
        layers = {"LSTM": ds}
        for k in (1, 2):
            layers[f"MLP {k}"] = with_units(ds, mlp_units(agent.actor, ds, k), f"MLP {k}")
        for name, units in layers.items():
            position, variables = nd.decode_each(units, [("pos_x", "pos_y"), TASK_VARIABLES],
                                                 refit=False)
            rows.append({"arch": name, "seed": seed, "position_error_cm": position.mean_error,
                         **{f"r_{v}": float(variables.pearson_r[v]) for v in TASK_VARIABLES}})
    table = pd.DataFrame(rows)
    metrics = ["position_error_cm", *(f"r_{v}" for v in TASK_VARIABLES)]
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.precision", 3):
        print(f"{args.trials} trials per agent, 8 modular agents, 1x")
        print(table.groupby("arch", sort=False)[metrics].mean().T)
        result = nd.compare(table, metrics)
        pairs = result[result["comparison"] == "pair"]
        print(pairs[["metric", "group_a", "group_b", "mean_a", "mean_b", "permutation_p",
                     "p_holm"]].to_string(index=False))


if __name__ == "__main__":
    main()
