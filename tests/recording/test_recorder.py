"""record(): any recurrent policy in any gymnasium task, into the recording schema."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces
from torch import nn

import navdecode as nd
from navdecode.recording.schema import check_recording


class Drift2D(gym.Env):
    """A task written only here: drift on a plane towards a goal; position in info."""

    def __init__(self):
        self.observation_space = spaces.Box(-10.0, 10.0, (3,), np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos = np.zeros(2)
        self.goal = self.np_random.uniform(-5, 5, 2)
        self.t = 0
        return self._obs(), {"x": 0.0, "y": 0.0, "goal_x": self.goal[0]}

    def _obs(self):
        return np.r_[self.goal - self.pos, self.t / 10].astype(np.float32)

    def step(self, action):
        self.t += 1
        self.pos = self.pos + 0.5 * np.asarray(action) + self.np_random.normal(0, 0.05, 2)
        close = np.linalg.norm(self.goal - self.pos) < 0.5
        info = {"x": self.pos[0], "y": self.pos[1], "goal_x": self.goal[0]}
        return self._obs(), float(close), bool(close), self.t >= 12, info


class TinyGRU(nn.Module):
    """A policy written only here: GRU -> linear -> tanh, obs shaped (1, B, 3)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.rnn = nn.GRU(3, 16)
        self.head = nn.Linear(16, 2)

    def forward(self, x, state=None):
        out, h = self.rnn(x, state)
        return torch.tanh(self.head(out)), h


def test_a_foreign_task_and_policy_record_and_decode():
    ds = nd.record(TinyGRU(), Drift2D(), n_trials=40, seed=1,
                   info_vars={"pos_x": "x", "pos_y": "y",
                              "dist": lambda info: np.hypot(info["x"], info["y"])},
                   trial_vars={"goal_x": "goal_x"}, arch="tiny-gru", dt=0.5)
    assert ds.sizes["trial"] == 40
    assert ds.sizes["unit"] == 16
    assert "cell" not in ds  # a GRU has no cell state
    assert ds.attrs["arch"] == "tiny-gru"
    assert list(ds["input"].values) == ["in0", "in1", "in2"]
    assert {"action_0", "action_1", "pos_x", "dist"} <= set(ds.data_vars)
    np.testing.assert_allclose(ds.dist.values, np.hypot(ds.pos_x, ds.pos_y), rtol=1e-5)
    assert (ds.n_steps.values <= 12).all()
    assert ds.valid.sum().item() == ds.n_steps.sum().item()
    check_recording(ds, "decode")
    result = nd.decode(ds, n_splits=4)
    assert np.isfinite(result.mean_error)
    # without stop variables the path ends at the last valid position, and says so
    assert nd.trial_metrics(ds).attrs["end_position"].startswith("the last valid position")
    # with the end positions, the path metrics (no targets in this task: no target columns)
    ends = nd.record(TinyGRU(), Drift2D(), n_trials=10, seed=1, dt=0.5,
                     info_vars={"pos_x": "x", "pos_y": "y"},
                     trial_vars={"stop_x": "x", "stop_y": "y"})
    table = nd.trial_metrics(ends)
    # no units were given: the length columns say so instead of claiming cm
    assert {"path_length_unknown", "curvature", "duration_s"} <= set(table.columns)
    assert table.attrs["length_unit"] == "unknown"
    assert not any(c.startswith("stop_error") for c in table.columns)
    # the session summary holds what the task supports and names what it leaves out
    summary = nd.session_metrics(ends)
    assert {"curvature", "straightness", "time_spent_h", "n_trials"} <= set(summary.index)
    assert summary.attrs["left_out"]["reward_fraction"] == "needs rewarded"
    assert summary.attrs["left_out"]["stop_error_unknown"] == "needs target_x, target_y"


def test_a_vector_of_foreign_envs_gives_exactly_n_trials_in_start_order():
    env = gym.vector.SyncVectorEnv([Drift2D for _ in range(3)])
    ds = nd.record(TinyGRU(), env, n_trials=10, seed=0,
                   info_vars={"pos_x": "x", "pos_y": "y"})
    assert ds.sizes["trial"] == 10
    assert (ds.n_steps.values >= 1).all()
    # every trial starts at the origin: the policy's state and the env were reset
    np.testing.assert_allclose(ds.pos_x.isel(step=0), 0.0)


def test_recurrent_state_is_reset_at_each_trial_start():
    env = gym.vector.SyncVectorEnv([Drift2D for _ in range(2)])
    policy = TinyGRU()
    ds = nd.record(policy, env, n_trials=6, seed=0)
    x = torch.as_tensor(ds.actor_input.isel(step=0).values)[None]
    with torch.no_grad():
        _, h = policy(x, None)
    np.testing.assert_allclose(ds.hidden.isel(step=0).values, h[0].numpy(), atol=1e-6)


def test_hooks_record_a_submodule_every_step():
    agent = nd.make_agent("modular", seed=0)
    env = nd.FireflyVectorEnv(num_envs=5)
    ds = nd.record(agent, env, n_trials=5, hooks={"mlp1": "l1"})
    assert ds["mlp1"].dims == ("trial", "step", "mlp1_unit")
    assert np.isfinite(ds.mlp1.where(ds.valid)).sum() > 0
    with pytest.raises(ValueError, match="not a submodule"):
        nd.record(agent, env, n_trials=2, hooks={"x": "no.such.layer"})


