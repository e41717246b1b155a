"""`TrainConfig`: the published recurrent-TD3 training numbers as defaults."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields

import numpy as np

from navdecode._validation import (
    check_choice,
    check_device,
    check_finite,
    check_int,
    check_positive,
)
from navdecode.agents.networks import ARCHITECTURES

__all__ = ["TrainConfig"]

# Fields added to TrainConfig after runs had been started, with the value those runs
# trained under: a saved config without the field was written before it existed. Fields
# added later whose default is the earlier behaviour need no entry.
BEFORE_FIELD_EXISTED = {"saturation_penalty": 0.0, "critic_action_history": "policy"}


@dataclass(frozen=True)
class TrainConfig:
    """Settings of `train` (recurrent TD3 as published by Zhang, Pitkow & Angelaki 2024).

    Every default is the published value except the fields listed below, each of which
    can be set to what the published code does; `TrainConfig.published` sets all of
    them at once. The training guide's deviation table gives the evidence for each default.

    ========================== ===================== =====================================
    field                      default               published
    ========================== ===================== =====================================
    `n_envs`                   10 trials side by side 1 (one trial at a time)
    `max_phase1_trials`        60,000                50,000
    `exploration`              "until_moved"         "published"
    `phase1_exit`              "sliding"             "blocks"
    `replay_sampling`          "padded"              "equal_length"
    `validation_obs_noise`     False                 True
    `validation_fresh_targets` False                 True
    `phase3_trigger`           "gain1x"              "any_gain"
    `saturation_penalty`       1.0                   0.0
    `critic_action_history`    "executed"            "policy"
    ========================== ===================== =====================================

    Examples
    --------
    >>> from navdecode import TrainConfig
    >>> TrainConfig(arch="holistic", seed=3).gamma
    0.97
    """

    arch: str = "modular"
    """Architecture name (see `make_agent`)."""
    seed: int = 0
    """Seed of the initial weights, the task, the exploration noise and the replay draws."""
    n_trials_after_phase1: int = 10_000
    """Training length after phase I, in trials."""
    max_phase1_trials: int = 60_000
    """Give up (end the run) if phase I has not ended after this many trials (the
    published code gives up after 50,000)."""
    gamma: float = 0.97
    """Discount factor."""
    tau: float = 0.005
    """Soft target-network update rate."""
    policy_delay: int = 2
    """One actor (and target) update every this many critic updates."""
    target_noise_std: float = 0.05
    """Std of the target-policy smoothing noise."""
    target_noise_clip: float = 0.1
    """Smoothing noise is clipped to +-this (and kept on the same side of the stop threshold)."""
    lr: float = 3e-4
    """Adam learning rate of actor and critic (phases I and II)."""
    lr_phase3: float = 5e-5
    """Adam learning rate in phase III."""
    adam_eps: float = 1.5e-4
    """Adam epsilon."""
    batch_size: int = 16
    """Whole trajectories per update."""
    memory_size: int = 100_000
    """Replay memory capacity, in trajectories."""
    steps_per_update: int = 4
    """One gradient update per this many environment steps."""
    learning_starts: int = 800
    """Updates begin once this many trajectories are stored."""
    phase1_noise: float = 0.8
    """Exploration noise std in phase I (no observation noise in phase I)."""
    phase1_window: int = 100
    """Phase I ends when more than `phase1_threshold` of this many trials are rewarded
    (the last this-many, or the latest block of this many: see `phase1_exit`)."""
    phase1_exit: str = "sliding"
    """How phase I's rewarded fraction is counted. "sliding": over the last
    `phase1_window` trials, checked after every collection of `n_envs` trials;
    "blocks" (published): over consecutive, non-overlapping blocks of `phase1_window`
    trials, checked once at the end of each block."""
    phase1_threshold: float = 0.2
    """Rewarded fraction that ends phase I (the memory is then cleared); below 0 the phase
    ends at its first check, which short runs use."""
    phase2_noise: float = 0.5
    """Exploration noise std in phase II (observation noise on, mirrored trajectories stored)."""
    phase3_noise: float = 0.4
    """Exploration noise std in phase III."""
    phase3_threshold: float = 0.8
    """Phase III starts once a validation's reward fraction exceeds this (at which gains:
    `phase3_trigger`)."""
    phase3_trigger: str = "gain1x"
    """Which validation gains can start phase III. "gain1x": the 1x reward fraction
    (the trained gain); "any_gain" (published): any validation gain's."""
    exploration: str = "until_moved"
    """When exploration noise is added to the actor's clean action. Both rules leave
    a clean stop (both |a| < the stop threshold) without noise once a stop would count.
    "until_moved": a stop counts once an executed action has moved (the task's own rule),
    and before that every action gets noise; "published": every clean action that is
    not a stop gets noise, no clean stop does, and a stop counts once an earlier *clean*
    action was not a stop (the published `cross_start_threshold`). Under "published" a
    fresh actor whose outputs lie in the stop zone stands still until updates move it;
    under "until_moved" it stops after 2 steps in most early trials."""
    replay_sampling: str = "padded"
    """How replay batches are drawn. "padded": `batch_size` trajectories uniformly with
    replacement, padded to the longest and masked; "equal_length" (published): from a
    random tenth of the memory (all of it while it holds less than a tenth of
    `memory_size`) draw one trajectory, then up to `batch_size` trajectories of that
    same length from the tenth, without replacement (fewer when fewer exist)."""
    saturation_penalty: float = 1.0
    """Not published: weight of ``mean(sum(relu(|z| - 3)^2))`` over the actor's pre-tanh
    read-out z, added to the actor loss. It leaves the objective unchanged while every
    |z| <= 3 (actions up to tanh(3) = 0.995) and pulls back read-outs that run deep into
    the tanh's flat tails ("saturated circling", see the training guide). 0 is the
    published loss."""
    critic_action_history: str = "executed"
    """What the critic's LSTM sees for the steps before t when it values the policy's
    action at step t (TD target and actor loss); it matters only for critics whose LSTM
    takes the action (holistic). "executed": the replayed actions before t and the
    policy's at t (`RecurrentCritic.after_history`); "policy": one pass over the policy's
    actions at every step, the literal reading of the published loss -Q1(s, pi(s)).
    Critics whose LSTM never sees the action (modular) compute the same either way."""
    validate_every: int = 500
    """Validate (and checkpoint) every this many trials."""
    n_validation: int = 300
    """Fixed validation targets, run without process or observation noise."""
    validation_seed: int = 2024
    """Seed of the validation targets (the same for every run)."""
    validation_obs_noise: bool = False
    """Observation noise in the in-training validation runs (process noise is always
    off there). False: the fixed noise-free curve; True (published): on, as in phases
    II and III."""
    validation_fresh_targets: bool = False
    """False: every validation uses the same `n_validation` targets; True (published):
    new targets at each validation (drawn from `validation_seed` and the trial count)."""
    validation_gains: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
    """Gain factors of the validation runs."""
    n_envs: int = 10
    """Trials collected side by side in one batched task (must divide `validate_every`)."""
    device: str = "cpu"
    """Torch device of the networks, the task and the replay memory."""
    torch_threads: int = 0
    """CPU threads for torch (0 keeps torch's default)."""

    def __post_init__(self) -> None:
        check_choice(self.arch, "arch", ARCHITECTURES)
        check_int(self.seed, "seed", minimum=0)
        check_choice(self.critic_action_history, "critic_action_history", ("policy", "executed"))
        check_choice(self.exploration, "exploration", ("until_moved", "published"))
        check_choice(self.phase1_exit, "phase1_exit", ("sliding", "blocks"))
        check_choice(self.replay_sampling, "replay_sampling", ("padded", "equal_length"))
        check_choice(self.phase3_trigger, "phase3_trigger", ("gain1x", "any_gain"))
        for name in ("validation_obs_noise", "validation_fresh_targets"):
            if not isinstance(getattr(self, name), bool):
                msg = f"{name} must be True or False, got {name}={getattr(self, name)!r}"
                raise TypeError(msg)
        for name in ("n_trials_after_phase1", "max_phase1_trials", "policy_delay", "batch_size",
                     "memory_size", "steps_per_update", "phase1_window", "validate_every",
                     "n_validation", "n_envs"):
            check_int(getattr(self, name), name, minimum=1)
        # at least one stored trajectory before the first update (0 left replay empty)
        check_int(self.learning_starts, "learning_starts", minimum=1)
        if self.learning_starts > self.memory_size:  # the memory never holds enough
            msg = (f"learning_starts={self.learning_starts} exceeds memory_size="
                   f"{self.memory_size}: the replay memory can never hold that many "
                   "trajectories, so no update would ever run")
            raise ValueError(msg)
        if self.batch_size > self.memory_size:
            msg = (f"batch_size={self.batch_size} exceeds memory_size={self.memory_size}: "
                   "a batch cannot hold more trajectories than the memory")
            raise ValueError(msg)
        check_int(self.torch_threads, "torch_threads", minimum=0)
        check_positive(self.saturation_penalty, "saturation_penalty", allow_zero=True)
        for name in ("gamma", "tau", "lr", "lr_phase3", "adam_eps", "target_noise_clip"):
            check_positive(getattr(self, name), name)
        for name in ("gamma", "tau"):
            if getattr(self, name) > 1:
                msg = f"{name} must be in (0, 1], got {name}={getattr(self, name)!r}"
                raise ValueError(msg)
        for name in ("phase1_noise", "phase2_noise", "phase3_noise", "target_noise_std"):
            check_positive(getattr(self, name), name, allow_zero=True)
        for name in ("phase1_threshold", "phase3_threshold"):
            value = check_finite(getattr(self, name), name)
            if value > 1:  # below 0: the phase ends at its first check (the tests' shortcut)
                msg = f"{name} is a rewarded fraction and must be <= 1, got {name}={value!r}"
                raise ValueError(msg)
        device = check_device(self.device, "device")
        if device.type not in ("cpu", "cuda", "mps"):
            msg = f"device must be 'cpu', 'cuda[:i]' or 'mps', got device={self.device!r}"
            raise ValueError(msg)
        if self.phase1_exit == "blocks" and self.phase1_window % self.n_envs:
            msg = (f"phase1_exit='blocks' needs n_envs to divide phase1_window, got "
                   f"{self.n_envs=}, {self.phase1_window=}")
            raise ValueError(msg)
        if self.validate_every % self.n_envs:
            msg = f"n_envs must divide validate_every, got {self.n_envs=}, {self.validate_every=}"
            raise ValueError(msg)
        if not self.validation_gains or not all(
                isinstance(g, numbers.Real) and not isinstance(g, bool)
                and np.isfinite(g) and g > 0
                for g in self.validation_gains):
            msg = (f"validation_gains must be non-empty finite gains > 0, got "
                   f"{self.validation_gains=}")
            raise ValueError(msg)

    @classmethod
    def from_saved(cls, saved: dict[str, object]) -> TrainConfig:
        """The configuration a run saved (``config.json``'s ``"train"``), completed.

        A field the saved dict lacks (it was written before the field existed) takes the
        value runs had then (`BEFORE_FIELD_EXISTED`), else its default; an unknown field
        is a `ValueError`.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(saved) - known)
        if unknown:
            msg = f"saved config has fields TrainConfig does not know: {unknown}"
            raise ValueError(msg)
        values = {**{k: v for k, v in BEFORE_FIELD_EXISTED.items()}, **saved}
        if isinstance(values.get("validation_gains"), list):
            values["validation_gains"] = tuple(values["validation_gains"])
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def published(cls, **overrides: object) -> TrainConfig:
        """Every rule as the published training code has it, with the published loss.

        One trial at a time, the published exploration rule, block-wise phase-I exit and
        its 50,000-trial cap, equal-length replay batches, validation with observation
        noise on fresh targets, phase III on any gain, no saturation penalty and the
        literal critic loss. `overrides` replace any field (e.g. ``arch``, ``seed``, or
        ``n_envs=10`` to collect side by side).

        Examples
        --------
        >>> from navdecode import TrainConfig
        >>> config = TrainConfig.published(arch="holistic", seed=1)
        >>> config.exploration, config.saturation_penalty, config.n_envs
        ('published', 0.0, 1)
        """
        published = {"n_envs": 1, "max_phase1_trials": 50_000, "exploration": "published",
                     "phase1_exit": "blocks", "replay_sampling": "equal_length",
                     "validation_obs_noise": True, "validation_fresh_targets": True,
                     "phase3_trigger": "any_gain", "saturation_penalty": 0.0,
                     "critic_action_history": "policy"}
        return cls(**{**published, **overrides})
