"""Dynamical similarity analysis (DSA): how alike two networks' dynamics are, not their states.

CKA and Procrustes compare the states two networks visit on the same samples. DSA
(Ostrow, Eisen, Kozachkov & Fiete 2023; the ``dsa-metric`` package, extra ``dsa``)
compares how the states *move*. Each recording's units ``x_t`` are delay-embedded,
``z_t = [x_t, x_{t-1}, ..., x_{t-d+1}]`` (``d = n_delays``), projected on the embedding's top
``r = rank`` principal components, and a linear operator ``A`` (r x r) is fitted to the
one-step map ``v_{t+1} ~ A v_t`` by least squares (dsa-metric's Hankel DMD). Two networks
are then compared by their operators up to a change of basis:

- ``score="wasserstein"`` (dsa-metric's default): the optimal-transport cost between the
  two operators' eigenvalues as points of the complex plane, each with mass ``1 / r``,
  ``W = min_P sum_ij P_ij |lambda_i - mu_j|^2`` over transport plans ``P`` with those
  marginals. Eigenvalues do not change under any invertible change of basis, so two
  networks that are linear transforms of one another are at 0.
- ``score="angular"``: ``min_C arccos(<A, C B C'>_F / (||A||_F ||B||_F))`` over orthogonal
  ``C``, found by dsa-metric's gradient-based optimiser (slower: seconds a pair).

Trials: the delay embedding is formed within each trial's valid steps, never across a
trial boundary or into the padding after a trial ends (dsa-metric's DMD takes the trials
as a list of arrays of different lengths); a trial with fewer than ``n_delays + 1`` valid
steps gives no one-step pair and is left out (``ValueError`` when none is left, or when
the embedded samples are fewer than the embedding's width, units x ``n_delays``). The
distance does not pair samples, so two recordings need not hold the same trials; the
report compares recordings of the same targets anyway.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from navdecode._validation import check_choice, check_int, require
from navdecode.analysis.units import Units

__all__ = ["N_DELAYS", "RANK", "dmd_operator", "dsa_distance", "dsa_matrix", "dsa_score"]

SCORES = ("wasserstein", "angular")
N_DELAYS = 5
"""Default steps of the delay embedding."""
RANK = 20
"""Default rank of the fitted operator."""


def _dmd(units: Units, n_delays: int, rank: int) -> np.ndarray:
    """The operator of one recording's units (`Units`), float64."""
    require("DSA", "dsa", "dynamical similarity analysis")
    import torch
    from DSA.dmd import DMD

    check_int(n_delays, "n_delays", minimum=1)
    check_int(rank, "rank", minimum=1)
    x = units.load()
    trials = [torch.tensor(x[k][units.valid[k]], dtype=torch.float64)
              for k in range(len(x)) if units.valid[k].sum() > n_delays]
    if not trials:
        msg = (f"{units.name} has no trial with more than n_delays={n_delays} valid steps; "
               "lower n_delays")
        raise ValueError(msg)
    if not all(bool(torch.isfinite(t).all()) for t in trials):
        msg = f"{units.name}'s units must be finite on its valid steps"
        raise ValueError(msg)
    width = trials[0].shape[1] * n_delays
    rows = sum(len(t) - n_delays + 1 for t in trials)
    if rows < width:
        msg = (f"{units.name} has {rows} delay-embedded samples, fewer than the embedding's "
               f"width (units x n_delays = {width}): the operator is not determined; record "
               "more trials or lower n_delays")
        raise ValueError(msg)
    if rank > width:
        msg = (f"rank must be at most the delay embedding's width (units x n_delays = "
               f"{width}), got rank={rank}")
        raise ValueError(msg)
    # one trial is a 2-d array to dsa-metric; two or more are its list of trials
    dmd = DMD(trials if len(trials) > 1 else trials[0], n_delays=n_delays, rank=rank,
              device="cpu", send_to_cpu=True)
    dmd.fit()
    return dmd.A_v.detach().cpu().numpy().astype(float)


