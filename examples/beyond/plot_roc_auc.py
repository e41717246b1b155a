"""
# Fraction correct (ROC AUC): accuracy without the 65 cm boundary

The paper's accuracy measure: for a radius swept from 0 cm, the fraction of trials that
end within it of their own target against the same fraction with targets shuffled across
trials. The area under that curve is 0.5 for an agent that ignores the target and 1 for
one that always ends closer to its own target than to any other. One bundled agent of
each architecture at 1x and 2x gain.
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd

targets = nd.fixed_targets(500)
fig, ax = plt.subplots(figsize=(4.5, 4), layout="constrained")
for arch, color in nd.plotting.style.ARCH_COLORS.items():
    for gain, style in ((1.0, "-"), (2.0, "--")):
        ds = nd.run_agent(nd.load_pretrained(arch, 0), targets, gain=gain)
        auc, curve = nd.roc_auc(ds)
        ax.plot(curve["fraction_shuffled"], curve["fraction_correct"], style, color=color,
                label=f"{arch} {gain:g}x (AUC {auc:.2f})")
ax.plot([0, 1], [0, 1], ":", color="0.5")
ax.set(xlabel="fraction within radius, shuffled targets", ylabel="fraction within radius")
_ = ax.legend(fontsize=8, frameon=False)

# %%
# **Further:** How the fraction-correct curve is built from shuffled targets: [the
# guide](../../../guides/beyond.md#fraction-correct-roc-auc). API: `nd.roc_auc`.
