import numpy as np
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
from navdecode.analysis.decoding import decode


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
