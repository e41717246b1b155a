"""Analyses of recordings: each reads a recording (or its tables) and nothing else.

Modules: `metrics` (per-trial behaviour as published), `decoding` (`decode`, grouped
cross-validation), `estimators` (`GroupedRidgeCV`), `controls` (untrained network,
time-only, action replay), `observer` (the ideal observer's belief), `similarity` (CKA,
Procrustes) and `diagnostics` (actor saturation and circling).
"""
