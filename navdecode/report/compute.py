"""Compute the report: run (or take) recordings and every chosen analysis, into tables.

`compute_report` groups the sessions by network, hands each network to the workers
(`navdecode.report.session.network_sessions`: every analysis's per-recording part), lets
each analysis keep what it needs of the parts as they come in, then compares the labels on
every analysis's declared Holm family and runs the analyses' across-network parts. Nothing
here touches a file or knows an analysis by name.
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
from navdecode.agents.networks import Agent
from navdecode.recording.rollout import fixed_targets
from navdecode.recording.schema import check_recording, is_firefly, length_unit, unit_named
from navdecode.report.declared import Analysis
from navdecode.report.sections import ANALYSES, DEFAULT_OPTIONS, OPTIONS
from navdecode.report.session import Network, network_sessions
from navdecode.report.tables import SKIPPED_COLUMNS, ReportTables, in_length_unit
from navdecode.report.workers import worker_pool

__all__ = ["Combine", "check_targets", "chosen", "compute_report", "pair_of"]


def pair_of(labels: list[str]) -> tuple[str, str] | None:
    """The two compared labels: modular first when the pair is the paper's, else sorted."""
    if len(labels) != 2:
        return None
    return ("modular", "holistic") if set(labels) == {"modular", "holistic"} else tuple(
        sorted(labels))


def check_targets(targets: object) -> tuple[str, ...]:
    """The variables named for decoding, as a tuple of distinct names (refused: not a
    sequence of non-empty strings, or a name twice)."""
    if isinstance(targets, str) or not isinstance(targets, (list, tuple)):
        msg = f"targets must be a list of variable names, got {targets!r}"
        raise TypeError(msg)
    if not all(isinstance(t, str) and t for t in targets):
        msg = f"targets must be non-empty variable names, got {list(targets)!r}"
        raise TypeError(msg)
    if len(set(targets)) < len(targets):
        msg = f"targets must name each variable once, got {list(targets)!r}"
        raise ValueError(msg)
    return tuple(targets)


def chosen(options: Sequence[str]) -> tuple[Analysis, ...]:
    """The analyses that run with the optional sections `options`, in the report's order
    (a `ValueError` names an unknown option)."""
    options = (options,) if isinstance(options, str) else tuple(options)
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        msg = f"analyses must be among {OPTIONS}, got {unknown}"
        raise ValueError(msg)
    return tuple(a for a in ANALYSES.values() if a.option is None or a.option in options)


@dataclass
class Combine:
    """What the analyses' across-network parts share: the sessions that ran, the workers,
    what each analysis kept of the parts (``state``, by analysis name), and ``skipped``."""

    jobs: list
    targets: np.ndarray
    gains: tuple[float, ...]
    pool: concurrent.futures.Executor | None
    progress: bool
    recordings_given: bool
    skipped: list[dict] = field(default_factory=list)
    state: dict = field(default_factory=dict)

    @staticmethod
    def pair(labels: list[str]) -> tuple[str, str] | None:
        """The two compared labels (`pair_of`)."""
        return pair_of(labels)

    def skip_all(self, analysis: str, reason: str) -> None:
        """Record that `analysis` did not run across the networks, and why."""
        self.skipped.append({"analysis": analysis, "arch": "all", "seed": "",
                             "gain": self.gains[0], "reason": reason})

    def each(self, work: Callable, items: list, desc: str) -> Iterator:
        """``work(item)`` for every item, in the workers (submitted now) or here."""
        return _each(self.pool, work, items, desc, self.progress)