def test_bad_record_arguments():
    env = nd.FireflyVectorEnv(num_envs=2)
    with pytest.raises(TypeError, match="env"):
        nd.record(nd.make_agent("modular").actor, "Firefly", 3)
    with pytest.raises(ValueError, match="n_trials"):
        nd.record(nd.make_agent("modular").actor, env, 0)
    with pytest.raises(TypeError, match="policy"):
        nd.record("policy", env, 2)
    with pytest.raises(ValueError, match="info has no key 'nope'"):
        nd.record(nd.make_agent("modular").actor, env, 2, info_vars={"v": "nope"})


def test_recurrent_ppo_trains_on_the_env_and_records():
    sb3_contrib = pytest.importorskip("sb3_contrib")
    env = gym.make(nd.ENV_ID)
    model = sb3_contrib.RecurrentPPO("MlpLstmPolicy", env, n_steps=64, batch_size=64,
                                     n_epochs=1, seed=0, device="cpu",
                                     policy_kwargs={"lstm_hidden_size": 32})
    model.learn(total_timesteps=192)
    vec = gym.make_vec(nd.ENV_ID, num_envs=4, vectorization_mode="vector_entry_point")
    ds = nd.record(model, vec, n_trials=6, seed=0)
    assert ds.attrs["arch"] == "RecurrentPPO"
    assert ds.sizes["trial"] == 6
    assert ds.sizes["unit"] == 32
    assert {"hidden", "cell", "pos_x", "action_lin"} <= set(ds.data_vars)
    assert np.isfinite(ds.hidden.where(ds.valid)).sum() > 0
    nd.trial_metrics(ds)  # the firefly env's info gives positions and targets


def test_stable_baselines3_ppo_trains_on_the_env_unchanged():
    sb3 = pytest.importorskip("stable_baselines3")
    model = sb3.PPO("MlpPolicy", gym.make(nd.ENV_ID), n_steps=64, batch_size=32, n_epochs=1,
                    seed=0, device="cpu")
    model.learn(total_timesteps=128)
    assert model.num_timesteps >= 128


def test_a_perturbation_recording_keeps_each_trials_perturbation():
    env = nd.FireflyVectorEnv(num_envs=6, config=nd.TaskConfig.perturbation_task())
    ds = nd.record(nd.load_pretrained("modular", 0), env, n_trials=9, seed=2)
    assert ds["perturb_lin"].attrs["units"] == "cm/s"
    assert np.isfinite(ds.perturb_onset.values).all()
    assert set(np.unique(ds.perturb_onset.values)) <= set(range(11))
    again = nd.replay_actions(ds, gain=1.0)  # the replay's task keeps the perturbation
    assert again.attrs["task_perturbation"] == 1


class EndOnlyInfo(Drift2D):
    """Drift2D whose ``outcome`` key appears in info only when a trial ends."""

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        if terminated or truncated:
            info = {**info, "outcome": float(terminated)}
        return obs, reward, terminated, truncated, info


def test_units_come_from_the_user_never_assumed():
    ds = nd.record(TinyGRU(), Drift2D(), n_trials=4, info_vars={"pos_x": "x", "pos_y": "y"},
                   trial_vars={"goal_x": "goal_x"}, units={"pos_x": "m", "goal_x": "m"},
                   long_names={"pos_x": "east position"}, label="gru", agent_id="gru-0")
    assert ds["pos_x"].attrs == {"units": "m", "long_name": "east position"}
    assert "units" not in ds["pos_y"].attrs  # never silently cm
    assert "units not given" in ds["pos_y"].attrs["comment"]
    assert ds["goal_x"].attrs["units"] == "m"
    firefly = nd.run_agent(nd.make_agent("modular", seed=0), nd.fixed_targets(2))
    assert firefly["pos_x"].attrs["units"] == "cm"  # the task declares its own
    with pytest.raises(ValueError, match="not info_vars or trial_vars"):
        nd.record(TinyGRU(), Drift2D(), n_trials=2, info_vars={"pos_x": "x"},
                  units={"speed": "m/s"})
    with pytest.raises(TypeError, match="units must be a mapping"):
        nd.record(TinyGRU(), Drift2D(), n_trials=2, info_vars={"pos_x": "x"},
                  units={"pos_x": 1})


def test_a_trial_var_present_only_at_trial_end_records():
    ds = nd.record(TinyGRU(), EndOnlyInfo(), n_trials=5, trial_vars={"outcome": "outcome"},
                   label="gru", agent_id="gru-0")
    assert np.isin(ds["outcome"].values, [0.0, 1.0]).all()
    vec = gym.vector.SyncVectorEnv([EndOnlyInfo for _ in range(3)])
    ds = nd.record(TinyGRU(), vec, n_trials=7, trial_vars={"outcome": "outcome"})
    assert ds.sizes["trial"] == 7
    assert np.isfinite(ds["outcome"].values).all()


def test_a_step_duration_that_is_not_one_is_refused():
    """record(dt=-0.1) used to be ignored for the firefly env."""
    import gymnasium as gym

    import navdecode as nd

    env = gym.make_vec("navdecode/Firefly-v0", num_envs=2, vectorization_mode="vector_entry_point")
    actor = nd.make_agent("modular", seed=0).actor
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        nd.record(actor, env, n_trials=2, dt=-0.1)
    with pytest.raises(ValueError, match="not the firefly env's step"):
        nd.record(actor, env, n_trials=2, dt=0.2)
    assert nd.record(actor, env, n_trials=2, dt=0.1).attrs["task_dt"] == pytest.approx(0.1)
