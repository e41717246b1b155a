"""scikit-learn's `Ridge` and `RidgeCV` as `decode` uses them, fitted from sufficient statistics.

The ``"tutorial"`` protocol decodes with ``Ridge(alpha=0.1)``, the ``"paper"`` one with
``RidgeCV(alphas=(0.1, 1, 10))``; each is fitted on the training trials and again on all
of them (the returned model). Here both are fitted from the rows' sums
(`navdecode.analysis.ridge_stats.Sums`, one Gram matrix per row set), with scikit-learn's
own formulas, and returned as fitted scikit-learn estimators:

- ``Ridge(alpha)``: ``beta = (C_xx + alpha I)^-1 C_xy``, ``intercept = ybar - mu' beta``,
  with ``C`` the centred Gram matrices (`Ridge`'s Cholesky solver).
- ``RidgeCV(alphas)`` (efficient leave-one-out, `_RidgeGCV`'s covariance mode): with
  ``C_xx = V diag(w) V'``, ``z_i = V' (x_i - mu)`` and ``d = 1 / (w + alpha)``, the
  leave-one-out residual of row ``i`` is
  ``(y_i - ybar - z_i' diag(d) V' C_xy) / (1 - z_i' diag(d) z_i - 1/n)``; the penalty is
  the first with the lowest mean squared residual (over rows and targets), ``alpha_``,
  and ``best_score_`` is minus that mean.

Only estimators of exactly these types with the settings these formulas cover take this
path (`plain_ridge`); any other estimator is fitted by scikit-learn itself.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import Ridge, RidgeCV

from navdecode.analysis.ridge_stats import Sums, augmented

__all__ = ["plain_ridge", "ridge_fits"]

ROWS = 32_768
"""Rows of one chunk of `RidgeCV`'s leave-one-out residuals (memory stays bounded)."""


def plain_ridge(estimator: object) -> str | None:
    """``"ridge"`` or ``"ridgecv"`` for a `Ridge` / `RidgeCV` these formulas reproduce
    (intercept fitted, one positive penalty or penalties shared by all targets, no
    sample weights or scorer), else None."""
    if type(estimator) is Ridge:
        p = estimator.get_params()
        if p["fit_intercept"] and not p["positive"] and p["solver"] in ("auto", "cholesky") \
                and np.ndim(p["alpha"]) == 0 and float(p["alpha"]) > 0:
            return "ridge"
    if type(estimator) is RidgeCV:
        p = estimator.get_params()
        alphas = np.atleast_1d(np.asarray(p["alphas"], dtype=float))
        if p["cv"] is None and p["fit_intercept"] and p["scoring"] is None \
                and not p["alpha_per_target"] and not p.get("store_cv_results") \
                and p["gcv_mode"] in (None, "auto", "eigen") and alphas.ndim == 1 \
                and (alphas > 0).all():
            return "ridgecv"
    return None


