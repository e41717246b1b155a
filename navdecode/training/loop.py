"""Recurrent TD3 as published (phases I-III), batched collection, checkpoints and resume.

Each way in which the defaults differ from the published training code is a
`TrainConfig` field, and `TrainConfig.published()` selects the published choice for all
of them (the table is in `TrainConfig`'s docstring and the training guide, with the
experiment that decided each default):

1. ``n_envs`` trials (default 10) are collected side by side in one batched task; the
   update-to-data ratio stays one update per ``steps_per_update`` environment steps,
   interleaved with collection. ``n_envs=1`` is the published one-at-a-time schedule.
2. ``replay_sampling``: padded, masked batches drawn with replacement ("padded") or the
   published equal-length batches without replacement ("equal_length").
3. ``exploration``: noise withheld only from stops that count, a stop counting once an
   executed action moved ("until_moved"), or the published rule ("published").
4. ``phase1_exit`` and ``max_phase1_trials``: a sliding window checked after every
   collection (60,000-trial cap) or the published blocks of 100 (50,000 cap).
5. ``validation_obs_noise``, ``validation_fresh_targets``, ``phase3_trigger``: a fixed,
   noise-free validation whose 1x result starts phase III, or the published one
   (observation noise, new targets, any gain).
6. ``saturation_penalty``: the actor loss adds ``w * mean(sum(relu(|z| - 3)^2))`` on the
   pre-tanh read-out z (default w = 1; 0 is the published loss).
7. ``critic_action_history``: a critic whose LSTM takes the action values the policy's
   action at step t after the replayed actions ("executed") or over the policy's
   actions at every step ("policy", the literal reading of -Q1(s, pi(s))).

As in the published code, a timeout ends a trajectory like a stop (no bootstrap past it)
and target smoothing keeps every action on its side of the stop threshold.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import xarray as xr
from tqdm.auto import tqdm

from navdecode._validation import check_device_here, check_instance
from navdecode.agents.checkpoints import save_agent, save_critic
from navdecode.agents.networks import RecurrentActor
from navdecode.analysis.critic import critic_summary, critic_values
from navdecode.analysis.diagnostics import SATURATION_THRESHOLD, pinned_fraction, preactivations
from navdecode.analysis.metrics import session_metrics
from navdecode.recording.rollout import fixed_targets, run_agent
from navdecode.task.config import TaskConfig
from navdecode.training.config import TrainConfig
from navdecode.training.exploration import phase1_over, phase3_score
from navdecode.training.learner import Learner
from navdecode.training.runs import (
    CURVE_COLUMNS,
    Progress,
    RunFolder,
    command_line,
    select_checkpoint,
)

__all__ = ["TrainingRun", "train", "validate"]

@dataclass
class TrainingRun:
    """What `train` leaves behind.

    Attributes
    ----------
    out_dir : pathlib.Path
        Run folder (`navdecode.training.runs.RunFolder`).
    config : TrainConfig
    curve : pandas.DataFrame
        Tidy training curve, one row per validation and gain (`CURVE_COLUMNS`).
    phase1_trials : int or None
        Trials spent in phase I (None if it never ended).
    wall_time_s : float
        Training wall-clock, summed over resumed sessions.

    Examples
    --------
    >>> from navdecode import TrainConfig, train
    >>> run = train(TrainConfig(), "runs/modular-seed0", resume=True)  # doctest: +SKIP
    >>> run.best_checkpoint()  # doctest: +SKIP
    """

    out_dir: Path
    config: TrainConfig
    curve: pd.DataFrame
    phase1_trials: int | None
    wall_time_s: float

    def best_checkpoint(self, criterion: str = "gain1x") -> Path:
        """The selected checkpoint (see `select_checkpoint`)."""
        return select_checkpoint(self.out_dir, criterion=criterion)


def validate(actor: torch.nn.Module, config: TrainConfig, task_config: TaskConfig,
             trial: int = 0, critic: torch.nn.Module | None = None) -> pd.DataFrame:
    """Run the validation targets at every validation gain, batched.

    Process noise is off; observation noise is on if `TrainConfig.validation_obs_noise`.
    The targets are the same at every validation unless
    `TrainConfig.validation_fresh_targets`, when they (and the observation noise) are
    drawn from ``validation_seed + trial``.

    Returns
    -------
    table : pandas.DataFrame
        One row per gain: ``task`` (``"gain1x"`` ...), ``reward_fraction``,
        ``error_distance`` (mean stop-to-target distance, cm) and ``reward_rate``
        (rewarded trials / summed trial time), computed by `session_metrics`; with a
        `critic` (the agent's), ``td_error_abs`` and ``value_est`` of `critic_summary`
        on the validation trials (the TD error of the trials as run, with the run's
        ``gamma``: the paper's validation logs them, its figures 3d, S3g, 4h, S6c-d).
        ``table.attrs["saturated"]`` holds the fraction of validation steps (all gains)
        at which both action components sit in the tanh's flat tails
        (`actor_saturation`): near 1 is the "saturated circling" state in which a run
        can stay for thousands of trials. ``table.attrs["pinned"]`` holds the fraction of
        validation steps (all gains) with both |action| >= 0.95 (`pinned_fraction`): the
        circling behaviour itself, which the saturation penalty does not hide.
    """
    seed = config.validation_seed + (trial if config.validation_fresh_targets else 0)
    targets = fixed_targets(config.n_validation, seed=seed, config=task_config)
    gains = np.repeat(config.validation_gains, len(targets))
    ds = run_agent(actor, np.tile(targets, (len(config.validation_gains), 1)), gain=gains,
                   seed=seed, noise=config.validation_obs_noise, device=config.device,
                   config=replace(task_config, process_noise=False))
    rows = []
    # the critic as it is at this trial, trained or not yet (before learning starts)
    values = critic_values(critic, ds, gamma=config.gamma, allow_untrained=True) \
        if critic is not None else None
    for g in config.validation_gains:
        rows_g = np.nonzero((ds.gain == g).values)[0]
        summary = session_metrics(ds.isel(trial=rows_g))
        rows.append({"task": f"gain{g:g}x", "reward_fraction": summary["reward_fraction"],
                     "error_distance": summary["stop_error_cm"],
                     "reward_rate": summary["reward_rate"]})
        if values is not None:
            critic_g = critic_summary(values.isel(trial=rows_g))
            rows[-1] |= {"td_error_abs": critic_g["TD_error_abs"],
                         "value_est": critic_g["value_est"]}
    table = pd.DataFrame(rows)
    table.attrs["saturated"] = _both_saturated(actor, ds)
    table.attrs["pinned"] = pinned_fraction(ds)
    return table


def _both_saturated(actor: torch.nn.Module, ds: xr.Dataset) -> float:
    if not isinstance(actor, RecurrentActor):
        return float("nan")
    return float((np.abs(preactivations(actor, ds)) > SATURATION_THRESHOLD).all(axis=1).mean())


def _check_same_config(folder: RunFolder, config: TrainConfig) -> None:
    """Refuse to resume a run with settings other than those it was started with.

    A field missing from an older ``config.json`` takes the value runs had before the
    field existed (`TrainConfig.from_saved`); the thread count and the
    device may change between sessions.
    """
    if not folder.config.exists():
        return
    saved_json = folder.read_config()
    if not isinstance(saved_json.get("train"), dict):
        msg = (f"{str(folder.config)!r} has no 'train' settings; it is not a navdecode "
               "run's config")
        raise ValueError(msg)
    saved = json.loads(json.dumps(asdict(TrainConfig.from_saved(saved_json["train"]))))
    now = json.loads(json.dumps(asdict(config)))
    differ = sorted(k for k in now if k not in ("torch_threads", "device") and saved[k] != now[k])
    if differ:
        changes = ", ".join(f"{k}: {saved[k]!r} -> {now[k]!r}" for k in differ)
        msg = (f"config differs from the run in {str(folder.path)!r} ({changes}); resume "
               "with the settings the run was started with")
        raise ValueError(msg)


def train(config: TrainConfig, out_dir: str | Path, *, resume: bool = False,
          task_config: TaskConfig | None = None, progress: bool = True) -> TrainingRun:
    """Train an agent with recurrent TD3, as published, and record its training curve.

    Phase I: exploration noise std 0.8, no observation noise, until more than 20% of the
    last 100 trials are rewarded; the memory is then cleared. Phase II: noise 0.5,
    observation noise on, each trajectory also stored mirrored across the y axis.
    Phase III (once a validation's 1x reward fraction exceeds 0.8): noise 0.4, lr 5e-5.
    Every `validate_every` trials: validation at 1x-4x gain (a curve row per gain) and a
    checkpoint; the full training state (`navdecode.training.runs.TrainingState`: networks,
    targets, optimisers, replay memory, random generators, curve) is saved with it so a
    killed run resumes exactly there. The state it replaces is kept as ``state.prev.pt``
    and used when the newer one is unreadable. Ctrl-C (SIGINT, in the main thread) is
    honoured at the end of the current collection: the state is saved there and
    `KeyboardInterrupt` raised, so ``resume=True`` continues from that trial; a second
    Ctrl-C stops at once. Where SIGINT is ignored (``nohup ... &``) it stays ignored.

    Where the defaults differ from the published code (collection `n_envs` at a time,
    padded replay batches, the exploration rule, the phase-I window and cap, the
    validation and the phase-III trigger, the saturation penalty, the critic's action
    history), `TrainConfig.published()` restores the published choice; the module
    docstring lists them and the training guide gives the evidence for each default.
    As published, a timeout ends a trajectory like a stop and target smoothing keeps
    every action on its side of the stop threshold.

    Parameters
    ----------
    config : TrainConfig
        Training settings.
    out_dir : str or pathlib.Path
        Run folder (`navdecode.training.runs.RunFolder`); created if missing. Temporary files of
        killed writes in it are removed.
    resume : bool, default=False
        Continue from the run's saved state. Without it an existing run is refused.
    task_config : TaskConfig or None, default=None
        Task settings (the published ones when None).
    progress : bool, default=True
        Show a tqdm bar (phase, trials, last 1x validation reward fraction).

    Returns
    -------
    run : TrainingRun

    Examples
    --------
    >>> import tempfile
    >>> from navdecode import TrainConfig, train
    >>> config = TrainConfig(n_trials_after_phase1=10, phase1_window=10, phase1_threshold=-1.0,
    ...                      validate_every=10, n_envs=5, learning_starts=10, n_validation=10)
    >>> run = train(config, tempfile.mkdtemp(), progress=False)
    >>> run.phase1_trials, len(run.curve)
    (10, 8)
    """
    check_instance(config, "config", TrainConfig, "a TrainConfig")
    member = prepare_member(config, out_dir, resume=resume, task_config=task_config)
    with deferred_interrupt() as interrupted:
        return drive([member_steps(member, progress=progress)], interrupted)[0]


@dataclass
class Member:
    """A run ready to train: its settings, folder, learner and progress (`prepare_member`)."""

    config: TrainConfig
    task_config: TaskConfig
    folder: RunFolder
    learner: Learner
    run: Progress

    def finished(self) -> bool:
        """Whether the run has collected all its trials."""
        return _finished(self.run, self.config)


def prepare_member(config: TrainConfig, out_dir: str | Path, *, resume: bool = False,
                   task_config: TaskConfig | None = None) -> Member:
    """Check and prepare `train`'s run folder and load the saved state (with `resume`).

    The run's random streams and networks are its own, so runs stepped side by side
    (`navdecode.training.population.train_population`) equal runs made one at a time.
    """
    folder = RunFolder(out_dir)
    task_config = TaskConfig() if task_config is None else task_config
    if folder.has_state() and not resume:
        msg = (f"out_dir {str(folder.path)!r} already holds a run; pass resume=True "
               "(--resume) to continue")
        raise ValueError(msg)
    if resume and not folder.has_state():
        what = "has no state.pt to resume from" if folder.config.exists() else \
            "holds no run to resume (a mistyped folder?); drop resume (--resume) to start one"
        msg = f"out_dir {str(folder.path)!r} {what}"
        raise ValueError(msg)
    if resume:
        _check_same_config(folder, config)
    device = _training_device(config)
    folder.clean_temporaries()
    learner = Learner(config, task_config, device)
    state = folder.load_state(device) if resume else None
    if state is not None:
        learner.load(state)
    run = state.progress if state is not None else Progress()
    return Member(config, task_config, folder, learner, run)


def member_steps(member: Member, *, progress: bool = True,
                 collect: Callable[[Progress], tuple[torch.Tensor, torch.Tensor]] | None = None
                 ) -> Generator[None, bool, TrainingRun | None]:
    """`train`'s loop as a generator, top to bottom: one collection (with its updates,
    validation and checkpoint) per step; the value sent in says whether to stop there
    (the state is then saved and the generator returns None). `drive` runs one or many.

    `collect` gives the step's collection (the member's own ``learner.collect`` when
    None; the stacked population collects every member's trials together beforehand).
    With a `collect` given, the generator also yields once before its first collection,
    so that every member is set up (folder, thread count, wall clock) before the
    population collects for them.
    """
    config, task_config, folder = member.config, member.task_config, member.folder
    learner, run = member.learner, member.run
    lockstep = collect is not None
    collect = learner.collect if collect is None else collect
    folder.start({"train": asdict(config), "task": asdict(task_config)},
                 command_line(f"navdecode.train({config!r}, {str(folder.path)!r})"),
                 trial=run.trials)

    recent = deque(run.recent, maxlen=config.phase1_window)
    recent_len: deque[int] = deque(maxlen=config.phase1_window)  # progress display only
    folder.write_curve(_curve(run))
    bar = tqdm(desc=f"{config.arch} seed {config.seed}", unit="trial", initial=run.trials,
               disable=not progress, dynamic_ncols=True)
    session_start = time.perf_counter()

    def save() -> None:
        nonlocal session_start
        run.recent = list(recent)
        run.wall_s += time.perf_counter() - session_start
        session_start = time.perf_counter()
        folder.save_state(learner.state(run))

    if lockstep and (yield):  # set up; the population collects next (or stops here)
        save()
        bar.close()
        return None
    while not _finished(run, config):
        if torch.get_num_threads() != config.torch_threads and config.torch_threads:
            torch.set_num_threads(config.torch_threads)  # members may differ
        rewarded, lengths = collect(run)
        recent.extend(rewarded.tolist())
        recent_len.extend(lengths.tolist())
        run.trials += config.n_envs
        bar.update(config.n_envs)
        bar.set_postfix(phase=run.phase, rewarded=f"{np.mean(recent):.2f}",
                        steps=f"{np.mean(recent_len):.1f}", updates=run.updates,
                        refresh=False)

        # phase I ends when enough recent trials are rewarded: clear the memory
        if run.phase == 1 and phase1_over(recent, run.trials, config):
            run.phase, run.phase1_trials = 2, run.trials
            learner.memory.clear()

        # validation, checkpoint and resumable state every `validate_every` trials
        if run.trials % config.validate_every == 0:
            wall = run.wall_s + time.perf_counter() - session_start
            table = validate(learner.agent.actor, config, task_config, trial=run.trials,
                             critic=learner.agent.critic)
            after = run.trials_after_phase1 if run.phase1_trials is not None else -1
            run.curve.extend({"episode": run.trials, "phase": run.phase,
                              "trials_after_phase1": after, **row,
                              "actor_saturated": table.attrs["saturated"],
                              "actor_pinned": table.attrs["pinned"],
                              "wall_time_s": wall} for row in table.to_dict("records"))
            if run.phase == 2 and phase3_score(table, config) > config.phase3_threshold:
                run.phase = 3
                learner.set_lr(config.lr_phase3)
            if progress:
                frac1 = float(table["reward_fraction"].iloc[0])
                bar.write(f"trial {run.trials}: phase {run.phase}, validation 1x reward "
                          f"fraction {frac1:.3f}, error "
                          f"{table['error_distance'].iloc[0]:.0f} cm, actor saturated at "
                          f"{table.attrs['saturated']:.0%} and pinned at "
                          f"{table.attrs['pinned']:.0%} of steps")
            save_agent(learner.agent, folder.checkpoint(run.trials),
                       metadata={"trial": run.trials, "phase": run.phase,
                                 "trials_after_phase1": after, "seed": config.seed},
                       include_critic=False,  # its own file, below
                       overwrite=True)  # a resumed run rewrites its own checkpoint
            save_critic(learner.agent, folder.critic_checkpoint(run.trials),
                        metadata={"trial": run.trials, "seed": config.seed},
                        overwrite=True)
            save()
            folder.write_curve(_curve(run))
        if (yield):  # stop here: Ctrl-C, or the population stopping
            save()
            bar.close()
            return None
    bar.close()
    run.wall_s += time.perf_counter() - session_start
    folder.finish({"trials": run.trials, "phase1_trials": run.phase1_trials,
                   "wall_s": run.wall_s, "updates": run.updates, "env_steps": run.env_steps})
    curve = _curve(run)
    folder.write_curve(curve)
    return TrainingRun(folder.path, config, curve, run.phase1_trials, run.wall_s)


def drive(runs: list[Generator], interrupted: Callable[[], bool],
          before_round: Callable[[], None] | None = None) -> list[TrainingRun]:
    """Step every run (`member_steps`) in turn, one collection each, until all are done.

    `before_round`, when given, runs before each round but the first, in which every run
    only starts (the stacked population collects every member's trials there; its
    `member_steps` yield once before their first collection). When `interrupted` says so
    after a round, every unfinished run saves its state where it stands and
    `KeyboardInterrupt` is raised.
    """
    results: list[TrainingRun | None] = [None] * len(runs)
    live: dict[int, Generator] = dict(enumerate(runs))
    started = False
    while live:
        stop = started and interrupted()
        if before_round is not None and started and not stop:
            before_round()
        for i, steps in list(live.items()):
            try:
                steps.send(stop) if started else next(steps)
            except StopIteration as done:
                results[i] = done.value
                del live[i]
        started = True
        if stop:
            raise KeyboardInterrupt
    return results


def _training_device(config: TrainConfig) -> torch.device:
    """Set torch's threads and check that the configured device exists here."""
    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    return check_device_here(config.device)


def _finished(run: Progress, config: TrainConfig) -> bool:
    if run.phase1_trials is None:
        return run.trials >= config.max_phase1_trials
    return run.trials_after_phase1 >= config.n_trials_after_phase1


def _curve(run: Progress) -> pd.DataFrame:
    return pd.DataFrame(run.curve, columns=CURVE_COLUMNS)


@contextmanager
def deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Hold a first Ctrl-C until the loop asks (``interrupted()``); a second one stops at once.

    Only the main thread can handle signals; elsewhere (e.g. a dask worker) Ctrl-C is left
    as it is and ``interrupted()`` is always False. So it is where Ctrl-C is ignored (a
    run started with ``nohup ... &``): such a run keeps ignoring it.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN):
        yield lambda: False
        return
    caught: list[int] = []

    def handler(signum: int, frame: object) -> None:
        if caught:
            raise KeyboardInterrupt
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(caught)
    finally:
        signal.signal(signal.SIGINT, previous)
