import numpy as np
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GroupKFold

from navdecode.decoding import decode


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
