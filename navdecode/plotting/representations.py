"""Figures of the analyses beyond the tutorial: one function per figure, ``ax=None`` in.

Each architecture keeps its colour (`navdecode.plotting.style.arch_palette`); gains are shown by
lightness and line style.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

from navdecode._validation import check_positive, check_table
from navdecode.plotting.style import arch_palette, new_axes, shade
from navdecode.plotting.violins import draw_dots, draw_violins

__all__ = ["plot_critic_values", "plot_decoded_variables", "plot_decoding_controls",
           "plot_decoding_error", "plot_decoding_over_time", "plot_fixed_points",
           "plot_no_adaptation", "plot_observer_errors", "plot_similarity_matrix",
           "plot_tuning_map"]


def _grouped_bars(ax: Axes, sessions: pd.DataFrame, cols: list[str], names: list[str],
                  ylabel: str) -> Axes:
    """Per (arch, gain), the mean over seeds of each of `cols`: one bar per column, in the
    arch's colour, lighter for later columns."""
    if "gain" in sessions.columns:
        means = sessions.groupby(["arch", "gain"])[cols].mean()
        rows = [(arch, f"{gain:g}x", list(r.values)) for (arch, gain), r in means.iterrows()]
    else:  # one condition
        rows = [(arch, "", list(r.values)) for arch, r in sessions.groupby("arch")[cols].mean(
        ).iterrows()]
    colors = arch_palette(a for a, _, _ in rows)
    width = 0.8 / len(names)
    for i, (arch, _, values) in enumerate(rows):
        for j, value in enumerate(values):
            ax.bar(i + (j - (len(names) - 1) / 2) * width, value, width=0.9 * width,
                   color=shade(colors[arch], j, len(names)), edgecolor=colors[arch],
                   label=names[j] if i == 0 else None)
    ax.set_xticks(range(len(rows)), [f"{a}\n{lab}" for a, lab, _ in rows], fontsize=8)
    ax.set(ylabel=ylabel)
    ax.legend(fontsize=7, frameon=False, title="bars, dark to light", title_fontsize=7)
    return ax


def plot_decoding_controls(sessions: pd.DataFrame, ax: Axes | None = None,
                           unit: str = "cm") -> Axes:
    """Decoding error of the agents beside the untrained network, step index and shuffle.

    Parameters
    ----------
    sessions : pandas.DataFrame
        The report's sessions (``decoding_error_cm``, ``decoding_untrained_cm``,
        ``decoding_time_only_cm``, ``decoding_shuffle_cm``).
    ax : matplotlib Axes or None, default=None
    unit : str, default="cm"
        Length unit of the errors, for the axis label.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_decoding_controls
    >>> s = pd.DataFrame({"arch": ["modular"], "seed": [0], "gain": [1.0],
    ...                   "decoding_error_cm": [10.0], "decoding_untrained_cm": [15.0],
    ...                   "decoding_time_only_cm": [32.0], "decoding_shuffle_cm": [27.0]})
    >>> ax = plot_decoding_controls(s)
    """
    cols = ["decoding_error_cm", "decoding_untrained_cm", "decoding_time_only_cm",
            "decoding_shuffle_cm"]
    check_table(sessions, ["arch", *cols], name="sessions")
    names = ["agent", "untrained network", "step index alone", "trial shuffle"]
    return _grouped_bars(new_axes(ax, (6.0, 4.0)), sessions, cols, names,
                         f"position decoding error ({unit})")


