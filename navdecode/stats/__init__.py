"""Seed-level statistics whose error rates are checked by simulation.

Modules: `comparisons` (intervals, permutation tests, Holm, `summarize`, `compare`),
`groups` (three or more groups: omnibus test, all pairs, IQM, probability of improvement),
`factorial` (`compare_factorial`: two crossed factors, e.g. actor x critic), `mixed`
(`mixed_model`, grouped by network) and `coverage` (`validate_statistics`: false
positive rates and interval coverage by simulation). Uses nothing of navdecode above
`_validation`.
"""
