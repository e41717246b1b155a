"""Per-trial and per-session behaviour, each formula as the paper or the tutorial defines it."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from navdecode.recording.identity import check_source
from navdecode.recording.schema import (
    ANALYSES,
    check_recording,
    is_firefly,
    length_unit,
    unit_named,
)

__all__ = ["STRONG_PERTURBATION", "nan_percentile_rows", "path_curvature", "pearson_r",
           "perturbation_metrics", "pooled_max_radius", "roc_auc", "session_metrics",
           "signed_radial_error", "strong_perturbations", "trial_metrics",
           "zero_intercept_slope"]

STRONG_PERTURBATION = 115.0
"""The paper's figure 6e threshold on ``|(perturb_lin [cm/s], perturb_ang [deg/s])|``."""


def zero_intercept_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y = k x`` (a regression line through the origin).

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Paired samples; pairs with a NaN are ignored.

    Returns
    -------
    k : float
        ``sum(x y) / sum(x^2)``.

    Examples
    --------
    >>> from navdecode import zero_intercept_slope
    >>> zero_intercept_slope([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
    2.0
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        msg = f"x and y must be 1-d of the same length, got {x.shape} and {y.shape}"
        raise ValueError(msg)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any() or not np.any(x[ok] != 0):
        msg = "x must hold at least one finite non-zero value"
        raise ValueError(msg)
    return float(np.sum(x[ok] * y[ok]) / np.sum(x[ok] ** 2))


def _gradient(v: np.ndarray, n: np.ndarray) -> np.ndarray:
    """`numpy.gradient` (unit spacing, first-order one-sided ends) of each row's first n values.

    Rows with fewer than two samples get NaN (numpy refuses them); NaN past each row's end.
    """
    j = np.arange(v.shape[1])[None]
    central = np.full(v.shape, np.nan)
    central[:, 1:-1] = (v[:, 2:] - v[:, :-2]) / 2
    out = np.where((j >= 1) & (j <= n[:, None] - 2), central, np.nan)
    if v.shape[1] < 2:
        return out
    rows = np.nonzero(n >= 2)[0]
    last = n[rows] - 1
    out[rows, 0] = v[rows, 1] - v[rows, 0]
    out[rows, last] = v[rows, last] - v[rows, last - 1]
    return out


def _path_lengths(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Number of leading finite samples of each path; NaN only as padding after the end."""
    finite = np.isfinite(x) & np.isfinite(y)
    n = finite.sum(axis=1)
    if np.any(finite != (np.arange(x.shape[1])[None] < n[:, None])):
        msg = "x and y must be finite up to each path's end and NaN-padded after it"
        raise ValueError(msg)
    return n


def nan_percentile_rows(values: np.ndarray, percentile: float) -> np.ndarray:
    """``np.nanpercentile(values, percentile, axis=1)`` (linear method) for every row at
    once, without its loop over rows; every row must hold a finite value.

    Per row with ``m`` finite values sorted as ``a``: ``h = (m - 1) q`` with
    ``q = percentile / 100``, ``j = floor(h)``, ``g = h - j`` and the value
    ``a[j] + g (a[j+1] - a[j])`` (numpy's own rounding: ``a[j+1] - (a[j+1] - a[j]) (1 - g)``
    when ``g >= 0.5``), equal to numpy's bit for bit.
    """
    a = np.sort(values, axis=1)  # NaN last
    m = np.isfinite(values).sum(axis=1)
    virtual = (m - 1) * np.true_divide(percentile, 100)
    lo = np.floor(virtual).astype(np.intp)
    hi = np.minimum(lo + 1, m - 1)
    rows = np.arange(len(a))
    below, above = a[rows, lo], a[rows, hi]
    gamma = virtual - lo
    diff = above - below
    return np.where(gamma >= 0.5, above - diff * (1 - gamma), below + diff * gamma)


def path_curvature(x: np.ndarray, y: np.ndarray, drop_percentile: float = 95.0) -> np.ndarray:
    """Mean curvature of each path, as the paper's analysis code defines it.

    For one path with samples ``(x_i, y_i)``, ``i = 0..n-1`` (its own samples only; the
    NaN padding after its end is never differenced):

    1. ``x' = gradient(x)``, ``x'' = gradient(x')`` and the same for y, with
       `numpy.gradient`'s defaults (unit spacing, central differences inside,
       first-order one-sided differences at both ends);
    2. ``kappa_i = |x'_i y''_i - y'_i x''_i| / (x'_i^2 + y'_i^2)^(3/2)``;
    3. NaN samples (where the path does not move, 0 / 0) are dropped;
    4. the samples strictly below the path's `drop_percentile` (numpy's default linear
       interpolation) are kept;
    5. the path's value is their mean, NaN when none remain.

    So a path with fewer than two samples, a stationary one, a two-sample one and an
    exactly straight one (every kappa equals its own percentile) give NaN.

    Parameters
    ----------
    x, y : array-like of shape (n_paths, n_samples)
        Positions, NaN-padded after each path's end.
    drop_percentile : float, default=95.0
        Per-path percentile at and above which curvature samples are dropped.

    Returns
    -------
    curvature : ndarray of shape (n_paths,)
        In 1 / (units of x).

    Examples
    --------
    >>> import numpy as np
    >>> from navdecode import path_curvature
    >>> theta = np.linspace(0, np.pi / 2, 50)
    >>> x, y = 100 * (1 - np.cos(theta)), 100 * np.sin(theta)
    >>> round(float(path_curvature(x[None], y[None])[0]), 3)
    0.01
    """
    x, y = np.atleast_2d(np.asarray(x, dtype=float)), np.atleast_2d(np.asarray(y, dtype=float))
    if x.shape != y.shape or x.ndim != 2:
        msg = f"x and y must have the same shape (n_paths, n_samples), got {x.shape}, {y.shape}"
        raise ValueError(msg)
    if not 0 < drop_percentile <= 100:
        msg = f"drop_percentile must be in (0, 100], got {drop_percentile=}"
        raise ValueError(msg)
    n = _path_lengths(x, y)
    dx, dy = _gradient(x, n), _gradient(y, n)
    ddx, ddy = _gradient(dx, n), _gradient(dy, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.abs(dx * ddy - dy * ddx) / (dx**2 + dy**2) ** 1.5
    out = np.full(x.shape[0], np.nan)
    some = np.isfinite(kappa).any(axis=1)
    if some.any():
        k = kappa[some]
        cut = nan_percentile_rows(k, drop_percentile)[:, None]
        kept = np.isfinite(k) & (k < cut)
        counts = kept.sum(axis=1)
        sums = np.where(kept, k, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[some] = np.where(counts > 0, sums / counts, np.nan)
    return out


def _arc_through(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The paper's arc length from the start to (x, y): ``2 R arcsin(d / 2R)``, ``R = d^2 / 2x``.

    R is the radius of the circle through the start, tangent to the initial heading (+y),
    and through the point; the arc is the straight distance d when x = 0.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    d = np.hypot(x, y)
    with np.errstate(invalid="ignore", divide="ignore"):
        radius = d**2 / (2 * x)
        arc = 2 * radius * np.arcsin(d / (2 * radius))
    return np.where(x == 0, d, arc)


def signed_radial_error(stop_x: np.ndarray, stop_y: np.ndarray, target_x: np.ndarray,
                        target_y: np.ndarray) -> np.ndarray:
    """The paper's signed radial error (its validation's ``error_distance_shoot``), in cm.

    Magnitude: the stop-to-target distance. Sign: negative (undershoot) when the arc from
    the start to the stop is shorter than the arc to the target, positive otherwise. For a
    point (x, y) at distance ``d = sqrt(x^2 + y^2)`` from the start, the arc is that of the
    circle through the start, tangent to the initial heading:
    ``R = d^2 / (2 x)``, ``arc = 2 R arcsin(d / (2 R))`` (``arc = d`` when x = 0).

    Parameters
    ----------
    stop_x, stop_y, target_x, target_y : array-like of shape (n_trials,)
        End and target positions relative to the start, initial heading +y (cm).

    Returns
    -------
    error : ndarray of shape (n_trials,)

    Examples
    --------
    >>> from navdecode import signed_radial_error
    >>> signed_radial_error([0.0, 0.0], [250.0, 350.0], [0.0, 0.0], [300.0, 300.0]).tolist()
    [-50.0, 50.0]
    """
    sx, sy, tx, ty = (np.asarray(v, dtype=float) for v in (stop_x, stop_y, target_x, target_y))
    distance = np.hypot(sx - tx, sy - ty)
    sign = np.where(_arc_through(sx, sy) < _arc_through(tx, ty), -1.0, 1.0)
    return sign * distance


def _check_metrics_input(ds: object, need_dt: bool) -> float | None:
    """Refuse recordings that the per-trial formulas would silently misread; return dt (s).

    Path metrics need positions; the target columns are computed when the recording has
    targets (checked then); the trial duration needs ``task_dt`` (None without it, an
    error when `need_dt`).
    """
    check_recording(ds, "path metrics", analysis="trial_metrics")
    if any(v in ds.variables for v in ANALYSES["target metrics"]):
        check_recording(ds, "target metrics", analysis="the target columns of trial_metrics")
    n_steps = ds["n_steps"].values
    if n_steps.dtype.kind not in "iu":
        msg = f"ds['n_steps'] must hold integers, got dtype {n_steps.dtype}"
        raise TypeError(msg)
    valid = ds["valid"].values.astype(bool)
    prefix = np.arange(valid.shape[1])[None] < n_steps[:, None]
    if np.any(valid != prefix) or np.any(valid.sum(axis=1) != n_steps):
        msg = ("ds['valid'] must mark the first n_steps steps of every trial; a recording "
               "sliced along 'step' (or with n_steps edited) cannot be measured")
        raise ValueError(msg)
    if "task_dt" not in ds.attrs:
        if not need_dt:
            return None
        msg = "ds.attrs has no 'task_dt' (the step duration in s); refusing to assume 0.1"
        raise ValueError(msg)
    dt = ds.attrs["task_dt"]
    if isinstance(dt, bool) or not isinstance(dt, numbers.Real) or not np.isfinite(dt) or dt <= 0:
        msg = f"ds.attrs['task_dt'] must be a number > 0, got {dt!r}"
        raise ValueError(msg)
    return float(dt)


def _positions(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Each trial's path: its recorded positions, then the end position after a timeout.

    A stop adds no position (the stop step's position is the end); after a timeout the
    position reached by the last action is appended, as in the paper's validation.
    """
    x, y = ds["pos_x"].values.astype(float), ds["pos_y"].values.astype(float)
    n = ds["n_steps"].values
    end = np.where(ds["stopped"].values, np.nan, 1.0)
    x = np.concatenate([x, np.full((x.shape[0], 1), np.nan)], axis=1)
    y = np.concatenate([y, np.full((y.shape[0], 1), np.nan)], axis=1)
    rows = np.arange(x.shape[0])
    if "stop_x" not in ds.variables:  # no end position recorded: the path ends where it does
        return x, y
    x[rows, n] = ds["stop_x"].values * end
    y[rows, n] = ds["stop_y"].values * end
    return x, y


