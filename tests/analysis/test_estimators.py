import numpy as np
import pytest
from conftest import rowwise_grouped_ridge
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


@pytest.mark.parametrize("data", ["random", "bundled"])
def test_sufficient_statistics_equal_the_row_wise_fit_and_scikit_learn(data):
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import navdecode as nd
    from navdecode.analysis.estimators import DEFAULT_ALPHAS

    if data == "random":
        rng = np.random.default_rng(3)
        X = rng.normal(size=(900, 40)) * rng.uniform(0.1, 10, 40) + rng.normal(size=40)
        y = X[:, :3] @ rng.normal(size=(3, 2)) + rng.normal(size=(900, 2))
        groups = np.repeat(np.arange(90), 10)
    else:  # a bundled agent's units and positions (cm), one group per trial
        ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(200))
        valid = ds.valid.values
        X = ds.hidden.values[valid].astype(float)
        y = np.stack([ds.pos_x.values[valid], ds.pos_y.values[valid]], axis=1).astype(float)
        groups = np.broadcast_to(np.arange(200)[:, None], valid.shape)[valid]
    alphas = np.asarray(DEFAULT_ALPHAS)
    model = GroupedRidgeCV().fit(X, y, groups=groups)
    alpha, errors, coef, intercept = rowwise_grouped_ridge(X, y, groups, alphas)
    assert model.alpha_ == alpha  # the same penalty
    np.testing.assert_allclose(model.cv_errors_, errors, rtol=1e-8)
    np.testing.assert_allclose(model.predict(X), X @ coef.T + intercept, atol=1e-6)
    # and scikit-learn's pipeline at that penalty predicts the same (within 1e-6 of y's unit)
    reference = make_pipeline(StandardScaler(), Ridge(alpha=alpha)).fit(X, y)
    np.testing.assert_allclose(model.predict(X), reference.predict(X), atol=1e-6)
