"""Cross-validated decoding of recorded variables from recurrent units (scikit-learn)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GroupKFold

from navdecode._validation import check_choice, check_dataset, check_int
from navdecode.estimators import GroupedRidgeCV

__all__ = ["DecodingResult", "decode", "default_decoder"]


def default_decoder() -> BaseEstimator:
    """Standardised ridge regression whose penalty is chosen by inner cross-validation.

    A `GroupedRidgeCV` over 13 penalties from 1e-3 to 1e3; inside `decode` its inner
    folds are grouped by trial too.

    Examples
    --------
    >>> from navdecode import default_decoder
    >>> type(default_decoder()).__name__
    'GroupedRidgeCV'
    """
    return GroupedRidgeCV()


def _fit(estimator: BaseEstimator, x: np.ndarray, y: np.ndarray,
         groups: np.ndarray) -> BaseEstimator:
    """Fit a clone, passing the trial groups to estimators whose fit accepts them."""
    model = clone(estimator)
    if "groups" in inspect.signature(model.fit).parameters:
        return model.fit(x, y, groups=groups)
    return model.fit(x, y)


@dataclass
class DecodingResult:
    """What `decode` returns.

    Attributes
    ----------
    predicted : xarray.Dataset
        Held-out prediction of each target variable, (trial, step), NaN where a step
        was not tested.
    error : xarray.DataArray
        Per-step decoding error, (trial, step): the Euclidean norm over the target
        variables of prediction minus truth (cm for positions).
    r2 : pandas.Series
        R² of each target variable over all held-out steps.
    scores : pandas.DataFrame
        One row per fold: ``fold``, ``n_train_trials``, ``n_test_trials``,
        ``mean_error`` and ``r2_<variable>``.
    model : estimator
        The estimator refitted on every trial of the training data.
    protocol : str
        ``"grouped"``, ``"tutorial"`` or ``"cross"``.
    shuffled : bool
        Whether the targets were shuffled across trials (the chance-level null).

    Examples
    --------
    >>> from navdecode import decode, fixed_targets, make_agent, run_agent
    >>> result = decode(run_agent(make_agent("modular", seed=0), fixed_targets(30)), n_splits=3)
    >>> list(result.error_by_step().columns)
    ['step', 'mean_error', 'sem', 'n']
    """

    predicted: xr.Dataset
    error: xr.DataArray
    r2: pd.Series
    scores: pd.DataFrame
    model: BaseEstimator
    protocol: str
    shuffled: bool = False
    attrs: dict[str, object] = field(default_factory=dict)

    @property
    def mean_error(self) -> float:
        """Mean per-step error over every held-out step."""
        return float(self.error.mean())

    def error_by_step(self) -> pd.DataFrame:
        """Mean, SEM and count of the error at each time step (tidy)."""
        err = self.error
        n = (~np.isnan(err)).sum("trial")
        return pd.DataFrame({"step": err["step"].values,
                             "mean_error": err.mean("trial").values,
                             "sem": (err.std("trial") / np.sqrt(n.where(n > 0))).values,
                             "n": n.values})


def _design(ds: xr.Dataset, features: str, targets: tuple[str, ...],
            name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows = valid steps: features X, targets Y, trial group, (trial, step) index."""
    check_dataset(ds, (features, *targets), name=name)
    feat = ds[features]
    if feat.dims[:2] != ("trial", "step") or feat.ndim != 3:
        msg = f"{name}[{features!r}] must have dims (trial, step, unit), got {feat.dims}"
        raise ValueError(msg)
    for t in targets:
        if ds[t].dims != ("trial", "step"):
            msg = f"{name}[{t!r}] must have dims (trial, step), got {ds[t].dims}"
            raise ValueError(msg)
    valid = ds["valid"].values.astype(bool)
    ti, si = np.nonzero(valid)
    x = feat.values[ti, si].astype(float)
    usable = np.isfinite(x).all(axis=0)
    if not usable.any():
        msg = f"{name}[{features!r}] has no unit with finite values on the valid steps"
        raise ValueError(msg)
    x = x[:, usable]
    y = np.stack([ds[t].values[ti, si] for t in targets], axis=1).astype(float)
    return x, y, ti, np.stack([ti, si], axis=1)


def _shuffle_targets(ds: xr.Dataset, targets: tuple[str, ...],
                     rng: np.random.Generator) -> xr.Dataset:
    """Give each trial another trial's target time series (steps beyond either end dropped)."""
    perm = rng.permutation(ds.sizes["trial"])
    out = ds.copy()
    for t in targets:
        out[t] = (("trial", "step"), ds[t].values[perm])
    out["valid"] = ds["valid"] & ds["valid"].values[perm]
    return out


