"""Save and load agents: navdecode's own checkpoints and the published format."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch

from navdecode._io import atomic_write, check_file_destination
from navdecode._validation import check_choice, check_instance, check_path
from navdecode.agents.networks import (
    ACTOR_SPECS,
    ALIASES,
    ARCHITECTURES,
    CRITIC_SPECS,
    Agent,
    make_agent,
    split_arch,
)

__all__ = ["load_agent", "load_critic", "save_agent", "save_critic"]

FORMAT_VERSION = 1


def _published_names(critic: str) -> dict[str, str]:
    """navdecode critic key prefix -> the paper's module name, for one critic class.

    The paper's twin critics hold both Q networks in one module: ``rnn1`` / ``rnn2``
    (Critic4: ``rnn1``, ``rnn2`` for Q1 and ``rnn3``, ``rnn4`` for Q2) and the linear
    layers numbered on through both (Critic3 and Critic5: ``l1``-``l3`` for Q1, ``l4``-``l6``
    for Q2; Critic1, 2 and 4: ``l1`` and ``l2``). navdecode's `TwinCritic` names them
    ``q1.rnn...``, ``q2.l3...``.
    """
    _, _, mlp, _, second = CRITIC_SPECS[critic]
    k = len(mlp) + 1
    names = ({"q1.rnn.": "rnn1.", "q1.rnn2.": "rnn2.", "q2.rnn.": "rnn3.", "q2.rnn2.": "rnn4."}
             if second else {"q1.rnn.": "rnn1.", "q2.rnn.": "rnn2."})
    for i in range(1, k + 1):
        names[f"q1.l{i}."] = f"l{i}."
        names[f"q2.l{i}."] = f"l{i + k}."
    return names


def _rename(state: dict[str, torch.Tensor], names: dict[str, str]) -> dict[str, torch.Tensor]:
    out = {}
    for key, value in state.items():
        prefix = max((p for p in names if key.startswith(p)), key=len, default=None)
        out[names[prefix] + key[len(prefix):] if prefix else key] = value
    return out


def _infer_critic(critic_dict: dict[str, torch.Tensor], path: Path) -> str:
    """Name the paper's critic class from its module names and shapes."""
    try:
        if "rnn3.weight_ih_l0" in critic_dict:
            return "Critic4"
        if "l6.weight" in critic_dict:
            inputs = critic_dict["rnn1.weight_ih_l0"].shape[1]
            return "Critic5" if inputs == 6 else "Critic3"
        if "rnn1.weight_hh_l1" in critic_dict:
            return "Critic2"
        if "rnn1.weight_hh_l0" in critic_dict:
            return "Critic1"
    except (KeyError, IndexError):
        pass
    msg = (f"{str(path)!r}: critic_dict matches none of the paper's critics; pass arch= "
           f"(one of {ARCHITECTURES})")
    raise ValueError(msg)


def _arch_name(actor: str, critic: str) -> str:
    return next((alias for alias, pair in ALIASES.items() if pair == (actor, critic)),
                f"{actor}{critic}")


_NOT_TORCH = (".nc", ".zarr", ".nwb", ".csv", ".json", ".npy", ".npz", ".h5", ".hdf5")
"""Suffixes of other formats: a checkpoint saved under one of them would mislead."""


