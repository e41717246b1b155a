"""A training run's folder and its resumable state: the one place that knows both.

A run folder holds::

    config.json       TrainConfig and TaskConfig the run was started with
    provenance.json   command, commit, machine (written by `train` when the run starts;
                      each resume adds its own under ``resumes``)
    curve.csv         validation curve, one row per validation and gain
    checkpoints/      trial_XXXXXX.pt actors, one per validation, and critic_XXXXXX.pt
                      the critic beside each (runs started before the critics were
                      kept have actors only)
    state.pt          newest resumable `TrainingState` (networks, optimisers, memory, ...)
    state.prev.pt     the one before it, used when state.pt is unreadable
    done.json         written when the run finished

``state*.pt`` files are training state: never commit them (the repository ignores them).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import pandas as pd
import torch

from navdecode._io import atomic_write_text, owner_alive, temporary
from navdecode._validation import check_choice, check_path

__all__ = ["CURVE_COLUMNS", "Progress", "RunFolder", "TrainingState", "provenance", "run_status",
           "select_checkpoint"]

CURVE_COLUMNS = ["episode", "phase", "trials_after_phase1", "task", "reward_fraction",
                 "error_distance", "reward_rate", "td_error_abs", "value_est",
                 "actor_saturated", "actor_pinned", "wall_time_s"]
"""Columns of ``curve.csv``: one row per validation and gain (the one list of them).
``td_error_abs`` and ``value_est`` (the critic on the validation trials, the paper's
``TD_error_abs`` and ``value_est``) are NaN in curves written before they were logged."""

_TENSOR_PARTS = ("agent", "target", "opt_actor", "opt_critic", "memory", "gen_task",
                 "gen_noise", "gen_sample")


@dataclass
class Progress:
    """Where a run stands: the loop's counters and what it has logged."""

    phase: int = 1
    """Training phase (1, 2 or 3)."""
    trials: int = 0
    """Trials collected so far."""
    phase1_trials: int | None = None
    """Trials that phase I took (None while in phase I)."""
    updates: int = 0
    """TD3 updates done."""
    env_steps: int = 0
    """Environment steps taken."""
    credit: float = 0.0
    """Updates owed to the steps taken since the last one (one per `steps_per_update`)."""
    wall_s: float = 0.0
    """Training wall-clock, summed over sessions."""
    curve: list[dict[str, object]] = field(default_factory=list)
    """Validation rows (`CURVE_COLUMNS`)."""
    recent: list[bool] = field(default_factory=list)
    """Rewarded flags of the latest phase-I trials (the phase-I exit window)."""

    @property
    def trials_after_phase1(self) -> int:
        """Trials since phase I ended (0 while in phase I)."""
        return 0 if self.phase1_trials is None else self.trials - self.phase1_trials


@dataclass
class TrainingState:
    """Everything a killed run needs to continue exactly: `Progress` and the tensors.

    Saved by `RunFolder.save_state` as a dict of tensors and state dicts (the progress
    as a JSON string), so `torch.load(..., weights_only=True)` reads it.
    """

    progress: Progress
    agent: dict[str, torch.Tensor]
    target: dict[str, torch.Tensor]
    opt_actor: dict[str, object]
    opt_critic: dict[str, object]
    memory: dict[str, object]
    gen_task: torch.Tensor
    gen_noise: torch.Tensor
    gen_sample: torch.Tensor

    def to_dict(self) -> dict[str, object]:
        """The saved form: the tensor parts and ``scalars`` (the progress as JSON)."""
        return {**{k: getattr(self, k) for k in _TENSOR_PARTS},
                "scalars": json.dumps(asdict(self.progress))}

    @classmethod
    def from_dict(cls, saved: dict[str, object]) -> TrainingState:
        """Inverse of `to_dict`; a missing part is a `ValueError` naming it."""
        missing = [k for k in (*_TENSOR_PARTS, "scalars") if k not in saved]
        if missing:
            msg = f"training state lacks {', '.join(missing)}"
            raise ValueError(msg)
        known = {f.name for f in fields(Progress)}
        scalars = json.loads(str(saved["scalars"]))
        progress = Progress(**{k: v for k, v in scalars.items() if k in known})
        return cls(progress=progress, **{k: saved[k] for k in _TENSOR_PARTS})  # type: ignore[arg-type]


