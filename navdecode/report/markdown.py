"""The text of ``report.md``: sections and tables from `ReportTables`, nothing drawn."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from navdecode.analysis.metrics import STRONG_PERTURBATION
from navdecode.report.tables import (
    AUC_SHUFFLES,
    BEHAVIOUR,
    COMPARED,
    PERTURBED,
    RESPONSES,
    TASK_VARIABLES,
    TUNING_BINS,
    ReportTables,
)

__all__ = ['report_markdown']


def _gain(g: float) -> str:
    return f"{g:g}x"


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.{digits}g}"


def _in_unit(metrics: dict[str, str], unit: str) -> dict[str, str]:
    """The metrics' titles with cm replaced by the recording's length unit."""
    if unit == "cm":
        return dict(metrics)
    return {m: re.sub(r"\bcm\b", unit, title) for m, title in metrics.items()}


def report_markdown(tables: ReportTables, figures: dict[str, str]) -> str:
    """The text of ``report.md`` for `tables` (internal ``_cm`` names, any length unit)."""
    sessions, summary, comparisons = tables.sessions, tables.summary, tables.comparisons
    gains, unit = tables.gains, tables.length_unit
    cond = _gain if tables.has_gain else (lambda g: "one condition")
    measured = set(summary["metric"]) if "metric" in summary else set()
    compared = _in_unit({m: t for m, t in COMPARED.items() if m in measured}, unit)
    behaviour = _in_unit({m: t for m, t in BEHAVIOUR.items() if m in measured}, unit)
    labels = sorted(sessions["arch"].unique())
    n_agents = sessions.groupby(["arch", "seed"]).ngroups
    trials = f"{tables.n_trials} fixed targets" if tables.agents else \
        f"{tables.n_trials} trials per recording (median)"
    conditions = f"gains {', '.join(cond(g) for g in gains)}" if tables.has_gain else \
        "one condition (the recordings hold no gain)"
    lines = ["# navdecode report", "",
             f"{n_agents} agents ({', '.join(labels)}), {trials}, {conditions}; lengths in "
             f"{unit}; computed in {tables.elapsed_s:.0f} s.", ""]
    status = []
    for arch, seed, agent in tables.agents:
        meta = getattr(agent, "metadata", {})
        status.append(f"| {arch} | {seed} | {meta.get('checkpoint_trial', '')} | "
                      f"{meta.get('phase1_trials', '')} | {meta.get('training_finished', '')} |")
    if status:
        lines += ["## Agents", "", "| arch | seed | checkpoint trial | phase I trials | "
                  "training finished |", "|---|---|---|---|---|", *status, ""]
    if compared:
        lines += ["## Headline (one value per seed; mean [t 95% CI over seeds])", "",
                  *_summary_table(summary, compared, cond), "",
                  "A CI needs at least 2 seeds; an architecture with one seed shows its "
                  "value alone.", ""]
    if "decoding_time_only_cm" in sessions:
        lines += [_belief_sentence(sessions, cond, unit), ""]
    testable = tables.testable
    k_groups = testable and "comparison" in comparisons  # three or more labels
    if k_groups:
        lines += _k_group_section(comparisons[comparisons["family"] == "headline"], compared,
                                  "Headline: all labels", cond)
    elif testable and (comparisons["family"] == "headline").any():
        headline = comparisons[comparisons["family"] == "headline"]
        pair = (comparisons["group_a"].iloc[0], comparisons["group_b"].iloc[0])
        lines += [f"## {pair[0][:1].upper()}{pair[0][1:]} vs {pair[1]}", "",
                  "Exact permutation and Mann-Whitney tests on one value per seed; Holm's "
                  "correction runs across the metrics of this table at each gain. The 95% CI "
                  "of the difference is Welch's (simulated coverage in the statistics guide).",
                  _significance(headline, compared, cond), "",
                  *_comparison_table(headline, compared, cond), ""]
    elif not testable:
        lines += ["Statistical tests need at least 2 seeds of each of two labels; "
                  "they are skipped here.", ""]
    if behaviour:
        lines += [f"## Behaviour {'at each gain ' if tables.has_gain else ''}"
                  "(secondary metrics)", "", _behaviour_text(tables), "",
                  *_summary_table(summary, behaviour, cond), ""]
        if k_groups:
            lines += _k_group_section(comparisons[comparisons["family"] == "behaviour"],
                                      behaviour, "Behaviour: all labels", cond, level="###")
        elif testable and (comparisons["family"] == "behaviour").any():
            pair = (comparisons["group_a"].iloc[0], comparisons["group_b"].iloc[0])
            lines += [f"{pair[0]} vs {pair[1]} on these metrics, with a Holm family of their "
                      "own (the headline's p-values above do not change with them):", "",
                      *_comparison_table(comparisons[comparisons["family"] == "behaviour"],
                                         behaviour, cond), ""]
    lines += _factorial_section(tables, cond)
    lines += _replay_section(sessions, gains)
    lines += _decoding_section(sessions, cond, unit)
    lines += _task_variable_section(sessions, cond)
    lines += _tuning_section(tables, cond)
    lines += _observer_section(sessions)
    lines += _perturbation_section(tables)
    lines += _similarity_section(tables)
    lines += _dynamics_section(tables)
    lines += _skipped_section(tables)
    lines += ["## Figures", "", *(f"![{name}]({path})" for name, path in figures.items())]
    if not tables.has_gain:  # one condition: the tables' first columns say so
        lines = [line.replace("| gain |", "| condition |", 1) if line.startswith("| ") else line
                 for line in lines]
    return "\n".join(lines) + "\n"


def _behaviour_text(tables: ReportTables) -> str:
    """What the behaviour metrics mean: the paper's over/undershoot terms for the firefly
    task, the generic path terms for any other."""
    spread = ""
    if "auc_shuffle_sd" in tables.sessions and tables.sessions["auc_shuffle_sd"].notna().any():
        spread = (f" Every agent's AUC uses one target shuffle (seed 0); over "
                  f"{AUC_SHUFFLES} other shuffle seeds a session's AUC has an SD of at most "
                  f"{_fmt(tables.sessions['auc_shuffle_sd'].max())} (median "
                  f"{_fmt(tables.sessions['auc_shuffle_sd'].median())}; `auc_shuffle_sd` in "
                  "`sessions.csv`).")
    if not tables.firefly:
        return ("Per recording, means over trials: curvature and straightness (start-to-end "
                "distance / path length) of the recorded paths; where the task has targets, "
                "the end-to-target distance and the zero-intercept slope of traveled vs "
                "target distance (1 = on target on average).")
    return ("Traveled / target distance slope: zero-intercept regression of the stop's "
            "distance from the start on the target's (1 = on target on average; above 1 = "
            "overshooting, what an agent that does not adapt to a larger joystick gain "
            "does). Signed radial error: the paper's stop-to-target distance, negative when "
            "the circular arc from the start to the stop is shorter than the arc to the "
            "target (undershoot), averaged over trials. AUC: the fraction-correct curve's "
            "area (0.5 ignores the target, 1 always ends closest to its own)." + spread)


def _skipped_section(tables: ReportTables) -> list[str]:
    """Every analysis that did not run, with the variable or property it lacks."""
    skipped = tables.skipped
    if skipped.empty:
        return []
    lines = ["## Analyses not run", "",
             "What the recordings do not support (`skipped.csv` lists every session):", "",
             "| analysis | sessions | reason |", "|---|---|---|"]
    for (analysis, reason), rows in skipped.groupby(["analysis", "reason"], sort=False):
        who = rows["arch"].astype(str) + (" " + rows["seed"].astype(str)).where(
            rows["seed"].astype(str) != "", "")
        shown = ", ".join(dict.fromkeys(who))
        lines.append(f"| {analysis} | {len(rows)} ({shown}) | {reason} |")
    return [*lines, ""]


def _decoding_section(sessions: pd.DataFrame, cond: object, unit: str) -> list[str]:
    """Every session's decoding error under each protocol and control."""
    columns = {"decoding_error_cm": "grouped", "decoding_error_tutorial_cm": "tutorial",
               "decoding_error_paper_cm": "paper", "decoding_shuffle_cm": "shuffle",
               "decoding_time_only_cm": "time only", "decoding_untrained_cm": "untrained",
               "decoding_cross_cm": "cross"}
    shown = {c: n for c, n in columns.items() if c in sessions}
    if "decoding_error_cm" not in sessions:
        return []
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
        cells = [_fmt(r.get(c, np.nan)) for c in shown]
        lines.append(f"| {r['arch']} | {r['seed']} | {cond(r['gain'])} | " + " | ".join(cells)
                     + " |")
    return [*lines, ""]


