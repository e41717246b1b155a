"""Violins by category and hue, and dots on top of them, drawn with matplotlib alone.

Each violin is a Gaussian kernel density (`scipy.stats.gaussian_kde`, Scott's bandwidth)
of one group's values, evaluated between the group's smallest and largest value (no
density beyond the data) and scaled to a common maximum half-width; on a log axis the
density is of the values' logarithm.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from scipy.stats import gaussian_kde

__all__ = ["dodged", "draw_dots", "draw_violins"]

WIDTH = 0.8
"""Width of one category's slot, shared by its hues."""


def dodged(i: int, j: int, n_hues: int) -> float:
    """The x position of hue `j` (of `n_hues`) in category `i`."""
    return i + (j - (n_hues - 1) / 2) * WIDTH / n_hues


def _violin(ax: Axes, values: np.ndarray, x: float, half: float, color: str, alpha: float,
            log: bool, quartiles: bool) -> None:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & ((v > 0) if log else True)]
    if v.size == 0:
        return
    v = np.log10(v) if log else v
    back = (lambda u: 10.0 ** u) if log else (lambda u: u)
    if v.size < 2 or np.ptp(v) == 0:  # no spread: a line at the value
        ax.hlines(back(v[0]), x - half, x + half, color=color)
        return
    grid = np.linspace(v.min(), v.max(), 100)
    density = gaussian_kde(v)(grid)
    width = half * density / density.max()
    ax.fill_betweenx(back(grid), x - width, x + width, color=color, alpha=alpha, linewidth=0)
    ax.plot(np.r_[x - width, (x + width)[::-1]], back(np.r_[grid, grid[::-1]]), color=color,
            linewidth=0.8)
    if quartiles:
        for q, style in ((25, ":"), (50, "--"), (75, ":")):
            at = np.percentile(v, q)
            w = np.interp(at, grid, width)
            ax.hlines(back(at), x - w, x + w, color="0.2", linestyles=style, linewidth=0.8)


def draw_violins(ax: Axes, data: pd.DataFrame, y: str, x: str | None, hue: str | None,
                 hue_order: Sequence[str], palette: dict[str, str], *, alpha: float = 0.5,
                 log: bool = False, quartiles: bool = False, legend: bool = True) -> list:
    """One violin of `y` per (`x`, `hue`) group, hues side by side in each category.

    Categories are `x`'s values in order of appearance (its categories when categorical);
    returns them, for `draw_dots`. `log` puts the y axis on a log scale.
    """
    if x is None:
        data, x = data.assign(_x=""), "_x"
    if hue is None:
        data, hue, hue_order = data.assign(_hue=""), "_hue", [""]
        palette = {"": "#0072B2"}
    column = data[x]
    categories = list(column.cat.categories) if isinstance(column.dtype, pd.CategoricalDtype) \
        else list(column.drop_duplicates())
    half = WIDTH / len(hue_order) / 2 * 0.95
    groups = data.groupby([x, hue], observed=True)[y]
    for i, category in enumerate(categories):
        for j, label in enumerate(hue_order):
            key = (category, label)
            if key in groups.groups:
                _violin(ax, groups.get_group(key).to_numpy(), dodged(i, j, len(hue_order)), half,
                        palette[label], alpha, log, quartiles)
    if log:
        ax.set_yscale("log")
    ax.set_xticks(range(len(categories)), [str(c) for c in categories])
    ax.set_xlim(-0.5, len(categories) - 0.5)
    if legend and hue != "_hue":
        ax.legend(handles=[Patch(color=palette[h], alpha=alpha, label=h) for h in hue_order],
                  fontsize=8)
    return categories


def draw_dots(ax: Axes, data: pd.DataFrame, y: str, x: str, hue: str, categories: list,
              hue_order: Sequence[str], palette: dict[str, str]) -> None:
    """One dot per row of `data` at its (`x`, `hue`) violin, jittered sideways (a fixed
    jitter: the same figure every time)."""
    rng = np.random.default_rng(0)
    spread = WIDTH / len(hue_order) / 4
    for i, category in enumerate(categories):
        for j, label in enumerate(hue_order):
            rows = data[(data[x] == category) & (data[hue] == label)]
            if rows.empty:
                continue
            at = dodged(i, j, len(hue_order)) + rng.uniform(-spread, spread, len(rows))
            ax.scatter(at, rows[y], s=18, color=palette[label], edgecolor="k", linewidth=0.5,
                       zorder=3)
