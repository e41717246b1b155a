import numpy as np
import pytest
import torch

from navdecode import decode, fixed_targets, load_pretrained, make_agent, run_agent
from navdecode.agents.networks import RecurrentCritic
from navdecode.analysis.critic import critic_recording, critic_summary, critic_values


class StepCritic(RecurrentCritic):
    """Q_t = t + 1 at every step: a critic whose TD errors are known by hand."""

    trained = True  # a hand-made critic, as good as a trained one for these tests

    def forward(self, x, action):
        steps = torch.arange(1, x.shape[0] + 1, dtype=x.dtype)
        return steps[:, None, None].expand(x.shape[0], x.shape[1], 1)


@pytest.fixture(scope="module")
def recording():
    return run_agent(load_pretrained("Actor1Critic5", 1), fixed_targets(60), seed=1)


def test_td_errors_by_hand(recording):
    values = critic_values(StepCritic(8), recording, gamma=0.5)
    n = recording["n_steps"].values
    for i in (0, 7, 31):
        last = n[i] - 1
        r = recording["reward"].values[i] if recording["stopped"].values[i] else 0.0
        want = [0.5 * (t + 2) - (t + 1) for t in range(last)] + [r - (last + 1)]
        np.testing.assert_allclose(values["td_error"].values[i, : n[i]], want)
        assert np.isnan(values["td_error"].values[i, n[i]:]).all()
        assert values["reward"].values[i, last] == r
        assert values["reward"].values[i, :last].sum() == 0
    summary = critic_summary(values)
    per_trial = [np.mean(np.abs(values["td_error"].values[i, : n[i]])) for i in range(len(n))]
    assert summary["TD_error_abs"] == pytest.approx(np.mean(per_trial))
    assert summary["value_est"] == pytest.approx(np.mean([(k + 1) / 2 for k in n]))


def test_a_trained_critic_predicts_the_reward_to_come(recording):
    trained = critic_summary(critic_values(load_pretrained("Actor1Critic5", 1, critic=True),
                                           recording))
    fresh = critic_summary(critic_values(make_agent("Actor1Critic5", seed=1), recording,
                                         allow_untrained=True))
    assert trained["TD_error_abs"] < 0.2 < 0.5 < fresh["TD_error_abs"]
    assert trained["value_est"] > 3.0  # rewards of 10, discounted over the trial


@pytest.mark.parametrize("analysis", [critic_values, critic_recording])
def test_an_untrained_critic_is_refused_unless_asked_for(recording, analysis):
    """load_pretrained without critic=True carries freshly initialised critic weights
    (mean |TD error| 0.758 instead of 0.062): the critic analyses refuse them by a flag
    set by loading or training, never by looking at the weights."""
    bare = load_pretrained("Actor1Critic5", 1)
    assert not bare.critic.trained
    for critic in (bare, bare.critic, bare.critic.q1, make_agent("modular", seed=0)):
        with pytest.raises(ValueError, match="neither trained nor loaded"):
            analysis(critic, recording)
    assert load_pretrained("Actor1Critic5", 1, critic=True).critic.trained
    analysis(bare, recording, allow_untrained=True)  # on purpose: allowed


def test_critic_values_refuse_bad_input(recording):
    with pytest.raises(TypeError, match="critic must be"):
        critic_values(torch.nn.Linear(2, 2), recording)
    with pytest.raises(ValueError, match="gamma"):
        critic_values(StepCritic(8), recording, gamma=1.5)
    with pytest.raises(ValueError, match="actor_input"):
        critic_values(StepCritic(8), recording.drop_vars("actor_input"))
    with pytest.raises(TypeError, match="critic_values"):
        critic_summary(recording)


@pytest.mark.parametrize(("arch", "units", "sees_action"), [("modular", 128, False),
                                                             ("holistic", 220, True)])
def test_critic_recording_holds_the_critics_lstm_units(recording, arch, units, sees_action):
    agent = make_agent(arch, seed=0)
    out = critic_recording(agent, recording, allow_untrained=True)
    assert out.sizes["unit"] == units
    assert "cell" not in out
    assert out.attrs["units_of"] == "critic"
    n = int(recording["n_steps"].values[3])
    x = torch.as_tensor(recording["actor_input"].values[3, :n], dtype=torch.float32)[:, None]
    a = torch.as_tensor(np.stack([recording["action_lin"].values[3, :n],
                                  recording["action_ang"].values[3, :n]], -1),
                        dtype=torch.float32)[:, None]
    seq = torch.cat([x, a], -1) if sees_action else x
    with torch.no_grad():
        want = agent.critic.q1.rnn(seq)[0][:, 0].numpy()
    np.testing.assert_allclose(out["hidden"].values[3, :n], want, atol=1e-5)
    assert np.isnan(out["hidden"].values[3, n:]).all()
    assert np.isfinite(decode(out, n_splits=3).mean_error)
