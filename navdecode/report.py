"""The main job: bundled agents -> evaluate at 1x / 2x -> metrics, decoding, stats -> report."""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import torch
import xarray as xr
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from navdecode._io import atomic_write_text
from navdecode._validation import check_int, check_path
from navdecode.agents import ARCHITECTURES, Agent
from navdecode.controls import replay_actions
from navdecode.decoding import decode
from navdecode.metrics import roc_auc, session_metrics, trial_metrics
from navdecode.recording import check_recording
from navdecode.rollout import fixed_targets, run_agent

__all__ = ["make_report"]

COMPARED = {
    "reward_fraction": "reward fraction",
    "time_spent_h": "time spent (h)",
    "curvature": "curvature (1/cm)",
    "decoding_error_cm": "decoding error, grouped CV (cm)",
    "decoding_error_tutorial_cm": "decoding error, tutorial 70/30 split (cm)",
}
# Secondary behaviour metrics: how the agents move at each gain (the paper's over/undershoot
# analysis). They form a Holm family of their own, so adding them leaves the headline's
# p-values as they were.
BEHAVIOUR = {
    "traveled_slope": "traveled / target distance slope",
    "signed_error_cm": "signed radial error, + overshoot / - undershoot (cm)",
    "stop_error_cm": "stop error (cm)",
    "reward_rate": "reward rate (1/s)",
    "straightness": "straightness",
    "auc": "fraction-correct ROC AUC",
}


def _fmt(x: float, digits: int = 3) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:.{digits}g}"


def _agents_from_bundle() -> list[tuple[str, int, Agent]]:
    from navdecode.pretrained import list_pretrained, load_pretrained

    table = list_pretrained()
    if table.empty:
        msg = "no pretrained agents are bundled; train some (navdecode train / sweep, export)"
        raise ValueError(msg)
    return [(a, int(s), load_pretrained(a, int(s))) for a, s in zip(table["arch"], table["seed"],
                                                                   strict=True)]


