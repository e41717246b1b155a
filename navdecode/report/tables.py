"""The report's computing half: tidy tables for any agents or recordings, any labels.

`compute_report` runs (or takes) recordings and returns a `ReportTables` of pandas tables;
`navdecode.report.render.render_report` draws and writes them. Nothing here touches a file.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from tqdm.auto import tqdm

from navdecode._validation import check_int
from navdecode.agents.networks import ARCHITECTURES, Agent
from navdecode.analysis.controls import replay_actions
from navdecode.analysis.decoding import decode, decode_each
from navdecode.analysis.metrics import roc_auc, session_metrics, trial_metrics
from navdecode.analysis.similarity import CKAColumns
from navdecode.analysis.tuning import tuning_maps, tuning_strength
from navdecode.analysis.units import Units
from navdecode.recording.rollout import fixed_targets, run_agent
from navdecode.recording.schema import check_recording, is_firefly, length_unit, unit_named
from navdecode.report.dynamics import (
    DYNAMICS,
    dynamics_tables,
    network_dynamics,
    similarity_tests,
)
from navdecode.report.factorial import factorial_table
from navdecode.report.workers import worker_pool

__all__ = ["ANALYSES", "DEFAULT_ANALYSES", "ReportTables", "compute_report", "last_step_stop_r"]

ANALYSES = ("controls", "replay", "observer", "perturbation", "similarity", "dynamics")
"""Optional report sections; the gain task (behaviour, decoding, statistics) always runs."""
DEFAULT_ANALYSES = ("controls", "replay", "observer", "perturbation", "similarity")
"""The sections run unless chosen otherwise ("dynamics", fixed points and DSA, is asked for:
it adds seconds per network)."""

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
    "angular_slope": "traveled / target angle slope",
    "signed_error_cm": "signed radial error, + overshoot / - undershoot (cm)",
    "stop_error_cm": "stop error (cm)",
    "reward_rate": "reward rate (1/s)",
    "straightness": "straightness",
    "auc": "fraction-correct ROC AUC",
}
TUNING_BINS = 12
"""Bins a side of the report's position tuning maps (equal bins over the recorded range)."""
AUC_SHUFFLES = 10
"""Other shuffle seeds over which each session's AUC spread (``auc_shuffle_sd``) is taken."""
TASK_VARIABLES = ("vel_lin", "vel_ang", "target_distance", "target_angle", "action_lin",
                  "action_ang")
"""What the paper's figure 1l decodes from the units beside position, scored by Pearson's r
(the target's distance and angle from `relative_to_target`)."""

PERTURBED = {"reward_fraction": "reward fraction", "auc": "fraction-correct ROC AUC",
             "auc_strong": "ROC AUC, strong perturbations only (the paper's fig. 6e)",
             "decoding_error_cm": "decoding error, grouped CV (cm)"}
RESPONSES = {"belief_slope_lin": "belief error per cm of linear perturbation (fig. 6g)",
             "belief_slope_ang": "belief error per degree of angular perturbation",
             "kernel_forward_cm_s": "compensation of a forward push, over the bump (cm/s)",
             "kernel_congruent_deg_s": "compensation of a congruent push, over the bump "
                                       "(deg/s)"}
