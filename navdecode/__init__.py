"""navdecode: train recurrent agents on the firefly task and look inside them."""

__version__ = "0.1.0"

from navdecode.agents import (
    ARCHITECTURES,
    Agent,
    RecurrentActor,
    RecurrentCritic,
    TwinCritic,
    count_parameters,
    make_agent,
)
from navdecode.checkpoints import load_agent, save_agent
from navdecode.config import TaskConfig
from navdecode.controls import replay_actions, untrained_recording
from navdecode.decoding import DecodingResult, decode, default_decoder
from navdecode.diagnostics import actor_saturation
from navdecode.envs import ENV_ID, FireflyEnv, FireflyVectorEnv, register_envs
from navdecode.estimators import GroupedRidgeCV
from navdecode.metrics import (
    path_curvature,
    roc_auc,
    session_metrics,
    signed_radial_error,
    trial_metrics,
    zero_intercept_slope,
)
from navdecode.plotting import (
    plot_curvature,
    plot_decoding_error,
    plot_decoding_over_time,
    plot_reward_fraction,
    plot_time_spent,
    plot_training_curves,
    plot_trajectories,
    plot_traveled_vs_target,
    plot_trial,
)
from navdecode.pretrained import export_pretrained, list_pretrained, load_pretrained
from navdecode.record import record
from navdecode.recording import (
    check_recording,
    load_dataset,
    save_dataset,
    stack_recordings,
)
from navdecode.report import make_report
from navdecode.rollout import fixed_targets, run_agent
from navdecode.similarity import cka, procrustes_distance, similarity_matrix
from navdecode.stats import (
    compare,
    mean_ci,
    mixed_model,
    permutation_test,
    seed_level,
    summarize,
    welch_ci,
)
from navdecode.sweep import sweep
from navdecode.task import FireflyTask, reward_for_distance, sample_targets
from navdecode.train import TrainingRun, select_checkpoint, train
from navdecode.train_config import TrainConfig

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
