"""compare on any number of groups: omnibus, all pairs with Holm, IQM and P(improvement)."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from navdecode import compare
from navdecode.stats.groups import (
    between_group_f,
    iqm,
    omnibus_test,
    probability_of_improvement,
    stratified_bootstrap_ci,
)


def three_groups(shift=(0.0, 0.0, 3.0), n=5, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"arch": np.repeat(["a", "b", "c"], n), "seed": np.tile(range(n), 3),
                         "v": rng.normal(size=3 * n) + np.repeat(shift, n)})


def test_compare_on_three_groups_returns_the_omnibus_row_and_all_three_pairs():
    out = compare(three_groups(), "v")
    assert out["comparison"].tolist() == ["omnibus", "group", "group", "group",
                                          "pair", "pair", "pair"]
    pairs = out[out["comparison"] == "pair"]
    assert pairs["groups"].tolist() == ["a vs b", "a vs c", "b vs c"]
    np.testing.assert_allclose(pairs["p_holm"], np.minimum(1, np.maximum.accumulate(
        np.sort(pairs["permutation_p"].to_numpy()) * [3, 2, 1]))[
        np.argsort(np.argsort(pairs["permutation_p"].to_numpy()))])
    omni = out.iloc[0]
    df = three_groups()
    f, _ = sps.f_oneway(*(df.loc[df.arch == g, "v"] for g in "abc"))
    assert omni["f"] == pytest.approx(f)
    assert omni["kruskal_p"] == pytest.approx(
        sps.kruskal(*(df.loc[df.arch == g, "v"] for g in "abc")).pvalue)
    assert omni["permutation_p"] < 0.05
    two = compare(df[df.arch != "c"], "v")
    assert list(two.columns[:3]) == ["metric", "group_a", "group_b"]  # two groups unchanged


def test_the_omnibus_monte_carlo_p_matches_full_enumeration():
    samples = [np.array([1.0, 2.0]), np.array([2.5, 3.0]), np.array([4.0, 6.0])]
    values = np.concatenate(samples)
    labels = np.repeat([0, 1, 2], 2)
    observed = between_group_f(values, labels)
    perms = np.array(list(set(itertools.permutations(labels))))
    exact = np.mean(between_group_f(values, perms) >= observed - 1e-12)
    got = omnibus_test(samples, n_resamples=20_000, seed=1)["permutation_p"]
    assert got == pytest.approx(exact, abs=0.01)


def test_iqm_and_probability_of_improvement_by_hand():
    # IQM of 8 values: drop the 2 lowest and 2 highest, mean of 3, 4, 5, 6
    assert iqm([9, 1, 3, 4, 5, 6, 2, 100]) == pytest.approx(4.5)
    # pairs (3,1) > , (3,3) tie, (4,1) >, (4,3) >: (1 + 0.5 + 1 + 1) / 4
    assert probability_of_improvement([3, 4], [1, 3]) == pytest.approx(0.875)
    low, high = stratified_bootstrap_ci([np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 3, 4])],
                                        "probability_of_improvement", n_boot=500)
    assert low < 0.5 < high


def test_group_rows_carry_iqm_intervals_and_k_groups_need_two_seeds_each():
    out = compare(three_groups(n=6), "v").set_index(["comparison", "groups"])
    row = out.loc[("group", "c")]
    assert row["iqm_ci_low"] <= row["iqm"] <= row["iqm_ci_high"]
    df = three_groups()
    with pytest.raises(ValueError, match="at least 2 seeds"):
        compare(df[~((df.arch == "c") & (df.seed > 0))], "v")
    with pytest.raises(ValueError, match="two or more different groups"):
        compare(df, "v", groups=("a", "a"))


def test_the_expanded_percentile_level_equals_a_hand_computation():
    import math

    from navdecode.stats.groups import expanded_level

    # n = 5: t_{0.975, 4} = 2.776445105 (tables), z = sqrt(5 / 4) * t = 3.104160,
    # level = 1 - 2 Phi(-z) = 1 - erfc(z / sqrt 2)
    z = math.sqrt(5 / 4) * 2.776445105
    assert expanded_level(5) == pytest.approx(1 - math.erfc(z / math.sqrt(2)), abs=1e-8)
    assert expanded_level(5) == pytest.approx(0.998092, abs=1e-6)
    # it widens the interval: the expanded one contains the plain one
    x = np.array([0.3, -1.2, 0.8, 2.0, -0.4])
    plain = stratified_bootstrap_ci([x], "iqm", expand=False)
    wide = stratified_bootstrap_ci([x], "iqm")
    assert wide[0] <= plain[0] <= plain[1] <= wide[1]
