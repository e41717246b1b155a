"""One run's networks, optimisers, tasks, random streams and memory, and its collection.

`Learner` is what `navdecode.training.loop` trains: ``collect`` runs one batch of
`TrainConfig.n_envs` trials with the TD3 updates interleaved (one per
`TrainConfig.steps_per_update` environment steps once the memory holds
`TrainConfig.learning_starts` trajectories). `collect_together` is that collection for
several learners stepped side by side, in lockstep, each with its own random streams in
the order it draws them alone; how the members act and update is passed in, so the
population trainer's stacked networks (`navdecode.training.stacked`) and a learner alone
run the same collection code.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace

import torch

from navdecode._validation import torch_generator
from navdecode.agents.networks import make_agent
from navdecode.task.config import TaskConfig
from navdecode.task.firefly import ACTION_DIM, INPUT_DIM, FireflyTask
from navdecode.training.config import TrainConfig
from navdecode.training.exploration import exploration_action
from navdecode.training.replay import Batch, TrajectoryMemory, mirror
from navdecode.training.runs import Progress, TrainingState
from navdecode.training.td3 import td3_update

__all__ = ["Act", "Learner", "Update", "collect_together"]

Act = Callable[[list[torch.Tensor], object, list[bool]], tuple[list[torch.Tensor | None], object]]
"""How members act: (observations (n_envs, 6) per member, recurrent state or None at a
trial's start, which members are still collecting) -> (clean actions (n_envs, 2) per
member, None for members not collecting; the new recurrent state)."""
Update = Callable[[list[int], list[Batch], list[bool]], None]
"""How members update: (members that update now, a batch each, whether each also updates
its actor and targets) -> None."""


class Learner:
    """The networks, optimisers, tasks, random streams and memory of one run.

    ``collect`` runs one batch of trials (see the module docstring); ``state``/``load``
    convert to and from the saved `TrainingState`.
    """

    def __init__(self, config: TrainConfig, task_config: TaskConfig, device: torch.device):
        # seeding, in one place: every random stream has its own generator
        self.config, self.device = config, device
        self.agent = make_agent(config.arch, seed=config.seed).to(device)
        self.target = copy.deepcopy(self.agent)
        self.opt_actor = torch.optim.Adam(self.agent.actor.parameters(), lr=config.lr,
                                          eps=config.adam_eps)
        self.opt_critic = torch.optim.Adam(self.agent.critic.parameters(), lr=config.lr,
                                           eps=config.adam_eps)
        self.task_phase1 = FireflyTask(replace(task_config, obs_noise=False), device=device)
        self.task_main = FireflyTask(task_config, device=device)
        shared = torch_generator(config.seed + 1, device)  # the two tasks draw from one stream
        self.task_main.generator = self.task_phase1.generator = shared
        self.noise_gen = torch_generator(config.seed + 2, device)
        self.sample_gen = torch_generator(config.seed + 3, device)
        self.memory = TrajectoryMemory(config.memory_size, task_config.max_steps, device)
        self.sample = (self.memory.sample if config.replay_sampling == "padded"
                       else self.memory.sample_equal_length)
        self.threshold = task_config.stop_threshold

    def state(self, run: Progress) -> TrainingState:
        return TrainingState(
            progress=run, agent=self.agent.state_dict(), target=self.target.state_dict(),
            opt_actor=self.opt_actor.state_dict(), opt_critic=self.opt_critic.state_dict(),
            memory=self.memory.state_dict(), gen_task=self.task_main.generator.get_state(),
            gen_noise=self.noise_gen.get_state(), gen_sample=self.sample_gen.get_state())

    def load(self, state: TrainingState) -> None:
        self.agent.load_state_dict(state.agent)
        self.agent.critic.trained = True  # the critic as training left it
        self.target.load_state_dict(state.target)
        self.opt_actor.load_state_dict(state.opt_actor)
        self.opt_critic.load_state_dict(state.opt_critic)
        self.memory.load_state_dict(state.memory)
        for gen, saved in ((self.task_main.generator, state.gen_task),
                           (self.noise_gen, state.gen_noise),
                           (self.sample_gen, state.gen_sample)):
            gen.set_state(saved.cpu())

    def set_lr(self, lr: float) -> None:
        for opt in (self.opt_actor, self.opt_critic):
            for group in opt.param_groups:
                group["lr"] = lr

    def collect(self, run: Progress) -> tuple[torch.Tensor, torch.Tensor]:
        """One batch of `n_envs` trials in the current phase; returns (rewarded, lengths)."""
        return collect_together([self], [run], act_alone([self]), update_alone([self]))[0]


def act_alone(learners: Sequence[Learner]) -> Act:
    """Each collecting member's own actor, one after another (the `Act` of a CPU)."""
    def act(obs: list[torch.Tensor], hidden: object, live: list[bool]
            ) -> tuple[list[torch.Tensor | None], object]:
        states = list(hidden) if hidden is not None else [None] * len(learners)
        clean: list[torch.Tensor | None] = [None] * len(learners)
        for m, learner in enumerate(learners):
            if live[m]:
                with torch.no_grad():
                    action, states[m] = learner.agent.actor(obs[m][None], states[m])
                clean[m] = action[0]
        return clean, states
    return act


