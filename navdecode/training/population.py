"""Many agents trained in one process: a population of runs stepped side by side.

`train_population` trains any number of `TrainConfig`s (any of the 15 actor/critic
combinations, any seeds) in one process, each into a run folder of its own that is
exactly a `train` run's: resumable, exportable, read by ``navdecode status``. The members
take turns, one collection (with its TD3 updates, validation and checkpoint) each; every
member keeps its own networks, optimisers, replay memory, random streams, phase and
task, so a member's folder equals the one `train` makes alone with the same config, and
no member's state reaches another's (both tested).

On a CPU this is the whole design: the fused `nn.LSTM` kernel already runs one
network at the arithmetic limit of a core, and stacking members' weights into batched
matrix products measured slower there at every population size from 1 to 16. The
stacked-weight path for CUDA (one batched task for every member, stacked LSTM and MLP
layers, CUDA graphs) is not built: no GPU was at hand to build and check it on, and
`benchmarks/bench_population.py` says so beside its CPU figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from navdecode._validation import check_instance
from navdecode.task.config import TaskConfig
from navdecode.training.config import TrainConfig
from navdecode.training.loop import TrainingRun, deferred_interrupt, drive, member_steps
from navdecode.training.runs import RunFolder

__all__ = ["member_folders", "train_population"]


def member_folders(out_dir: str | Path, configs: Sequence[TrainConfig]) -> list[Path]:
    """Each member's run folder under `out_dir`: ``<arch>-seed<seed>``.

    Examples
    --------
    >>> from navdecode import TrainConfig
    >>> from navdecode.training.population import member_folders
    >>> [p.name for p in member_folders("runs", [TrainConfig(seed=0), TrainConfig(seed=1)])]
    ['modular-seed0', 'modular-seed1']
    """
    return [Path(out_dir) / f"{c.arch}-seed{c.seed}" for c in configs]


def train_population(configs: Sequence[TrainConfig], out_dir: str | Path, *,
                     resume: bool = False, task_config: TaskConfig | None = None,
                     progress: bool = True) -> list[TrainingRun]:
    """Train every config in one process, each member into ``out_dir/<arch>-seed<seed>``.

    Parameters
    ----------
    configs : sequence of TrainConfig
        One per member; no two with the same (arch, seed).
    out_dir : str or pathlib.Path
        Parent of the members' run folders (`member_folders`).
    resume : bool, default=False
        Continue every member from its saved state (finished members return at once;
        members never started start). Without it a folder that holds a run is refused.
    task_config : TaskConfig or None, default=None
        Task settings of every member (the published ones when None).
    progress : bool, default=True
        One progress bar per member.

    Returns
    -------
    runs : list of TrainingRun
        In the order of `configs`.

    Raises
    ------
    TypeError
        If a config is not a `TrainConfig`.
    ValueError
        If `configs` is empty or two members share an (arch, seed), or a member's folder
        holds a run and `resume` is False.
    KeyboardInterrupt
        On Ctrl-C: every unfinished member saves its state at the end of its current
        collection first, so ``resume=True`` continues the whole population.

    Examples
    --------
    >>> import tempfile
    >>> from navdecode import TrainConfig
    >>> from navdecode.training.population import train_population
    >>> small = dict(n_trials_after_phase1=10, phase1_window=10, phase1_threshold=-1.0,
    ...              validate_every=10, n_envs=5, learning_starts=10, n_validation=10)
    >>> runs = train_population([TrainConfig(seed=s, **small) for s in (0, 1)],
    ...                         tempfile.mkdtemp(), progress=False)
    >>> [run.config.seed for run in runs]
    [0, 1]
    """
    if isinstance(configs, TrainConfig) or not isinstance(configs, Sequence) or not configs:
        msg = f"configs must be a non-empty sequence of TrainConfig, got {configs!r}"
        raise ValueError(msg)
    for i, config in enumerate(configs):
        check_instance(config, f"configs[{i}]", TrainConfig, "a TrainConfig")
    folders = member_folders(out_dir, configs)
    names = [f.name for f in folders]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        msg = f"configs must name each (arch, seed) once, got {twice} more than once"
        raise ValueError(msg)
    runs = []
    for config, folder in zip(configs, folders, strict=True):
        started = RunFolder(folder).has_state()
        runs.append(member_steps(config, folder, resume=resume and started,
                                 task_config=task_config, progress=progress))
    with deferred_interrupt() as interrupted:
        return drive(runs, interrupted)
