"""How an agent answers a perturbation: its compensation against its unperturbed twin, the
decoded belief's error against the integrated bump, and the replayed no-adaptation control."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from navdecode.analysis.metrics import roc_auc
from navdecode.report.declared import Analysis, Column, Needs, Recipe
from navdecode.report.sections.behaviour import AUC
from navdecode.report.text import family_text, fmt, gain_text, mean_ci_cells

__all__ = ["ANALYSIS", "COLUMNS", "RESPONSES", "responses"]

SLOPE_LIN = "belief_slope_lin"
RESPONSES = {SLOPE_LIN: "belief error per cm of linear perturbation (grouped-CV decoding)",
             "belief_slope_ang": "belief error per degree of angular perturbation",
             "kernel_forward_cm_s": "compensation of a forward push, over the bump (cm/s)",
             "kernel_congruent_deg_s": "compensation of a congruent push, over the bump "
                                       "(deg/s)"}
"""The perturbation task's responses (`navdecode.analysis.perturbation`), a Holm family
of their own."""
REPLAY_AUC = "no_adaptation_auc"
REPLAY_AUC_PAPER = "no_adaptation_auc_paper"
KERNELS = {"forward": "cm_s", "backward": "cm_s", "congruent": "deg_s", "incongruent": "deg_s"}
COLUMNS = (
    Column(SLOPE_LIN, "1", "decoded belief error at the end per cm of integrated linear bump"),
    Column("belief_r_lin", "1", "Pearson r of that line"),
    Column("belief_slope_ang", "1", "the same per degree of integrated angular bump"),
    Column("belief_r_ang", "1", "Pearson r of that line"),
    *(Column(f"kernel_{g}_{u}", u.replace("_", "/"), f"mean compensation of a {g} push over "
             "the bump") for g, u in KERNELS.items()),
    Column(REPLAY_AUC, "1", "ROC AUC of the twin's actions replayed with the bump, stopping "
           "where the twin stopped"),
    Column(REPLAY_AUC_PAPER, "1", "the same, integrating the bump after the stop (the "
           "paper's replay)"),
)


def responses(ds: xr.Dataset, twin: xr.Dataset, grouped: object, config: object
              ) -> tuple[dict, pd.DataFrame]:
    """One agent's response columns and its compensation kernels (against `twin`, the same
    trials without the bumps)."""
    from navdecode.analysis.controls import replay_perturbation
    from navdecode.analysis.perturbation import (
        belief_perturbation_errors,
        belief_perturbation_slopes,
        compensation_kernels,
    )

    kernels = compensation_kernels(ds, twin)
    replays = {REPLAY_AUC if c == "navdecode" else REPLAY_AUC_PAPER:
               roc_auc(replay_perturbation(ds, twin, convention=c), seed=0)[0]
               for c in ("navdecode", "paper")}
    over_bump = kernels[kernels["lag_step"] <= config.perturb_duration_steps].groupby(
        "group")["kernel"].mean()
    slopes = belief_perturbation_slopes(belief_perturbation_errors(ds, grouped))
    row = {SLOPE_LIN: slopes["slope_lin"], "belief_r_lin": slopes["r_lin"],
           "belief_slope_ang": slopes["slope_ang"], "belief_r_ang": slopes["r_ang"],
           **{f"kernel_{g}_{u}": over_bump.get(g, np.nan) for g, u in KERNELS.items()},
           **replays}
    return row, kernels


def _text(tables: object) -> list[str]:
    from navdecode.stats.comparisons import summarize

    sessions = tables.perturbation
    if tables.compensation_kernels.empty or not set(RESPONSES) <= set(sessions):
        return []
    summary = summarize(sessions, list(RESPONSES)).set_index(["arch", "metric"])
    lines = ["### Compensation and the belief under perturbation", "",
             "Each agent also ran the same trials with the bumps' peaks set to zero (same "
             "targets, onsets and noise: its unperturbed twin). The compensation kernel is "
             "the change in its command from the onset on (`compensation_kernels.csv`, "
             "figures `compensation_linear` and `compensation_angular`); here its mean over "
             "the bump (1 s). The belief slope is the decoded belief's error at the trial's "
             "end per unit of perturbation integrated over the trial, a line through the "
             "origin: -1, the belief ignores the push; 0, it is not misled "
             f"(`navdecode.analysis.perturbation`; {ANALYSIS.recipe('navdecode').label()}). "
             "Mean [t 95% CI over seeds]:", "",
             "| arch | " + " | ".join(RESPONSES.values()) + " |",
             "|" + "---|" * (1 + len(RESPONSES))]
    lines += [f"| {arch} | " + " | ".join(mean_ci_cells(summary, arch, RESPONSES)) + " |"
              for arch in sorted(sessions["arch"].unique())]
    if REPLAY_AUC_PAPER in sessions:
        means = sessions.groupby("arch")[[AUC, REPLAY_AUC, REPLAY_AUC_PAPER]].mean()
        lines += ["", "The no-adaptation control under perturbation (`replay_perturbation`: the "
                  "twin's actions replayed open loop with each trial's bump, no noise): its "
                  "fraction-correct AUC on navdecode's grid when the replay stops where the "
                  "twin stopped (navdecode) and when it keeps integrating the bump after the "
                  f"stop (the paper's replay; {ANALYSIS.recipe('paper replay').label()}); "
                  "means over seeds:", "",
                  "| arch | agent | replay (navdecode) | replay (paper) |", "|---|---|---|---|"]
        lines += [f"| {arch} | " + " | ".join(fmt(v) for v in r) + " |"
                  for arch, r in means.iterrows()]
    lines += family_text(tables.response_comparisons, RESPONSES,
                         "Perturbation responses: all labels (a Holm family of its own)",
                         gain_text)
    return [*lines, ""]


def _figures(tables: object) -> list:
    from navdecode.report.declared import FigureSpec

    if tables.compensation_kernels.empty:
        return []
    return [FigureSpec(f"compensation_{component}", "plot_compensation_kernels",
                       (tables.compensation_kernels, component))
            for component in ("linear", "angular")]


ANALYSIS = Analysis(
    name="responses", title="Compensation and the belief under perturbation",
    option="perturbation", needs=Needs(agent=True),
    recipes=(Recipe("navdecode", "belief slope from the grouped-CV decoded position of each "
                    "agent; kernels against the agent's unperturbed twin (same noise draws)",
                    related_figure="6g",
                    differs="the paper decodes with its ordered 70/30 RidgeCV pooled over "
                            "seeds"),
             Recipe("paper replay", "the twin's actions replayed with the bump integrated "
                    "after the stop (`replay_perturbation(convention='paper')`), AUC on "
                    "navdecode's grid", related_figure="6c-d",
                    differs="the paper's AUC uses its own grid with a radius pooled over "
                            "agents")),
    columns={"perturbation": COLUMNS}, text=_text, figures=_figures)
