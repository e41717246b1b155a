"""Representational comparison of recordings: linear CKA and the Procrustes shape distance
(and, through `navdecode.analysis.dynamical_similarity`, DSA's distance between dynamics).

Two recordings of the same trials (same targets, same seeds of the task's noise) are
compared on the samples where both are valid: rows are (trial, step) samples, columns
their units (any two unit counts). Trials are paired by ``trial_id``, whatever their order
in each recording; recordings of different trials are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from navdecode._validation import check_choice
from navdecode.analysis.units import Units
from navdecode.recording.identity import align_trials, positional, recording_identity

__all__ = ["CKAColumns", "cka", "procrustes_distance", "similarity_matrix",
           "within_between"]


def _aligned(units: Sequence[Units]) -> list[np.ndarray | None]:
    """Per recording, the trial order that puts it in the first one's (None: already),
    after refusing repeated trials or different trial sets (`align_trials`' rules),
    recordings without a trial identity, and steps that do not line up."""
    if len(units) > 1:
        for u in units:
            if positional(u.ids):
                msg = (f"{u.name} has no trial identity (no target, perturbation or trial_id "
                       "of its own): pairing it with another recording would pair trials by "
                       "their position. Give every recording the same trial keys, e.g. "
                       "ds.assign_coords(trial_id=('trial', keys)) with keys naming what "
                       "defines each trial (its seed, condition...)")
                raise ValueError(msg)
        first = units[0]
        for u in units[1:]:
            n = min(len(first.steps), len(u.steps))
            if not np.array_equal(first.steps[:n], u.steps[:n]):
                msg = (f"{first.name} and {u.name} do not cover the same steps ({first.name} "
                       f"from step {first.steps[0]}, {u.name} from step {u.steps[0]}): "
                       "samples are paired by trial and step, so select the same steps "
                       "in both")
                raise ValueError(msg)
    stand_ins = [xr.Dataset(coords={"trial_id": ("trial", u.ids)}) for u in units]
    align_trials(stand_ins, [u.name for u in units])  # raises with its messages
    first = pd.Index(units[0].ids)
    return [None if np.array_equal(u.ids, units[0].ids) else
            pd.Index(u.ids).get_indexer(first) for u in units]


def _centred(x: np.ndarray, both: np.ndarray) -> np.ndarray:
    """The samples valid in both (rows), finite units (columns), centred, float64."""
    x = x[both].astype(float)
    x = x[:, np.isfinite(x).all(axis=0)]
    return x - x.mean(axis=0)


def _pairwise(units: Sequence[Units], measure: Callable[[np.ndarray, np.ndarray], float]
              ) -> np.ndarray:
    """`measure` of every pair's centred sample x unit matrices (the (trial, step)
    samples valid in both), each recording's units loaded once per row of the matrix.
    Linear CKA takes `CKAColumns` when every recording's valid samples are finite."""
    n = len(units)
    orders = _aligned(units)
    if measure is _cka_of:
        columns = CKAColumns()
        if all(columns.add(u) for u in units):
            return columns.matrix()
    valid = [u.valid if o is None else u.valid[o] for u, o in zip(units, orders, strict=True)]

    def load(k: int) -> np.ndarray:
        x = units[k].load()
        return x if orders[k] is None else x[orders[k]]

    values = np.full((n, n), np.nan)
    for i in range(n - 1):
        xi = load(i)
        for j in range(i + 1, n):
            xj = load(j)
            steps = min(xi.shape[1], xj.shape[1])  # padding beyond both ends
            both = _shared(units[i], units[j], valid[i], valid[j], steps)
            values[i, j] = values[j, i] = measure(_centred(xi[:, :steps], both),
                                                  _centred(xj[:, :steps], both))
    return values


def _shared(a: Units, b: Units, valid_a: np.ndarray, valid_b: np.ndarray,
            steps: int) -> np.ndarray:
    """The (trial, step) samples valid in both recordings (refused: fewer than 3)."""
    both = valid_a[:, :steps] & valid_b[:, :steps]
    if both.sum() < 3:
        msg = f"{a.name} and {b.name} share fewer than 3 valid (trial, step) samples"
        raise ValueError(msg)
    return both


