"""The paper's perturbation task: every run agent with velocity bumps at its trained gain,
and how it performs, per agent and per perturbation size."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from navdecode.analysis.metrics import STRONG_PERTURBATION, roc_auc, session_metrics
from navdecode.recording.rollout import run_agent
from navdecode.report.declared import Analysis, Column, FigureSpec, Needs, Recipe
from navdecode.report.sections import responses
from navdecode.report.sections.behaviour import (
    AUC,
    N_TRIALS,
    REWARD_FRACTION,
    SIGNED_ERROR,
    STOP_ERROR,
)
from navdecode.report.sections.decoding import ERROR
from navdecode.report.sections.observer import (
    BELIEF_DECODING,
    DECODED_TO_BELIEF,
    OBSERVER_ERROR,
    belief_targets,
    observer_columns,
)
from navdecode.report.text import family_text, fmt, gain_text, mean_ci_cells

__all__ = ["ANALYSIS", "AUC_STRONG", "OBSERVER_TOLD", "PERTURBED"]

AUC_STRONG = "auc_strong"
OBSERVER_TOLD = "observer_told_error_cm"
PERTURBED = {REWARD_FRACTION: "reward fraction", AUC: "fraction-correct ROC AUC",
             AUC_STRONG: "ROC AUC, strong perturbations only (navdecode's AUC grid)",
             ERROR: "decoding error, grouped CV (cm)"}
"""The perturbation task's metrics, a Holm family of their own."""
COLUMNS = (
    Column("arch", "1", "the label"), Column("seed", "1", "the network"),
    Column(REWARD_FRACTION, "1", "rewarded trials / trials, perturbation task"),
    Column(AUC, "1", "fraction-correct ROC AUC, navdecode's grid"),
    Column(AUC_STRONG, "1", "the same over strong perturbations only"),
    Column("n_strong", "1", "strong perturbations in the session"),
    Column(ERROR, "cm", "grouped-CV position decoding error"),
    *responses.COLUMNS,
    Column(OBSERVER_ERROR, "cm", "the filter's mean position error, bump not known"),
    Column(DECODED_TO_BELIEF, "cm", "decoded position to the filter's belief"),
    Column(BELIEF_DECODING, "cm", "grouped-CV error of decoding the belief"),
    Column(OBSERVER_TOLD, "cm", "the filter's error when told the bump"),
)
BIN_COLUMNS = tuple(Column(name, unit, "per perturbation-size bin (`perturbation_metrics`)")
                    for name, unit in (("bin_low", "cm/s"), ("bin_high", "cm/s"),
                                       (N_TRIALS, "1"), (REWARD_FRACTION, "1"),
                                       (STOP_ERROR, "cm"), (SIGNED_ERROR, "cm"),
                                       (AUC, "1"), (ERROR, "cm"), ("arch", "1"),
                                       ("seed", "1")))


def _perturbed(agent: tuple, targets: np.ndarray, gain: float, observer: bool
               ) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """One agent's row, perturbation bins and compensation kernels on the perturbation
    task (the kernels against the same trials run without the bumps, same noise)."""
    from navdecode.analysis.decoding import decode, decode_each
    from navdecode.analysis.metrics import perturbation_metrics, strong_perturbations
    from navdecode.analysis.observer import ideal_observer
    from navdecode.analysis.perturbation import perturbations_of
    from navdecode.task.config import TaskConfig

    arch, seed, net = agent
    config = TaskConfig.perturbation_task()
    ds = run_agent(net, targets, gain=gain, seed=seed, config=config)
    twin = run_agent(net, targets, gain=gain, seed=seed, config=config,
                     perturbation=perturbations_of(ds) * [0, 0, 1])
    if observer:
        names, variables, belief = belief_targets(ds)
        grouped, decoded = decode_each(ds.assign(variables), [("pos_x", "pos_y"), names],
                                       refit=False)
    else:
        grouped = decode(ds, refit=False)
    row_responses, kernels = responses.responses(ds, twin, grouped, config)
    strong = np.flatnonzero(strong_perturbations(ds))
    row = {"arch": arch, "seed": seed, REWARD_FRACTION: session_metrics(ds)[REWARD_FRACTION],
           AUC: roc_auc(ds, seed=0)[0],
           AUC_STRONG: roc_auc(ds.isel(trial=strong), seed=0)[0] if strong.size >= 2
           else np.nan, "n_strong": int(strong.size), ERROR: grouped.mean_error,
           **row_responses}
    if observer:
        row |= observer_columns(grouped, belief, decoded)
        told = ideal_observer(ds, knows_perturbation=True)
        row[OBSERVER_TOLD] = float(np.nanmean(told["observer_error"].values))
    return row, perturbation_metrics(ds, decoding_error=grouped.error).assign(
        arch=arch, seed=seed), kernels.assign(arch=arch, seed=seed)


def _combine(tables: object, context: object) -> object:
    """Every run agent on the perturbation task at the first gain: started in the workers
    now; the returned function waits for the results and adds them to `tables`."""
    agents = [(a, s, ag) for a, s, g, ag, _ in context.jobs
              if ag is not None and g == tables.gains[0]]
    work = functools.partial(_perturbed, targets=context.targets, gain=tables.gains[0],
                             observer="observer" in tables.analyses)
    results = context.each(work, agents, "perturbation")
    return functools.partial(_tables, tables, results, context)