def trial_metrics(ds: xr.Dataset) -> pd.DataFrame:
    """Behaviour of every trial, one row per trial.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent` (dims ``trial``, ``step``; positions in cm; the
        step duration in ``ds.attrs["task_dt"]``).

    Returns
    -------
    table : pandas.DataFrame
        One row per trial:

        - ``trial``, ``gain``, ``rewarded``, ``stopped``, ``n_steps`` (recorded steps);
        - ``duration_s``: ``(n_steps - 1) * dt``, the tutorial's and the paper's trial
          time (the paper's validation adds the index of the last step);
        - ``target_r`` (cm), ``stop_error_cm`` (end-to-target distance), ``traveled_r``
          (distance of the end from the start, cm);
        - ``signed_error_cm``: the paper's signed radial error (`signed_radial_error`):
          the stop error, negative when the stop's arc is shorter than the target's;
        - ``path_length_cm``, ``straightness`` (start-to-end distance / path length);
        - ``curvature`` (1/cm, `path_curvature` on the trial's own path);
        - ``arc_length_cm``: the paper's arc from the start to the target,
          ``2 R arcsin(d / 2R)`` with ``R = d^2 / 2 x_T``;
        - ``target_angle_deg``, ``traveled_angle_deg``: the paper's angles of the target
          and of the end seen from the start, ``degrees(atan2(y, x)) - 90`` (0 straight
          ahead, positive to the left; figure 1i);
        - ``path_minus_arc_cm``: path length minus that arc (not a paper metric; a
          positive value means the agent drove further than the arc, e.g. by detours).

        The end of a trial is the position at its stop step, or after a timeout the
        position its last action reached (as in the paper's validation). Attributes of
        `ds` (arch, seed) are copied into ``.attrs``.

        A recording from another task gets what it supports: the path columns need
        ``pos_x`` and ``pos_y``, and end at ``stop_x``, ``stop_y`` when recorded (e.g.
        ``record(..., trial_vars={"stop_x": "x", "stop_y": "y"})``), else at the last
        valid position (``.attrs["end_position"]`` says which); the target columns need
        ``target_x``, ``target_y`` and ``rewarded``; ``gain`` and ``rewarded`` are copied
        when present; ``duration_s`` needs the ``task_dt`` attribute. The signed radial
        error and the arc columns assume the firefly task's start (origin, heading +y)
        and are computed only for firefly recordings (``task_*`` attributes); otherwise
        ``.attrs["left_out"]`` names them, and columns in cm are named in the
        recording's own length unit (``stop_error_m``; ``.attrs["length_unit"]``).

    Raises
    ------
    ValueError
        If `ds` lacks a variable, has transposed dims, was sliced along ``step``, holds
        positions not in cm or has no ``task_dt`` attribute.
    TypeError
        If `ds` is not a Dataset or ``n_steps`` is not integer.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent, trial_metrics
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(5))
    >>> list(trial_metrics(ds).columns[:3])
    ['trial', 'gain', 'rewarded']
    """
    dt = _check_metrics_input(ds, need_dt=False)
    x, y = _positions(ds)
    seg = np.hypot(np.diff(x, axis=1), np.diff(y, axis=1))
    path = np.nansum(seg, axis=1)
    if "stop_x" in ds.variables and "stop_y" in ds.variables:
        sx, sy = ds["stop_x"].values.astype(float), ds["stop_y"].values.astype(float)
        end_from = "stop_x, stop_y"
    else:  # the last valid position
        last = np.maximum(ds["n_steps"].values - 1, 0)
        rows = np.arange(len(last))
        sx, sy = x[rows, last], y[rows, last]
        end_from = "the last valid position (no stop_x / stop_y recorded)"
    firefly = is_firefly(ds)  # the paper's start, heading and arc
    traveled = np.hypot(sx, sy)
    with np.errstate(invalid="ignore", divide="ignore"):
        straight = np.where(path > 0, traveled / path, np.nan)
    n_steps = ds["n_steps"].values
    columns: dict[str, np.ndarray] = {"trial": ds["trial"].values}
    for name in ("gain", "rewarded"):
        if name in ds.variables:
            columns[name] = ds[name].values.astype(bool if name == "rewarded" else float)
    columns |= {"stopped": ds["stopped"].values.astype(bool), "n_steps": n_steps}
    if dt is not None:
        columns["duration_s"] = np.maximum(n_steps - 1, 0) * dt
    if "target_x" in ds.variables:
        tx, ty = ds["target_x"].values.astype(float), ds["target_y"].values.astype(float)
        columns |= {"target_r": np.hypot(tx, ty), "stop_error_cm": np.hypot(sx - tx, sy - ty)}
        if firefly:
            columns["signed_error_cm"] = signed_radial_error(sx, sy, tx, ty)
    columns |= {"traveled_r": traveled, "path_length_cm": path, "straightness": straight,
                "curvature": path_curvature(x, y)}
    if "target_x" in ds.variables and firefly:
        arc = _arc_through(tx, ty)
        columns |= {"arc_length_cm": arc, "path_minus_arc_cm": path - arc,
                    "target_angle_deg": np.degrees(np.arctan2(ty, tx)) - 90.0,
                    "traveled_angle_deg": np.degrees(np.arctan2(sy, sx)) - 90.0}
    table = pd.DataFrame(columns)
    table.attrs = {k: ds.attrs[k] for k in ("label", "arch", "agent_id", "agent_seed",
                                            "noise_seed") if k in ds.attrs}
    table.attrs["end_position"] = end_from
    left_out = []
    if not firefly:
        left_out.append("signed_error_cm, arc_length_cm, path_minus_arc_cm, target_angle_deg, "
                        "traveled_angle_deg: they assume the "
                        "firefly task's start at the origin heading +y (the recording has "
                        "no task_* attributes of it)")
    if dt is None:
        left_out.append("duration_s: the recording has no task_dt attribute (the step "
                        "duration; never assumed)")
    if left_out:
        table.attrs["left_out"] = "; ".join(left_out)
    table.attrs["length_unit"] = unit = length_unit(ds)
    return table.rename(columns=unit_named(table.columns, unit))


