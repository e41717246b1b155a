"""
# Representational similarity across seeds and architectures

Linear CKA between the LSTM units of every pair of bundled networks on the same trials at
1x gain: a seeds x seeds matrix, and per network its mean similarity to the other networks
of its own architecture and to the other architecture's.
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd
from navdecode.analysis import within_between

targets = nd.fixed_targets(300)
table = nd.list_pretrained(archs=("modular", "holistic"))
recordings = [nd.run_agent(nd.load_pretrained(a, int(s)), targets, seed=0)
              for a, s in zip(table["arch"], table["seed"], strict=True)]
matrix = nd.similarity_matrix(recordings)
fig, ax = plt.subplots(figsize=(5, 4.2), layout="constrained")
image = ax.imshow(matrix.to_numpy(), vmin=0, vmax=1, cmap="viridis")
names = [f"{a[0]}{s}" for a, s in matrix.index]
ax.set(xticks=range(len(names)), yticks=range(len(names)), xticklabels=names,
       yticklabels=names)
fig.colorbar(image, ax=ax, label="linear CKA")
print(within_between(matrix).groupby("arch")[["within", "between"]].mean().round(3))

# %%
# **Further:** CKA and the Procrustes distance, and why the pairwise values carry no
# test: [the guide](../../../guides/beyond.md#representational-similarity). API:
# `nd.similarity_matrix`.
