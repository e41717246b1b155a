"""The firefly task as gymnasium environments, registered as ``"navdecode/Firefly-v0"``.

`FireflyEnv` is a single `gymnasium.Env` (numpy in and out); `FireflyVectorEnv` a native
`gymnasium.vector.VectorEnv` over the batched torch task, with gymnasium's next-step
autoreset. Both return the actor input of navdecode's agents as observation and an
``info`` of fresh arrays in cm, s and rad (`INFO_KEYS`).

>>> import gymnasium as gym
>>> import navdecode  # registers the environment
>>> env = gym.make("navdecode/Firefly-v0")
>>> obs, info = env.reset(seed=0)
>>> obs.shape, sorted(info)[:3]
((6,), ['distance_cm', 'gain', 'heading'])
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from navdecode._validation import check_instance, check_int, torch_generator
from navdecode.task.config import TaskConfig
from navdecode.task.firefly import ACTION_DIM, INPUT_DIM, FireflyTask

__all__ = ["ENV_ID", "INFO_KEYS", "FireflyEnv", "FireflyVectorEnv", "register_envs"]

ENV_ID = "navdecode/Firefly-v0"

INFO_KEYS = {
    "x_cm": "x position (cm)", "y_cm": "y position (cm)", "heading": "heading (rad)",
    "vel_lin_cm_s": "linear velocity (cm/s)", "vel_ang_rad_s": "angular velocity (rad/s)",
    "target_x_cm": "target x (cm)", "target_y_cm": "target y (cm)",
    "gain": "joystick gain factor", "rewarded": "stopped inside the reward zone at this step",
    "distance_cm": "distance to the target (cm) where this step's action was issued",
    "step": "steps taken in this trial",
}
# with TaskConfig.perturbation on, also perturb_lin_cm_s, perturb_ang_deg_s and
# perturb_onset_step: the trial's peak perturbation velocities and onset step
"""Keys of ``info`` (after `reset` and every `step`), each a fresh array."""

FIREFLY_INFO_VARS = {"pos_x": "x_cm", "pos_y": "y_cm", "heading": "heading",
                     "vel_lin": "vel_lin_cm_s", "vel_ang": "vel_ang_rad_s"}
"""Recording variable -> info key, the per-step variables `record` takes from this env."""

FIREFLY_TRIAL_VARS = {"target_x": "target_x_cm", "target_y": "target_y_cm", "gain": "gain",
                      "rewarded": "rewarded", "stop_x": "x_cm", "stop_y": "y_cm"}
"""Per-trial coordinate -> info key, read from the trial's last info."""

PERTURBATION_TRIAL_VARS = {"perturb_lin": "perturb_lin_cm_s", "perturb_ang": "perturb_ang_deg_s",
                           "perturb_onset": "perturb_onset_step"}
"""Added to `FIREFLY_TRIAL_VARS` when the task's perturbation is on."""


def _task_config(config: TaskConfig | None, noise: bool, perturbation: bool | None
                 ) -> TaskConfig:
    config = TaskConfig() if config is None else config
    check_instance(config, "config", TaskConfig, "a TaskConfig")
    for flag, name in ((noise, "noise"), (perturbation, "perturbation")):
        if flag is not None and not isinstance(flag, bool):
            msg = f"{name} must be a bool, got {type(flag).__name__}"
            raise TypeError(msg)
    if not noise:
        config = replace(config, process_noise=False, obs_noise=False)
    if perturbation is not None:
        config = replace(config, perturbation=perturbation)
    return config