def session_metrics(ds: xr.Dataset) -> pd.Series:
    """One summary of a recording (one agent, one condition).

    With ``T = sum over trials of duration_s = (sum of n_steps - n_trials) * dt``:

    - ``reward_fraction`` = rewarded trials / trials;
    - ``reward_rate`` = rewarded trials / T (1/s), the paper's validation reward rate;
    - ``time_spent_h`` = T / 3600, the tutorial's time spent (recorded positions minus
      one per trial, times 0.1 s);
    - ``stop_error_cm``, ``signed_error_cm``, ``path_minus_arc_cm``: means over trials;
    - ``curvature``, ``straightness``: means over the trials where they are defined;
    - ``traveled_slope``: zero-intercept slope k of traveled vs target distance
      (`zero_intercept_slope`), and ``traveled_slope_r``, the Pearson r of that fit,
      ``corr(k target_r, traveled_r)`` as the paper scores it (figure S1d-e);
    - ``angular_slope``, ``angular_slope_r``: the same for the traveled vs target angle
      (``traveled_angle_deg`` on ``target_angle_deg``; figure 1i, S1d-e);
    - ``n_trials``.

    A recording of another task gets the entries its variables support (as in
    `trial_metrics`): without ``rewarded`` no reward entries, without targets no stop
    error or slope, without ``task_dt`` no time entries (never an assumed 0.1 s; a
    firefly recording without it is refused),
    without the firefly task's geometry no signed error or arc; ``.attrs["left_out"]``
    names each missing entry with the variable it needs, and the length entries are
    named in the recording's unit (``stop_error_m``; ``.attrs["length_unit"]``).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with positions (see `trial_metrics`).

    Returns
    -------
    summary : pandas.Series

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent, session_metrics
    >>> summary = session_metrics(run_agent(make_agent("modular", seed=0), fixed_targets(10)))
    >>> int(summary["n_trials"])
    10
    """
    dt = _check_metrics_input(ds, need_dt=is_firefly(ds))  # the firefly task has a step
    table = trial_metrics(ds)
    unit = table.attrs["length_unit"]
    table = table.rename(columns={v: k for k, v in unit_named(
        [*_LENGTH_COLUMNS, "stop_error_cm"], unit).items()})
    total_s = float(table["duration_s"].sum()) if dt is not None else np.nan
    rewarded = table["rewarded"] if "rewarded" in table else None
    values: dict[str, float] = {}
    left_out: dict[str, str] = {}

    def entry(name: str, needs: str | None, compute: object) -> None:
        if needs is None:
            values[name] = compute()
        else:
            left_out[name] = needs

    no_dt = "the task_dt attribute" if dt is None else None
    no_reward = "rewarded" if rewarded is None else None
    no_target = "target_x, target_y" if "target_r" not in table else None
    no_geometry = "the firefly task's geometry (task_* attributes)" if \
        "signed_error_cm" not in table else None
    entry("reward_fraction", no_reward, lambda: float(rewarded.mean()))
    entry("reward_rate", no_reward or no_dt, lambda: float(rewarded.sum() / total_s)
          if total_s > 0 else np.nan)
    entry("time_spent_h", no_dt, lambda: total_s / 3600.0)
    entry("stop_error_cm", no_target, lambda: float(table["stop_error_cm"].mean()))
    entry("signed_error_cm", no_target or no_geometry,
          lambda: float(table["signed_error_cm"].mean()))
    entry("traveled_slope", no_target, lambda: zero_intercept_slope(
        table["target_r"].values, table["traveled_r"].values))
    entry("traveled_slope_r", no_target, lambda: _fit_r(table["target_r"].values,
                                                        table["traveled_r"].values))
    entry("angular_slope", no_target or no_geometry, lambda: _slope_or_nan(
        table["target_angle_deg"].values, table["traveled_angle_deg"].values))
    entry("angular_slope_r", no_target or no_geometry, lambda: _fit_r(
        table["target_angle_deg"].values, table["traveled_angle_deg"].values))
    entry("curvature", None, lambda: float(np.nanmean(table["curvature"]))
          if table["curvature"].notna().any() else np.nan)
    entry("straightness", None, lambda: float(table["straightness"].mean()))
    entry("path_minus_arc_cm", no_target or no_geometry,
          lambda: float(table["path_minus_arc_cm"].mean()))
    values["n_trials"] = len(table)
    summary = pd.Series(values).rename(unit_named(list(values), unit))
    summary.attrs = {"length_unit": unit, "left_out": {
        unit_named([k], unit).get(k, k): f"needs {v}" for k, v in left_out.items()}}
    return summary