def save_agent(agent: Agent, path: str | Path, format: str = "navdecode",
               metadata: dict[str, str | int | float] | None = None,
               include_critic: bool = True, overwrite: bool = False) -> Path:
    """Save an agent's weights, atomically.

    Parameters
    ----------
    agent : Agent
        The agent to save.
    path : str or pathlib.Path
        Destination file; an existing file is replaced only once the new one is complete.
        A name of another format (``.nc``, ``.zarr``, ``.json``, ...) is refused.
    format : {"navdecode", "published"}, default="navdecode"
        ``"navdecode"`` stores the architecture name and `metadata` beside the weights;
        ``"published"`` writes the paper's ``{"actor_dict", "critic_dict"}`` layout with
        exactly the module names of its Actor and Critic classes (``rnn1``, ``l4``...),
        loadable into them.
    metadata : dict of str to str, int or float, or None, default=None
        Extra facts to store (navdecode format only), e.g. the training trial.
    include_critic : bool, default=True
        False stores the actor only (a smaller file; the loaded critic is fresh).
    overwrite : bool, default=False
        Replace an existing file at `path` (without it, an existing path is refused).

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode import make_agent, save_agent
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_agent(make_agent("modular"), folder / "paper.tar", format="published").name
    'paper.tar'
    """
    check_instance(agent, "agent", Agent, "a navdecode Agent")
    path = check_path(path)
    if path.suffix.lower() in _NOT_TORCH:
        msg = (f"path {str(path)!r} names a {path.suffix} file, but save_agent writes a torch "
               "checkpoint: use a .pt name (save recordings with save_dataset)")
        raise ValueError(msg)
    check_choice(format, "format", ("navdecode", "published"))
    check_file_destination(path, overwrite, "save_agent")
    payload: dict[str, Any] = {
        "actor_dict": {k: v.detach().cpu() for k, v in agent.actor.state_dict().items()},
    }
    if include_critic:
        critic = {k: v.detach().cpu() for k, v in agent.critic.state_dict().items()}
        payload["critic_dict"] = (critic if format == "navdecode"
                                  else _rename(critic, _published_names(split_arch(agent.arch)[1])))
    if format == "navdecode":
        metadata = {} if metadata is None else dict(metadata)
        for key, value in metadata.items():
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                msg = f"metadata values must be str, int or float, got {key}={value!r}"
                raise TypeError(msg)
        payload |= {"format": "navdecode", "format_version": FORMAT_VERSION,
                    "arch": agent.arch, "metadata": metadata}
    atomic_write(path, lambda tmp: torch.save(payload, tmp))
    return path


def save_critic(agent: Agent, path: str | Path,
                metadata: dict[str, str | int | float] | None = None,
                overwrite: bool = False) -> Path:
    """Save an agent's critic alone, atomically (a separate file beside its actor).

    Training writes one beside every actor checkpoint and `export_pretrained` bundles the
    selected one, so value and TD-error analyses can load the critic that was trained with
    the actor (`load_critic`), while the actor files stay small.

    Parameters
    ----------
    agent : Agent
    path : str or pathlib.Path
    metadata : dict of str to str, int or float, or None, default=None
    overwrite : bool, default=False
        Replace an existing file at `path`.

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode import make_agent
    >>> from navdecode.agents.checkpoints import load_critic, save_critic
    >>> path = save_critic(make_agent("modular", seed=1), pathlib.Path(tempfile.mkdtemp()) / "c.pt")
    >>> load_critic(make_agent("modular", seed=2), path).arch
    'modular'
    """
    check_instance(agent, "agent", Agent, "a navdecode Agent")
    path = check_path(path)
    check_file_destination(path, overwrite, "save_critic")
    metadata = {} if metadata is None else dict(metadata)
    payload = {"format": "navdecode-critic", "format_version": FORMAT_VERSION,
               "arch": agent.arch, "metadata": metadata,
               "critic_dict": {k: v.detach().cpu() for k, v in agent.critic.state_dict().items()}}
    atomic_write(path, lambda tmp: torch.save(payload, tmp))
    return path


def load_critic(agent: Agent, path: str | Path) -> Agent:
    """Load a critic saved by `save_critic` into `agent` (in place; returned).

    Raises
    ------
    ValueError
        Naming the file: not a critic file, or a critic of another architecture.
    """
    check_instance(agent, "agent", Agent, "a navdecode Agent")
    payload = _safe_load(check_path(path))
    path = Path(path)
    if payload.get("format") != "navdecode-critic" or not isinstance(
            payload.get("critic_dict"), dict):
        msg = f"{str(path)!r} is not a critic file written by save_critic"
        raise ValueError(msg)
    if payload.get("arch") != agent.arch:
        msg = (f"{str(path)!r} holds a critic of {payload.get('arch')!r}; the agent is "
               f"{agent.arch!r}")
        raise ValueError(msg)
    try:
        agent.critic.load_state_dict(payload["critic_dict"])
    except RuntimeError as err:
        msg = f"{str(path)!r}: its critic weights do not fit {agent.arch!r}: {err}"
        raise ValueError(msg) from err
    agent.critic.trained = True
    return agent


