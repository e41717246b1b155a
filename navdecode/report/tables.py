"""The report's computing half: tidy tables for any agents or recordings, any labels.

`compute_report` runs (or takes) recordings and returns a `ReportTables` of pandas tables;
`navdecode.report.render.render_report` draws and writes them. Nothing here touches a file.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from tqdm.auto import tqdm

from navdecode._validation import check_int
from navdecode.agents.networks import ARCHITECTURES, Agent
from navdecode.analysis.controls import replay_actions
from navdecode.analysis.decoding import decode
from navdecode.analysis.metrics import roc_auc, session_metrics, trial_metrics
from navdecode.recording.rollout import fixed_targets, run_agent
from navdecode.recording.schema import check_recording

__all__ = ["ANALYSES", "ReportTables", "compute_report"]

ANALYSES = ("controls", "replay", "observer", "perturbation", "similarity")
"""Optional report sections; the gain task (behaviour, decoding, statistics) always runs."""

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
PERTURBED = {"reward_fraction": "reward fraction", "auc": "fraction-correct ROC AUC",
             "decoding_error_cm": "decoding error, grouped CV (cm)"}


@dataclass
class ReportTables:
    """Everything the report shows, as tables (one row per session, trial, fold...).

    Attributes
    ----------
    sessions : pandas.DataFrame
        One row per (arch, seed, gain): behaviour, decoding, controls, observer, replay.
    trials : pandas.DataFrame
        `trial_metrics` rows with arch, seed, gain.
    folds : pandas.DataFrame
        Decoding scores per fold and protocol.
    steps : pandas.DataFrame
        Decoding error by time step (mean, SEM, n) per session.
    step_errors : pandas.DataFrame
        Every held-out step's decoding error (for the violins).
    comparisons : pandas.DataFrame
        `compare` rows with ``gain`` and ``family`` (empty without two testable labels); with
        three or more labels, `compare`'s k-group rows (``comparison``: omnibus, group,
        pair).
    summary : pandas.DataFrame
        `summarize` rows per (arch, gain, metric).
    perturbation, perturbation_bins, perturbation_comparisons : pandas.DataFrame
        The perturbation task (empty when not run).
    cka : pandas.DataFrame
        Linear CKA between every pair of networks at the first gain (empty when not run).
    examples : dict
        One recording per (arch, gain), for the figures.
    agents : list of (arch, seed, Agent)
        The agents that were run (empty for recordings).
    n_trials : int
    gains : tuple of float
    analyses : tuple of str
    elapsed_s : float
    """

    sessions: pd.DataFrame
    trials: pd.DataFrame
    folds: pd.DataFrame
    steps: pd.DataFrame
    step_errors: pd.DataFrame
    comparisons: pd.DataFrame
    summary: pd.DataFrame
    perturbation: pd.DataFrame = field(default_factory=pd.DataFrame)
    perturbation_bins: pd.DataFrame = field(default_factory=pd.DataFrame)
    perturbation_comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    cka: pd.DataFrame = field(default_factory=pd.DataFrame)
    examples: dict = field(default_factory=dict)
    agents: list = field(default_factory=list)
    n_trials: int = 0
    gains: tuple[float, ...] = ()
    analyses: tuple[str, ...] = ()
    elapsed_s: float = 0.0

    @property
    def testable(self) -> bool:
        """Whether two or more labels with at least 2 seeds each were compared."""
        return not self.comparisons.empty


def _agents_from_bundle() -> list[tuple[str, int, Agent]]:
    from navdecode.pretrained.bundle import list_pretrained, load_pretrained

    table = list_pretrained()
    if table.empty:
        msg = "no pretrained agents are bundled; train some (navdecode train / sweep, export)"
        raise ValueError(msg)
    return [(a, int(s), load_pretrained(a, int(s))) for a, s in zip(table["arch"], table["seed"],
                                                                   strict=True)]


def _jobs(agents: list | None, recordings: list | None,
          gains: tuple[float, ...]) -> tuple[list, list, tuple[float, ...]]:
    """(label, seed, gain, agent or None, recording or None) for every analysed session."""
    if recordings is None:
        agents = _agents_from_bundle() if agents is None else agents
        return [(a, s, g, ag, None) for a, s, ag in agents for g in gains], agents, gains
    if not isinstance(recordings, (list, tuple)) or not recordings:
        msg = "recordings must be a non-empty list of recordings (xarray.Datasets)"
        raise ValueError(msg)
    from navdecode.recording.identity import recording_identity

    jobs, agent_numbers = [], {}
    for i, ds in enumerate(recordings):
        check_recording(ds, "trial_metrics", name=f"recordings[{i}]")
        gain = float(np.unique(ds["gain"].values)[0])
        who = recording_identity(ds, name=f"recordings[{i}]")
        # the statistics' unit is the network: its seed, or a number per agent id
        known = agent_numbers.setdefault(who["label"], {})
        seed = who["agent_seed"] if who["agent_seed"] >= 0 else known.setdefault(
            who["agent"], -1 - len(known))
        jobs.append((who["label"], seed, gain, None, ds))
    return jobs, [], tuple(dict.fromkeys(j[2] for j in jobs))


def pair_of(labels: list[str]) -> tuple[str, str] | None:
    """The two compared labels: modular first when the pair is the paper's, else sorted."""
    if len(labels) != 2:
        return None
    return ("modular", "holistic") if set(labels) == {"modular", "holistic"} else tuple(
        sorted(labels))


