"""
# Path curvature

The paper's curvature per trial (finite differences, top 5% of samples dropped), by
architecture and gain.
"""

# %%
import pandas as pd

import navdecode as nd

targets = nd.fixed_targets(500)
frames = []
bundle = nd.list_pretrained(archs=("modular", "holistic"))  # the tutorial's two
for arch, seed in zip(bundle["arch"], bundle["seed"], strict=True):
    agent = nd.load_pretrained(arch, int(seed))
    for gain in (1.0, 2.0):
        frames.append(nd.trial_metrics(nd.run_agent(agent, targets, gain=gain)).assign(
            arch=arch, seed=int(seed)))
ax = nd.plot_curvature(pd.concat(frames))

# %%
# **Further:** How curvature is defined (the paper's finite differences, its top 5%
# dropped) and which other per-trial metrics sit beside it: [the
# guide](../../../guides/metrics.md). API: `nd.path_curvature`, `nd.trial_metrics`.
