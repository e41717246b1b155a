"""`GroupedRidgeCV`: standardised ridge regression with its penalty chosen by grouped CV."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["GroupedRidgeCV"]

DEFAULT_ALPHAS = tuple(float(a) for a in np.logspace(-3, 3, 13))


def _ridge_path(z: np.ndarray, y: np.ndarray, alphas: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ridge coefficients for every penalty at once (one eigendecomposition).

    Returns ``coefs`` of shape (n_alphas, n_features, n_targets) and the column means of
    ``z`` and ``y`` used for centring.
    """
    z_mean, y_mean = z.mean(axis=0), y.mean(axis=0)
    zc, yc = z - z_mean, y - y_mean
    w, v = np.linalg.eigh(zc.T @ zc)
    vb = v.T @ (zc.T @ yc)
    coefs = np.matmul(v, vb[None] / (w[None, :, None] + alphas[:, None, None]))
    return coefs, z_mean, y_mean


class GroupedRidgeCV(RegressorMixin, BaseEstimator):
    """Ridge regression on standardised features, penalty chosen by inner grouped K-fold.

    Features are z-scored with the training data's mean and standard deviation; the
    penalty is the one with the lowest held-out squared error over `n_splits` folds that
    keep each group (e.g. trial) on one side (`GroupKFold` when ``groups`` is given to
    `fit`, contiguous `KFold` otherwise); the model is then refitted on all the data.
    Every penalty is evaluated from one eigendecomposition per fold.

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
        mean, scale = X.mean(axis=0), X.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        z = (X - mean) / scale
        errors = np.zeros(alphas.size)
        n_groups = len(np.unique(groups)) if groups is not None else len(y2)
        if alphas.size > 1 and n_groups >= self.n_splits and len(y2) >= 2 * self.n_splits:
            splitter = GroupKFold(self.n_splits) if groups is not None else KFold(self.n_splits)
            for train, test in splitter.split(z, y2, groups):
                coefs, z_mean, y_mean = _ridge_path(z[train], y2[train], alphas)
                pred = np.matmul(z[test] - z_mean, coefs) + y_mean
                errors += ((pred - y2[test][None]) ** 2).sum(axis=(1, 2))
        best = int(np.argmin(errors))
        coefs, z_mean, y_mean = _ridge_path(z, y2, alphas[best:best + 1])
        coef = coefs[0] / scale[:, None]  # back to raw features
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
