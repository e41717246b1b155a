"""Evaluate an agent on a batch of targets and record everything into an xarray.Dataset."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import torch
import xarray as xr
from torch import nn
from tqdm.auto import tqdm

from navdecode._validation import as_float_array, check_device, check_seed
from navdecode.agents import Agent
from navdecode.config import TaskConfig, config_attrs
from navdecode.recording import INPUT_NAMES, build_recording
from navdecode.task import FireflyTask, sample_targets

__all__ = ["fixed_targets", "run_agent"]

# the firefly task's per-step variables that run_agent records (declared in recording.py)
_STEP_VARS = ("pos_x", "pos_y", "heading", "vel_lin", "vel_ang", "action_lin", "action_ang",
              "obs_lin", "obs_ang")


def fixed_targets(n: int = 1000, seed: int = 0, config: TaskConfig | None = None) -> np.ndarray:
    """The same set of targets for every agent: ``n`` draws with a fixed seed.

    Parameters
    ----------
    n : int, default=1000
        Number of targets.
    seed : int, default=0
        Seed of the draw.
    config : TaskConfig or None, default=None
        Task whose target distribution is used.

    Returns
    -------
    targets : ndarray of shape (n, 2)
        Target (x, y) in cm.

    Examples
    --------
    >>> from navdecode import fixed_targets
    >>> import numpy as np
    >>> np.array_equal(fixed_targets(10), fixed_targets(10))
    True
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        msg = f"seed must be an int, got {type(seed).__name__}"
        raise TypeError(msg)
    return sample_targets(n, seed=int(seed), config=config)


def _actor_of(agent: object) -> nn.Module:
    if isinstance(agent, Agent):
        return agent.actor
    if isinstance(agent, nn.Module):
        return agent
    msg = f"agent must be a navdecode Agent or a torch.nn.Module actor, got {type(agent).__name__}"
    raise TypeError(msg)


