"""Ridge regression from sufficient statistics: fold sums, the penalty path, grouped folds.

A set of rows ``(x, y)`` enters ridge regression only through its `Sums`: ``n``,
``sum x``, ``x'x``, ``sum y``, ``x'y`` and ``sum y^2``. Sums add over disjoint row sets
and subtract, so the training set of a fold is the total minus the fold, and the
held-out error of every penalty follows from a training set's sums and a test set's
sums without touching a row again. `fit_standardized` is `GroupedRidgeCV`'s fit written
on sums; `decode` calls it on every outer fold of a recording, sharing row blocks
between folds and solving several target sets on the same features at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sklearn

__all__ = ["CELL_BYTES", "Fit", "Sums", "augmented", "fit_standardized", "fold_sums",
           "group_index", "group_kfold", "kfold"]

_SKLEARN = tuple(int(p) for p in sklearn.__version__.split(".")[:2] if p.isdigit())
# scikit-learn 1.9 sorts GroupKFold's groups with a stable sort; earlier releases with
# NumPy's default quicksort, which orders tied group sizes differently
_SORT_KIND = "stable" if _SKLEARN >= (1, 9) else "quicksort"
CONSTANT = 1e-6
"""A unit whose standard deviation on the training rows is below this fraction of its
mean there is constant: ``x'x / n - mu^2`` computes a constant unit's variance as
rounding error of order ``1e-16 mu^2``, a standard deviation of order ``1e-8 |mu|``. Rows
are shifted by their overall mean before their sums are taken, so `mu` is small for any
unit that varies."""
CELL_BYTES = 2 ** 27
"""The most memory (bytes) that `fold_sums` gives its cells' Gram matrices; with more cells
than fit, every fold's rows are gathered and their Gram matrix formed on its own."""


def group_kfold(groups: np.ndarray, n_splits: int) -> np.ndarray:
    """The fold of each row under scikit-learn's ``GroupKFold(n_splits)`` (unshuffled).

    The same greedy assignment: groups in decreasing order of size, each to the fold
    with the fewest rows so far (the first such fold on ties); the test rows of fold
    ``f`` are ``np.nonzero(folds == f)[0]``, as `GroupKFold.split` yields them.

    Parameters
    ----------
    groups : array-like of shape (n_rows,)
    n_splits : int

    Returns
    -------
    folds : ndarray of shape (n_rows,)
    """
    n_groups, inverse = group_index(groups)
    if n_splits > n_groups:
        msg = (f"Cannot have number of splits n_splits={n_splits} greater than the number of "
               f"groups: {n_groups}.")
        raise ValueError(msg)
    sizes = np.bincount(inverse)
    order = np.argsort(sizes, kind=_SORT_KIND)[::-1]
    loads = np.zeros(n_splits, dtype=np.int64)
    fold_of_group = np.empty(n_groups, dtype=np.intp)
    ordered = sizes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    for start, stop in zip(starts, np.r_[starts[1:], len(order)], strict=True):
        # a run of r groups of one size s: fold f's m-th of them comes when its load is
        # L_f + m s, so the greedy's picks are the r smallest keys (L_f + m s, f)
        size, r = int(ordered[start]), int(stop - start)
        m = np.arange(r)
        keys = loads[:, None] + size * m[None]  # (fold, m)
        folds = np.broadcast_to(np.arange(n_splits)[:, None], keys.shape)
        picked = np.lexsort((folds.ravel(), keys.ravel()))[:r] // r
        fold_of_group[order[start:stop]] = picked
        loads += size * np.bincount(picked, minlength=n_splits)
    return fold_of_group[inverse]


def group_index(groups: np.ndarray) -> tuple[int, np.ndarray]:
    """The number of distinct groups and each row's rank among them (``np.unique``'s
    ``return_inverse``); non-negative integer groups are counted rather than sorted."""
    groups = np.asarray(groups)
    if groups.dtype.kind in "iu" and groups.size and groups.min() >= 0 and (
            groups.max() < 4 * groups.size):  # e.g. factorized trials
        present = np.bincount(groups) > 0
        return int(present.sum()), (np.cumsum(present) - 1)[groups]
    unique, inverse = np.unique(groups, return_inverse=True)
    return len(unique), inverse


