"""Seeds x architectures of training on dask.distributed (a LocalCluster by default)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from navdecode._validation import check_int, check_path, check_positive, require
from navdecode.training.config import TrainConfig
from navdecode.training.runs import RunFolder, run_status

__all__ = ["sweep"]


def _train_one(config: TrainConfig, out_dir: str) -> dict[str, object]:
    """Train one (arch, seed), resuming an interrupted run; runs inside a dask worker."""
    from navdecode.training.loop import train

    run = train(config, out_dir, resume=RunFolder(out_dir).has_state(), progress=False)
    return {"arch": config.arch, "seed": config.seed, "out_dir": str(out_dir),
            "phase1_trials": run.phase1_trials, "wall_time_s": run.wall_time_s,
            "status": "trained", "error": ""}


def sweep(archs: list[str], seeds: list[int], out_dir: str | Path, *,
          scheduler: str | None = None, n_workers: int | None = None,
          progress: bool = True, poll_s: float = 5.0, **config: object) -> pd.DataFrame:
    """Train every (architecture, seed) pair, one run per dask task.

    Finished runs (``done.json`` present) are skipped; interrupted ones resume from
    their saved state. Each run writes to ``out_dir/<arch>-seed<seed>/``. A run that
    fails is reported (status ``"failed"`` with its error) while the others go on to
    the end.

    Parameters
    ----------
    archs : list of str
        Architecture names.
    seeds : list of int
        Seeds.
    out_dir : str or pathlib.Path
        Parent folder of the runs.
    scheduler : str or None, default=None
        Address of a running dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``); None starts
        a LocalCluster with one single-threaded worker process per CPU core.
    n_workers : int or None, default=None
        Workers of the LocalCluster (default: the number of CPU cores).
    progress : bool, default=True
        One progress bar per run (trials, phase, latest 1x validation reward fraction),
        read from the run folders every `poll_s` seconds.
    poll_s : float, default=5.0
        Seconds between progress reads.
    **config
        Further `TrainConfig` fields shared by every run (e.g. ``n_envs=10``).

    Returns
    -------
    summary : pandas.DataFrame
        One row per run: ``arch``, ``seed``, ``out_dir``, ``phase1_trials``,
        ``wall_time_s``, ``status`` (``"trained"``, ``"skipped"`` or ``"failed"``) and
        ``error`` (the failure, else empty).

    Examples
    --------
    >>> from navdecode import sweep
    >>> sweep(["modular", "holistic"], range(8), "runs/")  # doctest: +SKIP
    """
    out = check_path(out_dir, "out_dir")
    if not archs or not seeds:
        msg = f"archs and seeds must be non-empty, got {archs=}, {seeds=}"
        raise ValueError(msg)
    if n_workers is not None:
        check_int(n_workers, "n_workers", minimum=1)
    check_positive(poll_s, "poll_s")
    require("distributed", "sweep", "sweep (dask.distributed)")
    from dask.distributed import Client, LocalCluster, wait

    configs = [TrainConfig(arch=a, seed=s, torch_threads=1, **config)  # type: ignore[arg-type]
               for a in archs for s in seeds]
    rows, todo = [], []
    for cfg in configs:
        run_dir = out / f"{cfg.arch}-seed{cfg.seed}"
        if RunFolder(run_dir).is_done():
            rows.append({"arch": cfg.arch, "seed": cfg.seed, "out_dir": str(run_dir),
                         "status": "skipped", "error": ""})
        else:
            todo.append((cfg, str(run_dir)))
    if todo:
        cluster = None
        if scheduler is None:
            workers = n_workers or os.cpu_count() or 1
            cluster = LocalCluster(n_workers=min(workers, len(todo)), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
        bars = {d: tqdm(desc=Path(d).name, unit="trial", position=i, disable=not progress,
                        dynamic_ncols=True) for i, (_, d) in enumerate(todo)}
        with Client(scheduler or cluster) as client:
            futures = {client.submit(_train_one, cfg, d, pure=False,
                                     key=f"train-{Path(d).name}"): (cfg, d) for cfg, d in todo}
            pending = set(futures)
            while pending:
                try:
                    done = wait(list(pending), timeout=poll_s, return_when="FIRST_COMPLETED").done
                except TimeoutError:  # none finished within poll_s: refresh the bars
                    done = set()
                for future in done:
                    cfg, d = futures[future]
                    pending.discard(future)
                    if future.status == "finished":
                        rows.append(future.result())
                    else:
                        error = future.exception()
                        rows.append({"arch": cfg.arch, "seed": cfg.seed, "out_dir": d,
                                     "status": "failed",
                                     "error": f"{type(error).__name__}: {error}"})
                        bars[d].write(f"{Path(d).name} failed: {type(error).__name__}: {error}")
                for d, bar in bars.items():
                    status = run_status(d)
                    bar.n = status["trials"]
                    bar.set_postfix(phase=status["phase"],
                                    rf1x=f"{status['reward_fraction_1x']:.2f}")
        for bar in bars.values():
            bar.close()
        if cluster is not None:
            cluster.close()
    return pd.DataFrame(rows).sort_values(["arch", "seed"]).reset_index(drop=True)
