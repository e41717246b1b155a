"""Decoding controls: what a decoder gets from trajectory statistics rather than beliefs.

- `time_features`: the step index alone, one indicator column per step (a decoder on it
  predicts the mean of each target at each time step across training trials);
- `untrained_recording`: the same architecture with the weights it had before training
  (``make_agent(arch, seed)``), fed the recorded input sequence, its units in place of
  the agent's;
- `replay_actions`: each trial's recorded actions replayed open loop under another gain
  or task: the behaviour of an agent that did not adapt at all; `replay_perturbation`,
  the same on the perturbation task (the unperturbed twin's actions with each trial's
  bump), in navdecode's convention or the paper's;
- the trial shuffle lives in `decode` (``control="shuffle"``): each trial's targets are
  replaced by another trial's, which keeps time-in-trial, so it is not chance level for
  variables that grow with time (such as distance travelled).
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from navdecode._validation import check_choice, check_seed
from navdecode.analysis.perturbation import bump_profile, check_twin, perturbations_of
from navdecode.recording.schema import check_recording, task_config

__all__ = ["replay_actions", "replay_perturbation", "time_features", "untrained_recording"]


def time_features(ds: xr.Dataset) -> np.ndarray:
    """One-hot step index of every step, shape (trial, step, step).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording (dims ``trial``, ``step``).

    Returns
    -------
    features : ndarray of shape (n_trials, n_steps, n_steps)
        ``features[i, t, s] = 1`` when ``s == t``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.controls import time_features
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(3))
    >>> time_features(ds).shape
    (3, 35, 35)
    """
    check_recording(ds)
    n_trials, n_steps = ds.sizes["trial"], ds.sizes["step"]
    return np.broadcast_to(np.eye(n_steps), (n_trials, n_steps, n_steps)).copy()


def untrained_recording(ds: xr.Dataset, actor: torch.nn.Module | None = None,
                        seed: int | None = None) -> xr.Dataset:
    """The recording with ``hidden`` (and ``cell``) from an untrained network.

    The network is fed the recorded ``actor_input`` sequence of every trial (the same
    observations and previous actions the agent received) and its recurrent state is
    recorded exactly as `run_agent` records it; steps after a trial's end stay NaN.
    Decoding it the same way as the agent tells how much of the agent's decoding a
    network that learned nothing already reaches from the input statistics.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with ``actor_input`` (trial, step, input) and ``valid``.
    actor : torch.nn.Module or None, default=None
        The untrained network, called as ``actor(x, state) -> (action, state)`` on
        x of shape (1, n_trials, n_inputs). None builds the actor of
        ``make_agent(ds.attrs["arch"], seed)``: the agent's own weights before training.
    seed : int or None, default=None
        Seed of `make_agent`; the recording's ``agent_seed`` (the network's own seed, not
        the rollout's ``noise_seed``) when None.

    Returns
    -------
    ds_untrained : xarray.Dataset
        A copy of `ds` whose ``hidden`` / ``cell`` are the untrained network's, with
        ``attrs["control"] = "untrained"``.

    Raises
    ------
    ValueError
        If `ds` has no ``actor_input``, or no `actor` is given and its ``arch`` is not a
        navdecode architecture or it names no ``agent_seed`` (and no `seed` is given).

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.controls import untrained_recording
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(4))
    >>> untrained_recording(ds).attrs["control"]
    'untrained'
    """
    from navdecode.agents.networks import ARCHITECTURES, make_agent
    from navdecode.recording.rerun import replay_inputs

    check_recording(ds, "untrained control")
    if actor is None:
        arch = ds.attrs.get("arch", "")
        if arch not in ARCHITECTURES:
            msg = (f"ds.attrs['arch'] is {arch!r}, not a navdecode architecture; pass the "
                   f"untrained network (actor= here, untrained= to decode)")
            raise ValueError(msg)
        if seed is None:
            seed = int(ds.attrs.get("agent_seed", -1))
            if seed < 0:
                msg = ("ds does not name the seed of its network (agent_seed is unknown), so "
                       "its untrained weights cannot be rebuilt; pass seed= (or the untrained "
                       "network: actor= here, untrained= to decode). The rollout's noise "
                       "seed is not the network's.")
                raise ValueError(msg)
        check_seed(seed)
        actor = make_agent(arch, seed=int(seed)).actor
    states = replay_inputs(actor, ds, states=True, actions=False)
    hidden, cell = states["hidden"], states.get("cell")
    invalid = ~ds["valid"].values.astype(bool)[..., None]
    out = ds.copy()
    for name, values in (("hidden", hidden), ("cell", cell)):
        if values is not None:
            values = np.asarray(values, dtype=np.float32)  # replay's own: not copied
            np.copyto(values, np.float32(np.nan), where=invalid)
            attrs = dict(ds[name].attrs) if name in ds else {"units": "1"}
            out[name] = (("trial", "step", "unit"), values, attrs)
        elif name in out:
            out = out.drop_vars(name)
    out.attrs = {**ds.attrs, "control": "untrained"}
    return out


class _ActionReplay(torch.nn.Module):
    """A 'policy' that plays back recorded actions; its state counts the trial's steps."""

    def __init__(self, actions: np.ndarray) -> None:
        super().__init__()
        self.actions = torch.as_tensor(np.nan_to_num(actions), dtype=torch.float32)

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        n = x.shape[1]
        step = torch.zeros(1, n, 1) if state is None else state
        index = step[0, :, 0].long().clamp(max=self.actions.shape[1] - 1)
        action = self.actions[torch.arange(n), index]
        return action[None], step + 1