def _mean_ci_cells(summary: pd.DataFrame, arch: str, metrics: dict[str, str]) -> list[str]:
    """``mean [ci_low, ci_high]`` of each metric for one arch (`summarize` rows indexed by
    arch and metric); the mean alone with fewer than 2 seeds."""
    cells = []
    for metric in metrics:
        r = summary.loc[(arch, metric)]
        ci = f" [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]" if r["n"] >= 2 else ""
        cells.append(_fmt(r["mean"]) + ci)
    return cells


def _perturbation_section(tables: ReportTables) -> list[str]:
    """The perturbation task: per arch and perturbation size, and a Holm family of tests."""
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
        n = int(summary.loc[(arch, "reward_fraction"), "n"])
        lines.append(f"| {arch} | {n} | " + " | ".join(_mean_ci_cells(summary, arch, PERTURBED))
                     + " |")
    if "n_strong" in sessions:
        lines += ["", f"Strong perturbations are those with |(peak cm/s, peak deg/s)| > "
                  f"{STRONG_PERTURBATION:g}, the trials the paper's figure 6e scores "
                  f"(`strong_perturbations`): {int(sessions['n_strong'].min())}-"
                  f"{int(sessions['n_strong'].max())} trials per session here."]
    by_size = bins.pivot_table(index=["bin_low", "bin_high"], columns="arch",
                               values="reward_fraction", aggfunc="mean")
    lines += ["", "Reward fraction by the size of the linear perturbation peak (mean over "
              "seeds; `perturbation_bins.csv` per seed):", "",
              "| peak linear perturbation (cm/s) | " + " | ".join(by_size.columns) + " |",
              "|" + "---|" * (1 + len(by_size.columns))]
    for (low, high), r in by_size.iterrows():
        lines.append(f"| {low:g}-{high:g} | " + " | ".join(_fmt(v) for v in r) + " |")
    if "observer_error_cm" in sessions:
        means = sessions.groupby("arch")[["observer_error_cm", "observer_told_error_cm",
                                          "decoding_error_cm", "decoded_to_belief_cm",
                                          "belief_decoding_cm"]].mean()
        lines += ["", "The ideal observer under perturbation (it does not know the bump, as "
                  "the agent does not; told the bump, as the paper's filter is, its error is "
                  "the next column; means over seeds, cm):", "",
                  "| arch | ideal observer error | told the perturbation | agent decoding "
                  "error | decoded to belief | belief decoding error |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {arch} | " + " | ".join(_fmt(v) for v in r) + " |"
                  for arch, r in means.iterrows()]
    cmp = tables.perturbation_comparisons
    if not cmp.empty and "comparison" in cmp:  # three or more labels
        lines += ["", *_k_group_section(cmp, PERTURBED, "Perturbation task: all labels "
                                        "(a Holm family of its own)", _gain, level="###")]
    elif not cmp.empty:
        lines += ["", "A Holm family of its own (the headline's p-values do not change):", "",
                  *_comparison_table(cmp, PERTURBED, _gain)]
    return [*lines, "", *_responses_section(tables)]


