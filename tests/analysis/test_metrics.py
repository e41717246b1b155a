import math

import numpy as np
import pytest
from conftest import synthetic_dataset

from navdecode import fixed_targets, run_agent
from navdecode.analysis.metrics import (
    path_curvature,
    pooled_max_radius,
    session_metrics,
    signed_radial_error,
    trial_metrics,
    zero_intercept_slope,
)


def test_zero_intercept_slope_of_y_equals_2x():
    x = np.linspace(1, 50, 30)
    assert zero_intercept_slope(x, 2 * x) == pytest.approx(2.0)
    assert zero_intercept_slope(np.r_[x, np.nan], np.r_[2 * x, 5.0]) == pytest.approx(2.0)


def hand_curvature(x, y):
    """The paper's per-trial recipe, written out with numpy on one unpadded path."""
    dx, dy = np.gradient(x), np.gradient(y)
    ddx, ddy = np.gradient(dx), np.gradient(dy)
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.abs(dx * ddy - dy * ddx) / (dx**2 + dy**2) ** 1.5
    k = k[~np.isnan(k)]
    if k.size == 0:
        return math.nan
    k = k[k < np.percentile(k, 95)]
    return float(k.mean()) if k.size else math.nan


def random_paths(n_trials=40, n_steps=35, seed=0):
    rng = np.random.default_rng(seed)
    heading = np.pi / 2 + np.cumsum(rng.normal(0, 0.3, (n_trials, n_steps)), axis=1)
    speed = rng.uniform(0, 30, (n_trials, n_steps))
    x = np.cumsum(speed * np.cos(heading), axis=1)
    y = np.cumsum(speed * np.sin(heading), axis=1)
    lengths = rng.integers(3, n_steps + 1, n_trials)
    pad = np.arange(n_steps)[None] >= lengths[:, None]
    return np.where(pad, np.nan, x), np.where(pad, np.nan, y), lengths


def test_curvature_of_each_trial_is_the_formula_on_its_own_samples():
    x, y, lengths = random_paths()
    ds = synthetic_dataset(x, y)
    got = trial_metrics(ds)["curvature"].to_numpy()
    want = [hand_curvature(x[i, :n], y[i, :n]) for i, n in enumerate(lengths)]
    np.testing.assert_allclose(got, want, rtol=1e-9)
    # padding never enters: the same paths with more NaN steps give the same values
    wider = np.pad(x, [(0, 0), (0, 7)], constant_values=np.nan)
    wider_y = np.pad(y, [(0, 0), (0, 7)], constant_values=np.nan)
    np.testing.assert_allclose(path_curvature(wider, wider_y), want, rtol=1e-9)


@pytest.mark.parametrize("radius", [50.0, 200.0, 1000.0])
def test_circular_arc_has_curvature_one_over_radius(radius):
    # evenly spaced samples: every interior kappa is exactly 1/R (central differences of
    # cos and sin are scaled cos and sin); only the 4 samples at the one-sided ends differ
    theta = np.linspace(0, np.pi / 2, 400)
    x, y = radius * (1 - np.cos(theta)), radius * np.sin(theta)
    kappa = path_curvature(x[None], y[None])
    assert kappa[0] == pytest.approx(1 / radius, rel=1e-2)


@pytest.mark.parametrize(("x", "y"), [
    ([5.0, 5.0, 5.0, 5.0], [1.0, 1.0, 1.0, 1.0]),  # stationary
    ([0.0, 3.0], [0.0, 4.0]),  # two samples
    ([0.0], [0.0]),  # one sample
    ([0.0, 0.0, 0.0, 0.0], [0.0, 10.0, 20.0, 30.0]),  # exactly straight: none below the 95th
])
def test_degenerate_paths_have_no_curvature(x, y):
    assert np.isnan(path_curvature(np.array([x]), np.array([y]))[0])


def test_curvature_drops_the_top_5_percent():
    t = np.linspace(0, 1, 41)
    x, y = 100 * t, 10 * np.sin(8 * t)
    kappa_all = path_curvature(x[None], y[None], drop_percentile=100.0)[0]
    kappa = path_curvature(x[None], y[None])[0]
    assert kappa < kappa_all


def test_curvature_refuses_gaps_inside_a_path():
    with pytest.raises(ValueError, match="NaN-padded"):
        path_curvature(np.array([[0.0, np.nan, 2.0]]), np.array([[0.0, 1.0, 2.0]]))


def paper_arc(x, y):
    d = math.hypot(x, y)
    if x == 0:
        return d
    r = d**2 / (2 * x)
    return 2 * r * math.asin(d / (2 * r))


