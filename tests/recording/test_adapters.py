"""Agents and tasks that navdecode did not write record without adapters of the user's."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from torch import nn
from torch.distributions import Categorical

import navdecode as nd
from navdecode.recording.adapters import env_actions, is_recurrent_ppo


class CountDown(gym.Env):
    """A discrete task written only here: press 1 when the cue reaches zero."""

    def __init__(self):
        self.observation_space = spaces.Box(0.0, 10.0, (2,), np.float32)
        self.action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.cue = int(self.np_random.integers(2, 6))
        return np.array([self.cue, 0.0], np.float32), {"cue": float(self.cue)}

    def step(self, action):
        assert action in (0, 1), action  # a plain integer, as the space says
        self.cue -= 1
        hit = bool(action == 1)
        obs = np.array([max(self.cue, 0), float(action)], np.float32)
        return obs, float(hit and self.cue <= 0), hit, self.cue < -3, {"cue": float(self.cue)}


class CleanRLStyleAgent(nn.Module):
    """The shape of CleanRL's ppo_atari_lstm.py agent: no forward, get_states with done."""

    def __init__(self, obs_dim=2, n_actions=2, hidden=8):
        super().__init__()
        torch.manual_seed(0)
        self.network = nn.Linear(obs_dim, 16)
        self.lstm = nn.LSTM(16, hidden)
        self.actor = nn.Linear(hidden, n_actions)
        self.critic = nn.Linear(hidden, 1)

    def get_states(self, x, lstm_state, done):
        hidden = torch.relu(self.network(x))
        batch_size = lstm_state[0].shape[1]
        hidden = hidden.reshape((-1, batch_size, self.lstm.input_size))
        done = done.reshape((-1, batch_size))
        new_hidden = []
        for h, d in zip(hidden, done, strict=True):
            h, lstm_state = self.lstm(h.unsqueeze(0), ((1.0 - d).view(1, -1, 1) * lstm_state[0],
                                                        (1.0 - d).view(1, -1, 1) * lstm_state[1]))
            new_hidden += [h]
        return torch.flatten(torch.cat(new_hidden), 0, 1), lstm_state

    def get_action_and_value(self, x, lstm_state, done, action=None):
        hidden, lstm_state = self.get_states(x, lstm_state, done)
        probs = Categorical(logits=self.actor(hidden))
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action), probs.entropy(), self.critic(hidden), lstm_state


def test_a_cleanrl_style_agent_records_its_lstm_states_directly():
    agent = CleanRLStyleAgent()
    vec = gym.vector.SyncVectorEnv([CountDown for _ in range(3)])
    torch.manual_seed(1)
    ds = nd.record(agent, vec, n_trials=6, seed=0, info_vars={"cue": "cue"},
                   units={"cue": "steps"}, label="cleanrl", agent_id="ppo-lstm-0")
    assert ds.sizes["trial"] == 6
    assert ds.sizes["unit"] == 8
    assert ds["cue"].attrs["units"] == "steps"
    # the recorded state is the agent's own: re-run get_states on trial 0's inputs
    valid = ds["valid"].values[0]
    x = torch.as_tensor(ds["actor_input"].values[0][valid])
    zeros = (torch.zeros(1, 1, 8), torch.zeros(1, 1, 8))
    with torch.no_grad():
        hidden, _ = agent.get_states(x, zeros, torch.zeros(len(x)))
    np.testing.assert_allclose(ds["hidden"].values[0][valid], hidden.numpy(), atol=1e-5)


def test_discrete_actions_reach_the_env_as_integers_in_any_shape():
    space = spaces.Discrete(3)
    for shaped in (np.array([[0.0, 2.0]]), np.array([0.0, 2.0]), np.array([[0.0], [2.0]])):
        out = env_actions(shaped, space, 2)
        assert out.shape == (2,)
        assert out.dtype == space.dtype
    with pytest.raises(ValueError, match="3 discrete actions for 2 envs"):
        env_actions(np.zeros(3), space, 2)

    def policy(x, state):  # a callable returning (1, B) actions
        return (x[..., 0] <= 1).float(), state

    ds = nd.record(policy, CountDown(), n_trials=3, label="rule", agent_id="rule")
    assert ds.sizes["trial"] == 3


def test_a_recurrent_ppo_subclass_is_recognised_and_an_sb3_vec_env_is_refused():
    sb3_contrib = pytest.importorskip("sb3_contrib")
    from stable_baselines3.common.vec_env import DummyVecEnv

    class MyPPO(sb3_contrib.RecurrentPPO):
        pass

    model = MyPPO("MlpLstmPolicy", CountDown(), n_steps=16, batch_size=16, n_epochs=1,
                  seed=0, device="cpu", policy_kwargs={"lstm_hidden_size": 8})
    assert is_recurrent_ppo(model)
    ds = nd.record(model, CountDown(), n_trials=2, label="ppo", agent_id="my-ppo")
    assert ds.sizes["unit"] == 8
    with pytest.raises(TypeError, match="SyncVectorEnv"):
        nd.record(model, DummyVecEnv([CountDown]), n_trials=2)


class TrialsInOneEpisode(gym.Env):
    """neurogym's shape, written only here: one endless episode; info['new_trial'] marks
    the step that ends a trial, and the observation returned with it opens the next."""

    def __init__(self):
        self.observation_space = spaces.Box(-1.0, 100.0, (2,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.trial, self.t = 0, 0
        self.length = 3
        return self._obs(), {"new_trial": False}

    def _obs(self):
        return np.array([self.trial, self.t], np.float32)

    def step(self, action):
        self.t += 1
        new_trial = self.t >= self.length
        info = {"new_trial": new_trial, "ground_truth": float(self.trial)}
        if new_trial:
            self.trial, self.t = self.trial + 1, 0
            self.length = 3 + self.trial % 3
        return self._obs(), 0.0, False, False, info


def test_a_task_that_marks_trial_ends_in_info_records_without_a_wrapper():
    def policy(x, state):
        return torch.zeros(1, x.shape[1], 1), state

    ds = nd.record(policy, TrialsInOneEpisode(), n_trials=5, trial_end="new_trial",
                   trial_vars={"truth": "ground_truth"}, label="rule", agent_id="rule")
    assert ds.sizes["trial"] == 5
    assert ds["n_steps"].values.tolist() == [3, 4, 5, 3, 4]
    assert ds["stopped"].values.all()
    # every trial opens with its own first observation, [trial, 0]
    np.testing.assert_array_equal(ds["actor_input"].values[:, 0], [[i, 0] for i in range(5)])
    np.testing.assert_array_equal(ds["truth"].values, np.arange(5))
    by_callable = nd.record(policy, TrialsInOneEpisode(), n_trials=5,
                            trial_end=lambda info: info["new_trial"], label="r", agent_id="r")
    assert by_callable["n_steps"].values.tolist() == [3, 4, 5, 3, 4]
    with pytest.raises(TypeError, match="trial_end must be"):
        nd.record(policy, TrialsInOneEpisode(), n_trials=2, trial_end=3)
