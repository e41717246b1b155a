"""The tutorial's way of evaluating an agent: one trial at a time, one LSTM call per step.

A faithful transcription of the Neuromatch tutorial's ``evaluation`` loop (batch of 1,
per-trial Python loop), with the spec's stop rule (a stop only counts after the agent
has moved). It exists as an independent check of the batched `run_agent` and as the
baseline of ``benchmarks/bench_rollout.py``; analyses should use `run_agent`.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from navdecode.task.config import TaskConfig

__all__ = ["run_agent_loop"]


def run_agent_loop(actor: nn.Module, targets: np.ndarray, gain: float = 1.0,
                   config: TaskConfig | None = None, noise: bool = False,
                   seed: int = 0) -> list[dict[str, np.ndarray | bool | int]]:
    """Evaluate ``actor`` trial by trial, the tutorial's way.

    Parameters
    ----------
    actor : torch.nn.Module
        Called as ``action, state = actor(x, state)`` with ``x`` of shape (1, 1, 6).
    targets : ndarray of shape (n_trials, 2)
        Target positions in cm.
    gain : float, default=1.0
        Joystick gain factor.
    config : TaskConfig or None, default=None
        Task settings.
    noise : bool, default=False
        Add process and observation noise (drawn with ``torch.randn`` after seeding).
    seed : int, default=0
        Seed of the noise.

    Returns
    -------
    trials : list of dict
        Per trial: ``pos_x``, ``pos_y`` (cm, one entry per action, the state at which it
        was issued), ``actions`` (n_steps, 2), ``rewarded``, ``n_steps``.
    """
    cfg = TaskConfig() if config is None else config
    torch.manual_seed(seed)
    unit = cfg.length_unit_cm
    g = torch.tensor(cfg.gain_model) * gain
    pro_std, obs_std = cfg.process_noise_std * g, cfg.obs_noise_std * g
    results = []
    for target_cm in np.asarray(targets, dtype=float):
        target = torch.tensor(target_cm / unit, dtype=torch.float32)
        target_obs = target.clone()
        state = torch.tensor([0.0, 0.0, math.pi / 2, 0.0, 0.0])
        x = torch.cat([torch.zeros(4), target_obs]).view(1, 1, -1)
        hidden = None
        positions, actions = [], []
        moved, rewarded = False, False
        for t in range(cfg.max_steps):
            with torch.no_grad():
                action, hidden = actor(x, hidden)
            a = action.view(-1)
            positions.append(state[:2].clone())
            actions.append(a.clone())
            if t == cfg.target_visible_steps - 1:
                target_obs = target_obs * 0
            reached = torch.dist(state[:2], target) * unit < cfg.reward_radius_cm
            is_stop = bool((a.abs() < cfg.stop_threshold).all())
            if is_stop and moved:
                rewarded = bool(reached)
                break
            moved = moved or not is_stop
            px, py, heading, v, w = state
            eta = pro_std * torch.randn(2) if noise else torch.zeros(2)
            state = torch.stack([
                px + v * torch.cos(heading) * cfg.dt,
                py + v * torch.sin(heading) * cfg.dt,
                heading + w * cfg.dt,
                g[0] * a[0] + eta[0],
                g[1] * a[1] + eta[1],
            ])
            zeta = obs_std * torch.randn(2) if noise else torch.zeros(2)
            x = torch.cat([state[3:] + zeta, a, target_obs]).view(1, 1, -1)
        pos = torch.stack(positions).numpy() * unit
        results.append({"pos_x": pos[:, 0], "pos_y": pos[:, 1],
                        "actions": torch.stack(actions).numpy(), "rewarded": rewarded,
                        "n_steps": len(positions)})
    return results
