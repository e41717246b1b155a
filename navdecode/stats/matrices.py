"""A test on a networks x networks matrix (CKA, Procrustes, DSA): do architectures differ?

The pairwise values share networks, so they are not independent samples and no test on
them as samples holds its rate. The network is the unit here: under the null hypothesis
that every network comes from one distribution whatever its label, relabelling the
networks leaves the matrix's distribution unchanged, so the labels are permuted (a
Mantel-type test). Its false-positive rate at 5 and 8 networks per label is measured by
`navdecode.stats.coverage.validate_within_between`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from navdecode._validation import check_int, check_seed

__all__ = ["within_between_test"]


def _means(values: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over within-label pairs and over between-label pairs (i < j), per labelling
    (rows of `labels`)."""
    i, j = np.triu_indices(values.shape[0], k=1)
    pair = values[i, j]
    same = labels[:, i] == labels[:, j]  # (R, pairs)
    within = (same * pair).sum(axis=1) / same.sum(axis=1)
    between = (~same * pair).sum(axis=1) / (~same).sum(axis=1)
    return within, between


def within_between_test(matrix: pd.DataFrame, n_resamples: int = 9999,
                        seed: int | None = 0) -> dict[str, float]:
    """Permutation test of the mean between-label minus mean within-label pair value.

    ``d = mean_{i<j, a_i != a_j} m_ij - mean_{i<j, a_i = a_j} m_ij``; the labels ``a`` are
    permuted over networks `n_resamples` times and ``p = (1 + #{|d*| >= |d|}) /
    (1 + n_resamples)`` (two-sided). For a distance (Procrustes, DSA) ``d > 0`` says networks
    of one architecture are closer to each other than to the others; for a similarity (CKA)
    ``d < 0`` says so.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square and symmetric, indexed by an (arch, seed) MultiIndex (`similarity_matrix`),
        with at least two labels, one of them with two or more networks.
    n_resamples : int, default=9999
    seed : int or None, default=0

    Returns
    -------
    result : dict
        ``within``, ``between``, ``difference`` (between - within), ``permutation_p``,
        ``n_networks``, ``n_labels``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from navdecode.stats.matrices import within_between_test
    >>> idx = pd.MultiIndex.from_tuples([(a, s) for a in "mh" for s in range(4)],
    ...                                 names=["arch", "seed"])
    >>> x = np.r_[np.zeros(4), np.ones(4) * 5]  # two tight clusters
    >>> m = pd.DataFrame(np.abs(x[:, None] - x[None]), index=idx, columns=idx)
    >>> r = within_between_test(m, n_resamples=999)
    >>> r["difference"], r["permutation_p"] < 0.05
    (5.0, True)
    """
    if not (isinstance(matrix, pd.DataFrame) and matrix.shape[0] == matrix.shape[1]
            and isinstance(matrix.index, pd.MultiIndex)):
        msg = "matrix must be a square DataFrame indexed by (arch, seed), from similarity_matrix"
        raise ValueError(msg)
    if not matrix.columns.equals(matrix.index):
        if set(matrix.columns) != set(matrix.index) or matrix.columns.has_duplicates:
            msg = (f"matrix's columns must name the networks of its rows; rows "
                   f"{list(matrix.index)[:5]}..., columns {list(matrix.columns)[:5]}...")
            raise ValueError(msg)
        matrix = matrix[matrix.index]  # the same networks in another order: align them
    values = matrix.to_numpy(dtype=float)
    if not np.allclose(values, values.T, equal_nan=True):
        msg = "matrix must be symmetric"
        raise ValueError(msg)
    i, j = np.triu_indices(len(values), k=1)
    if not np.isfinite(values[i, j]).all():
        msg = "matrix must be finite off its diagonal"
        raise ValueError(msg)
    check_int(n_resamples, "n_resamples", minimum=1)
    check_seed(seed)
    codes, names = pd.factorize(matrix.index.get_level_values(0))
    counts = np.bincount(codes)
    if len(names) < 2 or counts.max() < 2:
        msg = ("matrix needs networks of at least two labels, one with two or more networks, "
               f"got {dict(zip(names, counts.tolist(), strict=True))}")
        raise ValueError(msg)
    within, between = _means(values, codes[None])
    observed = float(between[0] - within[0])
    rng = np.random.default_rng(seed)
    perms = rng.permuted(np.tile(codes, (n_resamples, 1)), axis=1)
    w, b = _means(values, perms)
    extreme = np.abs(b - w) >= abs(observed) * (1 - 1e-12)
    return {"within": float(within[0]), "between": float(between[0]),
            "difference": observed,
            "permutation_p": float((1 + extreme.sum()) / (1 + n_resamples)),
            "n_networks": len(values), "n_labels": len(names)}
