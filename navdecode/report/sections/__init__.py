"""The report's analyses, one module each, in the order the report shows them.

Each module defines ``ANALYSIS``, an `navdecode.report.declared.Analysis`: what it needs,
the recipe it runs, the columns it writes, its text and its figures. `ANALYSES` is the
registry the report, ``navdecode report --analyses``, ``skipped.csv`` and the docs loop
over; adding an analysis is adding a module here and its line below.
"""

from __future__ import annotations

from navdecode.report.declared import Analysis
from navdecode.report.sections import (
    agents,
    behaviour,
    controls,
    cross,
    decoding,
    dynamics,
    factorial,
    headline,
    last_step,
    mlp,
    observer,
    perturbation,
    replay,
    responses,
    similarity,
    task_variables,
    tuning,
    variables,
)

__all__ = ["ANALYSES", "DEFAULT_OPTIONS", "OPTIONS", "catalogue"]

ANALYSES: dict[str, Analysis] = {module.ANALYSIS.name: module.ANALYSIS for module in (
    agents, headline, behaviour, factorial, replay, decoding, controls, cross, task_variables,
    last_step, mlp, variables, tuning, observer, perturbation, responses, similarity,
    dynamics)}
"""Every report analysis by name, in the report's order."""
OPTIONS: tuple[str, ...] = tuple(dict.fromkeys(
    a.option for a in ANALYSES.values() if a.option is not None))
"""The optional sections (``analyses=`` / ``--analyses``): each turns on its analyses."""
DEFAULT_OPTIONS: tuple[str, ...] = tuple(dict.fromkeys(
    a.option for a in ANALYSES.values() if a.option is not None and a.default))
"""The optional sections run unless chosen otherwise."""


def catalogue() -> list[dict[str, str]]:
    """One row per analysis and recipe: what the report runs, how, and what it writes (the
    docs' list of analyses is this table).

    Examples
    --------
    >>> from navdecode.report import catalogue
    >>> rows = catalogue()
    >>> rows[0]["analysis"], sorted(rows[0])[:3]
    ('agents', ['always', 'analysis', 'columns'])
    """
    rows = []
    for analysis in ANALYSES.values():
        needs = analysis.needs
        wanted = [*needs.variables, *(["the firefly task"] if needs.firefly else []),
                  *(["agents to run"] if needs.agent else []),
                  *([f"navdecode[{needs.extra}]"] if needs.extra else [])]
        columns = [f"{frame}: " + ", ".join(f"{c.name} ({c.unit})" for c in cols)
                   for frame, cols in analysis.columns.items()]
        for recipe in analysis.recipes:
            rows.append({"analysis": analysis.name, "title": analysis.title,
                         "always": "yes" if analysis.option is None else
                         f"--analyses {analysis.option}" + ("" if analysis.default else
                                                            " (not by default)"),
                         "needs": ", ".join(wanted) or "-", "recipe": recipe.name,
                         "how": recipe.description, "label": recipe.label(),
                         "columns": "; ".join(columns) or "-"})
    return rows
