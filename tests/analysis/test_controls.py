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


PERTURBED = nd.TaskConfig.perturbation_task()


@pytest.fixture(scope="module")
def perturbed_pair():
    agent = nd.load_pretrained("modular", 0)
    ds = nd.run_agent(agent, nd.fixed_targets(200), seed=0, config=PERTURBED)
    twin = nd.run_agent(agent, nd.fixed_targets(200), seed=0, config=PERTURBED,
                        perturbation=nd.perturbations_of(ds) * [0, 0, 1])
    return ds, twin


def test_the_two_perturbation_replays_agree_where_the_bump_ends_before_the_stop(
        perturbed_pair):
    from navdecode.analysis.controls import replay_perturbation

    ds, twin = perturbed_pair
    ours = replay_perturbation(ds, twin)
    paper = replay_perturbation(ds, twin, convention="paper")
    n, onset = twin["n_steps"].values, ds["perturb_onset"].values
    inside = (onset + PERTURBED.perturb_duration_steps + 1 <= n) & (n < PERTURBED.max_steps)
    apart = np.hypot(ours.stop_x.values - paper.stop_x.values,
                     ours.stop_y.values - paper.stop_y.values)
    assert inside.sum() > 20
    assert apart[inside].max() < 1e-3  # the same kinematics
    assert np.median(apart[~inside]) > 1.0  # the bump after the stop moves the paper's end
    assert ours.attrs["replay_convention"] == "navdecode"
    # the replay's bump is the trial's: its velocities differ from the twin's by it
    np.testing.assert_array_equal(ours["perturb_lin"].values, ds["perturb_lin"].values)


def test_the_paper_replay_reproduces_simulate_no_generalization_by_hand(perturbed_pair):
    """One hand-made trial through the paper's recipe: its actions times the gain, the
    bump added from onset (padding with zeros past the trial), every series shifted one
    step, heading and position integrated with cumulative sums."""
    from navdecode.analysis.controls import replay_perturbation

    ds, twin = perturbed_pair
    fake_ds, fake = ds.isel(trial=[0, 1]).copy(deep=True), twin.isel(trial=[0, 1]).copy(deep=True)
    n_steps, onset = 8, 3  # the stop at step 7; the bump runs to step 13, after it
    lin = np.full(fake["action_lin"].shape, np.nan)
    ang = np.full(fake["action_ang"].shape, np.nan)
    lin[:, :n_steps] = [0.5, 0.8, 1.0, 1.0, 0.9, 0.7, 0.4, 0.0]
    ang[:, :n_steps] = [0.0, 0.1, 0.2, 0.2, 0.1, 0.0, -0.1, 0.0]
    fake["action_lin"] = (("trial", "step"), lin)
    fake["action_ang"] = (("trial", "step"), ang)
    fake = fake.assign_coords(n_steps=("trial", [n_steps, n_steps]))
    fake_ds = fake_ds.assign_coords(perturb_lin=("trial", [150.0, -80.0]),
                                    perturb_ang=("trial", [40.0, 0.0]),
                                    perturb_onset=("trial", [onset, onset]))
    fake = fake.assign_coords(perturb_onset=("trial", [onset, onset]))
    got = replay_perturbation(fake_ds, fake, convention="paper")
    dt = PERTURBED.dt
    gauss = np.exp(-0.5 * ((np.arange(11) - 5) / 2.0) ** 2)
    for row, (peak_v, peak_w) in enumerate(((150.0, 40.0), (-80.0, 0.0))):
        sim_v = lin[row, :n_steps] * PERTURBED.gain_lin_cm_s
        sim_w = ang[row, :n_steps] * PERTURBED.gain_ang_deg_s
        size = max(onset + gauss.size, sim_v.size)
        sim_v = np.hstack([sim_v, np.zeros(size - sim_v.size)])
        sim_w = np.hstack([sim_w, np.zeros(size - sim_w.size)])
        sim_v[onset:onset + gauss.size] += peak_v * gauss
        sim_w[onset:onset + gauss.size] += peak_w * gauss
        sim_v, sim_w = np.hstack([0, sim_v])[:-1], np.hstack([0, sim_w])[:-1]
        head = np.hstack([90, np.cumsum(sim_w) * dt + 90])[:-1]
        x = np.hstack([0, np.cumsum(sim_v * np.cos(np.deg2rad(head))) * dt])[:-1]
        y = np.hstack([0, np.cumsum(sim_v * np.sin(np.deg2rad(head))) * dt])[:-1]
        assert got.stop_x.values[row] == pytest.approx(x[-1], abs=1e-9)
        assert got.stop_y.values[row] == pytest.approx(y[-1], abs=1e-9)
    target = np.hypot(got.stop_x - got.target_x, got.stop_y - got.target_y).values
    np.testing.assert_array_equal(got.rewarded.values, target < PERTURBED.reward_radius_cm)


def test_replay_perturbation_refuses_other_trials(perturbed_pair):
    from navdecode.analysis.controls import replay_perturbation

    ds, twin = perturbed_pair
    with pytest.raises(ValueError, match="convention"):
        replay_perturbation(ds, twin, convention="monkey")
    with pytest.raises(ValueError, match="same trials"):
        replay_perturbation(ds, twin.isel(trial=slice(0, 10)))
    plain = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(5))
    with pytest.raises(ValueError, match="perturbation"):
        replay_perturbation(plain, plain)
