"""What else the units carry: task variables decoded from the recurrent units beside the
position, scored by Pearson's r (with the stop-error link and the actor's MLP layers)."""

from __future__ import annotations

import re

from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.sections import last_step, mlp
from navdecode.report.sections.decoding import ERROR
from navdecode.report.session import Session, lacks
from navdecode.report.text import fmt

__all__ = ["ANALYSIS", "TASK_VARIABLES", "r_column"]

TASK_VARIABLES = ("vel_lin", "vel_ang", "target_distance", "target_angle", "action_lin",
                  "action_ang")
"""What the report decodes from the units beside position, scored by Pearson's r (the
target's distance and angle from `relative_to_target`)."""
NAMES = {"vel_lin": "linear velocity", "vel_ang": "angular velocity",
         "target_distance": "distance to target", "target_angle": "angle to target",
         "action_lin": "linear action", "action_ang": "angular action"}
NEEDS = ("vel_lin", "vel_ang", "action_lin", "action_ang", "heading", "target_x", "target_y")


def r_column(variable: str) -> str:
    """The ``sessions`` column of `variable`'s Pearson r."""
    return f"decoding_r_{variable}"


COLUMNS = tuple(Column(r_column(v), "1", f"Pearson r of the decoded {NAMES[v]}, grouped CV")
                for v in TASK_VARIABLES)


def _targets(s: Session) -> tuple | None:
    if s.not_firefly is not None or lacks(s.ds, NEEDS) is not None:
        return None
    from navdecode.analysis.target_frame import relative_to_target

    framed = relative_to_target(s.ds)
    return TASK_VARIABLES, {"target_distance": framed["target_distance"],
                            "target_angle": framed["target_angle"]}


def _session(s: Session) -> None:
    if s.grouped() is None:
        return
    decoded = s.joint(ANALYSIS.name)
    if decoded is None:
        s.skip("task-variable decoding (Pearson r)", s.not_firefly or lacks(s.ds, NEEDS))
        return
    s.row |= {r_column(name): float(decoded.pearson_r[name]) for name in TASK_VARIABLES}


def _text(tables: object) -> list[str]:
    sessions, cond = tables.sessions, tables.cond
    columns = [r_column(name) for name in TASK_VARIABLES]
    if not set(columns) <= set(sessions):
        return []
    stop_r = last_step.COLUMN in sessions
    columns += [last_step.COLUMN] * stop_r
    means = sessions.groupby(["arch", "gain"])[columns].mean()
    headers = [NAMES[n] for n in TASK_VARIABLES] + ["last-step error vs stop error"] * stop_r
    lines = ["## What else the units carry", "",
             "Velocities, the target's distance and angle from the agent "
             "(`relative_to_target`: the egocentric bearing, navdecode's convention) and the "
             "actions, each decoded from the recurrent units like the position (grouped CV, "
             "solved together) and scored by Pearson's r of the held-out prediction with the "
             f"truth (`DecodingResult.pearson_r`; {ANALYSIS.recipe().label()})."
             + (" The last column: Pearson's r over trials between the position decoding "
                "error at each trial's last step and its stop error (`last_step_stop_r`; "
                f"{last_step.ANALYSIS.recipe().label()})." if stop_r else "")
             + " Means over seeds:", "",
             "| arch | gain | " + " | ".join(headers) + " |", "|" + "---|" * (2 + len(headers))]
    for (arch, gain), r in means.iterrows():
        lines.append(f"| {arch} | {cond(gain)} | " + " | ".join(fmt(r[c]) for c in columns)
                     + " |")
    layers = sorted(c for c in sessions if re.fullmatch(mlp.PATTERN, c))
    if layers and ERROR in sessions:
        has = sessions.dropna(subset=layers[:1])
        by_layer = has.groupby(["arch", "gain"])[[ERROR, *layers]].mean()
        lines += ["", "The actor's MLP layers after the ReLU (actors with an MLP only, "
                  f"`mlp_units`; {mlp.ANALYSIS.recipe().label()}): position decoded from each "
                  "like from the LSTM (grouped CV), mean error over seeds (cm):", "",
                  "| arch | gain | LSTM | " + " | ".join(
                      f"MLP layer {mlp.layer_of(c)}" for c in layers) + " |",
                  "|" + "---|" * (3 + len(layers))]
        lines += [f"| {arch} | {cond(gain)} | " + " | ".join(fmt(v) for v in r) + " |"
                  for (arch, gain), r in by_layer.iterrows()]
    return [*lines, ""]


def _figures(tables: object) -> list[FigureSpec]:
    if r_column("vel_lin") not in tables.sessions:
        return []
    return [FigureSpec("task_variable_decoding", "plot_decoded_variables",
                       (tables.plain(tables.sessions),))]


ANALYSIS = Analysis(
    name="task_variables", title="What else the units carry",
    needs=Needs(variables=("hidden", *NEEDS), firefly=True),
    recipes=(Recipe("navdecode", "grouped-CV ridge from the LSTM units, solved with the "
                    "position, scored by Pearson's r of the held-out prediction",
                    related_figure="1l",
                    differs="the paper fits its 70/30 RidgeCV decoder"),),
    columns={"sessions": COLUMNS}, joint_targets=_targets, session=_session, text=_text,
    figures=_figures)
