"""`GroupedRidgeCV`: standardised ridge regression with its penalty chosen by grouped CV."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["GroupedRidgeCV"]

DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-3, 3, 13))


def _sums(z: np.ndarray, y: np.ndarray) -> tuple:
    """The sufficient statistics of rows (z, y) for ridge: n, sum z, z'z, sum y, z'y, sum y^2."""
    return len(z), z.sum(axis=0), z.T @ z, y.sum(axis=0), z.T @ y, (y * y).sum(axis=0)


def _minus(total: tuple, part: tuple) -> tuple:
    return tuple(a - b for a, b in zip(total, part, strict=True))


def _path(train: tuple) -> tuple:
    """Eigen-solution of centred ridge on `train`'s statistics: for every penalty a,
    ``beta(a) = V diag(1 / (w + a)) V' C_zy`` with ``C_zz = V diag(w) V'`` the centred
    Gram matrix ``z'z - n mu mu'`` and ``C_zy = z'y - n mu ybar'``."""
    n, s, zz, t, zy, _ = train
    mu, ybar = s / n, t / n
    w, v = np.linalg.eigh(zz - np.outer(s, mu))
    b = v.T @ (zy - np.outer(s, ybar))
    return mu, ybar, w, v, b


def _held_out_errors(train: tuple, test: tuple, alphas: np.ndarray) -> np.ndarray:
    """Summed squared error on `test` of the ridge fitted on `train`, for every penalty,
    from the two sets' statistics alone (no row is touched):
    ``SSE(a) = sum e^2 - 2 beta' sum d e' + beta' (sum d d') beta`` with ``d = z - mu``,
    ``e = y - ybar`` (the training means), summed over targets."""
    mu, ybar, w, v, b = _path(train)
    n_k, s_k, zz_k, t_k, zy_k, yy_k = test
    dd = zz_k - np.outer(s_k, mu) - np.outer(mu, s_k) + n_k * np.outer(mu, mu)
    de = zy_k - np.outer(s_k, ybar) - np.outer(mu, t_k) + n_k * np.outer(mu, ybar)
    ee = yy_k - 2 * ybar * t_k + n_k * ybar ** 2
    g, h = v.T @ dd @ v, v.T @ de
    c = b[None] / (w[None, :, None] + alphas[:, None, None])  # coefficients, eigenbasis
    return ee.sum() - 2 * np.einsum("apq,pq->a", c, h) + np.einsum(
        "aiq,ij,ajq->a", c, g, c, optimize=True)


class GroupedRidgeCV(RegressorMixin, BaseEstimator):
    """Ridge regression on standardised features, penalty chosen by inner grouped K-fold.

    Features are z-scored with the training data's mean and standard deviation; the
    penalty is the one with the lowest held-out squared error over `n_splits` folds that
    keep each group (e.g. trial) on one side (`GroupKFold` when ``groups`` is given to
    `fit`, contiguous `KFold` otherwise); the model is then refitted on all the data.
    Every penalty is evaluated from one eigendecomposition per fold, on the folds'
    sufficient statistics: each inner fold's ``n``, ``sum z``, ``z'z``, ``sum y``, ``z'y``
    and ``sum y^2`` are formed once, a fold's training statistics are the total minus
    its own, and its held-out error for every penalty follows from the two without
    touching a row again (``SSE(a) = sum e^2 - 2 beta' sum d e' + beta' (sum d d') beta``
    with ``d``, ``e`` the held-out rows' deviations from the training means).

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
        alphas = np.atleast_1d(np.asarray(self.alphas, dtype=float))
        if alphas.ndim != 1 or alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(
                alphas <= 0):
            msg = (f"alphas must be a non-empty 1-d array of finite values > 0, got "
                   f"{self.alphas!r}")
            raise ValueError(msg)
        single = y.ndim == 1
        y2 = y.reshape(len(y), -1).astype(float)
        mean = X.mean(axis=0)
        z = X - mean  # one centred copy, scaled in place
        scale = np.sqrt(np.einsum("ij,ij->j", z, z) / len(z))  # X.std, without its copies
        scale = np.where(scale > 0, scale, 1.0)
        z /= scale
        errors = np.zeros(alphas.size)
        n_groups = len(np.unique(groups)) if groups is not None else len(y2)
        if alphas.size > 1 and n_groups >= self.n_splits and len(y2) >= 2 * self.n_splits:
            # each inner fold's statistics once; a fold's training set is the rest
            splitter = GroupKFold(self.n_splits) if groups is not None else KFold(self.n_splits)
            parts = [_sums(z[test], y2[test]) for _, test in splitter.split(z, y2, groups)]
            total = tuple(sum(values) for values in zip(*parts, strict=True))
            for part in parts:
                errors += _held_out_errors(_minus(total, part), part, alphas)
        else:
            total = _sums(z, y2)
        best = int(np.argmin(errors))
        z_mean, y_mean, w, v, b = _path(total)
        coef = (v @ (b / (w[:, None] + alphas[best]))) / scale[:, None]  # raw features
        intercept = y_mean - (mean + z_mean * scale) @ coef
        self.alpha_ = float(alphas[best])
        self.cv_errors_ = errors
        self.coef_ = coef[:, 0] if single else coef.T
        self.intercept_ = float(intercept[0]) if single else intercept
        return self

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
