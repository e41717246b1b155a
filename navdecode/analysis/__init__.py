"""Analyses of recordings: each reads a recording (or its tables) and nothing else.

Modules: `metrics` (per-trial behaviour as published), `target_frame` (the target's
distance and angle from the agent), `decoding` (`decode`, grouped cross-validation),
`estimators` (`GroupedRidgeCV`), `ridge_stats` (ridge from fold sums), `controls`
(untrained network, time-only, action replay), `observer` (the ideal observer's belief),
`perturbation` (compensation kernels, belief error against the integrated perturbation),
`critic` (the critic's values, TD errors and units), `tuning` (single-unit tuning maps),
`similarity` (CKA, Procrustes), `dynamics` (fixed points) and `diagnostics` (actor
saturation and circling).
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "controls": ("replay_actions", "replay_perturbation", "time_features", "untrained_recording"),
    "critic": ("critic_recording", "critic_summary", "critic_values"),
    "decoding": (
        "CONTROLS", "DecodingResult", "PROTOCOLS", "decode", "decode_each", "default_decoder"),
    "diagnostics": ("actor_saturation", "pinned_fraction"),
    "dynamical_similarity": (
        "N_DELAYS", "RANK", "dmd_operator", "dsa_distance", "dsa_matrix", "dsa_score"),
    "dynamics": ("fixed_points", "lstm_update"),
    "estimators": ("GroupedRidgeCV", "fold_fits"),
    "metrics": (
        "STRONG_PERTURBATION", "nan_percentile_rows", "path_curvature", "pearson_r",
        "perturbation_metrics", "pooled_max_radius", "roc_auc", "session_metrics",
        "signed_radial_error", "strong_perturbations", "trial_metrics", "zero_intercept_slope"),
    "observer": ("ideal_observer",),
    "perturbation": (
        "belief_perturbation_errors", "belief_perturbation_slopes", "bump_profile",
        "check_twin", "compensation_kernels", "integrated_perturbation", "perturbations_of"),
    "ridge_stats": (
        "CELL_BYTES", "Fit", "Sums", "augmented", "fit_standardized", "fold_sums",
        "group_index", "group_kfold", "kfold"),
    "similarity": (
        "CKAColumns", "cka", "procrustes_distance", "similarity_matrix", "within_between"),
    "sklearn_ridges": ("plain_ridge", "ridge_fits"),
    "target_frame": ("relative_to_target",),
    "tuning": ("tuning_maps", "tuning_strength"),
    "units": ("Units",),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
