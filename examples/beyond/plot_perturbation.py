"""
# The perturbation task: generalising to unexpected velocity bumps

The paper's second generalisation test: a Gaussian bump (standard deviation 0.2 s, peaks
up to 200 cm/s and 120 deg/s) added to the joystick velocity at a random time. One
bundled agent of each architecture on the same targets; reward fraction and position
decoding error by the size of the linear perturbation.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd

import navdecode as nd
from navdecode.analysis import perturbation_metrics
from navdecode.plotting import plot_perturbation

targets = nd.fixed_targets(500)
frames = []
for arch in ("modular", "holistic"):
    ds = nd.run_agent(nd.load_pretrained(arch, 0), targets,
                      config=nd.TaskConfig.perturbation_task())
    bins = perturbation_metrics(ds, decoding_error=nd.decode(ds).error)
    frames.append(bins.assign(arch=arch, seed=0))
    print(arch, f"reward fraction {float(ds.rewarded.mean()):.2f}")
bins = pd.concat(frames, ignore_index=True)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
ax = plot_perturbation(bins, "reward_fraction", ax=axes[0])
ax = plot_perturbation(bins, "decoding_error_cm", ax=axes[1])
print(bins[["arch", "bin_low", "bin_high", "reward_fraction", "decoding_error_cm"]].round(2))

# %%
# **Further:** The perturbation task's bumps and the metrics binned by them: [the
# guide](../../../guides/beyond.md#the-perturbation-task). API:
# `TaskConfig.perturbation_task`, `navdecode.analysis.metrics.perturbation_metrics`.
