"""Type stub: the names `__init__.py` loads on first use, for type checkers and editors
(generated from its lazy table by ``python tests/test_stubs.py``)."""

from navdecode.analysis import controls as controls
from navdecode.analysis import critic as critic
from navdecode.analysis import decoding as decoding
from navdecode.analysis import diagnostics as diagnostics
from navdecode.analysis import dynamical_similarity as dynamical_similarity
from navdecode.analysis import dynamics as dynamics
from navdecode.analysis import estimators as estimators
from navdecode.analysis import metrics as metrics
from navdecode.analysis import observer as observer
from navdecode.analysis import perturbation as perturbation
from navdecode.analysis import ridge_stats as ridge_stats
from navdecode.analysis import similarity as similarity
from navdecode.analysis import sklearn_ridges as sklearn_ridges
from navdecode.analysis import target_frame as target_frame
from navdecode.analysis import tuning as tuning
from navdecode.analysis import units as units
from navdecode.analysis.controls import replay_actions as replay_actions
from navdecode.analysis.controls import replay_perturbation as replay_perturbation
from navdecode.analysis.controls import time_features as time_features
from navdecode.analysis.controls import untrained_recording as untrained_recording
from navdecode.analysis.critic import critic_recording as critic_recording
from navdecode.analysis.critic import critic_summary as critic_summary
from navdecode.analysis.critic import critic_values as critic_values
from navdecode.analysis.decoding import CONTROLS as CONTROLS
from navdecode.analysis.decoding import PROTOCOLS as PROTOCOLS
from navdecode.analysis.decoding import DecodingResult as DecodingResult
from navdecode.analysis.decoding import decode as decode
from navdecode.analysis.decoding import decode_each as decode_each
from navdecode.analysis.decoding import default_decoder as default_decoder
from navdecode.analysis.diagnostics import actor_saturation as actor_saturation
from navdecode.analysis.diagnostics import pinned_fraction as pinned_fraction
from navdecode.analysis.dynamical_similarity import N_DELAYS as N_DELAYS
from navdecode.analysis.dynamical_similarity import RANK as RANK
from navdecode.analysis.dynamical_similarity import dmd_operator as dmd_operator
from navdecode.analysis.dynamical_similarity import dsa_distance as dsa_distance
from navdecode.analysis.dynamical_similarity import dsa_matrix as dsa_matrix
from navdecode.analysis.dynamical_similarity import dsa_score as dsa_score
from navdecode.analysis.dynamics import fixed_points as fixed_points
from navdecode.analysis.dynamics import lstm_update as lstm_update
from navdecode.analysis.estimators import GroupedRidgeCV as GroupedRidgeCV
from navdecode.analysis.estimators import fold_fits as fold_fits
from navdecode.analysis.metrics import STRONG_PERTURBATION as STRONG_PERTURBATION
from navdecode.analysis.metrics import nan_percentile_rows as nan_percentile_rows
from navdecode.analysis.metrics import path_curvature as path_curvature
from navdecode.analysis.metrics import pearson_r as pearson_r
from navdecode.analysis.metrics import perturbation_metrics as perturbation_metrics
from navdecode.analysis.metrics import pooled_max_radius as pooled_max_radius
from navdecode.analysis.metrics import roc_auc as roc_auc
from navdecode.analysis.metrics import session_metrics as session_metrics
from navdecode.analysis.metrics import signed_radial_error as signed_radial_error
from navdecode.analysis.metrics import strong_perturbations as strong_perturbations
from navdecode.analysis.metrics import trial_metrics as trial_metrics
from navdecode.analysis.metrics import zero_intercept_slope as zero_intercept_slope
from navdecode.analysis.observer import ideal_observer as ideal_observer
from navdecode.analysis.perturbation import belief_perturbation_errors as belief_perturbation_errors
from navdecode.analysis.perturbation import belief_perturbation_slopes as belief_perturbation_slopes
from navdecode.analysis.perturbation import bump_profile as bump_profile
from navdecode.analysis.perturbation import check_twin as check_twin
from navdecode.analysis.perturbation import compensation_kernels as compensation_kernels
from navdecode.analysis.perturbation import integrated_perturbation as integrated_perturbation
from navdecode.analysis.perturbation import perturbations_of as perturbations_of
from navdecode.analysis.ridge_stats import CELL_BYTES as CELL_BYTES
from navdecode.analysis.ridge_stats import Fit as Fit
from navdecode.analysis.ridge_stats import Sums as Sums
from navdecode.analysis.ridge_stats import augmented as augmented
from navdecode.analysis.ridge_stats import fit_standardized as fit_standardized
from navdecode.analysis.ridge_stats import fold_sums as fold_sums
from navdecode.analysis.ridge_stats import group_index as group_index
from navdecode.analysis.ridge_stats import group_kfold as group_kfold
from navdecode.analysis.ridge_stats import kfold as kfold
from navdecode.analysis.similarity import CKAColumns as CKAColumns
from navdecode.analysis.similarity import cka as cka
from navdecode.analysis.similarity import procrustes_distance as procrustes_distance
from navdecode.analysis.similarity import similarity_matrix as similarity_matrix
from navdecode.analysis.similarity import within_between as within_between
from navdecode.analysis.sklearn_ridges import plain_ridge as plain_ridge
from navdecode.analysis.sklearn_ridges import ridge_fits as ridge_fits
from navdecode.analysis.target_frame import relative_to_target as relative_to_target
from navdecode.analysis.tuning import tuning_maps as tuning_maps
from navdecode.analysis.tuning import tuning_strength as tuning_strength
from navdecode.analysis.units import Units as Units

__all__ = [
    "CELL_BYTES",
    "CONTROLS",
    "N_DELAYS",
    "PROTOCOLS",
    "RANK",
    "STRONG_PERTURBATION",
    "CKAColumns",
    "DecodingResult",
    "Fit",
    "GroupedRidgeCV",
    "Sums",
    "Units",
    "actor_saturation",
    "augmented",
    "belief_perturbation_errors",
    "belief_perturbation_slopes",
    "bump_profile",
    "check_twin",
    "cka",
    "compensation_kernels",
    "critic_recording",
    "critic_summary",
    "critic_values",
    "decode",
    "decode_each",
    "default_decoder",
    "dmd_operator",
    "dsa_distance",
    "dsa_matrix",
    "dsa_score",
    "fit_standardized",
    "fixed_points",
    "fold_fits",
    "fold_sums",
    "group_index",
    "group_kfold",
    "ideal_observer",
    "integrated_perturbation",
    "kfold",
    "lstm_update",
    "nan_percentile_rows",
    "path_curvature",
    "pearson_r",
    "perturbation_metrics",
    "perturbations_of",
    "pinned_fraction",
    "plain_ridge",
    "pooled_max_radius",
    "procrustes_distance",
    "relative_to_target",
    "replay_actions",
    "replay_perturbation",
    "ridge_fits",
    "roc_auc",
    "session_metrics",
    "signed_radial_error",
    "similarity_matrix",
    "strong_perturbations",
    "time_features",
    "trial_metrics",
    "tuning_maps",
    "tuning_strength",
    "untrained_recording",
    "within_between",
    "zero_intercept_slope",
]