def _factorial_section(tables: ReportTables, cond: object) -> list[str]:
    """Actor x critic: each headline metric's main effects and interaction."""
    table = tables.factorial
    if table.empty:
        return []
    cells = [c for c in table.columns if c.startswith("mean_")]
    lines = ["## Actor x critic", "",
             "The labels cross actors with critics, so each headline metric asks the "
             "paper's question of its figures 4-6: does the actor's architecture, the "
             "critic's, or their combination carry the difference? Type-II two-way ANOVA F "
             "on one value per network, Freedman-Lane permutation p (`compare_factorial`), "
             "Holm across the metrics and effects of a condition; the cell means follow "
             "(actor_critic):", "",
             "| gain | metric | effect | F | permutation p | Holm p | F-test p | "
             + " | ".join(c.removeprefix("mean_") for c in cells) + " |",
             "|" + "---|" * (7 + len(cells))]
    for _, r in table.iterrows():
        means = " | ".join(_fmt(r[c]) for c in cells) if r["effect"] == "actor" else \
            " | ".join("" for _ in cells)
        lines.append(f"| {cond(r['gain'])} | {COMPARED.get(r['metric'], r['metric'])} | "
                     f"{r['effect']} | {_fmt(r['f'])} | {_fmt(r['permutation_p'])} | "
                     f"{_fmt(r['p_holm'])} | {_fmt(r['f_test_p'])} | {means} |")
    return [*lines, ""]


