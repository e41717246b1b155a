"""What the recorder accepts: policies and environments, each behind one small interface.

Environments: a single gymnasium `Env` (`SingleAsVector`) or a `VectorEnv`
(`VectorAdapter`), both seen as a vector with next-step autoreset (`as_vector`).
Policies: a torch module or callable ``policy(obs, state) -> (action, state)``
(`TorchPolicy`) or an sb3-contrib ``RecurrentPPO`` model (`RecurrentPPOPolicy`). Helpers
split a recurrent state into (hidden, cell) (`split_state`), zero the rows of trials that
end (`zero_rows`) and capture the outputs of named submodules (`register_hooks`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.vector import AutoresetMode, VectorEnv

__all__ = ["CleanRLPolicy", "RecurrentPPOPolicy", "SingleAsVector", "TorchPolicy",
           "VectorAdapter", "as_vector", "batch_size", "batched_info", "env_actions",
           "is_cleanrl_agent", "is_recurrent_ppo", "register_hooks", "split_state",
           "zero_rows"]


class SingleAsVector:
    """A single `gymnasium.Env` seen as a vector of one, with next-step autoreset."""

    num_envs = 1

    def __init__(self, env: gym.Env) -> None:
        self.env = env
        self._pending = False

    def reset(self, seed: int | None, options: dict | None) -> tuple[np.ndarray, dict]:
        obs, info = self.env.reset(seed=seed, options=options)
        self._pending = False
        return np.asarray(obs)[None], batched_info(info, 1)

    def step(self, actions: np.ndarray) -> tuple:
        if self._pending:
            obs, info = self.env.reset()
            self._pending = False
            return (np.asarray(obs)[None], np.zeros(1), np.zeros(1, bool), np.zeros(1, bool),
                    batched_info(info, 1))
        obs, reward, terminated, truncated, info = self.env.step(
            env_actions(actions, self.env.action_space, 1)[0])
        self._pending = bool(terminated or truncated)
        return (np.asarray(obs)[None], np.array([reward], float), np.array([terminated]),
                np.array([truncated]), batched_info(info, 1))


class VectorAdapter:
    """A gymnasium `VectorEnv` (next-step autoreset), infos as arrays of shape (num_envs,)."""

    def __init__(self, env: VectorEnv) -> None:
        mode = env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        if mode != AutoresetMode.NEXT_STEP:
            msg = f"env must use next-step autoreset (gymnasium's default), got {mode}"
            raise ValueError(msg)
        self.env, self.num_envs = env, env.num_envs

    def reset(self, seed: int | None, options: dict | None) -> tuple[np.ndarray, dict]:
        obs, info = self.env.reset(seed=seed, options=options)
        return np.asarray(obs), batched_info(info, self.num_envs)

    def step(self, actions: np.ndarray) -> tuple:
        obs, reward, terminated, truncated, info = self.env.step(
            env_actions(actions, self.env.single_action_space, self.num_envs))
        return (np.asarray(obs), np.asarray(reward, float), np.asarray(terminated, bool),
                np.asarray(truncated, bool), batched_info(info, self.num_envs))


def batched_info(info: dict, n: int) -> dict[str, np.ndarray]:
    """Info values as arrays of shape (n, ...); vector-info masks (``_key``) dropped."""
    out = {}
    for key, value in info.items():
        if key.startswith("_") or isinstance(value, dict):
            continue
        arr = np.asarray(value)
        if n == 1 and (arr.ndim == 0 or arr.shape[0] != 1):
            arr = arr[None]
        if arr.ndim >= 1 and arr.shape[0] == n and arr.dtype.kind in "biuf":
            out[key] = arr
    return out


def env_actions(actions: np.ndarray, space: gym.Space, n: int) -> np.ndarray:
    """The policy's actions in the shape the env's action space takes, one row per env.

    A discrete space takes integers of shape (n,): policies return them as (1, n), (n,)
    or (n, 1); a continuous one takes (n, *shape).
    """
    actions = np.asarray(actions)
    if isinstance(space, gym.spaces.Discrete):
        if actions.size != n:
            msg = f"the policy returned {actions.size} discrete actions for {n} envs"
            raise ValueError(msg)
        return np.rint(actions.reshape(n)).astype(space.dtype)
    if isinstance(space, gym.spaces.MultiDiscrete):
        return np.rint(actions.reshape(n, *space.shape)).astype(space.dtype)
    shape = getattr(space, "shape", None)
    return actions.reshape(n, *shape) if shape else actions


def _has_base(obj: object, name: str, package: str) -> bool:
    """Whether `obj`'s class or a base of it is `package`'s `name` (nothing is imported)."""
    return any(c.__name__ == name and c.__module__.startswith(package)
               for c in type(obj).__mro__)


def _is_sb3_vec_env(env: object) -> bool:
    return _has_base(env, "VecEnv", "stable_baselines3")


def as_vector(env: object) -> SingleAsVector | VectorAdapter:
    if _is_sb3_vec_env(env):
        msg = ("env is a Stable-Baselines3 VecEnv, which resets trials by itself and hides "
               "their last observation; pass the gymnasium env it wraps, or a "
               "gymnasium.vector.SyncVectorEnv of the same env makers")
        raise TypeError(msg)
    if isinstance(env, VectorEnv):
        return VectorAdapter(env)
    if isinstance(env, gym.Env):
        return SingleAsVector(env)
    msg = f"env must be a gymnasium Env or VectorEnv, got {type(env).__name__}"
    raise TypeError(msg)


class _Hooked:
    """What every policy runner shares: the forward hooks it registered, removed at close."""

    _handles: list

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()


CHUNK = 1024
"""Rows of one actor call when a rollout runs only its live trials: a batch of this size
keeps a navdecode actor's activations in cache (larger batches step slower per trial)."""
MIN_ROWS = 64
"""Fewest rows of one actor call: CPU matrix kernels for a handful of rows (2-11 seen)
round differently from larger batches, so fewer live rows are padded with finished ones
and every recorded value stays the bit-identical one of the whole batch."""