def plot_no_adaptation(sessions: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Traveled / target slope: the agents at a later gain beside their replayed 1x actions.

    Parameters
    ----------
    sessions : pandas.DataFrame
        The report's sessions (``traveled_slope``, ``replay_traveled_slope``).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_no_adaptation
    >>> s = pd.DataFrame({"arch": ["modular"], "seed": [0], "gain": [2.0],
    ...                   "traveled_slope": [1.1], "replay_traveled_slope": [1.7]})
    >>> ax = plot_no_adaptation(s)
    """
    check_table(sessions, ["arch", "gain", "traveled_slope", "replay_traveled_slope"],
                name="sessions")
    cols = ["traveled_slope", "replay_traveled_slope"]
    ax = _grouped_bars(new_axes(ax), sessions.dropna(subset=cols[1:]), cols,
                       ["agent", "replay of 1x actions"], "traveled / target distance slope")
    ax.axhline(1.0, color="0.6", ls=":", lw=0.8)
    return ax


_TASK_VARIABLE_NAMES = {"vel_lin": "linear\nvelocity", "vel_ang": "angular\nvelocity",
                        "target_distance": "distance\nto target",
                        "target_angle": "angle\nto target", "action_lin": "linear\naction",
                        "action_ang": "angular\naction"}


def plot_decoded_variables(sessions: pd.DataFrame, gain: float | None = None,
                           ax: Axes | None = None) -> Axes:
    """Pearson's r of each task variable decoded from the units: a dot per network, a bar
    at each architecture's mean (the paper's figure 1l).

    Parameters
    ----------
    sessions : pandas.DataFrame
        The report's sessions, with ``decoding_r_<variable>`` columns for any of
        ``vel_lin``, ``vel_ang``, ``target_distance``, ``target_angle``, ``action_lin``,
        ``action_ang``.
    gain : float or None, default=None
        The gain shown; the smallest in `sessions` when None (or every row when there is
        no ``gain`` column).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_decoded_variables
    >>> s = pd.DataFrame({"arch": ["modular", "holistic"], "seed": [0, 0], "gain": [1.0, 1.0],
    ...                   "decoding_r_vel_lin": [0.96, 0.93]})
    >>> ax = plot_decoded_variables(s)
    """
    columns = [c for c in sessions.columns if c.removeprefix("decoding_r_")
               in _TASK_VARIABLE_NAMES and c.startswith("decoding_r_")]
    if not columns:
        msg = ("sessions has no decoding_r_<variable> column (e.g. decoding_r_vel_lin); "
               "the report adds them for firefly recordings")
        raise ValueError(msg)
    check_table(sessions, ["arch", *columns], name="sessions")
    if "gain" in sessions.columns:
        gain = float(sessions["gain"].min()) if gain is None else gain
        sessions = sessions[sessions["gain"] == gain]
        if sessions.empty:
            msg = f"sessions has no rows at gain={gain!r}"
            raise ValueError(msg)
    ax = new_axes(ax, (6.5, 3.6))
    archs = list(dict.fromkeys(sessions["arch"]))
    colors = arch_palette(archs)
    width = 0.8 / len(archs)
    for i, arch in enumerate(archs):
        rows = sessions[sessions["arch"] == arch]
        for j, column in enumerate(columns):
            x = j + (i - (len(archs) - 1) / 2) * width
            values = rows[column].dropna()
            ax.bar(x, values.mean(), width=0.9 * width, color=colors[arch], alpha=0.35,
                   label=arch if j == 0 else None)
            ax.scatter(np.full(len(values), x), values, color=colors[arch], s=8, zorder=3)
    ax.set_xticks(range(len(columns)),
                  [_TASK_VARIABLE_NAMES[c.removeprefix("decoding_r_")] for c in columns],
                  fontsize=8)
    low = float(np.nanmin(sessions[columns].to_numpy(dtype=float)))
    ax.set(ylabel="Pearson's r, held out", ylim=(min(0.0, low) if low < 0.5 else 0.5, 1.0),
           title=f"decoded from the recurrent units{'' if gain is None else f', {gain:g}x'}")
    ax.legend(fontsize=7, frameon=False)
    return ax


def plot_observer_errors(sessions: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Ideal observer error, agent decoding error and decoded-to-belief distance (cm).

    Parameters
    ----------
    sessions : pandas.DataFrame
        The report's sessions (``observer_error_cm``, ``decoding_error_cm``,
        ``decoded_to_belief_cm``).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_observer_errors
    >>> s = pd.DataFrame({"arch": ["modular"], "seed": [0], "gain": [1.0],
    ...                   "observer_error_cm": [4.0], "decoding_error_cm": [10.0],
    ...                   "decoded_to_belief_cm": [9.0]})
    >>> ax = plot_observer_errors(s)
    """
    cols = ["observer_error_cm", "decoding_error_cm", "decoded_to_belief_cm"]
    check_table(sessions, ["arch", "gain", *cols], name="sessions")
    names = ["ideal observer", "agent decoding", "decoded to belief"]
    return _grouped_bars(new_axes(ax, (5.5, 4.0)), sessions, cols, names, "position error (cm)")