def _responses_section(tables: ReportTables) -> list[str]:
    """Compensation kernels and the belief's error against the integrated perturbation."""
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
             "origin (the paper's figure 6g): -1, the belief ignores the push; 0, it is not "
             "misled (`navdecode.analysis.perturbation`). Mean [t 95% CI over seeds]:", "",
             "| arch | " + " | ".join(RESPONSES.values()) + " |",
             "|" + "---|" * (1 + len(RESPONSES))]
    lines += [f"| {arch} | " + " | ".join(_mean_ci_cells(summary, arch, RESPONSES)) + " |"
              for arch in sorted(sessions["arch"].unique())]
    if "no_adaptation_auc_paper" in sessions:
        means = sessions.groupby("arch")[["auc", "no_adaptation_auc",
                                          "no_adaptation_auc_paper"]].mean()
        lines += ["", "The no-adaptation control under perturbation (`replay_perturbation`: the "
                  "twin's actions replayed open loop with each trial's bump, no noise): its "
                  "fraction-correct AUC when the replay stops where the twin stopped "
                  "(navdecode) and when it keeps integrating the bump after the stop (the "
                  "paper's figure 6c-d); means over seeds:", "",
                  "| arch | agent | replay (navdecode) | replay (paper) |", "|---|---|---|---|"]
        lines += [f"| {arch} | " + " | ".join(_fmt(v) for v in r) + " |"
                  for arch, r in means.iterrows()]
    cmp = tables.response_comparisons
    if not cmp.empty and "comparison" in cmp:
        lines += ["", *_k_group_section(cmp, RESPONSES, "Perturbation responses: all labels "
                                        "(a Holm family of its own)", _gain, level="###")]
    elif not cmp.empty:
        lines += ["", "A Holm family of its own:", "",
                  *_comparison_table(cmp, RESPONSES, _gain)]
    return [*lines, ""]


def _similarity_section(tables: ReportTables) -> list[str]:
    """Linear CKA between every pair of networks at one gain; within vs between archs."""
    if tables.cka.empty:
        return []
    lines = ["## Representational similarity", "",
             f"Linear CKA between the LSTM units of every pair of networks on the same "
             f"{tables.gains[0]:g}x trials (`cka.csv`). Per network, the mean CKA with the "
             "other networks of its architecture (within) and with the other architecture's "
             "(between), averaged over networks (the pairs share networks: the test below "
             "takes the network as its unit).", "", "| arch | networks | within | between |",
             "|---|---|---|---|"]
    return [*lines, *_within_between_rows(tables.cka), "", *_matrix_test(tables, "CKA")]


