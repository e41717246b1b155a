"""
# Reward fraction and time spent, per seed and architecture

Every bundled modular and holistic agent runs the same 1000 targets at 1x and 2x gain.
Bars are means, dots are seeds. Time spent is the tutorial's definition: total steps x
0.1 s, in hours.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd

import navdecode as nd

targets = nd.fixed_targets(1000)
rows = []
bundle = nd.list_pretrained(archs=("modular", "holistic"))  # the tutorial's two
for arch, seed in zip(bundle["arch"], bundle["seed"], strict=True):
    agent = nd.load_pretrained(arch, int(seed))
    for gain in (1.0, 2.0):
        summary = nd.session_metrics(nd.run_agent(agent, targets, gain=gain))
        rows.append({"arch": arch, "seed": int(seed), "gain": gain, **summary})
table = pd.DataFrame(rows)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ax = nd.plot_reward_fraction(table, ax=axes[0])
ax = nd.plot_time_spent(table, ax=axes[1])
print(table[["arch", "seed", "gain", "reward_fraction", "time_spent_h"]])

# %%
# **Further:** How reward fraction and time spent are defined, and how the two
# architectures are compared with honest statistics: [the
# guide](../../../guides/statistics.md). API: `nd.session_metrics`, `nd.compare`.