def batch_size(n_live: int, n_rows: int) -> int:
    """Rows of one actor call for `n_live` recorded rows out of `n_rows`: at least
    `MIN_ROWS` (padding with rows not recorded) where there are that many."""
    return min(n_rows, max(n_live, MIN_ROWS))


class TorchPolicy(_Hooked):
    """``policy(obs (1, B, d), state) -> (action, state)``; state None or h / (h, c).

    A navdecode actor (`RecurrentActor`, whose rows never mix) can be run on some of
    the rows only (`by_rows`): the recorder then computes only the trials still being
    recorded, in chunks of `CHUNK` rows; the others keep their last state, which is never
    read again (a row is recorded next only after its state is reset).
    """

    def __init__(self, policy: Callable, hooks: Mapping[str, str] | None) -> None:
        from navdecode.agents.networks import RecurrentActor

        self.policy = policy
        self.module = policy if isinstance(policy, torch.nn.Module) else None
        param = next(self.module.parameters(), None) if self.module is not None else None
        self.device = param.device if param is not None else torch.device("cpu")
        self.dtype = param.dtype if param is not None else torch.float32
        self.hooked: dict[str, np.ndarray] = {}
        self._handles = register_hooks(self.module, hooks, self.hooked)
        self.state: Any = None
        self.by_rows = type(policy) is RecurrentActor

    def __call__(self, obs: np.ndarray, starts: np.ndarray,
                 rows: np.ndarray | None = None) -> tuple[np.ndarray, Any, Any]:
        """Actions, h and c of every row, or (`by_rows`) of `rows` only, in their order."""
        if rows is not None:
            return self._rows(obs, starts, rows)
        if self.state is not None and starts.any():
            self.state = zero_rows(self.state, torch.as_tensor(np.nonzero(starts)[0]))
        x = torch.as_tensor(obs, dtype=self.dtype, device=self.device)[None]
        with torch.inference_mode():
            action, self.state = self.policy(x, self.state)
        action = action.detach().float().cpu().numpy()
        action = action[0] if action.ndim == 3 else action
        h, c = split_state(self.state)
        return action, h, c

    def _rows(self, obs: np.ndarray, starts: np.ndarray,
              rows: np.ndarray) -> tuple[np.ndarray, Any, Any]:
        x = torch.as_tensor(obs, dtype=self.dtype, device=self.device)
        if self.state is None:  # the first step: every row starts from zeros
            shape = (self.module.num_layers, len(obs), self.module.hidden_size)
            self.state = tuple(torch.zeros(shape, dtype=self.dtype, device=self.device)
                               for _ in range(2))
        live = np.arange(len(rows))  # positions of the recorded rows in the batch
        if len(rows) < MIN_ROWS:  # pad with rows that are not recorded (their state is
            # stale), keeping every row in its place: in a small batch a row's position
            # changes its rounding, and so the batch stays the whole one's when it is small
            padded = np.ones(len(obs), dtype=bool)
            padded[rows] = False
            extra = batch_size(len(rows), len(obs)) - len(rows)
            padded[np.flatnonzero(padded)[extra:]] = False
            padded[rows] = True
            live = np.flatnonzero(np.isin(np.flatnonzero(padded), rows))
            recorded, rows = rows, np.flatnonzero(padded)
        else:
            recorded = rows
        actions, hooked = [], {name: [] for name in self.hooked}
        fresh_rows = torch.as_tensor(starts, device=self.device)
        with torch.inference_mode():
            for chunk in np.array_split(rows, max(1, -(-len(rows) // CHUNK))):
                index = torch.as_tensor(chunk, device=self.device)
                fresh = fresh_rows.index_select(0, index)[None, :, None]
                state = tuple(s.index_select(1, index).masked_fill_(fresh, 0.0)
                              for s in self.state)
                action, new = self.policy(x.index_select(0, index)[None], state)
                for old, value in zip(self.state, new, strict=True):
                    old.index_copy_(1, index, value)
                actions.append(action[0] if action.ndim == 3 else action)
                for name in hooked:
                    hooked[name].append(self.hooked[name])
        self.hooked.update({name: np.concatenate(parts)[live]
                            for name, parts in hooked.items()})
        rows_t = torch.as_tensor(recorded, device=self.device)
        h, c = split_state(tuple(s.index_select(1, rows_t) for s in self.state))
        return torch.cat(actions)[torch.as_tensor(live)].float().cpu().numpy(), h, c


class RecurrentPPOPolicy(_Hooked):
    """sb3-contrib ``RecurrentPPO``: its deterministic ``predict`` once per step."""

    def __init__(self, model: Any, hooks: Mapping[str, str] | None,
                 deterministic: bool) -> None:
        self.model, self.deterministic = model, deterministic
        self.hooked: dict[str, np.ndarray] = {}
        self._handles = register_hooks(model.policy, hooks, self.hooked)
        self.state: Any = None

    def __call__(self, obs: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, Any, Any]:
        action, self.state = self.model.predict(obs, state=self.state, episode_start=starts,
                                                deterministic=self.deterministic)
        h, c = self.state  # actor LSTM (h, c), each (n_layers, B, units)
        return (np.asarray(action, dtype=np.float32).reshape(len(obs), -1),
                np.transpose(h, (1, 0, 2)).reshape(len(obs), -1),
                np.transpose(c, (1, 0, 2)).reshape(len(obs), -1))


def is_recurrent_ppo(policy: object) -> bool:
    """An sb3-contrib ``RecurrentPPO`` or a subclass of it (its class is not imported)."""
    return _has_base(policy, "RecurrentPPO", "sb3_contrib")


def is_cleanrl_agent(policy: object) -> bool:
    """A CleanRL-style recurrent agent: ``get_states`` and ``get_action_and_value``."""
    return isinstance(policy, torch.nn.Module) and callable(
        getattr(policy, "get_states", None)) and callable(
        getattr(policy, "get_action_and_value", None))


class CleanRLPolicy(_Hooked):
    """A CleanRL-style agent (``ppo_atari_lstm.py``'s shape): once per step,
    ``get_action_and_value(x, lstm_state, done)`` with ``x`` (B, obs_dim), ``done`` (B,)
    marking trial starts (the agent zeroes its own state there) and ``lstm_state`` an
    (h, c) tuple of shape (layers, B, units). Actions are its samples (its value head is
    not deterministic); its ``lstm`` gives the state's shape."""

    def __init__(self, agent: torch.nn.Module, hooks: Mapping[str, str] | None) -> None:
        self.agent = self.module = agent
        lstm = getattr(agent, "lstm", None)
        if not isinstance(lstm, torch.nn.LSTM):
            msg = ("a CleanRL-style agent needs its recurrent layer as .lstm (torch.nn.LSTM), "
                   f"got {type(lstm).__name__}")
            raise TypeError(msg)
        self.layers, self.units = lstm.num_layers, lstm.hidden_size
        param = next(agent.parameters())
        self.device, self.dtype = param.device, param.dtype
        self.hooked: dict[str, np.ndarray] = {}
        self._handles = register_hooks(agent, hooks, self.hooked)
        self.state: Any = None

    def __call__(self, obs: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, Any, Any]:
        x = torch.as_tensor(obs, dtype=self.dtype, device=self.device)
        if self.state is None:
            zeros = torch.zeros(self.layers, len(obs), self.units, dtype=self.dtype,
                                device=self.device)
            self.state = (zeros, zeros.clone())
        done = torch.as_tensor(starts, dtype=self.dtype, device=self.device)
        with torch.inference_mode():
            action, _, _, _, self.state = self.agent.get_action_and_value(x, self.state, done)
        h, c = split_state(self.state)
        return action.detach().float().cpu().numpy().reshape(len(obs), -1), h, c


def register_hooks(module: torch.nn.Module | None, hooks: Mapping[str, str] | None,
                    out: dict[str, np.ndarray]) -> list:
    if not hooks:
        return []
    if module is None:
        msg = "hooks need a torch.nn.Module policy (or a RecurrentPPO model)"
        raise TypeError(msg)
    names = dict(module.named_modules())
    handles = []
    for var, path in hooks.items():
        if path not in names:
            msg = (f"hooks[{var!r}] = {path!r} is not a submodule; it has "
                   f"{sorted(n for n in names if n)[:12]}")
            raise ValueError(msg)

        def hook(_module: object, _inputs: object, output: object, var: str = var) -> None:
            value = output[0] if isinstance(output, tuple) else output
            arr = value.detach().float().cpu().numpy()
            out[var] = arr[-1] if arr.ndim == 3 else arr  # last time step, (B, k)

        handles.append(names[path].register_forward_hook(hook))
    return handles


def zero_rows(state: Any, rows: torch.Tensor) -> Any:
    if isinstance(state, (tuple, list)):
        return type(state)(zero_rows(s, rows) for s in state)
    state = state.clone()
    if state.ndim == 3:
        state[:, rows] = 0
    else:
        state[rows] = 0
    return state


def split_state(state: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
    def flat(x: torch.Tensor) -> np.ndarray:
        x = x.detach().float().cpu()
        return (x.permute(1, 0, 2).reshape(x.shape[1], x.shape[0] * x.shape[2]) if x.ndim == 3
                else x).numpy()

    if isinstance(state, (tuple, list)) and state and all(
            isinstance(s, torch.Tensor) for s in state):
        return flat(state[0]), flat(state[1]) if len(state) > 1 else None
    if isinstance(state, torch.Tensor):
        return flat(state), None
    if state is None:
        return None, None
    msg = (f"the policy returned its recurrent state as {type(state).__name__}; record "
           "needs a tensor h or an (h, c) tuple / list of tensors")
    raise TypeError(msg)
