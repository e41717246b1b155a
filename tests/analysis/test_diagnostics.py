import numpy as np
import pytest
import torch

from navdecode import actor_saturation, fixed_targets, make_agent, pinned_fraction, run_agent
from navdecode.task.config import TaskConfig
from navdecode.training.config import TrainConfig
from navdecode.training.loop import validate


def test_preactivation_is_what_forward_squashes():
    actor = make_agent("modular", seed=0).actor
    x = torch.randn(7, 3, 6)
    z, _ = actor.preactivation(x)
    action, _ = actor(x)
    torch.testing.assert_close(torch.tanh(z), action)


def test_fresh_actor_is_unsaturated_and_a_blown_up_readout_is_saturated():
    agent = make_agent("modular", seed=0)
    targets = fixed_targets(30)
    fresh = actor_saturation(agent, run_agent(agent, targets, noise=False))
    assert fresh["component"].tolist() == ["action_lin", "action_ang"]
    assert (fresh["saturated_fraction"] == 0).all()
    assert (fresh["mean_abs_preactivation"] < 3).all()
    with torch.no_grad():
        agent.actor.l3.bias.fill_(40.0)  # pins both actions at +1 from the first step
    stuck = actor_saturation(agent.actor, run_agent(agent, targets, noise=False))
    np.testing.assert_allclose(stuck["saturated_fraction"], 1.0)
    assert (stuck["mean_abs_preactivation"] > 30).all()


def test_validation_reports_the_saturated_fraction():
    agent = make_agent("holistic", seed=1)
    config = TrainConfig(arch="holistic", n_validation=20)
    table = validate(agent.actor, config, TaskConfig())
    assert table.attrs["saturated"] == 0.0
    with torch.no_grad():
        agent.actor.l1.bias.fill_(-50.0)
    assert validate(agent.actor, config, TaskConfig()).attrs["saturated"] == 1.0


def test_pinned_fraction_by_hand():
    ds = run_agent(make_agent("modular", seed=0), fixed_targets(2), noise=False)
    lin = np.zeros(ds["action_lin"].shape)
    ang = np.zeros(ds["action_ang"].shape)
    valid = np.zeros(lin.shape, dtype=bool)
    valid[0, :4] = valid[1, :2] = True  # 6 valid steps; a padded step never counts
    lin[0, :4], ang[0, :4] = [0.96, -1.0, 0.5, 0.95], [-0.99, 0.97, 1.0, -0.95]
    lin[1, :2], ang[1, :2] = [1.0, 0.2], [0.94, 0.99]
    lin[0, 5], ang[0, 5] = 1.0, 1.0  # pinned but past the trial's end
    ds = ds.assign(action_lin=(ds["action_lin"].dims, lin),
                   action_ang=(ds["action_ang"].dims, ang), valid=(ds["valid"].dims, valid))
    # both |a| >= 0.95 at steps (0,0), (0,1), (0,3): 3 of 6
    assert pinned_fraction(ds) == pytest.approx(3 / 6)
    assert pinned_fraction(ds, level=0.5) == pytest.approx(5 / 6)  # (0,2) and (1,0) join
    with pytest.raises(ValueError, match="level"):
        pinned_fraction(ds, level=1.5)
    with pytest.raises(TypeError, match="ds"):
        pinned_fraction("data")


def test_validation_reports_the_pinned_fraction_which_the_penalty_cannot_hide():
    agent = make_agent("modular", seed=0)
    config = TrainConfig(n_validation=20)
    assert validate(agent.actor, config, TaskConfig()).attrs["pinned"] == 0.0
    with torch.no_grad():  # read-out at z = 2.5 on both actions: tanh 0.987, under |z| = 3
        agent.actor.l3.weight.zero_()
        agent.actor.l3.bias.fill_(2.5)
    table = validate(agent.actor, config, TaskConfig())
    assert table.attrs["saturated"] == 0.0
    assert table.attrs["pinned"] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"actor": "net"}, TypeError, "actor"),
     ({"ds": "data"}, TypeError, "ds"),
     ({"threshold": 0.0}, ValueError, "threshold")],
)
def test_bad_input(kwargs, error, match):
    agent = make_agent("modular", seed=0)
    args = {"actor": agent, "ds": run_agent(agent, fixed_targets(3)), **kwargs}
    with pytest.raises(error, match=match):
        actor_saturation(**args)
