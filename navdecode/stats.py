"""Seed-level comparisons of architectures or gains: tests, effect sizes, CIs, mixed models."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from navdecode._validation import check_table

__all__ = ["compare", "mixed_model", "permutation_test", "seed_level", "summarize"]


def seed_level(df: pd.DataFrame, values: list[str], by: str = "arch",
               unit: str = "seed") -> pd.DataFrame:
    """Aggregate to one value per unit (seed) and group: the mean over its rows.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table (e.g. one row per trial) with columns `by`, `unit` and `values`.
    values : list of str
        Numeric columns to aggregate.
    by : str, default="arch"
        Grouping column (what is compared).
    unit : str, default="seed"
        The independent unit (one trained network per seed).

    Returns
    -------
    table : pandas.DataFrame
        One row per (by, unit).

    Examples
    --------
    >>> import pandas as pd
    >>> from navdecode import seed_level
    >>> df = pd.DataFrame({"arch": ["m", "m", "h"], "seed": [0, 0, 1], "v": [1.0, 3.0, 5.0]})
    >>> seed_level(df, ["v"])["v"].tolist()
    [5.0, 2.0]
    """
    check_table(df, [by, unit, *values])
    return df.groupby([by, unit], as_index=False, observed=True)[values].mean()


def permutation_test(a: np.ndarray, b: np.ndarray, n_resamples: int = 100_000,
                     seed: int = 0) -> tuple[float, bool]:
    """Two-sided permutation test of the difference in means.

    Exact (every relabelling) when there are at most `n_resamples` relabellings,
    else Monte Carlo; the exact test's smallest possible p-value is
    ``2 / C(n_a + n_b, n_a)``.

    Parameters
    ----------
    a, b : array-like of shape (n_a,) and (n_b,)
        The two samples (one value per seed).
    n_resamples : int, default=100000
        Largest number of relabellings enumerated exactly; also the Monte Carlo size.
    seed : int, default=0
        Seed of the Monte Carlo relabellings.

    Returns
    -------
    p_value : float
    exact : bool

    Examples
    --------
    >>> from navdecode import permutation_test
    >>> permutation_test([5, 6, 7], [1, 2, 3])
    (0.1, True)
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    pooled = np.concatenate([a, b])
    n, k = len(pooled), len(a)
    observed = abs(a.mean() - b.mean())
    total = pooled.sum()
    if math.comb(n, k) <= n_resamples:
        idx = np.array(list(itertools.combinations(range(n), k)))
        sums = pooled[idx].sum(axis=1)
        exact = True
    else:
        rng = np.random.default_rng(seed)
        idx = np.argsort(rng.random((n_resamples, n)), axis=1)[:, :k]
        sums = pooled[idx].sum(axis=1)
        exact = False
    diffs = np.abs(sums / k - (total - sums) / (n - k))
    hits = np.sum(diffs >= observed - 1e-12 * max(1.0, abs(observed)))
    p = hits / len(diffs) if exact else (hits + 1) / (len(diffs) + 1)
    return float(p), exact


def _bootstrap_ci(x: np.ndarray, rng: np.random.Generator, n: int = 10_000) -> tuple[float, float]:
    means = rng.choice(x, size=(n, len(x)), replace=True).mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def summarize(df: pd.DataFrame, values: list[str] | str, by: list[str] | str = "arch",
              unit: str = "seed", n_boot: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """Per-group summary over seeds: n, mean, SEM and a bootstrap 95% CI of the mean.

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
        Bootstrap resamples (of seeds) for the CI.
    seed : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    table : pandas.DataFrame
        One row per (group, metric): the `by` columns, ``metric``, ``n``, ``mean``,
        ``sem``, ``ci_low``, ``ci_high``.

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
    check_table(df, [*keys, unit, *values])
    table = df.groupby([*keys, unit], as_index=False, observed=True)[values].mean()
    rng = np.random.default_rng(seed)
    rows = []
    for group, sub in table.groupby(keys, observed=True):
        group = group if isinstance(group, tuple) else (group,)
        for metric in values:
            x = sub[metric].dropna().to_numpy(dtype=float)
            many = len(x) >= 2
            ci = _bootstrap_ci(x, rng, n_boot) if many else (math.nan, math.nan)
            rows.append({**dict(zip(keys, group, strict=True)), "metric": metric, "n": len(x),
                         "mean": x.mean() if len(x) else math.nan,
                         "sem": float(sps.sem(x)) if many else math.nan,
                         "ci_low": ci[0], "ci_high": ci[1]})
    return pd.DataFrame(rows)


def compare(df: pd.DataFrame, values: list[str] | str, by: str = "arch", unit: str = "seed",
            groups: tuple[str, str] | None = None, n_boot: int = 10_000,
            seed: int = 0) -> pd.DataFrame:
    """Compare two groups on one value per seed: means, CIs, tests, effect sizes, Holm.

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
    groups : tuple of two str or None, default=None
        Order of the groups (``a``, ``b``); sorted levels of `by` when None.
    n_boot : int, default=10000
        Bootstrap resamples (of seeds) for the 95% confidence intervals.
    seed : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    table : pandas.DataFrame
        One row per metric: ``metric``, ``group_a``, ``group_b``, ``n_a``, ``n_b``,
        ``mean_a``, ``sem_a``, ``ci_a_low``, ``ci_a_high`` (and the same for b),
        ``diff`` (a - b), ``diff_ci_low``, ``diff_ci_high``, ``hedges_g``,
        ``rank_biserial``, ``mannwhitney_p``, ``permutation_p``, ``permutation_exact``,
        ``p_holm`` (Holm-corrected permutation p).

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
    table = seed_level(df, values, by=by, unit=unit)
    levels = sorted(table[by].unique()) if groups is None else list(groups)
    if len(levels) != 2 or not set(levels) <= set(table[by]):
        msg = f"compare needs exactly two groups in column {by!r}, got {sorted(table[by].unique())}"
        raise ValueError(msg)
    rng = np.random.default_rng(seed)
    rows = []
    for metric in values:
        a = table.loc[table[by] == levels[0], metric].dropna().to_numpy(dtype=float)
        b = table.loc[table[by] == levels[1], metric].dropna().to_numpy(dtype=float)
        if len(a) < 2 or len(b) < 2:
            msg = f"{metric!r}: each group needs at least 2 {unit}s, got {len(a)} and {len(b)}"
            raise ValueError(msg)
        pooled_sd = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1))
                              / (len(a) + len(b) - 2))
        correction = 1 - 3 / (4 * (len(a) + len(b)) - 9)
        diff = a.mean() - b.mean()
        g = diff / pooled_sd * correction if pooled_sd > 0 else (0.0 if diff == 0 else math.inf
                                                                 * np.sign(diff))
        u = sps.mannwhitneyu(a, b, alternative="two-sided")
        p_perm, exact = permutation_test(a, b)
        boot = (rng.choice(a, (n_boot, len(a))).mean(1) - rng.choice(b, (n_boot, len(b))).mean(1))
        ci_a, ci_b = _bootstrap_ci(a, rng, n_boot), _bootstrap_ci(b, rng, n_boot)
        rows.append({
            "metric": metric, "group_a": levels[0], "group_b": levels[1],
            "n_a": len(a), "n_b": len(b),
            "mean_a": a.mean(), "sem_a": sps.sem(a), "ci_a_low": ci_a[0], "ci_a_high": ci_a[1],
            "mean_b": b.mean(), "sem_b": sps.sem(b), "ci_b_low": ci_b[0], "ci_b_high": ci_b[1],
            "diff": diff, "diff_ci_low": float(np.percentile(boot, 2.5)),
            "diff_ci_high": float(np.percentile(boot, 97.5)),
            "hedges_g": float(g), "rank_biserial": float(2 * u.statistic / (len(a) * len(b)) - 1),
            "mannwhitney_p": float(u.pvalue), "permutation_p": p_perm, "permutation_exact": exact,
        })
    out = pd.DataFrame(rows)
    out["p_holm"] = multipletests(out["permutation_p"], method="holm")[1]
    return out


