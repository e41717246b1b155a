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

import copy
import json
import time
from collections import deque
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import xarray as xr
from tqdm.auto import tqdm

from navdecode._io import atomic_write, atomic_write_text
from navdecode._validation import check_path, torch_generator
from navdecode.agents import Agent, RecurrentActor, make_agent
from navdecode.checkpoints import save_agent
from navdecode.config import TaskConfig
from navdecode.diagnostics import SATURATION_THRESHOLD, preactivations
from navdecode.metrics import session_metrics
from navdecode.replay import Batch, TrajectoryMemory, mirror
from navdecode.rollout import fixed_targets, run_agent
from navdecode.task import FireflyTask
from navdecode.train_config import TrainConfig

__all__ = ["TrainingRun", "critic_loss", "exploration_action", "explore", "phase1_over",
           "phase3_score", "saturation_excess", "select_checkpoint", "smooth_target_action",
           "train", "validate"]

CURVE_COLUMNS = ["episode", "phase", "trials_after_phase1", "task", "reward_fraction",
                 "error_distance", "reward_rate", "actor_saturated", "wall_time_s"]


@dataclass
class TrainingRun:
    """What `train` leaves behind.

    Attributes
    ----------
    out_dir : pathlib.Path
        Run folder: ``config.json``, ``curve.csv``, ``checkpoints/``, ``state.pt``.
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


def explore(action: torch.Tensor, noise: torch.Tensor, threshold: float,
            moved: torch.Tensor) -> torch.Tensor:
    """Exploration action: noise is added unless the actor chose a stop that counts.

    A stop chosen by the actor (both |a| < threshold) in a trial that has `moved` is
    executed as chosen; every other action gets the noise (and may land in the stop
    zone, which is how stopping gets explored). With `moved` all True this is the
    published rule (noise on every clean action that is not a stop); with the task's
    own `moved` (an executed action has moved) it is navdecode's default, under which a
    fresh actor is pushed off the stop zone by noise from its first step. The result is
    clipped to [-1, 1].

    Parameters
    ----------
    action : torch.Tensor of shape (B, 2)
        The actor's (clean) actions.
    noise : torch.Tensor of shape (B, 2)
        Exploration noise.
    threshold : float
        Stop threshold.
    moved : torch.Tensor of shape (B,), bool
        Whether each trial has moved (so that a stop would count).
    """
    is_stop = (action.abs() < threshold).all(dim=-1, keepdim=True) & moved[:, None]
    return torch.where(is_stop, action, action + noise).clamp(-1.0, 1.0)


def exploration_action(clean: torch.Tensor, noise: torch.Tensor, task: FireflyTask,
                       clean_moved: torch.Tensor, rule: str = "until_moved") -> torch.Tensor:
    """The action executed at one step of training, per `TrainConfig.exploration`.

    "until_moved": `explore` with the task's own rule (a stop counts once an executed
    action moved). "published": noise on every clean action that is not a stop, none
    on a clean stop, and a stop counts once a clean action at an *earlier* step was not
    a stop. For that rule `task.moved` is raised for trials whose earlier clean actions
    moved, and `clean_moved` (B,) bool, False at trial start, is updated in place.

    Parameters
    ----------
    clean : torch.Tensor of shape (B, 2)
        The actor's actions without noise.
    noise : torch.Tensor of shape (B, 2)
        Exploration noise.
    task : FireflyTask
        The task about to be stepped with the returned action.
    clean_moved : torch.Tensor of shape (B,), bool
        Whether an earlier clean action of each trial was not a stop.
    rule : {"until_moved", "published"}
    """
    threshold = task.config.stop_threshold
    if rule == "until_moved":
        return explore(clean, noise, threshold, task.moved)
    task.moved |= clean_moved & ~task.done
    clean_moved |= ~(clean.abs() < threshold).all(dim=-1)
    return explore(clean, noise, threshold, torch.ones_like(clean_moved))


def phase1_over(recent: list[bool] | deque[bool], trials: int, config: TrainConfig) -> bool:
    """Whether phase I ends after `trials` trials, given the latest rewarded flags.

    "sliding": more than `phase1_threshold` of the last `phase1_window` trials were
    rewarded. "blocks": the same, judged only when `trials` closes a block of
    `phase1_window` trials (``trials % phase1_window == 0``), over that block.
    """
    if len(recent) < config.phase1_window:
        return False
    if config.phase1_exit == "blocks" and trials % config.phase1_window:
        return False
    last = list(recent)[-config.phase1_window:]
    return float(np.mean(last)) > config.phase1_threshold


def phase3_score(table: pd.DataFrame, config: TrainConfig) -> float:
    """The validation reward fraction compared with `phase3_threshold`.

    "gain1x": the first validation gain's (1x); "any_gain": the largest over gains.
    """
    fractions = table["reward_fraction"]
    return float(fractions.iloc[0] if config.phase3_trigger == "gain1x" else fractions.max())


def smooth_target_action(action: torch.Tensor, noise: torch.Tensor, threshold: float,
                         clip: float) -> torch.Tensor:
    """Target policy smoothing that keeps each action on its side of the stop threshold.

    As published, component by component: for a stop, the (unclipped) noise is added
    and the result is clamped inside the stop zone; for a move, the noise is clipped to
    +-`clip` and a component above `threshold` stays in [threshold, 1], one below
    -`threshold` stays in [-1, -threshold], and a small component of a move stays in
    [-1, 1]. So a stop stays a stop and a move stays a move.
    """
    inside = threshold * (1 - 1e-4)
    is_stop = (action.abs() < threshold).all(dim=-1, keepdim=True)
    stop = (action + noise).clamp(-inside, inside)
    moved = action + noise.clamp(-clip, clip)
    move = torch.where(action > threshold, moved.clamp(threshold, 1.0),
                       torch.where(action < -threshold, moved.clamp(-1.0, -threshold),
                                   moved.clamp(-1.0, 1.0)))
    return torch.where(is_stop, stop, move)


def validate(actor: torch.nn.Module, config: TrainConfig, task_config: TaskConfig,
             trial: int = 0) -> pd.DataFrame:
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
        (rewarded trials / summed trial time), computed by `session_metrics`.
        ``table.attrs["saturated"]`` holds the fraction of validation steps (all gains)
        at which both action components sit in the tanh's flat tails
        (`actor_saturation`): near 1 is the "saturated circling" state in which a run
        can stay for thousands of trials.
    """
    seed = config.validation_seed + (trial if config.validation_fresh_targets else 0)
    targets = fixed_targets(config.n_validation, seed=seed, config=task_config)
    gains = np.repeat(config.validation_gains, len(targets))
    ds = run_agent(actor, np.tile(targets, (len(config.validation_gains), 1)), gain=gains,
                   seed=seed, noise=config.validation_obs_noise, device=config.device,
                   config=replace(task_config, process_noise=False))
    rows = []
    for g in config.validation_gains:
        summary = session_metrics(ds.isel(trial=np.nonzero((ds.gain == g).values)[0]))
        rows.append({"task": f"gain{g:g}x", "reward_fraction": summary["reward_fraction"],
                     "error_distance": summary["stop_error_cm"],
                     "reward_rate": summary["reward_rate"]})
    table = pd.DataFrame(rows)
    table.attrs["saturated"] = _both_saturated(actor, ds)
    return table