def compute_report(agents: list[tuple[str, int, Agent]] | None = None,
                   recordings: list[xr.Dataset] | None = None, n_trials: int = 1000,
                   gains: tuple[float, ...] = (1.0, 2.0),
                   analyses: Sequence[str] = DEFAULT_OPTIONS, progress: bool = True,
                   n_jobs: int = 1, pool: concurrent.futures.Executor | None = None,
                   targets: Sequence[str] = ()) -> ReportTables:
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
    analyses : sequence of str, default=DEFAULT_OPTIONS
        Optional sections (`navdecode.report.OPTIONS`): ``"replay"`` (the no-adaptation
        control), ``"controls"`` (trial shuffle, step index, untrained network),
        ``"observer"`` (the ideal observer), ``"perturbation"`` (the perturbation task; run
        agents only), ``"similarity"`` (CKA across networks), and, not by default,
        ``"dynamics"`` (fixed points of each actor's LSTM; DSA across networks, extra
        ``dsa``). The analyses each turns on are listed by `navdecode.report.ANALYSES`.
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
    targets : sequence of str, default=()
        Variables to decode from the units beside the position, with the same grouped CV,
        controls and statistics (`navdecode.report.sections.variables`): recorded
        per-step variables (``info_vars``) or per-trial ones (``trial_vars``, repeated over
        the trial's steps), e.g. a neurogym task's ground truth.

    Returns
    -------
    tables : ReportTables

    Examples
    --------
    >>> from navdecode import make_agent
    >>> from navdecode.report import compute_report
    >>> agents = [("modular", s, make_agent("modular", seed=s)) for s in (0, 1)]
    >>> tables = compute_report(agents, n_trials=20, gains=(1.0,), analyses=(), progress=False)
    >>> len(tables.sessions)
    2
    """
    check_int(n_trials, "n_trials", minimum=10)
    check_int(n_jobs, "n_jobs", minimum=1)
    targets = check_targets(targets)
    run = chosen(analyses)
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(worker_pool(n_jobs))
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="navdecode-report-"))
        return _computed(agents, recordings, n_trials, tuple(gains), tuple(analyses), run,
                         progress, pool, Path(tmp), targets)


def _computed(agents: list | None, recordings: list | None, n_trials: int,
              gains: tuple[float, ...], options: tuple[str, ...], run: tuple[Analysis, ...],
              progress: bool, pool: concurrent.futures.Executor | None,
              scratch: Path, named: tuple[str, ...] = ()) -> ReportTables:
    """`compute_report`'s work, the per-network part in `pool` (or here); units for the
    similarity matrices are kept in `scratch` (removed by the caller, also after an error)."""
    from navdecode.stats.comparisons import summarize

    start = time.perf_counter()
    jobs, agents, gains, kind = _jobs(agents, recordings, tuple(gains))
    targets = fixed_targets(n_trials, seed=0)
    lengths = [c.name for a in ANALYSES.values() for cols in a.columns.values() for c in cols
               if c.unit == "cm"]
    families = [m for a in run for m in a.family]
    kind = {**kind, "targets": named}  # the variables the user named
    internal = {v: k for k, v in unit_named([*families, *lengths], kind["length_unit"]).items()}
    work = functools.partial(network_sessions, targets=targets, first_gain=gains[0],
                             analyses=run, kind=kind, internal=internal, scratch=scratch,
                             to_disk=pool is not None)
    context = Combine(jobs, targets, gains, pool, progress, recordings is not None)
    sessions, trials, folds, steps, step_errors, examples = [], [], [], [], [], {}
    tuning_examples = {}
    for part in _each(pool, work, _networks(jobs), "report", progress):
        sessions += part.sessions
        trials += part.trials
        folds += part.folds
        steps += part.steps
        step_errors += part.step_errors
        context.skipped += part.skipped
        for analysis in run:
            if analysis.collect is not None:
                analysis.collect(part, context)
        for arch, example in part.tuning_examples.items():
            tuning_examples.setdefault(arch, example)
        for key, example in part.examples.items():
            examples.setdefault(key, example)
        del part
    sessions_df = pd.DataFrame(sessions)
    measured = {a.name: [m for m in a.families(sessions_df) if _measured(sessions_df, m)]
                for a in run}
    tables = ReportTables(
        sessions=sessions_df, trials=_joined(trials), folds=_joined(folds),
        steps=_joined(steps), step_errors=_joined(step_errors),
        comparisons=_comparisons(sessions_df, measured, gains),
        summary=summarize(sessions_df, [m for ms in measured.values() for m in ms],
                          by=["arch", "gain"], skip_missing=True)
        if any(measured.values()) else pd.DataFrame(),
        examples=examples, tuning_examples=tuning_examples, agents=agents, gains=gains,
        analyses=options,
        n_trials=n_trials if recordings is None else int(
            np.median([d.sizes["trial"] for d in recordings])), **kind)
    finishing = [a.combine(tables, context) for a in run if a.combine is not None]
    for finish in finishing:
        if finish is not None:
            finish()
    tables.skipped = pd.DataFrame(context.skipped, columns=list(SKIPPED_COLUMNS))
    tables.elapsed_s = time.perf_counter() - start
    return in_length_unit(tables, to_unit=True)


def _comparisons(sessions: pd.DataFrame, measured: dict[str, list[str]],
                 gains: tuple[float, ...]) -> pd.DataFrame:
    """Every analysis's Holm family compared across labels at each gain (``family``: the
    analysis), when two or more labels have 2+ networks each."""
    from navdecode.stats.comparisons import compare

    if sessions.empty:
        return pd.DataFrame()
    n_per_arch = sessions.groupby("arch")["seed"].nunique()
    if len(n_per_arch) < 2 or n_per_arch.min() < 2:
        return pd.DataFrame()
    pair = pair_of(list(n_per_arch.index))
    rows = [compare(sessions[sessions["gain"] == gain], metrics, groups=pair).assign(
        gain=gain, family=family) for gain in gains for family, metrics in measured.items()
        if metrics]
    return _joined(rows)


def _joined(frames: list) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _measured(sessions: pd.DataFrame, metric: str) -> bool:
    return metric in sessions and bool(sessions[metric].notna().any())


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


def _networks(jobs: list) -> list[Network]:
    """The jobs grouped by network, in order of first appearance, each network's sessions
    in job order."""
    grouped: dict[tuple, Network] = {}
    for arch, seed, gain, agent, given in jobs:
        grouped.setdefault((arch, seed), Network(arch, seed, agent, [])).sessions.append(
            (gain, given))
    networks = list(grouped.values())
    seen: set[tuple] = set()
    for net in networks:
        mine = {(net.arch, g) for g, _ in net.sessions} - seen
        net.examples = frozenset(g for _, g in mine)
        seen |= mine
    return networks


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
