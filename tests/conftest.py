"""Shared fixtures: a scripted steering actor that really moves and stops; a killed run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from navdecode import TaskConfig, fixed_targets


class SteeringActor(nn.Module):
    """Dead-reckons its position from the observed velocities and steers to the target.

    Its state is an LSTM-like ``(h, c)`` pair whose ``h`` holds the estimate
    ``[x, y, heading, last v, last w, target x, target y]``; it stops when it believes
    it is within ``stop_radius`` model units of the target.
    """

    def __init__(self, dt: float = 0.1, stop_radius: float = 0.03) -> None:
        super().__init__()
        self.dt, self.stop_radius = dt, stop_radius
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x, state=None):
        x = x[0]
        b = x.shape[0]
        if state is None:
            est = torch.zeros(b, 7, dtype=x.dtype, device=x.device)
            est[:, 2] = math.pi / 2
        else:
            est = state[0][0].clone()
        ex, ey, eh, pv, pw = est[:, 0], est[:, 1], est[:, 2], est[:, 3], est[:, 4]
        ex, ey = ex + pv * torch.cos(eh) * self.dt, ey + pv * torch.sin(eh) * self.dt
        eh = eh + pw * self.dt
        seen = (x[:, 4:6].abs().sum(dim=1) > 0)[:, None]
        target = torch.where(seen, x[:, 4:6], est[:, 5:7])
        dx, dy = target[:, 0] - ex, target[:, 1] - ey
        dist = torch.hypot(dx, dy)
        bearing = torch.atan2(dy, dx) - eh
        bearing = torch.atan2(torch.sin(bearing), torch.cos(bearing))
        a_v = torch.clamp(dist * 5, 0.0, 1.0) * torch.clamp(1 - bearing.abs(), 0.2, 1.0)
        a_w = torch.clamp(bearing * 3, -1.0, 1.0)
        action = torch.stack([a_v, a_w], dim=1)
        action = torch.where((dist < self.stop_radius)[:, None], torch.zeros_like(action), action)
        new = torch.stack([ex, ey, eh, x[:, 0], x[:, 1], target[:, 0], target[:, 1]], dim=1)
        h = new[None]
        return action[None], (h, torch.zeros_like(h))


@pytest.fixture
def steering_actor() -> SteeringActor:
    return SteeringActor()


@pytest.fixture
def targets64() -> np.ndarray:
    return fixed_targets(64, seed=3)


@pytest.fixture
def quiet_config() -> TaskConfig:
    return TaskConfig(process_noise=False, obs_noise=False)


def synthetic_dataset(pos_x, pos_y, hidden=None, stopped=True, dt=0.1, targets=None):
    """A recording with the run_agent schema built from given paths (NaN-padded)."""
    import xarray as xr

    from navdecode.task.config import config_attrs

    pos_x, pos_y = np.asarray(pos_x, float), np.asarray(pos_y, float)
    n_trials, n_steps = pos_x.shape
    valid = np.isfinite(pos_x)
    n = valid.sum(axis=1)
    rows = np.arange(n_trials)
    stop_x, stop_y = pos_x[rows, n - 1], pos_y[rows, n - 1]
    if targets is None:
        targets = np.stack([stop_x, stop_y], axis=1)
    if hidden is None:
        hidden = np.random.default_rng(0).normal(size=(n_trials, n_steps, 4))
    hidden = np.where(valid[..., None], hidden, np.nan)
    tx, ty = targets[:, 0], targets[:, 1]
    return xr.Dataset(
        {"pos_x": (("trial", "step"), pos_x), "pos_y": (("trial", "step"), pos_y),
         "hidden": (("trial", "step", "unit"), hidden),
         "valid": (("trial", "step"), valid)},
        coords={"trial": rows, "step": np.arange(n_steps),
                "target_x": ("trial", tx), "target_y": ("trial", ty),
                "target_r": ("trial", np.hypot(tx, ty)),
                "gain": ("trial", np.ones(n_trials)),
                "rewarded": ("trial", np.hypot(stop_x - tx, stop_y - ty) < 65),
                "stopped": ("trial", np.full(n_trials, stopped)),
                "n_steps": ("trial", n), "stop_x": ("trial", stop_x),
                "stop_y": ("trial", stop_y)},
        # a firefly-shaped recording: it declares the task (and so its geometry, in cm)
        attrs={**config_attrs(TaskConfig(dt=dt), "task_"), "arch": "synthetic",
               "label": "synthetic", "agent_seed": 0})


@pytest.fixture
def planted_code():
    """Random walks whose 'hidden units' are a noisy linear code of position."""
    rng = np.random.default_rng(0)
    n_trials, n_steps = 120, 20
    steps = rng.normal(size=(n_trials, n_steps, 2)) * 10
    pos = np.cumsum(steps, axis=1)
    lengths = rng.integers(8, n_steps + 1, size=n_trials)
    mask = np.arange(n_steps)[None] < lengths[:, None]
    x = np.where(mask, pos[..., 0], np.nan)
    y = np.where(mask, pos[..., 1], np.nan)
    weights = rng.normal(size=(2, 30))
    hidden = np.nan_to_num(np.stack([x, y], -1)) @ weights + rng.normal(size=(n_trials, n_steps,
                                                                              30)) * 0.5
    return synthetic_dataset(x, y, hidden=hidden)


def rowwise_grouped_ridge(X, y, groups, alphas, n_splits=3):
    """The row-wise implementation that the sufficient statistics replaced (reference):
    every fold's ridge path fitted on its rows, its held-out rows predicted."""
    from sklearn.model_selection import GroupKFold

    y2 = y.reshape(len(y), -1)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z = (X - mean) / scale

    def path(zt, yt, a):
        zm, ym = zt.mean(axis=0), yt.mean(axis=0)
        w, v = np.linalg.eigh((zt - zm).T @ (zt - zm))
        vb = v.T @ ((zt - zm).T @ (yt - ym))
        return np.matmul(v, vb[None] / (w[None, :, None] + a[:, None, None])), zm, ym

    errors = np.zeros(len(alphas))
    for train, test in GroupKFold(n_splits).split(z, y2, groups):
        coefs, zm, ym = path(z[train], y2[train], alphas)
        errors += ((np.matmul(z[test] - zm, coefs) + ym - y2[test][None]) ** 2).sum(axis=(1, 2))
    best = int(np.argmin(errors))
    coefs, zm, ym = path(z, y2, alphas[best:best + 1])
    coef = coefs[0] / scale[:, None]
    return alphas[best], errors, coef.T, ym - (mean + zm * scale) @ coef


def requires(module: str) -> pytest.MarkDecorator:
    """Skip a test whose optional extra is not installed (make test installs them all)."""
    import importlib.util

    return pytest.mark.skipif(importlib.util.find_spec(module) is None,
                              reason=f"optional dependency {module} not installed")


needs_zarr = requires("zarr")
needs_dask = requires("distributed")


@pytest.fixture
def kill_at_validation(monkeypatch):
    """``kill(config, run_dir, n)``: train until the n-th validation, which dies as a killed
    process would (a bare KeyboardInterrupt, nothing saved there); then restore `validate`."""
    import sys

    from navdecode.training.loop import train

    train_module = sys.modules["navdecode.training.loop"]  # the module that defines train
    real_validate = train_module.validate

    def kill(config, run_dir, n):
        calls = {"n": 0}

        def dying_validate(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == n:
                raise KeyboardInterrupt
            return real_validate(*args, **kwargs)

        monkeypatch.setattr(train_module, "validate", dying_validate)
        with pytest.raises(KeyboardInterrupt):
            train(config, run_dir, progress=False)
        monkeypatch.setattr(train_module, "validate", real_validate)

    return kill
