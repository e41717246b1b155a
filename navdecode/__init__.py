"""navdecode: train recurrent agents on the firefly task and look inside them.

Light to import: the analysis, plotting and statistics modules (scikit-learn,
matplotlib, statsmodels, dask) load on first use of one of their names
(SPEC 1 lazy attributes). Importing the package registers "navdecode/Firefly-v0".
"""

from __future__ import annotations

import importlib
import importlib.util

from navdecode._version import __version__

# every public name -> the module that defines it, imported on first use (SPEC 1)
_LAZY = {
    "load_agent": "navdecode.agents.checkpoints",
    "save_agent": "navdecode.agents.checkpoints",
    "ARCHITECTURES": "navdecode.agents.networks",
    "Agent": "navdecode.agents.networks",
    "RecurrentActor": "navdecode.agents.networks",
    "RecurrentCritic": "navdecode.agents.networks",
    "TwinCritic": "navdecode.agents.networks",
    "count_parameters": "navdecode.agents.networks",
    "make_agent": "navdecode.agents.networks",
    "replay_actions": "navdecode.analysis.controls",
    "untrained_recording": "navdecode.analysis.controls",
    "DecodingResult": "navdecode.analysis.decoding",
    "decode": "navdecode.analysis.decoding",
    "decode_each": "navdecode.analysis.decoding",
    "default_decoder": "navdecode.analysis.decoding",
    "actor_saturation": "navdecode.analysis.diagnostics",
    "pinned_fraction": "navdecode.analysis.diagnostics",
    "GroupedRidgeCV": "navdecode.analysis.estimators",
    "path_curvature": "navdecode.analysis.metrics",
    "roc_auc": "navdecode.analysis.metrics",
    "session_metrics": "navdecode.analysis.metrics",
    "signed_radial_error": "navdecode.analysis.metrics",
    "trial_metrics": "navdecode.analysis.metrics",
    "zero_intercept_slope": "navdecode.analysis.metrics",
    "ideal_observer": "navdecode.analysis.observer",
    "relative_to_target": "navdecode.analysis.target_frame",
    "tuning_maps": "navdecode.analysis.tuning",
    "tuning_strength": "navdecode.analysis.tuning",
    "strong_perturbations": "navdecode.analysis.metrics",
    "cka": "navdecode.analysis.similarity",
    "procrustes_distance": "navdecode.analysis.similarity",
    "similarity_matrix": "navdecode.analysis.similarity",
    "fixed_points": "navdecode.analysis.dynamics",
    "dsa_distance": "navdecode.analysis.dynamical_similarity",
    "within_between_test": "navdecode.stats.matrices",
    "plot_curvature": "navdecode.plotting.behaviour",
    "plot_fixed_points": "navdecode.plotting.representations",
    "plot_decoding_error": "navdecode.plotting.representations",
    "plot_decoding_over_time": "navdecode.plotting.representations",
    "plot_reward_fraction": "navdecode.plotting.behaviour",
    "plot_time_spent": "navdecode.plotting.behaviour",
    "plot_training_curves": "navdecode.plotting.training",
    "plot_trajectories": "navdecode.plotting.behaviour",
    "plot_traveled_vs_target": "navdecode.plotting.behaviour",
    "plot_trial": "navdecode.plotting.behaviour",
    "export_pretrained": "navdecode.pretrained.bundle",
    "list_pretrained": "navdecode.pretrained.bundle",
    "load_pretrained": "navdecode.pretrained.bundle",
    "record": "navdecode.recording.recorder",
    "fixed_targets": "navdecode.recording.rollout",
    "run_agent": "navdecode.recording.rollout",
    "check_recording": "navdecode.recording.schema",
    "load_dataset": "navdecode.recording.store",
    "save_dataset": "navdecode.recording.store",
    "to_nwb": "navdecode.recording.export",
    "to_pynapple": "navdecode.recording.export",
    "stack_recordings": "navdecode.recording.schema",
    "make_report": "navdecode.report.render",
    "compare": "navdecode.stats.comparisons",
    "compare_factorial": "navdecode.stats.factorial",
    "mean_ci": "navdecode.stats.comparisons",
    "mixed_model": "navdecode.stats.mixed",
    "permutation_test": "navdecode.stats.comparisons",
    "seed_level": "navdecode.stats.comparisons",
    "summarize": "navdecode.stats.comparisons",
    "welch_ci": "navdecode.stats.comparisons",
    "TaskConfig": "navdecode.task.config",
    "ENV_ID": "navdecode.task.envs",
    "FireflyEnv": "navdecode.task.envs",
    "FireflyVectorEnv": "navdecode.task.envs",
    "register_envs": "navdecode.task.envs",
    "FireflyTask": "navdecode.task.firefly",
    "reward_for_distance": "navdecode.task.firefly",
    "sample_targets": "navdecode.task.firefly",
    "TrainConfig": "navdecode.training.config",
    "TrainingRun": "navdecode.training.loop",
    "select_checkpoint": "navdecode.training.runs",
    "train": "navdecode.training.loop",
    "sweep": "navdecode.training.sweeps",
}


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


__all__ = [
    "ARCHITECTURES",
    "ENV_ID",
    "Agent",
    "DecodingResult",
    "FireflyEnv",
    "FireflyTask",
    "FireflyVectorEnv",
    "GroupedRidgeCV",
    "RecurrentActor",
    "RecurrentCritic",
    "TaskConfig",
    "TrainConfig",
    "TrainingRun",
    "TwinCritic",
    "__version__",
    "actor_saturation",
    "check_recording",
    "cka",
    "compare",
    "compare_factorial",
    "count_parameters",
    "decode",
    "decode_each",
    "default_decoder",
    "dsa_distance",
    "export_pretrained",
    "fixed_points",
    "fixed_targets",
    "ideal_observer",
    "list_pretrained",
    "load_agent",
    "load_dataset",
    "load_pretrained",
    "make_agent",
    "make_report",
    "mean_ci",
    "mixed_model",
    "path_curvature",
    "permutation_test",
    "pinned_fraction",
    "plot_curvature",
    "plot_decoding_error",
    "plot_decoding_over_time",
    "plot_fixed_points",
    "plot_reward_fraction",
    "plot_time_spent",
    "plot_training_curves",
    "plot_trajectories",
    "plot_traveled_vs_target",
    "plot_trial",
    "procrustes_distance",
    "record",
    "relative_to_target",
    "replay_actions",
    "reward_for_distance",
    "roc_auc",
    "run_agent",
    "sample_targets",
    "save_agent",
    "save_dataset",
    "seed_level",
    "select_checkpoint",
    "session_metrics",
    "signed_radial_error",
    "similarity_matrix",
    "stack_recordings",
    "strong_perturbations",
    "summarize",
    "sweep",
    "to_nwb",
    "to_pynapple",
    "train",
    "trial_metrics",
    "tuning_maps",
    "tuning_strength",
    "untrained_recording",
    "welch_ci",
    "within_between_test",
    "zero_intercept_slope",
]

from navdecode.task.envs import register_envs  # noqa: E402

register_envs()