def make_report(out_dir: str | Path, agents: list[tuple[str, int, Agent]] | None = None,
                n_trials: int = 1000, gains: tuple[float, ...] = (1.0, 2.0),
                progress: bool = True, n_threads: int = 1,
                recordings: list[xr.Dataset] | None = None) -> Path:
    """Evaluate, record and analyse agents; write figures, tables and ``report.md``.

    Every agent runs the same `n_trials` fixed targets at every gain (one batched
    rollout each). Per recording: behaviour metrics; position decoding from the LSTM
    units with trial-grouped 5-fold CV, the tutorial's and the paper's 70/30 splits;
    three controls decoded the same way (trial shuffle, step index alone, the untrained
    network fed the same inputs); cross-condition decoding (fit 1x, test 2x).
    Architectures are compared on one value per seed (`compare`, t and Welch intervals).

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
    recordings : list of xarray.Dataset or None, default=None
        Analyse these recordings instead of running agents (e.g. from `record`): each
        one's ``arch`` and ``seed`` attributes label it, its gain is its trials' gain
        (1 when it has none). They must hold what `trial_metrics` needs.
    n_threads : int, default=1
        CPU threads for torch and the BLAS/OpenMP libraries while the report runs (the
        previous settings are restored afterwards). One is fastest for these small
        batches: on this project's 2-core CPU with a training run on the other core,
        two threads made one 1000-trial rollout plus grouped decoding about 15 times
        slower (13.7 s against 0.9 s).

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
    mpl.use("Agg")
    out = check_path(out_dir, "out_dir")
    check_int(n_trials, "n_trials", minimum=10)
    check_int(n_threads, "n_threads", minimum=1)
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(limits=n_threads):
            return _write_report(out, agents, n_trials, gains, progress, recordings)
    finally:
        torch.set_num_threads(torch_threads)


def _jobs(agents: list | None, recordings: list | None, n_trials: int,
          gains: tuple[float, ...]) -> tuple[list, list, tuple[float, ...]]:
    """(label, seed, gain, agent or None, recording or None) for every analysed session."""
    if recordings is None:
        agents = _agents_from_bundle() if agents is None else agents
        return [(a, s, g, ag, None) for a, s, ag in agents for g in gains], agents, gains
    if not isinstance(recordings, (list, tuple)) or not recordings:
        msg = "recordings must be a non-empty list of recordings (xarray.Datasets)"
        raise ValueError(msg)
    jobs = []
    for ds in recordings:
        check_recording(ds, "trial_metrics", name="recordings[i]")
        gain = float(np.unique(ds["gain"].values)[0])
        jobs.append((str(ds.attrs.get("arch", "")), int(ds.attrs.get("seed", -1)), gain, None,
                     ds))
    used = tuple(dict.fromkeys(j[2] for j in jobs))
    return jobs, [], used


def _write_report(out: Path, agents: list[tuple[str, int, Agent]] | None, n_trials: int,
                  gains: tuple[float, ...], progress: bool,
                  given: list[xr.Dataset] | None = None) -> Path:
    import matplotlib.pyplot as plt

    from navdecode import plotting
    from navdecode.stats import compare, summarize

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    jobs, agents, gains = _jobs(agents, given, n_trials, gains)
    targets = fixed_targets(n_trials, seed=0)
    sessions, trials, decoding, over_time, step_errors, example = [], [], [], [], [], {}
    recordings = {}
    for arch, seed, gain, agent, given_ds in tqdm(jobs, desc="report", disable=not progress):
        ds = run_agent(agent, targets, gain=gain, seed=seed) if given_ds is None else given_ds
        recordings[(arch, seed, gain)] = ds
        key = {"arch": arch, "seed": seed, "gain": gain}
        trials.append(trial_metrics(ds).assign(**key))
        grouped = decode(ds)
        tutorial = decode(ds, protocol="tutorial")
        paper = decode(ds, protocol="paper")
        row = {**key, **session_metrics(ds).to_dict(),
               "decoding_error_cm": grouped.mean_error,
               "decoding_error_tutorial_cm": tutorial.mean_error,
               "decoding_error_paper_cm": paper.mean_error,
               "decoding_r2_x": grouped.r2["pos_x"], "decoding_r2_y": grouped.r2["pos_y"],
               "decoding_shuffle_cm": decode(ds, control="shuffle").mean_error,
               "decoding_time_only_cm": decode(ds, control="time").mean_error,
               "decoding_untrained_cm": decode(ds, control="untrained").mean_error
               if ds.attrs.get("arch") in ARCHITECTURES else np.nan}
        if gain != gains[0] and (arch, seed, gains[0]) in recordings:
            row["decoding_cross_cm"] = decode(recordings[(arch, seed, gains[0])],
                                              test_ds=ds).mean_error
        row["auc"] = roc_auc(ds, seed=0)[0]
        row |= _observer_columns(ds, grouped)
        if gain != gains[0] and (arch, seed, gains[0]) in recordings:
            replay = replay_actions(recordings[(arch, seed, gains[0])], gain=gain, noise=True,
                                    seed=seed if isinstance(seed, int) and seed >= 0 else 0)
            replayed = session_metrics(replay)
            row["replay_reward_fraction"] = replayed["reward_fraction"]
            row["replay_traveled_slope"] = replayed["traveled_slope"]
        sessions.append(row)
        over_time.append(grouped.error_by_step().assign(label=f"{arch} {gain:g}x", **key))
        err = grouped.error.values.ravel()
        step_errors.append(pd.DataFrame({"decoding_error_cm": err[np.isfinite(err)], **key}))
        decoding.append(grouped.scores.assign(**key, protocol="grouped"))
        decoding.append(tutorial.scores.assign(**key, protocol="tutorial"))
        decoding.append(paper.scores.assign(**key, protocol="paper"))
        example.setdefault((arch, gain), ds)

    perturbed = _perturbation_sessions(jobs, gains[0], targets, progress)
    sessions_df = pd.DataFrame(sessions)
    trials_df = pd.concat(trials, ignore_index=True)
    steps_df = pd.concat(over_time, ignore_index=True)
    sessions_df.to_csv(out / "sessions.csv", index=False)
    trials_df.to_csv(out / "trials.csv", index=False)
    pd.concat(decoding, ignore_index=True).to_csv(out / "decoding_folds.csv", index=False)

    # statistics: modular vs holistic at each gain, one value per seed
    comparisons = []
    n_per_arch = sessions_df.groupby("arch")["seed"].nunique()
    testable = len(n_per_arch) == 2 and n_per_arch.min() >= 2
    pair = _pair(list(n_per_arch.index))
    if testable:
        for gain in gains:
            at_gain = sessions_df[sessions_df["gain"] == gain]
            for family, metrics in (("headline", COMPARED), ("behaviour", BEHAVIOUR)):
                cmp = compare(at_gain, list(metrics), groups=pair)
                comparisons.append(cmp.assign(gain=gain, family=family))
    comparisons_df = pd.concat(comparisons, ignore_index=True) if comparisons else pd.DataFrame()
    comparisons_df.to_csv(out / "comparisons.csv", index=False)
    summary_df = summarize(sessions_df, [*COMPARED, *BEHAVIOUR], by=["arch", "gain"])
    summary_df.to_csv(out / "summary.csv", index=False)

    # figures
    figures = {}

    def save(name: str, draw) -> None:
        fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
        draw(ax)
        fig.savefig(out / f"{name}.png", dpi=110)
        plt.close(fig)
        figures[name] = f"{name}.png"

    first = next(iter(example.values()))
    save("single_trial", lambda ax: plotting.plot_trial(first, int(np.argmax(
        first.rewarded.values)), ax=ax))
    for (arch, gain), ds in example.items():
        save(f"trajectories_{arch}_{gain:g}x",
             lambda ax, d=ds: plotting.plot_trajectories(d, ax=ax))
    save("reward_fraction", lambda ax: plotting.plot_reward_fraction(sessions_df, ax=ax))
    save("time_spent", lambda ax: plotting.plot_time_spent(sessions_df, ax=ax))
    save("traveled_vs_target_1x", lambda ax: plotting.plot_traveled_vs_target(
        trials_df[trials_df["gain"] == gains[0]], ax=ax))
    if len(gains) > 1:
        save(f"traveled_vs_target_{gains[1]:g}x", lambda ax: plotting.plot_traveled_vs_target(
            trials_df[trials_df["gain"] == gains[1]], ax=ax))
    errors_df = pd.concat(step_errors, ignore_index=True)
    save("decoding_error", lambda ax: plotting.plot_decoding_error(errors_df, ax=ax))
    mean_steps = steps_df.groupby(["label", "step"], as_index=False)[["mean_error", "sem"]].mean()
    save("decoding_over_time", lambda ax: plotting.plot_decoding_over_time(
        mean_steps[mean_steps["step"] < 25], ax=ax))
    save("curvature", lambda ax: plotting.plot_curvature(trials_df, ax=ax))
    curves = _training_curves(agents)
    if not curves.empty:
        save("training_curves", lambda ax: plotting.plot_training_curves(curves, ax=ax))

    elapsed = time.perf_counter() - start
    n_shown = n_trials if given is None else int(np.median([d.sizes["trial"] for d in given]))
    similarity = _similarity_section(recordings, gains[0], out)
    similarity = _perturbation_section(perturbed, out) + similarity
    text = _markdown(summary_df, sessions_df, comparisons_df, figures, agents, n_shown, gains,
                     elapsed, testable, len(jobs) // max(len(gains), 1), similarity)
    atomic_write_text(out / "report.md", text)
    return out / "report.md"


def _training_curves(agents: list[tuple[str, int, Agent]]) -> pd.DataFrame:
    from navdecode.pretrained import PRETRAINED_DIR

    frames = []
    for arch, seed, _ in agents:
        path = PRETRAINED_DIR / f"{arch}-seed{seed}-curve.csv"
        if path.exists():
            frames.append(pd.read_csv(path).assign(arch=arch, seed=seed))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _markdown(summary: pd.DataFrame, sessions: pd.DataFrame, comparisons: pd.DataFrame,
              figures: dict[str, str],
              agents: list[tuple[str, int, Agent]], n_trials: int, gains: tuple[float, ...],
              elapsed: float, testable: bool, n_agents: int, similarity: list[str]) -> str:
    labels = sorted(sessions["arch"].unique())
    lines = ["# navdecode report", "",
             f"{n_agents} agents ({', '.join(labels)}), "
             f"{n_trials} fixed targets, gains {', '.join(f'{g:g}x' for g in gains)}; "
             f"written in {elapsed:.0f} s.", ""]
    status = []
    for arch, seed, agent in agents:
        meta = getattr(agent, "metadata", {})
        status.append(f"| {arch} | {seed} | {meta.get('checkpoint_trial', '')} | "
                      f"{meta.get('phase1_trials', '')} | {meta.get('training_finished', '')} |")
    if status:
        lines += ["## Agents", "", "| arch | seed | checkpoint trial | phase I trials | "
                  "training finished |", "|---|---|---|---|---|", *status, ""]
    lines += ["## Headline (one value per seed; mean [t 95% CI over seeds])", "",
              *_summary_table(summary, COMPARED), "",
              "A CI needs at least 2 seeds; an architecture with one seed shows its value "
              "alone."]
    lines += ["", _belief_sentence(sessions), ""]
    lines += _replay_section(sessions, gains)
    lines += _observer_section(sessions)
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
        lines += ["Statistical tests need at least 2 seeds of each architecture; "
                  "they are skipped here.", ""]
    lines += ["## Behaviour at each gain (secondary metrics)", "",
              "Traveled / target distance slope: zero-intercept regression of the stop's "
              "distance from the start on the target's (1 = on target on average; above 1 = "
              "overshooting, what an agent that does not adapt to a larger joystick gain "
              "does). Signed radial error: the paper's stop-to-target distance, negative when "
              "the circular arc from the start to the stop is shorter than the arc to the "
              "target (undershoot), averaged over trials.", "",
              *_summary_table(summary, BEHAVIOUR), ""]
    if testable:
        lines += [f"{pair[0]} vs {pair[1]} on these metrics, with a Holm family of their own "
                  "(the headline's p-values above do not change with them):", "",
                  *_comparison_table(comparisons[comparisons["family"] == "behaviour"],
                                     BEHAVIOUR), ""]
    lines += ["## Decoding protocols and controls side by side", "",
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
              "| arch | seed | gain | grouped | tutorial | paper | shuffle | time only | "
              "untrained | cross |", "|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in sessions.iterrows():
        cells = [_fmt(r.get(c, np.nan)) for c in (
            "decoding_error_cm", "decoding_error_tutorial_cm", "decoding_error_paper_cm",
            "decoding_shuffle_cm", "decoding_time_only_cm", "decoding_untrained_cm",
            "decoding_cross_cm")]
        lines.append(f"| {r['arch']} | {r['seed']} | {r['gain']:g}x | " + " | ".join(cells) + " |")
    lines += ["", *similarity, "## Figures", ""]
    lines += [f"![{name}]({path})" for name, path in figures.items()]
    return "\n".join(lines) + "\n"


def _summary_table(summary: pd.DataFrame, metrics: dict[str, str]) -> list[str]:
    """Markdown rows: per (arch, gain), each metric's mean [bootstrap CI over seeds]."""
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


