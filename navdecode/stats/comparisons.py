"""Seed-level comparisons of architectures or gains: tests, effect sizes, CIs, mixed models.

Every interval and test here has its coverage or false-positive rate measured by
simulation at 5-8 seeds per group: ``benchmarks/validate_statistics.py`` (results in the
statistics guide) and ``tests/stats/test_coverage.py``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from navdecode._validation import check_bool, check_choice, check_int, check_table
from navdecode.stats.groups import (
    INTERVAL,
    NO_VARIATION,
    group_rows,
    pairs,
    probability_of_improvement,
    stratified_bootstrap_ci,
    table_of,
)

__all__ = ["compare", "holm", "mean_ci", "permutation_test", "seed_level",
           "summarize", "welch_ci"]

CI_METHODS = ("t", "bootstrap")


def _sample(x: object, name: str, minimum: int = 1) -> np.ndarray:
    """A 1-d float array of at least `minimum` finite values, or a ValueError naming it."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1:
        msg = f"{name} must be 1-d, got shape {arr.shape}"
        raise ValueError(msg)
    if len(arr) < minimum:
        msg = f"{name} needs at least {minimum} value(s), got {len(arr)}"
        raise ValueError(msg)
    if not np.all(np.isfinite(arr)):
        msg = f"{name} must be finite, got {arr[~np.isfinite(arr)].tolist()} in {name}"
        raise ValueError(msg)
    return arr


def _check_level(level: object) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        msg = f"level must be a number in (0, 1), got {level=}"
        raise ValueError(msg)
    return float(level)