def _tables(tables: object, results: object, context: object) -> None:
    from navdecode.stats.comparisons import compare

    rows, bins, kernels = [], [], []
    for row, binned, kernel in results:
        rows.append(row)
        bins.append(binned)
        kernels.append(kernel)
    if context.recordings_given:
        context.skip_all("perturbation task", "needs agents to run (not recordings)")
    if not rows:
        return
    tables.perturbation = pd.DataFrame(rows)
    tables.perturbation_bins = pd.concat(bins, ignore_index=True)
    tables.compensation_kernels = pd.concat(kernels, ignore_index=True)
    counts = tables.perturbation.groupby("arch")["seed"].nunique()
    if len(counts) >= 2 and counts.min() >= 2:  # two labels, or k with all pairs
        groups = context.pair(list(counts.index))
        tables.perturbation_comparisons = compare(
            tables.perturbation, list(PERTURBED), groups=groups).assign(
            gain=tables.gains[0], family="perturbation")
        tables.response_comparisons = compare(
            tables.perturbation, list(responses.RESPONSES), groups=groups).assign(
            gain=tables.gains[0], family="perturbation responses")


def _text(tables: object) -> list[str]:
    from navdecode.stats.comparisons import summarize

    sessions, bins = tables.perturbation, tables.perturbation_bins
    if sessions.empty:
        return []
    summary = summarize(sessions, list(PERTURBED)).set_index(["arch", "metric"])
    lines = ["## Perturbation task", "",
             "Every agent on the paper's perturbation task (a Gaussian velocity bump of "
             "standard deviation 0.2 s at a random onset, peaks uniform in +-200 cm/s and "
             "+-120 deg/s; task guide), same targets, trained gain. Mean [t 95% CI over "
             "seeds]:", "", "| arch | seeds | " + " | ".join(PERTURBED.values()) + " |",
             "|" + "---|" * (2 + len(PERTURBED))]
    for arch in sorted(sessions["arch"].unique()):
        n = int(summary.loc[(arch, REWARD_FRACTION), "n"])
        lines.append(f"| {arch} | {n} | " + " | ".join(mean_ci_cells(summary, arch, PERTURBED))
                     + " |")
    if "n_strong" in sessions:
        lines += ["", f"Strong perturbations are those with |(peak cm/s, peak deg/s)| > "
                  f"{STRONG_PERTURBATION:g}, the paper's selection for its figure 6e "
                  f"(`strong_perturbations`; {ANALYSIS.recipe().label()}): "
                  f"{int(sessions['n_strong'].min())}-{int(sessions['n_strong'].max())} "
                  "trials per session here."]
    by_size = bins.pivot_table(index=["bin_low", "bin_high"], columns="arch",
                               values=REWARD_FRACTION, aggfunc="mean")
    lines += ["", "Reward fraction by the size of the linear perturbation peak (mean over "
              "seeds; `perturbation_bins.csv` per seed):", "",
              "| peak linear perturbation (cm/s) | " + " | ".join(by_size.columns) + " |",
              "|" + "---|" * (1 + len(by_size.columns))]
    for (low, high), r in by_size.iterrows():
        lines.append(f"| {low:g}-{high:g} | " + " | ".join(fmt(v) for v in r) + " |")
    if OBSERVER_ERROR in sessions:
        means = sessions.groupby("arch")[[OBSERVER_ERROR, OBSERVER_TOLD, ERROR,
                                          DECODED_TO_BELIEF, BELIEF_DECODING]].mean()
        lines += ["", "The ideal observer under perturbation (it does not know the bump, as "
                  "the agent does not; told the bump, as the paper's filter is, its error is "
                  "the next column; means over seeds, cm):", "",
                  "| arch | ideal observer error | told the perturbation | agent decoding "
                  "error | decoded to belief | belief decoding error |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {arch} | " + " | ".join(fmt(v) for v in r) + " |"
                  for arch, r in means.iterrows()]
    lines += family_text(tables.perturbation_comparisons, PERTURBED,
                         "Perturbation task: all labels (a Holm family of its own)", gain_text,
                         intro="A Holm family of its own (the headline's p-values do not "
                               "change):")
    return [*lines, ""]


def _figures(tables: object) -> list[FigureSpec]:
    if tables.perturbation_bins.empty:
        return []
    return [FigureSpec(f"perturbation_{value}", "plot_perturbation",
                       (tables.perturbation_bins, value)) for value in (REWARD_FRACTION, ERROR)]


ANALYSIS = Analysis(
    name="perturbation", title="Perturbation task", option="perturbation",
    needs=Needs(agent=True),
    recipes=(Recipe("navdecode", "every agent on the perturbation task at its trained gain, "
                    "the report's targets and the agent's seed for the noise; AUCs on "
                    "navdecode's grid", related_figure="6b-e",
                    differs="the paper scores AUCs on its own grid with the largest stop "
                            "error pooled over the agents it plots, and gives every agent "
                            "the same trials"),),
    columns={"perturbation": COLUMNS, "perturbation_bins": BIN_COLUMNS},
    combine=_combine, text=_text, figures=_figures)
