"""The TD3 update of N members at once on stacked networks (the population's GPU path).

`StackedMembers` holds N learners of one architecture and configuration (seeds apart)
as stacked networks (`navdecode.agents.stacked.StackedAgents`) and stacked Adam states,
and gives `navdecode.training.learner.collect_together` its ``act`` (every member's actor
in one batched pass) and ``update`` (`stacked_td3_update`: the members that owe an update
take one TD3 step together). Member m's step is `navdecode.training.td3.td3_update` on
member m's batch with member m's random stream, computed with batched matrix products
instead of m's own modules: equal within float tolerance (tested), and each member's
parameters, optimiser state and streams stay its own. ``write_back`` copies the stacked
values into the members' own modules and optimisers, which the run folder saves.

Batches of different lengths are padded to the longest; padding sits after each
trajectory's last step, is masked out of every loss, and cannot reach an earlier step of
a recurrent network, so it changes nothing. A member that does not update in a round gets
another member's batch for the shapes, and its parameters, Adam moments and step count
are left as they were (``torch.where`` on a member mask).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from navdecode.agents.stacked import StackedAgents
from navdecode.training.config import TrainConfig
from navdecode.training.learner import Learner
from navdecode.training.replay import Batch
from navdecode.training.td3 import saturation_terms, smooth_target_action

__all__ = ["StackedAdam", "StackedMembers", "stack_key", "stacked_td3_update"]

_CONFIG_FREE = ("seed", "torch_threads")
"""`TrainConfig` fields in which members of one stack may differ."""


def _per_member(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """(N,) values shaped to broadcast against a stacked tensor `like` (N, ...)."""
    return values.reshape(-1, *([1] * (like.dim() - 1))).to(like.dtype)


class StackedAdam:
    """Adam on stacked parameters, one step count and learning rate per member.

    The arithmetic of `torch.optim.Adam` (no weight decay, no amsgrad), member by member:
    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``p <- p - lr_k / (1 - b1^t_k) * m / (sqrt(v) / sqrt(1 - b2^t_k) + eps)`` for the
    members k that step; the others keep p, m, v and t.

    Parameters
    ----------
    params : list of torch.Tensor
        Stacked parameters, each of shape (N, ...).
    betas : tuple of float, default=(0.9, 0.999)
    eps : float
    """

    def __init__(self, params: list[torch.Tensor], eps: float,
                 betas: tuple[float, float] = (0.9, 0.999)) -> None:
        self.params, self.eps, self.betas = params, eps, betas
        n = params[0].shape[0]
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]
        self.steps = [torch.zeros(n, dtype=torch.float64, device=p.device) for p in params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self, lr: torch.Tensor, members: torch.Tensor) -> None:
        """One step for the `members` (bool, (N,)) at learning rates `lr` ((N,) float)."""
        b1, b2 = self.betas
        for p, m, v, t in zip(self.params, self.exp_avg, self.exp_avg_sq, self.steps,
                              strict=True):
            if p.grad is None:
                continue
            g, keep = p.grad, _per_member(members, p).bool()
            t_new = torch.where(members, t + 1, t)
            m_new = m.lerp(g, 1 - b1)
            v_new = v * b2 + (1 - b2) * g * g
            step_size = _per_member(lr.double() / (1 - b1 ** t_new), p)
            bc2_sqrt = _per_member((1 - b2 ** t_new).sqrt(), p)
            update = step_size * m_new / (v_new.sqrt() / bc2_sqrt + self.eps)
            p.copy_(torch.where(keep, p - update, p))
            m.copy_(torch.where(keep, m_new, m))
            v.copy_(torch.where(keep, v_new, v))
            t.copy_(t_new)

    def read(self, optimisers: Sequence[torch.optim.Optimizer]) -> None:
        """Take member k's moments and step counts from ``optimisers[k]`` (a torch Adam
        over the same parameters in the same order)."""
        for k, opt in enumerate(optimisers):
            for i, q in enumerate(opt.param_groups[0]["params"]):
                saved = opt.state.get(q, {})
                if "step" in saved:
                    self.exp_avg[i][k] = saved["exp_avg"]
                    self.exp_avg_sq[i][k] = saved["exp_avg_sq"]
                    self.steps[i][k] = float(saved["step"])

    def write(self, optimisers: Sequence[torch.optim.Optimizer]) -> None:
        """Put member k's moments and step counts into ``optimisers[k]``'s state."""
        steps = [t.tolist() for t in self.steps]  # one device read per parameter
        for k, opt in enumerate(optimisers):
            for i, q in enumerate(opt.param_groups[0]["params"]):
                if steps[i][k] > 0:
                    opt.state[q] = {"step": torch.tensor(float(steps[i][k])),
                                    "exp_avg": self.exp_avg[i][k].clone(),
                                    "exp_avg_sq": self.exp_avg_sq[i][k].clone()}


def _pad(batches: Sequence[Batch]) -> Batch:
    """Stack member batches, padding steps and trajectories with masked zeros."""
    t = max(b.mask.shape[0] for b in batches)
    n = max(b.mask.shape[1] for b in batches)

    def stack(name: str) -> torch.Tensor:
        parts = []
        for b in batches:
            x = getattr(b, name)
            out = x.new_zeros((t, n, *x.shape[2:]))
            out[: x.shape[0], : x.shape[1]] = x
            parts.append(out)
        return torch.stack(parts)
    return Batch(*(stack(name) for name in ("inputs", "actions", "rewards", "dones", "mask")))


def _masked_means(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Per member: the mean of x (N, T, B) over the steps where mask (N, T, B) is 1."""
    return torch.where(mask > 0, x, 0.0).sum((1, 2)) / mask.sum((1, 2))