"""The perturbation task's responses (`navdecode.analysis.perturbation`), a Holm family
of their own."""


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
    factorial : pandas.DataFrame
        When the labels cross two or more actors with two or more critics (the paper's
        four architectures): `factorial_table` of the headline metrics (empty otherwise).
    compensation_kernels, response_comparisons : pandas.DataFrame
        Every agent's `compensation_kernels` (with ``arch``, ``seed``) against its
        unperturbed twin, and the `RESPONSES` compared across labels (empty when not run).
    cka : pandas.DataFrame
        Linear CKA between every pair of networks at the first gain (empty when not run).
    dsa : pandas.DataFrame
        The DSA distance between every pair of networks at the first gain (empty when not
        run).
    similarity_tests : pandas.DataFrame
        `within_between_test` of each matrix (``measure``: CKA, DSA).
    dynamics, dynamics_comparisons : pandas.DataFrame
        Per network, its LSTM's fixed points at rest (`navdecode.report.dynamics`), and
        their `compare` rows across labels.
    fixed_point_examples : dict
        arch -> (seed, points, recorded states) of its first network, for the figures.
    tuning_examples : dict
        arch -> (seed, tuning maps of its first network's most position-tuned unit at the
        first gain, that unit's eta2), for the figures.
    examples : dict
        One recording per (arch, gain), for the figures.
    agents : list of (arch, seed, Agent)
        The agents that were run (empty for recordings).
    n_trials : int
    gains : tuple of float
        The conditions (``(1.0,)`` standing for the one condition when `has_gain` is False).
    analyses : tuple of str
    elapsed_s : float
    has_gain : bool
        Whether the recordings hold a ``gain`` (False: one condition, and the written
        tables have no gain column).
    firefly : bool
        Whether the recordings are of the firefly task (its geometry, units and analyses).
    length_unit : str
        Unit of the positions; the written tables' and text's length columns carry it.
    skipped : pandas.DataFrame
        Analyses not run on some sessions: ``analysis``, ``arch``, ``seed``, ``gain``,
        ``reason`` (the variable or property the recording lacks).
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
    compensation_kernels: pd.DataFrame = field(default_factory=pd.DataFrame)
    response_comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    factorial: pd.DataFrame = field(default_factory=pd.DataFrame)
    cka: pd.DataFrame = field(default_factory=pd.DataFrame)
    dsa: pd.DataFrame = field(default_factory=pd.DataFrame)
    similarity_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    dynamics: pd.DataFrame = field(default_factory=pd.DataFrame)
    dynamics_comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    fixed_point_examples: dict = field(default_factory=dict)
    tuning_examples: dict = field(default_factory=dict)
    examples: dict = field(default_factory=dict)
    agents: list = field(default_factory=list)
    n_trials: int = 0
    gains: tuple[float, ...] = ()
    analyses: tuple[str, ...] = ()
    elapsed_s: float = 0.0
    has_gain: bool = True
    firefly: bool = True
    length_unit: str = "cm"
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["analysis", "arch", "seed", "gain", "reason"]))

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
          gains: tuple[float, ...]) -> tuple[list, list, tuple[float, ...], dict]:
    """(label, seed, gain, agent or None, recording or None) for every analysed session,
    and what the recordings are: ``has_gain``, ``firefly``, ``length_unit``."""
    kind = {"has_gain": True, "firefly": True, "length_unit": "cm"}
    if recordings is None:
        agents = _agents_from_bundle() if agents is None else agents
        return [(a, s, g, ag, None) for a, s, ag in agents for g in gains], agents, gains, kind
    if not isinstance(recordings, (list, tuple)) or not recordings:
        msg = "recordings must be a non-empty list of recordings (xarray.Datasets)"
        raise ValueError(msg)
    from navdecode.recording.identity import recording_identity

    names = [f"recordings[{i}]" for i in range(len(recordings))]
    for ds, name in zip(recordings, names, strict=True):
        check_recording(ds, "decode", name=name)
    kinds = [{"has_gain": "gain" in ds.variables, "firefly": is_firefly(ds),
              "length_unit": length_unit(ds)} for ds in recordings]
    for key, what in (("firefly", "of the firefly task"), ("has_gain", "with a gain"),
                      ("length_unit", "in one length unit")):
        values = [k[key] for k in kinds]
        if len(set(values)) > 1:
            msg = (f"recordings must all be {what} or none, got {key} "
                   f"{dict(zip(names, values, strict=True))}")
            raise ValueError(msg)
    kind = kinds[0]
    jobs, agent_numbers = [], {}
    for ds, name in zip(recordings, names, strict=True):
        gain = 1.0  # stands for the one condition of recordings without a gain
        if kind["has_gain"]:
            at = np.unique(ds["gain"].values)
            if len(at) != 1:
                msg = (f"{name} holds trials at {len(at)} gains {at.tolist()}; a report "
                       "session is one condition: split it, e.g. ds.isel(trial=ds.gain == g)")
                raise ValueError(msg)
            gain = float(at[0])
        who = recording_identity(ds, name=name)
        # the statistics' unit is the network: its seed, or a number per agent id
        known = agent_numbers.setdefault(who["label"], {})
        seed = who["agent_seed"] if who["agent_seed"] >= 0 else known.setdefault(
            who["agent"], -1 - len(known))
        jobs.append((who["label"], seed, gain, None, ds))
    sessions = [(j[0], j[1], j[2]) for j in jobs]
    if len(set(sessions)) < len(sessions):
        twice = sorted({s for s in sessions if sessions.count(s) > 1})
        msg = (f"recordings must hold each (label, network, gain) once, got {twice} twice; "
               "give each network its own agent_seed or agent_id")
        raise ValueError(msg)
    return jobs, [], tuple(dict.fromkeys(j[2] for j in jobs)), kind


def pair_of(labels: list[str]) -> tuple[str, str] | None:
    """The two compared labels: modular first when the pair is the paper's, else sorted."""
    if len(labels) != 2:
        return None
    return ("modular", "holistic") if set(labels) == {"modular", "holistic"} else tuple(
        sorted(labels))


