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