def _pair(labels: list[str]) -> tuple[str, str] | None:
    """The two compared labels: modular first when the pair is the paper's, else sorted."""
    if len(labels) != 2:
        return None
    return ("modular", "holistic") if set(labels) == {"modular", "holistic"} else tuple(
        sorted(labels))


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


def _similarity_section(recordings: dict, gain: float, out: Path) -> list[str]:
    """Linear CKA between every pair of networks at one gain; within vs between archs."""
    from navdecode.similarity import similarity_matrix, within_between

    keys = [k for k in recordings if k[2] == gain]
    if len(keys) < 3 or len({k[0] for k in keys}) < 2:
        return []
    matrix = similarity_matrix([recordings[k] for k in keys],
                               labels=[(k[0], k[1]) for k in keys])
    matrix.to_csv(out / "cka.csv")
    table = within_between(matrix).groupby("arch")[["within", "between"]].agg(["mean", "count"])
    lines = ["## Representational similarity", "",
             f"Linear CKA between the LSTM units of every pair of networks on the same "
             f"{gain:g}x trials (`cka.csv`). Per network, the mean CKA with the other networks "
             "of its architecture (within) and with the other architecture's (between), "
             "averaged over networks; descriptive only, since the pairs share networks.", "",
             "| arch | networks | within | between |", "|---|---|---|---|"]
    for arch, r in table.iterrows():
        lines.append(f"| {arch} | {int(r[('within', 'count')])} | "
                     f"{_fmt(r[('within', 'mean')])} | {_fmt(r[('between', 'mean')])} |")
    return [*lines, ""]


