"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode import agents as agents
from navdecode import analysis as analysis
from navdecode import plotting as plotting
from navdecode import pretrained as pretrained
from navdecode import recording as recording
from navdecode import report as report
from navdecode import stats as stats
from navdecode import task as task
from navdecode import training as training
from navdecode._version import __version__ as __version__
from navdecode.agents.checkpoints import load_agent as load_agent
from navdecode.agents.checkpoints import save_agent as save_agent
from navdecode.agents.networks import ARCHITECTURES as ARCHITECTURES
from navdecode.agents.networks import Agent as Agent
from navdecode.agents.networks import RecurrentActor as RecurrentActor
from navdecode.agents.networks import RecurrentCritic as RecurrentCritic
from navdecode.agents.networks import TwinCritic as TwinCritic
from navdecode.agents.networks import count_parameters as count_parameters
from navdecode.agents.networks import make_agent as make_agent
from navdecode.analysis.controls import replay_actions as replay_actions
from navdecode.analysis.controls import replay_perturbation as replay_perturbation
from navdecode.analysis.controls import untrained_recording as untrained_recording
from navdecode.analysis.critic import critic_recording as critic_recording
from navdecode.analysis.critic import critic_summary as critic_summary
from navdecode.analysis.critic import critic_values as critic_values
from navdecode.analysis.decoding import DecodingResult as DecodingResult
from navdecode.analysis.decoding import decode as decode
from navdecode.analysis.decoding import decode_each as decode_each
from navdecode.analysis.decoding import default_decoder as default_decoder
from navdecode.analysis.diagnostics import actor_saturation as actor_saturation
from navdecode.analysis.diagnostics import pinned_fraction as pinned_fraction
from navdecode.analysis.dynamical_similarity import dsa_distance as dsa_distance
from navdecode.analysis.dynamics import fixed_points as fixed_points
from navdecode.analysis.estimators import GroupedRidgeCV as GroupedRidgeCV
from navdecode.analysis.metrics import path_curvature as path_curvature
from navdecode.analysis.metrics import roc_auc as roc_auc
from navdecode.analysis.metrics import session_metrics as session_metrics
from navdecode.analysis.metrics import signed_radial_error as signed_radial_error
from navdecode.analysis.metrics import strong_perturbations as strong_perturbations
from navdecode.analysis.metrics import trial_metrics as trial_metrics
from navdecode.analysis.metrics import zero_intercept_slope as zero_intercept_slope
from navdecode.analysis.observer import ideal_observer as ideal_observer
from navdecode.analysis.perturbation import belief_perturbation_errors as belief_perturbation_errors
from navdecode.analysis.perturbation import belief_perturbation_slopes as belief_perturbation_slopes
from navdecode.analysis.perturbation import compensation_kernels as compensation_kernels
from navdecode.analysis.perturbation import integrated_perturbation as integrated_perturbation
from navdecode.analysis.perturbation import perturbations_of as perturbations_of
from navdecode.analysis.similarity import cka as cka
from navdecode.analysis.similarity import procrustes_distance as procrustes_distance
from navdecode.analysis.similarity import similarity_matrix as similarity_matrix
from navdecode.analysis.target_frame import relative_to_target as relative_to_target
from navdecode.analysis.tuning import tuning_maps as tuning_maps
from navdecode.analysis.tuning import tuning_strength as tuning_strength
from navdecode.plotting.behaviour import plot_curvature as plot_curvature
from navdecode.plotting.behaviour import plot_reward_fraction as plot_reward_fraction
from navdecode.plotting.behaviour import plot_time_spent as plot_time_spent
from navdecode.plotting.behaviour import plot_trajectories as plot_trajectories
from navdecode.plotting.behaviour import plot_traveled_vs_target as plot_traveled_vs_target
from navdecode.plotting.behaviour import plot_trial as plot_trial
from navdecode.plotting.representations import plot_decoding_error as plot_decoding_error
from navdecode.plotting.representations import plot_decoding_over_time as plot_decoding_over_time
from navdecode.plotting.representations import plot_fixed_points as plot_fixed_points
from navdecode.plotting.training import plot_training_curves as plot_training_curves
from navdecode.pretrained.bundle import export_pretrained as export_pretrained
from navdecode.pretrained.bundle import list_pretrained as list_pretrained
from navdecode.pretrained.bundle import load_pretrained as load_pretrained
from navdecode.recording.export import to_nwb as to_nwb
from navdecode.recording.export import to_pynapple as to_pynapple
from navdecode.recording.recorder import record as record
from navdecode.recording.rollout import fixed_targets as fixed_targets
from navdecode.recording.rollout import run_agent as run_agent
from navdecode.recording.schema import check_recording as check_recording
from navdecode.recording.schema import stack_recordings as stack_recordings
from navdecode.recording.store import load_dataset as load_dataset
from navdecode.recording.store import save_dataset as save_dataset
from navdecode.report.render import make_report as make_report
from navdecode.stats.comparisons import compare as compare
from navdecode.stats.comparisons import mean_ci as mean_ci
from navdecode.stats.comparisons import permutation_test as permutation_test
from navdecode.stats.comparisons import seed_level as seed_level
from navdecode.stats.comparisons import summarize as summarize
from navdecode.stats.comparisons import welch_ci as welch_ci
from navdecode.stats.factorial import compare_factorial as compare_factorial
from navdecode.stats.matrices import within_between_test as within_between_test
from navdecode.stats.mixed import mixed_model as mixed_model
from navdecode.task.config import TaskConfig as TaskConfig
from navdecode.task.envs import ENV_ID as ENV_ID
from navdecode.task.envs import FireflyEnv as FireflyEnv
from navdecode.task.envs import FireflyVectorEnv as FireflyVectorEnv
from navdecode.task.envs import register_envs as register_envs
from navdecode.task.firefly import FireflyTask as FireflyTask
from navdecode.task.firefly import reward_for_distance as reward_for_distance
from navdecode.task.firefly import sample_targets as sample_targets
from navdecode.training.config import TrainConfig as TrainConfig
from navdecode.training.loop import TrainingRun as TrainingRun
from navdecode.training.loop import train as train
from navdecode.training.runs import select_checkpoint as select_checkpoint
from navdecode.training.sweeps import sweep as sweep

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
    "belief_perturbation_errors",
    "belief_perturbation_slopes",
    "check_recording",
    "cka",
    "compare",
    "compare_factorial",
    "compensation_kernels",
    "count_parameters",
    "critic_recording",
    "critic_summary",
    "critic_values",
    "decode",
    "decode_each",
    "default_decoder",
    "dsa_distance",
    "export_pretrained",
    "fixed_points",
    "fixed_targets",
    "ideal_observer",
    "integrated_perturbation",
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
    "perturbations_of",
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
    "register_envs",
    "relative_to_target",
    "replay_actions",
    "replay_perturbation",
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