def replay_actions(ds: xr.Dataset, gain: float | np.ndarray = 2.0, noise: bool = False,
                   seed: int | None = 0, config: object = None,
                   perturbation: np.ndarray | None = None) -> xr.Dataset:
    """The no-adaptation control: each trial's recorded actions replayed open loop.

    Every trial's action sequence (``action_lin``, ``action_ang``) is played back, step
    by step, in the firefly task on the same target under another `gain` (or another
    task `config`, e.g. with perturbations): what the agent would have done had it not
    adapted to the change at all. The stop rule depends on the actions only, so each
    replayed trial ends at the step where the recorded one did.

    Parameters
    ----------
    ds : xarray.Dataset
        A firefly recording (actions and targets), e.g. at gain 1x.
    gain : float or array-like of shape (n_trials,), default=2.0
        Joystick gain of the replay.
    noise : bool, default=False
        Process and observation noise during the replay (the replay is open loop, so
        observation noise has no effect on it).
    seed : int or None, default=0
        Seed of the process noise.
    config : TaskConfig or None, default=None
        Task settings of the replay; the recording's task when None (from its
        ``task_*`` attributes, else the published task).
    perturbation : array-like of shape (n_trials, 3) or None, default=None
        Each trial's perturbation in a `config` with perturbations on (as `run_agent`
        takes it); drawn by the task when None.

    Returns
    -------
    ds_replay : xarray.Dataset
        A recording in the same schema (no recurrent state), ``attrs["control"] =
        "replay"``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.controls import replay_actions
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(5))
    >>> replay_actions(ds, gain=2.0).attrs["control"]
    'replay'
    """
    from navdecode.recording.recorder import record
    from navdecode.task.envs import FireflyVectorEnv

    check_recording(ds, ["action_lin", "action_ang", "target_x", "target_y"],
                    analysis="replay_actions")
    config = task_config(ds, config)
    actions = np.stack([ds["action_lin"].values, ds["action_ang"].values], axis=-1)
    targets = np.stack([ds["target_x"].values, ds["target_y"].values], axis=1)
    env = FireflyVectorEnv(num_envs=len(targets), config=config, noise=noise)
    if perturbation is not None and not config.perturbation:
        msg = ("perturbation= needs a config with perturbations on "
               "(config=TaskConfig.perturbation_task())")
        raise ValueError(msg)
    out = record(_ActionReplay(actions), env, len(targets), seed=seed,
                 options={"targets": targets, "gain": gain, "perturbation": perturbation},
                 arch=ds.attrs.get("arch", ""))
    out = out.drop_vars([v for v in ("hidden", "cell") if v in out])
    if "unit" in out.dims:
        out = out.drop_dims("unit")
    out.attrs.update({"control": "replay", **{k: ds.attrs[k] for k in (
        "label", "agent_seed", "agent_id") if k in ds.attrs}})
    return out


