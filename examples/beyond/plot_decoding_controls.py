"""
# Decoding protocols and controls: how much of it is belief?

Position decoded from one bundled agent's LSTM units three ways (trial-grouped CV, the
tutorial's and the paper's 70/30 splits), beside three controls decoded like the grouped
CV: the trial shuffle (which keeps time-in-trial, so it is not chance level), the step
index alone, and the same network before training fed the same inputs.
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd

arch, seed = nd.list_pretrained(archs=("modular", "holistic"))[["arch", "seed"]].iloc[0]
ds = nd.run_agent(nd.load_pretrained(arch, int(seed)), nd.fixed_targets(500))
errors = {
    "grouped CV": nd.decode(ds).mean_error,
    "tutorial 70/30": nd.decode(ds, protocol="tutorial").mean_error,
    "paper 70/30": nd.decode(ds, protocol="paper").mean_error,
    "trial shuffle": nd.decode(ds, control="shuffle").mean_error,
    "step index only": nd.decode(ds, control="time").mean_error,
    "untrained network": nd.decode(ds, control="untrained").mean_error,
}
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.bar(list(errors), list(errors.values()),
       color=["#009E73", "#0072B2", "#E69F00", "0.6", "0.6", "0.6"])
ax.set_ylabel("position decoding error (cm)")
ax.tick_params(axis="x", rotation=30)
print({k: round(v, 1) for k, v in errors.items()})

# %%
# **Further:** What each protocol and control means, and why the trial shuffle is not
# chance level: [the
# guide](../../../guides/decoding.md#controls-how-much-of-the-decoding-is-belief). API:
# `nd.decode`.