class CKAColumns:
    """Linear CKA of recordings added one at a time, each against those added before.

    ``add(units)`` computes a recording's CKA (`cka`) with every recording added before
    it: the matrix's column above the diagonal. A caller that receives recordings over
    time (the report, while its workers finish networks) so computes the matrix as they
    come; `matrix` is then `similarity_matrix`'s values for the same order, bit for bit
    (`similarity_matrix` computes its CKA this way).

    Each pair's cross product ``X'Y`` needs every shared sample; each recording's Gram
    matrix over the shared samples is its whole one (formed once, on its valid samples
    shifted by their mean: no cancellation) minus that of its samples the other lacks
    (few: trials of two trained agents end within steps of each other). At most two
    recordings' units are in memory at once.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.similarity import CKAColumns
    >>> from navdecode.analysis.units import Units
    >>> t = fixed_targets(5)
    >>> columns = CKAColumns()
    >>> [columns.add(Units.of(run_agent(make_agent("modular", seed=s), t))) for s in (0, 1)]
    [True, True]
    >>> columns.matrix().shape
    (2, 2)
    """

    def __init__(self) -> None:
        self._units: list[Units] = []
        self._orders: list[np.ndarray | None] = []
        self._valid: list[np.ndarray] = []
        self._totals: list[tuple[np.ndarray, np.ndarray]] = []
        self._columns: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._units)

    def _load(self, k: int) -> np.ndarray:
        x = self._units[k].load()
        return x if self._orders[k] is None else x[self._orders[k]]

    def add(self, units: Units) -> bool:
        """Add a recording's `Units` and compute its CKA with the earlier ones.

        Returns
        -------
        added : bool
            False (and nothing added) when one of its valid samples is not finite: linear
            CKA on all units is then undefined, and `similarity_matrix` drops the
            non-finite units pair by pair instead.

        Raises
        ------
        ValueError
            If it does not hold the first recording's trials, repeats a trial, or shares
            fewer than 3 valid samples with an earlier one.
        """
        order = _aligned([self._units[0], units])[1] if self._units else None
        valid = units.valid if order is None else units.valid[order]
        x = units.load()
        x = x if order is None else x[order]
        samples = x[valid].astype(float)
        if not np.isfinite(samples).all():
            return False
        shift = samples.mean(axis=0)
        samples -= shift
        gram = samples.T @ samples
        steps_j, rows_j = x.shape[1], samples  # the shifted valid samples, as `_shifted`
        del x
        column = np.full(len(self._units), np.nan)
        for i, (shift_i, gram_i) in enumerate(self._totals):
            xi = self._load(i)
            steps = min(xi.shape[1], steps_j)  # padding beyond both ends
            both = _shared(self._units[i], units, self._valid[i], valid, steps)
            rows_i = _shifted(xi, self._valid[i], shift_i)
            del xi
            column[i] = _cka_rows(rows_i, rows_j, self._valid[i], valid, both, gram_i, gram)
        self._units.append(units)
        self._orders.append(order)
        self._valid.append(valid)
        self._totals.append((shift, gram))
        self._columns.append(column)
        return True

    def matrix(self) -> np.ndarray:
        """The (n, n) CKA matrix of the recordings added, 1 on the diagonal."""
        n = len(self._units)
        values = np.eye(n)
        for j, column in enumerate(self._columns):
            values[:j, j] = values[j, :j] = column
        return values

    def frame(self, labels: Sequence[tuple[str, int]]) -> pd.DataFrame:
        """`matrix` as `similarity_matrix` returns it, with the (arch, seed) `labels`
        of the recordings in the order added."""
        if len(labels) != len(self):
            msg = f"labels must have one (arch, seed) per recording, got {len(labels)}"
            raise ValueError(msg)
        index = _label_index(labels)
        return pd.DataFrame(self.matrix(), index=index, columns=index)