def _info(task: FireflyTask, rewarded: torch.Tensor, distance: torch.Tensor) -> dict:
    """The per-env info arrays of one step: computed in the task's dtype as before, moved
    to numpy in one transfer (float64 copies, bool and int64 where they are flags)."""
    unit = task.config.length_unit_cm
    names = ["x_cm", "y_cm", "heading", "vel_lin_cm_s", "vel_ang_rad_s", "target_x_cm",
             "target_y_cm", "gain", "distance_cm"]
    columns = [task.pos[:, 0] * unit, task.pos[:, 1] * unit, task.heading, task.vel[:, 0] * unit,
               task.vel[:, 1], task.target[:, 0] * unit, task.target[:, 1] * unit, task.gain,
               distance]
    if task.config.perturbation:
        names += ["perturb_lin_cm_s", "perturb_ang_rad", "perturb_onset_step"]
        columns += [task.perturb_peak[:, 0] * unit, task.perturb_peak[:, 1],
                    task.perturb_time.to(task.pos.dtype)]
    native = torch.stack([c.detach().to(task.pos.dtype) for c in columns]).cpu().numpy()
    values = dict(zip(names, native.astype(np.float64), strict=True))
    info = {k: values[k] for k in names[:8]}
    info |= {"rewarded": rewarded.detach().cpu().numpy().astype(bool),
             "distance_cm": values["distance_cm"],
             "step": task.steps.detach().cpu().numpy().astype(np.int64)}
    if task.config.perturbation:  # degrees taken in the task's dtype, as the values are
        info |= {"perturb_lin_cm_s": values["perturb_lin_cm_s"],
                 "perturb_ang_deg_s": np.degrees(native[names.index("perturb_ang_rad")])
                 .astype(np.float64), "perturb_onset_step": values["perturb_onset_step"]}
    return info


def _distance(task: FireflyTask) -> torch.Tensor:
    return torch.linalg.vector_norm(task.pos - task.target, dim=1) * task.config.length_unit_cm


# velocities and target positions in model units (400 cm): +-1000 is far beyond any value
# the task produces (noise is Gaussian, so no finite bound is strict)
OBS_BOUND = 1000.0
_OBS_SPACE = spaces.Box(-OBS_BOUND, OBS_BOUND, (INPUT_DIM,), np.float32)
_ACTION_SPACE = spaces.Box(-1.0, 1.0, (ACTION_DIM,), np.float32)


class FireflyEnv(gym.Env):
    """One firefly trial per episode, as a `gymnasium.Env` (numpy in and out).

    Observation: the actor input (observed linear and angular velocity, previous action,
    target position while visible; model units, `navdecode.task.firefly.INPUT_NAMES`).
    Action: linear and angular joystick in [-1, 1]. Reward: the paper's mixed reward at
    the stop. An episode terminates at a stop after having moved and is truncated after
    `TaskConfig.max_steps` steps.

    Parameters
    ----------
    config : TaskConfig or None, default=None
        Task settings; the published ones when None.
    gain : float, default=1.0
        Joystick gain factor (``reset(options={"gain": ...})`` changes it per episode).
    noise : bool, default=True
        False switches process and observation noise off.
    perturbation : bool or None, default=None
        Force velocity perturbations on or off (None keeps `config`'s).

    Examples
    --------
    >>> from navdecode import FireflyEnv
    >>> env = FireflyEnv(gain=2.0)
    >>> obs, info = env.reset(seed=0, options={"target": (0.0, 300.0)})
    >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    >>> float(info["target_y_cm"]), float(info["gain"])
    (300.0, 2.0)
    """

    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(self, config: TaskConfig | None = None, gain: float = 1.0, noise: bool = True,
                 perturbation: bool | None = None) -> None:
        self.config = _task_config(config, noise, perturbation)
        self.gain = gain
        self.observation_space = _OBS_SPACE
        self.action_space = _ACTION_SPACE
        self._task = FireflyTask(self.config, batch_size=1)
        self._task.gain_factor(gain, 1)  # validates

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a trial; options ``"gain"`` (float) and ``"target"`` ((x, y) in cm)."""
        super().reset(seed=seed)
        options = {} if options is None else dict(options)
        unknown = set(options) - {"gain", "target", "perturbation"}
        if unknown:
            msg = f"options has unknown keys {sorted(unknown)}; allowed: gain, target, perturbation"
            raise ValueError(msg)
        task_options: dict[str, Any] = {"gain": options.get("gain", self.gain)}
        if options.get("perturbation") is not None:
            task_options["perturbation"] = np.asarray(options["perturbation"],
                                                      dtype=float).reshape(1, 3)
        if options.get("target") is not None:
            task_options["targets"] = np.asarray(options["target"], dtype=float).reshape(1, 2)
        obs, _ = self._task.reset(seed=seed, options=task_options)
        info = _info(self._task, torch.zeros(1, dtype=torch.bool), _distance(self._task))
        return obs[0].numpy().astype(np.float32), {k: v[0] for k, v in info.items()}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Advance the trial by one action."""
        if not hasattr(self._task, "pos"):
            msg = "call reset() before step()"
            raise RuntimeError(msg)
        act = torch.as_tensor(_checked_actions(action, (ACTION_DIM,), "action")[None])
        obs, reward, terminated, truncated, info = self._task.step(act.clamp(-1.0, 1.0))
        out = _info(self._task, info["rewarded"], info["distance_cm"])
        return (obs[0].numpy().astype(np.float32), float(reward[0]), bool(terminated[0]),
                bool(truncated[0]), {k: v[0] for k, v in out.items()})