def compute_report(agents: list[tuple[str, int, Agent]] | None = None,
                   recordings: list[xr.Dataset] | None = None, n_trials: int = 1000,
                   gains: tuple[float, ...] = (1.0, 2.0),
                   analyses: Sequence[str] = ANALYSES, progress: bool = True) -> ReportTables:
    """Evaluate (or take) recordings and compute every table of the report.

    Parameters
    ----------
    agents : list of (label, seed, Agent) or None, default=None
        Agents to run on the same `n_trials` fixed targets at every gain; the bundled
        ones when None and no `recordings` are given.
    recordings : list of xarray.Dataset or None, default=None
        Recordings to analyse instead (labelled by their ``arch`` and ``seed``
        attributes; each one's gain is its trials' gain).
    n_trials : int, default=1000
        Fixed targets per condition.
    gains : tuple of float, default=(1.0, 2.0)
        Joystick gains.
    analyses : sequence of str, default=ANALYSES
        Optional sections: ``"controls"`` (trial shuffle, step index, untrained network),
        ``"replay"`` (the no-adaptation control), ``"observer"`` (the ideal observer),
        ``"perturbation"`` (the perturbation task; run agents only), ``"similarity"``
        (CKA across networks).
    progress : bool, default=True
        Show progress bars.

    Returns
    -------
    tables : ReportTables

    Examples
    --------
    >>> from navdecode import make_agent
    >>> from navdecode.report.tables import compute_report
    >>> agents = [("modular", s, make_agent("modular", seed=s)) for s in (0, 1)]
    >>> tables = compute_report(agents, n_trials=20, gains=(1.0,), analyses=(), progress=False)
    >>> len(tables.sessions)
    2
    """
    from navdecode.stats.comparisons import compare, summarize

    check_int(n_trials, "n_trials", minimum=10)
    analyses = tuple(analyses)
    unknown = sorted(set(analyses) - set(ANALYSES))
    if unknown:
        msg = f"analyses must be among {ANALYSES}, got {unknown}"
        raise ValueError(msg)
    start = time.perf_counter()
    jobs, agents, gains = _jobs(agents, recordings, tuple(gains))
    targets = fixed_targets(n_trials, seed=0)
    sessions, trials, folds, steps, step_errors, examples, recs = [], [], [], [], [], {}, {}
    for arch, seed, gain, agent, given in tqdm(jobs, desc="report", disable=not progress):
        ds = run_agent(agent, targets, gain=gain, seed=seed) if given is None else given
        recs[(arch, seed, gain)] = ds
        key = {"arch": arch, "seed": seed, "gain": gain}
        first = recs.get((arch, seed, gains[0])) if gain != gains[0] else None
        row, grouped, by_protocol = _session(ds, key, first, analyses)
        sessions.append(row)
        trials.append(trial_metrics(ds).assign(**key))
        steps.append(grouped.error_by_step().assign(label=f"{arch} {gain:g}x", **key))
        err = grouped.error.values.ravel()
        step_errors.append(pd.DataFrame({"decoding_error_cm": err[np.isfinite(err)], **key}))
        folds += [r.scores.assign(**key, protocol=p) for p, r in by_protocol.items()]
        examples.setdefault((arch, gain), ds)
    sessions_df = pd.DataFrame(sessions)
    comparisons = []
    n_per_arch = sessions_df.groupby("arch")["seed"].nunique()
    if len(n_per_arch) >= 2 and n_per_arch.min() >= 2:  # two labels, or k with all pairs
        pair = pair_of(list(n_per_arch.index))
        for gain in gains:
            at_gain = sessions_df[sessions_df["gain"] == gain]
            for family, metrics in (("headline", COMPARED), ("behaviour", BEHAVIOUR)):
                cmp = compare(at_gain, list(metrics), groups=pair)
                comparisons.append(cmp.assign(gain=gain, family=family))
    tables = ReportTables(
        sessions=sessions_df, trials=pd.concat(trials, ignore_index=True),
        folds=pd.concat(folds, ignore_index=True), steps=pd.concat(steps, ignore_index=True),
        step_errors=pd.concat(step_errors, ignore_index=True),
        comparisons=pd.concat(comparisons, ignore_index=True) if comparisons
        else pd.DataFrame(),
        summary=summarize(sessions_df, [*COMPARED, *BEHAVIOUR], by=["arch", "gain"]),
        examples=examples, agents=agents, gains=gains, analyses=analyses,
        n_trials=n_trials if recordings is None else int(
            np.median([d.sizes["trial"] for d in recordings])))
    if "perturbation" in analyses:
        _perturbation(tables, jobs, targets, progress)
    if "similarity" in analyses:
        tables.cka = _cka(recs, gains[0])
    tables.elapsed_s = time.perf_counter() - start
    return tables


