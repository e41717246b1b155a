"""Simulated error rates of the statistics (fast here; the full runs are marked slow)."""

import pytest

from navdecode.stats.coverage import validate_statistics


def rates(table, check, method):
    rows = table[(table["check"] == check) & (table["method"] == method)]
    assert len(rows) >= 1
    return rows["observed"]


def test_intervals_cover_at_five_seeds_fast():
    # 400 simulated experiments per interval: the binomial SE of a 95% coverage is 1.1%
    table = validate_statistics(sizes=(5,), n_sims=400, n_sims_mixed=1,
                                distributions=("normal",), ci_methods=("t",), progress=False,
                                seed=1)
    for check in ("coverage, compare: group mean CI", "coverage, compare: difference CI",
                  "coverage, summarize: group mean CI"):
        assert rates(table, check, "t").min() >= 0.93
    assert rates(table, "false-positive rate at p < 0.05", "permutation_test").max() <= 0.07


def test_mixed_model_false_positives_fast():
    # 300 simulated nulls (5 vs 5 networks, 40 correlated trials each): SE of 5% is 1.3%
    table = validate_statistics(sizes=(5,), n_sims=1, n_sims_mixed=300,
                                distributions=("normal",), ci_methods=("t",), progress=False,
                                seed=2)
    assert rates(table, "false-positive rate at p < 0.05",
                 "mixed_model (network groups)").iloc[0] <= 0.07
    # the old grouping (one random intercept for modular seed 0 and holistic seed 0)
    assert rates(table, "false-positive rate at p < 0.05",
                 "mixed_model grouped by seed alone").iloc[0] > 0.3


@pytest.mark.slow
def test_every_rate_at_five_and_eight_seeds():
    table = validate_statistics(sizes=(5, 8), n_sims=2000, n_sims_mixed=2000,
                                distributions=("normal",), progress=False, seed=3)
    coverage = table[table["check"].str.startswith("coverage") & (table["method"] == "t")]
    assert coverage["observed"].min() >= 0.93
    fpr = table[(table["check"] == "false-positive rate at p < 0.05")
                & (table["method"] != "mixed_model grouped by seed alone")]
    assert fpr["observed"].max() <= 0.07
    power = table[(table["check"] == "power at p < 0.05") & (table["n_per_group"] == 8)]
    assert power["observed"].min() >= 0.9  # a 2-SD difference is found at 8 vs 8 seeds


@pytest.mark.slow
def test_k_group_tests_hold_their_error_rates_by_simulation():
    from navdecode.stats.coverage import validate_groups

    table = validate_groups(n_sims=300, seeds=(5, 8), groups=(3, 8)).set_index(
        ["check", "n_per_group", "k"])["observed"]
    for (check, _, _), observed in table.items():
        if check.startswith(("false-positive", "family-wise")):
            assert observed <= 0.08, check  # 5% nominal, Monte Carlo SE 0.013
        elif "Welch" in check:
            assert observed >= 0.92, check


@pytest.mark.slow
def test_the_factorial_bootstrap_holds_its_false_positive_rate_at_the_reports_designs():
    from navdecode.stats.coverage import FACTORIAL_DESIGNS, validate_factorial

    designs = {k: v for k, v in FACTORIAL_DESIGNS.items() if "3x the spread" not in k}
    table = validate_factorial(n_sims=300, designs=designs, n_resamples=499)
    boot = table[table["test"] == "bootstrap"]
    assert (boot["observed"] <= 0.08).all(), boot  # 5% nominal, Monte Carlo SE 0.013
