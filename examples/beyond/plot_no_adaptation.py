"""
# The no-adaptation control: replaying 1x actions at 2x

Each trial's actions recorded at 1x gain are replayed open loop at 2x: the behaviour of an
agent that did not adapt to the larger gain at all. Where the agent's real 2x traveled /
target slope lies below the replay's, it adapted.
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd

targets = nd.fixed_targets(500)
rows = []
for arch in ("modular", "holistic"):
    agent = nd.load_pretrained(arch, 0)
    at_1x = nd.run_agent(agent, targets, gain=1.0)
    for label, ds in (("agent 1x", at_1x), ("agent 2x", nd.run_agent(agent, targets, gain=2.0)),
                      ("replay of 1x at 2x", nd.replay_actions(at_1x, gain=2.0, noise=True))):
        rows.append((arch, label, nd.session_metrics(ds)["traveled_slope"]))
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
for i, (arch, label, slope) in enumerate(rows):
    ax.bar(i, slope, color=nd.plotting.style.ARCH_COLORS[arch], alpha=0.4 + 0.3 * (i % 3 == 1))
    ax.text(i, slope + 0.02, label, rotation=90, ha="center", va="bottom", fontsize=7)
ax.axhline(1.0, color="0.5", ls=":")
ax.set(xticks=[], ylabel="traveled / target distance slope", ylim=(0, 2.6))
for arch, label, slope in rows:
    print(f"{arch:9s} {label:20s} {slope:.2f}")

# %%
# **Further:** What the replay keeps fixed and what it changes: [the
# guide](../../../guides/beyond.md#the-no-adaptation-control). API: `nd.replay_actions`.
