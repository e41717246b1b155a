"""Re-run a network on the inputs a recording holds: the one place that feeds them back.

The untrained-network control, the saturation diagnostics and the training's validation
all ask what a (possibly different) network does on the exact inputs that an agent saw;
they call `replay_inputs` instead of each unpacking ``actor_input`` themselves.
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from navdecode._validation import check_instance
from navdecode.recording.adapters import split_state
from navdecode.recording.schema import check_recording

__all__ = ["replay_inputs"]


def replay_inputs(actor: torch.nn.Module, ds: xr.Dataset, *, states: bool = False
                  ) -> dict[str, np.ndarray]:
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

    Returns
    -------
    out : dict of str to numpy.ndarray
        ``action`` (trial, step, n_actions); ``preactivation`` (the same shape) when the
        actor has a ``preactivation`` method (the read-out before its tanh);
        ``hidden`` and ``cell`` (trial, step, units) when `states`. Values at invalid
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
    param = next(actor.parameters(), None)
    dtype = param.dtype if param is not None else torch.float32
    device = param.device if param is not None else torch.device("cpu")
    inputs = np.nan_to_num(ds["actor_input"].transpose("step", "trial", "input").to_numpy())
    x = torch.as_tensor(inputs, dtype=dtype, device=device)
    was_training = actor.training
    actor.eval()
    out: dict[str, np.ndarray] = {}
    try:
        with torch.inference_mode():
            if states:
                actions, hidden, cell, state = [], [], [], None
                for t in range(x.shape[0]):
                    action, state = actor(x[t][None], state)
                    h, c = split_state(state)
                    actions.append(action[0].cpu().numpy())
                    hidden.append(h)
                    if c is not None:
                        cell.append(c)
                out["action"] = np.stack(actions, axis=1)
                out["hidden"] = np.stack(hidden, axis=1)
                if cell:
                    out["cell"] = np.stack(cell, axis=1)
            else:
                action, _ = actor(x)
                out["action"] = action.cpu().numpy().transpose(1, 0, 2)
            if callable(getattr(actor, "preactivation", None)):
                z, _ = actor.preactivation(x)
                out["preactivation"] = z.cpu().numpy().transpose(1, 0, 2)
    finally:
        actor.train(was_training)
    return out
