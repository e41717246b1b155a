"""Single-unit tuning maps: each unit's mean activity in bins of two per-step variables.

The paper's figure 5a-b shows units' activity over the agent's position; `tuning_maps`
bins any two per-step variables (position by default, or the target's distance and angle
from `relative_to_target`) and `tuning_strength` says how much of each unit's variance
the bins explain.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import sparse

from navdecode._validation import check_int
from navdecode.recording.schema import check_recording

__all__ = ["tuning_maps", "tuning_strength"]

_CHUNK = 65_536
"""Rows of activity binned at once (bounded memory at any trial count)."""


def _edges(values: np.ndarray, bins: int | np.ndarray, name: str) -> np.ndarray:
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        check_int(bins, "bins", minimum=1)
        low, high = float(values.min()), float(values.max())
        return np.linspace(low, high if high > low else low + 1.0, int(bins) + 1)
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or not np.all(np.isfinite(edges)) \
            or np.any(np.diff(edges) <= 0):
        msg = (f"bins for {name!r} must be an int >= 1 or increasing finite edges, got "
               f"{bins!r}")
        raise ValueError(msg)
    return edges


def _steps(ds: xr.Dataset, x: str, y: str, features: str
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and the activity (rows) of every recorded step where all three are finite."""
    xs, ys = ds[x].values.astype(float), ds[y].values.astype(float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    if "valid" in ds:
        keep &= ds["valid"].values.astype(bool)
    # the units of the kept steps only (most of a padded recording is after trials end)
    rows = ds[features].transpose("trial", "step", ...).values[keep].astype(np.float32)
    finite = np.isfinite(rows).all(axis=1)
    if not finite.any():
        msg = f"ds has no recorded step with finite {x!r}, {y!r} and {features!r}"
        raise ValueError(msg)
    return xs[keep][finite], ys[keep][finite], rows[finite]


def _bin_of(xs: np.ndarray, ys: np.ndarray, ex: np.ndarray, ey: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Each step's flat bin index ``iy * nx + ix`` and whether it lies inside the edges (the
    last edge closes the last bin)."""
    nx, ny = len(ex) - 1, len(ey) - 1
    ix = np.searchsorted(ex, xs, side="right") - 1
    iy = np.searchsorted(ey, ys, side="right") - 1
    ix[xs == ex[-1]] = nx - 1
    iy[ys == ey[-1]] = ny - 1
    inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    return np.where(inside, iy * nx + ix, 0), inside


def tuning_maps(ds: xr.Dataset, x: str = "pos_x", y: str = "pos_y",
                features: str = "hidden", bins: int | tuple = 12,
                min_count: int = 5) -> xr.Dataset:
    """Each unit's mean activity in each bin of two per-step variables.

    Over the recorded steps t (``valid``, with finite `x`, `y` and activity), with b(t)
    the 2-D bin holding (x_t, y_t) and h_{k,t} unit k's activity:

    - ``count[b] = n_b = #{t : b(t) = b}``;
    - ``rate[k, b] = (1 / n_b) sum_{t : b(t) = b} h_{k,t}``, NaN where ``n_b <
      min_count`` (too few steps to say).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording with `features` on (trial, step, unit) and `x`, `y` on (trial, step)
        (e.g. ``pos_x``, ``pos_y`` in cm, or ``target_distance``, ``target_angle`` from
        `relative_to_target`).
    x, y : str, default="pos_x", "pos_y"
        The two binned variables.
    features : str, default="hidden"
        The units.
    bins : int or (edges_x, edges_y), default=12
        Equal bins over each variable's recorded range, or each variable's bin edges
        (increasing; steps outside them are left out).
    min_count : int, default=5
        Fewest steps a bin needs for its rate.

    Returns
    -------
    maps : xarray.Dataset
        ``rate`` (unit, y_bin, x_bin), ``count`` (y_bin, x_bin) and each bin's sum of
        squares ``sum_sq`` (unit, y_bin, x_bin; for `tuning_strength`), with the bin centres
        as coordinates ``x_bin``, ``y_bin`` (and the edges in ``.attrs``), and the steps
        used, ``n_steps``, in ``.attrs``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.tuning import tuning_maps
    >>> maps = tuning_maps(run_agent(make_agent("modular", seed=0), fixed_targets(50)))
    >>> maps["rate"].dims
    ('unit', 'y_bin', 'x_bin')
    """
    check_recording(ds, [features, x, y], analysis="tuning_maps")
    check_int(min_count, "min_count", minimum=1)
    for name in (x, y):
        if ds[name].dims != ("trial", "step"):
            msg = f"ds[{name!r}] must have dims (trial, step), got {ds[name].dims}"
            raise ValueError(msg)
    if ds[features].ndim != 3:
        msg = f"ds[{features!r}] must have dims (trial, step, unit), got {ds[features].dims}"
        raise ValueError(msg)
    dim = ds[features].dims[-1]
    units = ds[dim].values if dim in ds.coords else np.arange(ds.sizes[dim])
    xs, ys, rows = _steps(ds, x, y, features)
    if isinstance(bins, (tuple, list)):
        if len(bins) != 2:
            msg = f"bins must be an int or a pair (edges_x, edges_y), got {len(bins)} items"
            raise ValueError(msg)
        ex, ey = _edges(xs, bins[0], x), _edges(ys, bins[1], y)
    else:
        ex, ey = _edges(xs, bins, x), _edges(ys, bins, y)
    nx, ny = len(ex) - 1, len(ey) - 1
    flat, inside = _bin_of(xs, ys, ex, ey)
    flat = flat[inside]
    rows = rows[inside]
    sums, squares = np.zeros((nx * ny, rows.shape[1])), np.zeros((nx * ny, rows.shape[1]))
    for start in range(0, len(rows), _CHUNK):  # in chunks of rows: memory stays bounded
        part, where = rows[start:start + _CHUNK].astype(float), flat[start:start + _CHUNK]
        # a sparse (bin x step) indicator times the (step x unit) activity: the bins' sums
        indicator = sparse.csr_matrix((np.ones(where.size), (where, np.arange(where.size))),
                                      shape=(nx * ny, where.size))
        sums += indicator @ part
        squares += indicator @ (part * part)
    count = np.bincount(flat, minlength=nx * ny)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where((count >= min_count)[:, None], sums / count[:, None], np.nan)
    coords = {"unit": np.asarray(units), "y_bin": (ey[:-1] + ey[1:]) / 2,
              "x_bin": (ex[:-1] + ex[1:]) / 2}
    out = xr.Dataset({"rate": (("unit", "y_bin", "x_bin"), rate.T.reshape(-1, ny, nx)),
                      "count": (("y_bin", "x_bin"), count.reshape(ny, nx)),
                      "sum_sq": (("unit", "y_bin", "x_bin"), squares.T.reshape(-1, ny, nx))},
                     coords=coords)
    out.attrs = {"x": x, "y": y, "features": features, "x_edges": ex, "y_edges": ey,
                 "min_count": int(min_count), "n_steps": int(inside.sum()),
                 "x_units": ds[x].attrs.get("units", ""), "y_units": ds[y].attrs.get("units", "")}
    return out


def tuning_strength(maps: xr.Dataset) -> xr.DataArray:
    """How much of each unit's variance its tuning map explains (navdecode's summary; the
    paper shows the maps, not a number).

    Over the steps of the bins that have a rate (``n_b >= min_count``), each unit's
    correlation ratio ``eta2_k = sum_b n_b (rate[k, b] - m_k)^2 / sum_t (h_{k,t} - m_k)^2``,
    ``m_k`` the unit's mean over those steps: 0 when the map is flat, 1 when the unit is a
    function of the bin. Computed from the maps' counts, rates and sums of squares (``sum_t
    (h - m)^2 = sum_b sum_sq[k, b] - n m_k^2``). NaN for a unit constant over those steps.

    Parameters
    ----------
    maps : xarray.Dataset
        From `tuning_maps`.

    Returns
    -------
    eta2 : xarray.DataArray
        On ``unit``.

    Examples
    --------
    >>> from navdecode import fixed_targets, make_agent, run_agent
    >>> from navdecode.analysis.tuning import tuning_maps, tuning_strength
    >>> ds = run_agent(make_agent("modular", seed=0), fixed_targets(50))
    >>> float(tuning_strength(tuning_maps(ds)).max()) <= 1
    True
    """
    if not isinstance(maps, xr.Dataset) or "sum_sq" not in maps or "x_edges" not in maps.attrs:
        msg = "maps must be what tuning_maps returns"
        raise TypeError(msg)
    count = maps["count"].values.ravel().astype(float)
    used = count >= maps.attrs["min_count"]
    n_units = maps.sizes["unit"]
    rate = maps["rate"].values.reshape(n_units, -1)[:, used]
    sum_sq = maps["sum_sq"].values.reshape(n_units, -1)[:, used]
    n = count[used].sum()
    mean = (rate * count[used]).sum(axis=1) / n
    between = (count[used] * (rate - mean[:, None]) ** 2).sum(axis=1)
    total = sum_sq.sum(axis=1) - n * mean ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        eta2 = np.where(total > 1e-12 * np.maximum(sum_sq.sum(axis=1), 1e-300),
                        np.clip(between / total, 0.0, 1.0), np.nan)
    return xr.DataArray(eta2, dims="unit", coords={"unit": maps["unit"].values},
                        name="eta2", attrs={"units": "1"})
