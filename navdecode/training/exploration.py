"""The exploration rules and the phase ends of the published training schedule."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
import torch

from navdecode.task.firefly import FireflyTask
from navdecode.training.config import TrainConfig

__all__ = ['exploration_action', 'explore', 'phase1_over', 'phase3_score']


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
