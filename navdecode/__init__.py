"""navdecode: train recurrent agents on the firefly task and look inside them.

Light to import: the analysis, plotting and statistics modules (scikit-learn,
matplotlib, seaborn, statsmodels, dask) load on first use of one of their names
(SPEC 1 lazy attributes). Importing the package registers "navdecode/Firefly-v0".
"""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("navdecode")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

# modules whose name is also a function exported here (train, sweep, record) are
# imported eagerly: importing them later would rebind the package attribute.
from navdecode.agents import (
    ARCHITECTURES,
    Agent,
    RecurrentActor,
    RecurrentCritic,
    TwinCritic,
    count_parameters,
    make_agent,
)
from navdecode.config import (
    TaskConfig,
)
from navdecode.envs import (
    ENV_ID,
    FireflyEnv,
    FireflyVectorEnv,
    register_envs,
)
from navdecode.record import (
    record,
)
from navdecode.sweep import (
    sweep,
)
from navdecode.train import (
    TrainingRun,
    select_checkpoint,
    train,
)
from navdecode.train_config import (
    TrainConfig,
)

_LAZY = {
    "ideal_observer": "navdecode.observer",
    "load_agent": "navdecode.checkpoints",
    "save_agent": "navdecode.checkpoints",
    "replay_actions": "navdecode.controls",
    "untrained_recording": "navdecode.controls",
    "decode": "navdecode.decoding",
    "DecodingResult": "navdecode.decoding",
    "default_decoder": "navdecode.decoding",
    "actor_saturation": "navdecode.diagnostics",
    "pinned_fraction": "navdecode.diagnostics",
    "GroupedRidgeCV": "navdecode.estimators",
    "path_curvature": "navdecode.metrics",
    "roc_auc": "navdecode.metrics",
    "session_metrics": "navdecode.metrics",
    "signed_radial_error": "navdecode.metrics",
    "trial_metrics": "navdecode.metrics",
    "zero_intercept_slope": "navdecode.metrics",
    "plot_curvature": "navdecode.plotting",
    "plot_decoding_error": "navdecode.plotting",
    "plot_decoding_over_time": "navdecode.plotting",
    "plot_reward_fraction": "navdecode.plotting",
    "plot_time_spent": "navdecode.plotting",
    "plot_training_curves": "navdecode.plotting",
    "plot_trajectories": "navdecode.plotting",
    "plot_traveled_vs_target": "navdecode.plotting",
    "plot_trial": "navdecode.plotting",
    "export_pretrained": "navdecode.pretrained",
    "list_pretrained": "navdecode.pretrained",
    "load_pretrained": "navdecode.pretrained",
    "check_recording": "navdecode.recording",
    "load_dataset": "navdecode.recording",
    "save_dataset": "navdecode.recording",
    "stack_recordings": "navdecode.recording",
    "make_report": "navdecode.report",
    "fixed_targets": "navdecode.rollout",
    "run_agent": "navdecode.rollout",
    "cka": "navdecode.similarity",
    "procrustes_distance": "navdecode.similarity",
    "similarity_matrix": "navdecode.similarity",
    "compare": "navdecode.stats",
    "mean_ci": "navdecode.stats",
    "mixed_model": "navdecode.stats",
    "permutation_test": "navdecode.stats",
    "seed_level": "navdecode.stats",
    "summarize": "navdecode.stats",
    "welch_ci": "navdecode.stats",
    "FireflyTask": "navdecode.task",
    "reward_for_distance": "navdecode.task",
    "sample_targets": "navdecode.task",
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
    "count_parameters",
    "decode",
    "default_decoder",
    "export_pretrained",
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
    "plot_reward_fraction",
    "plot_time_spent",
    "plot_training_curves",
    "plot_trajectories",
    "plot_traveled_vs_target",
    "plot_trial",
    "procrustes_distance",
    "record",
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
    "summarize",
    "sweep",
    "train",
    "trial_metrics",
    "untrained_recording",
    "welch_ci",
    "zero_intercept_slope",
]

register_envs()
