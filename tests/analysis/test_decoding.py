import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import synthetic_dataset
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from navdecode import fixed_targets, make_agent, run_agent
from navdecode.analysis.controls import untrained_recording
from navdecode.analysis.decoding import DecodingResult, decode, decode_each
from navdecode.analysis.estimators import GroupedRidgeCV


class SpyGroupKFold(GroupKFold):
    def __init__(self, n_splits=5):
        super().__init__(n_splits=n_splits)
        self.seen = []

    def split(self, X, y=None, groups=None):
        for train, test in super().split(X, y, groups):
            self.seen.append((set(groups[train]), set(groups[test])))
            yield train, test


def test_planted_linear_code_is_recovered(planted_code):
    result = decode(planted_code)
    assert result.r2["pos_x"] > 0.99
    assert result.r2["pos_y"] > 0.99
    assert result.mean_error < 2.0  # cm; positions spread over ~100 cm
    assert np.isnan(result.error.values).sum() == (~planted_code.valid.values).sum()
    by_step = result.error_by_step()
    assert list(by_step.columns) == ["step", "mean_error", "sem", "n"]


def test_shuffle_null_gives_chance(planted_code):
    null = decode(planted_code, shuffle=True)
    real = decode(planted_code)
    assert null.r2.max() < 0.15
    assert null.mean_error > 10 * real.mean_error
    assert null.shuffled


def test_no_trial_is_on_both_sides_of_any_fold(planted_code):
    spy = SpyGroupKFold(4)
    result = decode(planted_code, cv=spy)
    assert len(spy.seen) == 4
    for train, test in spy.seen:
        assert not train & test
    assert (result.scores["n_train_trials"] + result.scores["n_test_trials"] == 120).all()
    default = decode(planted_code)
    assert (default.scores["n_train_trials"] + default.scores["n_test_trials"] == 120).all()


def test_tutorial_protocol_is_the_first_70_percent_vs_the_last_30(planted_code):
    result = decode(planted_code, protocol="tutorial")
    assert result.scores[["n_train_trials", "n_test_trials"]].values.tolist() == [[84, 36]]
    tested = ~np.isnan(result.error.values)
    assert not tested[:84].any()
    assert tested[84:].any()
    assert "Ridge(alpha=0.1)" in result.attrs["estimator"]


def test_cross_condition_and_any_estimator(planted_code):
    result = decode(planted_code, test_ds=planted_code, estimator=LinearRegression())
    assert result.protocol == "cross"
    assert result.r2.min() > 0.99


def test_one_target_variable(planted_code):
    result = decode(planted_code, targets="pos_x")
    assert list(result.r2.index) == ["pos_x"]


# --- issue 13: honest controls and no silent mixing ---------------------------------------



def test_cross_condition_matches_units_by_label(planted_code):
    # a different NaN unit in each recording: matching by count would misalign every unit
    hidden = planted_code.hidden.values
    one = planted_code.assign(hidden=(planted_code.hidden.dims, np.where(
        np.arange(30) == 3, np.nan, hidden)))
    two = planted_code.assign(hidden=(planted_code.hidden.dims, np.where(
        np.arange(30) == 7, np.nan, hidden)))
    with pytest.warns(RuntimeWarning, match=r"left out 2 of 30 hidden units .*\[3, 7\]"):
        result = decode(one, test_ds=two)
    assert result.attrs["n_units"] == 28
    assert result.mean_error < 2.0
    assert result.mean_error == pytest.approx(decode(planted_code, test_ds=planted_code)
                                              .mean_error, rel=0.2)


def test_variables_in_different_units_are_never_merged():
    ds = run_agent(make_agent("modular", seed=0), fixed_targets(30), seed=1)
    result = decode(ds, ("heading", "vel_lin"), n_splits=3)
    assert list(result.errors) == ["heading", "vel_lin"]
    assert result.errors["heading"].attrs["units"] == "rad"
    assert result.errors["vel_lin"].attrs["units"] == "cm/s"
    with pytest.raises(ValueError, match="different units"):
        _ = result.mean_error
    assert set(result.mean_errors.index) == {"heading", "vel_lin"}
    assert {"mean_error_heading", "mean_error_vel_lin"} <= set(result.scores.columns)
    both = decode(ds, ("pos_x", "pos_y", "heading"), n_splits=3)
    assert list(both.errors) == ["pos", "heading"]
    assert both.errors["pos"].attrs["units"] == "cm"


