"""Figures of the analyses beyond the tutorial: one function per figure, ``ax=None`` in.

Each architecture keeps its colour (`navdecode.plotting.behaviour.arch_palette`); gains are shown by
lightness and line style.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes

from navdecode._validation import check_table
from navdecode.plotting.behaviour import _ax, _shade, arch_palette

__all__ = ["plot_decoding_controls", "plot_no_adaptation", "plot_observer_errors",
           "plot_perturbation", "plot_roc_curves", "plot_similarity_matrix"]


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
    >>> from navdecode.plotting.representations import plot_roc_curves
    >>> ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(20))
    >>> ax = plot_roc_curves({("modular", 1.0): ds})
    """
    from navdecode.analysis.metrics import roc_auc

    ax = _ax(ax)
    colors = arch_palette(a for a, _ in recordings)
    gains = sorted({g for _, g in recordings})
    for (arch, gain), ds in recordings.items():
        auc, curve = roc_auc(ds, seed=0)
        level = gains.index(gain)
        ax.plot(curve["fraction_shuffled"], curve["fraction_correct"],
                ("-", "--", ":")[level % 3], color=_shade(colors[arch], level, len(gains)),
                label=f"{arch} {gain:g}x (AUC {auc:.2f})")
    ax.plot([0, 1], [0, 1], ":", color="0.6", lw=0.8)
    ax.set(xlabel="fraction within radius, shuffled targets",
           ylabel="fraction within radius of own target")
    ax.legend(fontsize=7, frameon=False)
    return ax


def _grouped_bars(ax: Axes, sessions: pd.DataFrame, cols: list[str], names: list[str],
                  ylabel: str) -> Axes:
    """Per (arch, gain), the mean over seeds of each of `cols`: one bar per column, in the
    arch's colour, lighter for later columns."""
    means = sessions.groupby(["arch", "gain"])[cols].mean()
    rows = [(arch, f"{gain:g}x", list(r.values)) for (arch, gain), r in means.iterrows()]
    colors = arch_palette(a for a, _, _ in rows)
    width = 0.8 / len(names)
    for i, (arch, _, values) in enumerate(rows):
        for j, value in enumerate(values):
            ax.bar(i + (j - (len(names) - 1) / 2) * width, value, width=0.9 * width,
                   color=_shade(colors[arch], j, len(names)), edgecolor=colors[arch],
                   label=names[j] if i == 0 else None)
    ax.set_xticks(range(len(rows)), [f"{a}\n{lab}" for a, lab, _ in rows], fontsize=8)
    ax.set(ylabel=ylabel)
    ax.legend(fontsize=7, frameon=False, title="bars, dark to light", title_fontsize=7)
    return ax


def plot_decoding_controls(sessions: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Decoding error of the agents beside the untrained network, step index and shuffle.

    Parameters
    ----------
    sessions : pandas.DataFrame
        The report's sessions (``decoding_error_cm``, ``decoding_untrained_cm``,
        ``decoding_time_only_cm``, ``decoding_shuffle_cm``).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting.representations import plot_decoding_controls
    >>> s = pd.DataFrame({"arch": ["modular"], "seed": [0], "gain": [1.0],
    ...                   "decoding_error_cm": [10.0], "decoding_untrained_cm": [15.0],
    ...                   "decoding_time_only_cm": [32.0], "decoding_shuffle_cm": [27.0]})
    >>> ax = plot_decoding_controls(s)
    """
    cols = ["decoding_error_cm", "decoding_untrained_cm", "decoding_time_only_cm",
            "decoding_shuffle_cm"]
    check_table(sessions, ["arch", "gain", *cols], name="sessions")
    names = ["agent", "untrained network", "step index alone", "trial shuffle"]
    return _grouped_bars(_ax(ax, (6.0, 4.0)), sessions, cols, names,
                         "position decoding error (cm)")


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
    >>> from navdecode.plotting.representations import plot_no_adaptation
    >>> s = pd.DataFrame({"arch": ["modular"], "seed": [0], "gain": [2.0],
    ...                   "traveled_slope": [1.1], "replay_traveled_slope": [1.7]})
    >>> ax = plot_no_adaptation(s)
    """
    check_table(sessions, ["arch", "gain", "traveled_slope", "replay_traveled_slope"],
                name="sessions")
    cols = ["traveled_slope", "replay_traveled_slope"]
    ax = _grouped_bars(_ax(ax), sessions.dropna(subset=cols[1:]), cols,
                       ["agent", "replay of 1x actions"], "traveled / target distance slope")
    ax.axhline(1.0, color="0.6", ls=":", lw=0.8)
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
    >>> from navdecode.plotting.representations import plot_observer_errors
    >>> s = pd.DataFrame({"arch": ["modular"], "seed": [0], "gain": [1.0],
    ...                   "observer_error_cm": [4.0], "decoding_error_cm": [10.0],
    ...                   "decoded_to_belief_cm": [9.0]})
    >>> ax = plot_observer_errors(s)
    """
    cols = ["observer_error_cm", "decoding_error_cm", "decoded_to_belief_cm"]
    check_table(sessions, ["arch", "gain", *cols], name="sessions")
    names = ["ideal observer", "agent decoding", "decoded to belief"]
    return _grouped_bars(_ax(ax, (5.5, 4.0)), sessions, cols, names, "position error (cm)")


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
    >>> from navdecode.plotting.representations import plot_perturbation
    >>> b = pd.DataFrame({"arch": "modular", "seed": [0, 0], "bin_low": [0, 100],
    ...                   "bin_high": [100, 200], "reward_fraction": [0.9, 0.7]})
    >>> ax = plot_perturbation(b)
    """
    check_table(bins, ["arch", "seed", "bin_low", "bin_high", value], name="bins")
    ax = _ax(ax)
    colors = arch_palette(bins["arch"])
    centre = (bins["bin_low"] + bins["bin_high"]) / 2
    stats = bins.assign(centre=centre).groupby(["arch", "centre"])[value].agg(
        ["mean", "sem", "count"]).reset_index()
    for arch, grp in stats.groupby("arch", sort=False):
        ax.errorbar(grp["centre"], grp["mean"], yerr=grp["sem"].fillna(0), marker="o",
                    color=colors[arch], capsize=3, label=f"{arch} ({int(grp['count'].max())} "
                                                         "seeds)")
    ax.set(xlabel="peak linear perturbation (cm/s)", ylabel=value.replace("_", " "))
    ax.legend(fontsize=8, frameon=False)
    return ax


def plot_similarity_matrix(matrix: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """A networks x networks similarity matrix (`similarity_matrix`) as an image.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square, indexed by (arch, seed).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode.plotting.representations import plot_similarity_matrix
    >>> idx = pd.MultiIndex.from_tuples([("modular", 0), ("holistic", 0)])
    >>> ax = plot_similarity_matrix(pd.DataFrame([[1, .8], [.8, 1]], index=idx, columns=idx))
    """
    if not isinstance(matrix, pd.DataFrame) or matrix.shape[0] != matrix.shape[1]:
        msg = "matrix must be a square DataFrame from similarity_matrix"
        raise ValueError(msg)
    ax = _ax(ax)
    image = ax.imshow(matrix.to_numpy(dtype=float), vmin=np.nanmin([0.0, matrix.min().min()]),
                      vmax=1.0, cmap="viridis")
    names = [f"{a[:1]}{s}" for a, s in matrix.index]
    ax.set_xticks(range(len(names)), names, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.figure.colorbar(image, ax=ax, label="linear CKA")
    return ax
