"""The report's rendering half: figures, tables and ``report.md`` from `ReportTables`.

`make_report` = `compute_report` (navdecode.report.tables) then `render_report`. Figures
are drawn on `matplotlib.figure.Figure` objects: the library never changes matplotlib's
global backend or pyplot state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch
import xarray as xr
from threadpoolctl import threadpool_limits

from navdecode._io import atomic_write_dir
from navdecode._validation import check_bool, check_int, check_path
from navdecode.agents.networks import Agent
from navdecode.report.markdown import report_markdown
from navdecode.report.tables import (
    ANALYSES,
    DEFAULT_ANALYSES,
    ReportTables,
    compute_report,
    in_length_unit,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["check_report_folder", "make_report", "render_report"]


def make_report(out_dir: str | Path, agents: list[tuple[str, int, Agent]] | None = None,
                n_trials: int = 1000, gains: tuple[float, ...] = (1.0, 2.0),
                progress: bool = True, n_threads: int = 1,
                recordings: list[xr.Dataset] | None = None,
                analyses: Sequence[str] = DEFAULT_ANALYSES, overwrite: bool = False,
                n_jobs: int = 1) -> Path:
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
        Analyse these recordings instead of running agents (e.g. from `record`), of any
        task: each one's ``label`` and ``agent_seed`` / ``agent_id`` name its group and
        network, its gain is its trials' gain (one condition without a ``gain``). Every
        analysis a recording supports runs; the others are listed in the report's
        *Analyses not run* and ``skipped.csv`` with what they lack.
    analyses : sequence of str, default=DEFAULT_ANALYSES
        Optional sections: ``"controls"``, ``"replay"``, ``"observer"``,
        ``"perturbation"``, ``"similarity"``, and (not by default) ``"dynamics"``: fixed
        points and DSA.
    overwrite : bool, default=False
        Replace an earlier report in `out_dir` (see `render_report`).
    n_jobs : int, default=1
        Worker processes for the per-network work, each with `n_threads` threads (see
        `compute_report`): on the project's idle 2-core machine ``n_jobs=2`` took 0.74
        of the time of one (docs/guides/scaling.md). The report is the same for any number;
        peak memory grows with it (each worker holds one network's recordings).

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
    check_path(out_dir, "out_dir")
    check_int(n_trials, "n_trials", minimum=10)
    check_int(n_threads, "n_threads", minimum=1)
    check_int(n_jobs, "n_jobs", minimum=1)
    unknown = sorted(set(analyses) - set(ANALYSES)) if not isinstance(analyses, str) else [
        analyses]
    if unknown:
        msg = f"analyses must be among {ANALYSES}, got {unknown}"
        raise ValueError(msg)
    out = check_report_folder(out_dir, overwrite)  # refused before the work, not after
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(limits=n_threads):
            tables = compute_report(agents, recordings, n_trials=n_trials, gains=gains,
                                    analyses=analyses, progress=progress, n_jobs=n_jobs)
            return render_report(tables, out, overwrite=overwrite)
    finally:
        torch.set_num_threads(torch_threads)


def check_report_folder(out_dir: str | Path, overwrite: bool = False) -> Path:
    """The report folder, refused when it holds anything unless `overwrite` and it holds an
    earlier report (a ``report.md``): a folder of other files is never replaced.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode.report.render import check_report_folder
    >>> check_report_folder(pathlib.Path(tempfile.mkdtemp()) / "report").name
    'report'
    """
    out = check_path(out_dir, "out_dir")
    check_bool(overwrite, "overwrite")
    if out.exists() and not out.is_dir():
        msg = f"out_dir {str(out)!r} is a file; the report needs a folder"
        raise ValueError(msg)
    if out.is_dir() and any(out.iterdir()):
        if not (out / "report.md").exists():
            msg = (f"out_dir {str(out)!r} holds files that are not a report; refusing to "
                   "replace them (choose an empty or new folder)")
            raise ValueError(msg)
        if not overwrite:
            msg = (f"out_dir {str(out)!r} holds an earlier report; pass overwrite=True "
                   "(navdecode report --force) to replace it")
            raise ValueError(msg)
    return out


def render_report(tables: ReportTables, out_dir: str | Path, overwrite: bool = False) -> Path:
    """Write the tables as CSV, draw the figures and write ``report.md``.

    The report is built in a temporary folder beside `out_dir` and swapped in whole, so
    `out_dir` holds one complete report (no file of an earlier one) or, if writing
    fails, what it held before.

    Parameters
    ----------
    tables : ReportTables
        From `navdecode.report.tables.compute_report`.
    out_dir : str or pathlib.Path
        Output folder (created; it must be new, empty or hold an earlier report).
    overwrite : bool, default=False
        Replace an earlier report in `out_dir`.

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
    out = check_report_folder(out_dir, overwrite)
    atomic_write_dir(out, lambda tmp: _write_report(tables, tmp))
    return out / "report.md"


def _write_report(tables: ReportTables, out: Path) -> None:
    out.mkdir(parents=True)

    def written(frame: pd.DataFrame) -> pd.DataFrame:  # one condition: no gain column
        return frame if tables.has_gain else frame.drop(columns="gain", errors="ignore")

    for name in ("sessions", "trials", "comparisons", "summary", "perturbation",
                 "perturbation_bins", "perturbation_comparisons", "skipped"):
        frame = getattr(tables, name)
        if not frame.empty or name in ("sessions", "trials", "comparisons", "summary"):
            written(frame).to_csv(out / f"{name}.csv", index=False)
    written(tables.folds).to_csv(out / "decoding_folds.csv", index=False)
    if not tables.cka.empty:
        tables.cka.to_csv(out / "cka.csv")
    if not tables.dsa.empty:
        tables.dsa.to_csv(out / "dsa.csv")
    for name in ("similarity_tests", "dynamics", "dynamics_comparisons"):
        if not getattr(tables, name).empty:
            getattr(tables, name).to_csv(out / f"{name}.csv", index=False)
    internal = in_length_unit(tables, to_unit=False)
    figures = _figures(internal, out)
    (out / "report.md").write_text(report_markdown(internal, figures))