def _checked_actions(action: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    """`action` as float32 of exactly `shape` with finite entries, else a clear error (a
    flat array is not reshaped, a NaN is not stepped into the task)."""
    try:
        values = np.asarray(action, dtype=np.float32)
    except (TypeError, ValueError) as err:
        msg = f"{name} must be numbers of shape {shape}, got {type(action).__name__}"
        raise TypeError(msg) from err
    if values.shape != shape:
        msg = (f"{name} must have shape {shape} (linear, angular joystick in [-1, 1]"
               f"{' per environment' if len(shape) == 2 else ''}), got {values.shape}")
        raise ValueError(msg)
    if not np.isfinite(values).all():
        msg = f"{name} must be finite, got {values.tolist()}"
        raise ValueError(msg)
    return values


class FireflyVectorEnv(VectorEnv):
    """``num_envs`` firefly trials stepping together in the batched torch task.

    A native `gymnasium.vector.VectorEnv` with next-step autoreset: the step after a
    sub-environment terminated or was truncated starts its next trial (the action is
    ignored, the reward is 0) and returns that trial's first observation. ``info`` holds
    arrays of shape (num_envs,) (`INFO_KEYS`).

    Parameters
    ----------
    num_envs : int, default=1
        Sub-environments (trials side by side).
    config, gain, noise, perturbation
        As `FireflyEnv`; `gain` may be an array of shape (num_envs,).
    device : str or torch.device, default="cpu"
        Where the task's tensors live.

    Examples
    --------
    >>> import gymnasium as gym
    >>> import navdecode
    >>> env = gym.make_vec("navdecode/Firefly-v0", num_envs=4,
    ...                    vectorization_mode="vector_entry_point")
    >>> obs, info = env.reset(seed=0)
    >>> obs.shape, info["x_cm"].shape
    ((4, 6), (4,))
    """

    metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}  # noqa: RUF012

    def __init__(self, num_envs: int = 1, config: TaskConfig | None = None,
                 gain: float | np.ndarray = 1.0, noise: bool = True,
                 perturbation: bool | None = None, device: str | torch.device = "cpu") -> None:
        self.num_envs = check_int(num_envs, "num_envs", minimum=1)
        self.config = _task_config(config, noise, perturbation)
        self.single_observation_space = _OBS_SPACE
        self.single_action_space = _ACTION_SPACE
        self.observation_space = batch_space(_OBS_SPACE, self.num_envs)
        self.action_space = batch_space(_ACTION_SPACE, self.num_envs)
        self.task = FireflyTask(self.config, batch_size=self.num_envs, device=device)
        self.gain = np.broadcast_to(np.asarray(gain, dtype=float), (self.num_envs,)).copy() \
            if np.ndim(gain) == 0 else np.asarray(gain, dtype=float)
        self.task.gain_factor(self.gain, self.num_envs)  # validates
        self._autoreset = np.zeros(self.num_envs, dtype=bool)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a trial in every sub-environment; options ``"gain"`` and ``"targets"``."""
        self._np_random_seed = seed
        options = {} if options is None else dict(options)
        unknown = set(options) - {"gain", "targets", "perturbation"}
        if unknown:
            msg = (f"options has unknown keys {sorted(unknown)}; allowed: gain, targets, "
                   f"perturbation")
            raise ValueError(msg)
        if "gain" in options:
            self.gain = np.broadcast_to(np.asarray(options["gain"], dtype=float),
                                        (self.num_envs,)).copy()
        task_options: dict[str, Any] = {"gain": self.gain, "batch_size": self.num_envs}
        for key in ("targets", "perturbation"):
            if options.get(key) is not None:
                task_options[key] = options[key]
        obs, _ = self.task.reset(seed=seed, options=task_options)
        # targets of autoreset trials come from their own stream, so that a restart leaves
        # the noise of the other sub-environments as it would be without it
        self._restart_gen = torch_generator(seed + 1 if isinstance(seed, int) else None,
                                            self.task.device)
        if obs.shape[0] != self.num_envs:
            msg = f"targets must have {self.num_envs} rows (num_envs), got {obs.shape[0]}"
            raise ValueError(msg)
        self._autoreset[:] = False
        info = _info(self.task, torch.zeros(self.num_envs, dtype=torch.bool),
                     _distance(self.task))
        return obs.cpu().numpy().astype(np.float32), info

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                 np.ndarray, dict[str, Any]]:
        """Step every sub-environment (restarting those that ended at the last step)."""
        if not hasattr(self.task, "pos"):
            msg = "call reset() before step()"
            raise RuntimeError(msg)
        act = torch.as_tensor(_checked_actions(actions, (self.num_envs, ACTION_DIM), "actions"),
                              device=self.task.device)
        obs, reward, terminated, truncated, info = self.task.step(act.clamp(-1.0, 1.0))
        rewarded, distance = info["rewarded"], info["distance_cm"]
        restart = np.nonzero(self._autoreset)[0]
        if restart.size:
            rows = torch.as_tensor(restart, device=self.task.device)
            first = self.task.reset_trials(rows, gain=self.gain[restart],
                                           generator=self._restart_gen)
            obs = obs.clone()
            obs[rows] = first[rows]
            reward, terminated, truncated = reward.clone(), terminated.clone(), truncated.clone()
            reward[rows], terminated[rows], truncated[rows] = 0.0, False, False
            rewarded = rewarded.clone()
            rewarded[rows] = False
            distance = distance.clone()
            distance[rows] = _distance(self.task)[rows]
        term = terminated.cpu().numpy().copy()
        trunc = truncated.cpu().numpy().copy()
        self._autoreset = term | trunc
        return (obs.cpu().numpy().astype(np.float32),
                reward.cpu().numpy().astype(np.float64), term, trunc,
                _info(self.task, rewarded, distance))


def _make_vec(num_envs: int = 1, **kwargs: Any) -> FireflyVectorEnv:
    return FireflyVectorEnv(num_envs=num_envs, **kwargs)


def register_envs() -> None:
    """Register ``"navdecode/Firefly-v0"`` with gymnasium (done by ``import navdecode``).

    Registering again does nothing.

    Examples
    --------
    >>> import gymnasium as gym
    >>> from navdecode.task.envs import ENV_ID, register_envs
    >>> register_envs()
    >>> ENV_ID in gym.registry
    True
    """
    if ENV_ID in gym.registry:
        return
    gym.register(id=ENV_ID, entry_point="navdecode.task.envs:FireflyEnv",
                 vector_entry_point="navdecode.task.envs:_make_vec",
                 max_episode_steps=None, disable_env_checker=False)
