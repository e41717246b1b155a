"""compare_factorial: two crossed factors, a heteroscedastic Wald test with a parametric
bootstrap, the type-II ANOVA F beside it, and no statistic where nothing varies."""

import numpy as np
import pandas as pd
import pytest

from navdecode import compare_factorial


def design(n=6, effect_a=0.0, drop=0, seed=3):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([(a, b, s) for a in ("A1", "A2", "A3") for b in ("C1", "C5")
                       for s in range(n)], columns=["actor", "critic", "seed"])
    df = df.iloc[:len(df) - drop]
    return df.assign(v=rng.normal(size=len(df)) + (df["actor"] == "A3") * effect_a)


def test_f_equals_the_type_ii_anova_of_statsmodels_on_an_unbalanced_design():
    smf = pytest.importorskip("statsmodels.formula.api")
    from statsmodels.stats.anova import anova_lm

    df = design(effect_a=1.0, drop=2)
    table = compare_factorial(df, "v", ("actor", "critic"), n_resamples=500)
    reference = anova_lm(smf.ols("v ~ C(actor) * C(critic)", df).fit(), typ=2)
    np.testing.assert_allclose(table["anova_f"], reference["F"].iloc[:3], rtol=1e-10)
    np.testing.assert_allclose(table["f_test_p"], reference["PR(>F)"].iloc[:3], rtol=1e-8)
    assert table["df"].tolist() == [2, 1, 2]
    assert table["df_resid"].unique().tolist() == [28]


def test_a_true_actor_effect_is_found_by_both_tests():
    table = compare_factorial(design(effect_a=2.0), "v", ("actor", "critic"),
                              n_resamples=4000).set_index("effect")
    assert table.loc["actor", "bootstrap_p"] < 0.001
    assert table.loc["actor", "f_test_p"] < 0.001
    p = table[["bootstrap_p", "f_test_p"]].to_numpy()
    assert ((p >= 0) & (p <= 1)).all()


def test_the_wald_statistic_equals_a_hand_computation_on_a_2x2_design():
    """W = (C m)^2 / (C D C') with D = diag(s2 / n); for the actor in a 2x2 design
    C = (1/2, 1/2, -1/2, -1/2), so W = (mean of row 1's cell means - row 2's)^2 /
    (sum of s2_i / n_i / 4)."""
    rows = {("A1", "C1"): [1.0, 3.0], ("A1", "C5"): [2.0, 4.0, 6.0],
            ("A3", "C1"): [0.0, 1.0, 2.0, 5.0], ("A3", "C5"): [7.0, 9.0]}
    df = pd.DataFrame([(a, c, s, v) for (a, c), vs in rows.items() for s, v in enumerate(vs)],
                      columns=["actor", "critic", "seed", "v"])
    m = {k: np.mean(v) for k, v in rows.items()}
    var = {k: np.var(v, ddof=1) / len(v) for k, v in rows.items()}
    actor = ((m["A1", "C1"] + m["A1", "C5"]) / 2 - (m["A3", "C1"] + m["A3", "C5"]) / 2) ** 2 / (
        sum(var.values()) / 4)
    inter = (m["A1", "C1"] - m["A1", "C5"] - m["A3", "C1"] + m["A3", "C5"]) ** 2 / sum(
        var.values())
    table = compare_factorial(df, "v", ("actor", "critic"), n_resamples=200).set_index("effect")
    assert table.loc["actor", "f"] == pytest.approx(actor, rel=1e-12)
    assert table.loc["actor:critic", "f"] == pytest.approx(inter, rel=1e-12)


@pytest.mark.parametrize("counts", [(5, 5, 5, 5), (8, 8, 8, 4)])
def test_a_metric_that_never_varies_gets_no_statistic_and_no_evidence(counts):
    """20 networks with the value 1.0 everywhere once gave F 16.9 and p 0.017 (and a
    negative F); now: no statistic, p = 1, a note."""
    cells = [("A1", "C1"), ("A1", "C5"), ("A3", "C1"), ("A3", "C5")]
    df = pd.DataFrame([(a, c, s) for (a, c), n in zip(cells, counts, strict=True)
                       for s in range(n)], columns=["actor", "critic", "seed"]).assign(v=1.0)
    table = compare_factorial(df, "v", ("actor", "critic"), n_resamples=500)
    assert table["f"].isna().all()
    assert (table["bootstrap_p"] == 1.0).all()
    assert table["note"].str.startswith("no variation").all()
    assert not (table["anova_f"] < 0).any()
    within = df.assign(v=(df["actor"] == "A3") * 1.0)  # cells differ, nothing varies within
    table = compare_factorial(within, "v", ("actor", "critic"), n_resamples=500)
    assert table["f"].isna().all()
    assert table["bootstrap_p"].isna().all()
    assert table["note"].str.startswith("no variation within cells").all()


def test_the_anova_f_is_never_negative_on_rounding_noise():
    from navdecode.stats.factorial import factorial_f

    a, b = np.repeat([0, 1], 10), np.tile(np.repeat([0, 1], 5), 2)
    f = factorial_f(np.full(20, 0.1) + np.tile([0.0, 1e-17], 10), a, b)
    assert all(not (v < 0) for v in f.values())


def test_a_non_finite_value_is_refused_with_its_rows():
    df = design()
    df.loc[[3, 7], "v"] = [np.nan, np.inf]
    with pytest.raises(ValueError, match=r"rows \[3, 7\] hold \[nan, inf\]"):
        compare_factorial(df, "v", ("actor", "critic"))


def test_trials_are_averaged_to_networks_and_empty_cells_are_refused():
    df = design()
    twice = pd.concat([df, df])  # two rows per network: the same networks
    a = compare_factorial(df, "v", ("actor", "critic"), n_resamples=200)
    b = compare_factorial(twice, "v", ("actor", "critic"), n_resamples=200)
    np.testing.assert_allclose(a["f"], b["f"])
    np.testing.assert_allclose(a["anova_f"], b["anova_f"])
    with pytest.raises(ValueError, match="cell needs at least 2 seeds"):
        compare_factorial(df[~((df.actor == "A1") & (df.critic == "C5"))], "v",
                          ("actor", "critic"))
    with pytest.raises(ValueError, match="two different columns"):
        compare_factorial(df, "v", ("actor", "actor"))
    with pytest.raises(ValueError, match="no column 'arch'"):
        compare_factorial(df, "v", ("arch", "critic"))
