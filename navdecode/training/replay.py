"""Whole-trajectory replay memory with padded, masked batches and y-axis mirroring."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from navdecode.task.firefly import (
    ACTION_DIM,
    INPUT_DIM,
    MIRROR_ACTION_COLUMNS,
    MIRROR_INPUT_COLUMNS,
)

__all__ = ["Batch", "TrajectoryMemory", "mirror"]



def mirror(inputs: torch.Tensor, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reflect trajectories across the y axis.

    Parameters
    ----------
    inputs : torch.Tensor of shape (..., 6)
        Actor inputs (`navdecode.task.firefly.INPUT_NAMES`).
    actions : torch.Tensor of shape (..., 2)
        Actions (a_v, a_w).

    Returns
    -------
    inputs, actions : torch.Tensor
        Copies whose angular and lateral (x) components have flipped sign.
    """
    inputs, actions = inputs.clone(), actions.clone()
    inputs[..., list(MIRROR_INPUT_COLUMNS)] *= -1
    actions[..., list(MIRROR_ACTION_COLUMNS)] *= -1
    return inputs, actions


@dataclass
class Batch:
    """A padded batch of whole trajectories, sequence-first.

    ``inputs`` (T, B, 6), ``actions`` (T, B, 2), ``rewards`` (T, B), ``dones`` (T, B)
    (1 at each trajectory's last step), ``mask`` (T, B) (1 on real steps, 0 on padding).
    """

    inputs: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    dones: torch.Tensor
    mask: torch.Tensor


class TrajectoryMemory:
    """Ring buffer of whole trajectories, stored padded to `max_len` steps.

    Parameters
    ----------
    capacity : int
        Most trajectories kept; the oldest are overwritten first.
    max_len : int
        Longest trajectory (the task's `max_steps`).
    device : torch.device
        Where the storage lives.
    """

    def __init__(self, capacity: int, max_len: int, device: torch.device | str = "cpu") -> None:
        self.capacity, self.max_len, self.device = int(capacity), int(max_len), torch.device(device)
        self.clear()

    def clear(self) -> None:
        """Forget every stored trajectory."""
        self._size, self._next = 0, 0
        self._chunk = min(self.capacity, 4096)
        self._alloc(self._chunk)

    def _alloc(self, n: int) -> None:
        old = getattr(self, "inputs", None)
        t, dev = self.max_len, self.device
        new = {
            "inputs": torch.zeros(n, t, INPUT_DIM, device=dev),
            "actions": torch.zeros(n, t, ACTION_DIM, device=dev),
            "rewards": torch.zeros(n, t, device=dev),
            "lengths": torch.zeros(n, dtype=torch.long, device=dev),
        }
        if old is not None and self._size:
            for key, value in new.items():
                value[: self._size] = getattr(self, key)[: self._size]
        for key, value in new.items():
            setattr(self, key, value)

    def __len__(self) -> int:
        return self._size

    def add(self, inputs: torch.Tensor, actions: torch.Tensor, rewards: torch.Tensor,
            lengths: torch.Tensor) -> None:
        """Store a batch of trajectories given padded as (B, max_len, ...) with their lengths."""
        b = inputs.shape[0]
        allocated = self.inputs.shape[0]
        if self._next + b > allocated and allocated < self.capacity:
            self._alloc(min(self.capacity, max(2 * allocated, self._next + b)))
        idx = (self._next + torch.arange(b, device=self.device)) % self.capacity
        self.inputs[idx], self.actions[idx] = inputs.to(self.device), actions.to(self.device)
        self.rewards[idx], self.lengths[idx] = rewards.to(self.device), lengths.to(self.device)
        self._next = (self._next + b) % self.capacity
        self._size = min(self._size + b, self.capacity)

    def sample(self, batch_size: int, gen: torch.Generator) -> Batch:
        """Draw `batch_size` trajectories uniformly; pad to the longest one drawn."""
        idx = torch.randint(0, self._size, (batch_size,), generator=gen, device=self.device)
        lengths = self.lengths[idx]
        t = int(lengths.max())
        steps = torch.arange(t, device=self.device)
        mask = (steps[None, :] < lengths[:, None]).float()
        dones = (steps[None, :] == lengths[:, None] - 1).float()
        return Batch(
            inputs=self.inputs[idx, :t].transpose(0, 1),
            actions=self.actions[idx, :t].transpose(0, 1),
            rewards=self.rewards[idx, :t].transpose(0, 1),
            dones=dones.T,
            mask=mask.T,
        )

    def sample_equal_length(self, batch_size: int, gen: torch.Generator,
                            pool_size: int | None = None) -> Batch:
        """Draw trajectories of one length without replacement, as published.

        From a pool of `pool_size` stored trajectories drawn without replacement (all of
        them while fewer are stored; a tenth of the capacity when None), one trajectory
        is drawn and its length L kept; the batch is then ``min(batch_size, n_L)``
        trajectories of length L from the pool, without replacement, where n_L is how
        many the pool holds. Lengths are thus drawn in proportion to how often they occur.
        No step is padding (``mask`` is all ones).
        """
        pool_size = max(1, self.capacity // 10) if pool_size is None else int(pool_size)
        pool = torch.randperm(self._size, generator=gen, device=self.device)[:pool_size]
        pool_lengths = self.lengths[pool]
        pick = torch.randint(0, len(pool), (1,), generator=gen, device=self.device)
        same = pool[pool_lengths == pool_lengths[pick]]
        order = torch.randperm(len(same), generator=gen, device=self.device)
        idx = same[order[:batch_size]]
        t = int(self.lengths[idx[0]])
        dones = torch.zeros(t, len(idx), device=self.device)
        dones[-1] = 1.0
        return Batch(
            inputs=self.inputs[idx, :t].transpose(0, 1),
            actions=self.actions[idx, :t].transpose(0, 1),
            rewards=self.rewards[idx, :t].transpose(0, 1),
            dones=dones,
            mask=torch.ones(t, len(idx), device=self.device),
        )

    def state_dict(self) -> dict[str, torch.Tensor | int]:
        """Everything needed to restore the memory (for resuming)."""
        n = self._size
        return {"inputs": self.inputs[:n].clone(), "actions": self.actions[:n].clone(),
                "rewards": self.rewards[:n].clone(), "lengths": self.lengths[:n].clone(),
                "next": self._next}

    def load_state_dict(self, state: dict[str, torch.Tensor | int]) -> None:
        """Restore from `state_dict`."""
        n = int(state["lengths"].shape[0])  # type: ignore[union-attr]
        self._size, self._next = 0, 0
        self._alloc(max(n, min(self.capacity, 4096)))
        for key in ("inputs", "actions", "rewards", "lengths"):
            getattr(self, key)[:n] = state[key]
        self._size, self._next = n, int(state["next"])
