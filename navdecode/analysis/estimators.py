"""`GroupedRidgeCV`: standardised ridge regression with its penalty chosen by grouped CV."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from navdecode.analysis.ridge_stats import (
    Fit,
    Sums,
    augmented,
    fit_standardized,
    fold_sums,
    group_index,
    group_kfold,
    kfold,
)

__all__ = ["GroupedRidgeCV", "fold_fits"]

DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-3, 3, 13))


class GroupedRidgeCV(RegressorMixin, BaseEstimator):
    """Ridge regression on standardised features, penalty chosen by inner grouped K-fold.

    Features are z-scored with the training data's mean and standard deviation; the
    penalty is the one with the lowest held-out squared error over `n_splits` folds that
    keep each group (e.g. trial) on one side (`GroupKFold` when ``groups`` is given to
    `fit`, contiguous `KFold` otherwise); the model is then refitted on all the data.
    Every penalty is evaluated from one eigendecomposition per fold, on the folds'
    sufficient statistics (`navdecode.analysis.ridge_stats`): each inner fold's ``n``,
    ``sum x``, ``x'x``, ``sum y``, ``x'y`` and ``sum y^2`` are formed once, a fold's
    training statistics are the total minus its own, and its held-out error for every
    penalty follows from the two without touching a row again
    (``SSE(a) = sum e^2 - 2 beta' sum d e' + beta' (sum d d') beta`` with ``d``, ``e`` the
    held-out rows' deviations from the training means, in z-scored units).

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=np.logspace(-3, 3, 13)
        Candidate penalties (> 0), for standardised features.
    n_splits : int, default=3
        Inner folds.

    Attributes
    ----------
    alpha_ : float
        The chosen penalty.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients for the raw (unstandardised) features.
    intercept_ : float or ndarray of shape (n_targets,)
    cv_errors_ : ndarray of shape (n_alphas,)
        Summed held-out squared error of each penalty.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import GroupedRidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = X @ [1.0, -2.0, 0.0, 0.5, 3.0]
    >>> model = GroupedRidgeCV().fit(X, y, groups=np.repeat(np.arange(20), 10))
    >>> bool(np.allclose(model.coef_, [1.0, -2.0, 0.0, 0.5, 3.0], atol=0.01))
    True
    """

    # trial groups reach fit through scikit-learn's metadata routing (Pipeline, searches)
    __metadata_request__fit = {"groups": True}  # noqa: RUF012

    def __init__(self, alphas: np.ndarray | tuple[float, ...] = DEFAULT_ALPHAS,
                 n_splits: int = 3) -> None:
        self.alphas = alphas
        self.n_splits = n_splits

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None
            ) -> GroupedRidgeCV:
        """Choose the penalty by inner CV and fit on all of ``X``, ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        groups : array-like of shape (n_samples,) or None, default=None
            Group of each sample (e.g. its trial) for the inner folds.

        Returns
        -------
        self : GroupedRidgeCV
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True)
        alphas = self._checked_alphas()
        single = y.ndim == 1
        y2 = y.reshape(len(y), -1).astype(float)
        shift = X.mean(axis=0)
        rows = augmented(X, y2, shift)  # rows shifted by their mean: small rounding
        folds = self._inner_folds(len(rows), groups)
        p = X.shape[1]
        parts = [Sums.of_rows(rows, p)] if folds is None else [
            Sums.of_rows(rows[fold], p) for fold in folds]
        fit = fit_standardized(parts, alphas, [list(range(y2.shape[1]))])
        self._set_fitted(fit, alphas, shift, single)
        return self

    def _checked_alphas(self) -> np.ndarray:
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=float))
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(
                alphas <= 0):
            msg = (f"alphas must be a non-empty 1-d array of finite values > 0, got "
                   f"{self.alphas!r}")
            raise ValueError(msg)
        return alphas

    def _inner_folds(self, n_rows: int, groups: np.ndarray | None) -> list[np.ndarray] | None:
        """Rows of each inner fold (`GroupKFold` by `groups`, else contiguous `KFold`), or
        None when there is no penalty to choose or too few groups or rows to choose it."""
        alphas = np.atleast_1d(np.asarray(self.alphas))
        n_groups = group_index(groups)[0] if groups is not None else n_rows
        if alphas.size < 2 or n_groups < self.n_splits or n_rows < 2 * self.n_splits:
            return None
        fold = group_kfold(groups, self.n_splits) if groups is not None else kfold(
            n_rows, self.n_splits)
        order = np.argsort(fold, kind="stable")
        return np.split(order, np.cumsum(np.bincount(fold, minlength=self.n_splits))[:-1])

    def _set_fitted(self, fit: Fit, alphas: np.ndarray, shift: np.ndarray,
                    single: bool) -> None:
        """Fitted attributes from `fit` of features shifted by `shift`."""
        intercept = fit.intercept - shift @ fit.coef
        self.alpha_ = float(alphas[fit.best[0]])
        self.cv_errors_ = fit.errors[0]
        self.coef_ = fit.coef[:, 0] if single else fit.coef.T
        self.intercept_ = float(intercept[0]) if single else intercept
        self.n_features_in_ = len(shift)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict with the fitted coefficients.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ self.coef_.T + self.intercept_


