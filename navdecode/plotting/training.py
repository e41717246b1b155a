"""Training curves of several seeds and architectures."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from navdecode._validation import check_table
from navdecode.plotting.style import arch_palette, new_axes

__all__ = ['plot_training_curves']

def plot_training_curves(curves: pd.DataFrame, task: str = "gain1x",
                         ax: Axes | None = None, value: str = "reward_fraction") -> Axes:
    """A curve column vs training trial, mean +- SEM across seeds, per architecture.

    Each seed's curve is drawn thinly; the mean and SEM are drawn only over the trials at
    which every seed of the architecture has a validation (runs end at different trials,
    since phase I lasts a different time in each), so the mean never silently changes
    which seeds it averages.

    Parameters
    ----------
    curves : pandas.DataFrame
        Training curves (``curve.csv`` rows) with ``arch`` and ``seed`` columns added.
    task : str, default="gain1x"
        Which validation gain to show.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.
    value : str, default="reward_fraction"
        The curve column (e.g. ``"td_error_abs"``, the critic's mean |TD error| on the
        validation trials: the paper's figure 3d); rows where it is NaN are left out.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import navdecode as nd
    >>> curves = pd.DataFrame({"arch": "modular", "seed": [0, 0], "episode": [500, 1000],
    ...                        "task": "gain1x", "reward_fraction": [0.2, 0.9]})
    >>> ax = nd.plot_training_curves(curves)
    """
    check_table(curves, ["arch", "seed", "episode", "task", value], "curves")
    ax = new_axes(ax, (5.5, 4.0))
    sub = curves[(curves["task"] == task) & curves[value].notna()]
    palette = arch_palette(sub["arch"])
    for arch, grp in sub.groupby("arch"):
        color = palette[str(arch)]
        n_seeds = grp["seed"].nunique()
        for _, run in grp.groupby("seed"):
            ax.plot(run["episode"], run[value], color=color, lw=0.6, alpha=0.4)
        stats = grp.groupby("episode")[value].agg(["mean", "sem", "count"])
        stats = stats[stats["count"] == n_seeds]
        sem = stats["sem"].fillna(0)
        ax.plot(stats.index, stats["mean"], color=color, lw=2, label=f"{arch} (n={n_seeds})")
        ax.fill_between(stats.index, stats["mean"] - sem, stats["mean"] + sem, color=color,
                        alpha=0.25, lw=0)
    ax.set(xlabel="training trial", ylabel=value.replace("_", " "),
           title=f"validation at {task.replace('gain', '')}")
    if value == "reward_fraction":
        ax.set_ylim(-0.02, 1.02)
    ax.legend(frameon=False)
    return ax