def update_alone(learners: Sequence[Learner]) -> Update:
    """Each updating member's own `td3_update`, one after another."""
    def update(members: list[int], batches: list[Batch], update_actor: list[bool]) -> None:
        for m, batch, actor_too in zip(members, batches, update_actor, strict=True):
            learner = learners[m]
            td3_update(learner.agent, learner.target, batch, learner.opt_actor,
                       learner.opt_critic, learner.config, learner.threshold,
                       update_actor=actor_too, gen=learner.noise_gen)
    return update


class _Trials:
    """One member's batch of trials being collected: its task, buffers and flags."""

    def __init__(self, learner: Learner, run: Progress) -> None:
        config, device, n = learner.config, learner.device, learner.config.n_envs
        self.learner, self.run = learner, run
        self.noise_std = {1: config.phase1_noise, 2: config.phase2_noise,
                          3: config.phase3_noise}[run.phase]
        self.task = learner.task_phase1 if run.phase == 1 else learner.task_main
        self.max_len = self.task.config.max_steps
        self.obs, _ = self.task.reset(options={"batch_size": n})
        self.inputs = torch.zeros(n, self.max_len, INPUT_DIM, device=device)
        self.actions = torch.zeros(n, self.max_len, ACTION_DIM, device=device)
        self.rewards = torch.zeros(n, self.max_len, device=device)
        self.lengths = torch.zeros(n, dtype=torch.long, device=device)
        self.rewarded = torch.zeros(n, dtype=torch.bool, device=device)
        self.clean_moved = torch.zeros(n, dtype=torch.bool, device=device)
        self.over = False

    def step(self, t: int, clean: torch.Tensor) -> int:
        """Explore, step the task, store step t; returns the TD3 updates now due."""
        learner, run, config = self.learner, self.run, self.learner.config
        active = ~self.task.done
        self.lengths += active
        noise = self.noise_std * torch.randn(clean.shape, generator=learner.noise_gen,
                                             device=learner.device)
        action = exploration_action(clean, noise, self.task, self.clean_moved,
                                    config.exploration)
        self.inputs[:, t], self.actions[:, t] = self.obs, action
        self.obs, reward, _, _, info = self.task.step(action)
        self.rewards[:, t] = reward
        self.rewarded |= info["rewarded"]
        n_active = int(active.sum())
        run.env_steps += n_active
        if len(learner.memory) >= config.learning_starts:
            run.credit += n_active / config.steps_per_update
        due = 0
        while run.credit >= due + 1:
            due += 1
        return due

    def store(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Put the collected trials (and in phase II on, their mirror images) in memory."""
        valid = (torch.arange(self.max_len, device=self.learner.device)[None]
                 < self.lengths[:, None])
        inputs, actions = self.inputs * valid[..., None], self.actions * valid[..., None]
        memory = self.learner.memory
        memory.add(inputs, actions, self.rewards, self.lengths)
        if self.run.phase >= 2:
            memory.add(*mirror(inputs, actions), self.rewards, self.lengths)
        return self.rewarded, self.lengths


def collect_together(learners: Sequence[Learner], runs: Sequence[Progress], act: Act,
                     update: Update) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """One batch of trials for each learner, stepped side by side; (rewarded, lengths) each.

    At every step each member still collecting acts, explores and steps its task; then
    the TD3 updates its steps have earned run in rounds (round j holds every member that
    owes more than j updates), so each member's updates, random draws and memory are the
    ones it has alone. A member stops collecting when all its trials have ended.
    """
    members = [_Trials(learner, run) for learner, run in zip(learners, runs, strict=True)]
    hidden = None
    for t in range(max(m.max_len for m in members)):
        live = [not m.over and t < m.max_len for m in members]
        if not any(live):
            break
        clean, hidden = act([m.obs for m in members], hidden, live)
        due = [m.step(t, clean[i]) if live[i] else 0 for i, m in enumerate(members)]
        for j in range(max(due)):
            now = [i for i, d in enumerate(due) if d > j]
            batches, actor_too = [], []
            for i in now:
                learner, run = learners[i], runs[i]
                run.credit -= 1
                run.updates += 1
                batches.append(learner.sample(learner.config.batch_size, learner.sample_gen))
                actor_too.append(run.updates % learner.config.policy_delay == 0)
            update(now, batches, actor_too)
        for i, m in enumerate(members):
            if live[i] and bool(m.task.done.all()):
                m.over = True
    return [m.store() for m in members]