def _values(stack: StackedAgents, which: str, batch: Batch, action: torch.Tensor,
            config: TrainConfig) -> torch.Tensor:
    if config.critic_action_history == "executed":
        return stack.q_after_history(which, batch.inputs, batch.actions, action)
    return stack.q(which, batch.inputs, action)


def stacked_td3_update(stack: StackedAgents, target: StackedAgents, batches: Sequence[Batch],
                       opt_actor: StackedAdam, opt_critic: StackedAdam, config: TrainConfig,
                       threshold: float, members: torch.Tensor, update_actor: torch.Tensor,
                       gens: Sequence[torch.Generator | None], lr_actor: torch.Tensor,
                       lr_critic: torch.Tensor) -> None:
    """`td3_update` for the `members` of a stack at once, each on its own batch.

    For each member k, as `td3_update`: the critic regresses both Q networks on
    ``y_t = r_t + gamma (1 - done_t) min(Q1', Q2')(h_{t+1}, a'_{t+1})`` with
    ``a' = smooth(pi'(x) + noise)`` (target networks primed, noise from k's stream), loss
    ``mean_mask (Q1 - y)^2 + mean_mask (Q2 - y)^2``; on delayed steps the actor minimises
    ``-mean_mask Q1(x, pi(x)) + w * mean_mask sum(relu(|z| - 3)^2)`` and the targets move
    ``theta' <- tau theta + (1 - tau) theta'``. The members' losses are summed, so member
    k's gradient is its own loss's.

    Parameters
    ----------
    stack, target : StackedAgents
        Online and target networks of the N members.
    batches : sequence of Batch
        One per member (any batch, e.g. another member's, for a member not updating).
    opt_actor, opt_critic : StackedAdam
    config : TrainConfig
        The members' shared settings.
    threshold : float
        The task's stop threshold (target smoothing).
    members : torch.Tensor of bool, shape (N,)
        Members taking this step.
    update_actor : torch.Tensor of bool, shape (N,)
        Members that also update their actor and targets (the delayed TD3 step).
    gens : sequence of torch.Generator or None
        Member k's stream for its target smoothing noise (None for members not stepping).
    lr_actor, lr_critic : torch.Tensor of shape (N,)
        Each member's learning rates.
    """
    padded = _pad(batches)
    with torch.no_grad():  # critic: both Q networks against the clipped double-Q target
        next_a, _ = target.actor(padded.inputs)
        noise = torch.zeros_like(next_a)
        for k, (b, gen) in enumerate(zip(batches, gens, strict=True)):
            if gen is not None:  # member k's draw, of the shape it has alone
                shape = (*b.mask.shape, next_a.shape[-1])
                noise[k, : shape[0], : shape[1]] = torch.randn(shape, generator=gen,
                                                               device=next_a.device)
        next_a = smooth_target_action(next_a, noise * config.target_noise_std, threshold,
                                      config.target_noise_clip)
        q_t = torch.minimum(_values(target, "q1", padded, next_a, config),
                            _values(target, "q2", padded, next_a, config)).squeeze(-1)
        q_next = torch.cat([q_t[:, 1:], torch.zeros_like(q_t[:, :1])], 1)
        y = padded.rewards + config.gamma * (1 - padded.dones) * q_next
    loss = sum(_masked_means((stack.q(w, padded.inputs, padded.actions).squeeze(-1) - y) ** 2,
                             padded.mask) for w in ("q1", "q2"))
    opt_critic.zero_grad()
    loss.sum().backward()
    opt_critic.step(lr_critic, members)

    actors = members & update_actor
    if not bool(actors.any()):
        return
    z, _ = stack.actor_preactivation(padded.inputs)
    critic = stack.group("critic.")
    for p in critic:  # the actor loss trains the actor only
        p.requires_grad_(False)
    try:
        q = _values(stack, "q1", padded, torch.tanh(z), config).squeeze(-1)
        actor_loss = -_masked_means(q, padded.mask)
        if config.saturation_penalty:
            actor_loss = actor_loss + config.saturation_penalty * _masked_means(
                saturation_terms(z), padded.mask)
        opt_actor.zero_grad()
        actor_loss.sum().backward()
    finally:
        for p in critic:
            p.requires_grad_(True)
    opt_actor.step(lr_actor, actors)
    with torch.no_grad():  # soft target update of the stepping members
        for name, online in stack.params.items():
            old = target.params[name]
            keep = _per_member(actors, old).bool()
            old.copy_(torch.where(keep, old * (1 - config.tau) + config.tau * online, old))


