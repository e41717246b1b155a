"""Per-trial and per-session behaviour: reward, errors, paths, curvature, over/undershoot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from navdecode._validation import check_dataset

__all__ = ["path_curvature", "session_metrics", "trial_metrics", "zero_intercept_slope"]


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


def path_curvature(x: np.ndarray, y: np.ndarray, drop_percentile: float = 95.0) -> np.ndarray:
    """Mean curvature of each path, as the paper defines it.

    ``|x' y'' - y' x''| / (x'^2 + y'^2)^1.5`` from central finite differences along the
    last axis; samples where the path is not moving, and samples at or above each
    path's `drop_percentile`, are dropped before averaging.

    Parameters
    ----------
    x, y : ndarray of shape (n_paths, n_samples)
        Positions, NaN-padded after each path's end.
    drop_percentile : float, default=95.0
        Per-path percentile at and above which curvature samples are dropped.

    Returns
    -------
    curvature : ndarray of shape (n_paths,)
        In 1 / (units of x); NaN for paths with fewer than three moving samples.

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
    dx, dy = np.gradient(x, axis=1, edge_order=2), np.gradient(y, axis=1, edge_order=2)
    ddx, ddy = np.gradient(dx, axis=1, edge_order=2), np.gradient(dy, axis=1, edge_order=2)
    speed2 = dx**2 + dy**2
    scale = np.nanmax(np.sqrt(speed2), axis=1, keepdims=True, initial=0.0)
    moving = speed2 > (1e-6 * np.maximum(scale, 1e-12)) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.abs(dx * ddy - dy * ddx) / speed2**1.5
    kappa = np.where(moving & np.isfinite(kappa), kappa, np.nan)
    enough = np.sum(np.isfinite(kappa), axis=1) >= 1
    out = np.full(x.shape[0], np.nan)
    if enough.any():
        k = kappa[enough]
        cut = np.nanpercentile(k, drop_percentile, axis=1, keepdims=True)
        k = np.where(k < cut, k, np.nan)
        counts = np.sum(np.isfinite(k), axis=1)
        sums = np.nansum(k, axis=1)
        out[enough] = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    return out


def _positions(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Valid positions with the end position appended for trials that timed out."""
    x, y = ds["pos_x"].values.astype(float), ds["pos_y"].values.astype(float)
    n = ds["n_steps"].values
    end = np.where(ds["stopped"].values, np.nan, 1.0)  # a stop adds no new position
    x = np.concatenate([x, np.full((x.shape[0], 1), np.nan)], axis=1)
    y = np.concatenate([y, np.full((y.shape[0], 1), np.nan)], axis=1)
    rows = np.arange(x.shape[0])
    x[rows, n] = ds["stop_x"].values * end
    y[rows, n] = ds["stop_y"].values * end
    return x, y


def _arc_length_to(tx: np.ndarray, ty: np.ndarray) -> np.ndarray:
    """Length of the circular arc leaving the origin along +y and passing through (tx, ty)."""
    d2 = tx**2 + ty**2
    with np.errstate(divide="ignore", invalid="ignore"):
        radius = d2 / (2 * np.abs(tx))
        theta = 2 * np.arctan2(np.abs(tx), ty)
        arc = radius * theta
    return np.where(np.abs(tx) < 1e-9, np.sqrt(d2), arc)


def trial_metrics(ds: xr.Dataset) -> pd.DataFrame:
    """Behaviour of every trial, one row per trial.

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent`.

    Returns
    -------
    table : pandas.DataFrame
        Columns: ``trial``, ``gain``, ``rewarded``, ``stopped``, ``n_steps``,
        ``duration_s`` (n_steps x dt), ``target_r`` (cm), ``stop_error_cm`` (stop-to-target
        distance), ``traveled_r`` (distance of the stop from the start, cm),
        ``path_length_cm``, ``straightness`` (start-to-stop distance / path length),
        ``curvature`` (1/cm, the paper's definition), ``arc_length_cm`` (the circular arc
        from the start, tangent to the initial heading, through the target) and
        ``overshoot_cm`` (path length minus that arc length: > 0 overshoot, < 0
        undershoot). Attributes of `ds` (arch, seed) are copied into ``.attrs``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent, trial_metrics
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(5))
    >>> list(trial_metrics(ds).columns[:3])
    ['trial', 'gain', 'rewarded']
    """
    check_dataset(ds, ("pos_x", "pos_y", "stop_x", "stop_y", "target_x", "target_y",
                       "n_steps", "stopped", "rewarded", "gain"))
    dt = float(ds.attrs.get("task_dt", 0.1))
    x, y = _positions(ds)
    seg = np.hypot(np.diff(x, axis=1), np.diff(y, axis=1))
    path = np.nansum(seg, axis=1)
    sx, sy = ds["stop_x"].values, ds["stop_y"].values
    tx, ty = ds["target_x"].values, ds["target_y"].values
    traveled = np.hypot(sx, sy)
    with np.errstate(invalid="ignore", divide="ignore"):
        straight = np.where(path > 0, traveled / path, np.nan)
    arc = _arc_length_to(tx, ty)
    table = pd.DataFrame({
        "trial": ds["trial"].values,
        "gain": ds["gain"].values,
        "rewarded": ds["rewarded"].values.astype(bool),
        "stopped": ds["stopped"].values.astype(bool),
        "n_steps": ds["n_steps"].values,
        "duration_s": ds["n_steps"].values * dt,
        "target_r": np.hypot(tx, ty),
        "stop_error_cm": np.hypot(sx - tx, sy - ty),
        "traveled_r": traveled,
        "path_length_cm": path,
        "straightness": straight,
        "curvature": path_curvature(x, y),
        "arc_length_cm": arc,
        "overshoot_cm": path - arc,
    })
    table.attrs = {k: ds.attrs[k] for k in ("arch", "seed") if k in ds.attrs}
    return table


def session_metrics(ds: xr.Dataset) -> pd.Series:
    """One summary of a recording (one agent, one condition).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent`.

    Returns
    -------
    summary : pandas.Series
        ``reward_fraction``, ``reward_rate`` (rewarded trials per second of trial time),
        ``time_spent_h`` (the tutorial's definition: total steps x dt, in hours),
        ``stop_error_cm`` (mean), ``traveled_slope`` (zero-intercept slope of traveled vs
        target distance), ``curvature``, ``straightness``, ``overshoot_cm`` (means),
        ``n_trials``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent, session_metrics
    >>> summary = session_metrics(run_agent(make_agent("modular", seed=0), fixed_targets(10)))
    >>> int(summary["n_trials"])
    10
    """
    table = trial_metrics(ds)
    total_s = float(table["duration_s"].sum())
    return pd.Series({
        "reward_fraction": float(table["rewarded"].mean()),
        "reward_rate": float(table["rewarded"].sum() / total_s),
        "time_spent_h": total_s / 3600.0,
        "stop_error_cm": float(table["stop_error_cm"].mean()),
        "traveled_slope": zero_intercept_slope(table["target_r"].values,
                                               table["traveled_r"].values),
        "curvature": float(table["curvature"].mean()),
        "straightness": float(table["straightness"].mean()),
        "overshoot_cm": float(table["overshoot_cm"].mean()),
        "n_trials": len(table),
    })