def _within_between_rows(matrix: pd.DataFrame, digits: int = 3) -> list[str]:
    """Per arch: its networks, and the mean over them of `within_between`'s columns."""
    from navdecode.analysis.similarity import within_between

    table = within_between(matrix).groupby("arch")[["within", "between"]].agg(
        ["mean", "count"])
    return [f"| {arch} | {int(r[('within', 'count')])} | {_fmt(r[('within', 'mean')], digits)}"
            f" | {_fmt(r[('between', 'mean')], digits)} |" for arch, r in table.iterrows()]


def _matrix_test(tables: ReportTables, measure: str) -> list[str]:
    """The label-permutation test of one matrix (`within_between_test`), as a sentence."""
    tests = tables.similarity_tests
    if tests.empty or measure not in set(tests["measure"]):
        return []
    r = tests.set_index("measure").loc[measure]
    return [f"Networks as the unit (labels permuted over the {int(r['n_networks'])} networks, "
            f"9,999 relabellings; false-positive rate in the statistics guide): mean "
            f"between-label minus within-label pair {measure} {_fmt(r['difference'], 4)} "
            f"(within {_fmt(r['within'], 4)}, between {_fmt(r['between'], 4)}), permutation "
            f"p {_fmt(r['permutation_p'])}.", ""]


def _dynamics_section(tables: ReportTables) -> list[str]:
    """Fixed points of each actor's LSTM at rest, and DSA across networks."""
    from navdecode.analysis.dynamical_similarity import N_DELAYS, RANK
    from navdecode.report.dynamics import DYNAMICS, N_ITER, N_STARTS

    points, dsa = tables.dynamics, tables.dsa
    if points.empty and dsa.empty:
        return []
    lines = ["## Dynamics", ""]
    if not points.empty:
        means = points.groupby("arch")[["n_points", "n_fixed", "slowest_speed",
                                         "slowest_max_abs_eigenvalue", "stable_fraction"]].mean()
        counts = points.groupby("arch")["seed"].nunique()
        lines += [
            "### Fixed points at rest", "",
            f"Each network's actor LSTM with its input held at zero (no observation, no "
            f"motion, no action: at rest once the target has vanished), on the "
            f"{_gain(tables.gains[0])} recording: `fixed_points` from {N_STARTS} visited "
            f"states, {N_ITER} Adam steps on the speed q(s) = ||F(s) - s||^2 / 2 and "
            "Newton's polish; a point is fixed at q <= 1e-6 (else slow) and stable when every "
            "eigenvalue of its Jacobian has |lambda| < 1 (`dynamics.csv`). Means over "
            "networks:", "",
            "| arch | networks | distinct points | fixed points | slowest speed | slowest "
            "point's largest abs eigenvalue | fraction stable |", "|---|---|---|---|---|---|---|"]
        for arch, r in means.iterrows():
            lines.append(f"| {arch} | {int(counts[arch])} | {r['n_points']:.1f} | "
                         f"{r['n_fixed']:.1f} | {r['slowest_speed']:.2e} | "
                         f"{_fmt(r['slowest_max_abs_eigenvalue'])} | "
                         f"{_fmt(r['stable_fraction'])} |")
        lines.append("")
        cmp = tables.dynamics_comparisons
        if not cmp.empty and "comparison" in cmp:
            lines += _k_group_section(cmp, DYNAMICS, "Fixed points: all labels", level="###")
        elif not cmp.empty:
            lines += ["A Holm family of its own:", "", *_comparison_table(cmp, DYNAMICS), ""]
    if not dsa.empty:
        lines += ["### Dynamical similarity (DSA)", "",
                  f"DSA distance (Ostrow et al. 2023, dsa-metric) between the hidden units' "
                  f"dynamics of every pair of networks at {_gain(tables.gains[0])} "
                  f"(`dsa.csv`): each network's delay-embedded units ({N_DELAYS} delays, "
                  f"within trials) fitted by a rank-{RANK} linear operator, two operators "
                  "compared by the Wasserstein distance between their eigenvalues (0: the "
                  "same dynamics up to a change of basis). Per network, the mean distance to "
                  "the other networks of its architecture (within) and to the others' "
                  "(between), averaged over networks:", "",
                  "| arch | networks | within | between |", "|---|---|---|---|",
                  *_within_between_rows(dsa, digits=4), "", *_matrix_test(tables, "DSA")]
    return lines


