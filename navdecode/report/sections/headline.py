"""The headline: the metrics the architectures are compared on, one value per seed."""

from __future__ import annotations

import numpy as np

from navdecode.report.declared import Analysis, FigureSpec, Recipe
from navdecode.report.sections import behaviour, controls, decoding
from navdecode.report.text import (
    comparison_table,
    fmt,
    k_group_section,
    significance,
    summary_table,
)

__all__ = ["ANALYSIS", "COMPARED"]

COMPARED = {
    behaviour.REWARD_FRACTION: "reward fraction",
    behaviour.TIME_SPENT: "time spent (h)",
    behaviour.CURVATURE: "curvature (1/cm)",
    decoding.ERROR: "decoding error, grouped CV (cm)",
    decoding.ERROR_TUTORIAL: "decoding error, tutorial 70/30 split (cm)",
}
"""The headline metrics, one Holm family at each gain."""


def _belief_sentence(tables: object) -> str:
    """Agent vs untrained network vs step index alone, mean over seeds per arch and gain."""
    cond, unit = tables.cond, tables.length_unit
    means = tables.sessions.groupby(["arch", "gain"])[[decoding.ERROR, controls.UNTRAINED,
                                                       controls.TIME_ONLY]].mean()

    def length(x: float) -> str:
        return f"{fmt(x)} {unit}" if np.isfinite(x) else "n/a"

    parts = [f"{arch} {cond(gain)}: agent {length(r[decoding.ERROR])}, untrained "
             f"{length(r[controls.UNTRAINED])}, step index alone "
             f"{length(r[controls.TIME_ONLY])}" for (arch, gain), r in means.iterrows()]
    return ("How much of the position decoding is belief? Grouped-CV error of the agents, of "
            "the same networks before training fed the same inputs, and of the step index "
            "alone (means over seeds): " + "; ".join(parts) + ". Where the untrained network "
            "or the step index decode about as well as the agent, the decoding error reflects "
            "input and trajectory statistics more than a learned belief.")


def _untested(tables: object) -> str:
    """Why no label was compared with another: too few networks per label, or no metric."""
    counts = tables.sessions.groupby("arch")["seed"].nunique() if not tables.sessions.empty \
        else None
    if counts is None or len(counts) < 2 or counts.min() < 2:
        shown = "none" if counts is None else ", ".join(f"{a} {n}" for a, n in counts.items())
        return ("Statistical tests need at least 2 networks of each of two or more labels "
                f"(networks per label here: {shown}); they are skipped.")
    return ("No metric the tests compare could be computed on these recordings (see "
            "*Analyses not run*); the tests are skipped.")


def _text(tables: object) -> list[str]:
    compared, cond = tables.family_titles("headline"), tables.cond
    lines = []
    if compared:
        lines += ["## Headline (one value per seed; mean [t 95% CI over seeds])", "",
                  *summary_table(tables.summary, compared, cond), "",
                  "A CI needs at least 2 seeds; an architecture with one seed shows its "
                  "value alone.", ""]
    if controls.TIME_ONLY in tables.sessions:
        lines += [_belief_sentence(tables), ""]
    headline = tables.family("headline")
    if not tables.testable:
        return [*lines, _untested(tables), ""]
    if "comparison" in tables.comparisons:  # three or more labels
        return lines + k_group_section(headline, compared, "Headline: all labels", cond)
    if headline.empty:
        return lines
    pair = (headline["group_a"].iloc[0], headline["group_b"].iloc[0])
    return [*lines, f"## {pair[0][:1].upper()}{pair[0][1:]} vs {pair[1]}", "",
            "Exact permutation and Mann-Whitney tests on one value per seed; Holm's "
            "correction runs across the metrics of this table at each gain. The 95% CI "
            "of the difference is Welch's (simulated coverage in the statistics guide).",
            significance(headline, compared, cond), "",
            *comparison_table(headline, compared, cond), ""]


def _figures(tables: object) -> list[FigureSpec]:
    sessions, trials = tables.plain(tables.sessions), tables.plain(tables.trials)
    specs = []
    if behaviour.REWARD_FRACTION in sessions:
        specs.append(FigureSpec(behaviour.REWARD_FRACTION, "plot_reward_fraction", (sessions,)))
    if behaviour.TIME_SPENT in sessions:
        specs.append(FigureSpec("time_spent", "plot_time_spent", (sessions,)))
    if not tables.step_errors.empty:
        specs.append(FigureSpec("decoding_error", "plot_decoding_error",
                                (tables.plain(tables.step_errors),),
                                {"unit": tables.length_unit}))
    if behaviour.CURVATURE in trials:
        specs.append(FigureSpec(behaviour.CURVATURE, "plot_curvature", (trials,),
                                {"unit": tables.length_unit}))
    return specs


ANALYSIS = Analysis(
    name="headline", title="Headline",
    recipes=(Recipe("navdecode", "one value per seed: mean [t 95% CI]; two labels: exact "
                    "permutation, Mann-Whitney and Welch's CI; three or more: permutation "
                    "test on the one-way F and every pair; Holm across the family at each "
                    "gain (`compare`)"),),
    family=COMPARED, text=_text, figures=_figures)
