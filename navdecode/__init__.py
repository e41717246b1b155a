"""navdecode: train recurrent agents on the firefly task and look inside them.

Light to import: the analysis, plotting and statistics modules (scikit-learn,
matplotlib, statsmodels, dask) load on first use of one of their names
(SPEC 1 lazy attributes). Importing the package registers "navdecode/Firefly-v0".
"""

from __future__ import annotations

import importlib
import importlib.util

from navdecode._exports import where
from navdecode._version import __version__  # noqa: F401 (in __all__)

# the names the top level re-exports, by folder; each folder's table says which of its
# modules defines them (navdecode._exports), and they load on first use (SPEC 1)
_TOP = {
    "agents": (
        "ARCHITECTURES", "Agent", "RecurrentActor", "RecurrentCritic", "TwinCritic",
        "count_parameters", "load_agent", "make_agent", "save_agent"),
    "analysis": (
        "DecodingResult", "GroupedRidgeCV", "actor_saturation", "belief_perturbation_errors",
        "belief_perturbation_slopes", "cka", "compensation_kernels", "critic_recording",
        "critic_summary", "critic_values", "decode", "decode_each", "default_decoder",
        "dsa_distance", "fixed_points", "ideal_observer", "integrated_perturbation",
        "path_curvature", "perturbations_of", "pinned_fraction", "procrustes_distance",
        "relative_to_target", "replay_actions", "replay_perturbation", "roc_auc",
        "session_metrics", "signed_radial_error", "similarity_matrix", "strong_perturbations",
        "trial_metrics", "tuning_maps", "tuning_strength", "untrained_recording",
        "zero_intercept_slope"),
    "stats": (
        "compare", "compare_factorial", "mean_ci", "mixed_model", "permutation_test",
        "seed_level", "summarize", "welch_ci", "within_between_test"),
    "plotting": (
        "plot_curvature", "plot_decoding_error", "plot_decoding_over_time",
        "plot_fixed_points", "plot_reward_fraction", "plot_time_spent",
        "plot_training_curves", "plot_trajectories", "plot_traveled_vs_target", "plot_trial"),
    "pretrained": ("export_pretrained", "list_pretrained", "load_pretrained"),
    "recording": (
        "check_recording", "fixed_targets", "load_dataset", "record", "run_agent",
        "save_dataset", "stack_recordings", "to_nwb", "to_pynapple"),
    "report": ("make_report",),
    "task": (
        "ENV_ID", "FireflyEnv", "FireflyTask", "FireflyVectorEnv", "TaskConfig",
        "register_envs", "reward_for_distance", "sample_targets"),
    "training": ("TrainConfig", "TrainingRun", "select_checkpoint", "sweep", "train"),
}


def _defined_in(folder: str) -> dict[str, str]:
    """The folder's public names -> their modules (its ``_EXPORTS``, read without importing
    any of its modules)."""
    modules = where(importlib.import_module(f"navdecode.{folder}")._EXPORTS)
    return {name: f"navdecode.{folder}.{module}" for name, module in modules.items()}


_LAZY = {name: _defined_in(folder)[name] for folder, names in _TOP.items() for name in names}
"""Every top-level name -> the module that defines it."""


def __getattr__(name: str) -> object:
    """Import the module that defines `name` on first use."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"navdecode.{name}") is not None:
        return importlib.import_module(f"navdecode.{name}")  # a submodule: nd.plotting
    msg = f"module 'navdecode' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = sorted([*_LAZY, "__version__"])

from navdecode.task.envs import register_envs  # noqa: E402

register_envs()