@pytest.mark.parametrize(("stop", "sign"), [
    ((0.0, 250.0), -1),  # short, straight ahead
    ((0.0, 360.0), 1),  # long, straight ahead
    ((-50.0, 300.0), 1),  # left of the target at its depth: a longer arc
    ((60.0, 240.0), -1),  # right and short
])
def test_signed_error_on_hand_placed_stops(stop, sign):
    target = (0.0, 300.0)
    distance = math.hypot(stop[0] - target[0], stop[1] - target[1])
    assert (paper_arc(*stop) < paper_arc(*target)) == (sign < 0)
    got = signed_radial_error([stop[0]], [stop[1]], [target[0]], [target[1]])[0]
    assert got == pytest.approx(sign * distance, rel=1e-12)
    ds = synthetic_dataset(np.array([[0.0, stop[0]]]), np.array([[0.0, stop[1]]]),
                           targets=np.array([target]))
    assert trial_metrics(ds)["signed_error_cm"].iloc[0] == pytest.approx(sign * distance)


def test_path_minus_arc_keeps_its_own_name():
    t = np.arange(12) * 40.0  # straight ahead to 440 cm
    ds = synthetic_dataset(0 * t[None], t[None], targets=np.array([[0.0, 300.0]]))
    table = trial_metrics(ds)
    assert table["arc_length_cm"].iloc[0] == pytest.approx(300.0)
    assert table["path_minus_arc_cm"].iloc[0] == pytest.approx(140.0)
    assert table["signed_error_cm"].iloc[0] == pytest.approx(140.0)
    assert "overshoot_cm" not in table


def test_arc_length_of_an_off_axis_target():
    # target on the circle of radius 100 tangent to +y at the origin, a quarter turn away
    ds = synthetic_dataset(np.array([[0.0, 100.0]]), np.array([[0.0, 100.0]]),
                           targets=np.array([[100.0, 100.0]]))
    assert trial_metrics(ds)["arc_length_cm"].iloc[0] == pytest.approx(np.pi / 2 * 100)


def test_time_spent_and_reward_rate_on_a_hand_made_recording():
    # three trials with 3, 5 and 10 recorded positions: (2 + 4 + 9) steps of 0.1 s
    n_steps = 10
    lengths = [3, 5, 10]
    y = np.array([[10.0 * j if j < n else np.nan for j in range(n_steps)] for n in lengths])
    targets = np.array([[0.0, 20.0], [0.0, 500.0], [0.0, 90.0]])  # trials 0 and 2 rewarded
    ds = synthetic_dataset(0 * y, y, targets=targets)
    table = trial_metrics(ds)
    np.testing.assert_allclose(table["duration_s"], [0.2, 0.4, 0.9])
    summary = session_metrics(ds)
    assert summary["time_spent_h"] == pytest.approx(1.5 / 3600)
    assert summary["reward_rate"] == pytest.approx(2 / 1.5)
    assert summary["reward_fraction"] == pytest.approx(2 / 3)


def test_a_timeout_ends_where_its_last_action_took_it():
    y = np.array([[0.0, 10.0, 20.0]])
    ds = synthetic_dataset(0 * y, y, stopped=False, targets=np.array([[0.0, 100.0]]))
    ds["stop_y"] = ds.stop_y + 10.0  # the position after the last recorded action
    table = trial_metrics(ds)
    assert table["path_length_cm"].iloc[0] == pytest.approx(30.0)
    assert table["signed_error_cm"].iloc[0] == pytest.approx(-70.0)


def test_session_metrics_on_a_recording(steering_actor):
    ds = run_agent(steering_actor, fixed_targets(50), noise=False)
    summary = session_metrics(ds)
    table = trial_metrics(ds)
    total_s = (ds.n_steps.sum().item() - 50) * 0.1
    assert summary["reward_fraction"] == pytest.approx(ds.rewarded.mean().item())
    assert summary["time_spent_h"] == pytest.approx(total_s / 3600)
    assert summary["reward_rate"] == pytest.approx(ds.rewarded.sum().item() / total_s)
    assert 0.8 < summary["traveled_slope"] < 1.2  # the scripted actor goes about the right way
    assert table["straightness"].between(0, 1 + 1e-9).all()
    assert len(table) == 50


def test_roc_auc_is_one_for_perfect_stops_and_a_half_when_ends_ignore_targets():
    from navdecode.analysis.metrics import roc_auc

    targets = np.array([[0.0, 100.0], [50.0, 200.0], [-80.0, 300.0], [20.0, 150.0]])
    perfect = synthetic_dataset(targets[:, :1] * np.ones((1, 2)),
                                targets[:, 1:] * np.ones((1, 2)), targets=targets)
    auc, curve = roc_auc(perfect, seed=5)
    assert auc == pytest.approx(1.0)  # the shuffle never leaves a trial its own target
    assert curve["fraction_correct"].iloc[0] == 1.0
    assert curve["fraction_shuffled"].iloc[0] == 0.0
    # every trial ends at the origin: own and shuffled distances are the same multiset
    still = synthetic_dataset(np.zeros((4, 2)), np.zeros((4, 2)), targets=targets)
    auc, curve = roc_auc(still, seed=3)
    assert auc == pytest.approx(0.5)
    np.testing.assert_allclose(curve["fraction_correct"], curve["fraction_shuffled"])


