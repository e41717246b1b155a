"""Simulations that check `compare`, `summarize` and `mixed_model` hold their stated rates.

A statistical method is trusted here only at the sample sizes where a simulation shows
its coverage or false-positive rate; `validate_statistics` runs those simulations, at
any seed count, so a user can check their own design.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from navdecode._validation import check_choice, check_int, check_positive
from navdecode.stats.comparisons import CI_METHODS, compare, summarize
from navdecode.stats.mixed import mixed_model

__all__ = ["FACTORIAL_DESIGNS", "validate_factorial", "validate_groups", "validate_statistics",
           "validate_within_between"]

_DRAWS = {
    "normal": lambda rng, size: rng.normal(size=size),
    # skewed: centred lognormal with unit variance, true mean 0
    "lognormal": lambda rng, size: (rng.lognormal(0.0, 0.5, size) - np.exp(0.125))
    / np.sqrt((np.exp(0.25) - 1) * np.exp(0.25)),
}


def _two_groups(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"arch": ["a"] * len(a) + ["b"] * len(b),
                         "seed": np.r_[np.arange(len(a)), np.arange(len(b))],
                         "v": np.r_[a, b]})


def _interval_rows(rng: np.random.Generator, n: int, n_sims: int, distribution: str,
                   effect: float, methods: Sequence[str], progress: bool) -> list[dict]:
    hits: dict[tuple[str, str], int] = {}
    for _ in tqdm(range(n_sims), desc=f"intervals n={n} {distribution}", disable=not progress,
                  leave=False):
        a = _DRAWS[distribution](rng, n) + effect
        b = _DRAWS[distribution](rng, n)
        df = _two_groups(a, b)
        for method in methods:
            row = compare(df, "v", groups=("a", "b"), n_boot=2000, ci_method=method,
                          seed=int(rng.integers(2**31))).iloc[0]
            summary = summarize(df, "v", n_boot=2000, ci_method=method,
                                seed=int(rng.integers(2**31))).set_index("arch")
            checks = {
                "compare: group mean CI": row["ci_a_low"] <= effect <= row["ci_a_high"],
                "compare: difference CI": row["diff_ci_low"] <= effect <= row["diff_ci_high"],
                "summarize: group mean CI": summary.loc["b", "ci_low"] <= 0
                <= summary.loc["b", "ci_high"],
            }
            for name, ok in checks.items():
                hits[(name, method)] = hits.get((name, method), 0) + bool(ok)
    return [{"check": f"coverage, {name}", "method": method, "n_per_group": n,
             "distribution": distribution, "effect": effect, "nominal": 0.95,
             "observed": count / n_sims, "n_sims": n_sims}
            for (name, method), count in hits.items()]


def _test_rows(rng: np.random.Generator, n: int, n_sims: int, effect: float,
               progress: bool) -> list[dict]:
    rows = []
    for delta, kind in ((0.0, "false-positive rate"), (effect, "power")):
        perm = mw = 0
        for _ in tqdm(range(n_sims), desc=f"tests n={n} d={delta:g}", disable=not progress,
                      leave=False):
            df = _two_groups(rng.normal(size=n) + delta, rng.normal(size=n))
            row = compare(df, "v", groups=("a", "b"), n_boot=1).iloc[0]
            perm += row["permutation_p"] < 0.05
            mw += row["mannwhitney_p"] < 0.05
        for method, count in (("permutation_test", perm), ("Mann-Whitney", mw)):
            rows.append({"check": f"{kind} at p < 0.05", "method": method, "n_per_group": n,
                         "distribution": "normal", "effect": delta,
                         "nominal": 0.05 if delta == 0 else np.nan,
                         "observed": count / n_sims, "n_sims": n_sims})
    return rows


def _mixed_rows(rng: np.random.Generator, n: int, n_sims: int, n_trials: int,
                progress: bool) -> list[dict]:
    """Null: 2 x n networks, each with its own offset (sd 1), trials around it (sd 1)."""
    rejected = {"mixed_model (network groups)": 0, "mixed_model grouped by seed alone": 0}
    arch = np.repeat(["a", "b"], n * n_trials)
    seed = np.tile(np.repeat(np.arange(n), n_trials), 2)
    for _ in tqdm(range(n_sims), desc=f"mixed_model n={n}", disable=not progress, leave=False):
        v = np.repeat(rng.normal(size=2 * n), n_trials) + rng.normal(size=2 * n * n_trials)
        df = pd.DataFrame({"arch": arch, "seed": seed, "v": v})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            right = mixed_model(df, "v")
            wrong = mixed_model(df, "v", unit="seed", nested=False)
        rejected["mixed_model (network groups)"] += right["p"].iloc[1] < 0.05
        rejected["mixed_model grouped by seed alone"] += wrong["p"].iloc[1] < 0.05
    return [{"check": "false-positive rate at p < 0.05", "method": method, "n_per_group": n,
             "distribution": f"normal, {n_trials} trials per network", "effect": 0.0,
             "nominal": 0.05, "observed": count / n_sims, "n_sims": n_sims}
            for method, count in rejected.items()]


def validate_statistics(sizes: Sequence[int] = (5, 8), n_sims: int = 1000,
                        n_sims_mixed: int | None = None, effect: float = 2.0,
                        n_trials: int = 40, distributions: Sequence[str] = ("normal",
                                                                           "lognormal"),
                        ci_methods: Sequence[str] = CI_METHODS, seed: int = 0,
                        progress: bool = True) -> pd.DataFrame:
    """Coverage, false-positive rate and power of navdecode's statistics, by simulation.

    For each number of seeds per group in `sizes`:

    - **coverage** of every interval that `compare` and `summarize` print (group mean,
      difference), for ``ci_method="t"`` and ``"bootstrap"``, with a true difference of
      `effect` SD, on normal and skewed (centred lognormal) data;
    - **false-positive rate** (true difference 0) and **power** (difference `effect`
      SD) of `permutation_test` and Mann-Whitney at p < 0.05, normal data;
    - **false-positive rate of `mixed_model`** under a null with `n_trials` correlated
      trials per network (network offset sd 1, trial sd 1), grouped by network (the
      default) and, for contrast, by seed alone (the pre-0.2 grouping).

    Parameters
    ----------
    sizes : sequence of int, default=(5, 8)
        Seeds per group.
    n_sims : int, default=1000
        Simulated experiments per interval and test check.
    n_sims_mixed : int or None, default=None
        Simulated experiments for `mixed_model` (each a model fit); `n_sims` when None.
    effect : float, default=2.0
        True difference, in SD of the seed-level values, for power and coverage.
    n_trials : int, default=40
        Trials per network in the `mixed_model` simulation.
    distributions : sequence of {"normal", "lognormal"}, default=("normal", "lognormal")
        Data for the coverage checks.
    ci_methods : sequence of {"t", "bootstrap"}, default=("t", "bootstrap")
        Interval methods whose coverage is simulated.
    seed : int, default=0
        Seed of the simulations.
    progress : bool, default=True
        Show progress bars.

    Returns
    -------
    table : pandas.DataFrame
        ``check``, ``method``, ``n_per_group``, ``distribution``, ``effect``,
        ``nominal``, ``observed``, ``n_sims``.

    Examples
    --------
    >>> from navdecode.stats.coverage import validate_statistics
    >>> table = validate_statistics(sizes=(5,), n_sims=20, n_sims_mixed=5,
    ...                             distributions=("normal",), progress=False)
    >>> sorted(table["method"].unique())[:2]
    ['Mann-Whitney', 'bootstrap']
    """
    sizes = [check_int(n, "sizes", minimum=2) for n in sizes]
    check_int(n_sims, "n_sims", minimum=1)
    n_sims_mixed = n_sims if n_sims_mixed is None else check_int(n_sims_mixed, "n_sims_mixed",
                                                                 minimum=1)
    check_positive(effect, "effect")
    check_int(n_trials, "n_trials", minimum=2)
    for name in distributions:
        if name not in _DRAWS:
            msg = f"distributions must be among {tuple(_DRAWS)}, got {name!r}"
            raise ValueError(msg)
    for method in ci_methods:
        check_choice(method, "ci_methods", CI_METHODS)
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for n in sizes:
        for distribution in distributions:
            rows += _interval_rows(rng, n, n_sims, distribution, effect, ci_methods, progress)
        rows += _test_rows(rng, n, n_sims, effect, progress)
        rows += _mixed_rows(rng, n, n_sims_mixed, n_trials, progress)
    return pd.DataFrame(rows)


def validate_groups(n_sims: int = 400, seeds: Sequence[int] = (5, 8),
                    groups: Sequence[int] = (3, 8, 15), seed: int = 0,
                    progress: bool = False) -> pd.DataFrame:
    """Error rates and coverage of the k-group statistics of `compare`, by simulation.

    Every group draws its seeds from the same standard normal (no true difference), so
    every rejection is a false positive and the true IQM is 0 and P(a > b) is 0.5. For
    each seed count and group count it measures: the false-positive rate at p < 0.05 of
    the omnibus permutation test (999 relabellings) and of Kruskal-Wallis; the
    family-wise error rate of all pairs' permutation tests after Holm; and the coverage
    of the per-group IQM interval, the pairwise probability-of-improvement interval
    (stratified bootstrap, 1,000 resamples; the expanded percentile interval `compare`
    uses and, beside it, the plain percentile interval rliable uses) and the pairwise
    Welch difference interval.

    Parameters
    ----------
    n_sims : int, default=400
        Simulated studies per (seeds, groups) cell.
    seeds : sequence of int, default=(5, 8)
        Seeds per group.
    groups : sequence of int, default=(3, 8, 15)
        Group counts.
    seed : int, default=0
    progress : bool, default=False

    Returns
    -------
    table : pandas.DataFrame
        ``check``, ``n_per_group``, ``k``, ``nominal``, ``observed``, ``n_sims``.

    Examples
    --------
    >>> from navdecode.stats.coverage import validate_groups
    >>> table = validate_groups(n_sims=5, seeds=(5,), groups=(3,))
    >>> sorted(table["check"])[0]
    'coverage, IQM interval (expanded percentile, used)'
    """
    from navdecode.stats.comparisons import holm, permutation_test, welch_ci
    from navdecode.stats.groups import omnibus_test, pairs, stratified_bootstrap_ci

    n_sims = check_int(n_sims, "n_sims", minimum=1)
    rng = np.random.default_rng(seed)
    rows = []
    for n in seeds:
        for k in groups:
            counts = dict.fromkeys(("omnibus", "kruskal", "fwer", "iqm", "poi", "welch",
                                    "iqm_plain", "poi_plain"), 0)
            n_pairs = k * (k - 1) // 2
            for _ in tqdm(range(n_sims), desc=f"groups n={n} k={k}", disable=not progress,
                          leave=False):
                samples = [rng.normal(size=n) for _ in range(k)]
                omni = omnibus_test(samples, n_resamples=999, seed=int(rng.integers(2**31)))
                counts["omnibus"] += omni["permutation_p"] < 0.05
                counts["kruskal"] += omni["kruskal_p"] < 0.05
                pair_p = [permutation_test(samples[i], samples[j])[0]
                          for i, j in pairs(list(range(k)))]
                counts["fwer"] += bool((holm(np.array(pair_p)) < 0.05).any())
                for expand, suffix in ((True, ""), (False, "_plain")):
                    low, high = stratified_bootstrap_ci([samples[0]], "iqm", n_boot=1000,
                                                        seed=int(rng.integers(2**31)),
                                                        expand=expand)
                    counts["iqm" + suffix] += low <= 0 <= high
                    low, high = stratified_bootstrap_ci(
                        samples[:2], "probability_of_improvement", n_boot=1000,
                        seed=int(rng.integers(2**31)), expand=expand)
                    counts["poi" + suffix] += low <= 0.5 <= high
                low, high, _ = welch_ci(samples[0], samples[1])
                counts["welch"] += low <= 0 <= high
            for key, check, nominal in (
                    ("omnibus", "false-positive rate, omnibus permutation (F)", 0.05),
                    ("kruskal", "false-positive rate, Kruskal-Wallis", 0.05),
                    ("fwer", f"family-wise error, {n_pairs} pairs with Holm", 0.05),
                    ("iqm", "coverage, IQM interval (expanded percentile, used)", 0.95),
                    ("poi", "coverage, P(a > b) interval (expanded percentile, used)", 0.95),
                    ("iqm_plain", "coverage, IQM interval (plain percentile, rliable's)",
                     0.95),
                    ("poi_plain", "coverage, P(a > b) interval (plain percentile, rliable's)",
                     0.95),
                    ("welch", "coverage, pairwise Welch difference interval", 0.95)):
                rows.append({"check": check, "n_per_group": n, "k": k, "nominal": nominal,
                             "observed": counts[key] / n_sims, "n_sims": n_sims})
    return pd.DataFrame(rows)


FACTORIAL_DESIGNS = {
    "2x2 8/8/8/4, one spread": (2, 2, (8, 8, 8, 4), (1, 1, 1, 1)),
    "2x2 8/8/8/4, the bundle's spreads": (2, 2, (8, 8, 8, 4), (0.18, 0.10, 0.20, 0.045)),
    "2x2 8/8/8/4, the 4-network cell 3x the spread": (2, 2, (8, 8, 8, 4), (1, 1, 1, 3)),
    "2x2 8/8/8/4, an 8-network cell 3x the spread": (2, 2, (8, 8, 8, 4), (3, 1, 1, 1)),
    "2x2 8/8/8/6, one spread": (2, 2, (8, 8, 8, 6), (1, 1, 1, 1)),
    "2x2 8/8/8/6, spreads 1/2/4/1": (2, 2, (8, 8, 8, 6), (1, 2, 4, 1)),
    "2x2 8/8/8/6, the 6-network cell 3x the spread": (2, 2, (8, 8, 8, 6), (1, 1, 1, 3)),
    "2x2 5/5/5/5, one spread": (2, 2, (5, 5, 5, 5), (1, 1, 1, 1)),
    "3x5 2-8 per cell, one spread": (3, 5, (2, 7, 8, 8, 6, 8, 4, 3, 5, 5, 6, 8, 3, 7, 2),
                                     (1,) * 15),
    "3x5 2-8 per cell, spreads 1-4": (3, 5, (2, 7, 8, 8, 6, 8, 4, 3, 5, 5, 6, 8, 3, 7, 2),
                                      (3.1, 1.4, 2.2, 1.0, 3.8, 2.6, 1.7, 3.3, 1.2, 2.9, 1.9,
                                       3.6, 1.1, 2.4, 1.5)),
    "3x5 2-8 per cell, the 2-network cells 1/3 the spread": (
        3, 5, (2, 7, 8, 8, 6, 8, 4, 3, 5, 5, 6, 8, 3, 7, 2), (1 / 3,) + (1,) * 13 + (1 / 3,)),
    "3x5 2-8 per cell, the 2-network cells 3x the spread": (
        3, 5, (2, 7, 8, 8, 6, 8, 4, 3, 5, 5, 6, 8, 3, 7, 2), (3,) + (1,) * 13 + (3,)),
}
"""Designs of the actor x critic view: (levels of the first factor, of the second,
networks per cell row-major, each cell's spread): the bundle's 8/8/8/4 and 8/8/8/6 (the
spreads of its 2x reward fraction among them), balanced cells, and the paper's 3 x 5 with
2-8 networks a cell, with adverse cases where the smallest cells vary most."""


def validate_factorial(n_sims: int = 1000, designs: dict | None = None, n_resamples: int = 999,
                       seed: int = 0, progress: bool = False) -> pd.DataFrame:
    """False-positive rates of `compare_factorial`'s tests, by simulation.

    In every simulated study each network's value is drawn from a normal with mean 0 and
    its cell's spread (no main effect and no interaction), so each p < 0.05 is a false
    positive: for the parametric bootstrap (``bootstrap_p``, `n_resamples` draws) and,
    for comparison, the classical F-test that assumes one spread (``f_test_p``).

    Parameters
    ----------
    n_sims : int, default=1000
        Simulated studies per design (Monte Carlo SE of a 5% rate: 0.007 at 1,000).
    designs : dict or None, default=None
        Name -> (ka, kb, networks per cell, spread per cell); `FACTORIAL_DESIGNS` when None.
    n_resamples : int, default=999
    seed : int, default=0
    progress : bool, default=False

    Returns
    -------
    table : pandas.DataFrame
        ``design``, ``effect``, ``test`` (bootstrap, F-test), ``nominal``, ``observed``,
        ``n_sims``.

    Examples
    --------
    >>> from navdecode.stats.coverage import validate_factorial
    >>> validate_factorial(n_sims=3, designs={"2x2": (2, 2, (5,) * 4, (1,) * 4)}).shape
    (6, 6)
    """
    from navdecode.stats.factorial import compare_factorial

    n_sims = check_int(n_sims, "n_sims", minimum=1)
    designs = FACTORIAL_DESIGNS if designs is None else designs
    rng = np.random.default_rng(seed)
    rows = []
    for name, (ka, kb, counts, spreads) in designs.items():
        cells = [(f"a{i}", f"b{j}") for i in range(ka) for j in range(kb)]
        frame = pd.DataFrame([(a, b, s) for (a, b), n in zip(cells, counts, strict=True)
                              for s in range(n)], columns=["actor", "critic", "seed"])
        sd = np.repeat(np.asarray(spreads, dtype=float), counts)
        hits: dict[tuple[str, str], int] = {}
        for _ in tqdm(range(n_sims), desc=f"factorial {name}", disable=not progress,
                      leave=False):
            table = compare_factorial(frame.assign(v=rng.normal(size=len(frame)) * sd), "v",
                                      ("actor", "critic"), n_resamples=n_resamples,
                                      seed=int(rng.integers(2**31)))
            for _, r in table.iterrows():
                for test, column in (("bootstrap", "bootstrap_p"), ("F-test", "f_test_p")):
                    key = (r["effect"], test)
                    hits[key] = hits.get(key, 0) + bool(r[column] < 0.05)
        rows += [{"design": name, "effect": effect, "test": test, "nominal": 0.05,
                  "observed": count / n_sims, "n_sims": n_sims}
                 for (effect, test), count in hits.items()]
    return pd.DataFrame(rows)


def validate_within_between(n_sims: int = 400, seeds: Sequence[int] = (5, 8),
                            groups: Sequence[int] = (2, 4), seed: int = 0,
                            progress: bool = False) -> pd.DataFrame:
    """False-positive rate of `within_between_test`, by simulation.

    Every network is a point drawn from one 10-dimensional standard normal whatever its
    label, and the matrix holds the networks' Euclidean distances (a distance between
    networks, as Procrustes and DSA are); each p < 0.05 of the label permutation test
    (999 relabellings) is a false positive.

    Parameters
    ----------
    n_sims : int, default=400
    seeds : sequence of int, default=(5, 8)
        Networks per label.
    groups : sequence of int, default=(2, 4)
        Label counts (the paper's two architectures, and four with the hybrids).
    seed : int, default=0
    progress : bool, default=False

    Returns
    -------
    table : pandas.DataFrame
        ``check``, ``n_per_group``, ``k``, ``nominal``, ``observed``, ``n_sims``.

    Examples
    --------
    >>> from navdecode.stats.coverage import validate_within_between
    >>> validate_within_between(n_sims=3, seeds=(5,), groups=(2,)).shape
    (1, 6)
    """
    from navdecode.stats.matrices import within_between_test

    n_sims = check_int(n_sims, "n_sims", minimum=1)
    rng = np.random.default_rng(seed)
    rows = []
    for n in seeds:
        for k in groups:
            index = pd.MultiIndex.from_tuples([(f"a{g}", s) for g in range(k)
                                               for s in range(n)], names=["arch", "seed"])
            hits = 0
            for _ in tqdm(range(n_sims), desc=f"within/between n={n} k={k}",
                          disable=not progress, leave=False):
                points = rng.normal(size=(n * k, 10))
                apart = np.linalg.norm(points[:, None] - points[None], axis=-1)
                result = within_between_test(pd.DataFrame(apart, index=index, columns=index),
                                             n_resamples=999, seed=int(rng.integers(2**31)))
                hits += result["permutation_p"] < 0.05
            rows.append({"check": "false-positive rate, within/between label permutation",
                         "n_per_group": n, "k": k, "nominal": 0.05, "observed": hits / n_sims,
                         "n_sims": n_sims})
    return pd.DataFrame(rows)