def dmd_operator(ds: xr.Dataset, features: str = "hidden", n_delays: int = N_DELAYS,
                 rank: int = RANK) -> np.ndarray:
    """The linear operator ``A`` of a recording's delay-embedded units: ``v_{t+1} ~ A v_t``.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with `features` (trial, step, unit) and ``valid``.
    features : str, default="hidden"
    n_delays : int, default=5
        Steps in the delay embedding (``d``; 1 fits the units themselves).
    rank : int, default=20
        Principal components of the embedding kept (``r``; at most units x `n_delays`).

    Returns
    -------
    operator : numpy.ndarray of shape (rank, rank)

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.dynamical_similarity import dmd_operator
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(20))
    >>> dmd_operator(ds, n_delays=2, rank=10).shape
    (10, 10)
    """
    return _dmd(Units.of(ds, features, "ds"), n_delays, rank)


def dsa_score(a: np.ndarray, b: np.ndarray, score: str = "wasserstein") -> float:
    """The DSA distance of two fitted operators (`dmd_operator`): see the module's formulas.

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode.analysis.dynamical_similarity import dsa_score
    >>> round(dsa_score(np.diag([0.9, 0.5]), np.diag([0.8, 0.5])), 6)  # (0.1^2 + 0) / 2
    0.005
    """
    check_choice(score, "score", SCORES)
    for value, name in ((a, "a"), (b, "b")):
        if not (isinstance(value, np.ndarray) and value.ndim == 2
                and value.shape[0] == value.shape[1] and np.isfinite(value).all()):
            msg = f"{name} must be a finite square numpy array (an operator), got {value!r:.60}"
            raise ValueError(msg)
    require("DSA", "dsa", "dynamical similarity analysis")
    import torch
    from DSA.simdist import SimilarityTransformDist

    if score == "wasserstein":
        # the operators' eigenvalues, as dsa-metric's Wasserstein score takes them
        a, b = np.linalg.eigvals(a).astype(complex), np.linalg.eigvals(b).astype(complex)
    elif a.shape != b.shape:
        msg = f"the angular score needs operators of one size, got {a.shape} and {b.shape}"
        raise ValueError(msg)
    if score == "angular":  # its optimiser works in float32
        a, b = a.astype(np.float32), b.astype(np.float32)
    distance = SimilarityTransformDist(score_method=score, device="cpu")
    with torch.random.fork_rng():  # its optimiser's random start, without touching ours
        torch.manual_seed(0)
        return float(distance.fit_score(torch.tensor(a), torch.tensor(b)))


def dsa_distance(ds_a: xr.Dataset, ds_b: xr.Dataset, features: str = "hidden",
                 n_delays: int = N_DELAYS, rank: int = RANK,
                 score: str = "wasserstein") -> float:
    """DSA distance between two recordings' dynamics (0: the same up to a change of basis).

    Parameters
    ----------
    ds_a, ds_b : xarray.Dataset
        Recordings with `features` (trial, step, unit) and ``valid``.
    features : str, default="hidden"
    n_delays, rank : int
        The operators' delay embedding and rank (`dmd_operator`).
    score : {"wasserstein", "angular"}, default="wasserstein"

    Returns
    -------
    distance : float

    Examples
    --------
    >>> from navdecode import dsa_distance, fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(20))
    >>> round(dsa_distance(ds, ds, n_delays=2), 6)
    0.0
    """
    check_choice(score, "score", SCORES)
    return dsa_score(_dmd(Units.of(ds_a, features, "ds_a"), n_delays, rank),
                     _dmd(Units.of(ds_b, features, "ds_b"), n_delays, rank), score)


def operators(units: list[Units], n_delays: int = N_DELAYS, rank: int = RANK
              ) -> list[np.ndarray]:
    """Each recording's operator (`similarity_matrix`'s ``metric="dsa"``: each fitted once)."""
    return [_dmd(u, n_delays, rank) for u in units]


def dsa_matrix(fitted: list[np.ndarray], score: str = "wasserstein") -> np.ndarray:
    """`dsa_score` of every pair of fitted operators, each pair once: symmetric, 0 on the
    diagonal."""
    values = np.zeros((len(fitted), len(fitted)))
    for i in range(len(fitted)):
        for j in range(i + 1, len(fitted)):
            values[i, j] = values[j, i] = dsa_score(fitted[i], fitted[j], score)
    return values
