"""Controls: the no-adaptation replay."""

import numpy as np
import pytest

import navdecode as nd
from navdecode.analysis.controls import replay_actions


def test_replay_at_the_same_gain_without_noise_reproduces_the_trials():
    ds = nd.run_agent(nd.load_pretrained("modular", 1), nd.fixed_targets(40), noise=False)
    again = replay_actions(ds, gain=1.0, noise=False)
    np.testing.assert_array_equal(again.n_steps.values, ds.n_steps.values)
    np.testing.assert_allclose(again.pos_x.values, ds.pos_x.values, atol=1e-3)
    np.testing.assert_allclose(again.stop_y.values, ds.stop_y.values, atol=1e-3)
    np.testing.assert_array_equal(again.rewarded.values, ds.rewarded.values)
    assert again.attrs["control"] == "replay"
    assert "hidden" not in again


def test_replay_of_straight_actions_at_double_gain_goes_twice_as_far():
    ds = nd.run_agent(nd.load_pretrained("holistic", 0), nd.fixed_targets(10), noise=False)
    ds["action_ang"] = ds.action_ang * 0  # straight ahead: positions scale with the gain
    one, two = (replay_actions(ds, gain=g, noise=False) for g in (1.0, 2.0))
    np.testing.assert_allclose(two.stop_y.values, 2 * one.stop_y.values, rtol=1e-5)


def test_replay_needs_actions():
    ds = nd.run_agent(nd.make_agent("modular"), nd.fixed_targets(3))
    with pytest.raises(ValueError, match="replay_actions"):
        replay_actions(ds.drop_vars("action_lin"))
    with pytest.raises(TypeError, match="config"):
        replay_actions(ds, config={"dt": 0.1})
