"""What the critic trained with an actor believes: its value estimates, TD errors and units.

The paper's critic panels (figures 3d, S3g, 4h, S6c-d: the TD error during training; the
critic's units decoded in its figure 3): a critic (`load_pretrained(..., critic=True)`,
or a run's ``checkpoints/critic_*.pt``) re-run on a recording's inputs and actions.

- `critic_values`: Q of every executed step and the TD error of the recorded trajectory;
- `critic_summary`: the paper's validation columns (``value_est``, ``TD_error``,
  ``TD_error_abs``) from them;
- `critic_recording`: the recording with the critic's LSTM units in place of the actor's,
  for `decode` and the other unit analyses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import xarray as xr

from navdecode._validation import check_bool
from navdecode.agents.networks import Agent, RecurrentCritic, TwinCritic
from navdecode.recording.rerun import recorded_inputs, with_units
from navdecode.recording.schema import check_recording

__all__ = ["critic_recording", "critic_summary", "critic_values"]

_NEEDS = ["actor_input", "action_lin", "action_ang", "n_steps", "reward"]


def _q_network(critic: object, allow_untrained: bool = False) -> RecurrentCritic:
    """The first Q network of an `Agent`, a `TwinCritic` or a `RecurrentCritic`, refused
    when it was neither trained nor loaded with its actor (`TwinCritic.trained`)."""
    check_bool(allow_untrained, "allow_untrained")
    if isinstance(critic, Agent):
        critic = critic.critic
    if isinstance(critic, TwinCritic):
        critic = critic.q1
    if not isinstance(critic, RecurrentCritic):
        msg = (f"critic must be a navdecode Agent, TwinCritic or RecurrentCritic (e.g. "
               f"load_pretrained(arch, seed, critic=True)), got {type(critic).__name__}")
        raise TypeError(msg)
    if not (allow_untrained or getattr(critic, "trained", False)):
        msg = ("critic was neither trained nor loaded with its actor: its weights are the "
               "fresh initial ones. Load it with load_pretrained(arch, seed, critic=True) or "
               "load_agent of a file that holds the critic (pass allow_untrained=True to "
               "study an untrained critic on purpose)")
        raise ValueError(msg)
    return critic


def _sequences(ds: xr.Dataset, like: torch.nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    """The recording's inputs and executed actions, sequence-first (`recorded_inputs`)."""
    return (recorded_inputs(ds, like),
            recorded_inputs(ds, like, names=("action_lin", "action_ang")))


def critic_values(critic: object, ds: xr.Dataset, gamma: float = 0.97,
                  allow_untrained: bool = False) -> xr.Dataset:
    """Q of every executed step, and the TD error of the recorded trajectory.

    With the critic's first Q network fed the recorded inputs and executed actions (its
    ``Q1(states, actions)``, as the paper's validation does), trial i of ``n_i`` steps:
    ``Q_t = Q1(x_{0..t}, a_{0..t})`` and ``δ_t = r_t + γ (1 - d_t) Q_{t+1} - Q_t`` for
    ``t < n_i``, where ``r_t`` is the trial's reward at its last step when it stopped (0
    otherwise) and ``d_t = 1`` at its last step. A critic that has learned the task
    predicts the discounted reward to come, so its TD errors are near 0.

    Parameters
    ----------
    critic : Agent, TwinCritic or RecurrentCritic
        The critic (of an agent loaded with ``critic=True``).
    ds : xarray.Dataset
        A recording with ``actor_input``, the actions, ``n_steps`` and ``reward``.
    gamma : float, default=0.97
        The discount (`TrainConfig.gamma`, the paper's).

    allow_untrained : bool, default=False
        Study a critic that was neither trained nor loaded with its actor (its fresh
        initial weights, e.g. as a control); without it such a critic is refused
        (`TwinCritic.trained`).

    Returns
    -------
    xarray.Dataset
        ``q_value``, ``td_error`` and ``reward`` (trial, step), NaN after a trial's end;
        ``attrs["gamma"]``.

    Examples
    --------
    >>> from navdecode import fixed_targets, load_pretrained, run_agent
    >>> from navdecode.analysis.critic import critic_values
    >>> agent = load_pretrained("Actor1Critic5", 1, critic=True)
    >>> values = critic_values(agent, run_agent(agent, fixed_targets(10)))
    >>> sorted(values.data_vars)
    ['q_value', 'reward', 'td_error']
    """
    q_net = _q_network(critic, allow_untrained)
    check_recording(ds, _NEEDS, analysis="critic_values")
    if not isinstance(gamma, (int, float)) or not 0.0 <= gamma <= 1.0:
        msg = f"gamma must be a number in [0, 1], got {gamma!r}"
        raise ValueError(msg)
    x, a = _sequences(ds, q_net)
    with torch.no_grad():
        q = q_net(x, a)[..., 0].T.double().cpu().numpy()  # (trial, step)
    n = ds["n_steps"].values.astype(int)
    steps = np.arange(q.shape[1])[None, :]
    inside = steps < n[:, None]
    last = steps == (n - 1)[:, None]
    stopped = ds["stopped"].values.astype(bool) if "stopped" in ds.variables else np.ones(
        len(n), dtype=bool)
    reward = np.where(last & stopped[:, None], ds["reward"].values.astype(float)[:, None], 0.0)
    q_next = np.concatenate([q[:, 1:], np.zeros((len(n), 1))], axis=1)
    td = reward + gamma * np.where(last, 0.0, q_next) - q
    coords = {"trial": ds["trial"].values, "step": ds["step"].values}
    return xr.Dataset({name: (("trial", "step"), np.where(inside, value, np.nan))
                       for name, value in (("q_value", q), ("td_error", td),
                                           ("reward", reward))},
                      coords=coords, attrs={"gamma": float(gamma)})