def _figures(tables: ReportTables, out: Path) -> dict[str, str]:
    """Draw every figure the tables support, each on its own `Figure` (no pyplot state,
    no backend change)."""
    from matplotlib.figure import Figure

    import navdecode.plotting as plotting
    from navdecode.recording.schema import ANALYSES as NEEDS

    figures: dict[str, str] = {}

    def save(name: str, draw: Callable) -> None:
        fig = Figure(figsize=(5, 4), layout="constrained")
        draw(fig.subplots())
        # labels name files: no path separators or odd characters, and no two figures
        # sharing a file when two labels differ only in them
        stem = re.sub(r"[^\w.+-]+", "_", name).strip("._") or "figure"
        taken = set(figures.values())
        file, k = f"{stem}.png", 1
        while file in taken:
            k += 1
            file = f"{stem}-{k}.png"
        fig.savefig(out / file, dpi=110)
        figures[name] = file

    def plain(frame: pd.DataFrame) -> pd.DataFrame:  # one condition: no gain axis
        return frame if tables.has_gain else frame.drop(columns="gain", errors="ignore")

    sessions, trials, gains, unit = tables.sessions, tables.trials, tables.gains, \
        tables.length_unit
    dt = next(iter(tables.examples.values())).attrs.get("task_dt")
    first = next(iter(tables.examples.values()))
    if tables.firefly:
        save("single_trial", lambda ax: plotting.plot_trial(first, int(np.argmax(
            first.rewarded.values)), ax=ax))
    for (arch, gain), ds in tables.examples.items():
        if all(v in ds.variables for v in NEEDS["plot_trajectories"]):
            name = f"trajectories_{arch}_{gain:g}x" if tables.has_gain else \
                f"trajectories_{arch}"
            save(name, lambda ax, d=ds: plotting.plot_trajectories(d, ax=ax))
    if "reward_fraction" in sessions:
        save("reward_fraction", lambda ax: plotting.plot_reward_fraction(plain(sessions), ax=ax))
    if "time_spent_h" in sessions:
        save("time_spent", lambda ax: plotting.plot_time_spent(plain(sessions), ax=ax))
    if tables.firefly:
        for gain in gains[:2]:
            save(f"traveled_vs_target_{gain:g}x",
                 lambda ax, g=gain: plotting.plot_traveled_vs_target(
                     trials[trials["gain"] == g], ax=ax))
    if not tables.step_errors.empty:
        save("decoding_error", lambda ax: plotting.plot_decoding_error(
            plain(tables.step_errors), ax=ax, unit=unit))
        steps = tables.steps if tables.has_gain else tables.steps.assign(label=tables.steps[
            "arch"])
        mean_steps = steps.groupby(["label", "step"], as_index=False).agg(
            mean_error=("mean_error", "mean"), sem=("sem", "mean"), n=("n", "sum"))
        save("decoding_over_time", lambda ax: plotting.plot_decoding_over_time(
            mean_steps[mean_steps["step"] < 25], ax=ax, unit=unit, dt=dt))
    if "curvature" in trials:
        save("curvature", lambda ax: plotting.plot_curvature(plain(trials), ax=ax, unit=unit))
    if "auc" in sessions:
        save("roc_curves", lambda ax: plotting.plot_roc_curves(tables.examples, ax=ax))
    if "decoding_time_only_cm" in sessions:
        save("decoding_controls", lambda ax: plotting.plot_decoding_controls(
            plain(sessions), ax=ax, unit=unit))
    if "replay_traveled_slope" in sessions:
        save("no_adaptation", lambda ax: plotting.plot_no_adaptation(sessions, ax=ax))
    if "observer_error_cm" in sessions:
        save("ideal_observer", lambda ax: plotting.plot_observer_errors(sessions, ax=ax))
    if not tables.perturbation_bins.empty:
        for value in ("reward_fraction", "decoding_error_cm"):
            save(f"perturbation_{value}", lambda ax, v=value: plotting.plot_perturbation(
                tables.perturbation_bins, v, ax=ax))
    if not tables.cka.empty:
        save("cka", lambda ax: plotting.plot_similarity_matrix(tables.cka, ax=ax))
    if not tables.dsa.empty:
        save("dsa", lambda ax: plotting.plot_similarity_matrix(
            tables.dsa, ax=ax, label="DSA distance (Wasserstein)", vmax=None))
    for arch, (seed, points, states) in tables.fixed_point_examples.items():
        def fixed(ax: Axes, arch: str = arch, seed: int = seed, points: xr.Dataset = points,
                  states: np.ndarray = states) -> None:
            plotting.plot_fixed_points(points, states, ax=ax)
            ax.set_title(f"{arch} seed {seed}: fixed and slow points, input held at 0",
                         fontsize=8)

        save(f"fixed_points_{arch}", fixed)
    curves = _training_curves(tables.agents)
    if not curves.empty:
        save("training_curves", lambda ax: plotting.plot_training_curves(curves, ax=ax))
    return figures


def _training_curves(agents: list[tuple[str, int, Agent]]) -> pd.DataFrame:
    from navdecode.pretrained.bundle import pretrained_curve

    frames = []
    for arch, seed, _ in agents:
        curve = pretrained_curve(arch, seed)
        if curve is not None:
            frames.append(curve.assign(arch=arch, seed=seed))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


