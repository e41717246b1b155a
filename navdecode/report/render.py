"""The report's rendering half: figures, tables and ``report.md`` from `ReportTables`.

`make_report` = `compute_report` (navdecode.report.tables) then `render_report`. Figures
are drawn on `matplotlib.figure.Figure` objects: the library never changes matplotlib's
global backend or pyplot state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import xarray as xr
from threadpoolctl import threadpool_limits

from navdecode._io import atomic_write_text
from navdecode._validation import check_int, check_path
from navdecode.agents.networks import Agent
from navdecode.report.tables import (
    ANALYSES,
    BEHAVIOUR,
    COMPARED,
    PERTURBED,
    ReportTables,
    compute_report,
)

__all__ = ["make_report", "render_report"]


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.{digits}g}"


def make_report(out_dir: str | Path, agents: list[tuple[str, int, Agent]] | None = None,
                n_trials: int = 1000, gains: tuple[float, ...] = (1.0, 2.0),
                progress: bool = True, n_threads: int = 1,
                recordings: list[xr.Dataset] | None = None,
                analyses: Sequence[str] = ANALYSES) -> Path:
    """Evaluate, record and analyse agents; write figures, tables and ``report.md``.

    Every agent runs the same `n_trials` fixed targets at every gain (one batched
    rollout each). Per recording: behaviour metrics as the paper defines them; position
    decoding from the LSTM units with trial-grouped 5-fold CV, the tutorial's and the
    paper's 70/30 splits; cross-condition decoding (fit 1x, test 2x); and the chosen
    `analyses` (`navdecode.report.tables.ANALYSES`). Architectures are compared on one
    value per seed (`compare`, t and Welch intervals, Holm within each family).

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Output folder (created): ``report.md``, ``*.png``, ``*.csv``.
    agents : list of (label, seed, Agent) or None, default=None
        The agents, with any labels (two labels with 2+ seeds each are compared); the
        bundled pretrained ones when None and no `recordings` are given.
    n_trials : int, default=1000
        Fixed targets per condition.
    gains : tuple of float, default=(1.0, 2.0)
        Joystick gains to evaluate.
    progress : bool, default=True
        Show a progress bar.
    n_threads : int, default=1
        CPU threads for torch and the BLAS/OpenMP libraries while the report runs (the
        previous settings are restored afterwards). One is fastest for these small
        batches: on this project's 2-core CPU with a training run on the other core,
        two threads made one 1000-trial rollout plus grouped decoding about 15 times
        slower (13.7 s against 0.9 s).
    recordings : list of xarray.Dataset or None, default=None
        Analyse these recordings instead of running agents (e.g. from `record`): each
        one's ``arch`` and ``seed`` attributes label it, its gain is its trials' gain.
        They must hold what `trial_metrics` needs.
    analyses : sequence of str, default=ANALYSES
        Optional sections: ``"controls"``, ``"replay"``, ``"observer"``,
        ``"perturbation"``, ``"similarity"``.

    Returns
    -------
    path : pathlib.Path
        The written ``report.md``.

    Examples
    --------
    >>> from navdecode import make_report
    >>> make_report("report/")  # doctest: +SKIP
    PosixPath('report/report.md')
    """
    out = check_path(out_dir, "out_dir")
    check_int(n_trials, "n_trials", minimum=10)
    check_int(n_threads, "n_threads", minimum=1)
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(limits=n_threads):
            tables = compute_report(agents, recordings, n_trials=n_trials, gains=gains,
                                    analyses=analyses, progress=progress)
            return render_report(tables, out)
    finally:
        torch.set_num_threads(torch_threads)


def render_report(tables: ReportTables, out_dir: str | Path) -> Path:
    """Write the tables as CSV, draw the figures and write ``report.md``.

    Parameters
    ----------
    tables : ReportTables
        From `navdecode.report.tables.compute_report`.
    out_dir : str or pathlib.Path
        Output folder (created).

    Returns
    -------
    path : pathlib.Path
        The written ``report.md``.

    Examples
    --------
    >>> from navdecode import make_agent
    >>> from navdecode.report.render import render_report
    >>> from navdecode.report.tables import compute_report
    >>> agents = [("modular", 0, make_agent("modular", seed=0))]
    >>> tables = compute_report(agents, n_trials=20, gains=(1.0,), analyses=(), progress=False)
    >>> render_report(tables, "report/")  # doctest: +SKIP
    PosixPath('report/report.md')
    """
    out = check_path(out_dir, "out_dir")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("sessions", "trials", "comparisons", "summary", "perturbation",
                 "perturbation_bins", "perturbation_comparisons"):
        frame = getattr(tables, name)
        if not frame.empty or name in ("sessions", "trials", "comparisons", "summary"):
            frame.to_csv(out / f"{name}.csv", index=False)
    tables.folds.to_csv(out / "decoding_folds.csv", index=False)
    if not tables.cka.empty:
        tables.cka.to_csv(out / "cka.csv")
    figures = _figures(tables, out)
    atomic_write_text(out / "report.md", _markdown(tables, figures))
    return out / "report.md"


def _figures(tables: ReportTables, out: Path) -> dict[str, str]:
    """Draw every figure on its own `Figure` (no pyplot state, no backend change)."""
    from matplotlib.figure import Figure

    from navdecode.plotting import behaviour as plotting

    figures: dict[str, str] = {}

    def save(name: str, draw: Callable) -> None:
        fig = Figure(figsize=(5, 4), layout="constrained")
        draw(fig.subplots())
        fig.savefig(out / f"{name}.png", dpi=110)
        figures[name] = f"{name}.png"

    sessions, trials, gains = tables.sessions, tables.trials, tables.gains
    first = next(iter(tables.examples.values()))
    save("single_trial", lambda ax: plotting.plot_trial(first, int(np.argmax(
        first.rewarded.values)), ax=ax))
    for (arch, gain), ds in tables.examples.items():
        save(f"trajectories_{arch}_{gain:g}x",
             lambda ax, d=ds: plotting.plot_trajectories(d, ax=ax))
    save("reward_fraction", lambda ax: plotting.plot_reward_fraction(sessions, ax=ax))
    save("time_spent", lambda ax: plotting.plot_time_spent(sessions, ax=ax))
    for gain in gains[:2]:
        save(f"traveled_vs_target_{gain:g}x", lambda ax, g=gain: plotting.plot_traveled_vs_target(
            trials[trials["gain"] == g], ax=ax))
    save("decoding_error", lambda ax: plotting.plot_decoding_error(tables.step_errors, ax=ax))
    mean_steps = tables.steps.groupby(["label", "step"], as_index=False).agg(
        mean_error=("mean_error", "mean"), sem=("sem", "mean"), n=("n", "sum"))
    save("decoding_over_time", lambda ax: plotting.plot_decoding_over_time(
        mean_steps[mean_steps["step"] < 25], ax=ax))
    save("curvature", lambda ax: plotting.plot_curvature(trials, ax=ax))
    from navdecode.plotting import representations as beyond

    save("roc_curves", lambda ax: beyond.plot_roc_curves(tables.examples, ax=ax))
    if "decoding_untrained_cm" in sessions:
        save("decoding_controls", lambda ax: beyond.plot_decoding_controls(sessions, ax=ax))
    if "replay_traveled_slope" in sessions:
        save("no_adaptation", lambda ax: beyond.plot_no_adaptation(sessions, ax=ax))
    if "observer_error_cm" in sessions:
        save("ideal_observer", lambda ax: beyond.plot_observer_errors(sessions, ax=ax))
    if not tables.perturbation_bins.empty:
        for value in ("reward_fraction", "decoding_error_cm"):
            save(f"perturbation_{value}", lambda ax, v=value: beyond.plot_perturbation(
                tables.perturbation_bins, v, ax=ax))
    if not tables.cka.empty:
        save("cka", lambda ax: beyond.plot_similarity_matrix(tables.cka, ax=ax))
    curves = _training_curves(tables.agents)
    if not curves.empty:
        save("training_curves", lambda ax: plotting.plot_training_curves(curves, ax=ax))
    return figures


def _training_curves(agents: list[tuple[str, int, Agent]]) -> pd.DataFrame:
    from navdecode.pretrained.bundle import PRETRAINED_DIR

    frames = []
    for arch, seed, _ in agents:
        path = PRETRAINED_DIR / f"{arch}-seed{seed}-curve.csv"
        if path.exists():
            frames.append(pd.read_csv(path).assign(arch=arch, seed=seed))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _markdown(tables: ReportTables, figures: dict[str, str]) -> str:
    sessions, summary, comparisons = tables.sessions, tables.summary, tables.comparisons
    gains = tables.gains
    labels = sorted(sessions["arch"].unique())
    n_agents = sessions.groupby(["arch", "seed"]).ngroups
    lines = ["# navdecode report", "",
             f"{n_agents} agents ({', '.join(labels)}), "
             f"{tables.n_trials} fixed targets, gains {', '.join(f'{g:g}x' for g in gains)}; "
             f"computed in {tables.elapsed_s:.0f} s.", ""]
    status = []
    for arch, seed, agent in tables.agents:
        meta = getattr(agent, "metadata", {})
        status.append(f"| {arch} | {seed} | {meta.get('checkpoint_trial', '')} | "
                      f"{meta.get('phase1_trials', '')} | {meta.get('training_finished', '')} |")
    if status:
        lines += ["## Agents", "", "| arch | seed | checkpoint trial | phase I trials | "
                  "training finished |", "|---|---|---|---|---|", *status, ""]
    lines += ["## Headline (one value per seed; mean [t 95% CI over seeds])", "",
              *_summary_table(summary, COMPARED), "",
              "A CI needs at least 2 seeds; an architecture with one seed shows its value "
              "alone.", ""]
    if "decoding_untrained_cm" in sessions:
        lines += [_belief_sentence(sessions), ""]
    testable = tables.testable
    if testable:
        headline = comparisons[comparisons["family"] == "headline"]
        pair = (comparisons["group_a"].iloc[0], comparisons["group_b"].iloc[0])
        lines += [f"## {pair[0][:1].upper()}{pair[0][1:]} vs {pair[1]}", "",
                  "Exact permutation and Mann-Whitney tests on one value per seed; Holm's "
                  "correction runs across the metrics of this table at each gain. The 95% CI "
                  "of the difference is Welch's (simulated coverage in the statistics guide).",
                  _significance(headline, COMPARED), "",
                  *_comparison_table(headline, COMPARED), ""]
    else:
        lines += ["Statistical tests need at least 2 seeds of each of two labels; "
                  "they are skipped here.", ""]
    lines += ["## Behaviour at each gain (secondary metrics)", "",
              "Traveled / target distance slope: zero-intercept regression of the stop's "
              "distance from the start on the target's (1 = on target on average; above 1 = "
              "overshooting, what an agent that does not adapt to a larger joystick gain "
              "does). Signed radial error: the paper's stop-to-target distance, negative when "
              "the circular arc from the start to the stop is shorter than the arc to the "
              "target (undershoot), averaged over trials. AUC: the fraction-correct curve's "
              "area (0.5 ignores the target, 1 always ends closest to its own).", "",
              *_summary_table(summary, BEHAVIOUR), ""]
    if testable:
        lines += [f"{pair[0]} vs {pair[1]} on these metrics, with a Holm family of their own "
                  "(the headline's p-values above do not change with them):", "",
                  *_comparison_table(comparisons[comparisons["family"] == "behaviour"],
                                     BEHAVIOUR), ""]
    lines += _replay_section(sessions, gains)
    lines += _decoding_section(sessions)
    lines += _observer_section(sessions)
    lines += _perturbation_section(tables)
    lines += _similarity_section(tables)
    lines += ["## Figures", "", *(f"![{name}]({path})" for name, path in figures.items())]
    return "\n".join(lines) + "\n"


def _decoding_section(sessions: pd.DataFrame) -> list[str]:
    """Every session's decoding error under each protocol and control."""
    columns = {"decoding_error_cm": "grouped", "decoding_error_tutorial_cm": "tutorial",
               "decoding_error_paper_cm": "paper", "decoding_shuffle_cm": "shuffle",
               "decoding_time_only_cm": "time only", "decoding_untrained_cm": "untrained",
               "decoding_cross_cm": "cross"}
    shown = {c: n for c, n in columns.items() if c in sessions}
    lines = ["## Decoding protocols and controls side by side", "",
             "Position (x, y) decoded from the LSTM units, mean Euclidean error (cm). "
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
        lines.append(f"| {r['arch']} | {r['seed']} | {r['gain']:g}x | " + " | ".join(cells) + " |")
    return [*lines, ""]


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
        cells = []
        for metric in PERTURBED:
            r = summary.loc[(arch, metric)]
            ci = f" [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]" if r["n"] >= 2 else ""
            cells.append(_fmt(r["mean"]) + ci)
        n = int(summary.loc[(arch, "reward_fraction"), "n"])
        lines.append(f"| {arch} | {n} | " + " | ".join(cells) + " |")
    by_size = bins.pivot_table(index=["bin_low", "bin_high"], columns="arch",
                               values="reward_fraction", aggfunc="mean")
    lines += ["", "Reward fraction by the size of the linear perturbation peak (mean over "
              "seeds; `perturbation_bins.csv` per seed):", "",
              "| peak linear perturbation (cm/s) | " + " | ".join(by_size.columns) + " |",
              "|" + "---|" * (1 + len(by_size.columns))]
    for (low, high), r in by_size.iterrows():
        lines.append(f"| {low:g}-{high:g} | " + " | ".join(_fmt(v) for v in r) + " |")
    if "observer_error_cm" in sessions:
        means = sessions.groupby("arch")[["observer_error_cm", "decoding_error_cm",
                                          "decoded_to_belief_cm", "belief_decoding_cm"]].mean()
        lines += ["", "The ideal observer under perturbation (it does not know the bump; means "
                  "over seeds, cm):", "", "| arch | ideal observer error | agent decoding "
                  "error | decoded to belief | belief decoding error |", "|---|---|---|---|---|"]
        lines += [f"| {arch} | " + " | ".join(_fmt(v) for v in r) + " |"
                  for arch, r in means.iterrows()]
    if not tables.perturbation_comparisons.empty:
        lines += ["", "A Holm family of its own (the headline's p-values do not change):", "",
                  *_comparison_table(tables.perturbation_comparisons, PERTURBED)]
    return [*lines, ""]


def _similarity_section(tables: ReportTables) -> list[str]:
    """Linear CKA between every pair of networks at one gain; within vs between archs."""
    from navdecode.analysis.similarity import within_between

    if tables.cka.empty:
        return []
    table = within_between(tables.cka).groupby("arch")[["within", "between"]].agg(
        ["mean", "count"])
    lines = ["## Representational similarity", "",
             f"Linear CKA between the LSTM units of every pair of networks on the same "
             f"{tables.gains[0]:g}x trials (`cka.csv`). Per network, the mean CKA with the "
             "other networks of its architecture (within) and with the other architecture's "
             "(between), averaged over networks; descriptive only, since the pairs share "
             "networks.", "", "| arch | networks | within | between |", "|---|---|---|---|"]
    for arch, r in table.iterrows():
        lines.append(f"| {arch} | {int(r[('within', 'count')])} | "
                     f"{_fmt(r[('within', 'mean')])} | {_fmt(r[('between', 'mean')])} |")
    return [*lines, ""]


def _summary_table(summary: pd.DataFrame, metrics: dict[str, str]) -> list[str]:
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
        lines.append(f"| {arch} | {gain:g}x | {int(by_metric['n'].max())} | "
                     + " | ".join(cells) + " |")
    return lines


def _comparison_table(comparisons: pd.DataFrame, metrics: dict[str, str]) -> list[str]:
    """Markdown rows: a - b per (gain, metric) with CI, effect size and p."""
    a, b = comparisons["group_a"].iloc[0], comparisons["group_b"].iloc[0]
    lines = [f"| gain | metric | {a} - {b} | 95% CI | Hedges g | permutation p | "
             "Holm p | Mann-Whitney p |", "|---|---|---|---|---|---|---|---|"]
    for _, c in comparisons.iterrows():
        lines.append(f"| {c['gain']:g}x | {metrics[c['metric']]} | {_fmt(c['diff'])} | "
                     f"[{_fmt(c['diff_ci_low'])}, {_fmt(c['diff_ci_high'])}] | "
                     f"{_fmt(c['hedges_g'])} | {_fmt(c['permutation_p'])} | "
                     f"{_fmt(c['p_holm'])} | {_fmt(c['mannwhitney_p'])} |")
    return lines


def _significance(comparisons: pd.DataFrame, metrics: dict[str, str]) -> str:
    """One sentence: which comparisons survive Holm at 0.05, and the smallest p possible."""
    from math import comb

    hits = comparisons[comparisons["p_holm"] < 0.05]
    named = "; ".join(f"{metrics[c['metric']]} at {c['gain']:g}x (Holm p {_fmt(c['p_holm'])})"
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


def _belief_sentence(sessions: pd.DataFrame) -> str:
    """Agent vs untrained network vs step index alone, mean over seeds per arch and gain."""
    means = sessions.groupby(["arch", "gain"])[["decoding_error_cm", "decoding_untrained_cm",
                                                "decoding_time_only_cm"]].mean()
    parts = [f"{arch} {gain:g}x: agent {_fmt(r['decoding_error_cm'])} cm, untrained "
             f"{_fmt(r['decoding_untrained_cm'])} cm, step index alone "
             f"{_fmt(r['decoding_time_only_cm'])} cm" for (arch, gain), r in means.iterrows()]
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