def critic_summary(values: xr.Dataset) -> pd.Series:
    """The paper's validation columns from `critic_values`: per-trial means, then their mean.

    ``value_est = mean_i mean_t Q_t``, ``TD_error = mean_i mean_t δ_t`` and ``TD_error_abs
    = mean_i mean_t |δ_t|`` over each trial's steps, as the paper's ``validation.py``
    logs them (its figures 3d, S3g, 4h and S6c-d plot ``TD_error_abs``).

    Parameters
    ----------
    values : xarray.Dataset
        `critic_values`.

    Returns
    -------
    pandas.Series
        ``value_est``, ``TD_error``, ``TD_error_abs``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from navdecode.analysis.critic import critic_summary
    >>> values = xr.Dataset({"q_value": (("trial", "step"), [[1.0, 2.0], [3.0, np.nan]]),
    ...                      "td_error": (("trial", "step"), [[-1.0, 1.0], [0.5, np.nan]])})
    >>> critic_summary(values).to_dict()
    {'value_est': 2.25, 'TD_error': 0.25, 'TD_error_abs': 0.75}
    """
    if not isinstance(values, xr.Dataset) or not {"q_value", "td_error"} <= set(values):
        msg = "values must be critic_values(...) (an xarray.Dataset of q_value and td_error)"
        raise TypeError(msg)
    q, td = values["q_value"].values, values["td_error"].values
    return pd.Series({"value_est": float(np.nanmean(np.nanmean(q, axis=1))),
                      "TD_error": float(np.nanmean(np.nanmean(td, axis=1))),
                      "TD_error_abs": float(np.nanmean(np.nanmean(np.abs(td), axis=1)))})


def critic_recording(critic: object, ds: xr.Dataset, allow_untrained: bool = False
                     ) -> xr.Dataset:
    """The recording with ``hidden`` from the critic's first LSTM instead of the actor's.

    The critic's first Q network's LSTM is fed what it sees in training: the recorded
    inputs, and the executed actions when its LSTM takes them (the holistic Critic1;
    the modular Critic5's LSTM sees the inputs only). Its units at each step replace
    ``hidden`` (``cell`` is dropped), so `decode` and the other unit analyses read the
    critic (the paper's figure 3 decodes the critic's units too).

    Parameters
    ----------
    critic : Agent, TwinCritic or RecurrentCritic
        The critic (of an agent loaded with ``critic=True``).
    ds : xarray.Dataset
        A recording with ``actor_input`` and the actions.

    allow_untrained : bool, default=False
        Study a critic that was neither trained nor loaded with its actor (its fresh
        initial weights, e.g. as a control); without it such a critic is refused
        (`TwinCritic.trained`).

    Returns
    -------
    xarray.Dataset
        `ds` with the critic's ``hidden`` (trial, step, unit), ``attrs["units_of"] =
        "critic"``.

    Examples
    --------
    >>> from navdecode import decode, fixed_targets, load_pretrained, run_agent
    >>> from navdecode.analysis.critic import critic_recording
    >>> agent = load_pretrained("Actor1Critic5", 1, critic=True)
    >>> ds = critic_recording(agent, run_agent(agent, fixed_targets(30)))
    >>> ds.sizes["unit"], ds.attrs["units_of"]
    (128, 'critic')
    """
    q_net = _q_network(critic, allow_untrained)
    check_recording(ds, ["actor_input", "action_lin", "action_ang"],
                    analysis="critic_recording")
    x, a = _sequences(ds, q_net)
    with torch.no_grad():
        seq = torch.cat([x, a], dim=-1) if q_net.action_in_rnn else x
        out, _ = q_net.rnn(seq)
    return with_units(ds, out.transpose(0, 1).cpu().numpy(), "critic")
