"""The target in the agent's frame: distances and angles against hand computations."""

import math

import numpy as np
import pytest
import scipy.stats
from conftest import synthetic_dataset

import navdecode as nd
from navdecode.analysis.target_frame import relative_to_target


def _two_steps(heading):
    # trial 0 walks (0, 0) -> (0, 100) towards (0, 200); trial 1 stands at (100, 0)
    # facing +y with its target at (0, 0) (behind-left of it)
    ds = synthetic_dataset([[0.0, 0.0], [100.0, 100.0]], [[0.0, 100.0], [0.0, 0.0]],
                           targets=np.array([[0.0, 200.0], [0.0, 0.0]]))
    return ds.assign(heading=(("trial", "step"), np.asarray(heading, float)))


def test_the_bearing_is_zero_straight_ahead_and_positive_to_the_left():
    ds = relative_to_target(_two_steps([[math.pi / 2] * 2, [math.pi / 2] * 2]))
    np.testing.assert_allclose(ds.target_distance.values, [[200, 100], [100, 100]])
    # straight ahead: 0; the target at (0, 0) seen from (100, 0) facing +y lies at 180 deg
    # in the world, 90 deg counter-clockwise of the agent's heading (to its left)
    np.testing.assert_allclose(ds.target_angle.values, [[0, 0], [90, 90]], atol=1e-12)
    turned = relative_to_target(_two_steps([[0.0, math.pi], [-math.pi / 2] * 2]))
    # facing +x the target straight up is 90 deg to the left; facing -x, 90 to the right;
    # facing -y from (100, 0), the target at 180 deg world is -90 deg (to the right)
    np.testing.assert_allclose(turned.target_angle.values, [[90, -90], [-90, -90]], atol=1e-12)


def test_the_papers_angle_is_its_formula():
    ds = relative_to_target(_two_steps([[math.pi / 2] * 2, [0.3, 0.3]]), convention="paper")
    h = np.array([[math.pi / 2] * 2, [0.3, 0.3]])
    x, y = np.array([[0.0, 0.0], [100.0, 100.0]]), np.array([[0.0, 100.0], [0.0, 0.0]])
    tx, ty = np.array([[0.0], [0.0]]), np.array([[200.0], [0.0]])
    by_hand = np.degrees(h - (np.arctan2(y, x) - np.arctan2(ty, tx)))
    np.testing.assert_allclose(ds.target_angle.values, by_hand)
    assert ds.target_angle.attrs["convention"] == "paper"


def test_ended_steps_are_nan_and_bad_input_is_refused():
    ds = synthetic_dataset([[0.0, np.nan]], [[0.0, np.nan]], targets=np.array([[0.0, 50.0]]))
    ds = ds.assign(heading=(("trial", "step"), [[math.pi / 2, np.nan]]))
    out = relative_to_target(ds)
    assert out.target_distance.values[0, 0] == 50.0
    assert np.isnan(out.target_angle.values[0, 1])
    with pytest.raises(ValueError, match="convention"):
        relative_to_target(ds, convention="egocentric")
    with pytest.raises(ValueError, match="heading"):
        relative_to_target(ds.drop_vars("heading"))
    metres = ds.assign(pos_x=ds.pos_x.assign_attrs(units="m"))
    with pytest.raises(ValueError, match="must be in cm"):
        relative_to_target(metres)


def test_decoding_scores_pearson_r_as_scipy_does():
    ds = relative_to_target(nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(80)))
    targets = ("vel_lin", "target_distance", "target_angle", "action_ang")
    result = nd.decode(ds, targets=targets, n_splits=4, refit=False)
    for name in targets:
        tested = ~np.isnan(result.predicted[name].values)
        expected = scipy.stats.pearsonr(ds[name].values[tested].astype(float),
                                        result.predicted[name].values[tested]).statistic
        assert result.pearson_r[name] == pytest.approx(expected, abs=1e-12)
    assert (result.pearson_r > 0.5).all()  # a trained agent carries all four
