"""Position decoding from the recurrent units under three protocols, with every control
and the cross-condition decode side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from navdecode.analysis.decoding import decode
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.sections import controls, cross
from navdecode.report.session import POSITION, Session, lacks
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "ERROR", "ERROR_PAPER", "ERROR_TUTORIAL", "PROTOCOL_COLUMNS",
           "STEP_ERROR"]

ERROR = "decoding_error_cm"
ERROR_TUTORIAL = "decoding_error_tutorial_cm"
ERROR_PAPER = "decoding_error_paper_cm"
STEP_ERROR = ERROR
"""The held-out steps' errors in ``step_errors`` (one per step, for the violins)."""
COLUMNS = (
    Column(ERROR, "cm", "mean Euclidean error, trial-grouped 5-fold CV (navdecode)"),
    Column(ERROR_TUTORIAL, "cm", "mean error, Ridge(alpha=0.1) on the first 70% of trials"),
    Column(ERROR_PAPER, "cm", "mean error, RidgeCV(0.1, 1, 10) on the first 70% of trials"),
    Column("decoding_r2_x", "1", "held-out R^2 of pos_x, grouped CV"),
    Column("decoding_r2_y", "1", "held-out R^2 of pos_y, grouped CV"),
)
PROTOCOL_COLUMNS = {ERROR: "grouped", ERROR_TUTORIAL: "tutorial", ERROR_PAPER: "paper"}
"""The protocols' columns and their names in the side-by-side table."""


def _session(s: Session) -> None:
    grouped = s.grouped()
    if grouped is None:
        s.skip("position decoding (and its controls, cross-condition)",
               lacks(s.ds, ("hidden", *POSITION)))
        return
    by_protocol = {"grouped": grouped} | {p: decode(s.ds, protocol=p, refit=False)
                                          for p in ("tutorial", "paper")}
    s.row |= {ERROR: grouped.mean_error, ERROR_TUTORIAL: by_protocol["tutorial"].mean_error,
              ERROR_PAPER: by_protocol["paper"].mean_error,
              "decoding_r2_x": grouped.r2["pos_x"], "decoding_r2_y": grouped.r2["pos_y"]}
    arch, gain = s.key["arch"], s.key["gain"]
    s.part.steps.append(grouped.error_by_step().assign(label=f"{arch} {gain:g}x", **s.key))
    err = grouped.error.values.ravel()
    s.part.step_errors.append(pd.DataFrame(
        {STEP_ERROR: err[np.isfinite(err)].astype(np.float32), **s.key}))
    s.part.folds += [r.scores.assign(**s.key, protocol=p) for p, r in by_protocol.items()]


def _text(tables: object) -> list[str]:
    sessions, unit, cond = tables.sessions, tables.length_unit, tables.cond
    if ERROR not in sessions:
        return []
    side = PROTOCOL_COLUMNS | controls.SIDE_BY_SIDE | cross.SIDE_BY_SIDE
    shown = {c: n for c, n in side.items() if c in sessions}
    lines = ["## Decoding protocols and controls side by side", "",
             f"Position (x, y) decoded from the recurrent units, mean Euclidean error ({unit}). "
             "*Grouped*: trial-grouped 5-fold CV, standardised ridge with its penalty chosen "
             "by inner grouped CV. *Tutorial*: Ridge(alpha=0.1), first 70% of trials train, "
             "last 30% test. *Paper*: RidgeCV(alphas 0.1, 1, 10), the same 70/30 split. "
             "Controls, each decoded like *grouped*: *shuffle*: every trial's positions "
             "replaced by another trial's (it keeps time-in-trial, so it is not chance "
             "level); *time only*: the step index alone; *untrained*: the same architecture "
             "with the weights it started training from, fed the recorded inputs (n/a for "
             "agents that are not navdecode architectures). *Cross*: "
             "fit at the first gain, tested at the second.", "",
             "| arch | seed | gain | " + " | ".join(shown.values()) + " |",
             "|" + "---|" * (3 + len(shown))]
    for _, r in sessions.iterrows():
        cells = [fmt(r.get(c, np.nan)) for c in shown]
        lines.append(f"| {r['arch']} | {r['seed']} | {cond(r['gain'])} | "
                     + " | ".join(cells) + " |")
    return [*lines, ""]


def _figures(tables: object) -> list[FigureSpec]:
    if tables.step_errors.empty:
        return []
    steps = tables.steps if tables.has_gain else tables.steps.assign(label=tables.steps["arch"])
    mean_steps = steps.groupby(["label", "step"], as_index=False).agg(
        mean_error=("mean_error", "mean"), sem=("sem", "mean"), n=("n", "sum"))
    dt = next(iter(tables.examples.values())).attrs.get("task_dt")
    return [FigureSpec("decoding_over_time", "plot_decoding_over_time",
                       (mean_steps[mean_steps["step"] < 25],),
                       {"unit": tables.length_unit, "dt": dt})]


ANALYSIS = Analysis(
    name="decoding", title="Decoding protocols and controls side by side",
    needs=Needs(variables=("hidden", *POSITION)),
    recipes=(Recipe("navdecode", "trial-grouped 5-fold CV, standardised ridge, penalty by "
                    "inner grouped CV (`decode`)"),
             Recipe("tutorial", "Ridge(alpha=0.1), first 70% of trials train, last 30% test "
                    "(`decode(protocol='tutorial')`)"),
             Recipe("paper", "RidgeCV(alphas 0.1, 1, 10), first 70% of trials train "
                    "(`decode(protocol='paper')`), per agent and gain")),
    columns={"sessions": COLUMNS}, session=_session, text=_text, figures=_figures)
