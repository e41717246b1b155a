"""
# Record a neurogym task

neurogym's cognitive tasks run one endless episode and mark each trial's end in
``info["new_trial"]``; `record(..., trial_end="new_trial")` cuts trials there, without a
wrapper. Here a small GRU learns the perceptual decision task with a delay
(``PerceptualDecisionMakingDelayResponse-v0``), is recorded, and its choice is decoded
from its units at every step before the response: does the network hold the decision
through the delay?

neurogym's release pins an old gymnasium; install it without its pins, after navdecode:
``pip install --no-deps neurogym natsort loguru pydantic-settings tomlkit`` (the last four
are the dependencies it needs here). `make docs` does so.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch

import navdecode as nd

with warnings.catch_warnings():  # neurogym's registration metadata predates gymnasium 1
    warnings.simplefilter("ignore")
    import neurogym as ngym

    task = "PerceptualDecisionMakingDelayResponse-v0"
    env = ngym.make(task, dt=100)

# %%
# Training data: the task's own stream of trials with its per-step targets (``gt``).
obs, _ = env.reset(seed=1)
xs, ys = [], []
for _ in range(12_000):
    next_obs, _, _, _, info = env.step(0)
    xs.append(obs)
    ys.append(info["gt"])
    obs = next_obs
inputs = torch.as_tensor(np.asarray(xs, np.float32).reshape(200, 60, -1).transpose(1, 0, 2))
labels = torch.as_tensor(np.asarray(ys).reshape(200, 60).T).long()


class GRUPolicy(torch.nn.Module):
    """GRU -> logits; as a policy its action is the arg max."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.rnn, self.head = torch.nn.GRU(n_in, 64), torch.nn.Linear(64, n_out)

    def logits(self, x, state=None):
        out, state = self.rnn(x, state)
        return self.head(out), state

    def forward(self, x, state=None):
        logits, state = self.logits(x, state)
        return logits.argmax(-1).float(), state


net = GRUPolicy(inputs.shape[2], env.action_space.n)
optimiser = torch.optim.Adam(net.parameters(), lr=1e-2)
for i in range(300):
    batch = torch.as_tensor(np.random.default_rng(i).choice(200, 32))
    logits, _ = net.logits(inputs[:, batch])
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                             labels[:, batch].reshape(-1))
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
print(f"training loss {loss.item():.3f}")

# %%
# Record 300 trials, cut at neurogym's own trial ends; the trial's correct choice is
# ``gt`` at its last step.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ds = nd.record(net, ngym.make(task, dt=100), n_trials=300, seed=0, trial_end="new_trial",
                   trial_vars={"choice": "gt"}, units={"choice": "1"}, label="gru",
                   agent_id="gru-seed0")
print(ds.sizes["trial"], "trials of", ds["n_steps"].min().item(), "to",
      ds["n_steps"].max().item(), "steps")

# %%
# Decode the choice (1 or 2) from the units at every step, cross-validated by trial, and
# align the steps to each trial's end: the delay lies just before the response.
ds["choice_now"] = ds["choice"].broadcast_like(ds["valid"]).where(ds["valid"])
result = nd.decode(ds, targets=("choice_now",), n_splits=5)
error = result.error.values
n_steps = ds["n_steps"].values
before_end = np.arange(error.shape[1])[None, :] - n_steps[:, None]
lags = np.arange(-15, 0)
mean_error = [np.nanmean(error[before_end == lag]) for lag in lags]
chance = np.abs(ds["choice"].values - ds["choice"].values.mean()).mean()
fig, ax = plt.subplots(figsize=(5, 3.4), layout="constrained")
ax.plot(lags * 0.1, mean_error, marker="o", label="decoded from the GRU")
ax.axhline(chance, color="0.5", ls="--", label="predicting the mean choice")
ax.set(xlabel="time before the trial's end (s)", ylabel="|decoded - true choice|")
_ = ax.legend(frameon=False)