def test_roc_auc_by_hand():
    from navdecode.analysis.metrics import roc_auc

    # two trials: ends 10 and 30 cm from their own targets, 100 and 120 from the other's
    targets = np.array([[0.0, 100.0], [0.0, 200.0]])
    ends = np.array([[0.0, 110.0], [0.0, 170.0]])
    ds = synthetic_dataset(np.c_[np.zeros(2), ends[:, 0]], np.c_[np.zeros(2), ends[:, 1]],
                           targets=targets)
    auc, curve = roc_auc(ds, seed=0)  # two trials: each gets the other's target
    # y = 1/2 from r=10 and 1 from r=30; x = 1/2 from r=60 (110 vs 200 is 90; 170 vs 100
    # is 70 -> 1/2 at 70, 1 at 90): y reaches 1 before x leaves 0, so the area is 1
    assert auc == pytest.approx(1.0)
    assert curve["radius_cm"].iloc[1] - curve["radius_cm"].iloc[0] == 1.0


def test_the_paper_s_auc_recipe_by_hand():
    from navdecode.analysis.metrics import roc_auc

    # own distances 1.5, 0.5, 2.5 cm; seed 0 permutes the targets as [2, 0, 1], so the
    # shuffled distances are |(0, 1.5) - (20, 0)| = 20.06, |(10, .5) - (0, 0)| = 10.01, 12.5
    assert np.random.default_rng(0).permutation(3).tolist() == [2, 0, 1]
    targets = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 0.0]])
    ends = np.array([[0.0, 1.5], [10.0, 0.5], [22.5, 0.0]])
    ds = synthetic_dataset(np.c_[np.zeros(3), ends[:, 0]], np.c_[np.zeros(3), ends[:, 1]],
                           targets=targets)
    # the grid stops at floor(2.5) = 2 cm: x stays 0, so the area is 0 (this recording's
    # own largest error: the inverted metric the pooled radius is required against)
    assert pooled_max_radius([ds]) == pytest.approx(2.5)
    auc, curve = roc_auc(ds, seed=0, grid="paper", max_radius_cm=pooled_max_radius([ds]))
    assert curve["radius_cm"].tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(curve["fraction_correct"], [0, 1 / 3, 2 / 3])
    assert auc == 0.0
    # pooled with a worse recording, R = 12.9: radii 0-12; x = 1/3 from r = 11 (10.01 < 11)
    # while y = 1 from r = 3: the one step with dx = 1/3 has y = 1 at both ends, area 1/3
    auc, curve = roc_auc(ds, seed=0, grid="paper", max_radius_cm=12.9)
    assert len(curve) == 13
    assert auc == pytest.approx(1 / 3)
    # navdecode's grid runs on to (1, 1): y reaches 1 before x leaves 0, so the area is 1
    assert roc_auc(ds, seed=0)[0] == pytest.approx(1.0)
    # the shuffle is numpy's Generator.shuffle of the target rows
    moved = targets.copy()
    np.random.default_rng(0).shuffle(moved, axis=0)
    np.testing.assert_array_equal(moved, targets[[2, 0, 1]])
    with pytest.raises(ValueError, match="grid must be one of"):
        roc_auc(ds, grid="rliable")
    with pytest.raises(ValueError, match="grid='paper'"):
        roc_auc(ds, max_radius_cm=10.0)
    with pytest.raises(ValueError, match="needs max_radius_cm"):
        roc_auc(ds, grid="paper")
    with pytest.raises(ValueError, match="a few hundred cm"):
        roc_auc(ds, grid="paper", max_radius_cm=1e9)
    with pytest.raises(ValueError, match="steps by 1 cm"):
        roc_auc(ds, grid="paper", max_radius_cm=12.9, step_cm=0.5)