def plot_similarity_matrix(matrix: pd.DataFrame, ax: Axes | None = None,
                           label: str = "linear CKA", vmax: float | None = 1.0) -> Axes:
    """A networks x networks similarity matrix (`similarity_matrix`) as an image.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square, indexed by (arch, seed).
    ax : matplotlib Axes or None, default=None
    label : str, default="linear CKA"
        The colour bar's label (e.g. "DSA distance").
    vmax : float or None, default=1.0
        The top of the colour scale (None: the matrix's largest value, for distances).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting import plot_similarity_matrix
    >>> idx = pd.MultiIndex.from_tuples([("modular", 0), ("holistic", 0)])
    >>> ax = plot_similarity_matrix(pd.DataFrame([[1, .8], [.8, 1]], index=idx, columns=idx))
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.shape[0] != matrix.shape[1]:
        msg = "matrix must be a square DataFrame from similarity_matrix"
        raise ValueError(msg)
    ax = new_axes(ax)
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, vmin=np.nanmin([0.0, np.nanmin(values)]),
                      vmax=np.nanmax(values) if vmax is None else vmax, cmap="viridis")
    names = [f"{a} {s}" for a, s in matrix.index]  # whole labels: initials can collide
    colors = arch_palette(a for a, _ in matrix.index)
    ax.set_xticks(range(len(names)), names, fontsize=6, rotation=90)
    ax.set_yticks(range(len(names)), names, fontsize=6)
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        for tick, (arch, _) in zip(ticks, matrix.index, strict=True):
            tick.set_color(colors[arch])
    ax.figure.colorbar(image, ax=ax, label=label)
    return ax


VIOLIN_ROWS = 20_000
"""Most rows one violin's density is drawn from (a fixed random subset of a larger group)."""


