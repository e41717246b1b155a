"""Formatting shared by the report's sections: numbers, conditions and the standard tables
(mean [CI] per label, two-label and k-label comparisons). Nothing here knows an analysis."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["comparison_table", "family_text", "fmt", "gain_text", "in_unit", "k_group_section",
           "mean_ci_cells", "significance", "summary_table"]


def gain_text(g: float) -> str:
    """A gain as the report writes it (``2x``)."""
    return f"{g:g}x"


def fmt(x: float, digits: int = 3) -> str:
    """`x` to `digits` significant digits; ``n/a`` when not finite."""
    return "n/a" if not np.isfinite(x) else f"{x:.{digits}g}"


def in_unit(metrics: dict[str, str], unit: str) -> dict[str, str]:
    """The metrics' titles with cm replaced by the recording's length unit."""
    if unit == "cm":
        return dict(metrics)
    return {m: re.sub(r"\bcm\b", unit, title) for m, title in metrics.items()}


def summary_table(summary: pd.DataFrame, metrics: dict[str, str],
                  cond: Callable[[float], str] = gain_text) -> list[str]:
    """Markdown rows: per (arch, gain), each metric's mean [t CI over seeds]."""
    lines = ["| arch | gain | seeds | " + " | ".join(metrics.values()) + " |",
             "|" + "---|" * (3 + len(metrics))]
    for (arch, gain), rows in summary.groupby(["arch", "gain"], sort=True):
        by_metric = rows.set_index("metric")
        cells = []
        for metric in metrics:
            r = by_metric.loc[metric]
            ci = f" [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]" if r["n"] >= 2 else ""
            cells.append(fmt(r["mean"]) + ci)
        lines.append(f"| {arch} | {cond(gain)} | {int(by_metric['n'].max())} | "
                     + " | ".join(cells) + " |")
    return lines


def mean_ci_cells(summary: pd.DataFrame, arch: str, metrics: dict[str, str]) -> list[str]:
    """``mean [ci_low, ci_high]`` of each metric for one arch (`summarize` rows indexed by
    arch and metric); the mean alone with fewer than 2 seeds."""
    cells = []
    for metric in metrics:
        r = summary.loc[(arch, metric)]
        ci = f" [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]" if r["n"] >= 2 else ""
        cells.append(fmt(r["mean"]) + ci)
    return cells


def k_group_section(comparisons: pd.DataFrame, metrics: dict[str, str], title: str,
                    cond: Callable[[float], str] = gain_text, level: str = "##") -> list[str]:
    """Three or more labels: the omnibus test per (gain, metric), then every pair."""
    rows = comparisons[comparisons["metric"].isin(list(metrics))]
    omni, pairs = rows[rows["comparison"] == "omnibus"], rows[rows["comparison"] == "pair"]
    lines = [f"{level} {title}", "",
             "One value per seed. Omnibus: do the labels differ at all (permutation test on "
             "the one-way F, Monte Carlo; Kruskal-Wallis); Holm across this table's metrics "
             "at each gain. Pairs: every pair, Holm across all pairs and metrics at each "
             "gain; P(a > b) is the probability that a seed of a beats one of b (error "
             "rates in the statistics guide).", "",
             "| gain | metric | labels | F | permutation p | Kruskal-Wallis p | Holm p |",
             "|---|---|---|---|---|---|---|"]
    for _, c in omni.iterrows():
        lines.append(f"| {cond(c['gain'])} | {metrics[c['metric']]} | {c['groups']} | "
                     f"{fmt(c['f'])} | {fmt(c['permutation_p'])} | {fmt(c['kruskal_p'])} | "
                     f"{fmt(c['p_holm'])} |")
    lines += ["", "| gain | metric | pair | a - b | 95% CI | P(a > b) | permutation p | "
              "Holm p |", "|---|---|---|---|---|---|---|---|"]
    for _, c in pairs.iterrows():
        lines.append(f"| {cond(c['gain'])} | {metrics[c['metric']]} | {c['groups']} | "
                     f"{fmt(c['diff'])} | [{fmt(c['diff_ci_low'])}, "
                     f"{fmt(c['diff_ci_high'])}] | {fmt(c['probability_of_improvement'])} | "
                     f"{fmt(c['permutation_p'])} | {fmt(c['p_holm'])} |")
    return [*lines, ""]


def comparison_table(comparisons: pd.DataFrame, metrics: dict[str, str],
                     cond: Callable[[float], str] = gain_text) -> list[str]:
    """Markdown rows: a - b per (gain, metric) with CI, effect size and p."""
    a, b = comparisons["group_a"].iloc[0], comparisons["group_b"].iloc[0]
    lines = [f"| gain | metric | {a} - {b} | 95% CI | Hedges g | permutation p | "
             "Holm p | Mann-Whitney p |", "|---|---|---|---|---|---|---|---|"]
    for _, c in comparisons.iterrows():
        lines.append(f"| {cond(c['gain'])} | {metrics[c['metric']]} | {fmt(c['diff'])} | "
                     f"[{fmt(c['diff_ci_low'])}, {fmt(c['diff_ci_high'])}] | "
                     f"{fmt(c['hedges_g'])} | {fmt(c['permutation_p'])} | "
                     f"{fmt(c['p_holm'])} | {fmt(c['mannwhitney_p'])} |")
    return lines


def significance(comparisons: pd.DataFrame, metrics: dict[str, str],
                 cond: Callable[[float], str] = gain_text) -> str:
    """One sentence: which comparisons survive Holm at 0.05, and the smallest p possible."""
    from math import comb

    hits = comparisons[comparisons["p_holm"] < 0.05]
    named = "; ".join(f"{metrics[c['metric']]} at {cond(c['gain'])} (Holm p {fmt(c['p_holm'])})"
                      for _, c in hits.iterrows())
    text = f"Significant after Holm at 0.05: {named or 'none'} ({len(hits)} of {len(comparisons)})."
    if not comparisons["permutation_exact"].all():
        return text  # Monte Carlo p-values: no floor set by the seed counts
    n_a, n_b = int(comparisons["n_a"].max()), int(comparisons["n_b"].max())
    # two-sided: with equal groups the swapped labelling is as extreme as the observed one
    k = 2 if n_a == n_b else 1
    floor = k / comb(n_a + n_b, n_a)
    return (f"{text} With {n_a} and {n_b} seeds an exact permutation p cannot be below "
            f"{k}/C({n_a + n_b}, {n_a}) = {floor:.3g}, and Holm multiplies the smallest of "
            f"the {len(metrics)} p-values at a gain by {len(metrics)}.")


def family_text(comparisons: pd.DataFrame, metrics: dict[str, str], title: str,
                cond: Callable[[float], str] = gain_text, level: str = "###",
                intro: str = "A Holm family of its own:") -> list[str]:
    """A family's tests as the report shows them: the k-label section with three or more
    labels, else the two-label table after `intro`; nothing when not tested."""
    if comparisons.empty:
        return []
    if "comparison" in comparisons:
        return ["", *k_group_section(comparisons, metrics, title, cond, level=level)]
    return ["", intro, "", *comparison_table(comparisons, metrics, cond)]
