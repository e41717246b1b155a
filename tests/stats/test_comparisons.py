import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from navdecode.stats.comparisons import (
    compare,
    holm,
    mean_ci,
    permutation_test,
    seed_level,
    summarize,
    welch_ci,
)
from navdecode.stats.mixed import mixed_model


def two_groups(a, b):
    return pd.DataFrame({"arch": ["modular"] * len(a) + ["holistic"] * len(b),
                         "seed": list(range(len(a))) + list(range(len(b))),
                         "score": list(a) + list(b)})


def test_identical_groups_show_no_effect():
    values = [0.9, 0.8, 0.95, 0.85, 0.7]
    row = compare(two_groups(values, values), "score").iloc[0]
    assert row["diff"] == 0
    assert row["hedges_g"] == 0
    assert row["permutation_p"] == 1.0
    assert row["mannwhitney_p"] == pytest.approx(1.0)
    assert row["diff_ci_low"] <= 0 <= row["diff_ci_high"]


def test_separated_groups_reach_the_exact_permutation_minimum():
    row = compare(two_groups([10, 11, 12, 13, 14], [1, 2, 3, 4, 5]), "score",
                  groups=("modular", "holistic")).iloc[0]
    assert row["permutation_exact"]
    assert row["permutation_p"] == pytest.approx(2 / math.comb(10, 5))
    assert row["diff"] == 9
    assert row["rank_biserial"] == 1.0
    assert row["ci_a_low"] >= 10
    assert row["ci_a_high"] <= 14


def test_trials_are_aggregated_to_seeds_first():
    rows = [("modular", s, s + t * 0.01) for s in range(3) for t in range(100)]
    rows += [("holistic", s, s) for s in range(3)]
    df = pd.DataFrame(rows, columns=["arch", "seed", "score"])
    assert seed_level(df, ["score"]).shape == (6, 3)
    assert compare(df, "score").iloc[0][["n_a", "n_b"]].tolist() == [3, 3]


def test_holm_correction_across_metrics():
    df = two_groups([10, 11, 12, 13, 14], [1, 2, 3, 4, 5]).assign(other=lambda d: d["score"])
    table = compare(df, ["score", "other"])
    np.testing.assert_allclose(table["p_holm"], 2 * table["permutation_p"])


def test_monte_carlo_permutation_when_too_many_relabellings():
    rng = np.random.default_rng(0)
    p, exact = permutation_test(rng.normal(size=20), rng.normal(size=20) + 5, n_resamples=2000)
    assert not exact
    assert p < 0.01


def test_summarize_gives_seed_level_mean_sem_and_ci_per_group():
    rows = [("modular", g, s, s + 10 * g + t) for g in (1, 2) for s in range(4)
            for t in (-1.0, 1.0)]
    rows += [("holistic", 1, 0, 5.0)]
    df = pd.DataFrame(rows, columns=["arch", "gain", "seed", "score"])
    table = summarize(df, "score", by=["arch", "gain"]).set_index(["arch", "gain"])
    one = table.loc[("modular", 1)]
    assert one["n"] == 4
    assert one["mean"] == pytest.approx(11.5)
    assert one["sem"] == pytest.approx(np.std([10, 11, 12, 13], ddof=1) / 2)
    half = stats.t.ppf(0.975, 3) * np.std([10, 11, 12, 13], ddof=1) / 2
    assert one[["ci_low", "ci_high"]].tolist() == pytest.approx([11.5 - half, 11.5 + half])
    assert one["ci_method"] == "t"
    assert table.loc[("modular", 2), "mean"] == pytest.approx(21.5)
    single = table.loc[("holistic", 1)]
    assert single["n"] == 1
    assert single["mean"] == 5.0
    assert np.isnan(single[["sem", "ci_low", "ci_high"]].astype(float)).all()


