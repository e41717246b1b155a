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
from navdecode.report.markdown import report_markdown
from navdecode.report.tables import (
    ANALYSES,
    ReportTables,
    compute_report,
)

__all__ = ["make_report", "render_report"]


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
    atomic_write_text(out / "report.md", report_markdown(tables, figures))
    return out / "report.md"


def _figures(tables: ReportTables, out: Path) -> dict[str, str]:
    """Draw every figure on its own `Figure` (no pyplot state, no backend change)."""
    from matplotlib.figure import Figure

    import navdecode.plotting as plotting

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

    save("roc_curves", lambda ax: plotting.plot_roc_curves(tables.examples, ax=ax))
    if "decoding_untrained_cm" in sessions:
        save("decoding_controls", lambda ax: plotting.plot_decoding_controls(sessions, ax=ax))
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