def provenance(command: str) -> dict[str, object]:
    """Facts about how and where a run was started: command, commit, machine.

    ``package_modified`` is True when the package's source differed from ``commit``
    (uncommitted edits under ``navdecode/``), so the commit alone does not pin the code.
    """
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        modified: bool | None = bool(git("status", "--porcelain", "--untracked-files=no", "."))
    except (OSError, subprocess.CalledProcessError):
        commit, modified = "unknown", None
    machine = (f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
               f"torch {torch.__version__}").replace("  ", " ")
    return {"command": command, "commit": commit, "package_modified": modified,
            "machine": machine}


def started_from_cli() -> bool:
    """Whether this process was started as the ``navdecode`` command (not from Python)."""
    arg0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return arg0.name in ("navdecode", "cli.py") or (
        arg0.name == "__main__.py" and arg0.parent.name == "navdecode")


def command_line(fallback: str) -> str:
    """The ``navdecode ...`` command that started this process, else `fallback`."""
    return "navdecode " + " ".join(sys.argv[1:]) if started_from_cli() else fallback


class RunFolder:
    """The files of one training run (see the module docstring for the layout).

    Parameters
    ----------
    path : str or pathlib.Path
        The run folder (need not exist yet).

    Examples
    --------
    >>> from navdecode.training.runs import RunFolder
    >>> RunFolder("runs/modular-seed0").state  # doctest: +SKIP
    PosixPath('runs/modular-seed0/state.pt')
    """

    def __init__(self, path: str | Path) -> None:
        self.path = check_path(path, "out_dir")
        self.config = self.path / "config.json"
        self.provenance = self.path / "provenance.json"
        self.curve = self.path / "curve.csv"
        self.checkpoints = self.path / "checkpoints"
        self.state = self.path / "state.pt"
        self.previous_state = self.path / "state.prev.pt"
        self.done = self.path / "done.json"

    def __repr__(self) -> str:
        return f"RunFolder({str(self.path)!r})"

    def has_state(self) -> bool:
        """Whether a resumable state (newest or previous) is here."""
        return self.state.exists() or self.previous_state.exists()

    def holds_run(self) -> bool:
        """Whether a run was started here (a config or a state exists)."""
        return self.config.exists() or self.has_state()

    def is_done(self) -> bool:
        """Whether the run finished (``done.json`` exists)."""
        return self.done.exists()

    def _recover_state(self) -> None:
        """Finish a `save_state` killed between its two renames: the newest state is then
        complete under its temporary name while ``state.pt`` is missing."""
        if self.state.exists() or not self.previous_state.exists():
            return
        pending = sorted((p for p in self.path.glob(".state.pt.*.tmp")
                          if not owner_alive(p)), key=lambda p: p.stat().st_mtime)
        if pending:
            os.replace(pending[-1], self.state)

    def clean_temporaries(self) -> list[Path]:
        """Remove the temporary files of writes that were killed (their writer is gone);
        returns what it removed. A newest state caught between its renames is kept."""
        self._recover_state()
        stale = [p for d in (self.path, self.checkpoints) if d.is_dir()
                 for p in d.glob(".*.tmp") if p.is_file() and not owner_alive(p)]
        for p in stale:
            p.unlink()
        return stale

    def start(self, config_json: dict[str, object], command: str, trial: int = 0) -> None:
        """Create the folder, write ``config.json`` and ``provenance.json``.

        The first start writes the provenance (command, commit, machine); each later
        start (a resume from `trial`) appends its own command, commit and trial to the
        provenance's ``resumes`` list, so a run that ran under several commits names
        them all.
        """
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.config, json.dumps(config_json, indent=2))
        facts = provenance(command)
        if self.provenance.exists():
            first = self.read_provenance()
            first.setdefault("resumes", []).append({"trial": trial, **facts})
            facts = first
        atomic_write_text(self.provenance, json.dumps(facts, indent=2))

    def read_config(self) -> dict[str, object]:
        """The saved ``config.json`` (a `ValueError` naming the file when it is malformed)."""
        return _read_json(self.config)

    def read_provenance(self) -> dict[str, object]:
        """The saved ``provenance.json``; empty for a folder written before it existed."""
        return _read_json(self.provenance) if self.provenance.exists() else {}

    def read_curve(self) -> pd.DataFrame:
        """The saved ``curve.csv``."""
        return pd.read_csv(self.curve)

    def write_curve(self, curve: pd.DataFrame) -> None:
        """Write ``curve.csv`` atomically."""
        atomic_write_text(self.curve, curve.to_csv(index=False))

    def checkpoint(self, trial: int) -> Path:
        """Path of the actor checkpoint saved after `trial` trials."""
        return self.checkpoints / f"trial_{trial:06d}.pt"

    def critic_checkpoint(self, trial: int) -> Path:
        """Path of the critic saved beside the actor checkpoint of `trial`."""
        return self.checkpoints / f"critic_{trial:06d}.pt"

    def save_state(self, state: TrainingState) -> None:
        """Write `state` as the newest state; the one it replaces becomes the previous.

        The new file is written completely (and synced) before anything is renamed, so a
        kill at any point leaves a readable newest or previous state; one between the two
        renames leaves the newest under its temporary name, which `load_state` and
        `clean_temporaries` move into place.
        """
        tmp = temporary(self.state)
        try:
            torch.save(state.to_dict(), tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            if self.state.exists():
                os.replace(self.state, self.previous_state)
            os.replace(tmp, self.state)
        finally:
            if tmp.exists():
                tmp.unlink()

    def load_state(self, device: torch.device | str = "cpu") -> TrainingState:
        """Read the newest readable state, falling back to the previous one.

        Warns (naming the file and the error) when the newest cannot be read and the
        previous one is used; raises `ValueError` naming both when neither can be read.
        """
        self._recover_state()
        errors = []
        for path in (self.state, self.previous_state):
            if not path.exists():
                errors.append(f"{path.name}: missing")
                continue
            try:
                saved = torch.load(path, map_location=device, weights_only=True)
                state = TrainingState.from_dict(saved)
            except Exception as exc:
                first_line = (str(exc).strip().splitlines() or [""])[0][:160]
                errors.append(f"{path.name}: {type(exc).__name__}: {first_line}")
                continue
            if errors:
                warnings.warn(f"{self.state} could not be read ({errors[0]}); resuming from "
                              f"the previous state {path.name} (trial "
                              f"{state.progress.trials})", RuntimeWarning, stacklevel=2)
            return state
        msg = f"no readable training state in {str(self.path)!r} ({'; '.join(errors)})"
        raise ValueError(msg)

    def finish(self, summary: dict[str, object]) -> None:
        """Write ``done.json``."""
        atomic_write_text(self.done, json.dumps(summary))


def _read_json(path: Path) -> dict[str, object]:
    try:
        value = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        msg = f"{str(path)!r} is not valid JSON ({err.msg} at line {err.lineno}); restore it " \
              "or remove the run folder"
        raise ValueError(msg) from err
    if not isinstance(value, dict):
        msg = f"{str(path)!r} must hold a JSON object, got {type(value).__name__}"
        raise ValueError(msg)
    return value


def run_status(run_dir: str | Path) -> dict[str, object]:
    """Where a run stands, read from its folder (nothing is loaded but small files).

    Keys: ``run`` (folder name), ``arch``, ``seed`` (from ``config.json``; None if
    absent), ``trials`` (at the latest validation; 0 before the first), ``phase``,
    ``phase1_trials`` (trials phase I took; None while it lasts), ``reward_fraction_1x``
    and ``error_cm_1x`` (latest 1x validation; NaN before the first),
    ``best_reward_fraction_1x``, ``actor_saturated`` and ``actor_pinned`` (the latest
    validation's fractions of steps, all gains, with the actor saturated and with both
    actions pinned; NaN for curves without the column), ``wall_s``
    (training time so far), ``idle_s`` (seconds since the run last wrote its curve or
    state: a growing value means it is not running) and ``finished`` (``done.json``
    exists).

    Examples
    --------
    >>> import tempfile
    >>> from navdecode.training.runs import run_status
    >>> status = run_status(tempfile.mkdtemp())  # a folder where no run has started yet
    >>> status["trials"], status["phase"], status["finished"]
    (0, 1, False)
    """
    folder = RunFolder(run_dir)
    config = folder.read_config().get("train", {}) if folder.config.exists() else {}
    try:
        curve = folder.read_curve()
    except (OSError, pd.errors.EmptyDataError):  # no validation written yet
        curve = pd.DataFrame()
    rows = curve[curve["task"] == "gain1x"] if "task" in curve else curve
    status: dict[str, object] = {
        "run": folder.path.name, "arch": config.get("arch"), "seed": config.get("seed"),
        "trials": 0, "phase": 1, "phase1_trials": None, "reward_fraction_1x": float("nan"),
        "error_cm_1x": float("nan"), "best_reward_fraction_1x": float("nan"),
        "actor_saturated": float("nan"), "actor_pinned": float("nan"), "wall_s": 0.0,
        "idle_s": float("nan"),
        "finished": folder.is_done()}
    written = [p.stat().st_mtime for p in (folder.curve, folder.state) if p.exists()]
    if written:
        status["idle_s"] = max(0.0, time.time() - max(written))
    if rows.empty:
        return status
    last = rows.iloc[-1]
    after = rows[rows["trials_after_phase1"] >= 0]
    status.update(
        trials=int(last["episode"]), phase=int(last["phase"]),
        reward_fraction_1x=float(last["reward_fraction"]),
        error_cm_1x=float(last["error_distance"]),
        best_reward_fraction_1x=float(rows["reward_fraction"].max()),
        wall_s=float(last["wall_time_s"]))
    if not after.empty:
        first = after.iloc[0]
        status["phase1_trials"] = int(first["episode"] - first["trials_after_phase1"])
    for column in ("actor_saturated", "actor_pinned"):
        if column in rows:
            status[column] = float(last[column])
    return status


def select_checkpoint(run_dir: str | Path, criterion: str = "gain1x",
                      window: int | None = None) -> Path:
    """Pick the checkpoint the paper analyses.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        A run folder written by `train`.
    criterion : {"gain1x", "sum"}, default="gain1x"
        ``"gain1x"``: highest 1x reward rate; ``"sum"``: highest reward rate summed over
        the validation gains.
    window : int or None, default=None
        Only checkpoints within this many trials after phase I count (the run's
        `n_trials_after_phase1` when None).

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> from navdecode import select_checkpoint
    >>> select_checkpoint("runs/modular-seed0")  # doctest: +SKIP
    PosixPath('runs/modular-seed0/checkpoints/trial_016000.pt')
    """
    folder = RunFolder(check_path(run_dir, "run_dir"))
    run_dir = folder.path
    check_choice(criterion, "criterion", ("gain1x", "sum"))
    if not folder.curve.exists():
        msg = f"run_dir {str(run_dir)!r} has no curve.csv"
        raise ValueError(msg)
    curve = folder.read_curve()
    if window is None:
        window = folder.read_config()["train"]["n_trials_after_phase1"]
    post = curve[(curve["trials_after_phase1"] > 0) & (curve["trials_after_phase1"] <= window)]
    if post.empty:
        msg = f"run_dir {str(run_dir)!r} has no validation after phase I yet"
        raise ValueError(msg)
    if criterion == "gain1x":
        score = post[post["task"] == "gain1x"].set_index("episode")["reward_rate"]
    else:
        score = post.groupby("episode")["reward_rate"].sum()
    return folder.checkpoint(int(score.idxmax()))

