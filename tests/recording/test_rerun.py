"""replay_inputs gives back what the network did on the recorded inputs."""

import numpy as np
import pytest
import torch

from navdecode import fixed_targets, load_pretrained, make_agent, run_agent
from navdecode.recording.rerun import replay_inputs


@pytest.fixture(scope="module")
def agent_and_recording():
    agent = load_pretrained("modular", 0)
    return agent, run_agent(agent, fixed_targets(6), seed=1)


def test_the_same_network_replays_its_recorded_actions_and_states(agent_and_recording):
    agent, ds = agent_and_recording
    out = replay_inputs(agent.actor, ds, states=True)
    valid = ds["valid"].transpose("trial", "step").values
    recorded = np.stack([ds["action_lin"].values, ds["action_ang"].values], axis=-1)
    assert np.abs(out["action"] - recorded)[valid].max() < 1e-5
    assert np.abs(out["hidden"] - ds["hidden"].values)[valid].max() < 1e-5
    assert np.abs(out["cell"] - ds["cell"].values)[valid].max() < 1e-5
    # tanh of the read-out is the action
    assert np.abs(np.tanh(out["preactivation"]) - out["action"])[valid].max() < 1e-6


def test_one_call_and_step_by_step_agree(agent_and_recording):
    agent, ds = agent_and_recording
    whole, stepped = replay_inputs(agent.actor, ds), replay_inputs(agent.actor, ds, states=True)
    assert np.allclose(whole["action"], stepped["action"], atol=1e-6)


def test_another_network_gives_other_states_and_the_actor_keeps_its_mode(agent_and_recording):
    _, ds = agent_and_recording
    fresh = make_agent("modular", seed=5).actor.train()
    out = replay_inputs(fresh, ds, states=True)
    assert fresh.training
    assert np.abs(out["hidden"] - ds["hidden"].values)[ds["valid"].values].max() > 1e-2


def test_bad_input_is_named(agent_and_recording):
    agent, ds = agent_and_recording
    with pytest.raises(TypeError, match=r"actor must be a torch\.nn\.Module"):
        replay_inputs(lambda x, s: (x, s), ds)
    with pytest.raises(ValueError, match="actor_input"):
        replay_inputs(agent.actor, ds.drop_vars("actor_input"))
    assert isinstance(agent.actor, torch.nn.Module)


@pytest.mark.parametrize("arch", ["modular", "holistic"])
def test_states_alone_step_the_lstm_on_running_trials_with_the_same_values(arch):
    import navdecode as nd
    from navdecode.recording.rerun import replay_inputs

    ds = nd.run_agent(nd.load_pretrained(arch, 1), nd.fixed_targets(120))
    actor = nd.make_agent(arch, seed=1).actor
    alone = replay_inputs(actor, ds, states=True, actions=False)
    full = replay_inputs(actor, ds, states=True)
    valid = ds.valid.values
    assert set(alone) == {"hidden", "cell"}
    for name in ("hidden", "cell"):
        np.testing.assert_array_equal(alone[name][valid], full[name][valid])
        assert np.isnan(alone[name][~valid]).all()
    with pytest.raises(ValueError, match="computes nothing"):
        replay_inputs(actor, ds, states=False, actions=False)
