"""`run_agent`'s loop: a navdecode actor on the batched firefly task, finished trials dropped.

`record` serves any policy in any gymnasium env, and pays for it at every step: the
vector env restarts finished sub-environments and builds an ``info`` of float64 arrays,
and the actor's state is gathered and scattered back for the live rows. `run_agent` runs
each trial once, so none of that is needed: this loop steps `FireflyTask` itself, keeps
the actor's state for the running trials only (dropping a trial's rows when it ends) and
writes straight into the recording's arrays (step-major, so that each step writes one
block; the recording holds (trial, step) views of them). It records exactly what `record` records
on a `FireflyVectorEnv` of one sub-environment per trial, bit for bit (tested): the task
draws its noise for every row of the batch at every step either way, a finished row
never changes a running one, and the actor is called on batches of the same sizes (at
least ``adapters.MIN_ROWS``, in chunks of at most ``adapters.CHUNK``, rows in their
order), for which CPU kernels round every row the same.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
import xarray as xr
from tqdm.auto import tqdm

from navdecode.agents.networks import RecurrentActor
from navdecode.recording import adapters
from navdecode.recording.recorder import StepBuffer, assemble_recording
from navdecode.task.config import TaskConfig
from navdecode.task.firefly import INPUT_DIM, INPUT_NAMES, FireflyTask

__all__ = ["run_firefly"]

_STATE_VARS = ("pos_x", "pos_y", "heading", "vel_lin", "vel_ang")


def _state_columns(task: FireflyTask, scale: torch.Tensor) -> torch.Tensor:
    """Position, heading and velocities (cm, rad, cm/s, rad/s) of every row, (B, 5),
    computed as the vector env's ``info`` computes them (`scale`: `_state_scale`)."""
    return torch.cat([task.pos, task.heading[:, None], task.vel], dim=1) * scale


def _state_scale(task: FireflyTask) -> torch.Tensor:
    """Each of `_STATE_VARS`' factor from model units (the length unit; 1 for angles)."""
    unit = task.config.length_unit_cm
    return torch.tensor([unit, unit, 1.0, unit, 1.0], dtype=task.dtype, device=task.device)


def _trial_columns(task: FireflyTask, rewarded: torch.Tensor) -> dict[str, torch.Tensor]:
    """The per-trial coordinates read at a trial's last step, as `record` reads them."""
    unit = task.config.length_unit_cm
    out = {"target_x": task.target[:, 0] * unit, "target_y": task.target[:, 1] * unit,
           "gain": task.gain, "rewarded": rewarded, "stop_x": task.pos[:, 0] * unit,
           "stop_y": task.pos[:, 1] * unit}
    if task.config.perturbation:
        out |= {"perturb_lin": task.perturb_peak[:, 0] * unit,
                "perturb_ang": task.perturb_peak[:, 1], "perturb_onset": task.perturb_time}
    return out


def _trial_values(name: str, value: torch.Tensor) -> np.ndarray:
    arr = value.detach().cpu().numpy()
    if name == "perturb_ang":  # deg/s, converted in the task's dtype as the env does
        arr = np.degrees(arr)
    return arr.astype(np.float64)


