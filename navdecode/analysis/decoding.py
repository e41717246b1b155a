"""Cross-validated decoding of recorded variables from recurrent units (scikit-learn).

Input checks and the design matrix (`_prepare`), the splits of each protocol
(`_splits`), fitting (`_fit`) and the result's shape (`_result`) are separate steps;
`decode` strings them together.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
import xarray as xr
from sklearn import config_context
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.utils.metadata_routing import get_routing_for_object

from navdecode._validation import check_bool, check_choice, check_int
from navdecode.analysis.estimators import GroupedRidgeCV, fold_fits
from navdecode.analysis.metrics import pearson_r
from navdecode.analysis.ridge_stats import group_index, group_kfold
from navdecode.analysis.sklearn_ridges import plain_ridge, ridge_fits
from navdecode.recording.identity import fingerprint
from navdecode.recording.schema import check_recording

__all__ = ["CONTROLS", "PROTOCOLS", "DecodingResult", "decode", "decode_each", "default_decoder"]

PROTOCOLS = ("grouped", "tutorial", "paper")
CONTROLS = ("shuffle", "time", "untrained")
PAPER_ALPHAS = (0.1, 1.0, 10.0)
TRAIN_FRACTION = 0.7


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


@dataclass
class DecodingResult:
    """What `decode` returns.

    Attributes
    ----------
    predicted : xarray.Dataset
        Held-out prediction of each target variable, (trial, step), NaN where a step
        was not tested.
    errors : xarray.Dataset
        Per-step decoding errors, (trial, step), one variable per error group, each in
        its own units: a position pair ``<name>_x``, ``<name>_y`` in the same units
        gives the Euclidean error ``<name>`` (``pos`` for ``pos_x``, ``pos_y``, cm);
        every other target its absolute error under its own name. Variables in
        different units are never merged.
    r2 : pandas.Series
        R² of each target variable over all held-out steps.
    pearson_r : pandas.Series
        Pearson's r of each target variable's held-out prediction with its true value
        over all held-out steps, ``r = sum (y - ybar)(yhat - yhatbar) / sqrt(sum (y -
        ybar)^2 sum (yhat - yhatbar)^2)``: the paper's decoder performance (its figure
        1l); NaN for a constant target or prediction.
    scores : pandas.DataFrame
        One row per fold: ``fold``, ``n_train_trials``, ``n_test_trials``,
        ``mean_error_<group>`` and ``r2_<variable>`` (plus ``mean_error`` when there
        is one error group).
    model : estimator or None
        The estimator refitted on every trial of the training data (None when decoded
        with ``refit=False``).
    protocol : str
        ``"grouped"``, ``"tutorial"``, ``"paper"`` or ``"cross"``.
    control : str or None
        None for the agent's own units; ``"shuffle"``, ``"time"`` or ``"untrained"``
        for a control (see `decode`).

    Examples
    --------
    >>> from navdecode import decode, fixed_targets, make_agent, run_agent
    >>> result = decode(run_agent(make_agent("modular", seed=0), fixed_targets(30)), n_splits=3)
    >>> list(result.errors), result.error.attrs["units"]
    (['pos'], 'cm')
    """

    predicted: xr.Dataset
    errors: xr.Dataset
    r2: pd.Series
    pearson_r: pd.Series
    scores: pd.DataFrame
    model: BaseEstimator | None
    protocol: str
    control: str | None = None
    attrs: dict[str, object] = field(default_factory=dict)

    @property
    def shuffled(self) -> bool:
        """Whether this is the trial-shuffle control."""
        return self.control == "shuffle"

    @property
    def error(self) -> xr.DataArray:
        """The per-step error when there is one error group (else see `errors`)."""
        names = list(self.errors.data_vars)
        if len(names) != 1:
            msg = (f"the targets form {len(names)} error groups {names} in different units; "
                   f"use result.errors[name] or result.mean_errors")
            raise ValueError(msg)
        return self.errors[names[0]]

    @property
    def mean_error(self) -> float:
        """Mean per-step error over every held-out step (one error group only)."""
        return float(self.error.mean())

    @property
    def mean_errors(self) -> pd.Series:
        """Mean per-step error of each error group, in its own units."""
        return pd.Series({name: float(err.mean()) for name, err in self.errors.items()},
                         name="mean_error")

    def _error_group(self, name: str | None) -> xr.DataArray:
        if name is None:
            return self.error
        if name not in self.errors:
            msg = f"name={name!r} is not an error group; the groups are {list(self.errors)}"
            raise ValueError(msg)
        return self.errors[name]

    def error_by_step(self, name: str | None = None) -> pd.DataFrame:
        """Mean, SEM and count of the error at each time step (tidy).

        Parameters
        ----------
        name : str or None, default=None
            Error group; the only one when None.
        """
        err = self._error_group(name)
        n = (~np.isnan(err)).sum("trial")
        return pd.DataFrame({"step": err["step"].values,
                             "mean_error": err.mean("trial").values,
                             "sem": (err.std("trial") / np.sqrt(n.where(n > 0))).values,
                             "n": n.values})

    def last_step_error(self, name: str | None = None) -> pd.Series:
        """Each trial's error at its last tested step: ``e_i = e_{i, s_i}`` with ``s_i``
        the largest step of trial i whose error is finite (the decoded belief when the
        agent stopped; the paper's figure S5b sets it against the stop error). NaN for a
        trial with no tested step.

        Parameters
        ----------
        name : str or None, default=None
            Error group; the only one when None.

        Examples
        --------
        >>> from navdecode import decode, fixed_targets, load_pretrained, run_agent
        >>> result = decode(run_agent(load_pretrained("modular", 0), fixed_targets(40)),
        ...                 n_splits=4)
        >>> result.last_step_error().shape
        (40,)
        """
        err = self._error_group(name).values
        tested = np.isfinite(err)
        last = err.shape[1] - 1 - np.argmax(tested[:, ::-1], axis=1)
        values = err[np.arange(err.shape[0]), last]
        values[~tested.any(axis=1)] = np.nan
        return pd.Series(values, index=self.errors["trial"].values, name="last_step_error")


# --- input checks and the design matrix ---------------------------------------------------

def _check_targets(targets: object) -> tuple[str, ...]:
    if isinstance(targets, str):
        targets = (targets,)
    if not isinstance(targets, (tuple, list)) or not targets or not all(
            isinstance(t, str) for t in targets):
        msg = f"targets must be a non-empty tuple of variable names, got {targets!r}"
        raise TypeError(msg)
    if len(set(targets)) != len(targets):
        msg = f"targets must not repeat a variable, got {targets!r}"
        raise ValueError(msg)
    return tuple(targets)


def _error_groups(ds: xr.Dataset, targets: tuple[str, ...]) -> list[tuple[str, list[int]]]:
    """(name, target indices): x/y pairs in the same units together, every other alone."""
    units = {t: ds[t].attrs.get("units", "") for t in targets}
    groups, used = [], set()
    for i, t in enumerate(targets):
        if i in used:
            continue
        partner = t[:-2] + "_y" if t.endswith("_x") else None
        if partner in targets and units[partner] == units[t]:
            j = targets.index(partner)
            groups.append((t[:-2], [i, j]))
            used |= {i, j}
        else:
            groups.append((t, [i]))
            used.add(i)
    return groups


def _unit_labels(ds: xr.Dataset, features: str) -> np.ndarray:
    dim = ds[features].dims[2]
    return ds[dim].values if dim in ds.coords else np.arange(ds.sizes[dim])


def _feature_values(ds: xr.Dataset, features: str, name: str) -> np.ndarray:
    check_recording(ds, [features], analysis="decode", name=name)
    feat = ds[features]
    if feat.dims[:2] != ("trial", "step") or feat.ndim != 3:
        msg = f"{name}[{features!r}] must have dims (trial, step, unit), got {feat.dims}"
        raise ValueError(msg)
    return feat.values


def _rows(ds: xr.Dataset, values: np.ndarray, targets: tuple[str, ...],
          name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows = valid steps: features, targets and (trial, step) index."""
    check_recording(ds, targets, analysis="decode", name=name)
    for t in targets:
        if ds[t].dims != ("trial", "step"):
            msg = f"{name}[{t!r}] must have dims (trial, step), got {ds[t].dims}"
            raise ValueError(msg)
    ti, si = np.nonzero(ds["valid"].values.astype(bool))
    x = values[ti, si]  # in the recording's dtype; the estimator's path converts
    y = np.stack([ds[t].values[ti, si] for t in targets], axis=1).astype(float)
    if not np.isfinite(y).all():
        msg = f"{name}: targets {list(targets)} have non-finite values on valid steps"
        raise ValueError(msg)
    return x, y, np.stack([ti, si], axis=1)


def _usable_units(xs: list[np.ndarray], name: str, features: str) -> np.ndarray:
    usable = np.logical_and.reduce([np.isfinite(x).all(axis=0) for x in xs])
    if usable.any() and not usable.all():
        dropped = np.nonzero(~usable)[0]
        warnings.warn(f"decode left out {dropped.size} of {usable.size} {features} units with "
                      f"non-finite values on valid steps of {name} (units "
                      f"{dropped[:10].tolist()}{' ...' if dropped.size > 10 else ''}); the "
                      "result's attrs['n_units'] counts the units used",
                      RuntimeWarning, stacklevel=3)
    if not usable.any():
        msg = f"{name}[{features!r}] has no unit with finite values on the valid steps"
        raise ValueError(msg)
    return usable


def _float_units(x: np.ndarray, usable: np.ndarray, by_sums: bool) -> np.ndarray:
    """The usable units' columns, float64 for any estimator (the sums' path converts as
    it forms its rows)."""
    x = x if usable.all() else x[:, usable]
    return x if by_sums else x.astype(float)


def _shuffle_targets(ds: xr.Dataset, targets: tuple[str, ...],
                     rng: np.random.Generator) -> xr.Dataset:
    """Give each trial another trial's target time series (steps beyond either end dropped)."""
    perm = rng.permutation(ds.sizes["trial"])
    out = ds.copy()
    for t in targets:
        out[t] = (("trial", "step"), ds[t].values[perm], ds[t].attrs)
    out["valid"] = ds["valid"] & ds["valid"].values[perm]
    return out


def _trial_groups(ds: xr.Dataset, allow_duplicates: bool) -> np.ndarray:
    """One integer group per trial, equal for trials with the same ``trial_id``."""
    from navdecode.recording.identity import trial_ids

    ids = trial_ids(ds)
    groups, unique = pd.factorize(ids)  # numbered in order of first appearance
    if len(unique) < len(ids) and not allow_duplicates:
        msg = (f"ds holds {len(ids) - len(unique)} repeated trial(s) (the same trial_id more "
               f"than once, e.g. a recording concatenated with itself); decoding it would "
               f"count copies of a trial as independent. Pass allow_duplicate_trials=True "
               f"to decode it anyway (copies stay in one fold)")
        raise ValueError(msg)
    return groups


def _control_features(ds: xr.Dataset, features: str, control: str | None,
                      name: str, untrained: torch.nn.Module | None = None) -> np.ndarray:
    if control == "time":
        from navdecode.analysis.controls import time_features

        check_recording(ds, name=name)
        return time_features(ds)
    if control == "untrained":
        from navdecode.analysis.controls import untrained_recording

        return _feature_values(untrained_recording(ds, actor=untrained), features, name)
    return _feature_values(ds, features, name)


# --- protocols: how trials are split ------------------------------------------------------

def _splits(protocol: str, cv: object, n_splits: int, x: np.ndarray, y: np.ndarray,
            groups: np.ndarray, allow_trial_leak: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    if protocol in ("tutorial", "paper"):
        trials = np.unique(groups)
        n_train = round(TRAIN_FRACTION * len(trials))
        first = np.isin(groups, trials[:n_train])
        return [(np.nonzero(first)[0], np.nonzero(~first)[0])]
    if cv is None or (isinstance(cv, int) and not isinstance(cv, bool)):
        n_folds = n_splits if cv is None else check_int(cv, "cv", minimum=2)
        fold = group_kfold(groups, n_folds)  # GroupKFold(n_folds)'s folds; never leaks
        return [(np.nonzero(fold != f)[0], np.nonzero(fold == f)[0]) for f in range(n_folds)]
    if hasattr(cv, "split") and hasattr(cv, "get_n_splits"):
        splitter = cv
    else:
        msg = f"cv must be an int or a scikit-learn splitter, got {type(cv).__name__}"
        raise TypeError(msg)
    with warnings.catch_warnings():  # ungrouped splitters say they ignore groups
        warnings.filterwarnings("ignore", message="The groups parameter is ignored",
                                category=UserWarning)
        splits = list(splitter.split(x, y, groups))
    if not allow_trial_leak:
        for k, (train, test) in enumerate(splits):
            shared = np.intersect1d(groups[train], groups[test])
            if shared.size:
                msg = (f"cv split {k} puts steps of {shared.size} trial(s) on both sides (e.g. "
                       f"trial {shared[0]}); neighbouring steps of one trial are nearly "
                       f"identical, so this inflates decoding. Use a grouped splitter, or "
                       f"allow_trial_leak=True to accept it")
                raise ValueError(msg)
    return splits


def _default_estimator(protocol: str) -> BaseEstimator:
    if protocol == "tutorial":
        return Ridge(alpha=0.1)
    if protocol == "paper":
        return RidgeCV(alphas=PAPER_ALPHAS)
    return default_decoder()


def _fit(estimator: BaseEstimator, x: np.ndarray, y: np.ndarray,
         groups: np.ndarray) -> BaseEstimator:
    """Fit a clone; the trial groups go to every part of it that asks for them.

    scikit-learn's metadata routing carries ``groups`` into a Pipeline, a search
    (`GridSearchCV`'s splitter) or any estimator that requests it; an estimator outside
    routing whose ``fit`` takes ``groups`` gets them directly.
    """
    model = clone(estimator)
    with config_context(enable_metadata_routing=True):
        consumed = get_routing_for_object(model).consumes(method="fit", params={"groups"})
        if consumed:
            return model.fit(x, y, groups=groups)
    if "groups" in inspect.signature(model.fit).parameters:
        return model.fit(x, y, groups=groups)
    return model.fit(x, y)


# --- the result -------------------------------------------------------------------------

def _r2(truth: np.ndarray, pred: np.ndarray) -> float:
    """``R^2 = 1 - sum (y - yhat)^2 / sum (y - ybar)^2``, as `sklearn.metrics.r2_score`
    (1 for a constant target predicted exactly, 0 for one predicted otherwise)."""
    residual = float(np.sum((truth - pred) ** 2))
    total = float(np.sum((truth - truth.mean()) ** 2))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return 1.0 - residual / total


def _result(like: xr.Dataset, targets: tuple[str, ...], folds: list, model: BaseEstimator,
            protocol: str, control: str | None, attrs: dict) -> DecodingResult:
    groups = _error_groups(like, targets)
    shape = (like.sizes["trial"], like.sizes["step"])
    predicted = {t: np.full(shape, np.nan) for t in targets}
    errors = {name: np.full(shape, np.nan) for name, _ in groups}
    rows = []
    for k, (n_train_trials, idx, truth, pred) in enumerate(folds):
        for j, t in enumerate(targets):
            predicted[t][idx[:, 0], idx[:, 1]] = pred[:, j]
        row = {"fold": k, "n_train_trials": n_train_trials,
               "n_test_trials": group_index(idx[:, 0])[0]}
        for name, members in groups:
            err = np.sqrt(np.sum((pred[:, members] - truth[:, members]) ** 2, axis=1))
            errors[name][idx[:, 0], idx[:, 1]] = err
            row[f"mean_error_{name}"] = float(err.mean())
        if len(groups) == 1:
            row["mean_error"] = row[f"mean_error_{groups[0][0]}"]
        row |= {f"r2_{t}": _r2(truth[:, j], pred[:, j]) for j, t in enumerate(targets)}
        rows.append(row)
    coords = {"trial": like["trial"].values, "step": like["step"].values}
    tested = ~np.isnan(predicted[targets[0]])
    r2 = pd.Series({t: _r2(like[t].values[tested], predicted[t][tested]) for t in targets},
                   name="r2")
    pearson = pd.Series({t: pearson_r(like[t].values[tested], predicted[t][tested])
                         for t in targets}, name="pearson_r")
    source = fingerprint(like)  # results say which recording they came from
    error_vars = {
        name: (("trial", "step"), errors[name],
               {"units": like[targets[members[0]]].attrs.get("units", ""),
                "long_name": f"decoding error of {' and '.join(targets[m] for m in members)}",
                "recording": source})
        for name, members in groups}
    return DecodingResult(
        predicted=xr.Dataset({t: (("trial", "step"), predicted[t], like[t].attrs)
                              for t in targets}, coords=coords, attrs={"recording": source}),
        errors=xr.Dataset(error_vars, coords=coords, attrs={"recording": source}),
        r2=r2, pearson_r=pearson, scores=pd.DataFrame(rows), model=model, protocol=protocol,
        control=control, attrs=attrs)


def decode(ds: xr.Dataset, targets: tuple[str, ...] = ("pos_x", "pos_y"),
           estimator: BaseEstimator | None = None, cv: object = None, *,
           features: str = "hidden", protocol: str = "grouped", n_splits: int = 5,
           control: str | None = None, shuffle: bool = False,
           test_ds: xr.Dataset | None = None, allow_trial_leak: bool = False,
           seed: int = 0, untrained: torch.nn.Module | None = None,
           allow_duplicate_trials: bool = False, refit: bool = True) -> DecodingResult:
    """Decode recorded variables from the recurrent units, cross-validated by trial.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent` (the training data).
    targets : tuple of str, default=("pos_x", "pos_y")
        Per-step variables to predict. Errors are reported per error group in each
        variable's own units (see `DecodingResult.errors`).
    estimator : scikit-learn regressor or None, default=None
        Any regressor, Pipeline or search. None: `default_decoder` for ``"grouped"``
        and cross-condition decoding, ``Ridge(alpha=0.1)`` for ``"tutorial"``,
        ``RidgeCV(alphas=(0.1, 1, 10))`` for ``"paper"``. Trial groups reach every
        part of it that requests them through scikit-learn's metadata routing.
    cv : int, scikit-learn splitter or None, default=None
        ``"grouped"`` protocol only. None: ``GroupKFold(n_splits)``; an int: that many
        trial-grouped folds; a splitter gets the trial of each step as ``groups``. A
        split that puts steps of one trial on both sides is refused unless
        `allow_trial_leak`.
    features : str, default="hidden"
        The (trial, step, unit) variable to decode from (``"cell"`` for LSTM c).
    protocol : {"grouped", "tutorial", "paper"}, default="grouped"
        ``"grouped"``: K-fold CV with whole trials in each fold. ``"tutorial"``: the
        Neuromatch tutorial, ``Ridge(alpha=0.1)`` on raw units, first 70% of trials
        train, last 30% test. ``"paper"``: the paper's decoder, ``RidgeCV`` with
        alphas 0.1, 1, 10 (its efficient leave-one-step-out penalty choice), the same
        70/30 split.
    n_splits : int, default=5
        Folds of the default splitter.
    control : {None, "shuffle", "time", "untrained"}, default=None
        A baseline decoded the same way. ``"shuffle"``: each trial's targets replaced by
        another trial's; it keeps time-in-trial, so variables that grow with time
        (distance, y position) stay decodable under it: it is not chance level.
        ``"time"``: features are the step index alone (one-hot), the error a decoder
        reaches from the average trajectory. ``"untrained"``: the units of the same
        architecture with its weights before training, fed the recorded input sequence
        (`untrained_recording`).
    shuffle : bool, default=False
        Same as ``control="shuffle"``.
    test_ds : xarray.Dataset or None, default=None
        Cross-condition decoding: fit on all of `ds`, score on all of `test_ds` (e.g.
        fit at gain 1x, test at 2x). Units are matched by their ``unit`` labels; the
        two recordings must have the same units. `cv` and `protocol` are then ignored.
    allow_trial_leak : bool, default=False
        Accept a `cv` that splits trials.
    seed : int, default=0
        Seed of the shuffle.
    untrained : torch.nn.Module or None, default=None
        With ``control="untrained"``: the untrained network to feed the recorded inputs
        (any module called as ``actor(x, state) -> (action, state)``). When None,
        navdecode's own architecture at the recording's ``agent_seed`` (its weights
        before training); a recording that names no seed is refused.
    allow_duplicate_trials : bool, default=False
        Accept a recording that holds a trial more than once (the same ``trial_id``,
        e.g. a recording concatenated with itself). Folds always group by ``trial_id``,
        so copies of a trial never sit on both sides of a split.
    refit : bool, default=True
        Fit the returned model (`DecodingResult.model`) on every trial. False leaves it
        None and saves that fit when only the held-out predictions and scores are
        wanted (as the report does); cross-condition decoding always fits it.

    Returns
    -------
    result : DecodingResult

    Raises
    ------
    ValueError
        Unknown protocol or control, a leaking splitter, recordings whose units differ,
        missing variables.

    Examples
    --------
    >>> from navdecode import decode, fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(40))
    >>> result = decode(ds, n_splits=4)
    >>> result.error.dims
    ('trial', 'step')
    """
    return decode_each(ds, [targets], estimator, cv, features=features, protocol=protocol,
                       n_splits=n_splits, control=control, shuffle=shuffle, test_ds=test_ds,
                       allow_trial_leak=allow_trial_leak, seed=seed, untrained=untrained,
                       allow_duplicate_trials=allow_duplicate_trials, refit=refit)[0]


def decode_each(ds: xr.Dataset, target_sets: Sequence[tuple[str, ...]],
                estimator: BaseEstimator | None = None, cv: object = None, *,
                features: str = "hidden", protocol: str = "grouped", n_splits: int = 5,
                control: str | None = None, shuffle: bool = False,
                test_ds: xr.Dataset | None = None, allow_trial_leak: bool = False,
                seed: int = 0, untrained: torch.nn.Module | None = None,
                allow_duplicate_trials: bool = False, refit: bool = True
                ) -> list[DecodingResult]:
    """`decode` of several target sets from the same features, sharing the work.

    Equal to ``[decode(ds, targets, ...) for targets in target_sets]`` (each set its own
    penalty, folds, errors and model), but the features, the folds and, for the default
    `GroupedRidgeCV`, every fold's Gram matrix are made once: a second set on the same
    units (e.g. the ideal observer's belief beside the position) costs its own targets'
    cross terms and solves, not a second decode.

    Parameters
    ----------
    ds : xarray.Dataset
    target_sets : sequence of tuple of str
        Each a `targets` of `decode`.
    estimator, cv, features, protocol, n_splits, control, shuffle, test_ds, \
allow_trial_leak, seed, untrained, allow_duplicate_trials
        As in `decode`.

    Returns
    -------
    results : list of DecodingResult
        One per target set, in order.

    Examples
    --------
    >>> from navdecode import decode_each, fixed_targets, make_agent, run_agent
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(40))
    >>> position, heading = decode_each(ds, [("pos_x", "pos_y"), ("heading",)], n_splits=4)
    >>> list(position.errors), list(heading.errors)
    (['pos'], ['heading'])
    """
    if isinstance(target_sets, str) or not isinstance(target_sets, Sequence) or not target_sets:
        msg = f"target_sets must be a non-empty sequence of target tuples, got {target_sets!r}"
        raise TypeError(msg)
    sets = [_check_targets(t) for t in target_sets]
    check_choice(protocol, "protocol", PROTOCOLS)
    check_int(n_splits, "n_splits", minimum=2)
    for flag, flag_name in ((shuffle, "shuffle"), (allow_trial_leak, "allow_trial_leak"),
                            (allow_duplicate_trials, "allow_duplicate_trials")):
        check_bool(flag, flag_name)
    check_bool(refit, "refit")
    if untrained is not None and control != "untrained":
        msg = f"untrained= is the network of control='untrained', got {control=}"
        raise ValueError(msg)
    if control is not None:
        check_choice(control, "control", CONTROLS)
    if shuffle and control not in (None, "shuffle"):
        msg = f"shuffle=True is control='shuffle'; it cannot be combined with {control=}"
        raise ValueError(msg)
    control = "shuffle" if shuffle else control
    if estimator is not None and not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        msg = f"estimator must be a scikit-learn regressor, got {type(estimator).__name__}"
        raise TypeError(msg)
    if cv is not None and protocol != "grouped" and test_ds is None:
        msg = f"cv applies to protocol='grouped' only, got {protocol=}"
        raise ValueError(msg)
    if test_ds is not None and (cv is not None or protocol != "grouped"):
        msg = ("with test_ds (cross-condition decoding: fit on all of ds, score on all of "
               f"test_ds) there are no folds; cv and protocol do not apply, got {protocol=}"
               f"{' and a cv' if cv is not None else ''}")
        raise ValueError(msg)
    union = tuple(dict.fromkeys(t for targets in sets for t in targets))
    # each set's columns of y; sets sharing a target get their own copy of its column
    columns = [[union.index(t) for t in targets] for targets in sets]
    blocks = np.split(np.arange(sum(map(len, sets))), np.cumsum([len(t) for t in sets])[:-1])
    rng = np.random.default_rng(seed)
    train_ds = _shuffle_targets(ds, union, rng) if control == "shuffle" else ds
    estimator = _default_estimator("grouped" if test_ds is not None else protocol) \
        if estimator is None else estimator
    # exactly ours, or scikit-learn's plain Ridge / RidgeCV: fitted from sums
    sums_fits = fold_fits if type(estimator) is GroupedRidgeCV else \
        ridge_fits if plain_ridge(estimator) else None
    by_sums = sums_fits is not None
    x, y_union, index = _rows(train_ds, _control_features(ds, features, control, "ds",
                                                          untrained), union, "ds")
    y = y_union[:, np.concatenate(columns)]
    groups = _trial_groups(ds, allow_duplicate_trials)[index[:, 0]]

    folds: list[list] = [[] for _ in sets]
    if test_ds is not None:
        out_ds = _shuffle_targets(test_ds, union, rng) if control == "shuffle" else test_ds
        test_values = _control_features(test_ds, features, control, "test_ds", untrained)
        if control != "time":
            labels, test_labels = _unit_labels(ds, features), _unit_labels(test_ds, features)
            if len(labels) != len(test_labels) or np.any(labels != test_labels):
                msg = (f"test_ds[{features!r}] has units {_preview(test_labels)}, ds has "
                       f"{_preview(labels)}; cross-condition decoding needs the same units")
                raise ValueError(msg)
        x_test, y_test_union, test_index = _rows(out_ds, test_values, union, "test_ds")
        y_test = y_test_union[:, np.concatenate(columns)]
        usable = _usable_units([x, x_test], "ds and test_ds", features)
        x, x_test = _float_units(x, usable, by_sums), _float_units(x_test, usable, by_sums)
        n_groups = group_index(groups)[0]
        if by_sums:
            (pred,), models = _fits(sums_fits, estimator, x, y, groups, [], blocks,
                                    test_x=x_test)
        else:
            models = [_fit(estimator, x, y[:, b], groups) for b in blocks]
            pred = np.concatenate([np.asarray(m.predict(x_test)).reshape(len(x_test), -1)
                                   for m in models], axis=1)
        for k, b in enumerate(blocks):
            folds[k].append((n_groups, test_index, y_test[:, b], pred[:, b]))
        label, like = "cross", out_ds
    else:
        usable = _usable_units([x], "ds", features)
        x = _float_units(x, usable, by_sums)
        splits = _splits(protocol, cv, n_splits, x, y, groups, allow_trial_leak)
        if by_sums:
            predictions, models = _fits(sums_fits, estimator, x, y, groups, splits, blocks,
                                        refit=refit)
        else:
            predictions = [np.concatenate([
                np.asarray(_fit(estimator, x[train], y[train][:, b], groups[train]).predict(
                    x[test])).reshape(len(test), -1) for b in blocks], axis=1)
                for train, test in splits]
            models = [_fit(estimator, x, y[:, b], groups) if refit else None for b in blocks]
        for (train, test), pred in zip(splits, predictions, strict=True):
            trained_on = group_index(groups[train])[0]
            for k, b in enumerate(blocks):
                folds[k].append((trained_on, index[test], y[test][:, b], pred[:, b]))
        label, like = protocol, train_ds
    attrs = {"arch": ds.attrs.get("arch", ""), "label": ds.attrs.get("label", ""),
             "agent_id": ds.attrs.get("agent_id", ""),
             "agent_seed": ds.attrs.get("agent_seed", -1),
             "estimator": repr(estimator), "features": "step index" if control == "time"
             else features, "n_units": int(usable.sum())}
    return [_result(like, targets, set_folds, model, label, control, dict(attrs))
            for targets, set_folds, model in zip(sets, folds, models, strict=True)]


def _fits(sums_fits: object, estimator: BaseEstimator, x: np.ndarray, y: np.ndarray,
          groups: np.ndarray, splits: list, blocks: list, test_x: np.ndarray | None = None,
          refit: bool = True) -> tuple[list[np.ndarray], list[BaseEstimator | None]]:
    if sums_fits is fold_fits:
        return fold_fits(estimator, x, y, groups, splits, blocks, test_x=test_x, refit=refit)
    return ridge_fits(estimator, x, y, splits, blocks, test_x=test_x, refit=refit)


def _preview(labels: np.ndarray) -> str:
    shown = ", ".join(map(str, labels[:5]))
    return f"[{shown}{', ...' if len(labels) > 5 else ''}] ({len(labels)})"