def _both_saturated(actor: torch.nn.Module, ds: xr.Dataset) -> float:
    if not isinstance(actor, RecurrentActor):
        return float("nan")
    return float((np.abs(preactivations(actor, ds)) > SATURATION_THRESHOLD).all(axis=1).mean())


def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return torch.where(mask > 0, x, 0.0).sum() / mask.sum()


def _policy_value(critic: torch.nn.Module, batch: Batch, action: torch.Tensor,
                  config: TrainConfig) -> torch.Tensor:
    """Q of policy actions (a `TwinCritic` or one Q network), per `critic_action_history`."""
    if config.critic_action_history == "executed":
        return critic.after_history(batch.inputs, batch.actions, action)
    return critic(batch.inputs, action)


def critic_loss(agent: Agent, target: Agent, batch: Batch, config: TrainConfig,
                threshold: float, gen: torch.Generator) -> torch.Tensor:
    """TD3 critic loss on a padded batch: both Q networks against the clipped double-Q target.

    The target uses the target actor's action plus clipped smoothing noise kept on the
    same side of the stop threshold, and bootstraps from the next step of the same
    trajectory (never past its last step). Padding never enters the loss.
    """
    with torch.no_grad():
        next_a, _ = target.actor(batch.inputs)
        noise = torch.randn(next_a.shape, generator=gen, device=next_a.device)
        next_a = smooth_target_action(next_a, noise * config.target_noise_std, threshold,
                                      config.target_noise_clip)
        q1_t, q2_t = _policy_value(target.critic, batch, next_a, config)
        q_t = torch.minimum(q1_t, q2_t).squeeze(-1)
        q_next = torch.cat([q_t[1:], torch.zeros_like(q_t[:1])])
        y = batch.rewards + config.gamma * (1 - batch.dones) * q_next
    q1, q2 = agent.critic(batch.inputs, batch.actions)
    return _masked_mean((q1.squeeze(-1) - y) ** 2, batch.mask) + _masked_mean(
        (q2.squeeze(-1) - y) ** 2, batch.mask)


