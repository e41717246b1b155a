"""Bundled agents trained by `navdecode train`, with their manifests and curves."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from navdecode._io import atomic_write, atomic_write_text
from navdecode._validation import check_bool, check_choice, check_int, check_path
from navdecode.agents.checkpoints import load_agent, load_critic, save_agent
from navdecode.agents.networks import ARCHITECTURES, Agent
from navdecode.training.config import TrainConfig
from navdecode.training.runs import RunFolder

__all__ = ["BUNDLE_FILES", "PRETRAINED_DIR", "bundle_path", "export_pretrained",
           "list_pretrained", "load_pretrained", "pretrained_curve"]

PRETRAINED_DIR = Path(__file__).parent
"""The package's own bundle: this folder."""

BUNDLE_FILES = {"actor": ".pt", "manifest": ".json", "curve": "-curve.csv",
                "critic": "-critic.pt"}
"""What a bundled agent is made of: kind -> the suffix after ``<arch>-seed<seed>``."""


def bundle_path(arch: str, seed: int, kind: str, folder: Path = PRETRAINED_DIR) -> Path:
    """Where one file of a bundled agent lives (`BUNDLE_FILES` names the kinds).

    Examples
    --------
    >>> from navdecode.pretrained.bundle import bundle_path
    >>> bundle_path("modular", 3, "curve").name
    'modular-seed3-curve.csv'
    """
    check_choice(kind, "kind", tuple(BUNDLE_FILES))
    return Path(folder) / f"{arch}-seed{seed}{BUNDLE_FILES[kind]}"


def pretrained_curve(arch: str, seed: int) -> pd.DataFrame | None:
    """The training curve of a bundled agent (``curve.csv`` rows), None when not bundled.

    Examples
    --------
    >>> from navdecode.pretrained.bundle import pretrained_curve
    >>> int(pretrained_curve("modular", 0)["episode"].max()) > 0
    True
    """
    path = bundle_path(arch, seed, "curve")
    return pd.read_csv(path) if path.exists() else None


def list_pretrained(archs: Sequence[str] | None = None) -> pd.DataFrame:
    """The bundled agents, one row per (arch, seed), from their manifests.

    Parameters
    ----------
    archs : sequence of str or None, default=None
        Only these architectures (e.g. ``("modular", "holistic")``, the tutorial's two);
        every bundled one when None.

    Returns
    -------
    table : pandas.DataFrame
        Columns include ``arch``, ``seed``, ``has_critic`` (a critic file is bundled),
        ``checkpoint_trial``, ``phase1_trials``,
        ``trials_to_0.9``, ``best_reward_fraction_gain1x`` ... ``gain4x``,
        ``wall_time_s``, ``command`` and ``navdecode_commit``.

    Examples
    --------
    >>> from navdecode import list_pretrained
    >>> table = list_pretrained()
    >>> {"arch", "seed"} <= set(table.columns)
    True
    """
    manifests = sorted(PRETRAINED_DIR.glob(f"*{BUNDLE_FILES['manifest']}"))
    rows = [json.loads(p.read_text()) for p in manifests]
    for row in rows:
        row["has_critic"] = bundle_path(row["arch"], row["seed"], "critic").exists()
    columns = ["arch", "seed", "checkpoint_trial", "phase1_trials", "trials_to_0.9"]
    table = pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
    if archs is not None:
        if isinstance(archs, str) or not all(isinstance(a, str) for a in archs):
            msg = f"archs must be a sequence of architecture names, got {archs!r}"
            raise TypeError(msg)
        for arch in archs:
            check_choice(arch, "archs", ARCHITECTURES)
        table = table[table["arch"].isin(list(archs))]
    return table.sort_values(["arch", "seed"]).reset_index(drop=True)


def load_pretrained(arch: str, seed: int, critic: bool = False) -> Agent:
    """Load a bundled agent: its actor, and its critic when asked and bundled.

    Parameters
    ----------
    arch : str
        Architecture: ``"modular"``, ``"holistic"``, or a hybrid such as
        ``"Actor1Critic5"`` (holistic actor, modular critic); see `list_pretrained`.
    seed : int
        Training seed; see `list_pretrained` for what is bundled.
    critic : bool, default=False
        Also load the critic trained with the actor (its ``-critic.pt`` file, the critic
        at the actor's own checkpoint). Agents whose run did not keep that critic have
        none: asking for it is then a `ValueError`; without it their critic is freshly
        initialised.

    Returns
    -------
    agent : Agent
        With ``agent.metadata`` holding the manifest's facts.

    Examples
    --------
    >>> from navdecode import load_pretrained
    >>> agent = load_pretrained("modular", 0)
    >>> agent.arch
    'modular'
    """
    check_choice(arch, "arch", ARCHITECTURES)
    check_int(seed, "seed", minimum=0)
    path = bundle_path(arch, seed, "actor")
    if not path.exists():
        have = list_pretrained()
        have_s = ", ".join(f"{a}/{s}" for a, s in zip(have["arch"], have["seed"], strict=True))
        msg = f"no bundled agent for arch={arch!r}, seed={seed}; bundled: {have_s or 'none'}"
        raise ValueError(msg)
    check_bool(critic, "critic")
    agent = load_agent(path)
    if critic:
        critic_path = bundle_path(arch, seed, "critic")
        if not critic_path.exists():
            msg = (f"bundled {arch} seed {seed} has no critic file: its run did not keep the "
                   "critic at the selected checkpoint (trained before runs kept a critic "
                   "beside every checkpoint; list_pretrained()['has_critic'] says which do)")
            raise ValueError(msg)
        load_critic(agent, critic_path)
    manifest = json.loads(bundle_path(arch, seed, "manifest").read_text())
    agent.metadata = {k: v for k, v in manifest.items() if isinstance(v, (str, int, float))}
    return agent