PERTURBED = {"reward_fraction": "reward fraction", "auc": "fraction-correct ROC AUC",
             "decoding_error_cm": "decoding error, grouped CV (cm)"}


def _perturbation_sessions(jobs: list, gain: float, targets: np.ndarray,
                           progress: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every run agent on the paper's perturbation task at the first gain: sessions, bins."""
    from navdecode.config import TaskConfig
    from navdecode.metrics import perturbation_metrics

    rows, bins = [], []
    agents = [(a, s, ag) for a, s, g, ag, _ in jobs if ag is not None and g == gain]
    for arch, seed, agent in tqdm(agents, desc="perturbation", disable=not progress):
        ds = run_agent(agent, targets, gain=gain, seed=seed,
                       config=TaskConfig.perturbation_task())
        summary = session_metrics(ds)
        rows.append({"arch": arch, "seed": seed, "reward_fraction": summary["reward_fraction"],
                     "auc": roc_auc(ds, seed=0)[0],
                     "decoding_error_cm": decode(ds).mean_error})
        bins.append(perturbation_metrics(ds).assign(arch=arch, seed=seed))
    if not rows:
        return pd.DataFrame(), pd.DataFrame()
    return pd.DataFrame(rows), pd.concat(bins, ignore_index=True)


def _perturbation_section(perturbed: tuple[pd.DataFrame, pd.DataFrame], out: Path) -> list[str]:
    """The perturbation task: per arch and perturbation size, and a Holm family of tests."""
    from navdecode.stats import compare, summarize

    sessions, bins = perturbed
    if sessions.empty:
        return []
    sessions.to_csv(out / "perturbation_sessions.csv", index=False)
    bins.to_csv(out / "perturbation_bins.csv", index=False)
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
    counts = sessions.groupby("arch")["seed"].nunique()
    if len(counts) == 2 and counts.min() >= 2:
        cmp = compare(sessions, list(PERTURBED), groups=_pair(list(counts.index)))
        cmp.assign(family="perturbation").to_csv(out / "perturbation_comparisons.csv",
                                                 index=False)
        lines += ["", "A Holm family of its own (the headline's p-values do not change):", "",
                  *_comparison_table(cmp.assign(gain=1.0), PERTURBED)]
    return [*lines, ""]


def _observer_columns(ds: xr.Dataset, grouped: object) -> dict[str, float]:
    """The ideal observer's error, the decoded position's distance to its belief, and how
    well the belief itself is decoded from the units (grouped CV)."""
    from navdecode.observer import ideal_observer

    belief = ideal_observer(ds)
    pred = grouped.predicted
    apart = np.hypot(pred["pos_x"].values - belief["belief_x"].values,
                     pred["pos_y"].values - belief["belief_y"].values)
    with_belief = ds.assign(belief_x=belief["belief_x"], belief_y=belief["belief_y"])
    return {"observer_error_cm": float(np.nanmean(belief["observer_error"].values)),
            "decoded_to_belief_cm": float(np.nanmean(apart)),
            "belief_decoding_cm": decode(with_belief, ("belief_x", "belief_y")).mean_error}


def _observer_section(sessions: pd.DataFrame) -> list[str]:
    """Per arch and gain: the ideal observer against the agents' decoded positions."""
    if "observer_error_cm" not in sessions:
        return []
    cols = ["observer_error_cm", "decoding_error_cm", "decoded_to_belief_cm",
            "belief_decoding_cm"]
    means = sessions.groupby(["arch", "gain"])[cols].mean()
    lines = ["## Ideal observer", "",
             "An extended Kalman filter that knows the task's dynamics, gain and noises and "
             "sees the agent's observations and actions (`navdecode.observer`). Means over "
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
