"""The gymnasium environments: checker, spaces, autoreset, fresh infos, same trials."""

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import navdecode as nd
from navdecode.task.envs import INFO_KEYS, FireflyEnv, FireflyVectorEnv


def test_single_env_passes_gymnasiums_checker():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checker's warnings count as failures
        check_env(FireflyEnv(), skip_render_check=True)
        check_env(gym.make(nd.ENV_ID).unwrapped, skip_render_check=True)
        check_env(FireflyEnv(gain=2.0, noise=False, perturbation=True), skip_render_check=True)


def test_info_holds_fresh_arrays_in_cm():
    env = FireflyEnv()
    _, info = env.reset(seed=0, options={"target": (100.0, 200.0)})
    assert set(info) == set(INFO_KEYS)
    assert (info["target_x_cm"], info["target_y_cm"]) == (100.0, 200.0)
    before = info["x_cm"]
    for _ in range(3):
        _, _, _, _, info = env.step(np.array([1.0, 0.0], dtype=np.float32))
    assert before == 0.0  # not aliased to the task's state
    assert info["y_cm"] > 0


def vector_checks(env, n):
    """The checks gymnasium's own vector envs satisfy (gymnasium 1.4 ships no checker)."""
    assert env.num_envs == n
    assert env.observation_space.shape == (n, *env.single_observation_space.shape)
    assert env.action_space.shape == (n, *env.single_action_space.shape)
    obs, info = env.reset(seed=3)
    again, _ = env.reset(seed=3)
    np.testing.assert_array_equal(obs, again)  # seeded reset is deterministic
    assert obs in env.observation_space
    assert all(np.asarray(v).shape[0] == n for v in info.values())
    rng = np.random.default_rng(0)
    ended_at = {}
    first_seen = {}
    for t in range(80):
        actions = rng.uniform(-1, 1, env.action_space.shape).astype(np.float32)
        actions[:, :] = np.where(t % 9 == 8, 0.0, actions)  # stop now and then
        new, reward, terminated, truncated, info = env.step(actions)
        assert new in env.observation_space
        assert reward.shape == terminated.shape == truncated.shape == (n,)
        assert terminated.dtype == truncated.dtype == bool
        for i in range(n):
            if i in ended_at and ended_at[i] == t - 1:
                # next-step autoreset: a fresh trial, reward 0, the target visible again
                assert reward[i] == 0
                assert not terminated[i]
                assert not truncated[i]
                assert info["step"][i] == 0
                assert np.any(new[i, 4:] != 0)
                first_seen[i] = t
            if terminated[i] or truncated[i]:
                ended_at[i] = t
    assert first_seen, "no sub-environment was restarted"
    return info


def test_native_vector_env_behaves_as_a_gymnasium_vector_env():
    env = gym.make_vec(nd.ENV_ID, num_envs=6, vectorization_mode="vector_entry_point")
    assert isinstance(env, FireflyVectorEnv)
    info = vector_checks(env, 6)
    info["x_cm"][:] = 1e9
    assert np.all(env.task.pos.abs().numpy() < 1e6)  # infos are copies


def test_sync_vector_env_of_the_single_env_passes_the_same_checks():
    env = gym.make_vec(nd.ENV_ID, num_envs=3, vectorization_mode="sync")
    vector_checks(env, 3)


def test_make_vec_recording_gives_run_agents_trials():
    agent = nd.load_pretrained("modular", 0)
    targets = nd.fixed_targets(64)
    env = gym.make_vec(nd.ENV_ID, num_envs=64, vectorization_mode="vector_entry_point")
    ds = nd.record(agent, env, 64, seed=0, options={"targets": targets})
    ref = nd.run_agent(agent, targets, seed=0)
    assert float(ds.rewarded.mean()) == float(ref.rewarded.mean())
    np.testing.assert_allclose(ds.hidden.values, ref.hidden.values, atol=1e-6)


def test_bad_env_arguments():
    with pytest.raises(ValueError, match="num_envs"):
        FireflyVectorEnv(num_envs=0)
    with pytest.raises(ValueError, match="gain"):
        FireflyEnv(gain=-1.0)
    with pytest.raises(TypeError, match="noise"):
        FireflyEnv(noise="off")
    with pytest.raises(ValueError, match="options"):
        FireflyEnv().reset(options={"gian": 2})


def test_the_envs_refuse_non_finite_and_misshapen_actions():
    """A NaN action used to keep the position NaN to the timeout, and a flat (8,) action
    for 4 environments was reshaped; both are refused with the shape or values."""
    import numpy as np

    from navdecode import FireflyEnv, FireflyVectorEnv

    vec = FireflyVectorEnv(num_envs=4)
    vec.reset(seed=0)
    with pytest.raises(ValueError, match="actions must be finite"):
        vec.step(np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match=r"shape \(4, 2\).*got \(8,\)"):
        vec.step(np.zeros(8))
    with pytest.raises(TypeError, match="actions must be numbers"):
        vec.step("forward")
    vec.step(np.zeros((4, 2)))
    one = FireflyEnv()
    one.reset(seed=0)
    with pytest.raises(ValueError, match="action must be finite"):
        one.step(np.array([np.inf, 0.0]))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        one.step(np.zeros(3))
    one.step(np.array([0.5, 0.0]))
