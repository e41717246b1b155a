"""
# Decoding error over the trial

The error of the grouped-CV position decoder at each time step: beliefs drift as the
target disappears (after 300 ms) and the agent integrates noisy velocities.
"""

# %%
import pandas as pd

import navdecode as nd

targets = nd.fixed_targets(500)
frames = []
arch, seed = nd.list_pretrained(archs=("modular", "holistic"))[["arch", "seed"]].iloc[0]
agent = nd.load_pretrained(arch, int(seed))
for gain in (1.0, 2.0):
    result = nd.decode(nd.run_agent(agent, targets, gain=gain))
    frames.append(result.error_by_step().assign(label=f"{arch} {gain:g}x"))
steps = pd.concat(frames)
ax = nd.plot_decoding_over_time(steps[steps["n"] >= 20])

# %%
# **Further:** How the per-step error is formed and what the error's units are: [the
# guide](../../../guides/decoding.md#result). API: `DecodingResult.error_by_step`.