def _summary_table(summary: pd.DataFrame, metrics: dict[str, str],
                   cond: object = _gain) -> list[str]:
    """Markdown rows: per (arch, gain), each metric's mean [t CI over seeds]."""
    lines = ["| arch | gain | seeds | " + " | ".join(metrics.values()) + " |",
             "|" + "---|" * (3 + len(metrics))]
    for (arch, gain), rows in summary.groupby(["arch", "gain"], sort=True):
        by_metric = rows.set_index("metric")
        cells = []
        for metric in metrics:
            r = by_metric.loc[metric]
            ci = f" [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]" if r["n"] >= 2 else ""
            cells.append(_fmt(r["mean"]) + ci)
        lines.append(f"| {arch} | {cond(gain)} | {int(by_metric['n'].max())} | "
                     + " | ".join(cells) + " |")
    return lines


def _k_group_section(comparisons: pd.DataFrame, metrics: dict[str, str], title: str,
                     cond: object = _gain, level: str = "##") -> list[str]:
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
                     f"{_fmt(c['f'])} | {_fmt(c['permutation_p'])} | {_fmt(c['kruskal_p'])} | "
                     f"{_fmt(c['p_holm'])} |")
    lines += ["", "| gain | metric | pair | a - b | 95% CI | P(a > b) | permutation p | "
              "Holm p |", "|---|---|---|---|---|---|---|---|"]
    for _, c in pairs.iterrows():
        lines.append(f"| {cond(c['gain'])} | {metrics[c['metric']]} | {c['groups']} | "
                     f"{_fmt(c['diff'])} | [{_fmt(c['diff_ci_low'])}, "
                     f"{_fmt(c['diff_ci_high'])}] | {_fmt(c['probability_of_improvement'])} | "
                     f"{_fmt(c['permutation_p'])} | {_fmt(c['p_holm'])} |")
    return [*lines, ""]


def _comparison_table(comparisons: pd.DataFrame, metrics: dict[str, str],
                      cond: object = _gain) -> list[str]:
    """Markdown rows: a - b per (gain, metric) with CI, effect size and p."""
    a, b = comparisons["group_a"].iloc[0], comparisons["group_b"].iloc[0]
    lines = [f"| gain | metric | {a} - {b} | 95% CI | Hedges g | permutation p | "
             "Holm p | Mann-Whitney p |", "|---|---|---|---|---|---|---|---|"]
    for _, c in comparisons.iterrows():
        lines.append(f"| {cond(c['gain'])} | {metrics[c['metric']]} | {_fmt(c['diff'])} | "
                     f"[{_fmt(c['diff_ci_low'])}, {_fmt(c['diff_ci_high'])}] | "
                     f"{_fmt(c['hedges_g'])} | {_fmt(c['permutation_p'])} | "
                     f"{_fmt(c['p_holm'])} | {_fmt(c['mannwhitney_p'])} |")
    return lines


