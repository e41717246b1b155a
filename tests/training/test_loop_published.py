"""The published training rules (`TrainConfig.published`) do what the published code does."""

import numpy as np
import pandas as pd
import pytest
import torch

from navdecode import (
    FireflyTask,
    TaskConfig,
    fixed_targets,
    make_agent,
    run_agent,
    session_metrics,
)
from navdecode.training.config import TrainConfig
from navdecode.training.exploration import exploration_action, phase1_over, phase3_score
from navdecode.training.loop import train, validate
from navdecode.training.replay import TrajectoryMemory

PUBLISHED = {"n_envs": 1, "max_phase1_trials": 50_000, "exploration": "published",
             "phase1_exit": "blocks", "replay_sampling": "equal_length",
             "validation_obs_noise": True, "validation_fresh_targets": True,
             "phase3_trigger": "any_gain", "saturation_penalty": 0.0,
             "critic_action_history": "policy"}


def test_published_preset_sets_every_published_rule_and_keeps_overrides():
    config = TrainConfig.published(arch="holistic", seed=3, n_envs=10)
    for name, value in PUBLISHED.items():
        assert getattr(config, name) == (10 if name == "n_envs" else value), name
    assert (config.arch, config.seed) == ("holistic", 3)
    # the defaults differ from the published code in exactly these fields
    default = TrainConfig()
    assert {k for k, v in PUBLISHED.items() if getattr(default, k) != v} == set(PUBLISHED)


def _phase1_lengths(tmp_path, exploration):
    """Trajectory lengths stored in 20 phase-I trials of a fresh actor, no updates."""
    config = TrainConfig(arch="modular", seed=0, exploration=exploration, phase1_threshold=1.0,
                         max_phase1_trials=20, validate_every=10, n_envs=10,
                         learning_starts=10_000, n_validation=5, torch_threads=1)
    out = tmp_path / exploration
    run = train(config, out, progress=False)
    assert run.phase1_trials is None  # phase I never ended: the cap ended the run
    memory = torch.load(out / "state.pt", weights_only=True)["memory"]
    return memory["lengths"].numpy(), memory["actions"].numpy()


def test_published_exploration_leaves_a_fresh_actor_standing_until_updates(tmp_path):
    # the fresh actor's clean outputs lie in the stop zone: under the published rule
    # they get no noise and never count as a stop, so every trial runs to the timeout
    # without moving; under navdecode's rule noise moves it and it stops on step 2
    lengths, actions = _phase1_lengths(tmp_path, "published")
    assert (lengths == TaskConfig().max_steps).all()
    assert (np.abs(actions) < TaskConfig().stop_threshold).all()
    lengths, _ = _phase1_lengths(tmp_path, "until_moved")
    assert np.mean(lengths == 2) > 0.5


def test_published_stop_counts_after_an_earlier_clean_move_even_if_never_executed():
    task = FireflyTask(TaskConfig(process_noise=False, obs_noise=False))
    move, stop = torch.tensor([[0.5, 0.0]]), torch.tensor([[0.0, 0.0]])
    # noise that turns the clean move into an executed stop
    to_stop = torch.tensor([[-0.5, 0.0]])
    results = {}
    for rule in ("published", "until_moved"):
        task.reset(options={"targets": np.array([[0.0, 100.0]])})
        clean_moved = torch.zeros(1, dtype=torch.bool)
        executed = []
        for clean in (move, stop):
            action = exploration_action(clean, to_stop, task, clean_moved, rule)
            executed.append(action)
            _, _, terminated, _, _ = task.step(action)
        results[rule] = (executed, bool(terminated))
    executed, ended = results["published"]
    assert torch.equal(executed[0], stop)
    assert torch.equal(executed[1], stop)
    assert ended  # the clean move at step 0 makes step 1's clean stop count
    executed, ended = results["until_moved"]
    assert not ended  # nothing executed has moved, so the stop does not count
    assert torch.equal(executed[1], stop + to_stop)  # and the noise is added


@pytest.mark.parametrize(("exit_rule", "want"), [("sliding", 15), ("blocks", 30)])
def test_phase1_exit_sliding_window_or_published_blocks(exit_rule, want):
    config = TrainConfig(phase1_exit=exit_rule, phase1_window=10, phase1_threshold=0.2,
                         n_envs=5, validate_every=10)
    # trials (0-based) 0-9 and 10-19 hold 2 rewarded each (not > 0.2), 20-29 hold 5;
    # the sliding window over 5-14 holds 3 (7, 10, 11) and ends phase I at trial 15
    rewarded = [False] * 30
    for i in (3, 7, 10, 11, 22, 23, 25, 26, 27):
        rewarded[i] = True
    ends = [n for n in range(5, 31, 5) if phase1_over(rewarded[:n], n, config)]
    assert ends[0] == want


