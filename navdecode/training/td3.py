"""The recurrent TD3 update on whole trajectories: losses, target smoothing, one step.

`train` runs the loop (collection, phases, validation, checkpoints); this module holds
what one gradient step does to the networks, so the two can be read apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from navdecode.agents.networks import Agent
from navdecode.analysis.diagnostics import SATURATION_THRESHOLD
from navdecode.training.config import TrainConfig
from navdecode.training.replay import Batch

__all__ = [
    "critic_loss",
    "saturation_excess",
    "saturation_terms",
    "smooth_target_action",
    "td3_update",
]


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
    return _masked_mean(saturation_terms(z, threshold), mask)


def saturation_terms(z: torch.Tensor, threshold: float = SATURATION_THRESHOLD) -> torch.Tensor:
    """``sum(relu(|z| - threshold)^2)`` over the action components (last axis) of each step."""
    return ((z.abs() - threshold).clamp(min=0.0) ** 2).sum(-1)


@contextmanager
def _frozen(module: torch.nn.Module) -> Iterator[None]:
    """`module`'s parameters without gradients for a while: backward then computes no
    weight gradient for it (and skips its parts that only weights need, e.g. a Critic5
    LSTM that never sees the action). The critic's weight gradients from the actor loss
    were never used (the critic's next step starts from zero gradients), so the actor's
    gradients and every later update are unchanged, bit for bit."""
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


def td3_update(agent: Agent, target: Agent, batch: Batch, opt_actor: torch.optim.Optimizer,
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
        with _frozen(agent.critic.q1):  # the actor loss trains the actor only
            q = _policy_value(agent.critic.q1, batch, torch.tanh(z), config)
            actor_loss = -_masked_mean(q.squeeze(-1), batch.mask)
            if config.saturation_penalty:
                actor_loss = actor_loss + config.saturation_penalty * saturation_excess(
                    z, batch.mask)
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
    agent.critic.trained = True
    return out
