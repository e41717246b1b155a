"""Training curves of several seeds and architectures."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from navdecode._validation import check_table
from navdecode.plotting.style import arch_palette, new_axes

__all__ = ['plot_training_curves']

def plot_training_curves(curves: pd.DataFrame, task: str = "gain1x",
                         ax: Axes | None = None) -> Axes:
    """Reward fraction vs training trial, mean +- SEM across seeds, per architecture.

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
    check_table(curves, ["arch", "seed", "episode", "task", "reward_fraction"], "curves")
    ax = new_axes(ax, (5.5, 4.0))
    sub = curves[curves["task"] == task]
    palette = arch_palette(sub["arch"])
    for arch, grp in sub.groupby("arch"):
        color = palette[str(arch)]
        n_seeds = grp["seed"].nunique()
        for _, run in grp.groupby("seed"):
            ax.plot(run["episode"], run["reward_fraction"], color=color, lw=0.6, alpha=0.4)
        stats = grp.groupby("episode")["reward_fraction"].agg(["mean", "sem", "count"])
        stats = stats[stats["count"] == n_seeds]
        sem = stats["sem"].fillna(0)
        ax.plot(stats.index, stats["mean"], color=color, lw=2, label=f"{arch} (n={n_seeds})")
        ax.fill_between(stats.index, stats["mean"] - sem, stats["mean"] + sem, color=color,
                        alpha=0.25, lw=0)
    ax.set(xlabel="training trial", ylabel="reward fraction", ylim=(-0.02, 1.02),
           title=f"validation at {task.replace('gain', '')}")
    ax.legend(frameon=False)
    return ax
