"""
# What the critic expects: value estimates and TD errors

The critic trained with an actor estimates the discounted reward to come. Re-run on a
recording's inputs and executed actions (`critic_values`), a trained critic's value
climbs toward the reward over a rewarded trial and stays low on an unrewarded one, and
its TD errors are small; a fresh critic's are not. A bundled hybrid that kept its critic
(Actor1Critic5: holistic actor, modular critic), at 1x and at 2x gain. At 2x the critic
still expects the reward on the trials that miss it: its value climbs just as on a
rewarded trial, and the miss at the end is a large negative TD error (its mean |TD error|
is then larger than a fresh critic's).
"""

# %%
import matplotlib.pyplot as plt

import navdecode as nd
from navdecode.plotting import plot_critic_values

agent = nd.load_pretrained("Actor1Critic5", 1, critic=True)
fresh = nd.make_agent("Actor1Critic5", seed=1)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained", sharey=True)
for ax, gain in zip(axes, (1.0, 2.0), strict=True):
    ds = nd.run_agent(agent, nd.fixed_targets(400), gain=gain, seed=1)
    values = nd.critic_values(agent, ds)
    plot_critic_values(values, ds["rewarded"].values, ax=ax)
    ax.set_title(f"gain {gain:g}x: {float(ds['rewarded'].mean()):.0%} rewarded")
    trained = nd.critic_summary(values)
    # an untrained critic is refused unless asked for: here it is the control
    untrained = nd.critic_summary(nd.critic_values(fresh, ds, allow_untrained=True))
    print(f"{gain:g}x  mean |TD error| trained {trained['TD_error_abs']:.3f}, "
          f"fresh {untrained['TD_error_abs']:.3f}; mean value {trained['value_est']:.2f}")

# %%
# **Further:** the formulas are in `navdecode.analysis.critic`; the critics of all the
# hybrids compared in [the guide](../../../guides/beyond.md#the-critic).
