"""Spatial tuning of single units: each unit's mean activity over the agent's position."""

from __future__ import annotations

import numpy as np
import xarray as xr

from navdecode.analysis.tuning import tuning_maps, tuning_strength
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.session import Session
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "ETA2", "ETA2_MAX", "TUNING_BINS"]

TUNING_BINS = 12
"""Bins a side of the report's position tuning maps (equal bins over the recorded range)."""
ETA2 = "tuning_eta2"
ETA2_MAX = "tuning_eta2_max"
COLUMNS = (Column(ETA2, "1", "mean over units of the correlation ratio of position bins"),
           Column(ETA2_MAX, "1", "the most position-tuned unit's correlation ratio"))


def _position_tuning(ds: xr.Dataset) -> tuple[dict[str, float], tuple | None]:
    """The session's position tuning (`tuning_maps` of the units over ``pos_x``, ``pos_y``,
    `TUNING_BINS` bins a side): the mean and largest `tuning_strength` over its units, and
    (maps of the most tuned unit, its eta2) for the figure (None when no unit varies)."""
    maps = tuning_maps(ds, bins=TUNING_BINS)
    eta2 = tuning_strength(maps)
    if not np.isfinite(eta2.values).any():
        return {ETA2: np.nan, ETA2_MAX: np.nan}, None
    top = int(np.nanargmax(eta2.values))
    strength = {ETA2: float(np.nanmean(eta2.values)), ETA2_MAX: float(eta2.values[top])}
    return strength, (maps.isel(unit=[top]), float(eta2.values[top]))


def _session(s: Session) -> None:
    if s.grouped() is None:
        return
    strength, example = _position_tuning(s.ds)
    s.row |= strength
    if example is not None and s.at_first_gain and s.gain in s.net.examples:
        s.part.tuning_examples[s.key["arch"]] = (s.key["seed"], *example)


def _text(tables: object) -> list[str]:
    sessions, cond = tables.sessions, tables.cond
    if ETA2 not in sessions or not sessions[ETA2].notna().any():
        return []
    means = sessions.groupby(["arch", "gain"])[[ETA2, ETA2_MAX]].mean()
    shown = "; ".join(f"{arch} seed {seed} unit {maps['unit'].values[0].item()} "
                      f"(eta2 {eta2:.2f})"
                      for arch, (seed, maps, eta2) in tables.tuning_examples.items())
    min_count = next((int(maps.attrs["min_count"]) for _, maps, _ in
                      tables.tuning_examples.values() if "min_count" in maps.attrs), None)
    blank = f"bins with fewer than {min_count} steps left blank; " if min_count else ""
    lines = ["## Spatial tuning of single units", "",
             "Each unit's mean activity over the agent's position "
             f"({TUNING_BINS} x {TUNING_BINS} equal bins over the recorded range, {blank}"
             f"`tuning_maps`; {ANALYSIS.recipe().label()}). How much of a unit's variance "
             "its map explains is its correlation ratio eta2 = between-bin / total sum of "
             "squares (`tuning_strength`, navdecode's summary: the paper shows maps, not this "
             "number); 1 for a unit that is a function of position. Position and time in "
             "the trial go together (every trial starts at the origin), so this eta2 holds "
             "what time explains too. Means over seeds of "
             "the mean and the largest eta2 over each network's units:", "",
             "| arch | gain | mean eta2 over units | most tuned unit's eta2 |",
             "|---|---|---|---|"]
    for (arch, gain), r in means.iterrows():
        lines.append(f"| {arch} | {cond(gain)} | {fmt(r[ETA2])} | {fmt(r[ETA2_MAX])} |")
    if shown:
        lines += ["", f"The figures `tuning_<arch>` show each label's first network's most "
                      f"tuned unit at the first condition: {shown}."]
    return [*lines, ""]


def _figures(tables: object) -> list[FigureSpec]:
    specs = []
    for arch, (seed, maps, eta2) in tables.tuning_examples.items():
        unit = maps["unit"].values[0].item()
        specs.append(FigureSpec(f"tuning_{arch}", "plot_tuning_map", (maps, unit),
                                title=f"{arch} seed {seed}, unit {unit}: eta2 = {eta2:.2f}"))
    return specs


ANALYSIS = Analysis(
    name="tuning", title="Spatial tuning of single units",
    needs=Needs(variables=("hidden", "pos_x", "pos_y")),
    recipes=(Recipe("navdecode", "bin means of each unit over equal position bins",
                    related_figure="5a-b",
                    differs="the paper interpolates the samples onto a grid and smooths "
                            "the maps"),),
    columns={"sessions": COLUMNS}, session=_session, text=_text, figures=_figures)