def _session(ds: xr.Dataset, key: dict, first: xr.Dataset | None,
             analyses: tuple[str, ...]) -> tuple[dict, object, dict]:
    """One recording's row: behaviour, decoding (three protocols) and the chosen analyses."""
    by_protocol = {p: decode(ds, protocol=p) for p in ("grouped", "tutorial", "paper")}
    grouped = by_protocol["grouped"]
    row = {**key, **session_metrics(ds).to_dict(), "auc": roc_auc(ds, seed=0)[0],
           "decoding_error_cm": grouped.mean_error,
           "decoding_error_tutorial_cm": by_protocol["tutorial"].mean_error,
           "decoding_error_paper_cm": by_protocol["paper"].mean_error,
           "decoding_r2_x": grouped.r2["pos_x"], "decoding_r2_y": grouped.r2["pos_y"]}
    if "controls" in analyses:
        row |= {"decoding_shuffle_cm": decode(ds, control="shuffle").mean_error,
                "decoding_time_only_cm": decode(ds, control="time").mean_error,
                "decoding_untrained_cm": decode(ds, control="untrained").mean_error
                if ds.attrs.get("arch") in ARCHITECTURES and int(ds.attrs.get(
                    "agent_seed", -1)) >= 0 else np.nan}
    if first is not None:
        row["decoding_cross_cm"] = decode(first, test_ds=ds).mean_error
        if "replay" in analyses:
            seed = key["seed"] if isinstance(key["seed"], int) and key["seed"] >= 0 else 0
            replayed = session_metrics(replay_actions(first, gain=key["gain"], noise=True,
                                                      seed=seed))
            row["replay_reward_fraction"] = replayed["reward_fraction"]
            row["replay_traveled_slope"] = replayed["traveled_slope"]
    if "observer" in analyses:
        row |= _observer_columns(ds, grouped)
    return row, grouped, by_protocol


def _observer_columns(ds: xr.Dataset, grouped: object) -> dict[str, float]:
    """The ideal observer's error, the decoded position's distance to its belief, and how
    well the belief itself is decoded from the units (grouped CV)."""
    from navdecode.analysis.observer import ideal_observer

    belief = ideal_observer(ds)
    pred = grouped.predicted
    apart = np.hypot(pred["pos_x"].values - belief["belief_x"].values,
                     pred["pos_y"].values - belief["belief_y"].values)
    with_belief = ds.assign(belief_x=belief["belief_x"], belief_y=belief["belief_y"])
    return {"observer_error_cm": float(np.nanmean(belief["observer_error"].values)),
            "decoded_to_belief_cm": float(np.nanmean(apart)),
            "belief_decoding_cm": decode(with_belief, ("belief_x", "belief_y")).mean_error}


def _perturbation(tables: ReportTables, jobs: list, targets: np.ndarray, progress: bool) -> None:
    """Every run agent on the paper's perturbation task at the first gain."""
    from navdecode.analysis.metrics import perturbation_metrics
    from navdecode.stats.comparisons import compare
    from navdecode.task.config import TaskConfig

    rows, bins = [], []
    agents = [(a, s, ag) for a, s, g, ag, _ in jobs if ag is not None and g == tables.gains[0]]
    for arch, seed, agent in tqdm(agents, desc="perturbation", disable=not progress):
        ds = run_agent(agent, targets, gain=tables.gains[0], seed=seed,
                       config=TaskConfig.perturbation_task())
        grouped = decode(ds)
        row = {"arch": arch, "seed": seed,
               "reward_fraction": session_metrics(ds)["reward_fraction"],
               "auc": roc_auc(ds, seed=0)[0], "decoding_error_cm": grouped.mean_error}
        if "observer" in tables.analyses:
            row |= _observer_columns(ds, grouped)
        rows.append(row)
        bins.append(perturbation_metrics(ds, decoding_error=grouped.error).assign(
            arch=arch, seed=seed))
    if not rows:
        return
    tables.perturbation = pd.DataFrame(rows)
    tables.perturbation_bins = pd.concat(bins, ignore_index=True)
    counts = tables.perturbation.groupby("arch")["seed"].nunique()
    if len(counts) == 2 and counts.min() >= 2:
        tables.perturbation_comparisons = compare(
            tables.perturbation, list(PERTURBED), groups=pair_of(list(counts.index))).assign(
            gain=tables.gains[0], family="perturbation")


def _cka(recordings: dict, gain: float) -> pd.DataFrame:
    from navdecode.analysis.similarity import similarity_matrix

    keys = [k for k in recordings if k[2] == gain]
    if len(keys) < 3 or len({k[0] for k in keys}) < 2:
        return pd.DataFrame()
    return similarity_matrix([recordings[k] for k in keys], labels=[(k[0], k[1]) for k in keys])
