"""Fixed and slow points of a recurrent network's update, with their stability.

A recurrent module updates its state ``s`` under an input ``x`` as ``s' = F(s, x)``; for an
LSTM ``s = (h, c)``. With the input held, a fixed point is an ``s*`` with ``F(s*) = s*``
and a slow point one where the speed ``q(s) = ||F(s) - s||^2 / 2`` is small but not zero
(Sussillo & Barak 2013; Golub & Sussillo's FixedPointFinder). `fixed_points` minimises
``q`` from many starting states (by default states the agent visited), merges the
minima that coincide and linearises the map there: the eigenvalues of the Jacobian
``dF/ds`` say whether the point attracts (all ``|lambda| < 1``, a discrete-time map) or
repels along some directions (a saddle when others attract). Each minimum is polished
by Newton's method on ``F(s) - s``, step by step while it lowers the speed, and the
minima merged once more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import xarray as xr
from scipy.special import expit

from navdecode._validation import check_instance, check_int, check_seed

__all__ = ["fixed_points", "lstm_update"]

Update = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class _LSTMUpdate:
    """A one-layer LSTM's update on flat states ``[h, c]``, with its Jacobian in closed form.

    With gates ``z = W_ih x + b_ih + W_hh h + b_hh`` split as ``(i, f, g, o)`` (sigmoid,
    sigmoid, tanh, sigmoid), ``c' = f c + i g`` and ``h' = o tanh(c')``:
    ``dc'/dh = diag(c f(1-f)) W_hf + diag(g i(1-i)) W_hi + diag(i (1-g^2)) W_hg``,
    ``dc'/dc = diag(f)``, ``dh'/dh = diag(tanh(c') o(1-o)) W_ho + diag(o (1-tanh^2 c'))
    dc'/dh`` and ``dh'/dc = diag(o (1-tanh^2 c') f)``.
    """

    def __init__(self, lstm: torch.nn.LSTM) -> None:
        self.lstm, self.size = lstm, lstm.hidden_size

    def __call__(self, s: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        size = self.size
        h, c = s[:, :size].contiguous(), s[:, size:].contiguous()
        _, (h1, c1) = self.lstm(x[None], (h[None], c[None]))
        return torch.cat([h1[0], c1[0]], dim=1)

    def jacobian(self, state: np.ndarray, x: np.ndarray) -> np.ndarray:
        """``dF/ds`` at one state (2H,) under one input (k,), float64."""
        lstm, size = self.lstm, self.size
        w_ih = lstm.weight_ih_l0.detach().double().numpy()
        w_hh = lstm.weight_hh_l0.detach().double().numpy()
        bias = sum(b.detach().double().numpy() for name, b in lstm.named_parameters()
                   if name.startswith("bias_"))
        h, c = state[:size], state[size:]
        z = w_ih @ x + w_hh @ h + bias
        i, f, g, o = (expit(z[:size]), expit(z[size:2 * size]), np.tanh(z[2 * size:3 * size]),
                      expit(z[3 * size:]))
        w_i, w_f, w_g, w_o = (w_hh[k * size:(k + 1) * size] for k in range(4))
        c1 = f * c + i * g
        t = np.tanh(c1)
        dc_dh = ((c * f * (1 - f))[:, None] * w_f + (g * i * (1 - i))[:, None] * w_i
                 + (i * (1 - g ** 2))[:, None] * w_g)
        dh_dh = (t * o * (1 - o))[:, None] * w_o + (o * (1 - t ** 2))[:, None] * dc_dh
        return np.block([[dh_dh, np.diag(o * (1 - t ** 2) * f)], [dc_dh, np.diag(f)]])


def lstm_update(lstm: torch.nn.LSTM) -> tuple[Update, int]:
    """The update of a one-layer `nn.LSTM` on flat states ``s = [h, c]``, and its size.

    Returns ``(update, 2 * hidden_size)`` with ``update(s, x)`` mapping states (B, 2H) and
    inputs (B, input_size) to the next states (B, 2H). The update also has
    ``update.jacobian(state, x)``, ``dF/ds`` in closed form (`fixed_points` uses it in place
    of autograd's, which costs a backward pass per state dimension).
    """
    check_instance(lstm, "lstm", torch.nn.LSTM, "a torch.nn.LSTM")
    if lstm.num_layers != 1 or lstm.bidirectional or lstm.batch_first or lstm.proj_size:
        msg = (f"lstm must be a one-layer, one-direction, sequence-first nn.LSTM without "
               f"projections, got num_layers={lstm.num_layers}, "
               f"bidirectional={lstm.bidirectional}, batch_first={lstm.batch_first}, "
               f"proj_size={lstm.proj_size}")
        raise ValueError(msg)
    return _LSTMUpdate(lstm), 2 * lstm.hidden_size


def fixed_points(update: Update | torch.nn.Module, inputs: np.ndarray, starts: np.ndarray,
                 *, n_iter: int = 2000, lr: float = 0.01, speed_tol: float = 1e-6,
                 merge_tol: float = 1e-3, seed: int | None = 0) -> xr.Dataset:
    """Fixed and slow points of ``s' = update(s, x)`` with each input held, and stability.

    For every input ``x`` in `inputs`, ``q(s) = ||update(s, x) - s||^2 / 2`` is minimised
    with Adam from every state in `starts`; minima within `merge_tol` (Euclidean, relative
    to the starts' spread) of one another are one point, kept at its slowest member. At
    each point the Jacobian ``J = d update / d s`` is formed; the point is ``stable`` when
    every eigenvalue has ``|lambda| < 1``; ``n_unstable`` counts those with
    ``|lambda| > 1``. A point with ``speed <= speed_tol`` is ``fixed``, else slow.

    Parameters
    ----------
    update : callable or torch.nn.LSTM
        ``update(s, x) -> s'`` on float tensors (B, d) and (B, k), differentiable; or a
        one-layer `nn.LSTM` (e.g. ``agent.actor.rnn``), whose state is ``[h, c]``
        (`lstm_update`).
    inputs : array-like of shape (n_inputs, k) or (k,)
        The inputs to hold, e.g. an agent's input with the target shown and no motion.
    starts : array-like of shape (n_starts, d)
        Starting states, e.g. states from a recording (``[hidden, cell]`` of some steps).
    n_iter : int, default=2000
        Adam steps.
    lr : float, default=0.01
        Adam's first learning rate, decayed geometrically to a tenth of it.
    speed_tol : float, default=1e-6
        Largest speed of a fixed point (float32 networks evaluate ``q`` no better than
        about 1e-10 for a few hundred state dimensions).
    merge_tol : float, default=1e-3
        Minima closer than this times the starts' standard deviation are one point.
    seed : int or None, default=0
        Seed of the jitter added to the starts (a start exactly at a fixed point of a
        symmetric map would otherwise never move off it).

    Returns
    -------
    points : xarray.Dataset
        Dims ``point`` and ``component`` (and ``eigen``): ``state`` (point, component),
        ``speed``,
        ``input_index`` (which row of `inputs`), ``fixed``, ``stable``, ``n_unstable``,
        ``max_abs_eigenvalue`` per point, and ``eigenvalue_real`` / ``eigenvalue_imag``
        (point, eigen), largest magnitude first.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from navdecode.analysis.dynamics import fixed_points
    >>> a = torch.tensor([[0.5, 0.0], [0.0, 0.8]])
    >>> points = fixed_points(lambda s, x: s @ a.T + x, np.array([1.0, 0.4]),
    ...                       np.random.default_rng(0).normal(size=(8, 2)))
    >>> np.round(points["state"].values[0], 4).tolist(), bool(points["stable"][0])
    ([2.0, 2.0], True)
    """
    if isinstance(update, torch.nn.LSTM):
        update, _ = lstm_update(update)
    if not callable(update):
        msg = f"update must be a callable or an nn.LSTM, got {type(update).__name__}"
        raise TypeError(msg)
    inputs = np.atleast_2d(np.asarray(inputs, dtype=float))
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    if inputs.ndim != 2 or starts.ndim != 2 or not (
            np.isfinite(inputs).all() and np.isfinite(starts).all()):
        msg = (f"inputs and starts must be finite 2-d arrays (rows of inputs / states), got "
               f"shapes {inputs.shape} and {starts.shape}")
        raise ValueError(msg)
    check_int(n_iter, "n_iter", minimum=1)
    check_seed(seed)
    for value, name in ((lr, "lr"), (speed_tol, "speed_tol"), (merge_tol, "merge_tol")):
        if not (isinstance(value, (int, float)) and value > 0):
            msg = f"{name} must be a number > 0, got {value!r}"
            raise ValueError(msg)
    scale = float(starts.std()) or 1.0
    rng = np.random.default_rng(seed)
    found = []
    for k, x in enumerate(inputs):  # a loop over held inputs; the starts run as one batch
        s = torch.tensor(starts + 1e-3 * scale * rng.standard_normal(starts.shape),
                         dtype=torch.float32, requires_grad=True)
        held = torch.tensor(np.broadcast_to(x, (len(starts), x.size)), dtype=torch.float32)
        opt = torch.optim.Adam([s], lr=lr)
        decay = torch.optim.lr_scheduler.ExponentialLR(opt, 0.1 ** (1 / n_iter))
        for _ in range(n_iter):
            opt.zero_grad()
            speed = 0.5 * ((update(s, held) - s) ** 2).sum(dim=1)
            speed.sum().backward()
            opt.step()
            decay.step()
        with torch.no_grad():
            speed = 0.5 * ((update(s, held) - s) ** 2).sum(dim=1)
        found += _merged(s.detach().numpy().astype(float), speed.numpy().astype(float), k,
                         merge_tol * scale)
    return _with_stability(update, inputs, found, speed_tol, merge_tol * scale)


def _distinct(states: np.ndarray, speeds: np.ndarray, tol: float) -> list[int]:
    """Positions of the distinct minima, slowest first: each within `tol` of a kept one
    is dropped."""
    kept: list[int] = []
    for i in np.argsort(speeds):
        if all(np.linalg.norm(states[i] - states[j]) > tol for j in kept):
            kept.append(int(i))
    return kept


def _merged(states: np.ndarray, speeds: np.ndarray, index: int,
            tol: float) -> list[tuple[int, np.ndarray, float]]:
    """The distinct minima of one input, slowest first, as (input index, state, speed)."""
    return [(index, states[i], float(speeds[i])) for i in _distinct(states, speeds, tol)]


def _linearised(update: Update, state: np.ndarray,
                x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """``dF/ds`` at `state` and the residual ``F(s) - s`` there (float64)."""
    s = torch.tensor(state, dtype=torch.float32)
    if isinstance(update, _LSTMUpdate):
        with torch.no_grad():
            residual = update(s[None], x)[0] - s
        return (update.jacobian(state, x[0].double().numpy()),
                residual.numpy().astype(float))
    jac = torch.autograd.functional.jacobian(lambda v: update(v[None], x)[0], s,
                                             vectorize=True)
    with torch.no_grad():
        residual = update(s[None], x)[0] - s
    return jac.numpy().astype(float), residual.numpy().astype(float)


def _newton(update: Update, state: np.ndarray, x: torch.Tensor,
            steps: int = 5) -> tuple[np.ndarray, float, np.ndarray]:
    """Newton's steps ``s <- s - (J - I)^-1 (F(s) - s)`` from a minimum of the speed, each
    kept only if it lowers the speed (a slow point, which is no zero of F(s) - s, stays);
    returns the state, its speed and its Jacobian."""
    jac, residual = _linearised(update, state, x)
    speed = 0.5 * float(residual @ residual)
    for _ in range(steps):
        try:
            trial = state - np.linalg.solve(jac - np.eye(len(state)), residual)
        except np.linalg.LinAlgError:
            break
        trial_jac, trial_residual = _linearised(update, trial, x)
        trial_speed = 0.5 * float(trial_residual @ trial_residual)
        if not trial_speed < speed:
            break
        state, jac, residual, speed = trial, trial_jac, trial_residual, trial_speed
    return state, speed, jac


def _with_stability(update: Update, inputs: np.ndarray,
                    found: list[tuple[int, np.ndarray, float]], speed_tol: float,
                    tol: float) -> xr.Dataset:
    polished = [(k, *_newton(update, state, torch.tensor(inputs[k][None],
                                                         dtype=torch.float32)))
                for k, state, _ in found]
    kept = []  # minima that Newton's steps brought together are one point
    for k in sorted({p[0] for p in polished}):
        mine = [p for p in polished if p[0] == k]
        kept += [mine[i] for i in _distinct(np.array([p[1] for p in mine]),
                                            np.array([p[2] for p in mine]), tol)]
    found = [(k, state, speed) for k, state, speed, _ in kept]
    eigen = []
    for *_, jac in kept:
        values = np.linalg.eigvals(jac)
        eigen.append(values[np.argsort(-np.abs(values))])
    magnitude = np.array([np.abs(v).max() for v in eigen]) if eigen else np.zeros(0)
    speed = np.array([f[2] for f in found])
    return xr.Dataset(
        {"state": (("point", "component"), np.array([f[1] for f in found]).reshape(
            len(found), -1)),
         "speed": ("point", speed, {"long_name": "||F(s) - s||^2 / 2"}),
         "input_index": ("point", np.array([f[0] for f in found], dtype=np.int64)),
         "fixed": ("point", speed <= speed_tol),
         "stable": ("point", magnitude < 1),
         "n_unstable": ("point", np.array([int((np.abs(v) > 1).sum()) for v in eigen],
                                          dtype=np.int64)),
         "max_abs_eigenvalue": ("point", magnitude),
         "eigenvalue_real": (("point", "eigen"), np.array([v.real for v in eigen]).reshape(
             len(found), -1)),
         "eigenvalue_imag": (("point", "eigen"), np.array([v.imag for v in eigen]).reshape(
             len(found), -1))},
        attrs={"speed_tol": speed_tol})
