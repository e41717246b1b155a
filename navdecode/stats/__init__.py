"""Seed-level statistics whose error rates are checked by simulation.

Modules: `comparisons` (intervals, permutation tests, Holm, `summarize`, `compare`),
`groups` (three or more groups: omnibus test, all pairs, IQM, probability of improvement),
`factorial` (`compare_factorial`: two crossed factors, e.g. actor x critic), `mixed`
(`mixed_model`, grouped by network) and `coverage` (`validate_statistics`: false
positive rates and interval coverage by simulation). Uses nothing of navdecode above
`_validation`.
"""

from __future__ import annotations

from navdecode._exports import attach

_EXPORTS = {
    "comparisons": (
        "compare", "holm", "mean_ci", "permutation_test", "seed_level", "summarize",
        "welch_ci"),
    "coverage": (
        "FACTORIAL_DESIGNS", "validate_factorial", "validate_groups", "validate_statistics",
        "validate_within_between"),
    "factorial": ("compare_factorial", "factorial_f", "factorial_wald"),
    "groups": (
        "INTERVAL", "NO_VARIATION", "between_group_f", "expanded_level", "group_rows", "iqm",
        "omnibus_test", "pairs", "probability_of_improvement", "stratified_bootstrap_ci",
        "table_of"),
    "matrices": ("within_between_test",),
    "mixed": ("mixed_model",),
}
"""Each module of this folder and the public names it defines (its ``__all__``)."""

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