def _safe_load(path: Path) -> Any:
    """``torch.load(..., weights_only=True)`` of a file, any failure a ValueError naming it."""
    if not path.is_file():
        msg = f"checkpoint {str(path)!r} does not exist or is not a file"
        raise ValueError(msg)
    try:
        with warnings.catch_warnings():
            # a plain pickle of another protocol is refused below anyway
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # any failure to read untrusted bytes means "not a checkpoint"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        msg = f"{str(path)!r} is not a valid checkpoint (refused by safe loading): {first}"
        raise ValueError(msg) from err


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint file safely (``weights_only=True``), refusing anything invalid."""
    path = check_path(path)
    payload = _safe_load(path)
    if not isinstance(payload, dict) or not isinstance(payload.get("actor_dict"), dict):
        msg = f"{str(path)!r} is not a valid checkpoint: expected a dict with key 'actor_dict'"
        raise ValueError(msg)
    return payload


def _infer_actor(actor_dict: dict[str, torch.Tensor], path: Path) -> str:
    """Name the paper's actor class from its weight shapes."""
    try:
        hidden = actor_dict["rnn.weight_hh_l0"].shape[1]
    except (KeyError, IndexError) as err:
        msg = f"{str(path)!r} is not a valid checkpoint: actor_dict lacks 'rnn.weight_hh_l0'"
        raise ValueError(msg) from err
    two_layers = "rnn.weight_hh_l1" in actor_dict
    has_mlp = "l3.weight" in actor_dict
    for name, (h, layers, mlp) in ACTOR_SPECS.items():
        if h == hidden and (layers == 2) == two_layers and bool(mlp) == has_mlp:
            return name
    msg = f"{str(path)!r}: actor_dict matches none of the paper's actors (hidden={hidden})"
    raise ValueError(msg)


def load_agent(path: str | Path, arch: str | None = None) -> Agent:
    """Load an agent saved by `save_agent` or in the published checkpoint format.

    Files are read with ``torch.load(..., weights_only=True)``: a file that holds
    code, is truncated, lacks ``actor_dict`` or has weights of the wrong shapes is
    refused with a `ValueError` naming the file.

    Parameters
    ----------
    path : str or pathlib.Path
        Checkpoint file.
    arch : str or None, default=None
        Architecture name. None reads it from a navdecode checkpoint, or infers the
        actor and the critic of a published one from its module names and weight shapes
        (any of the paper's 15 pairs; without a critic the actor's usual pairing:
        Actor1 with Critic1, Actor3 with Critic5, Actor2 with Critic1).

    Returns
    -------
    agent : Agent
        In evaluation mode, on the CPU. A published file without ``critic_dict`` gives
        an agent whose critic keeps its fresh initial weights.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from navdecode import load_agent, make_agent, save_agent
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "agent.pt"
    >>> _ = save_agent(make_agent("holistic", seed=1), path)
    >>> load_agent(path).arch
    'holistic'
    """
    path = check_path(path)
    if arch is not None:
        check_choice(arch, "arch", ARCHITECTURES)
    payload = read_checkpoint(path)
    critic_dict = payload.get("critic_dict")
    navdecode_format = payload.get("format") == "navdecode"
    # the paper's module names (rnn1, l4...), unless written with navdecode's (q1., q2.)
    paper_names = isinstance(critic_dict, dict) and not navdecode_format and not any(
        k.startswith(("q1.", "q2.")) for k in critic_dict)
    if arch is None:
        arch = payload.get("arch") if navdecode_format else None
        if not isinstance(arch, str):
            actor = _infer_actor(payload["actor_dict"], path)
            if paper_names:
                arch = _arch_name(actor, _infer_critic(critic_dict, path))
            else:  # no critic to tell: the actor's usual pairing
                arch = _arch_name(actor, {"Actor1": "Critic1", "Actor3": "Critic5"}.get(
                    actor, "Critic1"))
    if paper_names:
        critic_dict = _rename(critic_dict, {v: k for k, v in _published_names(
            split_arch(arch)[1]).items()})
        payload = {**payload, "critic_dict": critic_dict}
    agent = make_agent(arch, seed=0)
    parts = [("actor", agent.actor)] + ([("critic", agent.critic)]
                                        if isinstance(payload.get("critic_dict"), dict) else [])
    for name, module in parts:
        try:
            module.load_state_dict(payload[f"{name}_dict"], strict=True)
        except RuntimeError as err:
            first = str(err).strip().splitlines()[0]
            msg = (f"{str(path)!r}: {name}_dict does not fit architecture {arch!r} "
                   f"({ALIASES.get(arch, arch)}): {first}")
            raise ValueError(msg) from err
    agent.critic.trained = len(parts) == 2  # the file held the critic trained with the actor
    agent.metadata = dict(payload.get("metadata", {}))
    agent.checkpoint = str(path)
    return agent.eval()