def _split_state(state: object) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(h, c) as (B, layers * units) from an LSTM state tuple or a GRU / RNN tensor."""
    def flat(x: torch.Tensor) -> torch.Tensor:
        return x.permute(1, 0, 2).reshape(x.shape[1], -1) if x.ndim == 3 else x
    if isinstance(state, tuple):
        return flat(state[0]), flat(state[1]) if len(state) > 1 else None
    if isinstance(state, torch.Tensor):
        return flat(state), None
    msg = f"the actor must return (action, state) with a tensor or (h, c) state, got {type(state)}"
    raise TypeError(msg)


def _select(state: object, idx: torch.Tensor) -> object:
    """The recurrent state of the trials ``idx`` (batch is dim 1 of each state tensor)."""
    if isinstance(state, tuple):
        return tuple(_select(s, idx) for s in state)
    return state[:, idx] if state.ndim == 3 else state[idx]


def _scatter(full: object, part: object, idx: torch.Tensor) -> object:
    """Write the state of trials ``idx`` back into the full-batch state (out of place)."""
    if isinstance(full, tuple):
        return tuple(_scatter(f, p, idx) for f, p in zip(full, part, strict=True))
    out = full.clone()
    if full.ndim == 3:
        out[:, idx] = part
    else:
        out[idx] = part
    return out


def _step_active(actor: nn.Module, obs: torch.Tensor, state: object,
                 active: torch.Tensor) -> tuple[torch.Tensor, object]:
    """One actor step; once any trial has ended, only the unfinished ones are computed."""
    n_active = int(active.sum())
    if state is None or n_active == active.numel():
        action, state = actor(obs[None], state)
        return action[0], state
    action = torch.zeros(obs.shape[0], 2, dtype=obs.dtype, device=obs.device)
    if n_active == 0:
        return action, state
    idx = torch.nonzero(active).squeeze(1)
    part_action, part_state = actor(obs[idx][None], _select(state, idx))
    action[idx] = part_action[0].to(action.dtype)
    return action, _scatter(state, part_state, idx)


def run_agent(
    agent: Agent | nn.Module,
    targets: np.ndarray,
    gain: float | np.ndarray = 1.0,
    seed: int | np.random.Generator | None = 0,
    noise: bool = True,
    device: str | torch.device = "cpu",
    config: TaskConfig | None = None,
    progress: bool = False,
) -> xr.Dataset:
    """Run an agent on every target at once and record the trials.

    All trials step together as one batch; the loop runs over time steps only.

    Parameters
    ----------
    agent : Agent or torch.nn.Module
        A navdecode agent, or any recurrent actor called as
        ``action, state = actor(x, state)`` with ``x`` of shape (1, B, 6) and ``state``
        None at trial start; ``state`` is an LSTM ``(h, c)`` tuple or a single tensor.
    targets : array-like of shape (n_trials, 2)
        Target positions in cm (see `fixed_targets`).
    gain : float or array-like of shape (n_trials,), default=1.0
        Joystick gain factor (2.0 doubles velocities and noise).
    seed : int, numpy.random.Generator or None, default=0
        Seed of the process and observation noise.
    noise : bool, default=True
        False switches process and observation noise off.
    device : str or torch.device, default="cpu"
        Where the actor and task run; the agent passed in is not moved.
    config : TaskConfig or None, default=None
        Task settings; the published ones when None.
    progress : bool, default=False
        Show a progress bar over time steps.

    Returns
    -------
    ds : xarray.Dataset
        Dims ``trial``, ``step``, ``unit`` (and ``input``). Per-step variables in cm, s,
        rad (NaN after a trial ended, see ``valid``), ``hidden`` and ``cell`` (LSTM h
        and c), ``actor_input``; per-trial coordinates ``target_x``, ``target_y``,
        ``target_r``, ``gain``, ``rewarded``, ``stopped``, ``reward``, ``n_steps``,
        ``stop_x``, ``stop_y``. Flat attributes: ``arch``, ``seed``, ``checkpoint``,
        ``noise``, ``navdecode_version`` and ``task_*`` settings.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(8), gain=2.0)
    >>> ds.sizes["trial"], ds.sizes["unit"]
    (8, 128)
    """
    from navdecode import __version__

    actor = _actor_of(agent)
    targets_cm = as_float_array(targets, "targets", (2,))
    check_seed(seed)
    if not isinstance(noise, bool):
        msg = f"noise must be a bool, got {type(noise).__name__}"
        raise TypeError(msg)
    device = check_device(device)
    config = TaskConfig() if config is None else config
    if not isinstance(config, TaskConfig):
        msg = f"config must be a TaskConfig, got {type(config).__name__}"
        raise TypeError(msg)
    if not noise:
        config = replace(config, process_noise=False, obs_noise=False)

    task = FireflyTask(config, device=device)
    obs, _ = task.reset(seed=seed, options={"targets": targets_cm, "gain": gain})
    n_trials, n_steps, unit_cm = targets_cm.shape[0], config.max_steps, config.length_unit_cm
    if next(actor.parameters(), torch.empty(0)).device != device:
        actor = copy.deepcopy(actor).to(device)
    was_training = actor.training
    actor.eval()

    rec: dict[str, list[torch.Tensor]] = {k: [] for k in (*_STEP_VARS, "valid", "input")}
    hidden, cell = [], []
    reward = torch.zeros(n_trials, device=device)
    rewarded = torch.zeros(n_trials, dtype=torch.bool, device=device)
    stopped = torch.zeros(n_trials, dtype=torch.bool, device=device)
    state = None
    with torch.inference_mode():
        for _ in tqdm(range(n_steps), desc="trial steps", disable=not progress, leave=False):
            rec["valid"].append(~task.done)
            rec["pos_x"].append(task.pos[:, 0] * unit_cm)
            rec["pos_y"].append(task.pos[:, 1] * unit_cm)
            rec["heading"].append(task.heading)
            rec["vel_lin"].append(task.vel[:, 0] * unit_cm)
            rec["vel_ang"].append(task.vel[:, 1])
            rec["obs_lin"].append(obs[:, 0] * unit_cm)
            rec["obs_ang"].append(obs[:, 1])
            rec["input"].append(obs)
            action, state = _step_active(actor, obs, state, ~task.done)
            h, c = _split_state(state)
            hidden.append(h)
            if c is not None:
                cell.append(c)
            rec["action_lin"].append(action[:, 0])
            rec["action_ang"].append(action[:, 1])
            obs, r, terminated, _, info = task.step(action)
            reward += r
            rewarded |= info["rewarded"]
            stopped |= terminated
            if bool(task.done.all()):
                break
    actor.train(was_training)

    def stack(xs: list[torch.Tensor]) -> np.ndarray:
        """(steps, trial, ...) -> (trial, max_steps, ...), padded."""
        arr = torch.stack(xs, dim=1).float().cpu().numpy()
        pad = [(0, 0), (0, n_steps - arr.shape[1])] + [(0, 0)] * (arr.ndim - 2)
        return np.pad(arr, pad, constant_values=np.nan if arr.dtype.kind == "f" else 0)

    valid = torch.stack(rec["valid"], dim=1).cpu().numpy()
    valid = np.pad(valid, [(0, 0), (0, n_steps - valid.shape[1])])
    stop_cm = (task.pos * unit_cm).cpu().numpy()
    trials = {
        "target_x": targets_cm[:, 0], "target_y": targets_cm[:, 1],
        "target_r": np.hypot(targets_cm[:, 0], targets_cm[:, 1]),
        "gain": task.gain.cpu().numpy().astype(np.float64),
        "rewarded": rewarded.cpu().numpy(), "stopped": stopped.cpu().numpy(),
        "reward": reward.cpu().numpy().astype(np.float64),
        "n_steps": valid.sum(axis=1).astype(np.int64),
        "stop_x": stop_cm[:, 0].astype(np.float64), "stop_y": stop_cm[:, 1].astype(np.float64),
    }
    attrs = {
        "arch": getattr(agent, "arch", type(actor).__name__),
        "seed": -1 if seed is None or isinstance(seed, np.random.Generator) else int(seed),
        "checkpoint": getattr(agent, "checkpoint", ""),
        "noise": int(noise),
        "source": "run_agent",
        "navdecode_version": __version__,
        **config_attrs(config, "task_"),
    }
    return build_recording(
        {"valid": valid, **{name: stack(rec[name]) for name in _STEP_VARS}}, trials,
        hidden=stack(hidden), cell=stack(cell) if cell else None, inputs=stack(rec["input"]),
        input_names=INPUT_NAMES, attrs=attrs, dt=config.dt)
