"""
# Dynamical similarity: do the architectures move alike?

CKA asks whether two networks visit similar states; Dynamical Similarity Analysis (DSA,
Ostrow et al. 2023, through the `dsa` extra) asks whether their states *move* alike. Each
network's hidden units are delay-embedded within each trial (5 steps), a rank-20 linear
operator is fitted to the embedded one-step map, and two operators are compared by the
Wasserstein distance between their eigenvalues, which no change of basis alters. The
label-permutation test takes the network, not the pair, as its unit.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

import navdecode as nd
from navdecode.analysis import dmd_operator, within_between

targets = nd.fixed_targets(150)
table = nd.list_pretrained(archs=("modular", "holistic"))
recordings = [nd.run_agent(nd.load_pretrained(a, int(s)), targets, seed=0)
              for a, s in zip(table["arch"], table["seed"], strict=True)]
matrix = nd.similarity_matrix(recordings, metric="dsa")
print(within_between(matrix).groupby("arch")[["within", "between"]].mean().round(4))
print(nd.within_between_test(matrix))

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
nd.plotting.plot_similarity_matrix(matrix, ax=axes[0], label="DSA distance", vmax=None)
circle = np.exp(1j * np.linspace(0, 2 * np.pi, 200))
axes[1].plot(circle.real, circle.imag, color="0.7", lw=0.8)
for ds, marker in ((recordings[0], "o"), (recordings[-1], "x")):
    values = np.linalg.eigvals(dmd_operator(ds))
    axes[1].scatter(values.real, values.imag, marker=marker,
                    label=f"{ds.attrs['arch']} seed {ds.attrs['agent_seed']}")
axes[1].set(xlabel="Re eigenvalue", ylabel="Im eigenvalue", aspect="equal",
            title="the eigenvalues the distance compares")
_ = axes[1].legend(fontsize=8)

# %%
# A distance of 0 means the same linear dynamics up to a change of basis; eigenvalues
# near the unit circle are slow modes, those near 0 decay within a step. **Further:**
# the method, its known-answer tests and the trial handling:
# `navdecode.analysis.dynamical_similarity`; the test's false-positive rate:
# `navdecode.stats.coverage.validate_within_between`. API: `nd.similarity_matrix(...,
# metric="dsa")`, `nd.dsa_distance`, `nd.within_between_test`.
