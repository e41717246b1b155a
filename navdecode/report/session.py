"""One network's work for the report: its recordings, and each analysis's part of them.

`network_sessions` records a run agent at every gain (or takes the given recordings) and,
per recording, hands a `Session` to every chosen analysis's ``session`` hook in the
registry's order. The session decodes the position once, lazily, together with the target
sets the analyses ask for (`Analysis.joint_targets`), so the analyses share one decode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from navdecode.agents.networks import Agent
from navdecode.analysis.decoding import decode, decode_each
from navdecode.recording.rollout import run_agent

__all__ = ["POSITION", "Network", "Part", "Session", "lacks", "network_sessions"]

POSITION = ("pos_x", "pos_y")
"""What the report decodes first: the position."""


def lacks(ds: xr.Dataset, needs: Sequence[str]) -> str | None:
    """None when `ds` holds every variable of `needs`, else the reason naming the missing."""
    missing = [v for v in needs if v not in ds.variables]
    return f"needs {', '.join(missing)}" if missing else None


@dataclass
class Network:
    """One network's sessions: (gain, given recording or None) in job order, and the
    gains at which it is the first of its label (it gives the figures' example there)."""

    arch: str
    seed: int
    agent: Agent | None
    sessions: list[tuple[float, xr.Dataset | None]]
    examples: frozenset = frozenset()


@dataclass
class Part:
    """What one network adds to the report's tables."""

    sessions: list[dict] = field(default_factory=list)
    trials: list[pd.DataFrame] = field(default_factory=list)
    folds: list[pd.DataFrame] = field(default_factory=list)
    steps: list[pd.DataFrame] = field(default_factory=list)
    step_errors: list[pd.DataFrame] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    similar: dict = field(default_factory=dict)
    examples: dict[tuple, xr.Dataset] = field(default_factory=dict)
    dynamics: list[dict] = field(default_factory=list)
    operators: dict[tuple, np.ndarray] = field(default_factory=dict)
    fixed_point_examples: dict[str, tuple] = field(default_factory=dict)
    tuning_examples: dict[str, tuple] = field(default_factory=dict)


@dataclass
class Session:
    """One recording of one network at one condition, as the analyses see it.

    Attributes
    ----------
    ds : xarray.Dataset
    key : dict
        ``arch``, ``seed``, ``gain``.
    net : Network
    first : xarray.Dataset or None
        The network's recording at the first condition, at later conditions (None at the
        first).
    analyses : tuple of Analysis
        The analyses that run, in the registry's order.
    kind : dict
        ``has_gain``, ``firefly``, ``length_unit`` of the recordings.
    part : Part
        The network's rows of the other tables.
    row : dict
        The session's row of ``sessions`` (internal ``_cm`` names).
    kept : dict
        What an analysis keeps between its hooks (by its name).
    trials : pandas.DataFrame or None
        `trial_metrics` of the recording, once the behaviour analysis has run.
    scratch : pathlib.Path
        Where units for the similarity matrices go on disk.
    to_disk : bool
        Whether given recordings' units go to `scratch` too (in a worker process).
    internal : dict
        Column names in the recordings' length unit -> the internal ``_cm`` names.
    given : bool
        Whether the recording was given (False: recorded here from the agent).
    """

    ds: xr.Dataset
    key: dict
    net: Network
    first: xr.Dataset | None
    analyses: tuple
    kind: dict
    part: Part
    scratch: Path
    to_disk: bool
    internal: dict = field(default_factory=dict)
    given: bool = False
    row: dict = field(default_factory=dict)
    kept: dict = field(default_factory=dict)
    trials: pd.DataFrame | None = None
    _decoded: list | None = None
    _joint: dict = field(default_factory=dict)

    def skip(self, analysis: str, reason: str) -> None:
        """Record that `analysis` did not run on this session, and why."""
        self.part.skipped.append({"analysis": analysis, **self.key, "reason": reason})

    @property
    def gain(self) -> float:
        return self.key["gain"]

    @property
    def at_first_gain(self) -> bool:
        return self.first is None

    @property
    def not_firefly(self) -> str | None:
        """None on the firefly task, else the reason analyses that need it give."""
        return None if self.kind["firefly"] else "needs the firefly task (its task_* attributes)"

    @property
    def decodable(self) -> bool:
        """Whether the position can be decoded from the recording's units."""
        return lacks(self.ds, ("hidden", *POSITION)) is None

    def grouped(self) -> object:
        """The position's grouped-CV `DecodingResult` (None when not decodable), decoded
        once together with every analysis's `joint_targets`."""
        if not self.decodable:
            return None
        if self._decoded is None:
            sets, extra, owners = [POSITION], {}, []
            # in the order of the analyses' names: the sets' shared solve is then the same
            # whatever the registry's order (float rounding differs with the order)
            for analysis in sorted(self.analyses, key=lambda a: a.name):
                wanted = analysis.joint_targets(self) if analysis.joint_targets else None
                if wanted is not None:
                    targets, variables = wanted
                    sets.append(tuple(targets))
                    extra |= variables
                    owners.append(analysis.name)
            if len(sets) == 1:
                self._decoded = [decode(self.ds, refit=False)]
            else:
                self._decoded = decode_each(self.ds.assign(extra), sets, refit=False)
            self._joint = dict(zip(owners, self._decoded[1:], strict=True))
        return self._decoded[0]

    def joint(self, name: str) -> object:
        """The `DecodingResult` of analysis `name`'s joint targets (None if it had none)."""
        self.grouped()
        return self._joint.get(name)


def network_sessions(net: Network, targets: np.ndarray, first_gain: float,
                     analyses: tuple, kind: dict, internal: dict, scratch: Path,
                     to_disk: bool) -> Part:
    """Every session of one network: its rows of the report's tables. Run agents are
    recorded here (the first gain's recording kept for the cross-condition decode); each
    chosen analysis's ``session`` hook adds its part, in the registry's order."""
    part, first = Part(), None
    for gain, given in net.sessions:
        ds = run_agent(net.agent, targets, gain=gain, seed=net.seed) if given is None else given
        key = {"arch": net.arch, "seed": net.seed, "gain": gain}
        session = Session(ds, key, net, first if gain != first_gain else None, analyses,
                          kind, part, scratch, to_disk, internal, given is not None,
                          row=dict(key))
        for analysis in analyses:
            if analysis.session is not None:
                analysis.session(session)
        part.sessions.append({internal.get(k, k): v for k, v in session.row.items()})
        if gain == first_gain:
            first = ds
        if gain in net.examples:
            part.examples[(net.arch, gain)] = _without_units(ds)
        del ds, session
    return part


def _without_units(ds: xr.Dataset) -> xr.Dataset:
    """A recording kept for the figures: its per-step and per-trial variables, without
    the (trial, step, unit) arrays (hidden, cell, inputs, hooked layers)."""
    heavy = [name for name, var in ds.data_vars.items() if var.ndim > 2]
    return ds.drop_vars(heavy)

