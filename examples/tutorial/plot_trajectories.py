"""
# 500 trajectories at 1x and 2x gain

Targets in blue were rewarded, red ones were not. At 2x gain the same actions carry the
agent twice as far.
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd

targets = nd.fixed_targets(500)
arch, seed = nd.list_pretrained(archs=("modular", "holistic"))[["arch", "seed"]].iloc[0]
agent = nd.load_pretrained(arch, int(seed))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
for ax, gain in zip(axes, (1.0, 2.0), strict=True):
    nd.plot_trajectories(nd.run_agent(agent, targets, gain=gain), ax=ax)

# %%
# **Further:** What every variable of a recording holds, in which units: [the
# guide](../../../guides/recording.md#the-schema). API: `nd.run_agent`.
