"""The report's worker processes: one pool for its per-network work and its figures."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
from collections.abc import Iterator

__all__ = ["worker_pool"]


@contextlib.contextmanager
def worker_pool(n_jobs: int) -> Iterator[concurrent.futures.Executor | None]:
    """Worker processes for the report (None: this process does the work), each with this
    process's torch and BLAS threads; spawned, so that no thread pool is inherited.

    `navdecode.report.render.make_report` opens one and hands it to `compute_report`
    (each network's sessions, the perturbation task) and then to `render_report` (the
    figures).

    Examples
    --------
    >>> from navdecode.report.workers import worker_pool
    >>> with worker_pool(1) as pool:
    ...     pool is None
    True
    """
    if n_jobs == 1:
        yield None
        return
    import torch

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
            n_jobs, mp_context=context, initializer=_threads,
            initargs=(torch.get_num_threads(),)) as pool:
        yield pool


def _threads(n: int) -> None:
    """A worker's torch and BLAS threads: this process's. A worker also leaves without
    the interpreter's teardown of torch (seconds, which the report would wait for): its
    last exit handler, run after multiprocessing has sent its results and every other
    handler has run, ends the process."""
    import atexit
    import os

    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    threadpool_limits(n)
    atexit.register(os._exit, 0)
