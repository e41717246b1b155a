"""
# Decoding error of position, 1x vs 2x

Position decoded from the LSTM units with trial-grouped 5-fold cross-validation. The
violins show the error at every held-out step, as in the tutorial; the dots are the seed
means.
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
        error = nd.decode(nd.run_agent(agent, targets, gain=gain)).error
        steps = error.rename("decoding_error_cm").to_dataframe().dropna().reset_index()
        frames.append(steps.assign(arch=arch, seed=int(seed), gain=gain))
ax = nd.plot_decoding_error(pd.concat(frames, ignore_index=True))

# %%
# **Further:** The grouped, tutorial and paper protocols and the cross-gain decode: [the
# guide](../../../guides/decoding.md#protocols). API: `nd.decode`.
