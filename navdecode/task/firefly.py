"""The firefly navigation task as a batched torch environment."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import torch

from navdecode._validation import (
    as_float_array,
    check_device,
    check_instance,
    check_int,
    torch_generator,
)
from navdecode.task.config import TaskConfig

__all__ = ["ACTION_DIM", "ACTION_NAMES", "INPUT_DIM", "INPUT_NAMES", "MIRROR_ACTION_COLUMNS",
           "MIRROR_INPUT_COLUMNS", "OBS_COLUMNS", "TARGET_COLUMNS", "FireflyTask",
           "reward_for_distance", "sample_targets"]

# --- the actor-input layout: the one place its columns are named ---------------------------
INPUT_NAMES = ("obs_lin", "obs_ang", "prev_action_lin", "prev_action_ang", "target_x",
               "target_y")
"""Columns of the firefly actor's input, in order: the observed (noisy) linear and angular
velocity, the previous action, and the target position while visible (model units; the
target is zero once hidden)."""
INPUT_DIM = len(INPUT_NAMES)
"""Width of the actor's input."""
ACTION_NAMES = ("action_lin", "action_ang")
"""Columns of an action: linear and angular joystick, each in [-1, 1]."""
ACTION_DIM = len(ACTION_NAMES)
"""Width of an action."""
OBS_COLUMNS = slice(INPUT_NAMES.index("obs_lin"), INPUT_NAMES.index("obs_ang") + 1)
"""The observed velocities within the input."""
TARGET_COLUMNS = slice(INPUT_NAMES.index("target_x"), INPUT_NAMES.index("target_y") + 1)
"""The visible target within the input."""
MIRROR_INPUT_COLUMNS = tuple(INPUT_NAMES.index(n) for n in ("obs_ang", "prev_action_ang",
                                                             "target_x"))
"""Input columns whose sign flips when a trial is reflected across the y axis."""
MIRROR_ACTION_COLUMNS = (ACTION_NAMES.index("action_ang"),)
"""Action columns whose sign flips under the same reflection."""


def _sample_targets_model(
    n: int, gen: torch.Generator, config: TaskConfig, device: torch.device, dtype: torch.dtype
) -> torch.Tensor:
    """Draw ``n`` targets in model units: r^2 uniform on the annulus, angle uniform."""
    r_min, r_max = config.to_model(config.target_r_min_cm), config.to_model(config.target_r_max_cm)
    u = torch.rand(n, 2, generator=gen, device=device, dtype=torch.float64)
    r = torch.sqrt(r_min**2 + (r_max**2 - r_min**2) * u[:, 0])
    half = math.radians(config.target_angle_deg)
    angle = -half + 2 * half * u[:, 1]
    phi = math.pi / 2 - angle  # angle measured from straight ahead (+y), positive to the right
    return torch.stack([r * torch.cos(phi), r * torch.sin(phi)], dim=1).to(dtype)


def sample_targets(
    n: int, seed: int | np.random.Generator | None = None, config: TaskConfig | None = None
) -> np.ndarray:
    """Draw target positions from the task's distribution.

    Parameters
    ----------
    n : int
        Number of targets.
    seed : int, numpy.random.Generator or None, default=None
        Seed of the draw; the same int always gives the same targets.
    config : TaskConfig or None, default=None
        Task settings; the published ones when None.

    Returns
    -------
    targets : ndarray of shape (n, 2)
        Target (x, y) in cm; the agent starts at (0, 0) facing +y. The squared
        distance is uniform in [r_min^2, r_max^2] and the angle from straight ahead
        uniform in +-`config.target_angle_deg`.

    Examples
    --------
    >>> from navdecode import sample_targets
    >>> sample_targets(3, seed=0).shape
    (3, 2)
    """
    n = check_int(n, "n", minimum=1)
    config = TaskConfig() if config is None else config
    check_instance(config, "config", TaskConfig, "a TaskConfig")
    gen = torch_generator(seed, torch.device("cpu"))
    model = _sample_targets_model(n, gen, config, torch.device("cpu"), torch.float64)
    return model.numpy() * config.length_unit_cm


