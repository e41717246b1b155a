"""Re-run a network on the inputs a recording holds: the one place that feeds them back.

The untrained-network control, the saturation diagnostics and the training's validation
all ask what a (possibly different) network does on the exact inputs that an agent saw;
they call `replay_inputs` instead of each unpacking ``actor_input`` themselves.
`mlp_units` reads the actor's MLP layers on them, and `with_units` puts any such units in
a recording's place of ``hidden``, so the unit analyses read them.
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from navdecode._validation import check_instance
from navdecode.recording.adapters import split_state
from navdecode.recording.schema import check_recording

__all__ = ["mlp_units", "recorded_inputs", "replay_inputs", "with_units"]


def replay_inputs(actor: torch.nn.Module, ds: xr.Dataset, *, states: bool = False,
                  actions: bool = True) -> dict[str, np.ndarray]:
    """Feed a recording's ``actor_input`` to `actor`, every trial from a zero state.

    Invalid (padded) steps are fed zeros; they come after a trial's last valid step, so
    they change nothing at a valid step.

    Parameters
    ----------
    actor : torch.nn.Module
        Called as ``actor(x, state) -> (action, state)`` on ``x`` of shape (T, B, inputs)
        (navdecode's `RecurrentActor`, or any module with that call).
    ds : xarray.Dataset
        A recording with ``actor_input`` (trial, step, input) and ``valid``.
    states : bool, default=False
        Also return the recurrent state after every step (``hidden`` and, for an LSTM,
        ``cell``, layers side by side). This steps through time one step at a time (all
        trials at once); without it the sequence runs in one call.
    actions : bool, default=True
        Also return ``action`` and ``preactivation``. False (with `states`) computes the
        recurrent states alone: a navdecode `RecurrentActor` then steps only its LSTM.

    Returns
    -------
    out : dict of str to numpy.ndarray
        ``action`` (trial, step, n_actions); ``preactivation`` (the same shape) when the
        actor has a ``preactivation`` method (the read-out before its tanh);
        ``hidden`` and ``cell`` (trial, step, units) when `states`; the action and
        read-out only when `actions`. States alone of a `RecurrentActor` are NaN after a
        trial's last valid step (the trial is not stepped there); other values at invalid
        steps are whatever the network computed there; mask them with ``ds["valid"]``.

    Raises
    ------
    TypeError
        If `actor` is not a torch module.
    ValueError
        If `ds` lacks ``actor_input`` or ``valid``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.recording.rerun import replay_inputs
    >>> agent = make_agent("modular", seed=0)
    >>> ds = run_agent(agent, fixed_targets(3))
    >>> out = replay_inputs(agent.actor, ds)
    >>> bool(abs(out["action"][:, :, 0] - ds["action_lin"].values)[ds["valid"].values].max()
    ...      < 1e-5)
    True
    """
    check_instance(actor, "actor", torch.nn.Module, "a torch.nn.Module")
    check_recording(ds, ["actor_input"], analysis="replay_inputs")
    if not (states or actions):
        msg = "replay_inputs computes nothing with states=False and actions=False"
        raise ValueError(msg)
    x = recorded_inputs(ds, actor)
    was_training = actor.training
    actor.eval()
    out: dict[str, np.ndarray] = {}
    try:
        with torch.inference_mode():
            if states:
                valid = ds["valid"].values.astype(bool)
                lengths = np.where(valid.any(axis=1), valid.shape[1] - np.argmax(
                    valid[:, ::-1], axis=1), 0)  # one past each trial's last valid step
                out |= _stepped_states(actor, x, actions, lengths)
            elif actions:
                action, _ = actor(x)
                out["action"] = action.cpu().numpy().transpose(1, 0, 2)
            if actions and callable(getattr(actor, "preactivation", None)):
                z, _ = actor.preactivation(x)
                out["preactivation"] = z.cpu().numpy().transpose(1, 0, 2)
    finally:
        actor.train(was_training)
    return out


def _stepped_states(actor: torch.nn.Module, x: torch.Tensor, actions: bool,
                    n_steps: np.ndarray) -> dict[str, np.ndarray]:
    """The recurrent state after every step (and the actions), stepping through time; a
    `RecurrentActor` whose actions are not asked for steps its LSTM alone, on the trials
    still running at each step (NaN after a trial's last step)."""
    from navdecode.agents.networks import RecurrentActor

    if type(actor) is RecurrentActor and not actions:
        return _lstm_states(actor.rnn, x, n_steps)
    kept, hidden, cell, state = [], [], [], None
    for t in range(x.shape[0]):
        action, state = actor(x[t][None], state)
        h, c = split_state(state)
        if actions:
            kept.append(action[0].cpu().numpy())
        hidden.append(h)
        if c is not None:
            cell.append(c)
    out = {"hidden": np.stack(hidden, axis=1)}
    if cell:
        out["cell"] = np.stack(cell, axis=1)
    if actions:
        out["action"] = np.stack(kept, axis=1)
    return out


def _lstm_states(lstm: torch.nn.LSTM, x: torch.Tensor, n_steps: np.ndarray
                 ) -> dict[str, np.ndarray]:
    """(h, c) of `lstm` after each step, layers side by side, trials ordered longest
    first so that the trials still running at step t are a prefix of the batch."""
    order = np.argsort(-n_steps, kind="stable")
    x = x[:, torch.as_tensor(order, device=x.device)]
    n_trials, width = x.shape[1], lstm.num_layers * lstm.hidden_size
    out = {name: np.full((n_trials, x.shape[0], width), np.nan, dtype=np.float32)
           for name in ("hidden", "cell")}
    shape = (lstm.num_layers, n_trials, lstm.hidden_size)
    h = torch.zeros(shape, dtype=x.dtype, device=x.device)
    c = torch.zeros_like(h)
    running = n_steps[order]
    for t in range(int(running.max(initial=0))):
        k = int(np.searchsorted(-running, -t, side="left"))  # trials with n_steps > t
        _, (h_k, c_k) = lstm(x[t : t + 1, :k], (h[:, :k], c[:, :k]))
        h[:, :k], c[:, :k] = h_k, c_k
        for name, value in (("hidden", h_k), ("cell", c_k)):
            out[name][order[:k], t] = value.permute(1, 0, 2).reshape(k, width).float().cpu(
                ).numpy()
    return out


def recorded_inputs(ds: xr.Dataset, like: torch.nn.Module,
                    names: tuple[str, ...] = ("actor_input",)) -> torch.Tensor:
    """A recording's per-step inputs as a sequence-first tensor (step, trial, features)
    in `like`'s dtype and device, zeros after each trial's end (which come after its last
    valid step, so they change nothing there): ``actor_input``, and any (trial, step)
    variables in `names` after it as one column each (e.g. the actions, for a critic)."""
    param = next(like.parameters(), None)
    dtype = param.dtype if param is not None else torch.float32
    device = param.device if param is not None else torch.device("cpu")
    parts = [ds[n].transpose("step", "trial", "input").to_numpy() if n == "actor_input"
             else ds[n].transpose("step", "trial").to_numpy()[..., None] for n in names]
    x = np.nan_to_num(np.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0])
    return torch.as_tensor(x, dtype=dtype, device=device)


def with_units(ds: xr.Dataset, hidden: np.ndarray, units_of: str) -> xr.Dataset:
    """A copy of `ds` whose ``hidden`` is `hidden` (``cell`` dropped), NaN where a step is
    not valid, its ``unit`` dim the new width and ``attrs["units_of"] = units_of``.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording.
    hidden : array-like of shape (n_trials, n_steps, n_units)
        The units to analyse in place of the recurrent state.
    units_of : str
        What they are (e.g. ``"critic"``), kept in the attributes.

    Returns
    -------
    xarray.Dataset

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.recording.rerun import with_units
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(2))
    >>> with_units(ds, np.zeros((2, 35, 3)), "three zeros").sizes["unit"]
    3
    """
    check_recording(ds)
    hidden = np.array(hidden, dtype=np.float32)
    shape = (ds.sizes["trial"], ds.sizes["step"])
    if hidden.ndim != 3 or hidden.shape[:2] != shape:
        msg = f"hidden must have shape {shape} + (n_units,), got {hidden.shape}"
        raise ValueError(msg)
    hidden[~ds["valid"].values.astype(bool)] = np.nan
    out = ds.drop_vars([v for v in ("hidden", "cell") if v in ds.variables])
    if "unit" in out.dims:
        out = out.drop_dims("unit")
    attrs = dict(ds["hidden"].attrs) if "hidden" in ds.variables else {"units": "1"}
    out["hidden"] = (("trial", "step", "unit"), hidden, attrs)
    out = out.assign_coords(unit=np.arange(hidden.shape[2]))
    out.attrs = {**ds.attrs, "units_of": str(units_of)}
    return out


def mlp_units(actor: torch.nn.Module, ds: xr.Dataset, layer: int = 1) -> np.ndarray:
    """The units of a navdecode actor's MLP layer `layer`, after its ReLU, on `ds`'s inputs.

    ``u_1 = relu(W_1 h_t + b_1)``, ``u_k = relu(W_k u_{k-1} + b_k)`` with ``h_t`` the
    actor's LSTM output on the recorded ``actor_input`` (the paper decodes these layers
    too, its figures 1l and S1f). Only actors with an MLP have them: the modular actor
    (Actor3: 300 and 300 units), not the holistic one (a linear read-out).

    Parameters
    ----------
    actor : RecurrentActor
        The actor (``agent.actor``).
    ds : xarray.Dataset
        A recording with ``actor_input``.
    layer : int, default=1
        Which hidden layer of the MLP, from 1.

    Returns
    -------
    numpy.ndarray of shape (n_trials, n_steps, n_units)
        float32; values at invalid steps are what the network computed there.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.recording.rerun import mlp_units
    >>> agent = make_agent("modular", seed=0)
    >>> mlp_units(agent.actor, run_agent(agent, fixed_targets(3)), layer=2).shape
    (3, 35, 300)
    """
    from navdecode.agents.networks import RecurrentActor

    check_instance(actor, "actor", RecurrentActor, "a navdecode RecurrentActor (agent.actor)")
    hidden_layers = len(actor.linears()) - 1
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= hidden_layers:
        what = (f"has {hidden_layers} MLP layers (1..{hidden_layers})" if hidden_layers
                else "has no MLP layer (its LSTM feeds a linear read-out)")
        msg = f"layer must be an MLP layer of the actor, which {what}; got {layer!r}"
        raise ValueError(msg)
    check_recording(ds, ["actor_input"], analysis="mlp_units")
    x = recorded_inputs(ds, actor)
    with torch.inference_mode():
        units, _ = actor.rnn(x)
        for linear in actor.linears()[:layer]:
            units = torch.relu(linear(units))
    return units.transpose(0, 1).cpu().numpy().astype(np.float32)
