"""One function per figure of the tutorial (and more): ``ax=None`` in, Axes out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.patches import Circle

from navdecode._validation import check_choice, check_table
from navdecode.analysis.metrics import roc_auc
from navdecode.plotting.style import arch_palette, new_axes, shade
from navdecode.plotting.violins import draw_violins
from navdecode.recording.schema import check_recording, length_unit

__all__ = [
    "plot_compensation_kernels",
    "plot_curvature",
    "plot_perturbation",
    "plot_reward_fraction",
    "plot_roc_curves",
    "plot_time_spent",
    "plot_trajectories",
    "plot_traveled_vs_target",
    "plot_trial",
]

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
    ax = new_axes(ax)
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
    ax = new_axes(ax)
    sub = ds.isel(trial=slice(0, min(n, ds.sizes["trial"])))
    segments = np.stack([sub.pos_x.values, sub.pos_y.values], axis=-1)
    from matplotlib.collections import LineCollection

    ax.add_collection(LineCollection(list(segments), colors="0.3", linewidths=0.4, alpha=0.4))
    rew = sub.rewarded.values.astype(bool)
    ax.scatter(sub.target_x[rew], sub.target_y[rew], s=6, color="#1f77b4", label="rewarded")
    ax.scatter(sub.target_x[~rew], sub.target_y[~rew], s=6, color="#d62728",
               label="unrewarded")
    condition = f" {float(np.atleast_1d(sub.gain.values)[0]):g}x" if "gain" in sub.variables \
        else ""  # no gain recorded: one condition
    unit = length_unit(sub)
    xs = np.concatenate([segments[..., 0].ravel(), sub.target_x.values, [0.0]])
    ys = np.concatenate([segments[..., 1].ravel(), sub.target_y.values, [0.0]])
    span = max(np.nanmax(xs) - np.nanmin(xs), np.nanmax(ys) - np.nanmin(ys))
    pad = 0.05 * (max(span, 100.0) if unit == "cm" else span or 1.0)
    label = sub.attrs.get("label", sub.attrs.get("arch", ""))
    ax.set(xlabel=f"x ({unit})", ylabel=f"y ({unit})", aspect="equal",  # limits follow data
           xlim=(np.nanmin(xs) - pad, np.nanmax(xs) + pad),
           ylim=(np.nanmin(ys) - pad, np.nanmax(ys) + pad),
           title=f"{label}{condition}: {rew.mean():.0%} rewarded")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return ax


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
                   color=shade(colors[arch], j, len(gains)), edgecolor=colors[arch])
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
    return _bar_dots(df, "reward_fraction", new_axes(ax), "reward fraction")


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
    return _bar_dots(df, "time_spent_h", new_axes(ax), "time spent (h)")


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
    ax = new_axes(ax)
    key = "arch" if "arch" in df.columns else None
    colors = arch_palette(df[key]) if key else {}
    for name, grp in (df.groupby(key, sort=False) if key else [("", df)]):
        color = colors.get(str(name), "0.3")
        ax.scatter(grp["target_r"], grp["traveled_r"], s=3, alpha=0.3, color=color)
        k = zero_intercept_slope(grp["target_r"].to_numpy(), grp["traveled_r"].to_numpy())
        xs = np.array([0.0, 420.0])
        ax.plot(xs, k * xs, color=color, label=f"{name} slope {k:.2f}".strip())
    ax.plot([0, 420], [0, 420], ":", color="0.5", label="ideal")
    ax.set(xlabel="target distance (cm)", ylabel="traveled distance (cm)", xlim=(0, 420),
           ylim=(0, 600))
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_curvature(df: pd.DataFrame, ax: Axes | None = None, unit: str = "cm") -> Axes:
    """Distribution of per-trial path curvature (1/length) by architecture and gain.

    Parameters
    ----------
    df : pandas.DataFrame
        `trial_metrics` rows (``curvature``; ``arch``, ``gain`` optional).
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.
    unit : str, default="cm"
        Length unit of the positions (the axis shows 1/`unit`).

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
    ax = new_axes(ax)
    data = df[np.isfinite(df["curvature"]) & (df["curvature"] > 0)]  # log scale
    hue = "arch" if "arch" in data.columns else None
    x = "gain_label" if "gain" in data.columns else None
    if x:  # one category per gain, in increasing order
        gains = sorted(data["gain"].unique())
        data = data.assign(gain_label=pd.Categorical(data["gain"].map(
            {g: f"{g:g}x" for g in gains}), categories=[f"{g:g}x" for g in gains]))
    order = list(data["arch"].drop_duplicates()) if hue else []
    draw_violins(ax, data, "curvature", x, hue, order, arch_palette(order), alpha=0.6,
                 log=True, quartiles=True)
    ax.set(ylabel=f"curvature (1/{unit}, log scale)", xlabel="gain" if x else "")
    return ax