def saturation_excess(z: torch.Tensor, mask: torch.Tensor,
                      threshold: float = SATURATION_THRESHOLD) -> torch.Tensor:
    """Masked mean over steps of ``sum(relu(|z| - threshold)^2)`` over action components.

    Zero (with zero gradient) while every pre-tanh read-out stays within +-`threshold`;
    `TrainConfig.saturation_penalty` multiplies it into the actor loss.
    """
    excess = (z.abs() - threshold).clamp(min=0.0)
    return _masked_mean((excess**2).sum(-1), mask)


def _td3_update(agent: Agent, target: Agent, batch: Batch, opt_actor: torch.optim.Optimizer,
                opt_critic: torch.optim.Optimizer, config: TrainConfig, threshold: float,
                update_actor: bool, gen: torch.Generator) -> dict[str, float]:
    """One TD3 step on a padded batch: critic regression, then (delayed) actor and targets."""
    loss = critic_loss(agent, target, batch, config, threshold, gen)
    opt_critic.zero_grad(set_to_none=True)
    loss.backward()
    opt_critic.step()
    out = {"critic_loss": loss.detach().item()}

    if update_actor:
        z, _ = agent.actor.preactivation(batch.inputs)
        q = _policy_value(agent.critic.q1, batch, torch.tanh(z), config)
        actor_loss = -_masked_mean(q.squeeze(-1), batch.mask)
        if config.saturation_penalty:
            actor_loss = actor_loss + config.saturation_penalty * saturation_excess(z, batch.mask)
        opt_actor.zero_grad(set_to_none=True)
        actor_loss.backward()
        opt_actor.step()
        # soft target update: theta' <- tau * theta + (1 - tau) * theta'
        with torch.no_grad():
            online = list(agent.parameters())
            targets = list(target.parameters())
            torch._foreach_mul_(targets, 1 - config.tau)
            torch._foreach_add_(targets, online, alpha=config.tau)
        out["actor_loss"] = actor_loss.detach().item()
    return out


# Fields added to TrainConfig after runs had been started, with the value those runs
# trained under: a config.json without the field was written before it existed.
_BEFORE_FIELD_EXISTED = {"saturation_penalty": 0.0, "critic_action_history": "policy"}