def test_mixed_model_recovers_an_effect_and_guards_collapse():
    rng = np.random.default_rng(1)
    rows = []
    for arch, mu in (("modular", 1.0), ("holistic", 0.0)):
        for s in range(6):
            offset = rng.normal(0, 0.5)
            rows += [(arch, f"{arch}{s}", mu + offset + rng.normal()) for _ in range(50)]
    df = pd.DataFrame(rows, columns=["arch", "seed", "v"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = mixed_model(df, "v")
    effect = table[table["term"] != "Intercept"].iloc[0]
    assert not effect["collapsed"]
    assert effect["group_var"] > 0.05
    means = df.groupby("arch")["v"].mean()
    # balanced design: the estimate is the difference of the group means ...
    assert effect["estimate"] == pytest.approx(means["modular"] - means["holistic"], abs=1e-6)
    # ... and its SE reflects 6 seeds per group, not 300 trials
    naive_se = df["v"].std() * np.sqrt(2 / 300)
    assert effect["se"] > 2 * naive_se
    # seeds that share one mean exactly: the between-seed variance collapses to zero
    flat = df.copy()
    flat["v"] = flat["v"] - flat.groupby("seed")["v"].transform("mean") + np.where(
        flat["arch"] == "modular", 1.0, 0.0)
    with pytest.warns(RuntimeWarning, match="collapsed"):
        table = mixed_model(flat, "v")
    assert table["collapsed"].all()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [(lambda: compare([1, 2], "score"), TypeError, "df"),
     (lambda: compare(two_groups([1, 2], [3, 4]), "nope"), ValueError, "nope"),
     (lambda: compare(two_groups([1], [3]), "score"), ValueError, "at least 2"),
     (lambda: compare(two_groups([1, 2], [3, 4]).iloc[:0], "score"), ValueError, "empty"),
     (lambda: compare(two_groups([1, 2], [3, 4]), []), ValueError, "values"),
     (lambda: compare(two_groups([1, 2], [3, 4]).assign(arch="x"), "score"), ValueError,
      "two or more different groups"),
     (lambda: mixed_model(two_groups([1, 2], [3]), "score"), ValueError, "at least 2"),
     (lambda: summarize(two_groups([1, 2], [3]), []), ValueError, "values"),
     (lambda: summarize(two_groups([1, 2], [3]), "score", by=[]), ValueError, "by"),
     (lambda: summarize(two_groups([1, 2], [3]), "nope"), ValueError, "nope"),
     # the wrong results listed in issue 13
     (lambda: permutation_test([1, 2, np.nan], [4, 5, 6]), ValueError, "a must be finite"),
     (lambda: permutation_test([], [4, 5, 6]), ValueError, "a needs at least 1"),
     (lambda: permutation_test([1, 2], [4, np.inf]), ValueError, "b must be finite"),
     (lambda: compare(two_groups([1, 2, np.inf], [3, 4, 5]), "score"), ValueError, "infinite"),
     (lambda: compare(two_groups([1, 2, 3], [3, 4, 5]).assign(seed=[0, 1, np.nan, 0, 1, 2]),
                      "score"), ValueError, "seed"),
     (lambda: compare(two_groups([1, 2], [3, 4]), "score", groups=("modular", "modular")),
      ValueError, "two or more different groups"),
     (lambda: compare(two_groups([1, 2], [3, 4]), "score", n_boot=0), ValueError, "n_boot"),
     (lambda: compare(two_groups([1, 2], [3, 4]), "score", ci_method="bca"), ValueError,
      "ci_method"),
     (lambda: compare(two_groups([1, 2, np.nan], [3, 4, 5]), "score"), ValueError,
      "no value for arch='modular'"),
     (lambda: summarize(two_groups([1, 2], [3]), "score", n_boot=0), ValueError, "n_boot"),
     (lambda: summarize(two_groups([1, np.inf], [3]), "score"), ValueError, "infinite"),
     (lambda: mean_ci([1.0]), ValueError, "at least 2"),
     (lambda: mean_ci([1.0, 2.0], level=1.5), ValueError, "level"),
     (lambda: welch_ci([1.0, np.nan], [2.0, 3.0]), ValueError, "a must be finite"),
     (lambda: holm([0.5, 1.2]), ValueError, "0, 1"),
     (lambda: mixed_model(two_groups([1, 2], [3, 4]), "score", nested="yes"), TypeError,
      "nested")],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_t_and_welch_intervals_match_scipy():
    a, b = [2.0, 3.5, 4.0, 5.5, 1.0], [0.5, 1.0, 0.2, 2.5, 1.5, 0.1, 0.9]
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    low, high = mean_ci(a)
    assert (low, high) == pytest.approx(DescrStatsW(np.array(a)).tconfint_mean(0.05))
    low, high, df = welch_ci(a, b)
    ref = CompareMeans(DescrStatsW(np.array(a)), DescrStatsW(np.array(b)))
    assert (low, high) == pytest.approx(ref.tconfint_diff(0.05, usevar="unequal"))
    va, vb = np.var(a, ddof=1) / 5, np.var(b, ddof=1) / 7
    assert df == pytest.approx((va + vb) ** 2 / (va**2 / 4 + vb**2 / 6))


def test_compare_prints_the_welch_interval_and_names_it():
    a, b = [2.0, 3.5, 4.0, 5.5, 1.0], [0.5, 1.0, 0.2, 2.5, 1.5]
    row = compare(two_groups(a, b), "score", groups=("modular", "holistic")).iloc[0]
    assert row["ci_method"] == "t"
    assert [row["diff_ci_low"], row["diff_ci_high"]] == pytest.approx(welch_ci(a, b)[:2])
    assert [row["ci_a_low"], row["ci_a_high"]] == pytest.approx(mean_ci(a))
    boot = compare(two_groups(a, b), "score", ci_method="bootstrap").iloc[0]
    assert boot["ci_method"] == "bootstrap"


def test_holm_matches_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001, 0.04])
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1])


def test_no_p_value_below_the_exact_floor():
    for a, b in (([1, 2, 3], [4, 5, 6]), ([1, 2], [4, 5, 6, 7])):
        p, exact = permutation_test(a, b)
        floor = (2 if len(a) == len(b) else 1) / math.comb(len(a) + len(b), len(a))
        assert exact
        assert p == pytest.approx(floor)


def test_mixed_model_groups_by_network_not_by_seed_number():
    # seeds 0-4 in both architectures: ten networks, not five
    rng = np.random.default_rng(3)
    arch = np.repeat(["modular", "holistic"], 5 * 30)
    seed = np.tile(np.repeat(np.arange(5), 30), 2)
    df = pd.DataFrame({"arch": arch, "seed": seed,
                       "v": np.repeat(rng.normal(size=10), 30) + rng.normal(size=300)})
    table = mixed_model(df, "v")
    effect = table.iloc[1]
    assert effect["n_groups"] == 10
    assert effect["df"] == 8
    # t with 8 df, not the normal: p and CI follow from estimate / se
    assert effect["p"] == pytest.approx(2 * stats.t(8).sf(abs(effect["z"])))
    assert effect["ci_high"] - effect["estimate"] == pytest.approx(
        stats.t(8).ppf(0.975) * effect["se"])
    # the crossed design (gains within networks) keeps the Wald z
    crossed = df.assign(gain=np.tile([1.0, 2.0], 150))
    crossed_table = mixed_model(crossed, "v", by="gain", unit=["arch", "seed"], nested=False)
    assert np.isinf(crossed_table["df"].iloc[1])
    assert crossed_table["n_groups"].iloc[1] == 10