def replay_perturbation(ds: xr.Dataset, unperturbed: xr.Dataset, convention: str = "navdecode",
                        config: object = None) -> xr.Dataset:
    """The no-adaptation control on the perturbation task: the twin's actions, bumped.

    Each trial of `unperturbed` (the same agent on the same trials with the peaks set to
    zero, see `compensation_kernels`) has its actions replayed open loop, without noise,
    with the perturbation of the same trial of `ds`: where the agent would have stopped
    had it not answered the bump at all (the paper's figure 6c-d).

    ``convention="navdecode"`` replays in the task (`replay_actions`): the replay stops at
    the step the twin stopped (the stop rule depends on the actions only), and what is
    left of the bump after the stop moves nothing, as the task freezes a stopped agent.

    ``convention="paper"`` is the paper's ``simulate_no_generalization``: it keeps
    integrating the bump after the stop. With the commands ``v_j = G_lin g a_j + b_j``,
    ``w_j = G_ang g ω_j + c_j`` (the twin's actions ``a``, ``ω`` for j < n, 0 after;
    the bumps ``b``, ``c`` of the task's profile) for j < L = max(n, t0 + D + 1), the end
    is ``p = dt sum_{j=0}^{L-3} v_j (cos θ_j, sin θ_j)`` with ``θ_j = 90° + dt sum_{i<j}
    w_i``; ``stop_x``, ``stop_y`` and ``rewarded`` (the end within the reward radius) are
    replaced by it. For a trial whose bump ends before its stop both conventions give the
    same end (tested); navdecode's is the default because a stopped agent stays put.

    Parameters
    ----------
    ds : xarray.Dataset
        The agent on the perturbation task.
    unperturbed : xarray.Dataset
        Its unperturbed twin (same trials, peaks zero).
    convention : {"navdecode", "paper"}, default="navdecode"
    config : TaskConfig or None, default=None
        The task; `ds`'s when None.

    Returns
    -------
    ds_replay : xarray.Dataset
        A recording in the same schema (no recurrent state), ``attrs["control"] =
        "replay"`` and ``attrs["replay_convention"]``.

    Examples
    --------
    >>> from navdecode import TaskConfig, fixed_targets, load_pretrained, run_agent
    >>> from navdecode.analysis.controls import replay_perturbation
    >>> from navdecode.analysis.perturbation import bump_profile, check_twin, perturbations_of
    >>> agent, config = load_pretrained("modular", 0), TaskConfig.perturbation_task()
    >>> ds = run_agent(agent, fixed_targets(20), config=config)
    >>> twin = run_agent(agent, fixed_targets(20), config=config,
    ...                  perturbation=perturbations_of(ds) * [0, 0, 1])
    >>> replay_perturbation(ds, twin, convention="paper").attrs["replay_convention"]
    'paper'
    """
    check_choice(convention, "convention", ("navdecode", "paper"))
    check_recording(unperturbed, ["action_lin", "action_ang", "n_steps"],
                    analysis="replay_perturbation", name="unperturbed")
    config = task_config(ds, config)
    if not config.perturbation:
        msg = "ds must be a recording of the perturbation task (its task_perturbation is off)"
        raise ValueError(msg)
    check_twin(ds, unperturbed, "replay_perturbation")
    peaks = perturbations_of(ds)
    out = replay_actions(unperturbed, gain=unperturbed["gain"].values, noise=False,
                         config=config, perturbation=peaks)
    if convention == "paper":
        end = _paper_end(unperturbed, peaks, config)
        distance = np.hypot(end[:, 0] - out["target_x"].values,
                            end[:, 1] - out["target_y"].values)
        out = out.assign_coords(stop_x=("trial", end[:, 0]), stop_y=("trial", end[:, 1]),
                                rewarded=("trial", distance < config.reward_radius_cm))
    out.attrs["replay_convention"] = convention
    return out


def _paper_end(twin: xr.Dataset, peaks: np.ndarray, config: object) -> np.ndarray:
    """The paper's no-adaptation end of every trial (cm), `replay_perturbation`'s formula."""
    n = twin["n_steps"].values.astype(int)
    onset = peaks[:, 2].astype(int)
    d, dt = config.perturb_duration_steps, config.dt
    length = np.maximum(n, onset + d + 1)
    steps = np.arange(int(length.max()))[None, :]
    gain = twin["gain"].values.astype(float)[:, None]

    def padded(name: str) -> np.ndarray:
        values = np.zeros((len(n), steps.shape[1]))
        recorded = np.nan_to_num(twin[name].values.astype(float))
        k = min(recorded.shape[1], steps.shape[1])
        values[:, :k] = np.where(steps[:, :k] < n[:, None], recorded[:, :k], 0.0)
        return values

    profile = bump_profile(onset, steps.shape[1], config)
    v = config.gain_lin_cm_s * gain * padded("action_lin") + peaks[:, :1] * profile
    w = np.radians(config.gain_ang_deg_s * gain * padded("action_ang") + peaks[:, 1:2]
                   * profile)
    heading = np.pi / 2 + dt * np.concatenate([np.zeros((len(n), 1)),
                                              np.cumsum(w, axis=1)[:, :-1]], axis=1)
    moving = steps <= (length - 3)[:, None]  # j = 0 .. L - 3
    x = dt * np.sum(np.where(moving, v * np.cos(heading), 0.0), axis=1)
    y = dt * np.sum(np.where(moving, v * np.sin(heading), 0.0), axis=1)
    return np.stack([x, y], axis=1)
