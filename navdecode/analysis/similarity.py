"""Representational comparison of recordings: linear CKA and the Procrustes shape distance.

Two recordings of the same trials (same targets, same seeds of the task's noise) are
compared on the samples where both are valid: rows are (trial, step) samples, columns
their units (any two unit counts). Trials are paired by ``trial_id``, whatever their order
in each recording; recordings of different trials are refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from navdecode._validation import check_choice
from navdecode.recording.identity import align_trials, recording_identity
from navdecode.recording.schema import check_recording

__all__ = ["cka", "procrustes_distance", "similarity_matrix", "within_between"]


def _paired(ds_a: xr.Dataset, ds_b: xr.Dataset, features: str) -> tuple[np.ndarray, np.ndarray]:
    """Centred sample x unit matrices of the (trial, step) samples valid in both."""
    for ds, name in ((ds_a, "ds_a"), (ds_b, "ds_b")):
        check_recording(ds, [features], analysis="similarity", name=name)
        if ds[features].ndim != 3:
            msg = (f"{name}[{features!r}] must have dims (trial, step, unit), got "
                   f"{ds[features].dims}")
            raise ValueError(msg)
    ds_a, ds_b = align_trials([ds_a, ds_b], ["ds_a", "ds_b"])
    if ds_a.sizes["step"] != ds_b.sizes["step"]:
        steps = min(ds_a.sizes["step"], ds_b.sizes["step"])  # padding beyond both ends
        ds_a, ds_b = ds_a.isel(step=slice(steps)), ds_b.isel(step=slice(steps))
    both = ds_a["valid"].values.astype(bool) & ds_b["valid"].values.astype(bool)
    if both.sum() < 3:
        msg = "ds_a and ds_b share fewer than 3 valid (trial, step) samples"
        raise ValueError(msg)
    mats = []
    for ds in (ds_a, ds_b):
        x = ds[features].values[both].astype(float)
        x = x[:, np.isfinite(x).all(axis=0)]
        mats.append(x - x.mean(axis=0))
    return mats[0], mats[1]


def cka(ds_a: xr.Dataset, ds_b: xr.Dataset, features: str = "hidden") -> float:
    """Linear centred kernel alignment of two recordings' units.

    With X (n samples x p units) and Y (n x q) column-centred:
    ``CKA = ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F)`` (Kornblith et al. 2019): 1 for
    representations equal up to rotation and isotropic scaling, 0 for orthogonal ones.

    Parameters
    ----------
    ds_a, ds_b : xarray.Dataset
        Recordings of the same trials.
    features : str, default="hidden"
        The (trial, step, unit) variable.

    Returns
    -------
    cka : float

    Examples
    --------
    >>> from navdecode import cka, fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(5))
    >>> round(cka(ds, ds), 6)
    1.0
    """
    x, y = _paired(ds_a, ds_b, features)
    cross = np.linalg.norm(y.T @ x) ** 2
    norm = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    return float(cross / norm) if norm > 0 else float("nan")


def procrustes_distance(ds_a: xr.Dataset, ds_b: xr.Dataset, features: str = "hidden") -> float:
    """Angular orthogonal-Procrustes shape distance between two recordings' units.

    X and Y are column-centred, scaled to unit Frobenius norm and the narrower one padded
    with zero columns; then ``d = arccos(||X^T Y||_*)`` (the nuclear norm, i.e. the best
    alignment over rotations and reflections; Williams et al. 2021): 0 for shapes equal
    up to rotation, reflection and scale, pi/2 at most.

    Parameters
    ----------
    ds_a, ds_b : xarray.Dataset
        Recordings of the same trials.
    features : str, default="hidden"
        The (trial, step, unit) variable.

    Returns
    -------
    distance : float
        In radians.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, procrustes_distance, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(5))
    >>> round(procrustes_distance(ds, ds), 4)
    0.0
    """
    x, y = _paired(ds_a, ds_b, features)
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        return float("nan")
    x, y = x / nx, y / ny
    width = max(x.shape[1], y.shape[1])
    x = np.pad(x, [(0, 0), (0, width - x.shape[1])])
    y = np.pad(y, [(0, 0), (0, width - y.shape[1])])
    nuclear = np.linalg.svd(x.T @ y, compute_uv=False).sum()
    return float(np.arccos(np.clip(nuclear, -1.0, 1.0)))


def similarity_matrix(recordings: Sequence[xr.Dataset], metric: str = "cka",
                      features: str = "hidden",
                      labels: Sequence[tuple[str, int]] | None = None) -> pd.DataFrame:
    """Pairwise similarity (or distance) of many recordings of the same trials.

    Parameters
    ----------
    recordings : sequence of xarray.Dataset
        Recordings of the same trials.
    metric : {"cka", "procrustes"}, default="cka"
    features : str, default="hidden"
    labels : sequence of (str, int) or None, default=None
        (label, agent seed) of each recording; from the network each names
        (`navdecode.recording.identity.recording_identity`) when None.

    Returns
    -------
    matrix : pandas.DataFrame
        Square, indexed and columned by a (arch, seed) MultiIndex.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent, similarity_matrix
    >>> t = fixed_targets(5)
    >>> recs = [run_agent(make_agent("modular", seed=s), t) for s in (0, 1)]
    >>> similarity_matrix(recs, labels=[("modular", 0), ("modular", 1)]).shape
    (2, 2)
    """
    check_choice(metric, "metric", ("cka", "procrustes"))
    if isinstance(recordings, xr.Dataset) or len(recordings) < 2:
        msg = "recordings must be a sequence of at least 2 recordings"
        raise ValueError(msg)
    func = cka if metric == "cka" else procrustes_distance
    if labels is None:
        who = [recording_identity(r, name=f"recordings[{i}]") for i, r in enumerate(recordings)]
        labels = [(w["label"], w["agent_seed"]) for w in who]
    if len(labels) != len(recordings):
        msg = f"labels must have one (arch, seed) per recording, got {len(labels)}"
        raise ValueError(msg)
    labels = pd.MultiIndex.from_tuples([(str(a), int(s)) for a, s in labels],
                                       names=["arch", "seed"])
    if labels.duplicated().any():
        msg = f"recordings must have distinct (arch, seed) labels, got {list(labels)}"
        raise ValueError(msg)
    n = len(recordings)
    values = np.full((n, n), 1.0 if metric == "cka" else 0.0)
    for i in range(n):
        for j in range(i + 1, n):
            values[i, j] = values[j, i] = func(recordings[i], recordings[j], features)
    return pd.DataFrame(values, index=labels, columns=labels)


def within_between(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per network: mean similarity to the other networks of its architecture and of others.

    Descriptive: the pairwise values share networks, so they are not independent samples
    and no test is attached. Compare the two columns across networks.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From `similarity_matrix`.

    Returns
    -------
    table : pandas.DataFrame
        ``arch``, ``seed``, ``within`` (mean over the other networks of the same arch),
        ``between`` (mean over networks of other archs).

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.analysis.similarity import within_between
    >>> idx = pd.MultiIndex.from_tuples([("m", 0), ("m", 1), ("h", 0)], names=["arch", "seed"])
    >>> m = pd.DataFrame([[1, .9, .2], [.9, 1, .4], [.2, .4, 1]], index=idx, columns=idx)
    >>> [round(v, 2) for v in within_between(m)["between"]]
    [0.2, 0.4, 0.3]
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.shape[0] != matrix.shape[1]:
        msg = "matrix must be a square DataFrame from similarity_matrix"
        raise ValueError(msg)
    archs = np.array([a for a, _ in matrix.index])
    values = matrix.to_numpy(dtype=float)
    rows = []
    for i, (arch, seed) in enumerate(matrix.index):
        others = np.arange(len(archs)) != i
        same, diff = others & (archs == arch), archs != arch
        rows.append({"arch": arch, "seed": seed,
                     "within": values[i, same].mean() if same.any() else np.nan,
                     "between": values[i, diff].mean() if diff.any() else np.nan})
    return pd.DataFrame(rows)
