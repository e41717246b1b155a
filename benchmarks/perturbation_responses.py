"""How the bundled agents answer a perturbation: compensation and what their belief misses.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/perturbation_responses.py
[--trials 1000]``.

Every bundled agent on the perturbation task (the report's trials: `fixed_targets`, the
agent's seed as the rollout's noise seed, gain 1x, perturbations drawn by the task) and
again on the same trials with the peaks set to zero (`perturbations_of(ds) * [0, 0, 1]`,
same noise seed). Per agent:

- the compensation kernels (`compensation_kernels`), summarised as their mean over the
  bump (lags 0-10, 0-1 s): linear forward / backward (cm/s), angular congruent /
  incongruent (deg/s, positive = turning further toward the target's side);
- the belief's error at the trial's end against the integrated perturbation
  (`belief_perturbation_errors` of the grouped decoder, `belief_perturbation_slopes`):
  slope -1 = the belief ignores the push, 0 = not misled.

Prints per-architecture means and the architectures compared per seed (`compare`: exact
permutation tests over seeds, Holm over the metrics).
"""

from __future__ import annotations

import argparse

import pandas as pd
import torch

import navdecode as nd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    targets = nd.fixed_targets(args.trials)
    config = nd.TaskConfig.perturbation_task()
    rows = []
    bundle = nd.list_pretrained()
    for arch, seed in zip(bundle["arch"], bundle["seed"], strict=True):
        agent = nd.load_pretrained(arch, int(seed))
        ds = nd.run_agent(agent, targets, seed=int(seed), config=config)
        twin = nd.run_agent(agent, targets, seed=int(seed), config=config,
                            perturbation=nd.perturbations_of(ds) * [0, 0, 1])
        kernels = nd.compensation_kernels(ds, twin)
        bump = kernels[kernels["lag_step"] <= config.perturb_duration_steps]
        means = bump.groupby("group")["kernel"].mean()
        slopes = nd.belief_perturbation_slopes(nd.belief_perturbation_errors(
            ds, nd.decode(ds, refit=False)))
        rows.append({"arch": arch, "seed": int(seed),
                     **{f"kernel_{g}": means[g] for g in
                        ("forward", "backward", "congruent", "incongruent")},
                     **slopes.drop("n_trials").to_dict()})
    table = pd.DataFrame(rows)
    metrics = [c for c in table if c not in ("arch", "seed")]
    with pd.option_context("display.width", 140, "display.precision", 3):
        print(f"{args.trials} trials per agent; kernels: mean over lags 0-10 (cm/s, deg/s)")
        print(table.groupby("arch", sort=False)[metrics].mean().T)
        result = nd.compare(table, metrics)
        tests = result[result["comparison"].isin(["omnibus", "pair"])]
        columns = ["metric", "comparison", "group_a", "group_b", "mean_a", "mean_b",
                   "permutation_p", "p_holm"]
        print(tests[columns].astype(object).fillna("").to_string(index=False))


if __name__ == "__main__":
    main()