def _shifted(x: np.ndarray, valid: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The valid samples (rows, in (trial, step) order) minus `shift`, float64."""
    rows = x[valid].astype(float)
    rows -= shift
    return rows


def _cka_rows(a: np.ndarray, b: np.ndarray, va: np.ndarray, vb: np.ndarray,
              both: np.ndarray, gram_a: np.ndarray, gram_b: np.ndarray) -> float:
    """`_cka_of` of the samples valid in both, from Gram matrices: `a`, `b` are each
    recording's valid samples (`_shifted` by its own mean: no cancellation), `gram_a`,
    `gram_b` their Gram matrices. A recording's Gram matrix over the shared samples is its
    whole one minus that of its samples the other lacks (few: trials of two trained agents
    end within steps of each other), so only the cross product ``X' Y`` needs every
    shared sample. Equal to the direct formula within rounding."""
    steps = both.shape[1]

    def shared(rows: np.ndarray, v: np.ndarray, gram: np.ndarray) -> tuple:
        mine = np.zeros(v.shape, dtype=bool)
        mine[:, :steps] = both
        keep = mine[v]  # which of the valid samples are shared
        if keep.all():
            return rows, gram
        rest = rows[~keep]
        return rows[keep], gram - rest.T @ rest

    a, gram_a = shared(a, va, gram_a)
    b, gram_b = shared(b, vb, gram_b)
    n = len(a)
    sa, sb = a.sum(axis=0), b.sum(axis=0)
    cross = b.T @ a - np.outer(sb, sa) / n
    ca = gram_a - np.outer(sa, sa) / n
    cb = gram_b - np.outer(sb, sb) / n
    norm = np.linalg.norm(ca) * np.linalg.norm(cb)
    return float(np.linalg.norm(cross) ** 2 / norm) if norm > 0 else float("nan")


def _cka_of(x: np.ndarray, y: np.ndarray) -> float:
    cross = np.linalg.norm(y.T @ x) ** 2
    norm = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    return float(cross / norm) if norm > 0 else float("nan")


def _procrustes_of(x: np.ndarray, y: np.ndarray) -> float:
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        return float("nan")
    x, y = x / nx, y / ny
    width = max(x.shape[1], y.shape[1])
    x = np.pad(x, [(0, 0), (0, width - x.shape[1])])
    y = np.pad(y, [(0, 0), (0, width - y.shape[1])])
    nuclear = np.linalg.svd(x.T @ y, compute_uv=False).sum()
    return float(np.arccos(np.clip(nuclear, -1.0, 1.0)))


def _two(ds_a: xr.Dataset, ds_b: xr.Dataset, features: str,
         measure: Callable[[np.ndarray, np.ndarray], float]) -> float:
    return float(_pairwise([Units.of(ds_a, features, "ds_a"), Units.of(ds_b, features, "ds_b")],
                           measure)[0, 1])


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
    return _two(ds_a, ds_b, features, _cka_of)


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
    return _two(ds_a, ds_b, features, _procrustes_of)


def similarity_matrix(recordings: Sequence[xr.Dataset | Units], metric: str = "cka",
                      features: str = "hidden",
                      labels: Sequence[tuple[str, int]] | None = None, *, n_delays: int = 5,
                      rank: int = 20) -> pd.DataFrame:
    """Pairwise similarity (or distance) of many recordings of the same trials.

    Parameters
    ----------
    recordings : sequence of xarray.Dataset or Units
        Recordings of the same trials, or their `Units` (e.g. `Units.on_disk`, which
        then need `labels`).
    metric : {"cka", "procrustes", "dsa"}, default="cka"
        Linear CKA (a similarity, 1 on the diagonal), the Procrustes shape distance, or
        the dynamical similarity distance (Wasserstein score of
        `navdecode.analysis.dynamical_similarity`, extra ``dsa``; 0 on the diagonal; each
        recording's operator is fitted once, and its trials need not be the others').
    features : str, default="hidden"
    labels : sequence of (str, int) or None, default=None
        (label, agent seed) of each recording; from the network each names
        (`navdecode.recording.identity.recording_identity`) when None.
    n_delays, rank : int, default=5, 20
        DSA's delay embedding and operator rank (``metric="dsa"`` only).

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
    check_choice(metric, "metric", ("cka", "procrustes", "dsa"))
    if isinstance(recordings, xr.Dataset) or len(recordings) < 2:
        msg = "recordings must be a sequence of at least 2 recordings"
        raise ValueError(msg)
    if labels is None:
        if not all(isinstance(r, xr.Dataset) for r in recordings):
            msg = "labels must be given for Units (they do not name their network)"
            raise ValueError(msg)
        who = [recording_identity(r, name=f"recordings[{i}]") for i, r in enumerate(recordings)]
        labels = [(w["label"], w["agent_seed"]) for w in who]
    if len(labels) != len(recordings):
        msg = f"labels must have one (arch, seed) per recording, got {len(labels)}"
        raise ValueError(msg)
    labels = _label_index(labels)
    units = [r if isinstance(r, Units) else Units.of(r, features, f"recordings[{i}]")
             for i, r in enumerate(recordings)]
    if metric == "dsa":
        from navdecode.analysis.dynamical_similarity import dsa_matrix, operators

        values = dsa_matrix(operators(units, n_delays, rank))
    else:
        values = _pairwise(units, _cka_of if metric == "cka" else _procrustes_of)
    np.fill_diagonal(values, 1.0 if metric == "cka" else 0.0)
    return pd.DataFrame(values, index=labels, columns=labels)


def _label_index(labels: Sequence[tuple[str, int]]) -> pd.MultiIndex:
    index = pd.MultiIndex.from_tuples([(str(a), int(s)) for a, s in labels],
                                      names=["arch", "seed"])
    if index.duplicated().any():
        msg = f"recordings must have distinct (arch, seed) labels, got {list(index)}"
        raise ValueError(msg)
    return index


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
