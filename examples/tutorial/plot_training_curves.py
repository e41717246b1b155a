"""
# Training curves

The validation reward fraction at 1x gain during training, mean +- SEM across the bundled
seeds of each architecture (the curves ship with the agents).
"""

# %%
import pandas as pd

import navdecode as nd
from navdecode.pretrained import PRETRAINED_DIR

bundle = nd.list_pretrained(archs=("modular", "holistic"))  # the tutorial's two
curves = pd.concat(
    [pd.read_csv(PRETRAINED_DIR / f"{a}-seed{s}-curve.csv").assign(arch=a, seed=s)
     for a, s in zip(bundle["arch"], bundle["seed"], strict=True)],
    ignore_index=True)
ax = nd.plot_training_curves(curves, task="gain1x")

# %%
# **Further:** How the bundled agents were trained, and their curves' columns: [the
# guide](../../../guides/training.md#bundled-agents). API: `nd.plot_training_curves`.