def plot_decoding_error(df: pd.DataFrame, ax: Axes | None = None, unit: str = "cm") -> Axes:
    """Decoding error as violins by gain and architecture, one dot per seed.

    The violins show the distribution of the rows of each (arch, gain) group within the
    tutorial's 1.5 IQR fences (the far samples left out are counted in the title; a group
    of more than `VIOLIN_ROWS` rows is drawn from a fixed random subset of them); the
    dots are the mean of each (arch, seed, gain) over all its rows, so passing one row
    per decoded step draws the tutorial's error distributions with the seed means on top.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows with ``arch``, ``decoding_error_cm`` (the error, whatever its unit) and
        optionally ``gain`` (one violin per gain) and, for the dots, ``seed``: one row per
        (arch, seed, gain), or one per decoded step or trial.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.
    unit : str, default="cm"
        Length unit of the errors, for the axis label.

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
    check_table(df, ["arch", "decoding_error_cm"])
    ax = new_axes(ax, (5.0, 4.0))
    order = list(df["arch"].drop_duplicates())
    if "gain" in df.columns:  # one label object per gain, not one per row
        labels = {g: f"{g:g}x" for g in df["gain"].unique()}
        data = df.assign(gain_label=pd.Categorical(df["gain"].map(labels),
                                                   categories=list(labels.values())))
    else:  # one condition
        data = df.assign(gain=0.0, gain_label="")
    # the tutorial's fences: samples beyond 1.5 IQR of their (arch, gain) group are left out
    grouped = data.groupby(["arch", "gain"], observed=True)["decoding_error_cm"]
    q1, q3 = grouped.transform("quantile", 0.25), grouped.transform("quantile", 0.75)
    inside = data["decoding_error_cm"].between(q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1))
    shown = data[inside]
    if len(shown) > VIOLIN_ROWS:  # a fixed random subset per group draws the same density
        key = pd.Series(np.random.default_rng(0).random(len(shown)), index=shown.index)
        rank = key.groupby([shown["arch"], shown["gain"]], observed=True).rank(method="first")
        shown = shown[rank <= VIOLIN_ROWS]
    palette = arch_palette(order)
    categories = draw_violins(ax, shown, "decoding_error_cm", "gain_label", "arch", order,
                              palette, alpha=0.5)
    if "seed" in df.columns:
        seeds = data.groupby(["arch", "gain_label", "seed"], as_index=False, observed=True)[
            "decoding_error_cm"].mean()
        draw_dots(ax, seeds, "decoding_error_cm", "gain_label", "arch", categories, order,
                  palette)
    ax.set(xlabel="gain" if "gain" in df.columns else "",
           ylabel=f"position decoding error ({unit})",
           title=f"within 1.5 IQR fences ({int((~inside).sum())} far samples left out); "
                 "dots: seed means", )
    ax.title.set_fontsize(8)
    return ax


def plot_decoding_over_time(df: pd.DataFrame, ax: Axes | None = None, unit: str = "cm",
                            dt: float | None = 0.1) -> Axes:
    """Decoding error at each time step (mean +- SEM), one line per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``step``, ``mean_error``, ``sem`` (as `DecodingResult.error_by_step`) and
        optionally ``label`` (one line per label) and ``n`` (trials behind each point).
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.
    unit : str, default="cm"
        Length unit of the errors, for the axis label.
    dt : float or None, default=0.1
        Step duration (s): the x axis is time in s; in steps when None.

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
    if dt is not None:
        dt = check_positive(dt, "dt")
    ax = new_axes(ax, (5.5, 4.0))
    scale = 1.0 if dt is None else dt
    groups = list(df.groupby("label", sort=False)) if "label" in df.columns else [("", df)]
    archs = [str(label).split(" ")[0] for label, _ in groups]
    colors = arch_palette(archs)
    gains = list(dict.fromkeys(" ".join(str(label).split(" ")[1:]) for label, _ in groups))
    counts = ax.twinx() if "n" in df.columns else None
    for (label, grp), arch in zip(groups, archs, strict=True):
        level = gains.index(" ".join(str(label).split(" ")[1:]))
        color = shade(colors[arch], level, len(gains))
        style = ("-", "--", ":", "-.")[level % 4]
        ax.plot(grp["step"] * scale, grp["mean_error"], style, color=color, label=str(label))
        ax.fill_between(grp["step"] * scale, grp["mean_error"] - grp["sem"],
                        grp["mean_error"] + grp["sem"], color=color, alpha=0.2, lw=0)
        if counts is not None:
            counts.step(grp["step"] * scale, grp["n"], where="mid", color=color, lw=0.7,
                        alpha=0.6, ls=style)
    ax.set(xlabel="time in trial (s)" if dt is not None else "step in trial",
           ylabel=f"decoding error ({unit})")
    if counts is not None:
        counts.set_ylabel("trials behind each point (thin lines)", fontsize=8)
        counts.set_ylim(bottom=0)
    if "label" in df.columns:
        ax.legend(frameon=False, fontsize=8)
    return ax


