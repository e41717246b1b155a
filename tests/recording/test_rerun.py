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


def test_mlp_units_are_the_relu_layers_by_hand():
    from navdecode.recording.rerun import mlp_units

    agent = make_agent("modular", seed=2)
    ds = run_agent(agent, fixed_targets(5))
    x = torch.as_tensor(np.nan_to_num(ds["actor_input"].values[1]), dtype=torch.float32)
    with torch.no_grad():
        h, _ = agent.actor.rnn(x[:, None])
        u1 = torch.relu(agent.actor.l1(h))[:, 0].numpy()
        u2 = torch.relu(agent.actor.l2(torch.relu(agent.actor.l1(h))))[:, 0].numpy()
    np.testing.assert_allclose(mlp_units(agent.actor, ds, 1)[1], u1, atol=1e-6)
    np.testing.assert_allclose(mlp_units(agent.actor, ds, 2)[1], u2, atol=1e-6)
    assert (mlp_units(agent.actor, ds, 1) >= 0).all()  # after the ReLU
    with pytest.raises(ValueError, match="has 2 MLP layers"):
        mlp_units(agent.actor, ds, 3)
    holistic = make_agent("holistic", seed=0)
    with pytest.raises(ValueError, match="no MLP layer"):
        mlp_units(holistic.actor, ds, 1)
    with pytest.raises(TypeError, match="RecurrentActor"):
        mlp_units(agent, ds, 1)


def test_with_units_replaces_the_state_and_keeps_the_rest():
    from navdecode import decode
    from navdecode.recording.rerun import mlp_units, with_units

    agent = make_agent("modular", seed=2)
    ds = run_agent(agent, fixed_targets(30))
    out = with_units(ds, mlp_units(agent.actor, ds, 1), "actor MLP layer 1")
    assert out.sizes["unit"] == 300
    assert "cell" not in out
    assert out.attrs["units_of"] == "actor MLP layer 1"
    assert np.isnan(out["hidden"].values[~ds["valid"].values]).all()
    np.testing.assert_array_equal(out["pos_x"].values, ds["pos_x"].values)
    assert np.isfinite(decode(out, n_splits=3).mean_error)
    with pytest.raises(ValueError, match="shape"):
        with_units(ds, np.zeros((30, 4, 2)), "wrong")
