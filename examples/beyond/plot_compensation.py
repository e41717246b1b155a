"""
# Compensating a perturbation, and what the belief misses

After a velocity bump the agent changes its commands: the compensation kernel is that
change, from the bump's onset on, against the same agent on the same trials without the
bump (same targets, same noise). Below, three bundled agents of each architecture: the
linear kernels (forward and backward pushes) and the angular ones (pushes toward the
target's side, congruent, or away from it), mean +- SD over seeds; dashed: the
backward and incongruent pushes. Then the decoded
belief's error at each trial's end against the perturbation integrated over the trial:
a belief that ignores the push misses all of it (slope -1), one that tracks it none.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd

import navdecode as nd
from navdecode.plotting import plot_compensation_kernels

targets = nd.fixed_targets(300)
config = nd.TaskConfig.perturbation_task()
kernels, slopes = [], []
for arch in ("modular", "holistic"):
    for seed in (0, 1, 2):
        agent = nd.load_pretrained(arch, seed)
        ds = nd.run_agent(agent, targets, seed=seed, config=config)
        twin = nd.run_agent(agent, targets, seed=seed, config=config,
                            perturbation=nd.perturbations_of(ds) * [0, 0, 1])
        kernels.append(nd.compensation_kernels(ds, twin).assign(arch=arch, seed=seed))
        errors = nd.belief_perturbation_errors(ds, nd.decode(ds, refit=False))
        slopes.append(nd.belief_perturbation_slopes(errors).rename(f"{arch} {seed}"))
kernels = pd.concat(kernels, ignore_index=True)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
plot_compensation_kernels(kernels, "linear", ax=axes[0])
plot_compensation_kernels(kernels, "angular", ax=axes[1])
print(pd.DataFrame(slopes)[["slope_lin", "r_lin", "slope_ang", "r_ang"]].round(3))

# %%
# **Further:** the formulas are in the docstrings of
# `navdecode.analysis.perturbation`; all bundled agents, compared with statistics, in [the
# guide](../../../guides/beyond.md#compensation-and-the-belief-under-perturbation).
