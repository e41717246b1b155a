"""
# The ideal observer: how close is the agent's belief to Bayes?

An extended Kalman filter that knows the task sees the same observations and actions as a
bundled agent. Over time in the trial: the filter's own position error (the best any
agent could know), the agent's decoding error, and the distance between the position
decoded from the agent's units and the filter's belief.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import navdecode as nd

targets = nd.fixed_targets(500)
fig, ax = plt.subplots(figsize=(5, 3.8), layout="constrained")
for arch, color in nd.plotting.style.ARCH_COLORS.items():
    ds = nd.run_agent(nd.load_pretrained(arch, 0), targets)
    belief = nd.ideal_observer(ds)
    result = nd.decode(ds)
    apart = np.hypot(result.predicted.pos_x - belief.belief_x,
                     result.predicted.pos_y - belief.belief_y)
    steps = ds.step.values[:25]
    ax.plot(steps, result.error.mean("trial")[:25], color=color, label=f"{arch}: decoding")
    ax.plot(steps, apart.mean("trial")[:25], color=color, ls="--",
            label=f"{arch}: decoded to belief")
    print(f"{arch}: ideal observer {float(belief.observer_error.mean()):.1f} cm, decoding "
          f"{result.mean_error:.1f} cm, decoded to belief {float(apart.mean()):.1f} cm")
ax.plot(steps, belief.observer_error.mean("trial")[:25], color="k", label="ideal observer")
ax.set(xlabel="time step", ylabel="position error (cm)")
_ = ax.legend(fontsize=7, frameon=False)

# %%
# **Further:** The observer's model of the task and how its belief is compared with the
# decoded position: [the guide](../../../guides/beyond.md#the-ideal-observer). API:
# `nd.ideal_observer`.
