"""compare_factorial: two crossed factors, F as type-II ANOVA, permutation p-values."""

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
    np.testing.assert_allclose(table["f"], reference["F"].iloc[:3], rtol=1e-10)
    np.testing.assert_allclose(table["f_test_p"], reference["PR(>F)"].iloc[:3], rtol=1e-8)
    assert table["df"].tolist() == [2, 1, 2]
    assert table["df_resid"].unique().tolist() == [28]


def test_a_true_actor_effect_is_found_and_its_permutation_p_follows_the_f_test():
    table = compare_factorial(design(effect_a=2.0), "v", ("actor", "critic"),
                              n_resamples=4000).set_index("effect")
    assert table.loc["actor", "permutation_p"] < 0.001
    for effect in table.index:
        assert table.loc[effect, "permutation_p"] == pytest.approx(
            table.loc[effect, "f_test_p"], abs=0.03)


def test_trials_are_averaged_to_networks_and_empty_cells_are_refused():
    df = design()
    twice = pd.concat([df, df])  # two rows per network: the same networks
    a = compare_factorial(df, "v", ("actor", "critic"), n_resamples=200)
    b = compare_factorial(twice, "v", ("actor", "critic"), n_resamples=200)
    np.testing.assert_allclose(a["f"], b["f"])
    with pytest.raises(ValueError, match="cell needs at least 2 seeds"):
        compare_factorial(df[~((df.actor == "A1") & (df.critic == "C5"))], "v",
                          ("actor", "critic"))
    with pytest.raises(ValueError, match="two different columns"):
        compare_factorial(df, "v", ("actor", "actor"))
    with pytest.raises(ValueError, match="no column 'arch'"):
        compare_factorial(df, "v", ("arch", "critic"))