def mean_ci(x: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval of a mean: ``mean +- t_{n-1, (1+level)/2} * s / sqrt(n)``.

    Exact for normal data at any n >= 2 (simulated coverage at n = 5 in the statistics
    guide).

    Parameters
    ----------
    x : array-like of shape (n,)
        At least 2 finite values (one per seed).
    level : float, default=0.95
        Confidence level.

    Returns
    -------
    low, high : float

    Examples
    --------
    >>> from navdecode import mean_ci
    >>> [round(v, 3) for v in mean_ci([1.0, 2.0, 3.0])]
    [-0.484, 4.484]
    """
    x = _sample(x, "x", minimum=2)
    level = _check_level(level)
    half = sps.t.ppf((1 + level) / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


def welch_ci(a: Sequence[float], b: Sequence[float],
             level: float = 0.95) -> tuple[float, float, float]:
    """Welch confidence interval of ``mean(a) - mean(b)`` (unequal variances).

    ``diff +- t_{df, (1+level)/2} * sqrt(s_a^2/n_a + s_b^2/n_b)`` with the
    Welch-Satterthwaite ``df = (v_a + v_b)^2 / (v_a^2/(n_a-1) + v_b^2/(n_b-1))``,
    ``v = s^2 / n``.

    Parameters
    ----------
    a, b : array-like of shape (n_a,) and (n_b,)
        At least 2 finite values each.
    level : float, default=0.95
        Confidence level.

    Returns
    -------
    low, high, df : float

    Examples
    --------
    >>> from navdecode import welch_ci
    >>> [round(v, 2) for v in welch_ci([5.0, 6.0, 7.0], [1.0, 2.0, 3.0])]
    [1.73, 6.27, 4.0]
    """
    a, b = _sample(a, "a", minimum=2), _sample(b, "b", minimum=2)
    level = _check_level(level)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = a.mean() - b.mean()
    if va + vb == 0:
        return float(diff), float(diff), math.inf
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = sps.t.ppf((1 + level) / 2, df) * math.sqrt(va + vb)
    return float(diff - half), float(diff + half), float(df)


def holm(p: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control).

    With the m p-values sorted, ``p_(1) <= ... <= p_(m)``, the adjusted value of
    ``p_(i)`` is ``max_{j <= i} min(1, (m - j + 1) p_(j))``; returned in the input order.

    Parameters
    ----------
    p : array-like of shape (m,)
        Finite p-values in [0, 1].

    Returns
    -------
    p_adjusted : ndarray of shape (m,)

    Examples
    --------
    >>> from navdecode.stats.comparisons import holm
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = _sample(p, "p")
    if np.any((p < 0) | (p > 1)):
        msg = f"p must hold values in [0, 1], got {p.tolist()}"
        raise ValueError(msg)
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.maximum.accumulate(stepped)
    return out


def seed_level(df: pd.DataFrame, values: list[str], by: str = "arch",
               unit: str = "seed") -> pd.DataFrame:
    """Aggregate to one value per unit (seed) and group: the mean over its rows.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table (e.g. one row per trial) with columns `by`, `unit` and `values`.
    values : list of str
        Numeric columns to aggregate; NaN rows are skipped within a unit.
    by : str, default="arch"
        Grouping column (what is compared).
    unit : str, default="seed"
        The independent unit (one trained network per seed).

    Returns
    -------
    table : pandas.DataFrame
        One row per (by, unit).

    Raises
    ------
    ValueError
        If `by` or `unit` holds NaN (those rows would silently vanish), or a value is
        infinite.

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode import seed_level
    >>> df = pd.DataFrame({"arch": ["m", "m", "h"], "seed": [0, 0, 1], "v": [1.0, 3.0, 5.0]})
    >>> seed_level(df, ["v"])["v"].tolist()
    [5.0, 2.0]
    """
    check_table(df, [by, unit, *values])
    for column in (by, unit):
        if df[column].isna().any():
            msg = (f"df[{column!r}] has {int(df[column].isna().sum())} missing value(s); every "
                   f"row needs its {column}")
            raise ValueError(msg)
    for column in values:
        numbers = pd.to_numeric(df[column], errors="coerce")
        if np.isinf(numbers).any():
            msg = f"df[{column!r}] holds infinite values"
            raise ValueError(msg)
    return df.groupby([by, unit], as_index=False, observed=True)[values].mean()


def permutation_test(a: np.ndarray, b: np.ndarray, n_resamples: int = 100_000,
                     seed: int = 0) -> tuple[float, bool]:
    """Two-sided permutation test of the difference in means.

    ``p = #{relabellings with |mean_a* - mean_b*| >= |mean_a - mean_b|} / #relabellings``,
    exact (every relabelling) when there are at most `n_resamples` of them, else Monte
    Carlo with ``p = (hits + 1) / (n_resamples + 1)``. The exact test's smallest
    possible p is ``2 / C(n_a + n_b, n_a)`` for equal groups, ``1 / C(n_a + n_b, n_a)``
    otherwise.

    Parameters
    ----------
    a, b : array-like of shape (n_a,) and (n_b,)
        The two samples (one value per seed), at least one finite value each.
    n_resamples : int, default=100000
        Largest number of relabellings enumerated exactly; also the Monte Carlo size.
    seed : int, default=0
        Seed of the Monte Carlo relabellings.

    Returns
    -------
    p_value : float
    exact : bool

    Raises
    ------
    ValueError
        If a sample is empty or holds NaN or inf.

    Examples
    --------
    >>> from navdecode import permutation_test
    >>> permutation_test([5, 6, 7], [1, 2, 3])
    (0.1, True)
    """
    a, b = _sample(a, "a"), _sample(b, "b")
    check_int(n_resamples, "n_resamples", minimum=1)
    pooled = np.concatenate([a, b])
    n, k = len(pooled), len(a)
    observed = abs(a.mean() - b.mean())
    total = pooled.sum()
    if math.comb(n, k) <= n_resamples:
        idx = np.array(list(itertools.combinations(range(n), k)))
        exact = True
    else:
        rng = np.random.default_rng(seed)
        idx = np.argsort(rng.random((n_resamples, n)), axis=1)[:, :k]
        exact = False
    sums = pooled[idx].sum(axis=1)
    diffs = np.abs(sums / k - (total - sums) / (n - k))
    hits = np.sum(diffs >= observed - 1e-12 * max(1.0, abs(observed)))
    p = hits / len(diffs) if exact else (hits + 1) / (len(diffs) + 1)
    return float(p), exact


def _bootstrap_ci(x: np.ndarray, rng: np.random.Generator, n: int) -> tuple[float, float]:
    means = rng.choice(x, size=(n, len(x)), replace=True).mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def _group_ci(x: np.ndarray, method: str, rng: np.random.Generator,
              n_boot: int) -> tuple[float, float]:
    if len(x) < 2:
        return math.nan, math.nan
    return mean_ci(x) if method == "t" else _bootstrap_ci(x, rng, n_boot)


def _check_ci_args(ci_method: object, n_boot: object) -> None:
    check_choice(ci_method, "ci_method", CI_METHODS)
    check_int(n_boot, "n_boot", minimum=1)


def summarize(df: pd.DataFrame, values: list[str] | str, by: list[str] | str = "arch",
              unit: str = "seed", n_boot: int = 10_000, seed: int = 0,
              ci_method: str = "t", skip_missing: bool = False) -> pd.DataFrame:
    """Per-group summary over seeds: n, mean, SEM and a 95% CI of the mean.

    Rows are first averaged to one value per (`by`, `unit`), as in `compare`. A group
    with a single seed gets its mean and NaN for the SEM and the CI: one trained
    network says nothing about the spread across networks.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table with the columns `by`, `unit` and `values`.
    values : str or list of str
        Metrics to summarise.
    by : str or list of str, default="arch"
        Grouping column(s), e.g. ``["arch", "gain"]``.
    unit : str, default="seed"
        Independent unit.
    n_boot : int, default=10000
        Bootstrap resamples (of seeds) when ``ci_method="bootstrap"``.
    seed : int, default=0
        Seed of the bootstrap.
    ci_method : {"t", "bootstrap"}, default="t"
        ``"t"``: `mean_ci` (covers 95% on normal data at n = 5). ``"bootstrap"``: the
        percentile bootstrap of the mean, which covers only about 81-88% at n = 5 (see
        the statistics guide); kept for comparison.
    skip_missing : bool, default=False
        Leave out the seeds whose metric is NaN (counted in ``n_missing``). Without it
        such a seed is refused, naming the group, metric and seeds: a summary over
        fewer seeds than the table holds is never silent.

    Returns
    -------
    table : pandas.DataFrame
        One row per (group, metric): the `by` columns, ``metric``, ``n``, ``n_missing``,
        ``mean``, ``sem``, ``ci_low``, ``ci_high``, ``ci_method``.

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode import summarize
    >>> df = pd.DataFrame({"arch": ["m", "m", "m", "h"], "seed": [0, 1, 2, 3],
    ...                    "score": [1.0, 2.0, 3.0, 9.0]})
    >>> summarize(df, "score")[["arch", "n", "mean", "sem"]]
      arch  n  mean      sem
    0    h  1   9.0      NaN
    1    m  3   2.0  0.57735
    """
    values = [values] if isinstance(values, str) else list(values)
    keys = [by] if isinstance(by, str) else list(by)
    if not values or not keys:
        msg = "values and by must each name at least one column"
        raise ValueError(msg)
    _check_ci_args(ci_method, n_boot)
    check_bool(skip_missing, "skip_missing")
    check_table(df, [*keys, unit, *values])
    for column in (*keys, unit):
        if df[column].isna().any():
            msg = f"df[{column!r}] has missing values; every row needs its {column}"
            raise ValueError(msg)
    for column in values:
        if np.isinf(pd.to_numeric(df[column], errors="coerce")).any():
            msg = f"df[{column!r}] holds infinite values"
            raise ValueError(msg)
    table = df.groupby([*keys, unit], as_index=False, observed=True)[values].mean()
    rng = np.random.default_rng(seed)
    rows = []
    for group, sub in table.groupby(keys, observed=True):
        group = group if isinstance(group, tuple) else (group,)
        for metric in values:
            missing = sub[metric].isna().to_numpy()
            if missing.any() and not skip_missing:
                msg = (f"df[{metric!r}] is NaN for {unit}s {sub[unit][missing].tolist()} of "
                       f"group {group}; pass skip_missing=True to summarise the others")
                raise ValueError(msg)
            x = sub[metric].dropna().to_numpy(dtype=float)
            ci = _group_ci(x, ci_method, rng, n_boot)
            rows.append({**dict(zip(keys, group, strict=True)), "metric": metric, "n": len(x),
                         "n_missing": int(missing.sum()),
                         "mean": x.mean() if len(x) else math.nan,
                         "sem": float(sps.sem(x)) if len(x) >= 2 else math.nan,
                         "ci_low": ci[0], "ci_high": ci[1], "ci_method": ci_method})
    return pd.DataFrame(rows)


def _hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    pooled_sd = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1))
                          / (len(a) + len(b) - 2))
    diff = a.mean() - b.mean()
    if pooled_sd == 0:  # no spread: a standardised difference is undefined
        return math.nan
    return float(diff / pooled_sd * (1 - 3 / (4 * (len(a) + len(b)) - 9)))


def compare(df: pd.DataFrame, values: list[str] | str, by: str = "arch", unit: str = "seed",
            groups: Sequence[str] | None = None, n_boot: int = 10_000,
            seed: int = 0, ci_method: str = "t", n_resamples: int = 10_000) -> pd.DataFrame:
    """Compare two or more groups on one value per seed: means, CIs, tests, effects, Holm.

    Rows are first averaged to one value per (`by`, `unit`) (`seed_level`), so seeds,
    not trials, are the independent samples.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table with columns `by`, `unit` and `values`.
    values : str or list of str
        Metrics to compare; Holm's correction runs across them.
    by : str, default="arch"
        Column holding the two groups.
    unit : str, default="seed"
        Independent unit.
    groups : sequence of different str or None, default=None
        The groups and their order (``a``, ``b``, ...); sorted levels of `by` when None.
    n_boot : int, default=10000
        Bootstrap resamples when ``ci_method="bootstrap"``.
    seed : int, default=0
        Seed of the bootstrap.
    ci_method : {"t", "bootstrap"}, default="t"
        ``"t"``: Student-t interval per group (`mean_ci`) and Welch interval of the
        difference (`welch_ci`), which hold 95% at n = 5 on normal data.
        ``"bootstrap"``: percentile bootstrap of each mean and of the difference, which
        undercover at 5 seeds (about 81% and 88%, statistics guide).
    n_resamples : int, default=10000
        Monte Carlo relabellings of the omnibus permutation test (three or more groups).

    Returns
    -------
    table : pandas.DataFrame
        Two groups: one row per metric: ``metric``, ``group_a``, ``group_b``, ``n_a``, ``n_b``,
        ``mean_a``, ``sem_a``, ``ci_a_low``, ``ci_a_high`` (and the same for b),
        ``diff`` (a - b), ``diff_ci_low``, ``diff_ci_high``, ``ci_method``,
        ``hedges_g``, ``rank_biserial``, ``mannwhitney_p``, ``permutation_p``,
        ``permutation_exact``, ``p_holm`` (Holm-corrected permutation p).
        Three or more groups: per metric, one ``comparison="omnibus"`` row (``f``, its
        Monte Carlo ``permutation_p``, ``kruskal_h``, ``kruskal_p``, ``p_holm`` across
        metrics), one ``"group"`` row per group (``mean``, ``iqm`` with its stratified
        bootstrap ``iqm_ci_low`` / ``iqm_ci_high``) and one ``"pair"`` row per pair with
        the two-group columns above, ``probability_of_improvement`` (P(a > b), with
        ``poi_ci_low`` / ``poi_ci_high``) and ``p_holm`` across every pair of every
        metric. The IQM and P(a > b) intervals are expanded percentile intervals
        (``aggregate_interval``; `navdecode.stats.groups.stratified_bootstrap_ci`: the
        plain percentile interval undercovers at these seed counts).
        `navdecode.stats.coverage.validate_groups` measures their error rates.

    Raises
    ------
    ValueError
        If `groups` names one group twice or a group that is absent, a group has fewer
        than 2 seeds, a seed's value is NaN (no trial of it had one) or infinite, or
        `unit` / `by` has missing values.

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode import compare
    >>> df = pd.DataFrame({"arch": ["m"] * 4 + ["h"] * 4, "seed": list(range(8)),
    ...                    "score": [5, 6, 7, 8, 1, 2, 3, 4]})
    >>> round(float(compare(df, "score")["permutation_p"].iloc[0]), 4)
    0.0286
    """
    values = [values] if isinstance(values, str) else list(values)
    if not values:
        msg = "values must name at least one column"
        raise ValueError(msg)
    _check_ci_args(ci_method, n_boot)
    table = seed_level(df, values, by=by, unit=unit)
    present = sorted(table[by].unique())
    levels = present if groups is None else list(groups)
    if len(levels) < 2 or len(set(levels)) < len(levels) or not set(levels) <= set(table[by]):
        msg = (f"compare needs two or more different groups present in column {by!r}, got "
               f"groups={groups!r} with levels {present}")
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    if len(levels) > 2:
        return _compare_groups(table, values, by, unit, levels, rng, ci_method, n_boot,
                               n_resamples, seed)
    rows = [pair_row(metric, levels, group_samples(table, metric, by, unit, levels), ci_method,
                      rng, n_boot, unit) for metric in values]
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["permutation_p"].to_numpy())
    return out


def group_samples(table: pd.DataFrame, metric: str, by: str, unit: str,
             levels: Sequence[str]) -> list[np.ndarray]:
    samples = []
    for level in levels:
        sub = table[table[by] == level]
        missing = sub.loc[sub[metric].isna(), unit].tolist()
        if missing:
            msg = f"df[{metric!r}] has no value for {by}={level!r}, {unit}(s) {missing}"
            raise ValueError(msg)
        samples.append(sub[metric].to_numpy(dtype=float))
    return samples


def pair_row(metric: str, levels: Sequence[str], samples: list[np.ndarray], ci_method: str,
              rng: np.random.Generator, n_boot: int, unit: str) -> dict[str, object]:
    a, b = samples
    if len(a) < 2 or len(b) < 2:
        msg = f"{metric!r}: each group needs at least 2 {unit}s, got {len(a)} and {len(b)}"
        raise ValueError(msg)
    u = sps.mannwhitneyu(a, b, alternative="two-sided")
    p_perm, exact = permutation_test(a, b)
    if ci_method == "t":
        diff_ci = welch_ci(a, b)[:2]
    else:
        boot = (rng.choice(a, (n_boot, len(a))).mean(1)
                - rng.choice(b, (n_boot, len(b))).mean(1))
        diff_ci = tuple(float(v) for v in np.percentile(boot, [2.5, 97.5]))
    ci_a, ci_b = _group_ci(a, ci_method, rng, n_boot), _group_ci(b, ci_method, rng, n_boot)
    return {
        "metric": metric, "group_a": levels[0], "group_b": levels[1],
        "n_a": len(a), "n_b": len(b),
        "mean_a": a.mean(), "sem_a": sps.sem(a), "ci_a_low": ci_a[0], "ci_a_high": ci_a[1],
        "mean_b": b.mean(), "sem_b": sps.sem(b), "ci_b_low": ci_b[0], "ci_b_high": ci_b[1],
        "diff": a.mean() - b.mean(), "diff_ci_low": diff_ci[0], "diff_ci_high": diff_ci[1],
        "ci_method": ci_method, "hedges_g": _hedges_g(a, b),
        "rank_biserial": float(2 * u.statistic / (len(a) * len(b)) - 1),
        "mannwhitney_p": float(u.pvalue), "permutation_p": p_perm, "permutation_exact": exact,
        "note": NO_VARIATION if np.ptp(np.concatenate([a, b])) == 0 else
        "no spread within either group: Hedges g is undefined" if np.ptp(a) == 0 and
        np.ptp(b) == 0 else "",
    }


def _compare_groups(table: pd.DataFrame, values: list[str], by: str, unit: str,
                    levels: Sequence[str], rng: np.random.Generator, ci_method: str,
                    n_boot: int, n_resamples: int, seed: int) -> pd.DataFrame:
    """`compare` for three or more groups (see there for the table it returns)."""
    rows: list[dict[str, object]] = []
    for metric in values:
        samples = dict(zip(levels, group_samples(table, metric, by, unit, levels), strict=True))
        if any(len(x) < 2 for x in samples.values()):
            counts = {k: len(x) for k, x in samples.items()}
            msg = f"{metric!r}: each group needs at least 2 {unit}s, got {counts}"
            raise ValueError(msg)
        rows += group_rows(metric, list(levels), list(samples.values()), n_resamples, seed)
        for la, lb in pairs(list(levels)):
            a, b = samples[la], samples[lb]
            low, high = stratified_bootstrap_ci([a, b], "probability_of_improvement",
                                                seed=seed)
            rows.append({**pair_row(metric, (la, lb), [a, b], ci_method, rng, n_boot, unit),
                         "comparison": "pair", "groups": f"{la} vs {lb}",
                         "probability_of_improvement": probability_of_improvement(a, b),
                         "poi_ci_low": low, "poi_ci_high": high,
                         "aggregate_interval": INTERVAL})
    out = table_of(rows)
    for kind, column in (("pair", "permutation_p"), ("omnibus", "permutation_p")):
        mask = out["comparison"] == kind
        out.loc[mask, "p_holm"] = holm(out.loc[mask, column].to_numpy())
    return out
