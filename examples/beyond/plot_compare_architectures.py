"""
# Compare your own architectures

Any number of labelled groups of networks, compared on one value per network with the
k-group statistics of `compare`: an omnibus test (do the groups differ at all?), every
pair with Holm's correction, the interquartile mean of each group and the probability
that a network of one group beats one of another.

Here the three "architectures" are the bundled modular and holistic agents and, as a
third label, untrained modular networks (each at its own seed): the question is how well
each group's recurrent units carry the agent's position at 1x gain. Any recordings work
the same way: give each its `label` and `agent_seed` (or `agent_id`) when recording.
At the end the same recordings go through the whole report, which shows the k-group
tables for every metric.
"""

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import navdecode as nd
from navdecode.plotting import arch_palette

targets = nd.fixed_targets(80)
rows, recordings = [], []
for seed in range(5):
    agents = {"modular": nd.load_pretrained("modular", seed),
              "holistic": nd.load_pretrained("holistic", seed),
              "untrained modular": nd.make_agent("modular", seed=seed)}
    for label, agent in agents.items():
        # one noise seed for all: the recording names its network by label and agent_seed
        ds = nd.run_agent(agent, targets, seed=0, label=label, agent_seed=seed)
        recordings.append(ds)
        rows.append({"arch": label, "seed": seed,
                     "decoding_error_cm": nd.decode(ds, n_splits=4).mean_error})
table = pd.DataFrame(rows)

# %%
# One call compares all three groups. The omnibus row asks whether they differ at all;
# the pair rows are corrected together (Holm), and carry P(a > b).
result = nd.compare(table, "decoding_error_cm", groups=["modular", "holistic",
                                                        "untrained modular"])
# (printed as three narrow tables, one per kind of row, so that they fit the page)
kinds = {"omnibus": ["groups", "permutation_p", "kruskal_p", "p_holm"],
         "group": ["groups", "iqm"],
         "pair": ["groups", "diff", "probability_of_improvement", "p_holm"]}
for kind, columns in kinds.items():
    rows_of_kind = result.loc[result["comparison"] == kind, columns]
    print(rows_of_kind.round(4).to_string(index=False), end="\n\n")

# %%
# One dot per network, a bar at each group's interquartile mean.
groups = result[result["comparison"] == "group"]
colors = arch_palette(groups["groups"])
fig, ax = plt.subplots(figsize=(5, 3.6), layout="constrained")
for i, (label, iqm) in enumerate(zip(groups["groups"], groups["iqm"], strict=True)):
    values = table.loc[table["arch"] == label, "decoding_error_cm"]
    ax.bar(i, iqm, color=colors[label], alpha=0.5)
    ax.scatter([i] * len(values), values, color="k", s=12, zorder=3)
ax.set_xticks(range(len(groups)), groups["groups"])
_ = ax.set(ylabel="position decoding error (cm)", title="5 networks per group, IQM bars")

# %%
# Read the pair rows before the bars: with 5 networks per group the smallest two-group
# p is 2 / C(10, 5) = 0.0079, so three pairs corrected together cannot go below 0.024.
# And compare the untrained group with the trained ones: random recurrent weights already
# integrate the observed velocities, which is why the report shows the untrained control
# beside every decoding error.


# %%
# The whole report on the same 15 recordings: every headline and behaviour metric gets the
# omnibus row and all pairs. (``analyses=()`` leaves out the optional sections to keep this
# example short; the report's own guide shows them.)
out = Path(tempfile.mkdtemp()) / "report"
report = nd.make_report(out, recordings=recordings, analyses=(), progress=False)
text = report.read_text().splitlines()
start = text.index("## Headline: all labels")
print("\n".join(text[start:start + 12]))
