import numpy as np
import pytest
from conftest import synthetic_dataset

from navdecode import fixed_targets, run_agent
from navdecode.metrics import path_curvature, session_metrics, trial_metrics, zero_intercept_slope


def test_zero_intercept_slope_of_y_equals_2x():
    x = np.linspace(1, 50, 30)
    assert zero_intercept_slope(x, 2 * x) == pytest.approx(2.0)
    assert zero_intercept_slope(np.r_[x, np.nan], np.r_[2 * x, 5.0]) == pytest.approx(2.0)


def test_straight_paths_have_zero_curvature_and_straightness_one():
    t = np.arange(12) * 10.0
    x = np.stack([0 * t, 0.5 * t, -0.3 * t])
    y = np.stack([t, t, t])
    ds = synthetic_dataset(x, y)
    table = trial_metrics(ds)
    np.testing.assert_allclose(table["curvature"], 0, atol=1e-12)
    np.testing.assert_allclose(table["straightness"], 1, atol=1e-12)
    np.testing.assert_allclose(table["path_length_cm"], np.hypot(x[:, -1], y[:, -1]))


@pytest.mark.parametrize("radius", [50.0, 200.0, 1000.0])
def test_circular_arc_has_the_analytic_curvature(radius):
    theta = np.linspace(0, np.pi / 2, 40)
    x, y = radius * (1 - np.cos(theta)), radius * np.sin(theta)
    kappa = path_curvature(x[None], y[None])
    assert kappa[0] == pytest.approx(1 / radius, rel=1e-2)


def test_curvature_drops_the_top_5_percent():
    t = np.linspace(0, 1, 41)
    x, y = 100 * t, 10 * np.sin(8 * t)
    kappa_all = path_curvature(x[None], y[None], drop_percentile=100.0)[0]
    kappa = path_curvature(x[None], y[None])[0]
    assert kappa < kappa_all


def test_overshoot_is_positive_when_the_path_goes_past_the_target():
    t = np.arange(12) * 40.0  # straight ahead to 440 cm
    ds = synthetic_dataset(t[None], np.stack([0 * t])[0][None] * 0 + t[None] * 0 + t[None],
                           targets=np.array([[0.0, 300.0]]))
    ds["pos_x"] = ds.pos_x * 0
    ds["stop_x"] = ds.stop_x * 0
    table = trial_metrics(ds)
    assert table["arc_length_cm"].iloc[0] == pytest.approx(300.0)
    assert table["overshoot_cm"].iloc[0] == pytest.approx(140.0)
    assert table["stop_error_cm"].iloc[0] == pytest.approx(140.0)


def test_arc_length_of_an_off_axis_target():
    # target on the circle of radius 100 tangent to +y at the origin, a quarter turn away
    ds = synthetic_dataset(np.array([[0.0, 100.0]]), np.array([[0.0, 100.0]]),
                           targets=np.array([[100.0, 100.0]]))
    assert trial_metrics(ds)["arc_length_cm"].iloc[0] == pytest.approx(np.pi / 2 * 100)


def test_session_metrics_on_a_recording(steering_actor):
    ds = run_agent(steering_actor, fixed_targets(50), noise=False)
    summary = session_metrics(ds)
    table = trial_metrics(ds)
    assert summary["reward_fraction"] == pytest.approx(ds.rewarded.mean().item())
    assert summary["time_spent_h"] == pytest.approx(ds.n_steps.sum().item() * 0.1 / 3600)
    assert summary["reward_rate"] == pytest.approx(ds.rewarded.sum().item()
                                                   / (ds.n_steps.sum().item() * 0.1))
    assert 0.8 < summary["traveled_slope"] < 1.2  # the scripted actor goes about the right way
    assert table["straightness"].between(0, 1 + 1e-9).all()
    assert len(table) == 50
