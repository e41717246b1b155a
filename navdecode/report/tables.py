"""The report's tables: `ReportTables`, every frame the report writes and shows.

The analyses (`navdecode.report.sections`) fill them, `navdecode.report.compute` runs the
analyses, `navdecode.report.render` writes and draws them. Nothing here computes a number.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from navdecode.recording.schema import unit_named
from navdecode.report.text import gain_text, in_unit

__all__ = ["CSV_FRAMES", "FRAMES", "SKIPPED_COLUMNS", "ReportTables", "in_length_unit"]

SKIPPED_COLUMNS = ("analysis", "arch", "seed", "gain", "reason")
"""The columns of ``skipped``: which analysis did not run on which session, and why."""
CSV_FRAMES = {"sessions": "sessions.csv", "trials": "trials.csv",
              "comparisons": "comparisons.csv", "summary": "summary.csv",
              "perturbation": "perturbation.csv", "perturbation_bins": "perturbation_bins.csv",
              "perturbation_comparisons": "perturbation_comparisons.csv",
              "compensation_kernels": "compensation_kernels.csv",
              "response_comparisons": "response_comparisons.csv",
              "factorial": "factorial.csv", "skipped": "skipped.csv",
              "folds": "decoding_folds.csv", "cka": "cka.csv", "dsa": "dsa.csv",
              "similarity_tests": "similarity_tests.csv", "dynamics": "dynamics.csv",
              "dynamics_comparisons": "dynamics_comparisons.csv"}
"""Each written frame and its file, in the order they are written."""
ALWAYS_WRITTEN = ("sessions", "trials", "comparisons", "summary", "folds")
"""Frames written even when empty."""
MATRICES = ("cka", "dsa")
"""Frames written with their (arch, seed) index."""
FRAMES = ("sessions", "trials", "folds", "steps", "step_errors", "comparisons", "summary",
          "perturbation", "perturbation_bins", "perturbation_comparisons")
"""The `ReportTables` frames whose length columns carry the unit."""


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
    targets : tuple of str
        The variables the user named for decoding (`navdecode.report.sections.variables`).
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
    targets: tuple[str, ...] = ()
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=list(SKIPPED_COLUMNS)))

    @property
    def testable(self) -> bool:
        """Whether two or more labels with at least 2 seeds each were compared."""
        return not self.comparisons.empty

    @property
    def cond(self) -> Callable[[float], str]:
        """How the text names a condition: ``2x``, or ``one condition`` without a gain."""
        return gain_text if self.has_gain else (lambda g: "one condition")

    def plain(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` without its gain column when the recordings hold one condition."""
        return frame if self.has_gain else frame.drop(columns="gain", errors="ignore")

    def family(self, name: str) -> pd.DataFrame:
        """The ``comparisons`` rows of analysis `name`'s Holm family (empty if untested)."""
        if self.comparisons.empty:
            return self.comparisons
        return self.comparisons[self.comparisons["family"] == name]

    def family_titles(self, name: str) -> dict[str, str]:
        """Analysis `name`'s family metrics that were measured (in ``summary``), with
        their titles in the recordings' length unit."""
        from navdecode.report.sections import ANALYSES

        measured = set(self.summary["metric"]) if "metric" in self.summary else set()
        family = ANALYSES[name].families(self.sessions)
        return in_unit({m: t for m, t in family.items() if m in measured}, self.length_unit)


def in_length_unit(tables: ReportTables, to_unit: bool) -> ReportTables:
    """A copy of `tables` whose length columns (and ``metric`` entries) are named in its
    ``length_unit`` (`to_unit`) or back in the internal ``_cm`` names the text and figures
    are written against; the same tables when the unit is cm."""
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