def plot_fixed_points(points: xr.Dataset, states: np.ndarray | None = None,
                      ax: Axes | None = None) -> Axes:
    """Fixed and slow points in the top two principal components of the recorded states.

    Parameters
    ----------
    points : xarray.Dataset
        From `navdecode.analysis.dynamics.fixed_points`.
    states : array-like of shape (n, d) or None, default=None
        Recorded states (e.g. ``[hidden, cell]`` of the valid steps), drawn in grey; the
        components are theirs (the points' own when None).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes
        Stable points as filled circles, points with unstable directions as crosses
        (labelled with their count), slow points hollow.

    Examples
    --------
    >>> import numpy as np, torch
    >>> import navdecode as nd
    >>> a = torch.tensor([[0.5, 0.0], [0.0, 1.2]])  # a saddle at s = 0
    >>> points = nd.fixed_points(lambda s, x: s @ a.T, np.zeros(1), np.ones((4, 2)))
    >>> ax = nd.plot_fixed_points(points, np.random.default_rng(0).normal(size=(50, 2)))
    """
    ax = new_axes(ax)
    if not isinstance(points, xr.Dataset) or "state" not in points:
        msg = "points must be the Dataset fixed_points returns"
        raise TypeError(msg)
    found = points["state"].values
    basis = found if states is None else np.asarray(states, dtype=float)
    if basis.ndim != 2 or basis.shape[1] != found.shape[1]:
        msg = (f"states must have shape (n, {found.shape[1]}) like the points' states, got "
               f"{basis.shape}")
        raise ValueError(msg)
    mean = basis.mean(axis=0)
    _, _, vt = np.linalg.svd(basis - mean, full_matrices=False)
    pcs = vt[:2].T if len(vt) >= 2 else np.eye(found.shape[1])[:, :2]
    if states is not None:
        shown = basis[:: max(1, len(basis) // 5000)]
        ax.scatter(*((shown - mean) @ pcs).T, s=2, color="0.8", label="recorded states")
    xy = (found - mean) @ pcs
    stable, fixed = points["stable"].values, points["fixed"].values
    for mask, marker, label in ((stable, "o", "stable"), (~stable, "X", "unstable")):
        for is_fixed, fill in ((True, True), (False, False)):
            sel = mask & (fixed == is_fixed)
            if sel.any():
                color = "#1f77b4" if marker == "o" else "#d62728"
                ax.scatter(xy[sel, 0], xy[sel, 1], s=60, marker=marker,
                           facecolors=color if fill else "none", edgecolors=color,
                           label=f"{label} {'fixed' if is_fixed else 'slow'} point")
    for (x, y), n in zip(xy, points["n_unstable"].values, strict=True):
        if n:
            ax.annotate(str(int(n)), (x, y), textcoords="offset points", xytext=(5, 5),
                        fontsize=7, color="#d62728")
    ax.set(xlabel="PC 1", ylabel="PC 2")
    ax.legend(fontsize=7, frameon=False)
    return ax


def plot_tuning_map(maps: xr.Dataset, unit: object, ax: Axes | None = None,
                    title: str | None = None) -> Axes:
    """One unit's tuning map: its mean activity in each bin (`tuning_maps`), blank where a
    bin has too few steps.

    Parameters
    ----------
    maps : xarray.Dataset
        From `navdecode.analysis.tuning.tuning_maps`.
    unit : label
        A value of ``maps["unit"]``.
    ax : matplotlib Axes or None, default=None
    title : str or None, default=None
        The panel's title (``unit <label>`` when None).

    Returns
    -------
    ax : matplotlib Axes
        The map, with a colour bar of the unit's activity.

    Examples
    --------
    >>> import navdecode as nd
    >>> from navdecode.analysis.tuning import tuning_maps
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(50))
    >>> ax = nd.plotting.plot_tuning_map(tuning_maps(ds), unit=0)
    """
    ax = new_axes(ax, size=(3.6, 3.0))
    if not isinstance(maps, xr.Dataset) or "rate" not in maps or "x_edges" not in maps.attrs:
        msg = "maps must be the Dataset tuning_maps returns"
        raise TypeError(msg)
    if unit not in set(maps["unit"].values.tolist()):
        msg = f"unit {unit!r} is not among maps' units ({maps.sizes['unit']} of them)"
        raise ValueError(msg)
    a = maps.attrs
    mesh = ax.pcolormesh(a["x_edges"], a["y_edges"], maps["rate"].sel(unit=unit).values,
                         cmap="viridis", shading="flat")
    ax.figure.colorbar(mesh, ax=ax, label=f"{a['features']} activity", shrink=0.85)
    ax.set(xlabel=f"{a['x']} ({a['x_units']})" if a["x_units"] else a["x"],
           ylabel=f"{a['y']} ({a['y_units']})" if a["y_units"] else a["y"],
           title=f"unit {unit}" if title is None else title)
    if a["x"] == "pos_x" and a["y"] == "pos_y":
        ax.set_aspect("equal")
    return ax


def plot_critic_values(values: xr.Dataset, rewarded: np.ndarray, ax: Axes | None = None,
                       max_lag: int = 20) -> Axes:
    """The critic's value before the trial's end: rewarded against unrewarded trials.

    Mean +- SEM over trials of ``Q`` at k steps before each trial's last step, rewarded
    trials in green, unrewarded in grey; dashed, what a perfect critic of a rewarded
    trial would say, ``γ^k R`` with R the trials' mean reward (`critic_values`' discount).

    Parameters
    ----------
    values : xarray.Dataset
        `critic_values` (``q_value``, ``reward``, ``attrs["gamma"]``).
    rewarded : array-like of bool, shape (n_trials,)
        Which trials were rewarded (the recording's ``rewarded``).
    ax : matplotlib Axes or None, default=None
    max_lag : int, default=20
        Steps before the end to show.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from navdecode.plotting import plot_critic_values
    >>> q = np.array([[8.0, 9.0, 10.0], [1.0, 1.0, np.nan]])
    >>> values = xr.Dataset({"q_value": (("trial", "step"), q),
    ...                      "reward": (("trial", "step"), [[0, 0, 10.0], [0, 0, np.nan]])},
    ...                     attrs={"gamma": 0.97})
    >>> ax = plot_critic_values(values, [True, False])
    """
    if not isinstance(values, xr.Dataset) or not {"q_value", "reward"} <= set(values):
        msg = "values must be critic_values(...) (an xarray.Dataset of q_value and reward)"
        raise TypeError(msg)
    rewarded = np.asarray(rewarded, dtype=bool)
    q = values["q_value"].values
    if rewarded.shape != (q.shape[0],):
        msg = f"rewarded must have one value per trial ({q.shape[0]}), got {rewarded.shape}"
        raise ValueError(msg)
    ax = new_axes(ax)
    last = np.isfinite(q).sum(axis=1) - 1
    lags = np.arange(max_lag + 1)
    index = last[:, None] - lags[None, :]
    aligned = np.where(index >= 0, q[np.arange(len(q))[:, None], np.maximum(index, 0)],
                       np.nan)
    for mask, color, label in ((rewarded, "#009E73", "rewarded"),
                               (~rewarded, "0.5", "not rewarded")):
        if not mask.any():
            continue
        part = aligned[mask]
        n = np.isfinite(part).sum(axis=0)
        total = np.nansum(part, axis=0)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)  # no trial that long: NaN
        spread = np.nansum((part - mean) ** 2, axis=0) / np.maximum(n - 1, 1)
        sem = np.where(n > 1, np.sqrt(spread / np.maximum(n, 1)), 0.0)
        ax.plot(-lags, mean, color=color, label=f"{label} ({int(mask.sum())} trials)")
        ax.fill_between(-lags, mean - sem, mean + sem, color=color, alpha=0.3, lw=0)
    if rewarded.any():
        reward = np.nansum(values["reward"].values, axis=1)[rewarded].mean()
        ax.plot(-lags, reward * values.attrs.get("gamma", 1.0) ** lags, color="k", ls="--",
                lw=0.8, label="γ^k R")
    ax.set(xlabel="steps before the trial's end", ylabel="critic's value Q")
    ax.legend(fontsize=8, frameon=False)
    return ax
