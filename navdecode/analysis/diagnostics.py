"""Training diagnostics: how saturated the actor's tanh output is, and how pinned its actions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from navdecode._validation import check_positive
from navdecode.agents.networks import Agent, RecurrentActor
from navdecode.recording.rerun import replay_inputs
from navdecode.recording.schema import check_recording

__all__ = ["actor_saturation", "pinned_fraction"]

_COMPONENTS = ("action_lin", "action_ang")
SATURATION_THRESHOLD = 3.0
"""|pre-tanh| above which tanh' < 0.01: the actor's gradient is all but gone."""


PINNED_LEVEL = 0.95
"""|action| at or above which a component counts as pinned at its limit (|z| >= 1.83)."""


def preactivations(actor: RecurrentActor, ds: xr.Dataset) -> np.ndarray:
    """The actor's pre-tanh outputs at every valid recorded step, shape (steps, 2)."""
    z = replay_inputs(actor, ds)["preactivation"]
    return z[ds["valid"].transpose("trial", "step").to_numpy().astype(bool)]


def actor_saturation(actor: RecurrentActor | Agent, ds: xr.Dataset,
                     threshold: float = SATURATION_THRESHOLD) -> pd.DataFrame:
    """How far the actor's outputs sit in the flat tails of its tanh.

    The actor is run again on the recorded inputs (``actor_input``) to get its pre-tanh
    read-out z. Where |z| > `threshold` (3 by default, where tanh' < 0.01) the
    policy gradient reaching the actor is scaled by less than 1/100. A run whose actor
    sits there at nearly every step ("saturated circling": actions pinned at (+-1, +-1),
    the agent circles and never stops) learns very slowly, and can stay there for
    thousands of trials.

    Parameters
    ----------
    actor : RecurrentActor or Agent
        The actor (or an agent holding it) that produced `ds`, or any other actor to
        probe on the same inputs.
    ds : xarray.Dataset
        A recording from `run_agent` (needs ``actor_input`` and ``valid``).
    threshold : float, default=3.0
        |z| above which a component counts as saturated.

    Returns
    -------
    table : pandas.DataFrame
        One row per action component (``action_lin``, ``action_ang``):
        ``saturated_fraction`` (of valid steps) and ``mean_abs_preactivation``.

    Examples
    --------
    >>> from navdecode import actor_saturation, fixed_targets, make_agent, run_agent
    >>> agent = make_agent("modular", seed=0)
    >>> ds = run_agent(agent, fixed_targets(20))
    >>> actor_saturation(agent, ds)["saturated_fraction"].tolist()
    [0.0, 0.0]
    """
    net = actor.actor if isinstance(actor, Agent) else actor
    if not isinstance(net, RecurrentActor):
        msg = f"actor must be a RecurrentActor or an Agent, got {type(actor).__name__}"
        raise TypeError(msg)
    check_recording(ds, ["actor_input"], analysis="actor_saturation")
    threshold = check_positive(threshold, "threshold")
    z = np.abs(preactivations(net, ds))
    return pd.DataFrame({"component": list(_COMPONENTS),
                         "saturated_fraction": (z > threshold).mean(axis=0),
                         "mean_abs_preactivation": z.mean(axis=0)})


def pinned_fraction(ds: xr.Dataset, level: float = PINNED_LEVEL) -> float:
    """Fraction of recorded steps at which both action components sit at their limits.

    ``pinned = mean over valid steps of [|action_lin| >= level and |action_ang| >= level]``

    A behavioural measure, read from the recorded actions alone: an agent that drives in
    circles without stopping (full speed and full turn, the "saturated circling" state)
    is pinned at nearly every step; a healthy agent turns hard only briefly. Unlike
    `actor_saturation` it does not depend on where the pre-tanh output sits, so it stays
    meaningful under `TrainConfig.saturation_penalty`, which keeps |z| at or below 3
    (|action| up to 0.995) by construction.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with ``action_lin``, ``action_ang`` and ``valid``.
    level : float, default=0.95
        |action| at or above which a component counts as pinned, in (0, 1].

    Returns
    -------
    fraction : float
        In [0, 1]; NaN if no step is valid.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, pinned_fraction, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(20))
    >>> pinned_fraction(ds)
    0.0
    """
    check_recording(ds, list(_COMPONENTS), analysis="pinned_fraction")
    level = check_positive(level, "level")
    if level > 1:
        msg = f"level must be in (0, 1] (an |action| level), got {level}"
        raise ValueError(msg)
    valid = ds["valid"].to_numpy()
    if not valid.any():
        return float("nan")
    both = np.ones_like(valid)
    for name in _COMPONENTS:
        both &= np.abs(np.nan_to_num(ds[name].to_numpy())) >= level
    return float(both[valid].mean())
