"""
# Traveled vs target distance

Each dot is a trial; lines are zero-intercept regressions (slope 1 = ideal, below 1 =
undershoot). At 2x gain the same policy overshoots unless the agent adapts.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd

import navdecode as nd

targets = nd.fixed_targets(500)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
bundle = nd.list_pretrained(archs=("modular", "holistic"))  # the tutorial's two
for ax, gain in zip(axes, (1.0, 2.0), strict=True):
    frames = []
    for arch, seed in zip(bundle["arch"], bundle["seed"], strict=True):
        ds = nd.run_agent(nd.load_pretrained(arch, int(seed)), targets, gain=gain)
        frames.append(nd.trial_metrics(ds).assign(arch=arch))
    nd.plot_traveled_vs_target(pd.concat(frames), ax=ax)
    ax.set_title(f"gain {gain:g}x")

# %%
# **Further:** The traveled / target slope and the signed radial error: [the
# guide](../../../guides/metrics.md). API: `nd.trial_metrics`.
