import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, KFold

from navdecode.analysis.ridge_stats import (
    Sums,
    augmented,
    fit_standardized,
    fold_sums,
    group_index,
    group_kfold,
    kfold,
)


@pytest.mark.parametrize("n_splits", [2, 3, 5])
@pytest.mark.parametrize("kind", ["ties", "distinct", "labels"])
def test_group_kfold_is_scikit_learns(kind, n_splits):
    rng = np.random.default_rng(n_splits)
    if kind == "ties":  # trials of a few lengths, as recordings have: many tied sizes
        groups = np.repeat(np.arange(300), rng.choice([20, 21, 35], size=300))
    elif kind == "distinct":
        groups = np.repeat(rng.permutation(120), rng.permutation(120) + 1)
    else:  # labels that are neither sorted nor small integers
        groups = rng.choice(np.array([-7, 3, 10 ** 9, 42, 5, 8, 13]), size=400)
    folds = group_kfold(groups, n_splits)
    tests = list(GroupKFold(n_splits).split(groups, groups, groups))
    assert [np.nonzero(folds == f)[0].tolist() for f in range(n_splits)] == [
        t.tolist() for _, t in tests]


def test_kfold_and_group_index_are_scikit_learn_and_numpy():
    for n in (10, 11, 14):
        folds = kfold(n, 3)
        assert [np.nonzero(folds == f)[0].tolist() for f in range(3)] == [
            t.tolist() for _, t in KFold(3).split(np.zeros(n))]
    groups = np.array([5, 5, 2, 9, 2, 0])
    n_groups, inverse = group_index(groups)
    assert n_groups == 4
    np.testing.assert_array_equal(inverse, np.unique(groups, return_inverse=True)[1])
    with pytest.raises(ValueError, match="n_splits=5 greater than the number of groups: 4"):
        group_kfold(groups, 5)


def test_sums_add_and_subtract_as_their_rows():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 4)), rng.normal(size=(50, 2))
    whole, head, tail = Sums.of(x, y), Sums.of(x[:20], y[:20]), Sums.of(x[20:], y[20:])
    np.testing.assert_allclose((head + tail).xx, whole.xx)
    np.testing.assert_allclose((whole - head).xy, tail.xy)
    assert (whole - head).n == 30
    np.testing.assert_allclose(whole.yy, (y ** 2).sum(axis=0))
    np.testing.assert_allclose(whole.x, x.sum(axis=0))
    np.testing.assert_allclose(whole.centred_xx(), 50 * np.cov(x.T, bias=True))


def test_a_constant_unit_gets_no_weight_and_blocks_choose_their_own_penalty():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 5))
    x[:, 2] = 0.7311  # a saturated unit: its variance is only rounding error
    y = np.stack([x[:, 0] + 0.01 * rng.normal(size=300),  # a clean target: small penalty
                  x[:, 1] + 3.0 * rng.normal(size=300)], axis=1)  # a noisy one: larger
    shift = x.mean(axis=0)
    parts = [Sums.of(x[k::3] - shift, y[k::3]) for k in range(3)]
    alphas = np.logspace(-3, 3, 13)
    fit = fit_standardized(parts, alphas, [[0], [1]])
    assert np.abs(fit.coef[2]).max() < 1e-12  # rounding error, not a weight
    assert fit.best[0] < fit.best[1]
    for block in (0, 1):  # each block is the fit of its target alone
        alone = fit_standardized(parts_of(x, y[:, [block]], shift), alphas, [[0]])
        assert alone.best[0] == fit.best[block]
        np.testing.assert_allclose(alone.coef[:, 0], fit.coef[:, block], atol=1e-12)


def parts_of(x, y, shift):
    return [Sums.of(x[k::3] - shift, y[k::3]) for k in range(3)]


@pytest.mark.parametrize("budget", [2 ** 27, 0])
def test_fold_sums_of_cells_equal_each_fold_gathered(budget, monkeypatch):
    """Three partitions (one of a subset of the rows): every fold's sums from the cells'
    Gram matrices equal those of its rows; with no memory for cells, each fold is
    gathered instead."""
    import navdecode.analysis.ridge_stats as ridge_stats

    monkeypatch.setattr(ridge_stats, "CELL_BYTES", budget)
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(300, 6)), rng.normal(size=(300, 2))
    rows = augmented(x, y)
    labels = np.stack([rng.integers(0, 5, 300), rng.integers(0, 3, 300),
                       np.where(rng.random(300) < 0.7, rng.integers(0, 2, 300), -1)])
    sums = fold_sums(rows, 6, labels, [5, 3, 2])
    assert [len(s) for s in sums] == [5, 3, 2]
    for label, folds in zip(labels, sums, strict=True):
        for f, got in enumerate(folds):
            want = Sums.of(x[label == f], y[label == f])
            assert got.n == want.n
            for field in ("x", "xx", "y", "xy", "yy"):
                np.testing.assert_allclose(getattr(got, field), getattr(want, field),
                                           rtol=1e-12, atol=1e-10)