def _significance(comparisons: pd.DataFrame, metrics: dict[str, str],
                  cond: object = _gain) -> str:
    """One sentence: which comparisons survive Holm at 0.05, and the smallest p possible."""
    from math import comb

    hits = comparisons[comparisons["p_holm"] < 0.05]
    named = "; ".join(f"{metrics[c['metric']]} at {cond(c['gain'])} (Holm p {_fmt(c['p_holm'])})"
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


def _belief_sentence(sessions: pd.DataFrame, cond: object, unit: str) -> str:
    """Agent vs untrained network vs step index alone, mean over seeds per arch and gain."""
    means = sessions.groupby(["arch", "gain"])[["decoding_error_cm", "decoding_untrained_cm",
                                                "decoding_time_only_cm"]].mean()
    def length(x: float) -> str:
        return f"{_fmt(x)} {unit}" if np.isfinite(x) else "n/a"

    parts = [f"{arch} {cond(gain)}: agent {length(r['decoding_error_cm'])}, untrained "
             f"{length(r['decoding_untrained_cm'])}, step index alone "
             f"{length(r['decoding_time_only_cm'])}" for (arch, gain), r in means.iterrows()]
    return ("How much of the position decoding is belief? Grouped-CV error of the agents, of "
            "the same networks before training fed the same inputs, and of the step index "
            "alone (means over seeds): " + "; ".join(parts) + ". Where the untrained network "
            "or the step index decode about as well as the agent, the decoding error reflects "
            "input and trajectory statistics more than a learned belief.")


def _replay_section(sessions: pd.DataFrame, gains: tuple[float, ...]) -> list[str]:
    """Real behaviour at each later gain beside the 1x actions replayed open loop there."""
    if len(gains) < 2 or "replay_reward_fraction" not in sessions:
        return []
    lines = ["## No-adaptation control", "",
             f"Each trial's actions recorded at {gains[0]:g}x, replayed open loop (same "
             "target, process noise on) at the later gain: what the agent would do if it "
             "did not adapt at all. Means over seeds.", "",
             "| arch | gain | reward fraction (agent) | reward fraction (replay) | "
             "traveled/target slope (agent) | slope (replay) |", "|---|---|---|---|---|---|"]
    later = sessions[sessions["gain"] != gains[0]]
    means = later.groupby(["arch", "gain"])[["reward_fraction", "replay_reward_fraction",
                                              "traveled_slope", "replay_traveled_slope"]].mean()
    for (arch, gain), r in means.iterrows():
        lines.append(f"| {arch} | {gain:g}x | {_fmt(r['reward_fraction'])} | "
                     f"{_fmt(r['replay_reward_fraction'])} | {_fmt(r['traveled_slope'])} | "
                     f"{_fmt(r['replay_traveled_slope'])} |")
    return [*lines, ""]


def _task_variable_section(sessions: pd.DataFrame, cond: object) -> list[str]:
    """Per arch and condition: Pearson's r of each task variable decoded from the units."""
    columns = [f"decoding_r_{name}" for name in TASK_VARIABLES]
    if not set(columns) <= set(sessions):
        return []
    stop_r = "last_step_error_stop_r" in sessions
    columns += ["last_step_error_stop_r"] * stop_r
    means = sessions.groupby(["arch", "gain"])[columns].mean()
    names = {"vel_lin": "linear velocity", "vel_ang": "angular velocity",
             "target_distance": "distance to target", "target_angle": "angle to target",
             "action_lin": "linear action", "action_ang": "angular action"}
    headers = [names[n] for n in TASK_VARIABLES] + ["last-step error vs stop error"] * stop_r
    lines = ["## What else the units carry", "",
             "The paper's figure 1l: velocities, the target's distance and angle from the agent "
             "(`relative_to_target`: the egocentric bearing, navdecode's convention) and the "
             "actions, each decoded from the recurrent units like the position (grouped CV, "
             "solved together) and scored by Pearson's r of the held-out prediction with the "
             "truth (`DecodingResult.pearson_r`)."
             + (" The last column is the paper's figure S5b: Pearson's r over trials between "
                "the position decoding error at each trial's last step and its stop error "
                "(`last_step_stop_r`)." if stop_r else "") + " Means over seeds:", "",
             "| arch | gain | " + " | ".join(headers) + " |", "|" + "---|" * (2 + len(headers))]
    for (arch, gain), r in means.iterrows():
        lines.append(f"| {arch} | {cond(gain)} | " + " | ".join(_fmt(r[c]) for c in columns)
                     + " |")
    layers = sorted(c for c in sessions if re.fullmatch(r"decoding_error_mlp\d+_cm", c))
    if layers and "decoding_error_cm" in sessions:
        has = sessions.dropna(subset=layers[:1])
        by_layer = has.groupby(["arch", "gain"])[["decoding_error_cm", *layers]].mean()
        lines += ["", "The actor's MLP layers after the ReLU (the paper's figures 1l, S1f; "
                  "actors with an MLP only, `mlp_units`): position decoded from each like "
                  "from the LSTM (grouped CV), mean error over seeds (cm):", "",
                  "| arch | gain | LSTM | " + " | ".join(
                      f"MLP layer {c.removeprefix('decoding_error_mlp').removesuffix('_cm')}"
                      for c in layers) + " |", "|" + "---|" * (3 + len(layers))]
        lines += [f"| {arch} | {cond(gain)} | " + " | ".join(_fmt(v) for v in r) + " |"
                  for (arch, gain), r in by_layer.iterrows()]
    return [*lines, ""]


def _tuning_section(tables: ReportTables, cond: object) -> list[str]:
    """Per arch and condition: how much of its units' variance position explains."""
    sessions = tables.sessions
    if "tuning_eta2" not in sessions or not sessions["tuning_eta2"].notna().any():
        return []
    means = sessions.groupby(["arch", "gain"])[["tuning_eta2", "tuning_eta2_max"]].mean()
    shown = "; ".join(f"{arch} seed {seed} unit {maps['unit'].values[0].item()} "
                      f"(eta2 {eta2:.2f})"
                      for arch, (seed, maps, eta2) in tables.tuning_examples.items())
    min_count = next((int(maps.attrs["min_count"]) for _, maps, _ in
                      tables.tuning_examples.values() if "min_count" in maps.attrs), None)
    blank = f"bins with fewer than {min_count} steps left blank; " if min_count else ""
    lines = ["## Spatial tuning of single units", "",
             "The paper's figure 5a-b: each unit's mean activity over the agent's position "
             f"({TUNING_BINS} x {TUNING_BINS} equal bins over the recorded range, {blank}"
             "`tuning_maps`). How much of a unit's variance "
             "its map explains is its correlation ratio eta2 = between-bin / total sum of "
             "squares (`tuning_strength`, navdecode's summary: the paper shows maps, not this "
             "number); 1 for a unit that is a function of position. Position and time in "
             "the trial go together (every trial starts at the origin), so this eta2 holds "
             "what time explains too. Means over seeds of "
             "the mean and the largest eta2 over each network's units:", "",
             "| arch | gain | mean eta2 over units | most tuned unit's eta2 |",
             "|---|---|---|---|"]
    for (arch, gain), r in means.iterrows():
        lines.append(f"| {arch} | {cond(gain)} | {_fmt(r['tuning_eta2'])} | "
                     f"{_fmt(r['tuning_eta2_max'])} |")
    if shown:
        lines += ["", f"The figures `tuning_<arch>` show each label's first network's most "
                      f"tuned unit at the first condition: {shown}."]
    return [*lines, ""]


def _observer_section(sessions: pd.DataFrame) -> list[str]:
    """Per arch and gain: the ideal observer against the agents' decoded positions."""
    if "observer_error_cm" not in sessions:
        return []
    cols = ["observer_error_cm", "decoding_error_cm", "decoded_to_belief_cm",
            "belief_decoding_cm"]
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
        lines.append(f"| {arch} | {gain:g}x | " + " | ".join(_fmt(r[c]) for c in cols) + " |")
    return [*lines, ""]
