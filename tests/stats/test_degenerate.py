"""Every public statistical function on degenerate data, in one table: a metric that never
varies gets no evidence (p = 1 or NaN, no finite statistic that looks like one, never a
negative F), a non-finite value is refused by name, labels of any hashable type work, and a
matrix is read by its labels, not by its order."""

import numpy as np
import pandas as pd
import pytest

from navdecode.stats import (
    compare,
    compare_factorial,
    mean_ci,
    mixed_model,
    omnibus_test,
    permutation_test,
    summarize,
    welch_ci,
    within_between_test,
)

RNG = np.random.default_rng(0)
TWO = pd.DataFrame({"arch": ["a"] * 5 + ["b"] * 5, "seed": list(range(10)),
                    "v": RNG.normal(size=10)})
THREE = pd.DataFrame({"arch": np.repeat(["a", "b", "c"], 5), "seed": range(15),
                      "v": RNG.normal(size=15)})
CROSSED = pd.DataFrame([(a, c, s) for a in ("A1", "A3") for c in ("C1", "C5")
                        for s in range(5)], columns=["actor", "critic", "seed"]).assign(
    v=RNG.normal(size=20))
TRIALS = pd.DataFrame({"arch": np.repeat(["a", "b"], 20), "seed": np.repeat(range(8), 5),
                       "v": RNG.normal(size=40)})


def _ps(out) -> np.ndarray:
    """Every p-value in a function's answer."""
    if isinstance(out, pd.DataFrame):
        cols = [c for c in out if c.endswith("_p") or c == "p"]
        return out[cols].to_numpy(dtype=float).ravel()
    if isinstance(out, dict):
        return np.array([v for k, v in out.items() if k.endswith("_p") or k == "p"], float)
    return np.array([out[0]], float)  # permutation_test: (p, exact)


def _stats(out) -> np.ndarray:
    names = ("f", "hedges_g", "z", "kruskal_h", "anova_f")
    if isinstance(out, pd.DataFrame):
        return out[[c for c in names if c in out]].to_numpy(dtype=float).ravel()
    if isinstance(out, dict):
        return np.array([v for k, v in out.items() if k in names], float)
    return np.array([])


CONSTANT = {
    "compare, two groups": lambda: compare(TWO.assign(v=1.0), "v"),
    "compare, three groups": lambda: compare(THREE.assign(v=1.0), "v"),
    "compare_factorial": lambda: compare_factorial(CROSSED.assign(v=1.0), "v",
                                                   ("actor", "critic"), n_resamples=200),
    "compare_factorial 8/8/8/4": lambda: compare_factorial(
        pd.DataFrame([(a, c, s) for (a, c), n in zip(
            [("A1", "C1"), ("A1", "C5"), ("A3", "C1"), ("A3", "C5")], (8, 8, 8, 4),
            strict=True) for s in range(n)], columns=["actor", "critic", "seed"]).assign(v=1.0),
        "v", ("actor", "critic"), n_resamples=200),
    "omnibus_test": lambda: omnibus_test([np.ones(5)] * 3, n_resamples=200),
    "permutation_test": lambda: permutation_test(np.ones(5), np.ones(5)),
    "mixed_model": lambda: mixed_model(TRIALS.assign(v=1.0), "v"),
}


@pytest.mark.parametrize("case", list(CONSTANT))
def test_a_metric_that_never_varies_gives_no_evidence(case):
    out = CONSTANT[case]()
    p = _ps(out)
    assert np.all(np.isnan(p) | (p == 1.0)), (case, p)
    stats = _stats(out)
    assert not np.any(stats < 0), (case, stats)
    assert not np.any(np.isfinite(stats) & (stats != 0)), (case, stats)


NAN = {
    "compare": lambda v: compare(TWO.assign(v=v), "v"),
    "compare_factorial": lambda v: compare_factorial(CROSSED.assign(v=np.r_[v, v]), "v",
                                                     ("actor", "critic")),
    "mixed_model": lambda v: mixed_model(TRIALS.assign(v=np.r_[v, np.zeros(30)]), "v"),
    "summarize": lambda v: summarize(TWO.assign(v=v), ["v"]),
    "welch_ci": lambda v: welch_ci(v[:5], v[5:]),
    "mean_ci": lambda v: mean_ci(v),
    "permutation_test": lambda v: permutation_test(v[:5], v[5:]),
    "within_between_test": lambda v: within_between_test(_matrix(v)),
}


def _matrix(v: np.ndarray) -> pd.DataFrame:
    labels = pd.MultiIndex.from_tuples([(a, s) for a in ("a", "b") for s in range(5)],
                                       names=["arch", "seed"])
    with np.errstate(invalid="ignore"):
        values = np.abs(v[:, None] - v[None])
    return pd.DataFrame(values, index=labels, columns=labels)


@pytest.mark.parametrize("case", list(NAN))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_non_finite_value_is_refused_by_name(case, bad):
    v = RNG.normal(size=10)
    v[0] = bad
    with pytest.raises(ValueError, match=r"finite|NaN|no value|is NaN"):
        NAN[case](v)


def test_labels_of_any_hashable_type_work():
    numeric = THREE.assign(arch=np.repeat([1.0, 2.0, 3.0], 5))
    out = compare(numeric, "v")
    assert out.loc[out["comparison"] == "omnibus", "groups"].iloc[0] == "1.0, 2.0, 3.0"
    assert len(compare(TWO.assign(arch=np.repeat([0, 1], 5)), "v")) == 1
    crossed = CROSSED.assign(actor=np.where(CROSSED["actor"] == "A1", 1, 3))
    assert len(compare_factorial(crossed, "v", ("actor", "critic"), n_resamples=100)) == 3


def test_a_matrix_is_read_by_its_labels_on_both_axes():
    matrix = _matrix(RNG.normal(size=10) + np.repeat([0.0, 2.0], 5))
    base = within_between_test(matrix, n_resamples=500)
    shuffled = matrix.iloc[::-1, :]  # rows in another order, columns as they were
    assert within_between_test(shuffled[shuffled.index[::-1]], n_resamples=500)["within"] == \
        pytest.approx(base["within"])
    assert within_between_test(matrix[matrix.columns[::-1]], n_resamples=500)["within"] == \
        pytest.approx(base["within"])
    other = matrix.copy()
    other.columns = pd.MultiIndex.from_tuples([("c", s) for s in range(10)])
    with pytest.raises(ValueError, match="columns must name the networks of its rows"):
        within_between_test(other)
