"""
# Chance level: the shuffle null, and the tutorial's split

The same decoder after giving each trial another trial's positions tells how much of the
decoding error is chance. The tutorial's single 70/30 split with a fixed penalty is shown
beside the trial-grouped CV.
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd

arch, seed = nd.list_pretrained()[["arch", "seed"]].iloc[0]
ds = nd.run_agent(nd.load_pretrained(arch, int(seed)), nd.fixed_targets(500))
errors = {
    "grouped CV": nd.decode(ds).mean_error,
    "tutorial 70/30": nd.decode(ds, protocol="tutorial").mean_error,
    "shuffle null": nd.decode(ds, shuffle=True).mean_error,
}
fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
ax.bar(list(errors), list(errors.values()), color=["#1b9e77", "#7570b3", "0.6"])
ax.set_ylabel("position decoding error (cm)")
print({k: round(v, 1) for k, v in errors.items()})
