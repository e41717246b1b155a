import numpy as np
import pandas as pd
import pytest

from navdecode.stats.coverage import validate_within_between
from navdecode.stats.matrices import within_between_test


def _matrix(values: np.ndarray, labels: list[str]) -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([(a, i) for i, a in enumerate(labels)],
                                      names=["arch", "seed"])
    return pd.DataFrame(values, index=index, columns=index)


def test_the_means_and_difference_by_hand():
    # pairs: (0,1) within a: 1; (2,3) within b: 3; between: (0,2) 4, (0,3) 5, (1,2) 6, (1,3) 7
    m = np.array([[0, 1, 4, 5], [1, 0, 6, 7], [4, 6, 0, 3], [5, 7, 3, 0]], dtype=float)
    r = within_between_test(_matrix(m, ["a", "a", "b", "b"]), n_resamples=200)
    assert r["within"] == pytest.approx(2.0)
    assert r["between"] == pytest.approx(5.5)
    assert r["difference"] == pytest.approx(3.5)
    # 3 distinct labellings into two pairs: ours is the most extreme, so p is about 1/3
    assert 0.2 < r["permutation_p"] < 0.5
    assert (r["n_networks"], r["n_labels"]) == (4, 2)


def test_separated_clusters_are_detected_and_a_similarity_gives_a_negative_difference():
    x = np.r_[np.zeros(6), np.full(6, 3.0)] + np.random.default_rng(0).normal(0, 0.1, 12)
    distance = np.abs(x[:, None] - x[None])
    labels = ["m"] * 6 + ["h"] * 6
    r = within_between_test(_matrix(distance, labels), n_resamples=999)
    assert r["difference"] > 2.5
    assert r["permutation_p"] < 0.01
    s = within_between_test(_matrix(np.exp(-distance), labels), n_resamples=999)
    assert s["difference"] < 0
    assert s["permutation_p"] < 0.01


def test_bad_matrices_are_refused():
    m = _matrix(np.eye(3), ["a", "b", "c"])
    with pytest.raises(ValueError, match="two or more networks"):
        within_between_test(m)
    with pytest.raises(ValueError, match="symmetric"):
        within_between_test(_matrix(np.array([[0, 1, 2], [3, 0, 1], [2, 1, 0.]]),
                                    ["a", "a", "b"]))
    with pytest.raises(ValueError, match="finite"):
        within_between_test(_matrix(np.array([[0, np.nan, 2], [np.nan, 0, 1], [2, 1, 0.]]),
                                    ["a", "a", "b"]))
    with pytest.raises(ValueError, match="square DataFrame"):
        within_between_test(np.eye(3))


def test_its_false_positive_rate_holds_at_five_networks_per_label():
    table = validate_within_between(n_sims=200, seeds=(5,), groups=(2,), seed=1)
    assert 0.015 <= table["observed"].iloc[0] <= 0.095  # 0.05 +- 3 SE at 200 studies


@pytest.mark.slow
def test_its_false_positive_rate_holds_at_5_and_8_networks_and_2_and_4_labels():
    table = validate_within_between(n_sims=1000, seed=2)
    assert table["observed"].between(0.03, 0.07).all()  # 0.05 +- 3 SE at 1,000 studies
