"""The report's dynamics section: each network's fixed points, and DSA across networks.

Per network, at the first condition (`network_dynamics`, in the report's per-network
work): the fixed and slow points of the actor's LSTM with its input held at zero (no
observation, no motion, no action: the agent at rest once the target has vanished),
searched from `N_STARTS` of the states it visited; and its DSA operator (the hidden
units' delay-embedded linear dynamics). Across networks (`dynamics_tables`): the DSA
distance matrix and the label-permutation test of within- vs between-architecture pair
values (for DSA and, when it ran, CKA); `navdecode.report.tables` compares the
fixed-point metrics across labels with `compare`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["DYNAMICS", "N_ITER", "N_STARTS", "dynamics_tables", "network_dynamics",
           "similarity_tests"]

N_STARTS = 32
"""Visited states the fixed-point search starts from (evenly spaced over valid steps)."""
N_ITER = 2000
"""Adam steps of the fixed-point search (then Newton's polishing)."""
DYNAMICS = {
    "slowest_speed": "slowest point's speed q",
    "slowest_max_abs_eigenvalue": "slowest point's largest eigenvalue modulus",
    "stable_fraction": "fraction of points that are stable",
    "n_points": "distinct points",
}


def _fixed(agent: object, ds: xr.Dataset, key: dict, skip: Callable[[str, str], None]
           ) -> tuple[dict | None, tuple | None]:
    import torch

    from navdecode.analysis.dynamics import fixed_points

    rnn = getattr(getattr(agent, "actor", None), "rnn", None)
    if agent is None:
        skip("fixed points", "needs agents to run (not recordings)")
        return None, None
    if not (isinstance(rnn, torch.nn.LSTM) and rnn.num_layers == 1 and not rnn.proj_size):
        skip("fixed points", "needs an actor whose actor.rnn is a one-layer nn.LSTM")
        return None, None
    missing = [v for v in ("hidden", "cell") if v not in ds.variables]
    if missing:
        skip("fixed points", f"needs {', '.join(missing)}")
        return None, None
    valid = ds["valid"].values
    states = np.concatenate([ds["hidden"].values[valid], ds["cell"].values[valid]], axis=1)
    starts = states[np.linspace(0, len(states) - 1, N_STARTS).astype(int)]
    points = fixed_points(rnn, np.zeros((1, rnn.input_size)), starts, n_iter=N_ITER)
    slowest = int(np.argmin(points["speed"].values))
    row = {**key, "n_points": points.sizes["point"],
           "n_fixed": int(points["fixed"].values.sum()),
           "slowest_speed": float(points["speed"].values[slowest]),
           "slowest_max_abs_eigenvalue": float(points["max_abs_eigenvalue"].values[slowest]),
           "slowest_n_unstable": int(points["n_unstable"].values[slowest]),
           "stable_fraction": float(points["stable"].values.mean())}
    return row, (points, states[:: max(1, len(states) // 3000)])


def network_dynamics(agent: object, ds: xr.Dataset, key: dict,
                     skip: Callable[[str, str], None]) -> tuple[dict | None, np.ndarray | None,
                                                                tuple | None]:
    """One network's fixed-point row, DSA operator and (points, states) for its figure,
    each None (and `skip` told why) where the network or recording does not support it."""
    import importlib.util

    from navdecode.analysis.dynamical_similarity import dmd_operator

    row, example = _fixed(agent, ds, key, skip)
    operator = None
    if "hidden" not in ds.variables or ds["hidden"].ndim != 3:
        skip("dynamical similarity (DSA)", "needs hidden (trial, step, unit)")
    elif importlib.util.find_spec("DSA") is None:
        skip("dynamical similarity (DSA)", "needs dsa-metric: pip install 'navdecode[dsa]'")
    else:
        operator = dmd_operator(ds)
    return row, operator, example


def dynamics_tables(rows: list[dict], operators: dict[tuple, np.ndarray],
                    skip: Callable[[str], None]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the fixed-point rows, the DSA distance matrix)."""
    from navdecode.analysis.dynamical_similarity import dsa_matrix

    dsa = pd.DataFrame()
    keys = list(operators)
    if len(keys) >= 3 and len({k[0] for k in keys}) >= 2:
        index = pd.MultiIndex.from_tuples(keys, names=["arch", "seed"])
        dsa = pd.DataFrame(dsa_matrix([operators[k] for k in keys]), index=index,
                           columns=index)
    elif operators:
        skip("needs DSA operators of 3+ networks of 2+ labels at one condition")
    return pd.DataFrame(rows), dsa


def similarity_tests(matrices: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`within_between_test` of each non-empty matrix (name -> matrix) with a label of two
    or more networks: one row per measure."""
    from navdecode.stats.matrices import within_between_test

    rows = []
    for name, matrix in matrices.items():
        if not matrix.empty and matrix.index.get_level_values(0).value_counts().max() >= 2:
            rows.append({"measure": name, **within_between_test(matrix)})
    return pd.DataFrame(rows)