def _solve(kind: str, estimator: BaseEstimator, sums: Sums, rows: np.ndarray, p: int,
           blocks: list[list[int]]) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Coefficients (p, q), intercept (q,) and each block's fitted attributes from the
    `sums` of the `augmented` `rows`; each block of targets is fitted on its own (its
    own penalty), sharing one Gram matrix and, for `RidgeCV`, one eigendecomposition."""
    mu, ybar = sums.x / sums.n, sums.y / sums.n
    gram = sums.centred_xx()
    cross = sums.xy - np.outer(sums.x, ybar)
    if kind == "ridge":
        alpha = float(estimator.alpha)
        coef = np.linalg.solve(gram + alpha * np.eye(p), cross)
        return coef, ybar - mu @ coef, [{"solver_": "cholesky", "n_iter_": None}] * len(blocks)
    alphas = np.atleast_1d(np.asarray(estimator.alphas, dtype=float))
    w, v = np.linalg.eigh(gram)
    b = v.T @ cross
    squared = np.zeros((len(alphas), cross.shape[1]))  # sum of squared residuals
    for start in range(0, len(rows), ROWS):  # in chunks of rows: bounded memory
        chunk = rows[start:start + ROWS]
        z = (chunk[:, :p] - mu) @ v
        z2 = z * z
        residual0 = chunk[:, p:-1] - ybar
        for k, alpha in enumerate(alphas):
            d = 1.0 / (w + alpha)
            looe = (residual0 - z @ (d[:, None] * b)) / (1.0 - z2 @ d - 1.0 / sums.n)[:, None]
            squared[k] += (looe ** 2).sum(axis=0)
    scores = np.stack([[-float(squared[k, block].sum() / (len(rows) * len(block)))
                        for block in blocks] for k in range(len(alphas))])
    coef, attrs = np.empty_like(cross), []
    for j, block in enumerate(blocks):
        best = _first_best(scores[:, j])
        coef[:, block] = v @ (b[:, block] / (w + alphas[best])[:, None])
        attrs.append({"alpha_": float(alphas[best]), "best_score_": float(scores[best, j])})
    return coef, ybar - mu @ coef, attrs


def _first_best(scores: np.ndarray) -> int:
    """The first penalty whose score no later one beats strictly (`_RidgeGCV`'s rule)."""
    best = 0
    for k in range(1, len(scores)):
        if scores[k] > scores[best]:
            best = k
    return best


def _fitted(estimator: BaseEstimator, coef: np.ndarray, intercept: np.ndarray,
            shift: np.ndarray, attrs: dict) -> BaseEstimator:
    """A clone of `estimator` fitted to `coef` (of features shifted by `shift`)."""
    model = clone(estimator)
    q = coef.shape[1]
    model.coef_ = coef.T.copy() if q > 1 else coef[:, 0].copy()  # as scikit-learn shapes it
    model.intercept_ = intercept - shift @ coef
    model.n_features_in_ = coef.shape[0]
    for key, value in attrs.items():
        setattr(model, key, value)
    return model


def ridge_fits(estimator: BaseEstimator, x: np.ndarray, y: np.ndarray,
               splits: list[tuple[np.ndarray, np.ndarray]], blocks: list[list[int]],
               test_x: np.ndarray | None = None, refit: bool = True
               ) -> tuple[list[np.ndarray], list[BaseEstimator | None]]:
    """`fold_fits` for a `plain_ridge` estimator: the predictions of each split's test rows
    by its fit on the training rows (or of `test_x` by the fit on all rows), and one
    model per target block fitted on all rows (None without `refit` and `test_x`). Each
    target block is fitted as scikit-learn fits ``clone(estimator)`` on that block's
    columns of `y`."""
    kind = plain_ridge(estimator)
    if kind is None:
        msg = f"estimator must be a plain Ridge or RidgeCV, got {estimator!r}"
        raise TypeError(msg)
    shift, p = x.mean(axis=0, dtype=float), x.shape[1]
    rows = augmented(x, y, shift)
    n = len(rows)
    predictions, full = [], None
    for train, test in splits:
        train_sums = Sums.of_rows(rows[train], p)
        coef, intercept, _ = _solve(kind, estimator, train_sums, rows[train], p, blocks)
        test_rows = rows[test]
        predictions.append(test_rows[:, :p] @ coef + intercept)
        if (refit or test_x is not None) and len(splits) == 1 and len(train) + len(
                test) == n and np.union1d(train, test).size == n:  # all rows' sums: the two
            full = train_sums + Sums.of_rows(test_rows, p)
        del test_rows
    if not refit and test_x is None:
        return predictions, [None] * len(blocks)
    full = Sums.of_rows(rows, p) if full is None else full
    coef, intercept, attrs = _solve(kind, estimator, full, rows, p, blocks)
    models = [_fitted(estimator, coef[:, block], intercept[block], shift, a)
              for block, a in zip(blocks, attrs, strict=True)]
    if test_x is not None:
        predictions.append((test_x - shift) @ coef + intercept)
    return predictions, models
