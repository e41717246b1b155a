"""The ideal observer: exact when a noise is off, calibrated when both are on."""

from dataclasses import replace

import numpy as np
import pytest

import navdecode as nd
from navdecode.observer import ideal_observer


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
