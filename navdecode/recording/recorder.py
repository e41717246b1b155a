"""Record any recurrent policy in any gymnasium task into the recording schema.

`record(policy, env, n_trials)` steps a gymnasium `Env` or `VectorEnv` (sub-envs side by
side) with a policy and writes exactly `n_trials` trials: the policy's input, its
actions, its recurrent state, the outputs of hooked submodules and whatever the task's
``info`` exposes. Policies: a torch module or callable ``policy(obs, state) -> (action,
state)`` with obs of shape (1, B, obs_dim) (navdecode's actors), or an sb3-contrib
``RecurrentPPO`` model (optional extra ``navdecode[sb3]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import gymnasium as gym
import numpy as np
import xarray as xr
from gymnasium.vector import VectorEnv
from tqdm.auto import tqdm

from navdecode._validation import check_int, check_positive, check_seed
from navdecode.recording.adapters import (
    CleanRLPolicy,
    RecurrentPPOPolicy,
    TorchPolicy,
    as_vector,
    is_cleanrl_agent,
    is_recurrent_ppo,
)
from navdecode.recording.identity import identity_attrs
from navdecode.recording.schema import build_recording
from navdecode.task.config import TaskConfig, config_attrs
from navdecode.task.firefly import INPUT_NAMES, OBS_COLUMNS

__all__ = ["record"]

InfoVars = Mapping[str, str | Callable[[dict[str, Any]], np.ndarray]]


# --- the recording loop --------------------------------------------------------------------

class StepBuffer:
    """Per-step arrays (trial, step, ...) that grow along the step axis as needed."""

    def __init__(self, n_trials: int, n_steps: int = 64) -> None:
        self.n, self.cap, self.data = n_trials, n_steps, {}

    def put(self, name: str, trials: np.ndarray, steps: np.ndarray, values: np.ndarray) -> None:
        values = np.asarray(values)
        if name not in self.data:
            fill = False if values.dtype == bool else np.nan
            self.data[name] = np.full((self.n, self.cap, *values.shape[1:]), fill,
                                      dtype=bool if values.dtype == bool else np.float32)
        self.grow(int(steps.max(initial=0)) + 1)
        if steps.size and steps[0] == steps[-1] and (steps == steps[0]).all():
            if len(trials) == self.n and np.array_equal(trials, np.arange(self.n)):  # a slice
                self.data[name][:, steps[0]] = values
            else:  # trials at one step (a batch of trials started together)
                self.data[name][trials, steps[0]] = values
        else:
            self.data[name][trials, steps] = values

    def grow(self, n_steps: int) -> None:
        """Make every array at least `n_steps` long along the step axis (padded)."""
        for name, arr in self.data.items():
            if arr.shape[1] < n_steps:
                extra = max(n_steps - arr.shape[1], arr.shape[1])
                pad = np.full((arr.shape[0], extra, *arr.shape[2:]),
                              False if arr.dtype == bool else np.nan, dtype=arr.dtype)
                self.data[name] = np.concatenate([arr, pad], axis=1)

    def get(self, name: str, n_steps: int) -> np.ndarray | None:
        if name not in self.data:
            return None
        arr = self.data[name]
        return arr if arr.shape[1] == n_steps else np.ascontiguousarray(arr[:, :n_steps])


def _firefly(env: object) -> Any:
    from navdecode.task.envs import FireflyEnv, FireflyVectorEnv

    inner = getattr(env, "unwrapped", env)
    return inner if isinstance(inner, (FireflyEnv, FireflyVectorEnv)) else None


def _checked_actions(action: Any, n_envs: int, rec: np.ndarray, trial_of: np.ndarray,
                     step_of: np.ndarray) -> np.ndarray:
    """One row of actions per env, finite where a trial is recorded; else a ValueError
    naming the shape or the trials and step (never a silent reshape or a NaN rollout)."""
    action = np.asarray(action)
    if action.ndim >= 2 and action.shape[0] == 1 and action.shape[1] == n_envs:
        action = action[0]  # (1, B, ...) as a recurrent module returns it
    if action.ndim == 0 or action.shape[0] != n_envs:
        msg = (f"the policy returned actions of shape {action.shape} for {n_envs} envs; "
               f"return one row per env: ({n_envs}, ...) or (1, {n_envs}, ...)")
        raise ValueError(msg)
    if action.dtype.kind == "f":
        bad = rec & ~np.isfinite(action.reshape(n_envs, -1)).all(axis=1)
        if bad.any():
            where = ", ".join(f"trial {t} step {s}" for t, s in zip(
                trial_of[bad][:5], step_of[bad][:5], strict=True))
            msg = (f"the policy returned a non-finite action (NaN or inf) at {where}; "
                   "the env would carry it into every later position of the trial")
            raise ValueError(msg)
    return action


def record(policy: Any, env: gym.Env | VectorEnv, n_trials: int, *,
           seed: int | np.random.Generator | None = 0,
           options: dict[str, Any] | None = None, info_vars: InfoVars | None = None,
           trial_vars: InfoVars | None = None, hooks: Mapping[str, str] | None = None,
           deterministic: bool = True, dt: float | None = None, arch: str | None = None,
           input_names: list[str] | None = None, progress: bool = False,
           label: str | None = None, agent_seed: int | None = None,
           agent_id: str | None = None, units: Mapping[str, str] | None = None,
           long_names: Mapping[str, str] | None = None,
           trial_end: str | Callable[[dict[str, Any]], np.ndarray] | None = None
           ) -> xr.Dataset:
    """Run a recurrent policy in a gymnasium environment and record `n_trials` trials.

    A trial is an episode, from reset to termination or truncation. With a vector env,
    its sub-environments run trials side by side (next-step autoreset); trials are
    numbered in the order they start, and episodes started after the `n_trials`-th are
    dropped. The policy's recurrent state is reset to zeros at the start of each trial.

    Parameters
    ----------
    policy : torch.nn.Module, callable, CleanRL-style agent or sb3-contrib RecurrentPPO
        A module or callable ``policy(obs, state) -> (action, state)`` with obs a float
        tensor of shape (1, B, obs_dim), state None at the first step, and the returned
        state an LSTM ``(h, c)`` tuple or one tensor of shape (layers, B, units); a
        CleanRL-style agent (``get_states`` / ``get_action_and_value(x, lstm_state,
        done)``, its LSTM as ``.lstm``; actions are its samples); or a ``RecurrentPPO``
        model or subclass, called through its deterministic ``predict`` (one forward
        pass per step; its actor LSTM state is recorded). Discrete actions may come
        as (1, B), (B,) or (B, 1).
    env : gymnasium.Env or gymnasium.vector.VectorEnv
        Any gymnasium environment with a flat observation and a Box, Discrete or
        MultiDiscrete action. A Stable-Baselines3 ``VecEnv`` is refused (pass the
        gymnasium env it wraps, or a ``gymnasium.vector.SyncVectorEnv``).
    n_trials : int
        Trials to record.
    seed : int, numpy.random.Generator or None, default=0
        Passed to the first ``env.reset`` (navdecode's envs also take a Generator).
    options : dict or None, default=None
        Passed to the first ``env.reset`` (e.g. ``{"targets": ..., "gain": 2.0}`` for the
        firefly vector env).
    info_vars : mapping or None, default=None
        Per-step variables from ``info``: recording variable -> info key, or a callable
        ``f(info) -> array (B,)``. Read from the info that came with each observation
        (the state at which the action is chosen). For navdecode's firefly envs the
        default records position, heading and velocities
        (`navdecode.task.envs.FIREFLY_INFO_VARS`); for other envs nothing.
    trial_vars : mapping or None, default=None
        Per-trial coordinates, read from the info returned by a trial's last step
        (firefly default: targets, gain, rewarded, end position).
    hooks : mapping of str to str or None, default=None
        Recording variable -> dotted name of a submodule whose output (its last time
        step, (B, k)) is recorded at every step, e.g. ``{"mlp1": "l1"}``.
    deterministic : bool, default=True
        RecurrentPPO only: deterministic actions.
    dt : float or None, default=None
        Step duration in s (``task_dt``, finite and > 0); the firefly env's own (another
        value is refused for it), else left out when None.
    arch : str or None, default=None
        The agent's architecture (``arch`` attribute); the policy's ``arch`` or class name.
    input_names : list of str or None, default=None
        Labels of the observation columns (firefly: `navdecode.task.firefly.INPUT_NAMES`).
    progress : bool, default=False
        Show a progress bar over recorded trials.
    label : str or None, default=None
        What the recording is compared as (``label``): `arch` when None.
    agent_seed : int or None, default=None
        Seed the network was made or trained with (``agent_seed``); the policy's
        ``metadata["seed"]`` when it has one, else unknown (-1). Not the noise `seed`.
    agent_id : str or None, default=None
        An id for the network when it has no seed (``agent_id``); ``"<label>-seed<s>"``
        when None and the seed is known.
    units : mapping of str to str or None, default=None
        Units of the `info_vars` and `trial_vars` (e.g. ``{"pos_x": "m"}``), written as
        each variable's ``units`` attribute. A variable given none is recorded without
        one (its ``comment`` says so; analyses call its unit ``"unknown"``), never
        assumed; only the firefly task's own variables carry the units the task declares.
    long_names : mapping of str to str or None, default=None
        Long names of the `info_vars` and `trial_vars`; ``"info[<key>]"`` when None.
    trial_end : str, callable or None, default=None
        Tasks whose trials end inside one episode (neurogym marks ``info["new_trial"]``
        and never ends the episode): the info key (``"new_trial"``), or a callable
        ``f(info) -> bool array (B,)``, that marks the step at which a trial ends. The
        observation returned with it is the next trial's first; the env is not reset and
        the policy's state carries on, as it did in training. Episode ends still end
        trials. None: trials are episodes.

    Returns
    -------
    ds : xarray.Dataset
        In the recording schema: ``valid``, ``actor_input`` (the observations),
        ``action_<i>`` (``action_lin``, ``action_ang`` for the firefly task), ``hidden``
        (and ``cell``), hooked outputs, the `info_vars`; per trial ``reward``,
        ``stopped`` (terminated, not truncated), ``n_steps``, ``trial_id`` and the
        `trial_vars`; attributes name the network (``label``, ``agent_seed``,
        ``agent_id``) apart from the rollout's ``noise_seed``.

    Examples
    --------
    >>> import gymnasium as gym
    >>> import navdecode as nd
    >>> env = gym.make_vec("navdecode/Firefly-v0", num_envs=8,
    ...                    vectorization_mode="vector_entry_point")
    >>> ds = nd.record(nd.make_agent("modular", seed=0).actor, env, n_trials=10)
    >>> ds.sizes["trial"], ds.sizes["unit"]
    (10, 128)
    """
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    check_seed(seed)
    if dt is not None:
        dt = check_positive(dt, "dt")
    vec = as_vector(env)
    firefly = _firefly(env)
    if firefly is not None:
        from navdecode.task.envs import (
            FIREFLY_INFO_VARS,
            FIREFLY_TRIAL_VARS,
            PERTURBATION_TRIAL_VARS,
        )

        info_vars = FIREFLY_INFO_VARS if info_vars is None else info_vars
        if trial_vars is None:
            trial_vars = {**FIREFLY_TRIAL_VARS, **(PERTURBATION_TRIAL_VARS
                                                   if firefly.config.perturbation else {})}
        task_vars = {**FIREFLY_INFO_VARS, **FIREFLY_TRIAL_VARS, **PERTURBATION_TRIAL_VARS}
        if dt is not None and not np.isclose(dt, firefly.config.dt):
            msg = (f"dt={dt:g} s is not the firefly env's step ({firefly.config.dt:g} s); "
                   "leave dt out for the firefly task (its config sets it)")
            raise ValueError(msg)
        dt = firefly.config.dt
        input_names = list(INPUT_NAMES) if input_names is None else input_names
    else:
        task_vars = {}
    info_vars, trial_vars = dict(info_vars or {}), dict(trial_vars or {})
    units, long_names = _check_names(units, "units"), _check_names(long_names, "long_names")
    if trial_end is not None and not (isinstance(trial_end, str) or callable(trial_end)):
        msg = f"trial_end must be an info key, a callable or None, got {type(trial_end).__name__}"
        raise TypeError(msg)
    user_vars = {var: key for var, key in {**info_vars, **trial_vars}.items()
                 if task_vars.get(var) != key}
    unknown = sorted(set(units) - set(user_vars)) + sorted(set(long_names) - set(user_vars))
    if unknown:
        msg = (f"units / long_names name {unknown}, which are not info_vars or trial_vars "
               f"of this recording (or are the task's own, whose units it declares)")
        raise ValueError(msg)
    if is_recurrent_ppo(policy):
        runner: TorchPolicy | RecurrentPPOPolicy | CleanRLPolicy = RecurrentPPOPolicy(
            policy, hooks, deterministic)
    elif is_cleanrl_agent(policy):
        runner = CleanRLPolicy(policy, hooks)
    elif callable(policy):
        runner = TorchPolicy(getattr(policy, "actor", policy), hooks)
    else:
        msg = f"policy must be a torch module, a callable or a RecurrentPPO, got " \
              f"{type(policy).__name__}"
        raise TypeError(msg)
    was_training = getattr(runner, "module", None) is not None and runner.module.training
    if was_training:
        runner.module.eval()
    arch = arch or getattr(policy, "arch", type(policy).__name__)
    if agent_seed is None:
        agent_seed = getattr(policy, "metadata", {}).get("seed")
    if agent_seed is not None:
        check_int(agent_seed, "agent_seed", minimum=-1)
    try:
        ds = _run(runner, vec, n_trials, seed, options, info_vars, trial_vars, dt, arch,
                  input_names, firefly.config if firefly is not None else None, progress,
                  trial_end)
        for var, key in user_vars.items():
            default = f"info[{key!r}]" if isinstance(key, str) else f"{var} (from info)"
            ds[var].attrs = {"long_name": long_names.get(var, default)} | (
                {"units": units[var]} if var in units else
                {"comment": "units not given (record(..., units=...)); never assumed"})
        ds.attrs.update(identity_attrs(label if label is not None else arch,
                                       agent_seed=agent_seed, agent_id=agent_id,
                                       noise_seed=seed))
        return ds
    finally:
        runner.close()
        if was_training:
            runner.module.train()


def _flags(info: dict[str, np.ndarray], trial_end: str | Callable | None,
           n_envs: int) -> np.ndarray:
    """Which envs' trials ended at this step by the task's own mark (not an episode end)."""
    if trial_end is None:
        return np.zeros(n_envs, dtype=bool)
    if callable(trial_end):
        flags = np.asarray(trial_end(info))
    elif trial_end in info:
        flags = np.asarray(info[trial_end])
    else:
        return np.zeros(n_envs, dtype=bool)
    if flags.shape != (n_envs,):
        msg = f"trial_end gave shape {flags.shape}, expected ({n_envs},) booleans"
        raise ValueError(msg)
    return flags.astype(bool)


def _check_names(names: object, name: str) -> dict[str, str]:
    if names is None:
        return {}
    if not isinstance(names, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        msg = f"{name} must be a mapping of variable name to str, got {type(names).__name__}"
        raise TypeError(msg)
    return dict(names)


def _value(info: dict[str, np.ndarray], key: str | Callable, var: str) -> np.ndarray:
    if callable(key):
        return np.asarray(key(info))
    if key not in info:
        msg = f"info has no key {key!r} (asked for {var!r}); it has {sorted(info)}"
        raise ValueError(msg)
    return info[key]


def _run(runner: Any, vec: Any, n_trials: int, seed: object, options: dict | None,
         info_vars: dict, trial_vars: dict, dt: float | None, arch: str,
         input_names: list[str] | None, firefly: TaskConfig | None,
         progress: bool, trial_end: str | Callable | None = None) -> xr.Dataset:
    n_envs = vec.num_envs
    obs, info = vec.reset(seed, options)
    trial_of = np.where(np.arange(n_envs) < n_trials, np.arange(n_envs), -1)
    step_of = np.zeros(n_envs, dtype=np.int64)
    starts = np.ones(n_envs, dtype=bool)
    pending = np.zeros(n_envs, dtype=bool)  # ended; the next env.step restarts them
    started, finished = min(n_envs, n_trials), 0
    buf = StepBuffer(n_trials, firefly.max_steps if firefly is not None else 64)
    per_trial: dict[str, np.ndarray] = {"reward": np.zeros(n_trials),
                                        "stopped": np.zeros(n_trials, dtype=bool),
                                        "n_steps": np.zeros(n_trials, dtype=np.int64)}
    bar = tqdm(total=n_trials, desc="record", disable=not progress, leave=False)
    by_rows = getattr(runner, "by_rows", False)
    while finished < n_trials:
        rec = (trial_of >= 0) & ~pending
        rows, trials, steps = np.nonzero(rec)[0], trial_of[rec], step_of[rec]
        if by_rows:  # only the trials being recorded; the env ignores the others' actions
            live, h, c = runner(obs.reshape(n_envs, -1), starts, rows)
            action = np.zeros((n_envs, *live.shape[1:]), dtype=live.dtype)
            action[rows] = live
            picked = slice(None)
        else:
            action, h, c = runner(obs.reshape(n_envs, -1), starts)
            picked = rows
        action = _checked_actions(action, n_envs, rec, trial_of, step_of)
        buf.put("valid", trials, steps, np.ones(rows.size, dtype=bool))
        buf.put("input", trials, steps, obs.reshape(n_envs, -1)[rows])
        buf.put("action", trials, steps, action.reshape(n_envs, -1)[rows])
        for name, value in (("hidden", h), ("cell", c), *runner.hooked.items()):
            if value is not None:
                buf.put(name, trials, steps, np.asarray(value)[picked])
        for var, key in info_vars.items():
            buf.put(f"info:{var}", trials, steps, _value(info, key, var)[rows])
        obs, reward, terminated, truncated, info = vec.step(action)
        per_trial["reward"][trials] += reward[rows]
        step_of[rec] += 1
        flagged = _flags(info, trial_end, n_envs) & ~(terminated | truncated)
        ended = np.nonzero(rec & (terminated | truncated | flagged))[0]
        done_trials = trial_of[ended]
        per_trial["stopped"][done_trials] = (terminated | flagged)[ended]
        per_trial["n_steps"][done_trials] = step_of[ended]
        for var, key in trial_vars.items():  # read at trial ends only
            if var not in per_trial:
                per_trial[var] = np.full(n_trials, np.nan, dtype=np.float64)
            if ended.size:
                per_trial[var][done_trials] = _value(info, key, var)[ended]
        finished += ended.size
        bar.update(ended.size)
        # rows that ended at the previous step were restarted by this env.step
        restarted = np.nonzero(pending)[0]
        new_ids = started + np.arange(restarted.size)
        trial_of[restarted] = np.where(new_ids < n_trials, new_ids, -1)
        started = min(started + restarted.size, n_trials)
        step_of[restarted] = 0
        starts = pending.copy()
        pending = terminated | truncated
        # trials that ended inside the episode: the next one starts at this observation
        going_on = np.nonzero(flagged & (trial_of >= 0))[0]
        new_ids = started + np.arange(going_on.size)
        trial_of[going_on] = np.where(new_ids < n_trials, new_ids, -1)
        started = min(started + going_on.size, n_trials)
        step_of[going_on] = 0
    bar.close()
    return assemble_recording(buf, per_trial, dt, arch, seed, input_names, firefly,
                              list(info_vars), list(runner.hooked))


def assemble_recording(buf: StepBuffer, per_trial: dict, dt: float | None, arch: str,
                       seed: object, input_names: list[str] | None,
                       firefly: TaskConfig | None, info_names: list[str],
                       hooked: list[str]) -> xr.Dataset:
    """The buffers as a recording (firefly: padded to max_steps, observed velocities in cm/s
    and rad/s, the task's settings as ``task_*`` attributes)."""
    n_steps = max(int(per_trial["n_steps"].max()), firefly.max_steps if firefly else 0)
    buf.grow(n_steps)
    valid = buf.get("valid", n_steps).astype(bool)
    action = buf.get("action", n_steps)
    if firefly and action.shape[2] == 2:
        steps = {"valid": valid, "action_lin": action[..., 0], "action_ang": action[..., 1]}
    else:
        steps = {"valid": valid, **{f"action_{i}": action[..., i]
                                    for i in range(action.shape[2])}}
    steps |= {var: buf.get(f"info:{var}", n_steps) for var in info_names}
    inputs = buf.get("input", n_steps)
    if firefly is not None and inputs.shape[2] == len(INPUT_NAMES):
        obs_lin, obs_ang = np.moveaxis(inputs[..., OBS_COLUMNS], -1, 0)
        steps |= {"obs_lin": obs_lin * firefly.length_unit_cm, "obs_ang": obs_ang}
    trials = dict(per_trial)
    for key in ("rewarded", "stopped"):
        if key in trials:
            trials[key] = np.nan_to_num(trials[key]).astype(bool)
    if "target_x" in trials and "target_y" in trials:
        trials["target_r"] = np.hypot(trials["target_x"], trials["target_y"])
    attrs = {"arch": str(arch), "source": "record",
             **(config_attrs(firefly, "task_") if firefly else {})}
    return build_recording(
        steps, trials, hidden=buf.get("hidden", n_steps), cell=buf.get("cell", n_steps),
        inputs=inputs, input_names=input_names,
        extra={name: buf.get(name, n_steps) for name in hooked}, attrs=attrs, dt=dt,
        masked=True)