def compute_report(agents: list[tuple[str, int, Agent]] | None = None,
                   recordings: list[xr.Dataset] | None = None, n_trials: int = 1000,
                   gains: tuple[float, ...] = (1.0, 2.0),
                   analyses: Sequence[str] = DEFAULT_ANALYSES, progress: bool = True,
                   n_jobs: int = 1, pool: concurrent.futures.Executor | None = None
                   ) -> ReportTables:
    """Evaluate (or take) recordings and compute every table of the report.

    Parameters
    ----------
    agents : list of (label, seed, Agent) or None, default=None
        Agents to run on the same `n_trials` fixed targets at every gain; the bundled
        ones when None and no `recordings` are given.
    recordings : list of xarray.Dataset or None, default=None
        Recordings to analyse instead, of any task (named by their ``label`` and
        ``agent_seed`` / ``agent_id``; each one's gain is its trials' gain, one condition
        when they hold none). What a recording does not support is recorded in
        ``skipped``; length columns are named in the recordings' unit.
    n_trials : int, default=1000
        Fixed targets per condition.
    gains : tuple of float, default=(1.0, 2.0)
        Joystick gains.
    analyses : sequence of str, default=DEFAULT_ANALYSES
        Optional sections: ``"controls"`` (trial shuffle, step index, untrained network),
        ``"replay"`` (the no-adaptation control), ``"observer"`` (the ideal observer),
        ``"perturbation"`` (the perturbation task; run agents only), ``"similarity"``
        (CKA across networks), and, not by default, ``"dynamics"`` (fixed points of each
        actor's LSTM; DSA across networks, extra ``dsa``).
    progress : bool, default=True
        Show progress bars.
    n_jobs : int, default=1
        Processes for the per-network work (recording, behaviour, decoding, the
        perturbation task), each with this process's threads; the tables are the same
        for any number. Each process holds one network's recordings, so peak memory grows
        with it.
    pool : concurrent.futures.Executor or None, default=None
        Worker processes to use instead of starting `n_jobs` of them
        (`navdecode.report.workers.worker_pool`; `make_report` keeps one open for the
        figures too).

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
    check_int(n_trials, "n_trials", minimum=10)
    check_int(n_jobs, "n_jobs", minimum=1)
    analyses = tuple(analyses)
    unknown = sorted(set(analyses) - set(ANALYSES))
    if unknown:
        msg = f"analyses must be among {ANALYSES}, got {unknown}"
        raise ValueError(msg)
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(worker_pool(n_jobs))
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="navdecode-report-"))
        return _computed(agents, recordings, n_trials, tuple(gains), analyses, progress, pool,
                         Path(tmp))


def _computed(agents: list | None, recordings: list | None, n_trials: int,
              gains: tuple[float, ...], analyses: tuple[str, ...], progress: bool,
              pool: concurrent.futures.Executor | None, scratch: Path) -> ReportTables:
    """`compute_report`'s work, the per-network part in `pool` (or here); units for CKA
    are kept in `scratch` (removed by the caller, also after an error)."""
    from navdecode.stats.comparisons import compare, summarize

    start = time.perf_counter()
    jobs, agents, gains, kind = _jobs(agents, recordings, tuple(gains))
    targets = fixed_targets(n_trials, seed=0)
    internal = {v: k for k, v in unit_named([*COMPARED, *BEHAVIOUR, *_LENGTHS],
                                            kind["length_unit"]).items()}
    networks = _networks(jobs)
    work = functools.partial(_network_sessions, targets=targets, first_gain=gains[0],
                             analyses=analyses, kind=kind, internal=internal,
                             scratch=scratch, to_disk=pool is not None)
    sessions, trials, folds, steps, step_errors, examples = [], [], [], [], [], {}
    skipped: list[dict] = []
    similar: dict[tuple, Units] = {}  # hidden units for CKA, on disk for run agents
    dynamic_rows, operators, fixed_examples, tuning_examples = [], {}, {}, {}
    # CKA column by column as the networks come in: this process would otherwise wait
    columns = CKAColumns() if "similarity" in analyses else None
    for part in _each(pool, work, networks, "report", progress):
        sessions += part.sessions
        trials += part.trials
        folds += part.folds
        steps += part.steps
        step_errors += part.step_errors
        skipped += part.skipped
        similar |= part.similar
        columns = _cka_column(columns, part.similar, gains[0])
        dynamic_rows += part.dynamics
        operators |= part.operators
        for arch, example in part.fixed_point_examples.items():
            fixed_examples.setdefault(arch, example)
        for arch, example in part.tuning_examples.items():
            tuning_examples.setdefault(arch, example)
        for key, example in part.examples.items():
            examples.setdefault(key, example)
        del part
    sessions_df = pd.DataFrame(sessions)
    compared = {m: t for m, t in COMPARED.items() if _measured(sessions_df, m)}
    behaviour = {m: t for m, t in BEHAVIOUR.items() if _measured(sessions_df, m)}
    comparisons = []
    n_per_arch = sessions_df.groupby("arch")["seed"].nunique()
    if len(n_per_arch) >= 2 and n_per_arch.min() >= 2:  # two labels, or k with all pairs
        pair = pair_of(list(n_per_arch.index))
        for gain in gains:
            at_gain = sessions_df[sessions_df["gain"] == gain]
            for family, metrics in (("headline", compared), ("behaviour", behaviour)):
                if metrics:
                    cmp = compare(at_gain, list(metrics), groups=pair)
                    comparisons.append(cmp.assign(gain=gain, family=family))

    def joined(frames: list) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    tables = ReportTables(
        sessions=sessions_df, trials=joined(trials), folds=joined(folds),
        steps=joined(steps), step_errors=joined(step_errors), comparisons=joined(comparisons),
        summary=summarize(sessions_df, [*compared, *behaviour], by=["arch", "gain"],
                          skip_missing=True)
        if compared or behaviour else pd.DataFrame(),
        factorial=factorial_table(sessions_df, list(compared), gains)
        if compared and not sessions_df.empty else pd.DataFrame(),
        examples=examples, tuning_examples=tuning_examples, agents=agents, gains=gains,
        analyses=analyses,
        n_trials=n_trials if recordings is None else int(
            np.median([d.sizes["trial"] for d in recordings])),
        skipped=pd.DataFrame(skipped, columns=["analysis", "arch", "seed", "gain", "reason"]),
        **kind)
    # the perturbation task runs in the workers while this process computes CKA and DSA
    finish = _perturbation(tables, jobs, targets, progress, pool) \
        if "perturbation" in analyses else None
    if "similarity" in analyses:
        tables.cka = _cka(similar, gains[0], columns, skip=lambda reason: skipped.append(
            {"analysis": "similarity (CKA)", "arch": "all", "seed": "", "gain": gains[0],
             "reason": reason}))
        tables.skipped = pd.DataFrame(skipped, columns=tables.skipped.columns)
    if "dynamics" in analyses:
        tables.dynamics, tables.dsa = dynamics_tables(
            dynamic_rows, operators, skip=lambda reason: skipped.append(
                {"analysis": "dynamical similarity (DSA)", "arch": "all", "seed": "",
                 "gain": gains[0], "reason": reason}))
        if not tables.dynamics.empty:
            counts = tables.dynamics.groupby("arch")["seed"].nunique()
            if len(counts) >= 2 and counts.min() >= 2:
                tables.dynamics_comparisons = compare(
                    tables.dynamics, list(DYNAMICS), groups=pair_of(list(counts.index))
                ).assign(gain=gains[0], family="dynamics")
        tables.fixed_point_examples = fixed_examples
        tables.skipped = pd.DataFrame(skipped, columns=tables.skipped.columns)
    tables.similarity_tests = similarity_tests({"CKA": tables.cka, "DSA": tables.dsa})
    if finish is not None:
        finish()
    if recordings is not None and "perturbation" in analyses:
        skipped.append({"analysis": "perturbation task", "arch": "all", "seed": "",
                        "gain": gains[0], "reason": "needs agents to run (not recordings)"})
        tables.skipped = pd.DataFrame(skipped, columns=tables.skipped.columns)
    similar.clear()
    tables.elapsed_s = time.perf_counter() - start
    return in_length_unit(tables, to_unit=True)


@dataclass
class _Network:
    """One network's sessions: (gain, given recording or None) in job order, and the
    gains at which it is the first of its label (it gives the figures' example there)."""

    arch: str
    seed: int
    agent: Agent | None
    sessions: list[tuple[float, xr.Dataset | None]]
    examples: frozenset = frozenset()


@dataclass
class _Part:
    """What one network adds to the report's tables."""

    sessions: list[dict] = field(default_factory=list)
    trials: list[pd.DataFrame] = field(default_factory=list)
    folds: list[pd.DataFrame] = field(default_factory=list)
    steps: list[pd.DataFrame] = field(default_factory=list)
    step_errors: list[pd.DataFrame] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    similar: dict[tuple, Units] = field(default_factory=dict)
    examples: dict[tuple, xr.Dataset] = field(default_factory=dict)
    dynamics: list[dict] = field(default_factory=list)
    operators: dict[tuple, np.ndarray] = field(default_factory=dict)
    fixed_point_examples: dict[str, tuple] = field(default_factory=dict)
    tuning_examples: dict[str, tuple] = field(default_factory=dict)


def _position_tuning(ds: xr.Dataset) -> tuple[dict[str, float], tuple | None]:
    """The session's position tuning (`tuning_maps` of the units over ``pos_x``, ``pos_y``,
    `TUNING_BINS` bins a side): the mean and largest `tuning_strength` over its units, and
    (maps of the most tuned unit, its eta2) for the figure (None when no unit varies)."""
    maps = tuning_maps(ds, bins=TUNING_BINS)
    eta2 = tuning_strength(maps)
    if not np.isfinite(eta2.values).any():
        return {"tuning_eta2": np.nan, "tuning_eta2_max": np.nan}, None
    top = int(np.nanargmax(eta2.values))
    strength = {"tuning_eta2": float(np.nanmean(eta2.values)),
                "tuning_eta2_max": float(eta2.values[top])}
    return strength, (maps.isel(unit=[top]), float(eta2.values[top]))


def _networks(jobs: list) -> list[_Network]:
    """The jobs grouped by network, in order of first appearance, each network's sessions
    in job order."""
    grouped: dict[tuple, _Network] = {}
    for arch, seed, gain, agent, given in jobs:
        grouped.setdefault((arch, seed), _Network(arch, seed, agent, [])).sessions.append(
            (gain, given))
    networks = list(grouped.values())
    seen: set[tuple] = set()
    for net in networks:
        mine = {(net.arch, g) for g, _ in net.sessions} - seen
        net.examples = frozenset(g for _, g in mine)
        seen |= mine
    return networks


def _network_sessions(net: _Network, targets: np.ndarray, first_gain: float,
                      analyses: tuple[str, ...], kind: dict, internal: dict,
                      scratch: Path, to_disk: bool) -> _Part:
    """Every session of one network: its rows of the report's tables. Run agents are
    recorded here (the first gain's recording kept for the cross-condition decode); their
    units for CKA go to `scratch`, and so do given recordings' when `to_disk` (in a
    worker process)."""
    part, first = _Part(), None
    for gain, given in net.sessions:
        arch, seed = net.arch, net.seed
        ds = run_agent(net.agent, targets, gain=gain, seed=seed) if given is None else given
        key = {"arch": arch, "seed": seed, "gain": gain}

        def skip(analysis: str, reason: str, key: dict = key) -> None:
            part.skipped.append({"analysis": analysis, **key, "reason": reason})

        row, grouped, by_protocol = _session(ds, key, first if gain != first_gain else None,
                                             analyses, kind, skip)
        part.sessions.append({internal.get(k, k): v for k, v in row.items()})
        if _lacks(ds, ANALYSES_NEEDS["behaviour"]) is None:
            trials = trial_metrics(ds)
            part.trials.append(trials.rename(columns=internal).assign(**key))
            if grouped is not None:
                part.sessions[-1]["last_step_error_stop_r"] = last_step_stop_r(grouped, trials)
        if grouped is not None and net.agent is not None:
            part.sessions[-1] |= _mlp_decoding(net.agent, ds)
        if grouped is not None:
            strength, example = _position_tuning(ds)
            part.sessions[-1] |= strength
            if example is not None and gain == first_gain and gain in net.examples:
                part.tuning_examples[arch] = (seed, *example)
        if grouped is not None:
            part.steps.append(grouped.error_by_step().assign(label=f"{arch} {gain:g}x", **key))
            err = grouped.error.values.ravel()
            part.step_errors.append(pd.DataFrame(
                {"decoding_error_cm": err[np.isfinite(err)].astype(np.float32), **key}))
            part.folds += [r.scores.assign(**key, protocol=p) for p, r in by_protocol.items()]
        if gain == first_gain:
            first = ds
            if "similarity" in analyses and "hidden" in ds.variables:
                name = f"{arch} seed {seed}"
                file = scratch / f"hidden-{arch}-{seed}.npy"
                part.similar[(arch, seed, gain)] = Units.on_disk(ds, file, name=name) \
                    if given is None or to_disk else Units.of(ds, name=name)
            if "dynamics" in analyses:
                points, operator, example = network_dynamics(net.agent, ds, key, skip)
                if points is not None:
                    part.dynamics.append(points)
                if operator is not None:
                    part.operators[(arch, seed)] = operator
                if example is not None and gain in net.examples:
                    part.fixed_point_examples[arch] = (seed, *example)
        if gain in net.examples:
            part.examples[(arch, gain)] = _without_units(ds)
        del ds, grouped, by_protocol, row
    return part


def _each(pool: concurrent.futures.Executor | None, work: Callable, items: list, desc: str,
          progress: bool) -> Iterator:
    """``work(item)`` for every item, in order, in `pool`'s processes (submitted at once,
    so this process may work on while they run) or here (as they are read)."""
    results = map(work, items) if pool is None else pool.map(work, items)
    return _counted(results, len(items), desc, progress)


def _counted(results: Iterator, total: int, desc: str, progress: bool) -> Iterator:
    bar = tqdm(total=total, desc=desc, disable=not progress)
    for result in results:
        bar.update()
        yield result
    bar.close()


def _without_units(ds: xr.Dataset) -> xr.Dataset:
    """A recording kept for the figures: its per-step and per-trial variables, without
    the (trial, step, unit) arrays (hidden, cell, inputs, hooked layers)."""
    heavy = [name for name, var in ds.data_vars.items() if var.ndim > 2]
    return ds.drop_vars(heavy)


FRAMES = ("sessions", "trials", "folds", "steps", "step_errors", "comparisons", "summary",
          "perturbation", "perturbation_bins", "perturbation_comparisons")
"""The `ReportTables` frames whose length columns carry the unit."""


def in_length_unit(tables: ReportTables, to_unit: bool) -> ReportTables:
    """A copy of `tables` whose length columns (and ``metric`` entries) are named in its
    ``length_unit`` (`to_unit`) or back in the internal ``_cm`` names the text and figures
    are written against; the same tables when the unit is cm."""
    import copy
    import re

    unit = tables.length_unit
    if unit == "cm":
        return tables
    token = re.sub(r"\W+", "", unit) or "unknown"

    def mapping(names: object) -> dict[str, str]:
        names = [n for n in names if isinstance(n, str)]
        if to_unit:
            return unit_named(names, unit)
        return {n: f"{n[: -len(token) - 1]}_cm" for n in names if n.endswith(f"_{token}")}

    out = copy.copy(tables)
    for name in FRAMES:
        frame = getattr(tables, name).rename(columns=mapping(getattr(tables, name).columns))
        if "metric" in frame:
            frame = frame.assign(metric=frame["metric"].replace(mapping(frame["metric"].unique())))
        setattr(out, name, frame)
    return out


_LENGTHS = ("stop_error_cm", "signed_error_cm", "path_minus_arc_cm", "path_length_cm",
            "arc_length_cm", "decoding_shuffle_cm", "decoding_time_only_cm",
            "decoding_untrained_cm", "decoding_cross_cm", "decoding_error_paper_cm")

ANALYSES_NEEDS = {
    "behaviour": ("pos_x", "pos_y", "n_steps", "stopped"),
    "decoding": ("hidden", "pos_x", "pos_y"),
    "fraction-correct AUC": ("stop_x", "stop_y", "target_x", "target_y"),
    "task-variable decoding": ("vel_lin", "vel_ang", "action_lin", "action_ang", "heading",
                               "target_x", "target_y"),
}
"""Variables each always-run part of the report needs (beyond ``valid``)."""


def _lacks(ds: xr.Dataset, needs: Sequence[str]) -> str | None:
    """None when `ds` holds every variable of `needs`, else the reason naming the missing."""
    missing = [v for v in needs if v not in ds.variables]
    return f"needs {', '.join(missing)}" if missing else None


def _measured(sessions: pd.DataFrame, metric: str) -> bool:
    return metric in sessions and bool(sessions[metric].notna().any())


def _session(ds: xr.Dataset, key: dict, first: xr.Dataset | None,
             analyses: tuple[str, ...], kind: dict,
             skip: Callable[[str, str], None]) -> tuple[dict, object, dict]:
    """One recording's row: behaviour, decoding (three protocols) and the chosen analyses,
    each as far as the recording supports it; `skip` is told of every part left out."""
    row: dict[str, object] = dict(key)
    firefly = "needs the firefly task (its task_* attributes)" if not kind["firefly"] else None
    reason = _lacks(ds, ANALYSES_NEEDS["behaviour"])
    if reason is None:
        summary = session_metrics(ds)
        row |= summary.to_dict()
        for metric, why in summary.attrs["left_out"].items():
            skip(metric, why)
    else:
        skip("behaviour metrics", reason)
    reason = firefly or _lacks(ds, ANALYSES_NEEDS["fraction-correct AUC"])
    if reason is None:
        row["auc"] = roc_auc(ds, seed=0)[0]
        # the AUC's spread over the shuffle: SD over 10 other shuffle seeds
        row["auc_shuffle_sd"] = float(np.std([roc_auc(ds, seed=k)[0]
                                              for k in range(1, 1 + AUC_SHUFFLES)], ddof=1))
    else:
        skip("fraction-correct AUC", reason)
    reason = _lacks(ds, ANALYSES_NEEDS["decoding"])
    if reason is not None:
        skip("position decoding (and its controls, cross-condition)", reason)
        return row, None, {}
    observer = "observer" in analyses and firefly is None
    reason = firefly or _lacks(ds, ANALYSES_NEEDS["task-variable decoding"])
    if reason is not None:
        skip("task-variable decoding (Pearson r)", reason)
    grouped, belief, variables = _grouped_decoding(ds, observer, task_variables=reason is None)
    if variables is not None:
        row |= {f"decoding_r_{name}": float(variables.pearson_r[name]) for name in TASK_VARIABLES}
    by_protocol = {"grouped": grouped} | {p: decode(ds, protocol=p, refit=False)
                                          for p in ("tutorial", "paper")}
    row |= {"decoding_error_cm": grouped.mean_error,
            "decoding_error_tutorial_cm": by_protocol["tutorial"].mean_error,
            "decoding_error_paper_cm": by_protocol["paper"].mean_error,
            "decoding_r2_x": grouped.r2["pos_x"], "decoding_r2_y": grouped.r2["pos_y"]}
    if "controls" in analyses:
        row |= {"decoding_shuffle_cm": decode(ds, control="shuffle", refit=False).mean_error,
                "decoding_time_only_cm": decode(ds, control="time", refit=False).mean_error}
        own = ds.attrs.get("arch") in ARCHITECTURES and int(ds.attrs.get("agent_seed", -1)) >= 0
        reason = _lacks(ds, ("actor_input",)) or (None if own else
                                                 "needs a navdecode architecture and its "
                                                 "agent_seed (or decode(..., untrained=))")
        if reason is None:
            row["decoding_untrained_cm"] = decode(ds, control="untrained",
                                                  refit=False).mean_error
        else:
            row["decoding_untrained_cm"] = np.nan
            skip("untrained-network control", reason)
    if first is not None and "hidden" in first.variables:
        row["decoding_cross_cm"] = decode(first, test_ds=ds).mean_error
        if "replay" in analyses:
            if firefly is None:
                seed = key["seed"] if isinstance(key["seed"], int) and key["seed"] >= 0 else 0
                replayed = session_metrics(replay_actions(first, gain=key["gain"], noise=True,
                                                          seed=seed))
                row["replay_reward_fraction"] = replayed["reward_fraction"]
                row["replay_traveled_slope"] = replayed["traveled_slope"]
            else:
                skip("no-adaptation replay", firefly)
    if "observer" in analyses:
        if firefly is None:
            row |= _observer_columns(grouped, *belief)
        else:
            skip("ideal observer", firefly)
    return row, grouped, by_protocol


def last_step_stop_r(grouped: object, trials: pd.DataFrame) -> float:
    """Pearson's r over trials between the decoding error at each trial's last tested step
    (`DecodingResult.last_step_error`) and its stop error, ``r = corr_i(e_i, |stop_i -
    target_i|)``: the paper's figure S5b, where an agent whose decoded belief is further off
    at the stop also stops further from the target. NaN without a target (no stop-error
    column), with fewer than 3 trials having both, or when either is constant."""
    column = next((c for c in trials if c.startswith("stop_error_")), None)
    if column is None:
        return float("nan")
    last = grouped.last_step_error()
    stop = trials.set_index("trial")[column].reindex(last.index)
    both = np.isfinite(last.values) & np.isfinite(stop.values)
    e, d = last.values[both], stop.values[both]
    if both.sum() < 3 or np.ptp(e) == 0 or np.ptp(d) == 0:
        return float("nan")
    return float(np.corrcoef(e, d)[0, 1])


def _mlp_decoding(agent: object, ds: xr.Dataset) -> dict[str, float]:
    """Position decoded (grouped CV) from each MLP layer of the agent's actor, after its
    ReLU (`mlp_units`; the paper's figures 1l, S1f): ``decoding_error_mlp<k>_cm``. Empty
    for an actor without an MLP (the holistic one) or one that is not navdecode's."""
    from navdecode.agents.networks import RecurrentActor
    from navdecode.recording.rerun import mlp_units, with_units

    actor = getattr(agent, "actor", None)
    if not isinstance(actor, RecurrentActor) or "actor_input" not in ds.variables:
        return {}
    return {f"decoding_error_mlp{k}_cm": decode(with_units(
        ds, mlp_units(actor, ds, k), f"actor MLP layer {k}"), refit=False).mean_error
        for k in range(1, len(actor.linears()))}


def _grouped_decoding(ds: xr.Dataset, observer: bool, task_variables: bool = False
                      ) -> tuple[object, tuple, object]:
    """The grouped-CV decode of position; with the ideal `observer`, its belief and the
    belief's own decode from the same units; with `task_variables`, the decode of
    `TASK_VARIABLES` (all solved together, `decode_each`)."""
    sets, extra = [("pos_x", "pos_y")], {}
    belief = None
    if observer:
        from navdecode.analysis.observer import ideal_observer

        belief = ideal_observer(ds)
        extra |= {"belief_x": belief["belief_x"], "belief_y": belief["belief_y"]}
        sets.append(("belief_x", "belief_y"))
    if task_variables:
        from navdecode.analysis.target_frame import relative_to_target

        framed = relative_to_target(ds)
        extra |= {"target_distance": framed["target_distance"],
                  "target_angle": framed["target_angle"]}
        sets.append(TASK_VARIABLES)
    if len(sets) == 1:
        return decode(ds, refit=False), (), None
    results = iter(decode_each(ds.assign(extra), sets, refit=False))
    grouped = next(results)
    belief_part = (belief, next(results)) if observer else ()
    return grouped, belief_part, next(results) if task_variables else None


def _observer_columns(grouped: object, belief: xr.Dataset, decoded: object
                      ) -> dict[str, float]:
    """The ideal observer's error, the decoded position's distance to its belief, and how
    well the belief itself is decoded from the units (grouped CV)."""
    pred = grouped.predicted
    apart = np.hypot(pred["pos_x"].values - belief["belief_x"].values,
                     pred["pos_y"].values - belief["belief_y"].values)
    return {"observer_error_cm": float(np.nanmean(belief["observer_error"].values)),
            "decoded_to_belief_cm": float(np.nanmean(apart)),
            "belief_decoding_cm": decoded.mean_error}


def _perturbation(tables: ReportTables, jobs: list, targets: np.ndarray, progress: bool,
                  pool: concurrent.futures.Executor | None = None) -> Callable[[], None]:
    """Every run agent on the paper's perturbation task at the first gain: started in
    `pool` now; the returned function waits for the results and adds them to `tables`."""
    agents = [(a, s, ag) for a, s, g, ag, _ in jobs if ag is not None and g == tables.gains[0]]
    work = functools.partial(_perturbed, targets=targets, gain=tables.gains[0],
                             observer="observer" in tables.analyses)
    results = _each(pool, work, agents, "perturbation", progress)
    return functools.partial(_perturbation_tables, tables, results)


def _perturbation_tables(tables: ReportTables, results: Iterator) -> None:
    from navdecode.stats.comparisons import compare

    rows, bins, kernels = [], [], []
    for row, binned, kernel in results:
        rows.append(row)
        bins.append(binned)
        kernels.append(kernel)
    if not rows:
        return
    tables.perturbation = pd.DataFrame(rows)
    tables.perturbation_bins = pd.concat(bins, ignore_index=True)
    tables.compensation_kernels = pd.concat(kernels, ignore_index=True)
    counts = tables.perturbation.groupby("arch")["seed"].nunique()
    if len(counts) >= 2 and counts.min() >= 2:  # two labels, or k with all pairs
        groups = pair_of(list(counts.index))
        tables.perturbation_comparisons = compare(
            tables.perturbation, list(PERTURBED), groups=groups).assign(
            gain=tables.gains[0], family="perturbation")
        tables.response_comparisons = compare(
            tables.perturbation, list(RESPONSES), groups=groups).assign(
            gain=tables.gains[0], family="perturbation responses")


def _perturbed(agent: tuple, targets: np.ndarray, gain: float, observer: bool
               ) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """One agent's row, perturbation bins and compensation kernels on the perturbation
    task (the kernels against the same trials run without the bumps, same noise)."""
    from navdecode.analysis.controls import replay_perturbation
    from navdecode.analysis.metrics import perturbation_metrics, strong_perturbations
    from navdecode.analysis.observer import ideal_observer
    from navdecode.analysis.perturbation import (
        belief_perturbation_errors,
        belief_perturbation_slopes,
        compensation_kernels,
        perturbations_of,
    )
    from navdecode.task.config import TaskConfig

    arch, seed, net = agent
    config = TaskConfig.perturbation_task()
    ds = run_agent(net, targets, gain=gain, seed=seed, config=config)
    twin = run_agent(net, targets, gain=gain, seed=seed, config=config,
                     perturbation=perturbations_of(ds) * [0, 0, 1])
    kernels = compensation_kernels(ds, twin).assign(arch=arch, seed=seed)
    replays = {f"no_adaptation_auc{'' if c == 'navdecode' else '_paper'}":
               roc_auc(replay_perturbation(ds, twin, convention=c), seed=0)[0]
               for c in ("navdecode", "paper")}
    over_bump = kernels[kernels["lag_step"] <= config.perturb_duration_steps].groupby(
        "group")["kernel"].mean()
    grouped, belief, _ = _grouped_decoding(ds, observer)
    slopes = belief_perturbation_slopes(belief_perturbation_errors(ds, grouped))
    strong = np.flatnonzero(strong_perturbations(ds))
    row = {"arch": arch, "seed": seed, "reward_fraction": session_metrics(ds)["reward_fraction"],
           "auc": roc_auc(ds, seed=0)[0],
           "auc_strong": roc_auc(ds.isel(trial=strong), seed=0)[0] if strong.size >= 2
           else np.nan, "n_strong": int(strong.size), "decoding_error_cm": grouped.mean_error,
           "belief_slope_lin": slopes["slope_lin"], "belief_r_lin": slopes["r_lin"],
           "belief_slope_ang": slopes["slope_ang"], "belief_r_ang": slopes["r_ang"],
           **{f"kernel_{g}_{'cm_s' if g in ('forward', 'backward') else 'deg_s'}":
              over_bump.get(g, np.nan)
              for g in ("forward", "backward", "congruent", "incongruent")}, **replays}
    if belief:
        row |= _observer_columns(grouped, *belief)
        told = ideal_observer(ds, knows_perturbation=True)
        row["observer_told_error_cm"] = float(np.nanmean(told["observer_error"].values))
    return row, perturbation_metrics(ds, decoding_error=grouped.error).assign(
        arch=arch, seed=seed), kernels


def _cka_column(columns: CKAColumns | None, units: dict[tuple, Units],
                gain: float) -> CKAColumns | None:
    """`columns` with the first-gain `units` added; None once a recording cannot be
    added (`_cka` then computes the matrix, or says why not, from all of them)."""
    for key, unit in units.items():
        if columns is not None and key[2] == gain:
            try:
                columns = columns if columns.add(unit) else None
            except ValueError:
                columns = None
    return columns


def _cka(recordings: dict[tuple, Units], gain: float, columns: CKAColumns | None,
         skip: Callable[[str], None]) -> pd.DataFrame:
    from navdecode.analysis.similarity import similarity_matrix

    keys = [k for k in recordings if k[2] == gain]
    if len(keys) < 3 or len({k[0] for k in keys}) < 2:
        skip("needs hidden units of 3+ networks of 2+ labels at one condition")
        return pd.DataFrame()
    trial_sets = {frozenset(recordings[k].ids.tolist()) for k in keys}
    if len(trial_sets) > 1:
        skip("needs recordings of the same trials (their trial_id differ)")
        return pd.DataFrame()
    labels = [(k[0], k[1]) for k in keys]
    if columns is not None and len(columns) == len(keys):
        return columns.frame(labels)
    return similarity_matrix([recordings[k] for k in keys], labels=labels)