def test_a_foreign_task_gets_its_end_point_units_and_no_firefly_geometry():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "recording"))
    from test_recorder import Drift2D, TinyGRU

    import navdecode as nd

    ds = nd.record(TinyGRU(), Drift2D(), n_trials=6, seed=1,
                   info_vars={"pos_x": "x", "pos_y": "y"}, units={"pos_x": "m", "pos_y": "m"},
                   trial_vars={"target_x": "goal_x"}, dt=0.5, label="gru", agent_id="g0")
    ds = ds.assign_coords(target_y=("trial", np.zeros(6)), rewarded=("trial", ds["stopped"].values))
    table = nd.trial_metrics(ds)
    last = ds["n_steps"].values - 1
    x = ds["pos_x"].values[np.arange(6), last]
    y = ds["pos_y"].values[np.arange(6), last]
    np.testing.assert_allclose(table["traveled_r"], np.hypot(x, y), rtol=1e-6)
    assert "stop_error_m" in table.columns
    assert not any(c.endswith("_cm") for c in table.columns)
    assert "signed_error_m" not in table.columns
    assert "firefly" in table.attrs["left_out"]
    assert table.attrs["length_unit"] == "m"
    assert table.attrs["end_position"].startswith("the last valid position")


@pytest.mark.parametrize("percentile", [0.0, 12.5, 50.0, 95.0, 100.0])
def test_row_percentiles_are_numpys_bit_for_bit(percentile):
    from navdecode.analysis.metrics import nan_percentile_rows

    rng = np.random.default_rng(4)
    values = rng.exponential(size=(400, 30))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[:, 0] = rng.exponential(size=400)  # every row has a finite value
    values[5, 1:] = np.nan  # and one has only one
    values[6] = 2.0  # and one is constant
    np.testing.assert_array_equal(nan_percentile_rows(values, percentile),
                                  np.nanpercentile(values, percentile, axis=1))


def test_angular_slope_and_the_fits_r_by_hand():
    """Three trials, ends chosen so that the angles are round numbers: targets at 0, +30
    and -45 degrees (left positive), ends at 0, +20 and -30 degrees. By hand: the
    zero-intercept slope is (0*0 + 30*20 + 45*30) / (0 + 30^2 + 45^2) = 1950 / 2925 = 2/3,
    and the fit's prediction (2/3) x is exactly proportional to x, so its r is r(x, y)."""
    from navdecode.analysis.metrics import session_metrics, trial_metrics

    def at(deg, r):  # a point at `deg` left of straight ahead (+y), distance r
        rad = np.radians(deg + 90.0)
        return r * np.cos(rad), r * np.sin(rad)

    targets = np.array([at(0, 300), at(30, 200), at(-45, 250)])
    ends = np.array([at(0, 240), at(20, 220), at(-30, 200)])
    pos_x = np.stack([np.zeros(3), ends[:, 0]], axis=1)
    pos_y = np.stack([np.zeros(3), ends[:, 1]], axis=1)
    ds = synthetic_dataset(pos_x, pos_y, targets=targets)
    table = trial_metrics(ds)
    np.testing.assert_allclose(table["target_angle_deg"], [0, 30, -45], atol=1e-9)
    np.testing.assert_allclose(table["traveled_angle_deg"], [0, 20, -30], atol=1e-9)
    summary = session_metrics(ds)
    assert summary["angular_slope"] == pytest.approx(2 / 3)
    x, y = np.array([0, 30, -45.0]), np.array([0, 20, -30.0])
    r = np.sum((x - x.mean()) * (y - y.mean())) / np.sqrt(
        np.sum((x - x.mean()) ** 2) * np.sum((y - y.mean()) ** 2))
    assert summary["angular_slope_r"] == pytest.approx(r)
    assert summary["angular_slope_r"] == pytest.approx(1.0)  # here y = (2/3) x exactly
    # the radial fit: traveled 240, 220, 200 against targets 300, 200, 250
    tr, dr = np.array([300, 200, 250.0]), np.array([240, 220, 200.0])
    k = (tr @ dr) / (tr @ tr)
    assert summary["traveled_slope"] == pytest.approx(k)
    assert summary["traveled_slope_r"] == pytest.approx(np.corrcoef(k * tr, dr)[0, 1])
    assert summary["traveled_slope_r"] == pytest.approx(np.corrcoef(tr, dr)[0, 1])


def test_strong_perturbations_are_the_papers_norm_above_115():
    import navdecode as nd
    from navdecode.analysis.metrics import strong_perturbations

    ds = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(200), seed=1,
                      config=nd.TaskConfig.perturbation_task())
    lin, ang = ds.perturb_lin.values, ds.perturb_ang.values
    by_hand = np.array([(a * a + b * b) ** 0.5 > 115 for a, b in zip(lin, ang, strict=True)])
    np.testing.assert_array_equal(strong_perturbations(ds), by_hand)
    assert 0 < by_hand.sum() < by_hand.size
    assert not strong_perturbations(ds, threshold=1e6).any()
    with pytest.raises(ValueError, match="perturb_lin"):
        strong_perturbations(nd.run_agent(nd.make_agent("modular"), nd.fixed_targets(3)))
