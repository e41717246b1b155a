"""
# A single trial

One bundled modular agent steers to one target; the grey disc is the 65 cm reward zone.
"""

# %%
import navdecode as nd

agent = nd.load_pretrained("modular", nd.list_pretrained()["seed"].iloc[0])
ds = nd.run_agent(agent, nd.fixed_targets(20), gain=1.0)
ax = nd.plot_trial(ds, trial=0)

# %%
# **Further:** The task's dynamics, observations and reward zone: [the
# guide](../../../guides/task.md). API: `nd.plot_trial`.