def pearson_r(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's correlation, ``r = sum (x - x̄)(y - ȳ) / sqrt(sum (x - x̄)² sum (y - ȳ)²)``
    (float64 sums about the means); NaN when either is constant.

    Examples
    --------
    >>> from navdecode.analysis.metrics import pearson_r
    >>> pearson_r([1.0, 2.0, 3.0], [2.0, 4.0, 7.0])  # doctest: +ELLIPSIS
    0.9933...
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    a, b = x - x.mean(), y - y.mean()
    scale = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
    return float(np.sum(a * b)) / scale if scale > 0 else float("nan")


def _slope_or_nan(x: np.ndarray, y: np.ndarray) -> float:
    """`zero_intercept_slope`, NaN when no x is finite and non-zero (every target
    straight ahead has no angular slope)."""
    return zero_intercept_slope(x, y) if np.any(np.isfinite(x) & (x != 0)) else float("nan")


def _fit_r(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r of the zero-intercept fit's prediction ``k x`` and `y` (NaN pairs left
    out): the paper's score of its fits, ``sign(k) r(x, y)``."""
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    k = _slope_or_nan(x, y)
    return float(np.corrcoef(k * x, y)[0, 1]) if k != 0 else float("nan")


_LENGTH_COLUMNS = ("signed_error_cm", "path_length_cm", "arc_length_cm", "path_minus_arc_cm")


def roc_auc(ds: xr.Dataset, seed: int = 0, step_cm: float = 1.0, grid: str = "navdecode",
            max_radius_cm: float | None = None) -> tuple[float, pd.DataFrame]:
    """The paper's fraction-correct curve and its area, free of the 65 cm reward boundary.

    For a radius r swept from 0 in steps of `step_cm`: ``y(r)`` is the fraction of trials
    whose end lies within r of its own target, ``x(r)`` the same fraction with the targets
    shuffled across trials (one fixed derangement: a random order in which every trial
    gets the next trial's target, so no trial keeps its own). The curve runs until both reach 1; the
    AUC is its trapezoidal area ``sum (x_{k+1} - x_k) (y_{k+1} + y_k) / 2``: 0.5 when the
    ends are no closer to their own targets than to others', 1 when every end is closer to
    its own target than any shuffled pair.

    ``grid="paper"`` is the recipe of the paper's figures 4, 5, 6 and 8 (its notebooks):
    the targets are shuffled by ``numpy.random.default_rng(seed).shuffle`` (a plain
    permutation, in which a trial may keep its own target; the paper's seed is 1), the
    radii are the whole centimetres ``r = 0, 1, ..., floor(R)`` with ``R`` the largest stop
    error, pooled in the paper over every agent and condition it plots (`max_radius_cm`,
    required: `pooled_max_radius`), ``y(r)`` and ``x(r)`` count distances ``< r``, and the
    area is the trapezoidal ``numpy.trapezoid(y, x)`` over those radii, without closing
    the curve at (1, 1). navdecode differs on purpose: a grid cut at the largest error
    leaves a curve whose shuffled fraction has not reached 1 short of (1, 1), which
    deflates a poor performer's area (a hand-made case in the tests: 1/3 by the paper's
    recipe, 1 by navdecode's), and a trial that keeps its own target under a plain shuffle
    counts as correct on both axes.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with ends and targets (``stop_x``, ``stop_y``, ``target_x``,
        ``target_y``).
    seed : int, default=0
        Seed of the shuffle.
    step_cm : float, default=1.0
        Radius step (cm; navdecode's grid only: the paper's steps by 1 cm, and another
        step with ``grid="paper"`` is refused).
    grid : {"navdecode", "paper"}, default="navdecode"
        navdecode's full curve, or the paper's recipe (above).
    max_radius_cm : float or None, default=None
        The paper's grid's largest stop error ``R`` (cm), pooled over every recording
        compared (`pooled_max_radius`); required by ``grid="paper"`` (at most 1e5 cm), and
        only there.

    Returns
    -------
    auc : float
    curve : pandas.DataFrame
        ``radius_cm``, ``fraction_correct`` (y), ``fraction_shuffled`` (x).

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, roc_auc, run_agent
    >>> auc, curve = roc_auc(run_agent(make_agent("modular", seed=0), fixed_targets(20)))
    >>> list(curve.columns)
    ['radius_cm', 'fraction_correct', 'fraction_shuffled']
    """
    from navdecode._validation import check_choice, check_positive, check_seed

    check_recording(ds, ["stop_x", "stop_y", "target_x", "target_y"], analysis="roc_auc")
    check_seed(seed)
    step_cm = check_positive(step_cm, "step_cm")
    check_choice(grid, "grid", ("navdecode", "paper"))
    if max_radius_cm is not None:
        if grid != "paper":
            msg = "max_radius_cm is the paper's grid's bound: pass grid='paper' with it"
            raise ValueError(msg)
        max_radius_cm = check_positive(max_radius_cm, "max_radius_cm")
    if grid == "paper":
        if max_radius_cm is None:
            msg = ("grid='paper' needs max_radius_cm, the largest stop error pooled over every "
                   "recording compared (pooled_max_radius(recordings)), as the paper pools it: "
                   "with one recording's own largest error the curve stops before the "
                   "shuffled fraction has risen, and a good agent scores near 0")
            raise ValueError(msg)
        if max_radius_cm > 1e5:
            msg = (f"max_radius_cm={max_radius_cm:g} cm would sweep {max_radius_cm:.3g} radii "
                   "of 1 cm; the paper's bound is the largest stop error, a few hundred cm")
            raise ValueError(msg)
        if step_cm != 1.0:
            msg = (f"the paper's grid steps by 1 cm; step_cm={step_cm:g} applies to "
                   "navdecode's grid only")
            raise ValueError(msg)
    sx, sy = ds["stop_x"].values.astype(float), ds["stop_y"].values.astype(float)
    tx, ty = ds["target_x"].values.astype(float), ds["target_y"].values.astype(float)
    if len(sx) < 2:
        msg = f"roc_auc needs at least 2 trials to shuffle, got {len(sx)}"
        raise ValueError(msg)
    if not np.isfinite(np.r_[sx, sy, tx, ty]).all():
        msg = "roc_auc needs finite stop_x, stop_y, target_x, target_y in every trial"
        raise ValueError(msg)
    if grid == "paper":
        return _paper_auc(sx, sy, tx, ty, seed, max_radius_cm)
    order = np.random.default_rng(seed).permutation(len(sx))
    perm = np.empty(len(sx), dtype=int)
    perm[order] = np.roll(order, -1)  # trial order[i] gets the target of order[i + 1]
    own = np.sort(np.hypot(sx - tx, sy - ty))
    other = np.sort(np.hypot(sx - tx[perm], sy - ty[perm]))
    if not (np.isfinite(own).all() and np.isfinite(other).all()):
        msg = "roc_auc needs finite stop_x, stop_y, target_x, target_y in every trial"
        raise ValueError(msg)
    farthest = max(own[-1], other[-1])
    n_radii = farthest / step_cm
    if n_radii > 1e6:
        msg = (f"step_cm={step_cm:g} would sweep {n_radii:.3g} radii up to {farthest:.4g} cm; "
               "use a step of at least farthest / 1e6")
        raise ValueError(msg)
    if n_radii < 20:
        msg = (f"step_cm={step_cm:g} is too coarse: the curve up to {farthest:.4g} cm would "
               f"have {int(n_radii) + 2} points and its area would mean nothing; use "
               f"step_cm <= {farthest / 20:.3g}")
        raise ValueError(msg)
    radius = np.arange(0.0, farthest + 2 * step_cm, step_cm)
    y = np.searchsorted(own, radius, side="right") / len(own)
    x = np.searchsorted(other, radius, side="right") / len(other)
    auc = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))
    return auc, pd.DataFrame({"radius_cm": radius, "fraction_correct": y,
                              "fraction_shuffled": x})