def test_phase1_cap_ends_the_run_at_the_published_50000():
    assert TrainConfig.published().max_phase1_trials == 50_000
    with pytest.raises(ValueError, match="phase1_window"):
        TrainConfig(phase1_exit="blocks", phase1_window=100, n_envs=30, validate_every=300)


def test_phase3_trigger_gain1x_or_any_gain():
    table = pd.DataFrame({"task": ["gain1x", "gain2x"], "reward_fraction": [0.5, 0.9]})
    assert phase3_score(table, TrainConfig()) == 0.5
    assert phase3_score(table, TrainConfig(phase3_trigger="any_gain")) == 0.9


def test_published_validation_has_observation_noise_and_fresh_targets():
    actor = make_agent("modular", seed=1).actor
    task = TaskConfig()
    config = TrainConfig(n_validation=30, validation_gains=(1.0,), validation_obs_noise=True,
                         validation_fresh_targets=True)
    table = validate(actor, config, task, trial=500).set_index("task")
    seed = config.validation_seed + 500
    ds = run_agent(actor, fixed_targets(30, seed=seed), seed=seed,
                   config=TaskConfig(process_noise=False, obs_noise=True))
    # the actor saw noisy velocities and moved without process noise
    assert float(np.nanmax(np.abs(ds.obs_lin - ds.vel_lin))) > 1e-3
    assert table.loc["gain1x", "error_distance"] == pytest.approx(
        session_metrics(ds)["stop_error_cm"], rel=1e-6)
    # fresh targets: another trial count validates on other targets; fixed ones do not move
    other = validate(actor, config, task, trial=1000)
    assert other["error_distance"].iloc[0] != table.loc["gain1x", "error_distance"]
    fixed = TrainConfig(n_validation=30, validation_gains=(1.0,))
    assert validate(actor, fixed, task, trial=500).equals(validate(actor, fixed, task, trial=0))


def _memory_with_lengths(lengths):
    memory = TrajectoryMemory(1000, 35)
    n = len(lengths)
    inputs = torch.zeros(n, 35, 6)
    inputs[:, :, 0] = torch.arange(n, dtype=torch.float32)[:, None]  # trajectory id
    memory.add(inputs, torch.zeros(n, 35, 2), torch.zeros(n, 35), torch.tensor(lengths))
    return memory


def test_equal_length_batches_without_replacement_lengths_by_frequency():
    lengths = [3] * 60 + [5] * 30 + [7] * 10
    memory = _memory_with_lengths(lengths)
    gen = torch.Generator().manual_seed(0)
    seen = []
    for _ in range(2000):
        batch = memory.sample_equal_length(16, gen)
        ids = batch.inputs[0, :, 0].long()
        assert len(set(ids.tolist())) == len(ids)  # without replacement
        assert {lengths[i] for i in ids.tolist()} == {batch.inputs.shape[0]}  # one length
        assert batch.mask.all()
        assert batch.dones[-1].all()
        assert not batch.dones[:-1].any()
        assert len(ids) == min(16, lengths.count(batch.inputs.shape[0]))
        seen.append(batch.inputs.shape[0])
    share = {n: np.mean(np.array(seen) == n) for n in (3, 5, 7)}
    assert share[3] == pytest.approx(0.6, abs=0.04)
    assert share[7] == pytest.approx(0.1, abs=0.03)


def test_equal_length_batches_come_from_a_random_tenth_once_memory_is_large():
    # 100 stored, capacity 1000: the pool is all 100; with pool_size 10 every batch holds
    # at most the 10 pooled trajectories
    memory = _memory_with_lengths([4] * 100)
    gen = torch.Generator().manual_seed(1)
    assert len(memory.sample_equal_length(16, gen).inputs[0]) == 16
    assert len(memory.sample_equal_length(16, gen, pool_size=10).inputs[0]) == 10


def test_a_published_run_trains_both_architectures(tmp_path):
    for arch in ("modular", "holistic"):
        config = TrainConfig.published(arch=arch, n_trials_after_phase1=10, phase1_window=10,
                                       phase1_threshold=-1.0, validate_every=10,
                                       learning_starts=5, n_validation=10, torch_threads=1)
        run = train(config, tmp_path / arch, progress=False)
        assert run.phase1_trials == 10
        assert run.curve["actor_saturated"].between(0, 1).all()


def test_a_saved_config_from_before_a_field_existed_is_completed():
    saved = {"arch": "modular", "seed": 2, "validation_gains": [1.0, 2.0]}
    config = TrainConfig.from_saved(saved)
    assert config.saturation_penalty == 0.0  # runs before the field had the published loss
    assert config.critic_action_history == "policy"
    assert config.exploration == "until_moved"  # newer fields: the earlier behaviour
    assert config.validation_gains == (1.0, 2.0)
    with pytest.raises(ValueError, match="does not know"):
        TrainConfig.from_saved({"arch": "modular", "warp_speed": 9})
