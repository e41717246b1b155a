"""One function per figure of the tutorial (and more): ``ax=None`` in, Axes out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.patches import Circle

from navdecode._validation import check_table
from navdecode.recording.schema import check_recording

__all__ = [
    "plot_curvature",
    "plot_decoding_error",
    "plot_decoding_over_time",
    "plot_reward_fraction",
    "plot_time_spent",
    "plot_training_curves",
    "plot_trajectories",
    "plot_traveled_vs_target",
    "plot_trial",
]

# Okabe-Ito: distinguishable under the common colour-vision deficiencies
ARCH_COLORS = {"modular": "#009E73", "holistic": "#D55E00"}
_OTHER_COLORS = ("#0072B2", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


def arch_palette(labels: object) -> dict[str, str]:
    """One colour per agent label: modular and holistic keep theirs, others get the next.

    Examples
    --------
    >>> from navdecode.plotting.behaviour import arch_palette
    >>> arch_palette(["modular", "my GRU"])
    {'modular': '#009E73', 'my GRU': '#0072B2'}
    """
    names = list(dict.fromkeys(str(v) for v in labels))
    others = iter(_OTHER_COLORS * (1 + len(names) // len(_OTHER_COLORS)))
    return {n: ARCH_COLORS[n] if n in ARCH_COLORS else next(others) for n in names}


def _ax(ax: Axes | None, size: tuple[float, float] = (4.5, 4.0)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    elif not isinstance(ax, Axes):
        msg = f"ax must be a matplotlib Axes or None, got {type(ax).__name__}"
        raise TypeError(msg)
    return ax


def plot_trial(ds: xr.Dataset, trial: int = 0, ax: Axes | None = None,
               radius_cm: float | None = None) -> Axes:
    """One trajectory with its target and reward zone (cm).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent`.
    trial : int, default=0
        Trial index.
    ax : matplotlib Axes or None, default=None
    radius_cm : float or None, default=None
        Reward-zone radius; the recording's ``task_reward_radius_cm`` when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import navdecode as nd
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    >>> ax = nd.plot_trial(ds, trial=0)
    """
    check_recording(ds, ["pos_x", "pos_y", "target_x", "target_y"], analysis="plot_trial")
    if not isinstance(trial, (int, np.integer)) or not 0 <= trial < ds.sizes["trial"]:
        msg = f"trial must be an int in [0, {ds.sizes['trial']}), got {trial!r}"
        raise ValueError(msg)
    ax = _ax(ax)
    radius = radius_cm or float(ds.attrs.get("task_reward_radius_cm", 65.0))
    one = ds.isel(trial=trial)
    tx, ty = float(one.target_x), float(one.target_y)
    ax.add_patch(Circle((tx, ty), radius, color="0.85", zorder=0, label="reward zone"))
    ax.plot(one.pos_x, one.pos_y, "-o", ms=2.5, color="k", label="agent")
    ax.plot([tx], [ty], "*", ms=12, color="gold", mec="k", label="target")
    ax.plot([0], [0], "s", color="k", ms=5)
    ax.set(xlabel="x (cm)", ylabel="y (cm)", aspect="equal",
           title=f"trial {trial}: {'rewarded' if bool(one.rewarded) else 'unrewarded'}")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax


def plot_trajectories(ds: xr.Dataset, n: int = 500, ax: Axes | None = None) -> Axes:
    """Many trajectories, targets coloured by outcome (rewarded / unrewarded).

    Parameters
    ----------
    ds : xarray.Dataset
        A recording from `run_agent`.
    n : int, default=500
        How many trials to draw (the first `n`).
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import navdecode as nd
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    >>> ax = nd.plot_trajectories(ds, n=20)
    """
    check_recording(ds, "plot_trajectories")
    ax = _ax(ax)
    sub = ds.isel(trial=slice(0, min(n, ds.sizes["trial"])))
    segments = np.stack([sub.pos_x.values, sub.pos_y.values], axis=-1)
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(list(segments), colors="0.3", linewidths=0.4, alpha=0.4))
    rew = sub.rewarded.values.astype(bool)
    ax.scatter(sub.target_x[rew], sub.target_y[rew], s=6, color="#1f77b4", label="rewarded")
    ax.scatter(sub.target_x[~rew], sub.target_y[~rew], s=6, color="#d62728",
               label="unrewarded")
    gain = float(np.atleast_1d(sub.gain.values)[0])
    xs = np.concatenate([segments[..., 0].ravel(), sub.target_x.values, [0.0]])
    ys = np.concatenate([segments[..., 1].ravel(), sub.target_y.values, [0.0]])
    pad = 0.05 * max(np.nanmax(xs) - np.nanmin(xs), np.nanmax(ys) - np.nanmin(ys), 100.0)
    ax.set(xlabel="x (cm)", ylabel="y (cm)", aspect="equal",  # limits follow the data
           xlim=(np.nanmin(xs) - pad, np.nanmax(xs) + pad),
           ylim=(np.nanmin(ys) - pad, np.nanmax(ys) + pad),
           title=f"{sub.attrs.get('arch', '')} {gain:g}x: {rew.mean():.0%} rewarded")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax


def _shade(color: str, level: int, levels: int) -> tuple[float, float, float]:
    """The architecture's colour, lighter for later gains (gain by lightness, not hue)."""
    from matplotlib.colors import to_rgb

    mix = 0.55 * level / max(levels - 1, 1)
    return tuple(c + (1 - c) * mix for c in to_rgb(color))


def _bar_dots(df: pd.DataFrame, value: str, ax: Axes, ylabel: str) -> Axes:
    """Mean bar per (arch, gain) in the arch's colour, gains side by side and lighter; one
    dot per seed."""
    check_table(df, ["arch", "seed", value])
    data = df.assign(gain=df["gain"] if "gain" in df.columns else 1.0)
    archs, gains = list(dict.fromkeys(data["arch"])), sorted(data["gain"].unique())
    colors, width = arch_palette(archs), 0.8 / len(gains)
    ticks, labels = [], []
    for i, arch in enumerate(archs):
        for j, gain in enumerate(gains):
            x = i + (j - (len(gains) - 1) / 2) * width
            vals = data.loc[(data["arch"] == arch) & (data["gain"] == gain), value].to_numpy()
            if not len(vals):
                continue
            ax.bar(x, np.nanmean(vals), width=0.9 * width,
                   color=_shade(colors[arch], j, len(gains)), edgecolor=colors[arch])
            ax.scatter(np.full(len(vals), x), vals, color="k", s=12, zorder=3)
            ticks.append(x)
            labels.append(f"{arch}\n{gain:g}x" if len(gains) > 1 else arch)
    ax.set_xticks(ticks, labels, fontsize=8)
    ax.set(xlabel="", ylabel=ylabel)
    return ax


def plot_reward_fraction(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Reward fraction per architecture: bar = mean, one dot per seed (and per gain).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per (arch, seed[, gain]) with ``reward_fraction``.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import navdecode as nd
    >>> table = pd.DataFrame({"arch": ["modular", "holistic"] * 2, "seed": [0, 0, 1, 1],
    ...                       "gain": 1.0, "reward_fraction": [0.9, 0.8, 0.95, 0.7],
    ...                       "time_spent_h": [0.4, 0.5, 0.4, 0.5],
    ...                       "decoding_error_cm": [10.0, 12.0, 11.0, 14.0]})
    >>> ax = nd.plot_reward_fraction(table)
    """
    return _bar_dots(df, "reward_fraction", _ax(ax), "reward fraction")


def plot_time_spent(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Time spent on the evaluation trials (hours) per architecture, one dot per seed.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per (arch, seed[, gain]) with ``time_spent_h``.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import navdecode as nd
    >>> table = pd.DataFrame({"arch": ["modular", "holistic"] * 2, "seed": [0, 0, 1, 1],
    ...                       "gain": 1.0, "reward_fraction": [0.9, 0.8, 0.95, 0.7],
    ...                       "time_spent_h": [0.4, 0.5, 0.4, 0.5],
    ...                       "decoding_error_cm": [10.0, 12.0, 11.0, 14.0]})
    >>> ax = nd.plot_time_spent(table)
    """
    return _bar_dots(df, "time_spent_h", _ax(ax), "time spent (h)")


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
    ax = _ax(ax, (5.5, 4.0))
    sub = curves[curves["task"] == task]
    for arch, grp in sub.groupby("arch"):
        color = ARCH_COLORS.get(str(arch))
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


def plot_traveled_vs_target(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Traveled vs target distance per trial, with each group's zero-intercept line.

    Parameters
    ----------
    df : pandas.DataFrame
        `trial_metrics` rows (``target_r``, ``traveled_r``; ``arch`` optional).
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import navdecode as nd
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    >>> ax = nd.plot_traveled_vs_target(nd.trial_metrics(ds))
    """
    from navdecode.analysis.metrics import zero_intercept_slope

    check_table(df, ["target_r", "traveled_r"])
    ax = _ax(ax)
    key = "arch" if "arch" in df.columns else None
    for name, grp in (df.groupby(key) if key else [("", df)]):
        color = ARCH_COLORS.get(str(name))
        ax.scatter(grp["target_r"], grp["traveled_r"], s=3, alpha=0.3, color=color)
        k = zero_intercept_slope(grp["target_r"].to_numpy(), grp["traveled_r"].to_numpy())
        xs = np.array([0.0, 420.0])
        ax.plot(xs, k * xs, color=color, label=f"{name} slope {k:.2f}".strip())
    ax.plot([0, 420], [0, 420], ":", color="0.5", label="ideal")
    ax.set(xlabel="target distance (cm)", ylabel="traveled distance (cm)", xlim=(0, 420),
           ylim=(0, 600))
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_decoding_error(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Decoding error (cm) as violins by gain and architecture, one dot per seed.

    The violins show the distribution of the rows of each (arch, gain) group within the
    tutorial's 1.5 IQR fences (the far samples left out are counted in the title); the
    dots are the mean of each (arch, seed, gain) over all its rows, so passing one row
    per decoded step draws the tutorial's error distributions with the seed means on top.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows with ``arch``, ``gain``, ``decoding_error_cm`` and, for the dots, ``seed``:
        one row per (arch, seed, gain), or one per decoded step or trial.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import navdecode as nd
    >>> table = pd.DataFrame({"arch": ["modular", "holistic"] * 2, "seed": [0, 0, 1, 1],
    ...                       "gain": 1.0, "reward_fraction": [0.9, 0.8, 0.95, 0.7],
    ...                       "time_spent_h": [0.4, 0.5, 0.4, 0.5],
    ...                       "decoding_error_cm": [10.0, 12.0, 11.0, 14.0]})
    >>> ax = nd.plot_decoding_error(table)
    """
    check_table(df, ["arch", "gain", "decoding_error_cm"])
    ax = _ax(ax, (5.0, 4.0))
    order = list(df["arch"].drop_duplicates())
    data = df.assign(gain_label=df["gain"].map(lambda g: f"{g:g}x"))
    # the tutorial's fences: samples beyond 1.5 IQR of their (arch, gain) group are left out
    grouped = data.groupby(["arch", "gain"], observed=True)["decoding_error_cm"]
    q1, q3 = grouped.transform(lambda v: v.quantile(0.25)), grouped.transform(
        lambda v: v.quantile(0.75))
    inside = data["decoding_error_cm"].between(q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1))
    sns.violinplot(data[inside], x="gain_label", y="decoding_error_cm", hue="arch",
                   hue_order=order, palette=arch_palette(order), inner=None, cut=0, ax=ax,
                   alpha=0.5)
    if "seed" in df.columns:
        seeds = data.groupby(["arch", "gain_label", "seed"], as_index=False, observed=True)[
            "decoding_error_cm"].mean()
        sns.stripplot(seeds, x="gain_label", y="decoding_error_cm", hue="arch",
                      hue_order=order, palette=arch_palette(order),
                      dodge=True, ax=ax, legend=False, edgecolor="k", linewidth=0.5)
    ax.set(xlabel="gain", ylabel="position decoding error (cm)",
           title=f"within 1.5 IQR fences ({int((~inside).sum())} far samples left out); "
                 "dots: seed means", )
    ax.title.set_fontsize(8)
    return ax


def plot_decoding_over_time(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Decoding error at each time step (mean +- SEM), one line per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``step``, ``mean_error``, ``sem`` (as `DecodingResult.error_by_step`) and
        optionally ``label`` (one line per label).
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import navdecode as nd
    >>> steps = pd.DataFrame({"step": range(5), "mean_error": [5.0, 6, 8, 9, 12], "sem": 1.0})
    >>> ax = nd.plot_decoding_over_time(steps)
    """
    check_table(df, ["step", "mean_error", "sem"])
    ax = _ax(ax, (5.5, 4.0))
    groups = list(df.groupby("label", sort=False)) if "label" in df.columns else [("", df)]
    archs = [str(label).split(" ")[0] for label, _ in groups]
    colors = arch_palette(archs)
    gains = list(dict.fromkeys(" ".join(str(label).split(" ")[1:]) for label, _ in groups))
    counts = ax.twinx() if "n" in df.columns else None
    for (label, grp), arch in zip(groups, archs, strict=True):
        level = gains.index(" ".join(str(label).split(" ")[1:]))
        color = _shade(colors[arch], level, len(gains))
        style = ("-", "--", ":", "-.")[level % 4]
        ax.plot(grp["step"] * 0.1, grp["mean_error"], style, color=color, label=str(label))
        ax.fill_between(grp["step"] * 0.1, grp["mean_error"] - grp["sem"],
                        grp["mean_error"] + grp["sem"], color=color, alpha=0.2, lw=0)
        if counts is not None:
            counts.step(grp["step"] * 0.1, grp["n"], where="mid", color=color, lw=0.7,
                        alpha=0.6, ls=style)
    ax.set(xlabel="time in trial (s)", ylabel="decoding error (cm)")
    if counts is not None:
        counts.set_ylabel("trials behind each point (thin lines)", fontsize=8)
        counts.set_ylim(bottom=0)
    if "label" in df.columns:
        ax.legend(frameon=False, fontsize=8)
    return ax


def plot_curvature(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Distribution of per-trial path curvature (1/cm) by architecture and gain.

    Parameters
    ----------
    df : pandas.DataFrame
        `trial_metrics` rows (``curvature``; ``arch``, ``gain`` optional).
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import navdecode as nd
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    >>> import numpy as np
    >>> table = nd.trial_metrics(ds).assign(curvature=np.linspace(0.001, 0.02, 20))
    >>> ax = nd.plot_curvature(table)
    """
    check_table(df, ["curvature"])
    ax = _ax(ax)
    data = df[np.isfinite(df["curvature"]) & (df["curvature"] > 0)]  # log scale
    hue = "arch" if "arch" in data.columns else None
    x = "gain" if "gain" in data.columns else None
    sns.violinplot(data, x=x, y="curvature", hue=hue,
                   palette=arch_palette(data["arch"]) if hue else None,
                   inner="quart", cut=0, ax=ax, log_scale=True)
    ax.set(ylabel="curvature (1/cm, log scale)", xlabel="gain" if x else "")
    return ax
