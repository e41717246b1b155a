import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from navdecode.analysis.estimators import GroupedRidgeCV


@parametrize_with_checks([GroupedRidgeCV()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_recovers_coefficients_and_picks_a_small_penalty_without_noise():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) * [1, 10, 100, 0.1] + 5
    coef = np.array([[1.0, -0.2, 0.01, 4.0], [0.0, 0.1, 0.0, -3.0]])
    y = X @ coef.T + [2.0, -1.0]
    model = GroupedRidgeCV().fit(X, y, groups=np.repeat(np.arange(30), 10))
    np.testing.assert_allclose(model.coef_, coef, atol=1e-3)
    np.testing.assert_allclose(model.intercept_, [2.0, -1.0], atol=1e-2)
    assert model.alpha_ == pytest.approx(1e-3)


def test_noise_only_targets_get_a_large_penalty():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(300, 20)), rng.normal(size=300)
    assert GroupedRidgeCV().fit(X, y, groups=np.repeat(np.arange(30), 10)).alpha_ >= 100


def test_errors():
    with pytest.raises(NotFittedError):
        GroupedRidgeCV().predict(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="alphas"):
        GroupedRidgeCV(alphas=[-1.0]).fit(np.zeros((10, 2)), np.zeros(10))