def decode(ds: xr.Dataset, targets: tuple[str, ...] = ("pos_x", "pos_y"),
           estimator: BaseEstimator | None = None, cv: object = None, *,
           features: str = "hidden", protocol: str = "grouped", n_splits: int = 5,
           shuffle: bool = False, test_ds: xr.Dataset | None = None,
           seed: int = 0) -> DecodingResult:
    """Decode recorded variables from the recurrent units, cross-validated by trial.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent` (the training data).
    targets : tuple of str, default=("pos_x", "pos_y")
        Per-step variables to predict.
    estimator : scikit-learn regressor or None, default=None
        Any regressor; `default_decoder` (standardised ridge, penalty by inner CV) when
        None, ``Ridge(alpha=0.1)`` under ``protocol="tutorial"``.
    cv : scikit-learn splitter or None, default=None
        Any splitter; it receives the trial of each step as ``groups``. None uses
        ``GroupKFold(n_splits)``, so no trial's steps fall on both sides of a split.
    features : str, default="hidden"
        The (trial, step, unit) variable to decode from (``"cell"`` for LSTM c).
    protocol : {"grouped", "tutorial"}, default="grouped"
        ``"tutorial"`` reproduces the Neuromatch tutorial exactly: ``Ridge(alpha=0.1)``
        on raw units, trained on the first 70% of trials and tested on the last 30%.
    n_splits : int, default=5
        Folds of the default splitter.
    shuffle : bool, default=False
        Shuffle null: each trial's targets are replaced by another trial's, so the
        result is the chance level of the decoder.
    test_ds : xarray.Dataset or None, default=None
        Cross-condition decoding: fit on all of `ds`, score on all of `test_ds` (e.g.
        fit at gain 1x, test at 2x). `cv` and `protocol` are then ignored.
    seed : int, default=0
        Seed of the shuffle.

    Returns
    -------
    result : DecodingResult

    Examples
    --------
    >>> from navdecode import decode, fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(40))
    >>> result = decode(ds, n_splits=4)
    >>> result.error.dims
    ('trial', 'step')
    """
    if isinstance(targets, str):
        targets = (targets,)
    if not isinstance(targets, (tuple, list)) or not targets or not all(
            isinstance(t, str) for t in targets):
        msg = f"targets must be a non-empty tuple of variable names, got {targets!r}"
        raise TypeError(msg)
    targets = tuple(targets)
    check_choice(protocol, "protocol", ("grouped", "tutorial"))
    check_int(n_splits, "n_splits", minimum=2)
    if not isinstance(shuffle, bool):
        msg = f"shuffle must be a bool, got {type(shuffle).__name__}"
        raise TypeError(msg)
    if estimator is not None and not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        msg = f"estimator must be a scikit-learn regressor, got {type(estimator).__name__}"
        raise TypeError(msg)
    rng = np.random.default_rng(seed)
    train_ds = _shuffle_targets(ds, targets, rng) if shuffle else ds
    check_dataset(train_ds, targets)
    if estimator is None:
        estimator = Ridge(alpha=0.1) if protocol == "tutorial" and test_ds is None \
            else default_decoder()
    x, y, groups, index = _design(train_ds, features, targets, "ds")

    if test_ds is not None:
        out_ds = _shuffle_targets(test_ds, targets, rng) if shuffle else test_ds
        x_test, y_test, _, test_index = _design(out_ds, features, targets, "test_ds")
        if x_test.shape[1] != x.shape[1]:
            msg = f"test_ds has {x_test.shape[1]} usable units, ds has {x.shape[1]}"
            raise ValueError(msg)
        model = _fit(estimator, x, y, groups)
        pred = np.asarray(model.predict(x_test)).reshape(y_test.shape)
        folds = [(np.unique(groups), test_index, y_test, pred)]
        label, like = "cross", out_ds
    else:
        if protocol == "tutorial":
            n_train = round(0.7 * train_ds.sizes["trial"])
            splits = [(np.nonzero(groups < n_train)[0], np.nonzero(groups >= n_train)[0])]
        else:
            splitter = GroupKFold(n_splits=n_splits) if cv is None else cv
            if not hasattr(splitter, "split"):
                msg = f"cv must be a scikit-learn splitter, got {type(cv).__name__}"
                raise TypeError(msg)
            splits = list(splitter.split(x, y, groups))
        folds = []
        for train_idx, test_idx in splits:
            fold_model = _fit(estimator, x[train_idx], y[train_idx], groups[train_idx])
            pred = np.asarray(fold_model.predict(x[test_idx])).reshape(-1, y.shape[1])
            folds.append((np.unique(groups[train_idx]), index[test_idx], y[test_idx], pred))
        model = _fit(estimator, x, y, groups)
        label, like = protocol, train_ds

    shape = (like.sizes["trial"], like.sizes["step"])
    predicted = {t: np.full(shape, np.nan) for t in targets}
    error = np.full(shape, np.nan)
    rows = []
    for k, (train_trials, idx, truth, pred) in enumerate(folds):
        for j, t in enumerate(targets):
            predicted[t][idx[:, 0], idx[:, 1]] = pred[:, j]
        err = np.sqrt(np.sum((pred - truth) ** 2, axis=1))
        error[idx[:, 0], idx[:, 1]] = err
        row = {"fold": k, "n_train_trials": len(train_trials),
               "n_test_trials": len(np.unique(idx[:, 0])), "mean_error": float(err.mean())}
        row |= {f"r2_{t}": float(r2_score(truth[:, j], pred[:, j])) for j, t in enumerate(targets)}
        rows.append(row)
    coords = {"trial": like["trial"].values, "step": like["step"].values}
    tested = ~np.isnan(error)
    r2 = pd.Series({t: float(r2_score(like[t].values[tested], predicted[t][tested]))
                    for t in targets}, name="r2")
    units = like[targets[0]].attrs.get("units", "")
    return DecodingResult(
        predicted=xr.Dataset({t: (("trial", "step"), predicted[t]) for t in targets},
                             coords=coords),
        error=xr.DataArray(error, coords=coords, dims=("trial", "step"), name="decoding_error",
                           attrs={"units": units, "long_name": "decoding error"}),
        r2=r2, scores=pd.DataFrame(rows), model=model, protocol=label, shuffled=shuffle,
        attrs={"arch": ds.attrs.get("arch", ""), "seed": ds.attrs.get("seed", -1),
               "estimator": repr(estimator), "features": features},
    )


