"""The report's rendering half: figures, tables and ``report.md`` from `ReportTables`.

`make_report` = `compute_report` (navdecode.report.tables) then `render_report`. Figures
are drawn on `matplotlib.figure.Figure` objects: the library never changes matplotlib's
global backend or pyplot state.
"""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Sequence
from pathlib import Path

import torch
import xarray as xr
from threadpoolctl import threadpool_limits

from navdecode._io import atomic_write_dir
from navdecode._validation import check_bool, check_int, check_path
from navdecode.agents.networks import Agent
from navdecode.report.compute import check_targets, chosen, compute_report
from navdecode.report.markdown import report_markdown
from navdecode.report.sections import ANALYSES, DEFAULT_OPTIONS
from navdecode.report.tables import (
    ALWAYS_WRITTEN,
    CSV_FRAMES,
    MATRICES,
    ReportTables,
    in_length_unit,
)
from navdecode.report.workers import worker_pool

__all__ = ["check_report_folder", "make_report", "render_report"]


def make_report(out_dir: str | Path, agents: list[tuple[str, int, Agent]] | None = None,
                n_trials: int = 1000, gains: tuple[float, ...] = (1.0, 2.0),
                progress: bool = True, n_threads: int = 1,
                recordings: list[xr.Dataset] | None = None,
                analyses: Sequence[str] = DEFAULT_OPTIONS, overwrite: bool = False,
                n_jobs: int = 1, targets: Sequence[str] = ()) -> Path:
    """Evaluate, record and analyse agents; write figures, tables and ``report.md``.

    Every agent runs the same `n_trials` fixed targets at every gain (one batched
    rollout each). Per recording: behaviour metrics as the paper defines them; position
    decoding from the LSTM units with trial-grouped 5-fold CV, the tutorial's and the
    paper's 70/30 splits; cross-condition decoding (fit 1x, test 2x); and the chosen
    `analyses` (`navdecode.report.ANALYSES`). Architectures are compared on one
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
    analyses : sequence of str, default=DEFAULT_OPTIONS
        Optional sections (`navdecode.report.OPTIONS`): ``"replay"``, ``"controls"``,
        ``"observer"``, ``"perturbation"``, ``"similarity"``, and (not by default)
        ``"dynamics"``: fixed points and DSA.
    overwrite : bool, default=False
        Replace an earlier report in `out_dir` (see `render_report`).
    n_jobs : int, default=1
        Worker processes for the per-network work, each with `n_threads` threads (see
        `compute_report`): on the project's idle 2-core machine ``n_jobs=2`` took 0.62
        of the time of one on the 16 modular and holistic agents (48 s against 77 s;
        docs/guides/scaling.md). The report is the same for any number; peak memory
        grows with it (each worker holds one network's recordings).
    targets : sequence of str, default=()
        Variables to decode beside the position (recorded per step or per trial), with
        grouped CV, controls and the k-label statistics (``navdecode report --decode``).

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
    chosen(analyses)  # an unknown option is refused before the work
    check_targets(targets)
    out = check_report_folder(out_dir, overwrite)  # refused before the work, not after
    torch_threads = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        with threadpool_limits(limits=n_threads), worker_pool(n_jobs) as pool:
            tables = compute_report(agents, recordings, n_trials=n_trials, gains=gains,
                                    analyses=analyses, progress=progress, pool=pool,
                                    targets=targets)
            return render_report(tables, out, overwrite=overwrite, pool=pool)
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


def render_report(tables: ReportTables, out_dir: str | Path, overwrite: bool = False,
                  pool: concurrent.futures.Executor | None = None) -> Path:
    """Write the tables as CSV, draw the figures and write ``report.md``.

    The report is built in a temporary folder beside `out_dir` and swapped in whole, so
    `out_dir` holds one complete report (no file of an earlier one) or, if writing
    fails, what it held before.

    Parameters
    ----------
    tables : ReportTables
        From `navdecode.report.compute_report`.
    out_dir : str or pathlib.Path
        Output folder (created; it must be new, empty or hold an earlier report).
    overwrite : bool, default=False
        Replace an earlier report in `out_dir`.
    pool : concurrent.futures.Executor or None, default=None
        Worker processes that draw the figures (`navdecode.report.workers.worker_pool`);
        this process when None.

    Returns
    -------
    path : pathlib.Path
        The written ``report.md``.

    Examples
    --------
    >>> from navdecode import make_agent
    >>> from navdecode.report import compute_report, render_report
    >>> agents = [("modular", 0, make_agent("modular", seed=0))]
    >>> tables = compute_report(agents, n_trials=20, gains=(1.0,), analyses=(), progress=False)
    >>> render_report(tables, "report/")  # doctest: +SKIP
    PosixPath('report/report.md')
    """
    out = check_report_folder(out_dir, overwrite)
    atomic_write_dir(out, lambda tmp: _write_report(tables, tmp, pool))
    return out / "report.md"


def _write_report(tables: ReportTables, out: Path,
                  pool: concurrent.futures.Executor | None) -> None:
    out.mkdir(parents=True)
    for name, file in CSV_FRAMES.items():
        frame = getattr(tables, name)
        if name in MATRICES:
            if not frame.empty:
                frame.to_csv(out / file)
        elif not frame.empty or name in ALWAYS_WRITTEN:
            tables.plain(frame).to_csv(out / file, index=False)
    internal = in_length_unit(tables, to_unit=False)
    figures = _figures(internal, out, pool)
    (out / "report.md").write_text(report_markdown(internal, figures))


def _figures(tables: ReportTables, out: Path,
             pool: concurrent.futures.Executor | None = None) -> dict[str, str]:
    """Draw every figure the analyses that ran give into `out` (in `pool`'s processes when
    given); the figure names and their files."""
    figures: dict[str, str] = {}
    jobs = []
    for spec in _figure_specs(tables):
        # labels name files: no path separators or odd characters, and no two figures
        # sharing a file when two labels differ only in them
        stem = re.sub(r"[^\w.+-]+", "_", spec.name).strip("._") or "figure"
        taken = set(figures.values())
        file, k = f"{stem}.png", 1
        while file in taken:
            k += 1
            file = f"{stem}-{k}.png"
        figures[spec.name] = file
        jobs.append((spec.plot, spec.args, spec.kwargs, spec.title, out / file))
    if pool is None:
        for job in jobs:
            _draw(*job)
    else:
        list(pool.map(_draw, *zip(*jobs, strict=True)))
    return figures


def _draw(plot: str, args: tuple, kwargs: dict, title: str | None, path: Path) -> None:
    """``navdecode.plotting.<plot>(*args, ax=ax, **kwargs)`` on its own `Figure` (no
    pyplot state, no backend change), saved to `path`."""
    from matplotlib.figure import Figure

    import navdecode.plotting as plotting

    fig = Figure(figsize=(5, 4), layout="constrained")
    ax = fig.subplots()
    getattr(plotting, plot)(*args, ax=ax, **kwargs)
    if title is not None:
        ax.set_title(title, fontsize=8)
    fig.savefig(path, dpi=110)


def _figure_specs(tables: ReportTables) -> list:
    """Every figure of the analyses that ran, in the report's order."""
    return [spec for analysis in ANALYSES.values()
            if analysis.figures is not None and (analysis.option is None
                                                  or analysis.option in tables.analyses)
            for spec in analysis.figures(tables)]
