"""Decoding controls: how much of the decoded position a network that learned nothing, or
the time in the trial alone, would give."""

from __future__ import annotations

import numpy as np

from navdecode.agents.networks import ARCHITECTURES
from navdecode.analysis.decoding import decode
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.session import Session, lacks

__all__ = ["ANALYSIS", "SHUFFLE", "SIDE_BY_SIDE", "TIME_ONLY", "UNTRAINED"]

SHUFFLE = "decoding_shuffle_cm"
TIME_ONLY = "decoding_time_only_cm"
UNTRAINED = "decoding_untrained_cm"
COLUMNS = (
    Column(SHUFFLE, "cm", "grouped-CV error with every trial's positions from another trial"),
    Column(TIME_ONLY, "cm", "grouped-CV error from the step index alone"),
    Column(UNTRAINED, "cm", "grouped-CV error from the untrained network fed the inputs"),
)
SIDE_BY_SIDE = {SHUFFLE: "shuffle", TIME_ONLY: "time only", UNTRAINED: "untrained"}
"""The controls' columns and their names beside the decoding protocols."""


def _session(s: Session) -> None:
    if s.grouped() is None:
        return
    s.row |= {SHUFFLE: decode(s.ds, control="shuffle", refit=False).mean_error,
              TIME_ONLY: decode(s.ds, control="time", refit=False).mean_error}
    own = s.ds.attrs.get("arch") in ARCHITECTURES and int(s.ds.attrs.get("agent_seed", -1)) >= 0
    reason = lacks(s.ds, ("actor_input",)) or (None if own else
                                              "needs a navdecode architecture and its "
                                              "agent_seed (or decode(..., untrained=))")
    if reason is None:
        s.row[UNTRAINED] = decode(s.ds, control="untrained", refit=False).mean_error
    else:
        s.row[UNTRAINED] = np.nan
        s.skip("untrained-network control", reason)


def _figures(tables: object) -> list[FigureSpec]:
    if TIME_ONLY not in tables.sessions:
        return []
    return [FigureSpec("decoding_controls", "plot_decoding_controls",
                       (tables.plain(tables.sessions),), {"unit": tables.length_unit})]


ANALYSIS = Analysis(
    name="controls", title="Decoding controls", option="controls",
    needs=Needs(variables=("hidden", "pos_x", "pos_y")),
    recipes=(Recipe("navdecode", "each control decoded like the grouped-CV position: "
                    "shuffled trials, the step index alone, the untrained network "
                    "(`decode(control=...)`)"),),
    columns={"sessions": COLUMNS}, session=_session, figures=_figures)