def run_firefly(actor: RecurrentActor, targets_cm: np.ndarray, gain: float | np.ndarray,
                seed: int | np.random.Generator | None, config: TaskConfig,
                device: torch.device, arch: str, progress: bool = False,
                perturbation: np.ndarray | None = None) -> xr.Dataset:
    """Record `actor` on one trial per target, as ``record(actor, FireflyVectorEnv(n))``.

    `perturbation` (n, 3) is passed to the task (drawn there when None). The actor must be
    a `RecurrentActor` on `device`, in eval mode; the returned
    recording lacks only the identity attributes that `run_agent` adds.
    """
    n, t_max = len(targets_cm), config.max_steps
    task = FireflyTask(config, batch_size=n, device=device)
    obs, _ = task.reset(seed=seed, options={"targets": targets_cm, "gain": gain,
                                            "batch_size": n, "perturbation": perturbation})
    param = next(actor.parameters())
    dtype = param.dtype
    units = actor.num_layers * actor.hidden_size
    buf = StepBuffer(n, t_max)
    valid = np.zeros((t_max, n), dtype=bool)
    # step-major, so that each step writes one block; NaN where a trial has ended
    # (`_fill_ended`, each element written once). The recording holds (trial, step)
    # views of them (`_trial_major`)
    inputs = np.empty((t_max, n, INPUT_DIM), dtype=np.float32)
    actions = np.empty((t_max, n, 2), dtype=np.float32)
    hidden = np.empty((t_max, n, units), dtype=np.float32)
    cell = np.empty((t_max, n, units), dtype=np.float32)
    state_vars = np.empty((t_max, n, len(_STATE_VARS)), dtype=np.float32)
    scale = _state_scale(task)
    per_trial: dict[str, np.ndarray] = {"reward": np.zeros(n),
                                        "stopped": np.zeros(n, dtype=bool),
                                        "n_steps": np.zeros(n, dtype=np.int64)}
    for name in _trial_columns(task, task.done):
        per_trial[name] = np.full(n, np.nan)

    batch = _Batch(n, device)
    shape = (actor.num_layers, n, actor.hidden_size)
    state = tuple(torch.zeros(shape, dtype=dtype, device=device) for _ in range(2))
    full_action = torch.zeros(n, 2, dtype=torch.float32, device=device)
    bar = tqdm(total=n, desc="record", disable=not progress, leave=False)
    step = 0
    with torch.inference_mode():
        while batch.live.size:
            live, live_t, rows = batch.live, batch.live_t, batch.rows
            held = obs if batch.held_t is None else obs.index_select(0, batch.held_t)
            x = held.to(dtype)[None]
            parts, news = [], []
            for a, b in batch.chunks:
                action, new = actor(x[:, a:b], tuple(s[:, a:b] for s in state))
                parts.append(action[0])
                news.append(new)
            state = tuple(torch.cat(s, dim=1) if len(news) > 1 else s[0]
                          for s in zip(*news, strict=True))
            action = torch.cat(parts) if len(parts) > 1 else parts[0]
            if batch.pick_t is not None:  # padded: the running trials' rows
                action = action.index_select(0, batch.pick_t)
                h, c = (s.index_select(1, batch.pick_t) for s in state)
            else:
                h, c = state
            action_np = action.float().cpu().numpy()
            if not np.isfinite(action_np).all():
                bad = live[~np.isfinite(action_np).all(axis=1)]
                where = ", ".join(f"trial {t} step {step}" for t in bad[:5])
                msg = (f"the policy returned a non-finite action (NaN or inf) at {where}; "
                       "the env would carry it into every later position of the trial")
                raise ValueError(msg)
            valid[step, rows] = True
            inputs[step, rows] = obs.index_select(0, live_t).cpu().numpy()
            actions[step, rows] = action_np
            hidden[step, rows] = _flat(h)
            cell[step, rows] = _flat(c)
            state_vars[step, rows] = _state_columns(task, scale).index_select(
                0, live_t).cpu().numpy()

            full_action.zero_()
            full_action[live_t] = torch.as_tensor(action_np, device=device)
            obs, reward, terminated, _, info = task.step(full_action.clamp(-1.0, 1.0))
            step += 1
            ended_mask = task.done.cpu().numpy()[live]
            if ended_mask.any():
                ended = live[ended_mask]
                ended_t = torch.as_tensor(ended, device=device)
                per_trial["reward"][ended] = reward.index_select(0, ended_t).cpu().numpy()
                per_trial["stopped"][ended] = terminated.index_select(0, ended_t).cpu().numpy()
                per_trial["n_steps"][ended] = step
                for name, value in _trial_columns(task, info["rewarded"]).items():
                    per_trial[name][ended] = _trial_values(name, value.index_select(0, ended_t))
                bar.update(ended.size)
                index = batch.end(ended)
                if index is not None:
                    state = tuple(s.index_select(1, index) for s in state)
    bar.close()
    _fill_ended(valid, step, (inputs, actions, hidden, cell, state_vars))
    buf.data = {"valid": valid.T, "input": _trial_major(inputs),
                "action": _trial_major(actions), "hidden": _trial_major(hidden),
                "cell": _trial_major(cell),
                **{f"info:{name}": state_vars[..., i].T for i, name in enumerate(_STATE_VARS)}}
    return assemble_recording(buf, per_trial, config.dt, arch, seed, list(INPUT_NAMES),
                              config, list(_STATE_VARS), [])


class _Batch:
    """Which rows the actor computes: the running trials (`live`, ascending) and, once
    fewer than ``adapters.MIN_ROWS`` run, finished rows as padding, all in row order
    (`held`; a row's position in a small batch changes its rounding). The index tensors
    and chunk bounds are rebuilt only when trials end."""

    def __init__(self, n: int, device: torch.device) -> None:
        self.n, self.device = n, device
        self.running = np.ones(n, dtype=bool)
        self.held = np.arange(n)
        self._rebuild()

    def _rebuild(self) -> None:
        self.live = np.flatnonzero(self.running)
        self.live_t = torch.as_tensor(self.live, device=self.device)
        k = self.live.size
        self.rows = slice(0, k) if k and self.live[-1] == k - 1 else self.live
        # None while every row is held (in order): no gather needed
        self.held_t = None if self.held.size == self.n else torch.as_tensor(
            self.held, device=self.device)
        padded = self.held.size > k
        self.pick_t = torch.as_tensor(np.flatnonzero(self.running[self.held]),
                                      device=self.device) if padded else None
        m = self.held.size  # np.array_split's chunk sizes, at most CHUNK rows each
        parts = max(1, -(-m // adapters.CHUNK))
        sizes = [m // parts + (i < m % parts) for i in range(parts)]
        bounds = np.cumsum([0, *sizes]).tolist()
        self.chunks = list(itertools.pairwise(bounds))

    def end(self, ended: np.ndarray) -> torch.Tensor | None:
        """Drop the rows of `ended` trials (but those kept as padding); the positions of
        the rows kept in the old batch when it shrank, else None."""
        self.running[ended] = False
        keep = self.running[self.held]
        n_live = int(self.running.sum())
        spare = np.flatnonzero(~keep)[: adapters.batch_size(n_live, self.n) - n_live]
        keep[spare] = True
        index = None
        if not keep.all():
            index = torch.as_tensor(np.flatnonzero(keep), device=self.device)
            self.held = self.held[keep]
        self._rebuild()
        return index


def _fill_ended(valid: np.ndarray, n_run: int, arrays: tuple[np.ndarray, ...]) -> None:
    """NaN in the step-major `arrays` wherever `valid` (step, trial) is False: the
    steps after the last one run (`n_run`) whole, the others at their ended rows."""
    ended = [np.flatnonzero(~valid[s]) for s in range(n_run)]
    for arr in arrays:
        arr[n_run:] = np.nan
        for s, rows in enumerate(ended):
            if rows.size:
                arr[s, rows] = np.nan


def _trial_major(arr: np.ndarray) -> np.ndarray:
    """A (step, trial, x) buffer as the recording's (trial, step, x), a view (no copy)."""
    return arr.transpose(1, 0, 2)


def _flat(state: torch.Tensor) -> np.ndarray:
    """(layers, B, units) -> (B, layers * units), as `split_state` flattens it."""
    state = state.float().cpu()
    return state.permute(1, 0, 2).reshape(state.shape[1], -1).numpy()
