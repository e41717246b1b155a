"""
# Record your own task and your own recurrent network

`record` takes any gymnasium environment and any recurrent policy called as
`action, state = policy(obs, state)` (obs of shape (1, B, obs_dim)). Here a task written
in a few lines (drift towards a goal on a plane, position in `info`) and a GRU with random
weights, run as three sub-environments side by side; the position is then decoded from
the GRU's units like any navdecode recording.
"""

# %%
import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from torch import nn

import navdecode as nd


class Drift2D(gym.Env):
    def __init__(self):
        self.observation_space = spaces.Box(-10.0, 10.0, (3,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos, self.t = np.zeros(2), 0
        self.goal = self.np_random.uniform(-5, 5, 2)
        return self._obs(), {"x": 0.0, "y": 0.0}

    def _obs(self):
        return np.r_[self.goal - self.pos, self.t / 10].astype(np.float32)

    def step(self, action):
        self.t += 1
        self.pos = self.pos + 0.5 * np.asarray(action) + self.np_random.normal(0, 0.05, 2)
        close = np.linalg.norm(self.goal - self.pos) < 0.5
        return (self._obs(), float(close), bool(close), self.t >= 15,
                {"x": self.pos[0], "y": self.pos[1]})


class GRUPolicy(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.rnn, self.out = nn.GRU(3, hidden), nn.Linear(hidden, 2)

    def forward(self, x, state=None):
        h, state = self.rnn(x, state)
        return torch.tanh(self.out(h)), state


torch.manual_seed(0)
env = gym.vector.SyncVectorEnv([Drift2D for _ in range(3)])
ds = nd.record(GRUPolicy(), env, n_trials=300, seed=0, arch="my GRU", dt=0.5,
               info_vars={"pos_x": "x", "pos_y": "y"})
result = nd.decode(ds)
print(ds.sizes, ds.attrs["arch"])
print(f"position decoded to {result.mean_error:.2f} task units, "
      f"R2 {result.r2.round(2).to_dict()}")
ax = nd.plot_decoding_over_time(result.error_by_step())

# %%
# **Further:** How a recording names its network, its trials and the units of your task's
# variables: [the guide](../../../guides/recording.md#units-from-the-task-or-the-user).
# API: `nd.record`.