def plot_roc_curves(recordings: dict[tuple[str, float], xr.Dataset], ax: Axes | None = None
                    ) -> Axes:
    """Fraction-correct curves (`roc_auc`) of one recording per (arch, gain).

    Parameters
    ----------
    recordings : dict of (arch, gain) to xarray.Dataset
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import navdecode as nd
    >>> from navdecode.plotting import plot_roc_curves
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    >>> ax = plot_roc_curves({("modular", 1.0): ds})
    """

    ax = new_axes(ax)
    colors = arch_palette(a for a, _ in recordings)
    gains = sorted({g for _, g in recordings})
    for (arch, gain), ds in recordings.items():
        auc, curve = roc_auc(ds, seed=0)
        level = gains.index(gain)
        ax.plot(curve["fraction_shuffled"], curve["fraction_correct"],
                ("-", "--", ":")[level % 3], color=shade(colors[arch], level, len(gains)),
                label=f"{arch} {gain:g}x (AUC {auc:.2f})")
    ax.plot([0, 1], [0, 1], ":", color="0.6", lw=0.8)
    ax.set(xlabel="fraction within radius, shuffled targets",
           ylabel="fraction within radius of own target")
    ax.legend(fontsize=7, frameon=False)
    return ax


def plot_perturbation(bins: pd.DataFrame, value: str = "reward_fraction",
                      ax: Axes | None = None) -> Axes:
    """A metric against the size of the linear perturbation: mean over seeds +- SEM.

    Parameters
    ----------
    bins : pandas.DataFrame
        `perturbation_metrics` rows with ``arch`` and ``seed``.
    value : str, default="reward_fraction"
        The column to plot (``decoding_error_cm``, ``auc``...).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_perturbation
    >>> b = pd.DataFrame({"arch": "modular", "seed": [0, 0], "bin_low": [0, 100],
    ...                   "bin_high": [100, 200], "reward_fraction": [0.9, 0.7]})
    >>> ax = plot_perturbation(b)
    """
    check_table(bins, ["arch", "seed", "bin_low", "bin_high", value], name="bins")
    ax = new_axes(ax)
    colors = arch_palette(bins["arch"])
    centre = (bins["bin_low"] + bins["bin_high"]) / 2
    stats = bins.assign(centre=centre).groupby(["arch", "centre"])[value].agg(
        ["mean", "sem", "count"]).reset_index()
    for arch, grp in stats.groupby("arch", sort=False):
        n = int(grp["count"].max())
        ax.errorbar(grp["centre"], grp["mean"], yerr=grp["sem"].fillna(0), marker="o",
                    color=colors[arch], capsize=3,
                    label=f"{arch} ({n} seed{'' if n == 1 else 's'})")
    ax.set(xlabel="peak linear perturbation (cm/s)", ylabel=value.replace("_", " "))
    ax.legend(fontsize=8, frameon=False)
    return ax


_KERNEL_GROUPS = {"linear": (("forward", "backward"), "linear compensation (cm/s)"),
                  "angular": (("congruent", "incongruent"), "angular compensation (deg/s)")}


def plot_compensation_kernels(kernels: pd.DataFrame, component: str = "linear",
                              ax: Axes | None = None) -> Axes:
    """Compensation kernels of each architecture: mean over seeds +- SD, from onset on.

    One line per architecture (``arch``, its colour) and group: solid for a forward
    (linear) or congruent (angular) push, dashed for a backward or incongruent one, as in
    the paper's figure S6a-b; the dotted line marks the end of the bump (1 s).

    Parameters
    ----------
    kernels : pandas.DataFrame
        `compensation_kernels` rows with ``arch`` and ``seed`` columns.
    component : {"linear", "angular"}, default="linear"
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_compensation_kernels
    >>> rows = [{"arch": "modular", "seed": s, "component": "linear", "group": g,
    ...          "time_s": k / 10, "kernel": -k * (s + 1)}
    ...         for s in (0, 1) for g in ("forward", "backward") for k in range(3)]
    >>> ax = plot_compensation_kernels(pd.DataFrame(rows))
    """
    check_choice(component, "component", tuple(_KERNEL_GROUPS))
    check_table(kernels, ["arch", "seed", "component", "group", "time_s", "kernel"],
                name="kernels")
    ax = new_axes(ax)
    groups, ylabel = _KERNEL_GROUPS[component]
    part = kernels[kernels["component"] == component]
    stats = part.groupby(["arch", "group", "time_s"], sort=False)["kernel"].agg(
        ["mean", "std"]).reset_index()
    seeds = part.groupby("arch", sort=False)["seed"].nunique()
    palette = arch_palette(list(seeds.index))
    for arch, n in seeds.items():
        for group, style in zip(groups, ("-", "--"), strict=True):
            line = stats[(stats["arch"] == arch) & (stats["group"] == group)]
            if line.empty:
                continue
            ax.plot(line["time_s"], line["mean"], color=palette[arch], ls=style,
                    label=f"{arch}, {group} ({n} seed{'' if n == 1 else 's'})")
            ax.fill_between(line["time_s"], line["mean"] - line["std"].fillna(0),
                            line["mean"] + line["std"].fillna(0), color=palette[arch],
                            alpha=0.2, lw=0)
    ax.axhline(0, color="0.5", lw=0.8, ls=":")
    ax.axvline(1.0, color="k", lw=0.8, ls=":")
    ax.set(xlabel="time from the perturbation's onset (s)", ylabel=ylabel)
    ax.legend(fontsize=7, frameon=False)
    return ax
