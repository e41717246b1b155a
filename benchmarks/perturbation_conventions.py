"""The paper's perturbation conventions beside navdecode's, on the bundled agents.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/perturbation_conventions.py
[--trials 1000]``.

Every bundled agent on the perturbation task (the report's trials: `fixed_targets`, the
agent's seed as the rollout's noise seed, gain 1x), scored two ways: the fraction-correct
AUC over every trial (navdecode's report) and over the strong perturbations only
(`strong_perturbations`, the paper's figure 6e), and the ideal observer's position error
untold and told the perturbation (`ideal_observer(..., knows_perturbation=True)`, the
paper's filter), and the no-adaptation replay of the agent's unperturbed twin with each
trial's bump (`replay_perturbation`), stopped where the twin stopped (navdecode) or
integrating the bump after the stop (the paper). Prints per-architecture means and the
architectures compared per seed (`compare`: exact permutation tests over seeds, Holm over
the metrics).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import torch

import navdecode as nd
from navdecode.analysis.controls import replay_perturbation
from navdecode.analysis.metrics import strong_perturbations
from navdecode.analysis.observer import ideal_observer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    targets = nd.fixed_targets(args.trials)
    rows = []
    bundle = nd.list_pretrained()
    for arch, seed in zip(bundle["arch"], bundle["seed"], strict=True):
        agent, config = nd.load_pretrained(arch, int(seed)), nd.TaskConfig.perturbation_task()
        ds = nd.run_agent(agent, targets, seed=int(seed), config=config)
        twin = nd.run_agent(agent, targets, seed=int(seed), config=config,
                            perturbation=nd.perturbations_of(ds) * [0, 0, 1])
        strong = np.flatnonzero(strong_perturbations(ds))
        rows.append({
            "arch": arch, "seed": int(seed), "n_strong": strong.size,
            "auc": nd.roc_auc(ds, seed=0)[0],
            "auc_strong": nd.roc_auc(ds.isel(trial=strong), seed=0)[0],
            "observer_error_cm": float(ideal_observer(ds).observer_error.mean()),
            "observer_told_error_cm": float(
                ideal_observer(ds, knows_perturbation=True).observer_error.mean()),
            "replay_auc": nd.roc_auc(replay_perturbation(ds, twin), seed=0)[0],
            "replay_auc_paper": nd.roc_auc(replay_perturbation(ds, twin, convention="paper"),
                                           seed=0)[0]})
    table = pd.DataFrame(rows)
    metrics = ["auc", "auc_strong", "observer_error_cm", "observer_told_error_cm",
               "replay_auc", "replay_auc_paper"]
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.precision", 3):
        print(f"{args.trials} trials per agent; strong perturbations per agent: "
              f"{table['n_strong'].min()}-{table['n_strong'].max()}")
        print(table.groupby("arch")[metrics].mean())
        result = nd.compare(table, metrics)
        if "comparison" in result:  # three or more architectures: every pair
            result = result[result["comparison"] == "pair"]
        columns = ["metric", "group_a", "group_b", "mean_a", "mean_b", "permutation_p",
                   "p_holm"]
        print(result[columns].to_string(index=False))


if __name__ == "__main__":
    main()