class StackedMembers:
    """N learners of one architecture and configuration trained on stacked networks.

    Parameters
    ----------
    learners : sequence of Learner
        Members whose `TrainConfig`s differ at most in seed and thread count; their
        networks and optimiser states are read in (resumed members continue exactly).

    Raises
    ------
    ValueError
        If the members' configurations differ in anything else.
    """

    def __init__(self, learners: Sequence[Learner]) -> None:
        configs = [stack_key(learner.config) for learner in learners]
        if any(c != configs[0] for c in configs):
            msg = ("learners of one stack must share their TrainConfig apart from "
                   f"{', '.join(_CONFIG_FREE)}")
            raise ValueError(msg)
        self.learners = list(learners)
        self.config = learners[0].config
        self.stack = StackedAgents([m.agent for m in learners])
        self.target = StackedAgents([m.target for m in learners], requires_grad=False)
        eps = self.config.adam_eps
        self.opt_actor = StackedAdam(self.stack.group("actor."), eps)
        self.opt_critic = StackedAdam(self.stack.group("critic."), eps)
        self.opt_actor.read([m.opt_actor for m in learners])
        self.opt_critic.read([m.opt_critic for m in learners])

    def act(self, obs: list[torch.Tensor], hidden: object, live: list[bool]
            ) -> tuple[list[torch.Tensor | None], object]:
        """Every member's actor in one pass (`navdecode.training.learner.Act`)."""
        with torch.no_grad():
            action, state = self.stack.actor(torch.stack(obs)[:, None], hidden)  # type: ignore[arg-type]
        return [action[k, 0] if live[k] else None for k in range(len(obs))], state

    def update(self, members: list[int], batches: list[Batch], update_actor: list[bool]
               ) -> None:
        """One stacked TD3 step of `members` (`navdecode.training.learner.Update`)."""
        n, device = len(self.learners), self.stack.params["actor.rnn.weight_ih_l0"].device
        full: list[Batch] = [batches[0]] * n
        gens: list[torch.Generator | None] = [None] * n
        stepping = torch.zeros(n, dtype=torch.bool, device=device)
        actors = torch.zeros(n, dtype=torch.bool, device=device)
        for k, batch, actor_too in zip(members, batches, update_actor, strict=True):
            full[k], gens[k] = batch, self.learners[k].noise_gen
            stepping[k], actors[k] = True, actor_too
        lr_actor, lr_critic = (
            torch.tensor([opt(m).param_groups[0]["lr"] for m in self.learners], device=device)
            for opt in (lambda m: m.opt_actor, lambda m: m.opt_critic))
        stacked_td3_update(self.stack, self.target, full, self.opt_actor, self.opt_critic,
                           self.config, self.learners[0].threshold, stepping, actors, gens,
                           lr_actor, lr_critic)

    def write_back(self) -> None:
        """Copy the stacked networks and Adam states into each member's own modules."""
        self.stack.write_to([m.agent for m in self.learners])
        for m in self.learners:
            m.agent.critic.trained = True
        self.target.write_to([m.target for m in self.learners])
        self.opt_actor.write([m.opt_actor for m in self.learners])
        self.opt_critic.write([m.opt_critic for m in self.learners])


def stack_key(config: TrainConfig) -> str:
    """What members of one stack share: the config apart from seed and threads."""
    return repr({k: v for k, v in vars(config).items() if k not in _CONFIG_FREE})
