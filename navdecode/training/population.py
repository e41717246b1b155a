"""Many agents trained in one process: a population of runs stepped side by side.

`train_population` trains any number of `TrainConfig`s (any of the 15 actor/critic
combinations, any seeds) in one process, each into a run folder of its own that is
exactly a `train` run's: resumable, exportable, read by ``navdecode status``. The members
take turns, one collection (with its TD3 updates, validation and checkpoint) each; every
member keeps its own networks, optimisers, replay memory, random streams, phase and
task, so a member's folder equals the one `train` makes alone with the same config, and
no member's state reaches another's (both tested).

Two paths behind one interface (``stacked``):

- **separate** (the default on a CPU): the members take turns, one collection each, each
  on its own modules. The fused `nn.LSTM` kernel already runs one network at the
  arithmetic limit of a core, and stacking members' weights into batched matrix products
  measured slower there at every population size from 1 to 16.
- **stacked** (the default when every member trains on CUDA): members of one
  architecture and configuration (seeds apart) collect in lockstep, their actors acting in
  one batched pass and the members that owe a TD3 update taking it together on stacked
  networks (`navdecode.training.stacked`), so a GPU runs one kernel per layer and step for
  all of them instead of one per member. Each member keeps its own tasks, memory, random
  streams, phase and folder; the stacked arithmetic equals the separate one within float
  tolerance (tested on a CPU). It has not yet run on a GPU: none was lent to this work,
  so its speed there is unmeasured (`benchmarks/bench_population.py --device cuda`
  measures it) and ``stacked=False`` is the fallback. CUDA graphs are not used, and each
  member's task still steps on its own (N small launches per step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from navdecode._validation import check_instance
from navdecode.task.config import TaskConfig
from navdecode.training.config import TrainConfig
from navdecode.training.learner import collect_together
from navdecode.training.loop import (
    Member,
    TrainingRun,
    deferred_interrupt,
    drive,
    member_steps,
    prepare_member,
)
from navdecode.training.runs import Progress, RunFolder
from navdecode.training.stacked import StackedMembers, stack_key

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
                     progress: bool = True, stacked: bool | None = None
                     ) -> list[TrainingRun]:
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
    stacked : bool or None, default=None
        Train members of one architecture and configuration on stacked networks in
        lockstep (see the module docstring); None: when every member's device is CUDA.
        Members whose configurations differ apart from seed and threads form separate
        stacks.

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
    if stacked is None:
        stacked = all(torch.device(c.device).type == "cuda" for c in configs)
    check_instance(stacked, "stacked", bool, "a bool or None")
    members = [prepare_member(config, folder, resume=resume and RunFolder(folder).has_state(),
                              task_config=task_config)
               for config, folder in zip(configs, folders, strict=True)]
    if not stacked:
        with deferred_interrupt() as interrupted:
            return drive([member_steps(m, progress=progress) for m in members], interrupted)
    lockstep = _Lockstep(members)
    steps = [member_steps(m, progress=progress, collect=lockstep.collected(i))
             for i, m in enumerate(members)]
    with deferred_interrupt() as interrupted:
        return drive(steps, interrupted, before_round=lockstep.collect)


class _Lockstep:
    """The stacked path: every unfinished member's next collection, stack by stack.

    Members are grouped by architecture and configuration (seed and threads apart); a
    group's stack is rebuilt from its members' own modules whenever a member finishes,
    and written back into them after every collection, where the run folders see them.
    """

    def __init__(self, members: Sequence[Member]) -> None:
        self.members = list(members)
        groups: dict[str, list[int]] = {}
        for i, m in enumerate(members):
            groups.setdefault(stack_key(m.config), []).append(i)
        self.groups = list(groups.values())
        self.stacks: dict[int, tuple[tuple[int, ...], StackedMembers]] = {}
        self.pending: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def collected(self, i: int) -> Callable[[Progress], tuple[torch.Tensor, torch.Tensor]]:
        """Member i's `member_steps` collection: the one `collect` made for it."""
        return lambda run: self.pending.pop(i)

    def collect(self) -> None:
        for g, group in enumerate(self.groups):
            due = tuple(i for i in group if not self.members[i].finished())
            if not due:
                continue
            if g not in self.stacks or self.stacks[g][0] != due:
                learners = [self.members[i].learner for i in due]
                self.stacks[g] = (due, StackedMembers(learners))
            stack = self.stacks[g][1]
            threads = self.members[due[0]].config.torch_threads
            if threads and torch.get_num_threads() != threads:
                torch.set_num_threads(threads)  # the stack's first member's setting
            results = collect_together(stack.learners, [self.members[i].run for i in due],
                                       stack.act, stack.update)
            stack.write_back()
            self.pending.update(zip(due, results, strict=True))
