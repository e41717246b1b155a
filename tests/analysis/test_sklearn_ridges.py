"""scikit-learn's Ridge and RidgeCV fitted from sums equal scikit-learn's own fits."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.pipeline import make_pipeline

from navdecode import decode, fixed_targets, load_pretrained, run_agent
from navdecode.analysis.sklearn_ridges import plain_ridge, ridge_fits


def _data(n=600, p=15, q=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) * rng.uniform(0.1, 10, p) + 5 * rng.normal(size=p)
    y = x @ rng.normal(size=(p, q)) + 3 * rng.normal(size=(n, q)) + 100
    return x, y


@pytest.mark.parametrize("estimator", [Ridge(alpha=0.1), Ridge(alpha=30.0),
                                       RidgeCV(alphas=(0.1, 1, 10)),
                                       RidgeCV(alphas=(1e-3, 1.0, 1e3, 1e5))])
def test_fits_from_sums_equal_scikit_learns_per_block(estimator):
    x, y = _data()
    train, test = np.arange(420), np.arange(420, 600)
    blocks = [np.array([0, 1]), np.array([2]), np.array([3])]
    (pred,), models = ridge_fits(estimator, x, y, [(train, test)], blocks)
    for block, model in zip(blocks, models, strict=True):
        split = type(estimator)(**estimator.get_params()).fit(x[train], y[train][:, block])
        full = type(estimator)(**estimator.get_params()).fit(x, y[:, block])
        np.testing.assert_allclose(pred[:, block], split.predict(x[test]).reshape(len(test), -1),
                                   atol=1e-9)
        np.testing.assert_allclose(model.predict(x), full.predict(x), atol=1e-9)
        assert model.coef_.shape == full.coef_.shape
        np.testing.assert_allclose(model.coef_, full.coef_, atol=1e-9)
        np.testing.assert_allclose(model.intercept_, full.intercept_, atol=1e-8)
        if isinstance(estimator, RidgeCV):
            assert model.alpha_ == full.alpha_
            assert model.best_score_ == pytest.approx(full.best_score_, rel=1e-9)


def test_the_penalty_differs_between_blocks_as_scikit_learn_chooses_it():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 40))
    y = np.column_stack([x[:, 0] + 0.1 * rng.normal(size=300), rng.normal(size=300)])
    _, models = ridge_fits(RidgeCV(alphas=(0.01, 1.0, 100.0, 1e4)), x, y, [],
                           [np.array([0]), np.array([1])])
    want = [RidgeCV(alphas=(0.01, 1.0, 100.0, 1e4)).fit(x, y[:, [k]]).alpha_ for k in (0, 1)]
    assert [m.alpha_ for m in models] == want
    assert want[0] != want[1]  # the case is informative: the blocks chose differently


def test_only_settings_the_formulas_cover_take_the_sums_path():
    assert plain_ridge(Ridge()) == "ridge"
    assert plain_ridge(RidgeCV()) == "ridgecv"
    for other in (Ridge(fit_intercept=False), Ridge(positive=True), Ridge(solver="saga"),
                  Ridge(alpha=np.array([1.0, 2.0])), RidgeCV(cv=3), RidgeCV(alpha_per_target=True),
                  RidgeCV(scoring="r2"), RidgeCV(fit_intercept=False), RidgeCV(gcv_mode="svd"),
                  make_pipeline(Ridge()), type("MyRidge", (Ridge,), {})()):
        assert plain_ridge(other) is None, other
    with pytest.raises(TypeError, match="plain Ridge"):
        ridge_fits(Ridge(positive=True), *_data(), [], [np.arange(4)])


@pytest.mark.parametrize("protocol", ["tutorial", "paper"])
def test_decode_protocols_equal_scikit_learns_pipeline_on_a_bundled_agent(protocol):
    """The same decode through a Pipeline (which scikit-learn fits itself) predicts the
    same positions within 1e-6 cm."""
    ds = run_agent(load_pretrained("holistic", 1), fixed_targets(200))
    fast = decode(ds, protocol=protocol)
    estimator = Ridge(alpha=0.1) if protocol == "tutorial" else RidgeCV(alphas=(0.1, 1, 10))
    slow = decode(ds, protocol=protocol, estimator=make_pipeline(estimator))
    np.testing.assert_allclose(fast.predicted["pos_x"].values, slow.predicted["pos_x"].values,
                               atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(fast.predicted["pos_y"].values, slow.predicted["pos_y"].values,
                               atol=1e-6, equal_nan=True)
    assert fast.mean_error == pytest.approx(slow.mean_error, abs=1e-6)
    model, reference = fast.model, slow.model[-1]
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-8)
    if protocol == "paper":
        assert model.alpha_ == reference.alpha_


@pytest.mark.parametrize("kwargs", [{}, {"protocol": "tutorial"}, {"protocol": "paper"},
                                    {"estimator": make_pipeline(Ridge(alpha=1.0))}])
def test_without_refit_the_held_out_predictions_are_the_same_and_no_model_is_fitted(kwargs):
    ds = run_agent(load_pretrained("modular", 2), fixed_targets(60))
    full, lean = decode(ds, **kwargs), decode(ds, refit=False, **kwargs)
    assert lean.model is None
    assert full.model is not None
    np.testing.assert_array_equal(lean.predicted["pos_x"].values, full.predicted["pos_x"].values)
    assert lean.mean_error == full.mean_error
    cross = decode(ds, test_ds=ds, refit=False)  # the fit on all rows is the prediction
    assert cross.model is not None


def test_ridgecv_leave_one_out_in_chunks_of_rows_equals_scikit_learn(monkeypatch):
    from navdecode.analysis import sklearn_ridges

    monkeypatch.setattr(sklearn_ridges, "ROWS", 97)  # 600 rows: seven chunks
    x, y = _data()
    _, (model,) = ridge_fits(RidgeCV(alphas=(1e-3, 1.0, 1e3)), x, y, [], [np.arange(4)])
    full = RidgeCV(alphas=(1e-3, 1.0, 1e3)).fit(x, y)
    assert model.alpha_ == full.alpha_
    assert model.best_score_ == pytest.approx(full.best_score_, rel=1e-9)
