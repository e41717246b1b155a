"""The ideal observer: an extended Kalman filter against the agents' decoded positions."""

from __future__ import annotations

import numpy as np
import xarray as xr

from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.sections.decoding import ERROR
from navdecode.report.session import Session
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "BELIEF_DECODING", "DECODED_TO_BELIEF", "OBSERVER_ERROR",
           "observer_columns"]

OBSERVER_ERROR = "observer_error_cm"
DECODED_TO_BELIEF = "decoded_to_belief_cm"
BELIEF_DECODING = "belief_decoding_cm"
BELIEF = ("belief_x", "belief_y")
COLUMNS = (
    Column(OBSERVER_ERROR, "cm", "the filter's mean position error"),
    Column(DECODED_TO_BELIEF, "cm", "mean distance of the decoded position to the belief"),
    Column(BELIEF_DECODING, "cm", "grouped-CV error of decoding the belief from the units"),
)


def observer_columns(grouped: object, belief: xr.Dataset, decoded: object) -> dict[str, float]:
    """The ideal observer's error, the decoded position's distance to its belief, and how
    well the belief itself is decoded from the units (grouped CV)."""
    pred = grouped.predicted
    apart = np.hypot(pred["pos_x"].values - belief["belief_x"].values,
                     pred["pos_y"].values - belief["belief_y"].values)
    return {OBSERVER_ERROR: float(np.nanmean(belief["observer_error"].values)),
            DECODED_TO_BELIEF: float(np.nanmean(apart)), BELIEF_DECODING: decoded.mean_error}


def belief_targets(ds: xr.Dataset) -> tuple[tuple[str, str], dict, xr.Dataset]:
    """The ideal observer's belief as targets decoded with the position: (names, variables,
    the observer's output)."""
    from navdecode.analysis.observer import ideal_observer

    belief = ideal_observer(ds)
    return BELIEF, {"belief_x": belief["belief_x"], "belief_y": belief["belief_y"]}, belief


def _targets(s: Session) -> tuple | None:
    if s.not_firefly is not None:
        return None
    names, variables, s.kept[ANALYSIS.name] = belief_targets(s.ds)
    return names, variables


def _session(s: Session) -> None:
    if s.grouped() is None:
        return
    if s.not_firefly is not None:
        s.skip("ideal observer", s.not_firefly)
        return
    s.row |= observer_columns(s.grouped(), s.kept.pop(ANALYSIS.name), s.joint(ANALYSIS.name))


def _text(tables: object) -> list[str]:
    sessions = tables.sessions
    if OBSERVER_ERROR not in sessions:
        return []
    cols = [OBSERVER_ERROR, ERROR, DECODED_TO_BELIEF, BELIEF_DECODING]
    means = sessions.groupby(["arch", "gain"])[cols].mean()
    lines = ["## Ideal observer", "",
             "An extended Kalman filter that knows the task's dynamics, gain and noises and "
             "sees the agent's observations and actions (`navdecode.analysis.observer`). "
             "Means over "
             "seeds, cm: its own position error (the best any agent could know); the "
             "agent's decoding error; the distance from the position decoded from the "
             "agent's units to the filter's belief; and the error of decoding the filter's "
             "belief from the units (grouped CV). A belief module that tracks the filter "
             "decodes close to it.", "",
             "| arch | gain | ideal observer error | agent decoding error | decoded to belief | "
             "belief decoding error |", "|---|---|---|---|---|---|"]
    for (arch, gain), r in means.iterrows():
        lines.append(f"| {arch} | {gain:g}x | " + " | ".join(fmt(r[c]) for c in cols) + " |")
    return [*lines, ""]


def _figures(tables: object) -> list[FigureSpec]:
    if OBSERVER_ERROR not in tables.sessions:
        return []
    return [FigureSpec("ideal_observer", "plot_observer_errors", (tables.sessions,))]


ANALYSIS = Analysis(
    name="observer", title="Ideal observer", option="observer",
    needs=Needs(variables=("hidden", "pos_x", "pos_y"), firefly=True),
    recipes=(Recipe("navdecode", "extended Kalman filter with the task's dynamics, gain and "
                    "noises, fed the agent's observations and actions (`ideal_observer`)"),),
    columns={"sessions": COLUMNS}, joint_targets=_targets, session=_session, text=_text,
    figures=_figures)