def _trials_to(curve: pd.DataFrame, level: float) -> int | None:
    post = curve[(curve["task"] == "gain1x") & (curve["trials_after_phase1"] > 0)]
    hit = post[post["reward_fraction"] >= level]
    return None if hit.empty else int(hit["trials_after_phase1"].iloc[0])


def export_pretrained(run_dir: str | Path, dest: str | Path = "pretrained",
                      criterion: str = "gain1x", force: bool = False) -> Path:
    """Bundle a training run's selected actor with its curve and a manifest.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        A run folder written by `train` (with ``provenance.json`` from ``navdecode train``).
    dest : str or pathlib.Path, default="pretrained"
        Destination folder (relative to the working directory). To add an agent to
        navdecode's own bundle, name the package folder (`PRETRAINED_DIR`) explicitly.
    criterion : {"gain1x", "sum"}, default="gain1x"
        Checkpoint selection (see `select_checkpoint`).
    force : bool, default=False
        Overwrite an agent of the same name in `dest`; refused otherwise.

    Returns
    -------
    path : pathlib.Path
        The written ``<arch>-seed<seed>.pt``.

    Examples
    --------
    >>> from navdecode import export_pretrained
    >>> export_pretrained("runs/modular-seed0", dest="bundle")  # doctest: +SKIP
    PosixPath('bundle/modular-seed0.pt')
    """
    from navdecode.training.runs import select_checkpoint

    run_dir = check_path(run_dir, "run_dir")
    dest = check_path(dest, "dest")
    check_bool(force, "force")
    folder = RunFolder(run_dir)
    if not folder.config.exists():
        msg = f"run_dir {str(run_dir)!r} is not a run folder (no config.json)"
        raise ValueError(msg)
    full_config = folder.read_config()
    arch, seed = full_config["train"]["arch"], full_config["train"]["seed"]
    files = {kind: bundle_path(arch, seed, kind, dest) for kind in BUNDLE_FILES}
    existing = [path for path in files.values() if path.exists()]
    if existing and not force:
        msg = (f"{existing[0]} exists; export refuses to overwrite a bundled agent "
               f"(pass force=True / --force to replace it)")
        raise ValueError(msg)
    best = select_checkpoint(run_dir, criterion=criterion)
    agent = load_agent(best)
    config = asdict(TrainConfig.from_saved(full_config["train"]))
    curve = folder.read_curve()
    provenance = folder.read_provenance()
    window = config["n_trials_after_phase1"]
    post = curve[(curve["trials_after_phase1"] > 0) & (curve["trials_after_phase1"] <= window)]
    done = folder.is_done()
    manifest: dict[str, object] = {
        "arch": config["arch"], "seed": config["seed"],
        "command": provenance.get("command", ""),
        "navdecode_commit": provenance.get("commit", ""),
        "navdecode_modified": provenance.get("package_modified"),
        "machine": provenance.get("machine", ""),
        "resumes": provenance.get("resumes", []),
        "checkpoint_trial": int(agent.metadata.get("trial", -1)),
        "selection": criterion,
        "phase1_trials": int(curve.loc[curve["trials_after_phase1"] >= 0, "episode"].min()
                             - curve.loc[curve["trials_after_phase1"] >= 0,
                                         "trials_after_phase1"].min()),
        "trials_after_phase1_trained": int(curve["trials_after_phase1"].max()),
        "training_finished": done,
        "trials_to_0.9": _trials_to(curve, 0.9),
        "wall_time_s": round(float(curve["wall_time_s"].max()), 1),
        "config": config,
        "task_config": full_config.get("task", {}),
    }
    for task, frac in post.groupby("task")["reward_fraction"].max().items():
        manifest[f"best_reward_fraction_{task}"] = round(float(frac), 4)
    dest.mkdir(parents=True, exist_ok=True)
    out = save_agent(agent, files["actor"], include_critic=False, overwrite=force,
                     metadata={"trial": manifest["checkpoint_trial"], "seed": config["seed"]})
    kept = folder.critic_checkpoint(manifest["checkpoint_trial"])
    if kept.exists():  # the critic trained with this actor, in its own file
        atomic_write(files["critic"], lambda tmp: shutil.copyfile(kept, tmp))
    else:  # a run from before critics were kept: no critic, not an earlier agent's
        files["critic"].unlink(missing_ok=True)
    shutil.copyfile(folder.curve, files["curve"])
    atomic_write_text(files["manifest"], json.dumps(manifest, indent=2))
    return out
