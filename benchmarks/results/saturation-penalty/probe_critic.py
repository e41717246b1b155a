"""What the critic of a stuck run thinks: Q of the actor's action vs a stop, and dQ/da.

Usage (from the repository root):
    .venv/bin/python benchmarks/results/saturation-penalty/probe_critic.py modular \
        training/modular-seed1/state.pt

Runs the actor of a training state (``state.pt``) on 100 fixed targets at 1x without
noise and evaluates its first Q network, at every valid step, on the actor's own
action and on a stop (0, 0). It also reports how often dQ/da points away from zero
(outward, deeper into the tanh's tails) for each action component.
"""

import sys

import numpy as np
import torch

from navdecode import fixed_targets, make_agent, run_agent

torch.set_num_threads(1)
arch, path = sys.argv[1], sys.argv[2]
state = torch.load(path, weights_only=True)
agent = make_agent(arch, seed=0)
agent.load_state_dict(state["agent"])
ds = run_agent(agent, fixed_targets(100), noise=False)
x = torch.as_tensor(np.nan_to_num(ds["actor_input"].transpose("step", "trial", "input").to_numpy()),
                    dtype=torch.float32)
valid = ds["valid"].transpose("step", "trial").to_numpy()
with torch.no_grad():
    action, _ = agent.actor(x)
action.requires_grad_(True)
q = agent.critic.q1(x, action).squeeze(-1)
q.sum().backward()
grad, a = action.grad.numpy()[valid], action.detach().numpy()[valid]
with torch.no_grad():
    q_stop = agent.critic.q1(x, torch.zeros_like(action)).squeeze(-1).numpy()[valid]
print(f"{path}: mean action (lin, ang) {[round(float(v), 3) for v in a.mean(0)]}")
print(f"  Q(actor's action) {q.detach().numpy()[valid].mean():.3f}, Q(stop) {q_stop.mean():.3f}")
outward = (np.sign(grad) == np.sign(a)).mean(0)
print(f"  dQ/da points outward at {[round(float(v), 2) for v in outward]} "
      "of steps (lin, ang)")