def ramp_dataset(n_trials=80, n_steps=20, seed=0):
    """Units that encode only time in trial; pos_y grows with time, pos_x does not."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps, dtype=float)
    y = np.tile(10 * t, (n_trials, 1)) + rng.normal(0, 3, (n_trials, n_steps))
    x = np.cumsum(rng.normal(0, 5, (n_trials, n_steps)), axis=1)
    hidden = np.stack([np.tile(t, (n_trials, 1)), np.tile(t**2, (n_trials, 1))], axis=-1)
    hidden = hidden + rng.normal(0, 0.01, hidden.shape)
    return synthetic_dataset(x, y, hidden=hidden)


def test_the_trial_shuffle_keeps_time_in_trial_and_the_time_control_shows_it():
    ds = ramp_dataset()
    shuffled = decode(ds, control="shuffle")
    assert shuffled.shuffled
    assert shuffled.r2["pos_y"] > 0.9  # not chance: the shuffle keeps time-in-trial
    assert shuffled.r2["pos_x"] < 0.1
    time_only = decode(ds, control="time")
    assert time_only.attrs["features"] == "step index"
    assert time_only.r2["pos_y"] > 0.9
    real = decode(ds)
    # units that encode nothing but time do no better than the step index
    assert real.mean_error == pytest.approx(time_only.mean_error, rel=0.05)


def test_untrained_control_feeds_the_recorded_inputs_to_the_initial_weights():
    agent = make_agent("modular", seed=2)
    ds = run_agent(agent, fixed_targets(20), seed=2)
    # fed to the recorded agent itself, the recorded inputs give back the recorded units
    again = untrained_recording(ds, actor=agent.actor)
    np.testing.assert_allclose(again.hidden.values, ds.hidden.values, atol=1e-5)
    np.testing.assert_allclose(again.cell.values, ds.cell.values, atol=1e-5)
    # by default: make_agent(arch, seed), the weights this agent started from
    initial = untrained_recording(ds)
    np.testing.assert_allclose(initial.hidden.values, ds.hidden.values, atol=1e-5)
    trained_like = ds.assign_attrs(agent_seed=3)
    other = untrained_recording(trained_like)
    assert not np.allclose(np.nan_to_num(other.hidden.values), np.nan_to_num(ds.hidden.values))
    result = decode(trained_like, control="untrained", n_splits=3)
    assert result.control == "untrained"
    assert np.isfinite(result.mean_error)


def test_paper_protocol_is_ridgecv_on_the_first_70_percent(planted_code):
    result = decode(planted_code, protocol="paper")
    assert result.scores[["n_train_trials", "n_test_trials"]].values.tolist() == [[84, 36]]
    assert isinstance(result.model, RidgeCV)
    assert tuple(result.model.alphas) == (0.1, 1.0, 10.0)
    tested = ~np.isnan(result.error.values)
    assert not tested[:84].any()


class SharedSpy(GroupKFold):
    """A grouped splitter whose record survives `clone` (searches clone their cv)."""

    record: list = []  # noqa: RUF012

    def split(self, X, y=None, groups=None):
        assert groups is not None, "groups did not reach the search's splitter"
        for train, test in super().split(X, y, groups):
            SharedSpy.record.append((set(groups[train]), set(groups[test])))
            yield train, test


class GroupSpy(RegressorMixin, BaseEstimator):
    """Records the groups its fit received (requests them through metadata routing)."""

    seen: list = []  # noqa: RUF012
    __metadata_request__fit = {"groups": True}  # noqa: RUF012

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y, groups=None):
        GroupSpy.seen.append(None if groups is None else len(np.unique(groups)))
        self.model_ = Ridge(alpha=self.alpha).fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_groups_reach_a_pipeline_and_a_search_through_metadata_routing(planted_code):
    GroupSpy.seen.clear()
    pipe = make_pipeline(StandardScaler(), GroupSpy())
    decode(planted_code, estimator=pipe, cv=3)
    assert len(GroupSpy.seen) == 4  # 3 folds and the refit
    assert all(n is not None for n in GroupSpy.seen)
    SharedSpy.record.clear()
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=SharedSpy(3))
    decode(planted_code, estimator=search, cv=4)
    assert len(SharedSpy.record) == 3 * 5  # inner folds of each of 4 outer fits and the refit
    for train, test in SharedSpy.record:
        assert not train & test


def test_cv_int_is_grouped_folds_and_leaking_splitters_are_refused(planted_code):
    result = decode(planted_code, cv=6)
    assert len(result.scores) == 6
    assert (result.scores["n_train_trials"] + result.scores["n_test_trials"] == 120).all()
    with pytest.raises(ValueError, match="both sides"):
        decode(planted_code, cv=KFold(5, shuffle=True, random_state=0))
    leaky = decode(planted_code, cv=KFold(5, shuffle=True, random_state=0),
                   allow_trial_leak=True)
    assert len(leaky.scores) == 5


def test_cross_condition_refuses_different_units(planted_code):
    relabelled = planted_code.assign_coords(unit=np.arange(30) + 100)
    with pytest.raises(ValueError, match="same units"):
        decode(planted_code.assign_coords(unit=np.arange(30)), test_ds=relabelled)
    assert isinstance(decode(planted_code, test_ds=planted_code).errors, xr.Dataset)


class RowwiseGroupedRidgeCV(GroupedRidgeCV):
    """`GroupedRidgeCV` fitted fold by fold on its rows (decode's general path): a
    subclass is not fitted from decode's shared sums."""


@pytest.fixture(scope="module")
def bundled_recording():
    from navdecode import load_pretrained

    return run_agent(load_pretrained("modular", 0), fixed_targets(150))


@pytest.mark.parametrize("data", ["random", "bundled"])
def test_decode_from_sums_equals_the_row_wise_decode_and_scikit_learn(data, planted_code,
                                                                     bundled_recording):
    from conftest import rowwise_grouped_ridge

    from navdecode.analysis.estimators import DEFAULT_ALPHAS
    from navdecode.recording.identity import trial_ids

    ds = planted_code if data == "random" else bundled_recording
    result = decode(ds)
    ti, si = np.nonzero(ds.valid.values)
    X = ds.hidden.values[ti, si].astype(float)
    y = np.stack([ds.pos_x.values[ti, si], ds.pos_y.values[ti, si]], axis=1).astype(float)
    groups = pd.factorize(trial_ids(ds))[0][ti]  # as decode numbers trials
    alphas = np.asarray(DEFAULT_ALPHAS)
    for train, test in GroupKFold(5).split(X, y, groups):
        alpha, _, coef, intercept = rowwise_grouped_ridge(X[train], y[train], groups[train],
                                                          alphas)
        expected = X[test] @ coef.T + intercept
        got = np.stack([result.predicted.pos_x.values[ti[test], si[test]],
                        result.predicted.pos_y.values[ti[test], si[test]]], axis=1)
        np.testing.assert_allclose(got, expected, atol=1e-6)  # cm
        reference = make_pipeline(StandardScaler(), Ridge(alpha=alpha)).fit(X[train], y[train])
        np.testing.assert_allclose(got, reference.predict(X[test]), atol=1e-6)
    assert result.model.alpha_ == rowwise_grouped_ridge(X, y, groups, alphas)[0]


@pytest.mark.parametrize("case", ["plain", "time", "shuffle", "cross", "custom cv"])
def test_shared_sums_equal_the_fold_by_fold_fit(case, bundled_recording):
    from sklearn.model_selection import GroupShuffleSplit

    ds = bundled_recording
    kwargs = {"control": case} if case in ("time", "shuffle") else {}
    if case == "cross":
        kwargs["test_ds"] = ds.isel(trial=slice(0, 60))
    if case == "custom cv":  # test sets overlap and do not cover the rows
        kwargs["cv"] = GroupShuffleSplit(n_splits=3, test_size=0.3, random_state=0)
    fast = decode(ds, **kwargs)
    slow = decode(ds, estimator=RowwiseGroupedRidgeCV(), **kwargs)
    np.testing.assert_allclose(fast.predicted.pos_x.values, slow.predicted.pos_x.values,
                               atol=1e-6, equal_nan=True)
    np.testing.assert_allclose(fast.error.values, slow.error.values, atol=1e-6,
                               equal_nan=True)
    assert fast.model.alpha_ == slow.model.alpha_
    np.testing.assert_allclose(fast.model.coef_, slow.model.coef_, rtol=1e-6, atol=1e-9)
    pd.testing.assert_frame_equal(fast.scores, slow.scores, rtol=1e-6)


def test_decode_each_equals_one_decode_per_target_set(bundled_recording):
    ds = bundled_recording
    sets = [("pos_x", "pos_y"), ("heading",), ("pos_x",)]  # pos_x twice: own penalties
    for kwargs in ({}, {"control": "shuffle", "seed": 3}, {"protocol": "tutorial"}):
        together = decode_each(ds, sets, **kwargs)
        for targets, result in zip(sets, together, strict=True):
            alone = decode(ds, targets, **kwargs)
            xr.testing.assert_allclose(result.errors, alone.errors)
            pd.testing.assert_series_equal(result.r2, alone.r2)
            assert repr(result.model) == repr(alone.model)
    with pytest.raises(TypeError, match="target_sets must be a non-empty sequence"):
        decode_each(ds, "pos_x")


def test_last_step_error_is_each_trials_last_finite_step():
    nan = np.nan
    err = np.array([[1.0, 2.0, 3.0, nan],     # last tested step 2
                    [4.0, nan, 5.0, 6.0],     # 3, a gap before it does not matter
                    [nan, nan, nan, nan],     # never tested
                    [7.0, nan, nan, nan]])    # 0
    errors = xr.Dataset({"pos": (("trial", "step"), err), "v": (("trial", "step"), -err)},
                        coords={"trial": [10, 11, 12, 13], "step": np.arange(4)})
    result = DecodingResult(predicted=xr.Dataset(), errors=errors, r2=pd.Series(dtype=float),
                            pearson_r=pd.Series(dtype=float), scores=pd.DataFrame(),
                            model=None, protocol="grouped")
    last = result.last_step_error("pos")
    np.testing.assert_array_equal(last.index, [10, 11, 12, 13])
    np.testing.assert_array_equal(last.values, [3.0, 6.0, nan, 7.0])
    np.testing.assert_array_equal(result.last_step_error("v").values, [-3.0, -6.0, nan, -7.0])
    with pytest.raises(ValueError, match="error groups"):
        result.last_step_error()
    with pytest.raises(ValueError, match="name='speed'"):
        result.last_step_error("speed")
    with pytest.raises(ValueError, match="name='speed'"):
        result.error_by_step("speed")
