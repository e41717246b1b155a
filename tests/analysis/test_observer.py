"""The ideal observer: exact when a noise is off, calibrated when both are on."""

from dataclasses import replace

import numpy as np
import pytest

import navdecode as nd
from navdecode.analysis.observer import ideal_observer


@pytest.mark.parametrize(("process", "observation"), [(True, False), (False, True)])
def test_with_one_noise_off_the_belief_is_the_truth(process, observation):
    config = replace(nd.TaskConfig(), process_noise=process, obs_noise=observation)
    ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(60), config=config)
    belief = ideal_observer(ds)
    assert float(belief.observer_error.max()) < 1e-2  # cm, float32 recordings
    np.testing.assert_array_equal(np.isnan(belief.belief_x), ~ds.valid.values)


def test_with_both_noises_the_covariance_is_calibrated():
    ds = nd.run_agent(nd.load_pretrained("holistic", 1), nd.fixed_targets(400), seed=3)
    belief = ideal_observer(ds)
    var = belief.belief_var_x.where(belief.belief_var_x > 1e-6)
    z2 = ((belief.belief_x - ds.pos_x) ** 2 / var).values
    assert np.nanmean(z2) == pytest.approx(1.0, abs=0.15)  # squared z-scores average 1
    # the filter beats dead reckoning from the actions alone
    assert float(belief.observer_error.mean()) < 20.0


def test_observer_needs_the_inputs():
    ds = nd.run_agent(nd.make_agent("modular"), nd.fixed_targets(3))
    with pytest.raises(ValueError, match="ideal_observer"):
        ideal_observer(ds.drop_vars("actor_input"))


def test_with_both_noises_off_the_belief_is_the_truth_to_a_thousandth_of_a_cm():
    ds = nd.run_agent(nd.load_pretrained("holistic", 0), nd.fixed_targets(60), noise=False)
    assert float(ideal_observer(ds).observer_error.max()) < 1e-3


def test_on_a_straight_line_it_is_a_plain_kalman_filter():
    # straight ahead (no turning observed or commanded): the (y, v) part of the EKF is
    # linear and decoupled from heading, so it must equal a 2-state Kalman filter
    config = nd.TaskConfig()
    ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(8), seed=4)
    ds["action_ang"] = ds.action_ang * 0
    inputs = ds.actor_input.values.copy()
    inputs[..., 1] = 0.0
    ds["actor_input"] = (ds.actor_input.dims, inputs)
    belief = ideal_observer(ds)
    g = config.gain_model[0] * ds.gain.values
    q, r, dt = (config.process_noise_std * g) ** 2, (config.obs_noise_std * g) ** 2, config.dt
    for i in range(ds.sizes["trial"]):
        mean, cov = np.zeros(2), np.zeros((2, 2))  # (y, v), model units
        for t in range(int(ds.n_steps[i]) - 1):
            f = np.array([[1.0, dt], [0.0, 0.0]])
            mean = np.array([mean[0] + mean[1] * dt, g[i] * ds.action_lin.values[i, t]])
            cov = f @ cov @ f.T + np.diag([0.0, q[i]])
            k = cov[:, 1] / (cov[1, 1] + r[i] + 1e-12)
            mean = mean + k * (inputs[i, t + 1, 0] - mean[1])
            cov = cov - np.outer(k, cov[1])
            unit = config.length_unit_cm
            assert belief.belief_y.values[i, t + 1] == pytest.approx(mean[0] * unit, abs=1e-6)
            assert belief.belief_var_y.values[i, t + 1] == pytest.approx(cov[0, 0] * unit**2,
                                                                         rel=1e-6, abs=1e-9)


def test_told_the_perturbation_the_filter_trusting_its_model_is_exact_and_untold_it_is_not():
    # no process noise: the filter trusts its prediction (the Kalman gain on velocity is
    # 0), so its belief is the truth exactly when the prediction includes the bump
    config = nd.TaskConfig.perturbation_task(process_noise=False)
    ds = nd.run_agent(nd.load_pretrained("modular", 0), nd.fixed_targets(80), config=config)
    told = ideal_observer(ds, knows_perturbation=True)
    untold = ideal_observer(ds)
    assert float(told.observer_error.max()) < 1e-2  # cm, float32 recordings
    last = ds.valid.values.sum(axis=1) - 1
    end_error = untold.observer_error.values[np.arange(len(last)), last]
    big = np.hypot(ds.perturb_lin.values, ds.perturb_ang.values) > 115
    assert big.sum() > 10
    assert float(np.median(end_error[big])) > 5.0  # cm: dead reckoning without the bump


def test_told_the_perturbation_it_is_closer_on_the_noisy_task():
    ds = nd.run_agent(nd.load_pretrained("holistic", 1), nd.fixed_targets(300),
                      config=nd.TaskConfig.perturbation_task())
    told = float(ideal_observer(ds, knows_perturbation=True).observer_error.mean())
    assert told < float(ideal_observer(ds).observer_error.mean())


def test_knows_perturbation_needs_the_perturbation_task():
    ds = nd.run_agent(nd.make_agent("modular"), nd.fixed_targets(3))
    with pytest.raises(ValueError, match="perturb_lin"):
        ideal_observer(ds, knows_perturbation=True)
    with pytest.raises(TypeError, match="knows_perturbation"):
        ideal_observer(ds, knows_perturbation="yes")