def _check_same_config(path: Path, config: TrainConfig) -> None:
    """Refuse to resume a run with settings other than those it was started with.

    A field missing from an older ``config.json`` takes the value runs had before the
    field existed (`_BEFORE_FIELD_EXISTED`) or else its default; the thread count and the
    device may change between sessions.
    """
    if not path.exists():
        return
    defaults = json.loads(json.dumps(asdict(TrainConfig())))
    saved = {**defaults, **_BEFORE_FIELD_EXISTED, **json.loads(path.read_text())["train"]}
    now = json.loads(json.dumps(asdict(config)))
    differ = sorted(k for k in now if k not in ("torch_threads", "device") and saved[k] != now[k])
    if differ:
        changes = ", ".join(f"{k}: {saved[k]!r} -> {now[k]!r}" for k in differ)
        msg = (f"config differs from the run in {str(path.parent)!r} ({changes}); resume "
               "with the settings the run was started with")
        raise ValueError(msg)


def _save_state(path: Path, **state: object) -> None:
    atomic_write(path, lambda tmp: torch.save(state, tmp))


def train(config: TrainConfig, out_dir: str | Path, *, resume: bool = False,
          task_config: TaskConfig | None = None, progress: bool = True) -> TrainingRun:
    """Train an agent with recurrent TD3, as published, and record its training curve.

    Phase I: exploration noise std 0.8, no observation noise, until more than 20% of the
    last 100 trials are rewarded; the memory is then cleared. Phase II: noise 0.5,
    observation noise on, each trajectory also stored mirrored across the y axis.
    Phase III (once a validation's 1x reward fraction exceeds 0.8): noise 0.4, lr 5e-5.
    Every `validate_every` trials: validation at 1x-4x gain (a curve row per gain) and a
    checkpoint; the full training state (networks, targets, optimisers, replay memory,
    random generators, curve) is saved with it so a killed run resumes exactly there.

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
        Run folder; created if missing.
    resume : bool, default=False
        Continue from ``out_dir/state.pt``. Without it an existing run is refused.
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
    if not isinstance(config, TrainConfig):
        msg = f"config must be a TrainConfig, got {type(config).__name__}"
        raise TypeError(msg)
    out = check_path(out_dir, "out_dir")
    task_config = TaskConfig() if task_config is None else task_config
    state_path = out / "state.pt"
    if state_path.exists() and not resume:
        msg = f"out_dir {str(out)!r} already holds a run; pass resume=True (--resume) to continue"
        raise ValueError(msg)
    if resume and not state_path.exists():
        what = "has no state.pt to resume from" if (out / "config.json").exists() else \
            "holds no run to resume (a mistyped folder?); drop resume (--resume) to start one"
        msg = f"out_dir {str(out)!r} {what}"
        raise ValueError(msg)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    device = torch.device(config.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        msg = f"device={config.device!r} but this torch has no CUDA device; use device='cpu'"
        raise ValueError(msg)
    if device.type == "mps" and not torch.backends.mps.is_available():
        msg = f"device={config.device!r} but MPS is not available here; use device='cpu'"
        raise ValueError(msg)

    # seeding, in one place: every random stream has its own generator
    agent = make_agent(config.arch, seed=config.seed).to(device)
    target = copy.deepcopy(agent)
    opt_actor = torch.optim.Adam(agent.actor.parameters(), lr=config.lr, eps=config.adam_eps)
    opt_critic = torch.optim.Adam(agent.critic.parameters(), lr=config.lr, eps=config.adam_eps)
    task_phase1 = FireflyTask(replace(task_config, obs_noise=False), device=device)
    task_main = FireflyTask(task_config, device=device)
    task_main._gen = task_phase1._gen = torch_generator(config.seed + 1, device)
    noise_gen = torch_generator(config.seed + 2, device)
    sample_gen = torch_generator(config.seed + 3, device)
    memory = TrajectoryMemory(config.memory_size, task_config.max_steps, device)
    threshold = task_config.stop_threshold
    s = {"phase": 1, "trials": 0, "phase1_trials": None, "updates": 0, "env_steps": 0,
         "credit": 0.0,
         "wall_s": 0.0, "curve": [], "recent": []}

    if resume and state_path.exists():
        _check_same_config(out / "config.json", config)
        saved = torch.load(state_path, map_location=device, weights_only=True)
        agent.load_state_dict(saved["agent"])
        target.load_state_dict(saved["target"])
        opt_actor.load_state_dict(saved["opt_actor"])
        opt_critic.load_state_dict(saved["opt_critic"])
        memory.load_state_dict(saved["memory"])
        for gen, key in ((task_main._gen, "gen_task"), (noise_gen, "gen_noise"),
                         (sample_gen, "gen_sample")):
            gen.set_state(saved[key].cpu())
        s = {**s, **json.loads(saved["scalars"])}
    recent = deque(s["recent"], maxlen=config.phase1_window)
    recent_len: deque[int] = deque(maxlen=config.phase1_window)  # progress display only
    atomic_write_text(out / "config.json", json.dumps(
        {"train": asdict(config), "task": asdict(task_config)}, indent=2))

    def write_curve() -> pd.DataFrame:
        curve = pd.DataFrame(s["curve"], columns=CURVE_COLUMNS)
        atomic_write_text(out / "curve.csv", curve.to_csv(index=False))
        return curve

    write_curve()
    bar = tqdm(desc=f"{config.arch} seed {config.seed}", unit="trial", initial=s["trials"],
               disable=not progress, dynamic_ncols=True)
    session_start = time.perf_counter()
    max_len = task_config.max_steps
    sample = memory.sample if config.replay_sampling == "padded" else memory.sample_equal_length

    while True:
        trials_after = s["trials"] - s["phase1_trials"] if s["phase1_trials"] is not None else 0
        if s["phase1_trials"] is not None and trials_after >= config.n_trials_after_phase1:
            break
        if s["phase1_trials"] is None and s["trials"] >= config.max_phase1_trials:
            break

        # collect n_envs trials side by side, updating every `steps_per_update` env steps
        noise_std = {1: config.phase1_noise, 2: config.phase2_noise, 3: config.phase3_noise}[
            s["phase"]]
        task = task_phase1 if s["phase"] == 1 else task_main
        obs, _ = task.reset(options={"batch_size": config.n_envs})
        inputs = torch.zeros(config.n_envs, max_len, 6, device=device)
        actions = torch.zeros(config.n_envs, max_len, 2, device=device)
        rewards = torch.zeros(config.n_envs, max_len, device=device)
        lengths = torch.zeros(config.n_envs, dtype=torch.long, device=device)
        rewarded = torch.zeros(config.n_envs, dtype=torch.bool, device=device)
        hidden = None
        clean_moved = torch.zeros(config.n_envs, dtype=torch.bool, device=device)
        for t in range(max_len):
            active = ~task.done
            lengths += active
            with torch.no_grad():
                clean, hidden = agent.actor(obs[None], hidden)
            clean = clean[0]
            noise = noise_std * torch.randn(clean.shape, generator=noise_gen, device=device)
            action = exploration_action(clean, noise, task, clean_moved, config.exploration)
            inputs[:, t], actions[:, t] = obs, action
            obs, reward, _, _, info = task.step(action)
            rewards[:, t] = reward
            rewarded |= info["rewarded"]
            n_active = int(active.sum())
            s["env_steps"] += n_active
            if len(memory) >= config.learning_starts:
                s["credit"] += n_active / config.steps_per_update
            while s["credit"] >= 1:
                s["credit"] -= 1
                s["updates"] += 1
                _td3_update(agent, target, sample(config.batch_size, sample_gen),
                            opt_actor, opt_critic, config, threshold,
                            update_actor=s["updates"] % config.policy_delay == 0, gen=noise_gen)
            if bool(task.done.all()):
                break
        valid = torch.arange(max_len, device=device)[None] < lengths[:, None]
        inputs, actions = inputs * valid[..., None], actions * valid[..., None]
        memory.add(inputs, actions, rewards, lengths)
        if s["phase"] >= 2:
            memory.add(*mirror(inputs, actions), rewards, lengths)
        recent.extend(rewarded.tolist())
        recent_len.extend(lengths.tolist())
        s["trials"] += config.n_envs
        bar.update(config.n_envs)
        bar.set_postfix(phase=s["phase"], rewarded=f"{np.mean(recent):.2f}",
                        steps=f"{np.mean(recent_len):.1f}", updates=s["updates"],
                        refresh=False)

        # phase I ends when enough recent trials are rewarded: clear the memory
        if s["phase"] == 1 and phase1_over(recent, s["trials"], config):
            s["phase"], s["phase1_trials"] = 2, s["trials"]
            memory.clear()

        # validation, checkpoint and resumable state every `validate_every` trials
        if s["trials"] % config.validate_every == 0:
            wall = s["wall_s"] + time.perf_counter() - session_start
            table = validate(agent.actor, config, task_config, trial=s["trials"])
            after = s["trials"] - s["phase1_trials"] if s["phase1_trials"] is not None else -1
            for row in table.to_dict("records"):
                s["curve"].append({"episode": s["trials"], "phase": s["phase"],
                                   "trials_after_phase1": after, **row,
                                   "actor_saturated": table.attrs["saturated"],
                                   "wall_time_s": wall})
            frac1 = float(table["reward_fraction"].iloc[0])
            if s["phase"] == 2 and phase3_score(table, config) > config.phase3_threshold:
                s["phase"] = 3
                for opt in (opt_actor, opt_critic):
                    for group in opt.param_groups:
                        group["lr"] = config.lr_phase3
            if progress:
                bar.write(f"trial {s['trials']}: phase {s['phase']}, validation 1x reward "
                          f"fraction {frac1:.3f}, error {table['error_distance'].iloc[0]:.0f} cm, "
                          f"actor saturated at {table.attrs['saturated']:.0%} of steps")
            save_agent(agent, out / "checkpoints" / f"trial_{s['trials']:06d}.pt",
                       metadata={"trial": s["trials"], "phase": s["phase"],
                                 "trials_after_phase1": after, "seed": config.seed},
                       include_critic=False)  # the critic lives in state.pt
            s["recent"] = list(recent)
            s["wall_s"] = wall
            session_start = time.perf_counter()
            _save_state(state_path, agent=agent.state_dict(), target=target.state_dict(),
                        opt_actor=opt_actor.state_dict(), opt_critic=opt_critic.state_dict(),
                        memory=memory.state_dict(), gen_task=task_main._gen.get_state(),
                        gen_noise=noise_gen.get_state(), gen_sample=sample_gen.get_state(),
                        scalars=json.dumps(s))
            write_curve()
    bar.close()
    atomic_write_text(out / "done.json", json.dumps(
        {"trials": s["trials"], "phase1_trials": s["phase1_trials"], "wall_s": s["wall_s"],
         "updates": s["updates"], "env_steps": s["env_steps"]}))
    return TrainingRun(out, config, write_curve(), s["phase1_trials"], s["wall_s"])


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
    from navdecode._validation import check_choice

    run_dir = check_path(run_dir, "run_dir")
    check_choice(criterion, "criterion", ("gain1x", "sum"))
    curve_path = run_dir / "curve.csv"
    if not curve_path.exists():
        msg = f"run_dir {str(run_dir)!r} has no curve.csv"
        raise ValueError(msg)
    curve = pd.read_csv(curve_path)
    if window is None:
        window = json.loads((run_dir / "config.json").read_text())["train"][
            "n_trials_after_phase1"]
    post = curve[(curve["trials_after_phase1"] > 0) & (curve["trials_after_phase1"] <= window)]
    if post.empty:
        msg = f"run_dir {str(run_dir)!r} has no validation after phase I yet"
        raise ValueError(msg)
    if criterion == "gain1x":
        score = post[post["task"] == "gain1x"].set_index("episode")["reward_rate"]
    else:
        score = post.groupby("episode")["reward_rate"].sum()
    best = int(score.idxmax())
    return run_dir / "checkpoints" / f"trial_{best:06d}.pt"