def _paper_auc(sx: np.ndarray, sy: np.ndarray, tx: np.ndarray, ty: np.ndarray,
               seed: int | None, max_radius_cm: float | None) -> tuple[float, pd.DataFrame]:
    """`roc_auc`'s ``grid="paper"`` recipe."""
    order = np.random.default_rng(seed).permutation(len(sx))  # rows as rng.shuffle moves them
    own = np.hypot(sx - tx, sy - ty)
    other = np.hypot(sx - tx[order], sy - ty[order])
    top = own.max() if max_radius_cm is None else max_radius_cm
    radius = np.arange(int(top) + 1, dtype=float)
    y = (own[None] < radius[:, None]).mean(axis=1)
    x = (other[None] < radius[:, None]).mean(axis=1)
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))  # numpy's trapezoid(y, x)
    return area, pd.DataFrame(
        {"radius_cm": radius, "fraction_correct": y, "fraction_shuffled": x})


def perturbation_metrics(ds: xr.Dataset, edges_cm_s: tuple[float, ...] = (0, 50, 100, 150, 200),
                         decoding_error: xr.DataArray | None = None, seed: int = 0
                         ) -> pd.DataFrame:
    """Behaviour by perturbation size: trials binned by their peak linear perturbation.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording of the perturbation task (per-trial ``perturb_lin``, ``perturb_ang``).
    edges_cm_s : tuple of float, default=(0, 50, 100, 150, 200)
        Bin edges of ``|perturb_lin|`` (cm/s); a trial above the last edge falls in no bin.
    decoding_error : xarray.DataArray or None, default=None
        Per-step decoding error (trial, step), e.g. ``decode(ds).error``: its mean over
        each bin's trials is added.
    seed : int, default=0
        Seed of `roc_auc`'s shuffle within each bin.

    Returns
    -------
    table : pandas.DataFrame
        One row per bin: ``bin_low``, ``bin_high`` (cm/s), ``n_trials``,
        ``reward_fraction``, ``stop_error_cm``, ``signed_error_cm`` (means over the
        bin's trials), ``auc`` (`roc_auc` on the bin's trials) and, with
        `decoding_error`, ``decoding_error_cm``.

    Examples
    --------
    >>> from navdecode import FireflyVectorEnv, TaskConfig, make_agent, record
    >>> from navdecode.analysis.metrics import perturbation_metrics
    >>> env = FireflyVectorEnv(num_envs=20, config=TaskConfig.perturbation_task())
    >>> ds = record(make_agent("modular", seed=0), env, n_trials=20)
    >>> list(perturbation_metrics(ds)["bin_high"])
    [50.0, 100.0, 150.0, 200.0]
    """
    check_recording(ds, ["perturb_lin", "perturb_ang"], analysis="perturbation_metrics")
    edges = np.asarray(edges_cm_s, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        msg = f"edges_cm_s must be increasing with at least 2 edges, got {edges_cm_s!r}"
        raise ValueError(msg)
    if decoding_error is not None:
        check_source(ds, decoding_error, "decoding_error")
    table = trial_metrics(ds)
    size = np.abs(ds["perturb_lin"].values.astype(float))
    which = np.digitize(size, edges) - 1
    which[size == edges[-1]] = edges.size - 2  # the last bin includes its upper edge
    outside = (which < 0) | (which >= edges.size - 1)
    if outside.any():
        msg = (f"{int(outside.sum())} of {size.size} trials have a peak linear perturbation "
               f"outside edges_cm_s ({edges[0]:g}-{edges[-1]:g} cm/s; largest "
               f"{np.nanmax(size):.4g}); widen edges_cm_s (e.g. to 0-"
               f"{np.ceil(np.nanmax(size) / 50) * 50:g} for the large perturbation task) so "
               "that no trial is left out")
        raise ValueError(msg)
    rows = []
    for k in range(edges.size - 1):
        in_bin = which == k
        sub = table[in_bin]
        row = {"bin_low": edges[k], "bin_high": edges[k + 1], "n_trials": len(sub)}
        for col, source in (("reward_fraction", "rewarded"), ("stop_error_cm", "stop_error_cm"),
                            ("signed_error_cm", "signed_error_cm")):
            row[col] = float(sub[source].mean()) if len(sub) else np.nan
        row["auc"] = roc_auc(ds.isel(trial=np.nonzero(in_bin)[0]), seed=seed)[0] \
            if in_bin.sum() >= 2 else np.nan
        if decoding_error is not None:
            errors = decoding_error.values[in_bin]
            row["decoding_error_cm"] = float(np.nanmean(errors)) if np.isfinite(
                errors).any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def pooled_max_radius(recordings: Sequence[xr.Dataset]) -> float:
    """The largest stop error over every recording, ``R = max_k max_i |stop_ki -
    target_ki|`` (cm): the paper's ROC grid's bound (`roc_auc(..., grid="paper")`), which
    its notebooks pool over every agent and condition they plot.

    Examples
    --------
    >>> from navdecode import fixed_targets, load_pretrained, run_agent
    >>> from navdecode.analysis.metrics import pooled_max_radius, roc_auc
    >>> runs = [run_agent(load_pretrained(a, 0), fixed_targets(20)) for a in ("modular",
    ...                                                                     "holistic")]
    >>> radius = pooled_max_radius(runs)
    >>> 0 <= roc_auc(runs[0], grid="paper", max_radius_cm=radius)[0] <= 1
    True
    """
    if isinstance(recordings, xr.Dataset) or not recordings:
        msg = "recordings must be a non-empty list of recordings (xarray.Datasets)"
        raise TypeError(msg)
    largest = 0.0
    for k, ds in enumerate(recordings):
        check_recording(ds, ["stop_x", "stop_y", "target_x", "target_y"],
                        analysis="pooled_max_radius", name=f"recordings[{k}]")
        error = np.hypot(ds["stop_x"].values - ds["target_x"].values,
                         ds["stop_y"].values - ds["target_y"].values)
        if not np.isfinite(error).all():
            msg = f"recordings[{k}] has non-finite stops or targets"
            raise ValueError(msg)
        largest = max(largest, float(error.max()))
    return largest


def strong_perturbations(ds: xr.Dataset, threshold: float = STRONG_PERTURBATION) -> np.ndarray:
    """The trials the paper's figure 6e scores: a perturbation peak whose norm exceeds
    `threshold`.

    ``strong = sqrt(perturb_lin^2 + perturb_ang^2) > threshold`` with ``perturb_lin`` in
    cm/s and ``perturb_ang`` in deg/s, the two mixed as numbers, as the paper's notebook
    does (``np.linalg.norm(df[['perturb_vpeak', 'perturb_wpeak']], axis=1) > 115``).
    navdecode's perturbation rows score every trial; this mask is the paper's option.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording of the perturbation task (per-trial ``perturb_lin``, ``perturb_ang``).
    threshold : float, default=115.0
        `STRONG_PERTURBATION`, the paper's.

    Returns
    -------
    mask : numpy.ndarray of bool, shape (trial,)

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from navdecode.analysis.metrics import strong_perturbations
    >>> ds = xr.Dataset({"perturb_lin": ("trial", [100.0, 100.0]),
    ...                  "perturb_ang": ("trial", [50.0, 60.0]),
    ...                  "valid": (("trial", "step"), np.ones((2, 3), dtype=bool))})
    >>> strong_perturbations(ds).tolist()  # norms 111.8 and 116.6
    [False, True]
    """
    from navdecode._validation import check_positive

    check_recording(ds, ["perturb_lin", "perturb_ang"], analysis="strong_perturbations")
    threshold = check_positive(threshold, "threshold")
    size = np.hypot(ds["perturb_lin"].values.astype(float),
                    ds["perturb_ang"].values.astype(float))
    if not np.isfinite(size).all():
        msg = ("strong_perturbations needs a finite perturb_lin and perturb_ang in every "
               "trial (a recording of the perturbation task)")
        raise ValueError(msg)
    return size > threshold
