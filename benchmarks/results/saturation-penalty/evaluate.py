"""Evaluate agents trained with and without the saturation penalty as the report does.

The bundled agents (``navdecode/pretrained/``) were trained with the penalty (the
default, weight 1); the agents in ``benchmarks/results/published-loss/`` with the
published loss (penalty 0).

Usage (from the repository root):
    .venv/bin/python benchmarks/results/saturation-penalty/evaluate.py

Each agent runs the same 1000 fixed targets at 1x and 2x gain with process and
observation noise (the report's protocol); the actor's saturation is measured on 300
noise-free targets at 1x.
"""

from pathlib import Path

import torch

import navdecode as nd
from navdecode.agents.checkpoints import load_agent

torch.set_num_threads(1)
PUBLISHED_LOSS = Path(__file__).parents[1] / "published-loss"
agents = {f"{path.stem.replace('-seed', ' seed ')} (published loss, penalty 0)": load_agent(path)
          for path in sorted(PUBLISHED_LOSS.glob("*-seed*.pt"))}
for arch, seed in nd.list_pretrained()[["arch", "seed"]].itertuples(index=False):
    agents[f"{arch} seed {seed} (bundled, penalty 1.0)"] = nd.load_pretrained(arch, int(seed))

targets = nd.fixed_targets(1000)
for name, agent in agents.items():
    fractions = [nd.trial_metrics(nd.run_agent(agent, targets, gain=g))["rewarded"].mean()
                 for g in (1.0, 2.0)]
    sat = nd.actor_saturation(agent, nd.run_agent(agent, nd.fixed_targets(300), noise=False))
    print(f"{name}: reward fraction 1x {fractions[0]:.3f}, 2x {fractions[1]:.3f}; "
          f"saturated (lin, ang) {[round(float(v), 2) for v in sat.saturated_fraction]}, "
          f"mean |pre-tanh| {[round(float(v), 1) for v in sat.mean_abs_preactivation]}")