def reward_for_distance(distance_cm: torch.Tensor, config: TaskConfig) -> torch.Tensor:
    """The paper's mixed reward for a stop at ``distance_cm`` from the target.

    ``reward_value`` inside the reward zone; outside it
    ``reward_value * exp(-d^2 / (2 s^2))`` with ``s = reward_radius_cm / reward_width_divisor``,
    never below ``reward_floor``.

    Parameters
    ----------
    distance_cm : torch.Tensor
        Stop-to-target distances in cm.
    config : TaskConfig
        Task settings.

    Returns
    -------
    reward : torch.Tensor
        Same shape as `distance_cm`.

    Examples
    --------
    >>> import torch
    >>> from navdecode import TaskConfig, reward_for_distance
    >>> reward_for_distance(torch.tensor([0.0, 1000.0]), TaskConfig()).tolist()
    [10.0, 0.009999999776482582]
    """
    s = config.reward_radius_cm / config.reward_width_divisor
    gauss = config.reward_value * torch.exp(-(distance_cm**2) / (2 * s**2))
    outside = torch.clamp(gauss, min=config.reward_floor)
    inside = distance_cm < config.reward_radius_cm
    return torch.where(inside, torch.full_like(distance_cm, config.reward_value), outside)


class FireflyTask:
    """The firefly task, stepping a batch of B trials at once as torch tensors.

    The state of each trial is (x, y, heading, v, w) in model units (1 unit =
    `config.length_unit_cm` cm). Every trial starts at the origin facing +y. One step
    with action ``a`` in [-1, 1]^2 moves the agent with its current velocity, then sets
    the velocity to ``gain * a + eta``; the agent observes ``(v, w) + zeta``. Noise
    standard deviations scale with the gain in use. A trial *terminates* when the agent
    issues a stop action (both |a| < `config.stop_threshold`) after having once moved,
    and is *truncated* after `config.max_steps` steps. Finished trials stay frozen until
    the next `reset`. There is no automatic reset.

    The observation returned by `reset` and `step` is the actor input of shape (B, 6):
    observed velocities (2, model units), previous action (2) and the target position
    (2, model units; zeros from step `config.target_visible_steps` on).

    Parameters
    ----------
    config : TaskConfig or None, default=None
        Task settings; the published ones when None.
    batch_size : int, default=1
        Number of trials when `reset` is given no targets.
    device : str or torch.device, default="cpu"
        Where the tensors live.
    dtype : torch.dtype, default=torch.float32
        Floating dtype of the state.

    Examples
    --------
    >>> import torch
    >>> from navdecode import FireflyTask
    >>> task = FireflyTask(batch_size=4)
    >>> obs, info = task.reset(seed=0)
    >>> obs.shape
    torch.Size([4, 6])
    >>> obs, reward, terminated, truncated, info = task.step(torch.ones(4, 2))
    >>> info["pos_cm"].shape
    torch.Size([4, 2])
    """

    input_dim = INPUT_DIM
    action_dim = ACTION_DIM

    def __init__(
        self,
        config: TaskConfig | None = None,
        *,
        batch_size: int = 1,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        config = TaskConfig() if config is None else config
        check_instance(config, "config", TaskConfig, "a TaskConfig")
        if dtype not in (torch.float32, torch.float64):
            msg = f"dtype must be torch.float32 or torch.float64, got {dtype=}"
            raise ValueError(msg)
        self.config = config
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        self.device = check_device(device)
        self.dtype = dtype
        self.generator = torch_generator(None, self.device)
        self._gain1x = torch.tensor(config.gain_model, device=self.device, dtype=dtype)
        self.t = 0

    # ------------------------------------------------------------------ reset
    def reset(
        self,
        *,
        seed: int | np.random.Generator | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Start a new batch of trials.

        Parameters
        ----------
        seed : int, numpy.random.Generator or None, default=None
            Reseed the task's random generator (targets, noise); None continues it.
        options : dict or None, default=None
            ``"targets"``: array-like of shape (B, 2), target positions in cm (sampled when
            absent); ``"gain"``: float or array-like of shape (B,), joystick gain factor
            per trial (default 1.0); ``"batch_size"``: int, number of trials to sample
            when no targets are given; ``"perturbation"``: array-like of shape (B, 3),
            each trial's peak linear (cm/s) and angular (deg/s) perturbation and onset
            step, instead of drawing them (with ``config.perturbation`` on).

        Returns
        -------
        obs : torch.Tensor of shape (B, 6)
            The first actor input: zero observation, zero action, visible target.
        info : dict
            State in cm / rad (see `step`).
        """
        options = {} if options is None else options
        check_instance(options, "options", dict, "a dict or None")
        unknown = set(options) - {"targets", "gain", "batch_size", "perturbation"}
        if unknown:
            msg = (f"options has unknown keys {sorted(unknown)}; allowed: targets, gain, "
                   f"batch_size, perturbation")
            raise ValueError(msg)
        if seed is not None:
            self.generator = torch_generator(seed, self.device)
        cfg, dev, dt = self.config, self.device, self.dtype

        if options.get("targets") is not None:
            targets_cm = as_float_array(options["targets"], "targets", (2,))
            self.target = torch.as_tensor(targets_cm / cfg.length_unit_cm, device=dev, dtype=dt)
        else:
            b = check_int(options.get("batch_size", self.batch_size), "batch_size", minimum=1)
            self.target = _sample_targets_model(b, self.generator, cfg, dev, dt)
        b = self.target.shape[0]
        self.gain = self.gain_factor(options.get("gain", 1.0), b)

        self.pos = torch.zeros(b, 2, device=dev, dtype=dt)
        self.heading = torch.full((b,), math.pi / 2, device=dev, dtype=dt)
        self.vel = torch.zeros(b, 2, device=dev, dtype=dt)
        self.moved = torch.zeros(b, dtype=torch.bool, device=dev)
        self.done = torch.zeros(b, dtype=torch.bool, device=dev)
        self.t = 0
        self.steps = torch.zeros(b, dtype=torch.long, device=dev)
        self._set_gain_vec()
        if cfg.perturbation:
            # drawn even when given, so that the noise after it is the same either way: a
            # run given a recording's perturbations (`perturbations_of`) repeats it exactly
            drawn = self._draw_perturbation(self.gain)
            self.perturb_peak, self.perturb_time = (
                self._given_perturbation(options["perturbation"], b)
                if options.get("perturbation") is not None else drawn)
        zeros = torch.zeros(b, 2, device=dev, dtype=dt)
        obs = torch.cat([zeros, zeros, self.target], dim=1)
        return obs, self._info(torch.zeros(b, dtype=torch.bool, device=dev))

    def _draw_perturbation(self, gain: torch.Tensor, generator: torch.Generator | None = None
                           ) -> tuple[torch.Tensor, torch.Tensor]:
        """Peaks (B, 2) in model units and onset steps (B,), as the paper draws them."""
        cfg = self.config
        u = torch.rand(gain.shape[0], 3, generator=generator or self.generator, device=self.device,
                       dtype=self.dtype)
        (lin_lo, lin_hi), (ang_lo, ang_hi) = cfg.perturb_lin_range_cm_s, cfg.perturb_ang_range_deg_s
        peak = torch.stack([
            cfg.to_model(lin_lo) + cfg.to_model(lin_hi - lin_lo) * u[:, 0],
            math.radians(ang_lo) + math.radians(ang_hi - ang_lo) * u[:, 1],
        ], dim=1)
        onset = torch.floor(u[:, 2] * (cfg.perturb_onset_max_step + 1)).clamp(
            max=cfg.perturb_onset_max_step)
        return peak, onset

    def _given_perturbation(self, value: object, b: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Peaks and onsets from ``options["perturbation"]``: (B, 3) in cm/s, deg/s, steps."""
        arr = as_float_array(value, "perturbation", (3,))
        if arr.shape[0] != b:
            msg = f"perturbation must have one row per trial ({b}), got {arr.shape[0]}"
            raise ValueError(msg)
        onset = arr[:, 2]
        if not (np.isfinite(arr).all() and (onset >= 0).all() and (onset == np.round(onset)).all()):
            msg = ("perturbation must hold finite peaks (cm/s, deg/s) and onset steps that "
                   "are integers >= 0 (its third column)")
            raise ValueError(msg)
        cfg = self.config
        peak = np.stack([arr[:, 0] / cfg.length_unit_cm, np.radians(arr[:, 1])], axis=1)
        return (torch.as_tensor(peak, device=self.device, dtype=self.dtype),
                torch.as_tensor(arr[:, 2], device=self.device, dtype=self.dtype))

    def _bump(self) -> torch.Tensor:
        """This step's perturbation velocity (B, 2), model units, for each trial's step."""
        cfg = self.config
        since = self.steps.to(self.dtype) - self.perturb_time
        inside = (since >= 0) & (since <= cfg.perturb_duration_steps)
        shape = torch.exp(-0.5 * ((since - cfg.perturb_duration_steps / 2)
                                  / cfg.perturb_sd_steps) ** 2)
        return self.perturb_peak * (shape * inside)[:, None]

    def reset_trials(self, rows: torch.Tensor, targets: np.ndarray | None = None,
                     gain: float | np.ndarray = 1.0,
                     generator: torch.Generator | None = None) -> torch.Tensor:
        """Start new trials in some rows of the batch, leaving the others as they are.

        Parameters
        ----------
        rows : torch.Tensor of shape (k,), long
            Rows to restart.
        targets : array-like of shape (k, 2) or None, default=None
            Their targets in cm; drawn from the task's distribution when None.
        gain : float or array-like of shape (k,), default=1.0
            Their joystick gain factors.
        generator : torch.Generator or None, default=None
            Generator of the new targets (and perturbations); the task's own when None.
            A separate one leaves the noise of the other rows exactly as without the
            restart.

        Returns
        -------
        obs : torch.Tensor of shape (B, 6)
            The current actor input of every row: the first input for the restarted
            rows, zeros for the others (as `step` leaves finished rows).
        """
        if not hasattr(self, "pos"):
            msg = "call reset() before reset_trials()"
            raise RuntimeError(msg)
        rows = torch.as_tensor(rows, dtype=torch.long, device=self.device)
        k, cfg = rows.shape[0], self.config
        if targets is not None:
            targets_cm = as_float_array(targets, "targets", (2,))
            new_target = torch.as_tensor(targets_cm / cfg.length_unit_cm, device=self.device,
                                         dtype=self.dtype)
        else:
            new_target = _sample_targets_model(k, generator or self.generator, cfg, self.device,
                                               self.dtype)
        new_gain = self.gain_factor(gain, k)
        self.target[rows] = new_target
        self.gain[rows] = new_gain
        self._set_gain_vec()
        self.pos[rows] = 0.0
        self.heading[rows] = math.pi / 2
        self.vel[rows] = 0.0
        self.moved[rows] = False
        self.done[rows] = False
        self.steps[rows] = 0
        if cfg.perturbation:
            peak, when = self._draw_perturbation(new_gain, generator)
            self.perturb_peak[rows], self.perturb_time[rows] = peak, when
        obs = torch.zeros(self.pos.shape[0], INPUT_DIM, device=self.device, dtype=self.dtype)
        obs[rows, TARGET_COLUMNS] = new_target
        return obs

    def gain_factor(self, gain: object, b: int) -> torch.Tensor:
        """Per-trial gain factor as a (B,) tensor, from a float or an array-like."""
        if isinstance(gain, (bool, str, bytes)) or not (
            isinstance(gain, (numbers.Real, torch.Tensor)) or hasattr(gain, "__len__")
        ):
            msg = f"gain must be a float or array-like of shape (B,), got {type(gain).__name__}"
            raise TypeError(msg)
        if isinstance(gain, torch.Tensor):
            gain = gain.detach().cpu().numpy()
        arr = np.broadcast_to(np.asarray(gain, dtype=float), (b,)) if np.ndim(gain) == 0 \
            else np.asarray(gain, dtype=float)
        if arr.shape != (b,):
            msg = f"gain must be a float or have shape ({b},) to match the trials, got {arr.shape}"
            raise ValueError(msg)
        if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
            bad = arr[~np.isfinite(arr) | (arr <= 0)]
            msg = (f"gain must be finite and > 0 for every trial, got {bad.size} of "
                   f"{arr.size} that are not (e.g. {float(bad[0])!r})")
            raise ValueError(msg)
        return torch.as_tensor(arr.copy(), device=self.device, dtype=self.dtype)

    # ------------------------------------------------------------------- step
    def step(
        self, action: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        """Advance every unfinished trial by one step.

        Parameters
        ----------
        action : torch.Tensor of shape (B, 2)
            Linear and angular joystick actions in [-1, 1].

        Returns
        -------
        obs : torch.Tensor of shape (B, 6)
            Next actor input (zeros for finished trials).
        reward : torch.Tensor of shape (B,)
            The mixed reward for trials that stopped at this step, else 0.
        terminated : torch.Tensor of shape (B,), bool
            Trials that stopped at this step.
        truncated : torch.Tensor of shape (B,), bool
            Trials that reached `max_steps` at this step without stopping.
        info : dict
            ``pos_cm`` (B, 2), ``heading`` (B,) rad, ``vel_cm`` (B, 2) in cm/s and rad/s,
            ``target_cm`` (B, 2), ``gain`` (B,), ``done`` (B,), ``rewarded`` (B,): stopped
            inside the reward zone at this step, ``distance_cm`` (B,): distance to the
            target at the state where this step's action was issued.
        """
        if not hasattr(self, "pos"):
            msg = "call reset() before step()"
            raise RuntimeError(msg)
        check_instance(action, "action", torch.Tensor, "a torch.Tensor")
        b = self.pos.shape[0]
        if action.shape != (b, 2):
            msg = f"action must have shape ({b}, 2), got {tuple(action.shape)}"
            raise ValueError(msg)
        cfg = self.config
        action = action.to(device=self.device, dtype=self.dtype)

        # stop rule and reward, judged on the state at which the action is issued
        active = ~self.done
        is_stop = (action.abs() < cfg.stop_threshold).all(dim=1)
        stop_now = is_stop & self.moved & active
        distance_cm = torch.linalg.vector_norm(self.pos - self.target, dim=1) * cfg.length_unit_cm
        reward = torch.where(stop_now, reward_for_distance(distance_cm, cfg), 0.0)
        rewarded = stop_now & (distance_cm < cfg.reward_radius_cm)
        self.moved |= ~is_stop & active
        moving = active & ~stop_now

        # dynamics: position moves with the current velocity, velocity follows the action
        direction = torch.stack([torch.cos(self.heading), torch.sin(self.heading)], dim=1)
        new_pos = self.pos + self.vel[:, :1] * direction * cfg.dt
        new_heading = self.heading + self.vel[:, 1] * cfg.dt
        new_vel = self._gain_vec * action
        eta = torch.randn(b, 2, generator=self.generator, device=self.device, dtype=self.dtype)
        if cfg.process_noise:
            new_vel = new_vel + self._process_scale * eta
        if cfg.perturbation:
            new_vel = new_vel + self._bump()
        self.pos = torch.where(moving[:, None], new_pos, self.pos)
        self.heading = torch.where(moving, new_heading, self.heading)
        self.vel = torch.where(moving[:, None], new_vel, self.vel)
        self.t += 1
        self.steps = self.steps + active.long()

        truncated = moving & (self.steps >= cfg.max_steps)
        terminated = stop_now
        self.done = self.done | terminated | truncated

        # observation: noisy velocities, efference copy, target while visible
        zeta = torch.randn(b, 2, generator=self.generator, device=self.device, dtype=self.dtype)
        obs_vel = self.vel
        if cfg.obs_noise:
            obs_vel = obs_vel + self._obs_scale * zeta
        target_seen = self.target * (self.steps < cfg.target_visible_steps)[:, None]
        obs = torch.cat([obs_vel, action, target_seen], dim=1) * (~self.done)[:, None]
        info = self._info(rewarded)
        info["distance_cm"] = distance_cm
        return obs, reward, terminated, truncated, info

    def _set_gain_vec(self) -> None:
        """Each row's joystick gain (B, 2) in model units and its noise scales, ``std *
        |gain|``: the products every step's noise is multiplied by (the same values as
        computing them each step)."""
        self._gain_vec = self.gain[:, None] * self._gain1x
        size = self._gain_vec.abs()
        self._process_scale = self.config.process_noise_std * size
        self._obs_scale = self.config.obs_noise_std * size

    def _info(self, rewarded: torch.Tensor) -> dict[str, torch.Tensor]:
        unit = self.config.length_unit_cm
        return {
            "pos_cm": self.pos * unit,
            "heading": self.heading,
            "vel_cm": torch.stack([self.vel[:, 0] * unit, self.vel[:, 1]], dim=1),
            "target_cm": self.target * unit,
            "gain": self.gain,
            "done": self.done,
            "rewarded": rewarded,
        }
