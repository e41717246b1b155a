"""Evaluate an agent on a batch of targets and record everything into an xarray.Dataset."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import xarray as xr
from torch import nn

from navdecode._validation import (
    as_float_array,
    check_bool,
    check_device_here,
    check_instance,
    check_int,
    check_seed,
)
from navdecode.agents.networks import Agent, RecurrentActor
from navdecode.task.config import TaskConfig
from navdecode.task.firefly import sample_targets

__all__ = ["check_targets_in_range", "fixed_targets", "run_agent"]

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


def check_targets_in_range(targets_cm: np.ndarray, config: TaskConfig) -> None:
    """Refuse targets the task never draws, naming how many, an example and the range.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import TaskConfig
    >>> from navdecode.recording.rollout import check_targets_in_range
    >>> check_targets_in_range(np.array([[0.0, 200.0]]), TaskConfig())  # inside: no error
    """
    r = np.hypot(targets_cm[:, 0], targets_cm[:, 1])
    angle = np.degrees(np.abs(np.arctan2(targets_cm[:, 0], targets_cm[:, 1])))
    tol = 1e-6
    outside = ~((r >= config.target_r_min_cm * (1 - tol)) & (r <= config.target_r_max_cm * (
        1 + tol)) & (angle <= config.target_angle_deg + tol))
    if outside.any():
        i = int(np.argmax(outside))
        msg = (f"targets: {int(outside.sum())} of {len(r)} lie outside the task's target "
               f"range (distance {config.target_r_min_cm:g}-{config.target_r_max_cm:g} cm, "
               f"within {config.target_angle_deg:g} deg of straight ahead), e.g. "
               f"({targets_cm[i, 0]:.4g}, {targets_cm[i, 1]:.4g}) at {r[i]:.4g} cm; "
               "targets are in cm. Pass allow_out_of_range=True to run them anyway")
        raise ValueError(msg)


def _actor_of(agent: object) -> nn.Module:
    if isinstance(agent, Agent):
        return agent.actor
    if isinstance(agent, nn.Module):
        return agent
    msg = f"agent must be a navdecode Agent or a torch.nn.Module actor, got {type(agent).__name__}"
    raise TypeError(msg)


def run_agent(
    agent: Agent | nn.Module,
    targets: np.ndarray,
    gain: float | np.ndarray = 1.0,
    seed: int | np.random.Generator | None = 0,
    noise: bool = True,
    device: str | torch.device = "cpu",
    config: TaskConfig | None = None,
    progress: bool = False,
    *,
    label: str | None = None,
    agent_seed: int | None = None,
    agent_id: str | None = None,
    allow_out_of_range: bool = False,
    perturbation: np.ndarray | None = None,
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
    label : str or None, default=None
        What the recording is compared as; the agent's architecture when None.
    agent_seed : int or None, default=None
        The network's seed; the agent's own (its ``metadata["seed"]``) when None, -1
        when it has none. Not the noise `seed`.
    agent_id : str or None, default=None
        The network's id; ``"<label>-seed<agent_seed>"`` when None.
    allow_out_of_range : bool, default=False
        Run targets outside the task's target range (distance `target_r_min_cm` to
        `target_r_max_cm`, within `target_angle_deg` of straight ahead). Without it they
        are refused: targets in metres, at the origin or behind the start give plausible
        numbers that mean nothing (metres put every target inside the reward zone).
    perturbation : array-like of shape (n_trials, 3) or None, default=None
        Each trial's perturbation (peak linear in cm/s, peak angular in deg/s, onset
        step) in a task with perturbations on (``config=TaskConfig.perturbation_task()``);
        drawn by the task when None. `perturbations_of` reads them from a recording, so
        the same trials can be run again, e.g. with the peaks set to zero for the
        unperturbed twin of `compensation_kernels`.

    Returns
    -------
    ds : xarray.Dataset
        Dims ``trial``, ``step``, ``unit`` (and ``input``). Per-step variables in cm, s,
        rad (NaN after a trial ended, see ``valid``), ``hidden`` and ``cell`` (LSTM h
        and c), ``actor_input``; per-trial coordinates ``target_x``, ``target_y``,
        ``target_r``, ``gain``, ``rewarded``, ``stopped``, ``reward``, ``n_steps``,
        ``stop_x``, ``stop_y``, ``trial_id``. Flat attributes: ``label``, ``arch``,
        ``agent_seed`` (the network's seed), ``agent_id``, ``noise_seed`` (the rollout's),
        ``checkpoint``, ``noise``, ``navdecode_version`` and ``task_*`` settings.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(8), gain=2.0)
    >>> ds.sizes["trial"], ds.sizes["unit"]
    (8, 128)
    """
    from navdecode._version import __version__
    from navdecode.recording.firefly_loop import run_firefly
    from navdecode.recording.identity import identity_attrs
    from navdecode.recording.recorder import record
    from navdecode.task.envs import FireflyVectorEnv

    actor = _actor_of(agent)
    targets_cm = as_float_array(targets, "targets", (2,))
    check_seed(seed)
    check_bool(noise, "noise")
    device = check_device_here(device)
    config = TaskConfig() if config is None else config
    check_instance(config, "config", TaskConfig, "a TaskConfig")
    check_bool(allow_out_of_range, "allow_out_of_range")
    if not allow_out_of_range:
        check_targets_in_range(targets_cm, config)
    if perturbation is not None:
        if not config.perturbation:
            msg = ("perturbation= needs a task with perturbations on "
                   "(config=TaskConfig.perturbation_task())")
            raise ValueError(msg)
        perturbation = as_float_array(perturbation, "perturbation", (3,))
        if len(perturbation) != len(targets_cm):
            msg = (f"perturbation must have one row per target ({len(targets_cm)}), got "
                   f"{len(perturbation)}")
            raise ValueError(msg)
    if not noise:
        config = replace(config, process_noise=False, obs_noise=False)
    if next(actor.parameters(), torch.empty(0)).device != device:
        actor = copy.deepcopy(actor).to(device)
    if agent_seed is None:
        agent_seed = getattr(agent, "metadata", {}).get("seed")
    agent_seed = -1 if agent_seed is None else check_int(agent_seed, "agent_seed", minimum=-1)
    arch = getattr(agent, "arch", type(actor).__name__)
    if type(actor) is RecurrentActor:  # navdecode's own: the loop that drops finished trials
        was_training = actor.training
        actor.eval()
        try:
            ds = run_firefly(actor, targets_cm, gain, seed, config, device, arch, progress,
                             perturbation)
        finally:
            actor.train(was_training)
        ds.attrs.update(identity_attrs(label if label is not None else arch,
                                       agent_seed=agent_seed, agent_id=agent_id,
                                       noise_seed=seed))
    else:
        env = FireflyVectorEnv(num_envs=len(targets_cm), config=config, device=device)
        ds = record(actor, env, len(targets_cm), seed=seed,
                    options={"targets": targets_cm, "gain": gain,
                             "perturbation": perturbation}, arch=arch,
                    progress=progress, agent_seed=agent_seed, label=label, agent_id=agent_id)
    checkpoint = Path(str(getattr(agent, "checkpoint", "") or "")).name  # no absolute paths
    ds.attrs.update({"checkpoint": checkpoint, "noise": int(noise), "source": "run_agent",
                     "navdecode_version": __version__})
    return ds
