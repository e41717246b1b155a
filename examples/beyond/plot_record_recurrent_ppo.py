"""
# Record a Stable-Baselines3 RecurrentPPO agent

sb3-contrib's `RecurrentPPO` trains on `"navdecode/Firefly-v0"` unchanged; `record` then
runs its deterministic policy (one forward pass per step) on the native vector
environment and records its actor LSTM's states beside the task's variables. The agent
here trains for 256 steps only, so it has not learned the task: the point is the
plumbing. Needs the optional extra: `pip install navdecode[sb3]`.
"""

# %%
import gymnasium as gym
from sb3_contrib import RecurrentPPO

import navdecode as nd

model = RecurrentPPO("MlpLstmPolicy", gym.make(nd.ENV_ID), n_steps=128, batch_size=64,
                     n_epochs=1, seed=0, device="cpu", policy_kwargs={"lstm_hidden_size": 32})
model.learn(total_timesteps=256)  # seconds: the point is the plumbing, not the agent
env = gym.make_vec(nd.ENV_ID, num_envs=100, vectorization_mode="vector_entry_point")
ds = nd.record(model, env, n_trials=100, seed=0)
print(ds.sizes, ds.attrs["arch"])
print(nd.session_metrics(ds)[["reward_fraction", "stop_error_cm"]])
result = nd.decode(ds)
time_only = nd.decode(ds, control="time").mean_error
print(f"position decoded from the LSTM to {result.mean_error:.1f} cm; from the step index "
      f"alone to {time_only:.1f} cm (the baseline to beat before reading it as belief)")
ax = nd.plot_trajectories(ds)

# %%
# **Further:** Which policies and environments `record` takes, and what it writes for
# each: [the guide](../../../guides/recording.md#any-policy-any-task). API: `nd.record`.