def fold_fits(estimator: GroupedRidgeCV, x: np.ndarray, y: np.ndarray, groups: np.ndarray,
              splits: list[tuple[np.ndarray, np.ndarray]], blocks: list[list[int]],
              test_x: np.ndarray | None = None, refit: bool = True
              ) -> tuple[list[np.ndarray], list[GroupedRidgeCV | None]]:
    """`estimator` fitted on every split's training rows and on all rows, from sums.

    The same as, for each target block ``b`` (columns of `y`), fitting
    ``clone(estimator)`` on ``x[train], y[train][:, b]`` with ``groups[train]`` and
    predicting ``x[test]`` for each (train, test) of `splits`, then fitting it on all
    rows (results within rounding). When the test blocks partition the rows (K-fold),
    every row enters one Gram matrix (`fold_sums`): the sums of the test blocks, of
    every inner fold and of the refit's inner folds are sums of cells' Gram matrices,
    and a split's training sums are the total minus its test block's. Otherwise, when a
    split's rows are the complement of its test rows, the test block's sums serve both
    its predictions and (subtracted from the total) its training sums, and the largest
    inner fold's sums are the training sums minus the other folds'.

    With `test_x` (cross-condition decoding) `splits` is empty and the one prediction
    is of `test_x` by the fit on all rows. Without `refit` (and `test_x`) the fit on all
    rows is left out and the models are None.

    Returns
    -------
    predictions : list of ndarray of shape (n_test, n_targets)
        Per split, or of `test_x`.
    models : list of GroupedRidgeCV
        Fitted on all rows, one per block.
    """
    alphas = estimator._checked_alphas()
    shift, p = x.mean(axis=0, dtype=float), x.shape[1]
    rows = augmented(x, y, shift)
    n = len(rows)
    mask = np.zeros(n, dtype=bool)
    complement, counts = True, np.zeros(n, dtype=np.intp)
    for train, test in splits:
        mask[:] = False
        mask[test] = True
        complement &= len(train) + len(test) == n and not mask[train].any()
        counts[test] += 1
    inner = [estimator._inner_folds(len(train), groups[train]) for train, _ in splits]
    final_folds = estimator._inner_folds(n, groups) if refit or test_x is not None else None
    if complement and splits and bool((counts == 1).all()):  # test blocks partition rows
        # the refit's folds shape the cells even without the refit, so that the held-out
        # predictions are summed in the same order (bit-equal) with and without it
        cell_folds = final_folds if final_folds is not None else estimator._inner_folds(
            n, groups)
        test_sums, full, parts, final_parts = _partition_parts(rows, p, splits, inner,
                                                               cell_folds)
        known = [full - part for part in test_sums]
    else:
        # test blocks are gathered twice (for their sums, then their predictions), never
        # held together: at 10,000 trials each copy of the rows is ~0.4 GB
        test_sums = [Sums.of_rows(rows[test], p) for _, test in splits] if complement \
            and splits else None
        full = Sums.of_rows(rows, p) if test_sums is not None else None
        known = [full - part for part in test_sums] if test_sums is not None else [None] * len(
            splits)
        parts = [_parts(rows, p, train, folds, k_sums)
                 for (train, _), folds, k_sums in zip(splits, inner, known, strict=True)]
        final_parts = None
    predictions = []
    for k, (_, test) in enumerate(splits):
        fit = fit_standardized(parts[k], alphas, blocks, total=known[k])
        predictions.append(fit.predict(rows[test, :p]))
    if not refit and test_x is None:
        return predictions, [None] * len(blocks)
    if final_parts is None:
        final_parts = _parts(rows, p, np.arange(n), final_folds, full)
    final = fit_standardized(final_parts, alphas, blocks, total=full)
    if test_x is not None:
        predictions.append(final.predict(test_x - shift))
    models = []
    for b, block in enumerate(blocks):
        model = clone(estimator)
        model._set_fitted(Fit(final.best[b:b + 1], final.errors[b:b + 1],
                              final.coef[:, block], final.intercept[block]),
                          alphas, shift, single=False)
        models.append(model)
    return predictions, models


def _partition_parts(rows: np.ndarray, p: int, splits: list, inner: list,
                     final_folds: list[np.ndarray] | None
                     ) -> tuple[list[Sums], Sums, list[list[Sums]], list[Sums] | None]:
    """The sums of every test block, of all rows, of each split's inner folds (its
    training sums when it has none) and of the refit's inner folds, from `fold_sums`:
    every row read once. The test blocks must partition the rows."""
    n = len(rows)
    outer = np.empty(n, dtype=np.int64)
    for k, (_, test) in enumerate(splits):
        outer[test] = k
    labels, n_folds = [outer], [len(splits)]
    for subset, folds in [*((train, f) for (train, _), f in zip(splits, inner, strict=True)),
                          (np.arange(n), final_folds)]:
        if folds is not None:
            label = np.full(n, -1, dtype=np.int64)
            for j, fold in enumerate(folds):
                label[subset[fold]] = j
            labels.append(label)
            n_folds.append(len(folds))
    sums = iter(fold_sums(rows, p, np.stack(labels), n_folds))
    test_sums = next(sums)
    full = test_sums[0]
    for part in test_sums[1:]:
        full = full + part
    parts = [next(sums) if folds is not None else [full - test_sums[k]]
             for k, folds in enumerate(inner)]
    final_parts = next(sums) if final_folds is not None else None
    return test_sums, full, parts, final_parts


def _parts(rows: np.ndarray, p: int, subset: np.ndarray, folds: list[np.ndarray] | None,
           known: Sums | None) -> list[Sums]:
    """Sums of each inner fold of the `augmented` `rows` of `subset` (fold rows index into
    `subset`); with `known` (the sums of all of `subset`), the largest fold's as `known`
    minus the others'."""
    if folds is None:
        return [known if known is not None else Sums.of_rows(rows[subset], p)]
    largest = int(np.argmax([len(f) for f in folds])) if known is not None else -1
    parts: list[Sums | None] = [None if k == largest else Sums.of_rows(rows[subset[f]], p)
                                for k, f in enumerate(folds)]
    if known is not None:
        rest = known
        for part in parts:
            if part is not None:
                rest = rest - part
        parts[largest] = rest
    return parts