def mixed_model(df: pd.DataFrame, value: str, by: str = "arch", unit: str = "seed",
                min_group_var: float = 1e-6) -> pd.DataFrame:
    """Trial-level linear mixed model ``value ~ by`` with a random intercept per seed.

    Guard: when `by` is constant within each seed (as architecture is), the effect is
    only estimable against the between-seed variance. If statsmodels' fit drives that
    variance to (near) zero, MixedLM silently becomes ordinary least squares on trials
    and the effect's standard error ignores that trials within a seed are not
    independent; the function then warns (`RuntimeWarning`) and flags the row.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table, one row per trial, with columns `value`, `by`, `unit`.
    value : str
        Outcome column.
    by : str, default="arch"
        Fixed effect (categorical).
    unit : str, default="seed"
        Grouping of the random intercept.
    min_group_var : float, default=1e-6
        Between-seed variance, relative to the residual variance, below which the fit
        counts as collapsed.

    Returns
    -------
    table : pandas.DataFrame
        One row per fixed-effect term: ``term``, ``estimate``, ``se``, ``z``, ``p``,
        ``ci_low``, ``ci_high``, ``group_var``, ``resid_var``, ``collapsed``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from navdecode import mixed_model
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"arch": np.repeat(["h", "m"], 150), "seed": np.repeat(range(6), 50),
    ...                    "v": np.repeat(rng.normal(size=6), 50) + rng.normal(size=300)})
    >>> list(mixed_model(df, "v")["term"])
    ['Intercept', 'arch[m]']
    """
    import statsmodels.formula.api as smf

    check_table(df, [value, by, unit])
    data = df[[value, by, unit]].dropna()
    if data.groupby(by, observed=True)[unit].nunique().min() < 2:
        msg = f"mixed_model needs at least 2 {unit}s in every level of {by!r}"
        raise ValueError(msg)
    data = data.rename(columns={value: "y_", by: "g_", unit: "u_"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the guard below judges the fit
        fit = smf.mixedlm("y_ ~ C(g_)", data, groups=data["u_"]).fit(reml=True)
        params, bse, zvals = fit.fe_params, fit.bse_fe, fit.tvalues
        pvals, ci = fit.pvalues, fit.conf_int()
    group_var = float(fit.cov_re.iloc[0, 0])
    resid_var = float(fit.scale)
    collapsed = group_var <= min_group_var * resid_var
    if collapsed:
        warnings.warn(
            f"mixed_model({value!r}): the between-{unit} variance collapsed to {group_var:.3g} "
            f"(residual {resid_var:.3g}); the {by!r} effect's standard error then treats trials "
            f"as independent. Use compare() on {unit}-level values instead.",
            RuntimeWarning, stacklevel=2)
    rows = []
    for term in params.index:
        rows.append({"term": term.replace("C(g_)", by).replace("[T.", "[")
                     if term != "Intercept" else term,
                     "estimate": float(params[term]), "se": float(bse[term]),
                     "z": float(zvals[term]), "p": float(pvals[term]),
                     "ci_low": float(ci.loc[term, 0]), "ci_high": float(ci.loc[term, 1]),
                     "group_var": group_var, "resid_var": resid_var, "collapsed": collapsed})
    return pd.DataFrame(rows)
