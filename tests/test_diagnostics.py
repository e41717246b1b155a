import numpy as np
import pytest
import torch

from navdecode import actor_saturation, fixed_targets, make_agent, run_agent
from navdecode.config import TaskConfig
from navdecode.train import validate
from navdecode.train_config import TrainConfig


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