def kfold(n_rows: int, n_splits: int) -> np.ndarray:
    """The fold of each row under scikit-learn's unshuffled ``KFold(n_splits)``."""
    sizes = np.full(n_splits, n_rows // n_splits)
    sizes[: n_rows % n_splits] += 1
    return np.repeat(np.arange(n_splits), sizes)


@dataclass(frozen=True)
class Sums:
    """Sufficient statistics of rows ``(x, y)`` for ridge regression.

    Attributes
    ----------
    n : int
    x : ndarray of shape (n_features,)
        ``sum x``.
    xx : ndarray of shape (n_features, n_features)
        ``x'x``.
    y : ndarray of shape (n_targets,)
        ``sum y``.
    xy : ndarray of shape (n_features, n_targets)
        ``x'y``.
    yy : ndarray of shape (n_targets,)
        ``sum y^2``.
    """

    n: int
    x: np.ndarray
    xx: np.ndarray
    y: np.ndarray
    xy: np.ndarray
    yy: np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> Sums:
        """The sums of rows `x` (n, p) and `y` (n, q)."""
        return cls.of_rows(augmented(x, y), x.shape[1])

    @classmethod
    def of_rows(cls, rows: np.ndarray, n_features: int) -> Sums:
        """The sums of `augmented` rows ``[x, y, 1]``: every one of them is a block of the
        rows' one Gram matrix, formed in one pass."""
        return cls.of_gram(rows.T @ rows, n_features)

    @classmethod
    def of_gram(cls, gram: np.ndarray, n_features: int) -> Sums:
        """The sums held in the Gram matrix of `augmented` rows."""
        p = n_features
        return cls(round(gram[-1, -1]), gram[:p, -1], gram[:p, :p], gram[p:-1, -1],
                   gram[:p, p:-1], np.diag(gram[p:-1, p:-1]).copy())

    def __add__(self, other: Sums) -> Sums:
        return Sums(self.n + other.n, self.x + other.x, self.xx + other.xx,
                    self.y + other.y, self.xy + other.xy, self.yy + other.yy)

    def __sub__(self, other: Sums) -> Sums:
        return Sums(self.n - other.n, self.x - other.x, self.xx - other.xx,
                    self.y - other.y, self.xy - other.xy, self.yy - other.yy)

    def scaled(self, scale: np.ndarray) -> Sums:
        """The sums of ``x / scale`` (features divided column-wise)."""
        return Sums(self.n, self.x / scale, self.xx / np.outer(scale, scale), self.y,
                    self.xy / scale[:, None], self.yy)

    def centred_xx(self) -> np.ndarray:
        """``x'x - n mu mu'``, the Gram matrix of the rows' deviations from their mean."""
        return self.xx - np.outer(self.x, self.x / self.n)


def augmented(x: np.ndarray, y: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """The rows ``[x - shift, y, 1]`` (n, p + q + 1), float64, whose Gram matrix holds
    every sum."""
    rows = np.empty((len(x), x.shape[1] + y.shape[1] + 1))
    if shift is None:
        rows[:, : x.shape[1]] = x
    else:  # one pass, converting as it subtracts
        np.subtract(x, shift, out=rows[:, : x.shape[1]], dtype=float)
    rows[:, x.shape[1]: -1] = y
    rows[:, -1] = 1.0
    return rows


def fold_sums(rows: np.ndarray, n_features: int, labels: np.ndarray,
              n_folds: list[int]) -> list[list[Sums]]:
    """The sums of every fold of several partitions of `rows`, each row read once.

    ``labels[l, r]`` is row ``r``'s fold in partition ``l`` (-1: the row is outside that
    partition's rows). Rows with the same fold in every partition form a *cell*; each
    cell's Gram matrix is formed once, and a fold's sums are the sum of its cells'. The
    K outer folds of a decode, the inner folds of each outer training set and those of
    the refit are such partitions: the rows enter one Gram matrix each instead of one per
    fold they belong to (about four). When the cells' Gram matrices would take more than
    `CELL_BYTES`, each fold's rows are gathered and summed on their own instead.

    Parameters
    ----------
    rows : ndarray of shape (n_rows, d)
        `augmented` rows.
    n_features : int
    labels : ndarray of shape (n_partitions, n_rows)
    n_folds : list of int
        Folds of each partition.

    Returns
    -------
    sums : list of list of Sums
        ``sums[l][f]``: the sums of fold ``f`` of partition ``l``.
    """
    d = rows.shape[1]
    radix = np.asarray(n_folds, dtype=np.int64) + 1
    code = np.zeros(rows.shape[0], dtype=np.int64)
    for label, base in zip(labels, radix, strict=True):  # mixed radix: one int per cell
        code = code * base + (label + 1)
    cells, cell_of_row = np.unique(code, return_inverse=True)
    if len(cells) * d * d * 8 > CELL_BYTES:
        return [[Sums.of_rows(rows[label == f], n_features) for f in range(k)]
                for label, k in zip(labels, n_folds, strict=True)]
    order = np.argsort(cell_of_row, kind="stable")
    ordered = rows[order]
    bounds = np.r_[0, np.cumsum(np.bincount(cell_of_row, minlength=len(cells)))]
    grams = np.empty((len(cells), d, d))
    for c, (a, b) in enumerate(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)):
        np.matmul(ordered[a:b].T, ordered[a:b], out=grams[c])
    cell_labels = labels[:, order[bounds[:-1]]]  # (partition, cell)
    member = np.concatenate([cell_labels[q][None] == np.arange(k)[:, None]
                             for q, k in enumerate(n_folds)]).astype(float)
    folds = (member @ grams.reshape(len(cells), -1)).reshape(-1, d, d)
    out, start = [], 0
    for k in n_folds:
        out.append([Sums.of_gram(g, n_features) for g in folds[start:start + k]])
        start += k
    return out


def _held_out_errors(train: Sums, test: Sums, alphas: np.ndarray) -> np.ndarray:
    """Squared error on `test` of the ridge fitted on `train`, per penalty and target.

    With ``C_xx = V diag(w) V'`` the centred training Gram matrix and ``C_xy`` its
    cross term, ``beta(a) = V diag(1 / (w + a)) V' C_xy`` for every penalty ``a``, and
    ``SSE(a) = sum e^2 - 2 beta' sum d e + beta' (sum d d') beta`` with ``d = x - mu``,
    ``e = y - ybar`` the test rows' deviations from the training means. Shape
    (n_alphas, n_targets).
    """
    mu, ybar = train.x / train.n, train.y / train.n
    w, v = np.linalg.eigh(train.centred_xx())
    b = v.T @ (train.xy - np.outer(train.x, ybar))
    dd = test.xx - np.outer(test.x, mu) - np.outer(mu, test.x) + test.n * np.outer(mu, mu)
    de = test.xy - np.outer(test.x, ybar) - np.outer(mu, test.y) + test.n * np.outer(mu, ybar)
    ee = test.yy - 2 * ybar * test.y + test.n * ybar ** 2
    g, h = v.T @ dd @ v, v.T @ de
    c = b[None] / (w[None, :, None] + alphas[:, None, None])  # coefficients, eigenbasis
    return ee[None] - 2 * np.einsum("apq,pq->aq", c, h) + np.einsum(
        "aiq,aiq->aq", c, np.matmul(g, c))


@dataclass(frozen=True)
class Fit:
    """A standardised ridge fitted by `fit_standardized`, one penalty per target block.

    Attributes
    ----------
    best : ndarray of shape (n_blocks,)
        Index of each block's chosen penalty.
    errors : ndarray of shape (n_blocks, n_alphas)
        Held-out squared error of each penalty, summed over the block's targets.
    coef : ndarray of shape (n_features, n_targets)
        Coefficients for the features as given.
    intercept : ndarray of shape (n_targets,)
    """

    best: np.ndarray
    errors: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def predict(self, x: np.ndarray) -> np.ndarray:
        return x @ self.coef + self.intercept


def fit_standardized(parts: list[Sums], alphas: np.ndarray, blocks: list[list[int]],
                     total: Sums | None = None) -> Fit:
    """Ridge on z-scored features, each block's penalty chosen by CV over `parts`.

    `parts` are the sums of the inner folds (any number; fewer than two: no choice, the
    first penalty), `total` their sum when known. Features are z-scored with the
    training rows' mean and population standard deviation (1 for a `CONSTANT` unit); each
    fold's training sums are ``total - part`` and its held-out errors follow from the two
    (`_held_out_errors`); a block's penalty is the first with the lowest error summed
    over folds and over the block's targets; the refit on `total` solves
    ``(C_zz + a I) beta = C_zy``.
    """
    if total is None:
        total = parts[0]
        for part in parts[1:]:
            total = total + part
    mean = total.x / total.n
    variance = np.maximum(np.diag(total.xx) / total.n - mean ** 2, 0.0)
    scale = np.sqrt(variance)
    scale = np.where(scale > CONSTANT * np.abs(mean), scale, 1.0)
    errors = np.zeros((len(blocks), len(alphas)))
    if len(parts) >= 2 and len(alphas) > 1:
        z_total = total.scaled(scale)
        for part in parts:
            z_part = part.scaled(scale)
            per_target = _held_out_errors(z_total - z_part, z_part, alphas)
            errors += np.stack([per_target[:, block].sum(axis=1) for block in blocks])
    best = np.argmin(errors, axis=1)
    z = total.scaled(scale)
    gram = z.centred_xx()
    cross = z.xy - np.outer(z.x, z.y / z.n)
    coef = np.empty_like(cross)
    eye = np.eye(len(gram))
    for block, k in zip(blocks, best.tolist(), strict=True):
        coef[:, block] = np.linalg.solve(gram + alphas[k] * eye, cross[:, block])
    coef /= scale[:, None]  # for the features as given
    intercept = total.y / total.n - mean @ coef
    return Fit(best, errors, coef, intercept)
