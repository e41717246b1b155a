import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from navdecode import FireflyTask, TaskConfig, load_agent, make_agent
from navdecode.training.config import TrainConfig
from navdecode.training.exploration import explore
from navdecode.training.loop import train
from navdecode.training.replay import Batch, TrajectoryMemory, mirror
from navdecode.training.runs import select_checkpoint
from navdecode.training.td3 import critic_loss, saturation_excess, smooth_target_action, td3_update

TINY = dict(n_trials_after_phase1=20, phase1_window=10, phase1_threshold=-1.0, validate_every=10,
            n_envs=5, learning_starts=10, n_validation=20, torch_threads=1)


def test_tiny_training_run_writes_checkpoints_and_a_curve(tmp_path):
    run = train(TrainConfig(arch="modular", **TINY), tmp_path / "run", progress=False)
    assert run.phase1_trials == 10
    curve = pd.read_csv(tmp_path / "run" / "curve.csv")
    assert list(curve.columns) == ["episode", "phase", "trials_after_phase1", "task",
                                   "reward_fraction", "error_distance", "reward_rate",
                                   "td_error_abs", "value_est", "actor_saturated",
                                   "actor_pinned", "wall_time_s"]
    assert curve["td_error_abs"].ge(0).all()
    assert curve["value_est"].notna().all()
    assert curve["actor_saturated"].between(0, 1).all()
    assert curve["actor_pinned"].between(0, 1).all()
    assert curve["episode"].tolist() == [10] * 4 + [20] * 4 + [30] * 4
    assert set(curve["task"]) == {"gain1x", "gain2x", "gain3x", "gain4x"}
    assert curve["error_distance"].gt(0).all()
    ckpts = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert ckpts == ["critic_000010.pt", "critic_000020.pt", "critic_000030.pt",
                     "trial_000010.pt", "trial_000020.pt", "trial_000030.pt"]
    best = select_checkpoint(tmp_path / "run")
    assert best.name in ("trial_000020.pt", "trial_000030.pt")
    assert json.loads((tmp_path / "run" / "config.json").read_text())["train"]["arch"] == "modular"
    with pytest.raises(ValueError, match="resume"):
        train(TrainConfig(arch="modular", **TINY), tmp_path / "run", progress=False)


def test_killed_run_resumes_with_a_continuous_curve(tmp_path, kill_at_validation):
    config = TrainConfig(arch="holistic", **{**TINY, "n_trials_after_phase1": 30})
    full = train(config, tmp_path / "full", progress=False).curve
    kill_at_validation(config, tmp_path / "cut", 3)  # killed during the validation at trial 30
    partial = pd.read_csv(tmp_path / "cut" / "curve.csv")
    assert partial["episode"].max() == 20
    resumed = train(config, tmp_path / "cut", resume=True, progress=False).curve
    assert not resumed.duplicated(["episode", "task"]).any()
    assert resumed["episode"].tolist() == full["episode"].tolist()
    cols = ["phase", "trials_after_phase1", "reward_fraction", "error_distance", "reward_rate"]
    pd.testing.assert_frame_equal(resumed[cols], full[cols])


def test_smoothing_never_changes_the_stop_decision():
    gen = torch.Generator().manual_seed(0)
    clean = torch.rand(20_000, 2, generator=gen) * 0.4 - 0.2  # many near the threshold
    noise = torch.randn(20_000, 2, generator=gen) * 0.3
    out = smooth_target_action(clean, noise, 0.1, clip=0.1)
    was_stop = (clean.abs() < 0.1).all(dim=1)
    now_stop = (out.abs() < 0.1).all(dim=1)
    assert was_stop.any()
    assert (~was_stop).any()
    assert torch.equal(was_stop, now_stop)
    assert out.abs().max() <= 1
    # moves: noise clipped to +-0.1, big components keep their sign and stay beyond 0.1
    moves = ~was_stop
    assert ((out[moves] - clean[moves]).abs() <= 0.1 + 1e-6).all()
    big = clean.abs() > 0.1
    assert (torch.sign(out[big]) == torch.sign(clean[big])).all()
    assert (out[big].abs() >= 0.1).all()


def test_exploration_keeps_deliberate_stops_and_explores_stopping():
    gen = torch.Generator().manual_seed(1)
    clean = torch.rand(20_000, 2, generator=gen) * 0.4 - 0.2
    noise = torch.randn(20_000, 2, generator=gen) * 0.8
    moved = torch.rand(20_000, generator=gen) < 0.5
    out = explore(clean, noise, 0.1, moved)
    counts = (clean.abs() < 0.1).all(dim=1) & moved
    assert torch.equal(out[counts], clean[counts])  # a stop that counts is executed as chosen
    torch.testing.assert_close(out[~counts], (clean + noise)[~counts].clamp(-1, 1))
    assert (out[~counts].abs() < 0.1).all(dim=1).any()  # noisy moves can become stops
    unmoved_stop = (clean.abs() < 0.1).all(dim=1) & ~moved
    assert (out[unmoved_stop] != clean[unmoved_stop]).any(dim=1).all()  # noise before moving


def test_mirroring_flips_exactly_the_angular_and_lateral_components():
    inputs, actions = torch.randn(5, 3, 6), torch.randn(5, 3, 2)
    m_in, m_act = mirror(inputs, actions)
    torch.testing.assert_close(m_in[..., [1, 3, 4]], -inputs[..., [1, 3, 4]])
    torch.testing.assert_close(m_in[..., [0, 2, 5]], inputs[..., [0, 2, 5]])
    torch.testing.assert_close(m_act, torch.stack([actions[..., 0], -actions[..., 1]], -1))
    # and it is the physical reflection: mirrored actions to a mirrored target give x -> -x
    config = TaskConfig(process_noise=False, obs_noise=False)
    seq = torch.rand(10, 1, 2) * 1.6 - 0.8
    seq[..., 0] = seq[..., 0].abs() + 0.2
    paths = []
    for acts, target in ((seq, [[50.0, 200.0]]), (mirror(torch.zeros(10, 1, 6), seq)[1],
                                                  [[-50.0, 200.0]])):
        task = FireflyTask(config, dtype=torch.float64)
        obs, _ = task.reset(options={"targets": target})
        record = [obs]
        for a in acts:
            obs, *_ = task.step(a.double())
            record.append(obs)
        paths.append((task.pos.clone(), torch.stack(record)))
    torch.testing.assert_close(paths[1][0], paths[0][0] * torch.tensor([-1.0, 1.0],
                                                                       dtype=torch.float64))
    torch.testing.assert_close(paths[1][1], mirror(paths[0][1].float(), seq)[0].double(),
                               atol=1e-6, rtol=1e-6)


def test_padding_never_reaches_the_loss():
    config = TrainConfig(target_noise_std=0.0)
    agent, target = make_agent("modular", seed=0), make_agent("modular", seed=1)
    gen = torch.Generator().manual_seed(0)
    lengths = [3, 7]
    memory = TrajectoryMemory(10, 7)
    inputs, actions = torch.randn(2, 7, 6), torch.rand(2, 7, 2)
    rewards = torch.zeros(2, 7)
    rewards[0, 2], rewards[1, 6] = 10.0, 0.5
    memory.add(inputs, actions, rewards, torch.tensor(lengths))
    memory.inputs[0, 3:] = 1e3  # garbage in the padding
    memory.actions[0, 3:] = -7.0
    batch = Batch(memory.inputs[:2].transpose(0, 1), memory.actions[:2].transpose(0, 1),
                  memory.rewards[:2].transpose(0, 1),
                  torch.tensor([[0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1]]).T.float(),
                  (torch.arange(7)[None] < torch.tensor(lengths)[:, None]).T.float())
    padded = critic_loss(agent, target, batch, config, 0.1, gen)
    # the same loss from each trajectory alone, unpadded, weighted by its length
    parts = []
    for i, n in enumerate(lengths):
        one = Batch(batch.inputs[:n, i:i + 1], batch.actions[:n, i:i + 1],
                    batch.rewards[:n, i:i + 1], batch.dones[:n, i:i + 1], batch.mask[:n, i:i + 1])
        parts.append(critic_loss(agent, target, one, config, 0.1, gen) * n)
    torch.testing.assert_close(padded, sum(parts) / sum(lengths))
    padded.backward()
    assert all(torch.isfinite(p.grad).all() for p in agent.critic.parameters())


def test_saturation_excess_is_zero_inside_the_threshold_and_masks_padding():
    z = torch.tensor([[[2.9, -3.0]], [[4.0, -5.0]], [[50.0, 50.0]]], requires_grad=True)
    mask = torch.tensor([[1.0], [1.0], [0.0]])  # the third step is padding
    excess = saturation_excess(z, mask)
    torch.testing.assert_close(excess, torch.tensor((1.0**2 + 2.0**2) / 2))
    excess.backward()
    # no pull inside +-3 nor on padding; outside, the pull is towards zero
    assert z.grad[0].abs().sum() == 0
    assert z.grad[2].abs().sum() == 0
    assert z.grad[1, 0, 0] > 0
    assert z.grad[1, 0, 1] < 0


def _saturated_batch() -> tuple:
    agent, target = make_agent("holistic", seed=0), make_agent("holistic", seed=1)
    with torch.no_grad():
        agent.actor.l1.bias.fill_(8.0)  # every read-out deep in the tanh's flat tail
    inputs = torch.randn(6, 4, 6, generator=torch.Generator().manual_seed(0))
    batch = Batch(inputs, torch.zeros(6, 4, 2), torch.zeros(6, 4), torch.zeros(6, 4),
                  torch.ones(6, 4))
    return agent, target, batch


@pytest.mark.parametrize("penalty", [0.0, 1.0])
def test_saturation_penalty_pulls_a_saturated_actor_back_only_when_asked(penalty):
    agent, target, batch = _saturated_batch()
    config = TrainConfig(arch="holistic", saturation_penalty=penalty)
    before = agent.actor.l1.bias.detach().clone()
    opts = [torch.optim.SGD(agent.actor.parameters(), lr=0.1),
            torch.optim.SGD(agent.critic.parameters(), lr=0.0)]
    td3_update(agent, target, batch, *opts, config, 0.1, update_actor=True,
                gen=torch.Generator().manual_seed(0))
    moved = before - agent.actor.l1.bias.detach()
    if penalty:  # d/dz of (z - 3)^2 at z ~ 8 is ~10 per component: a clear step back
        assert (moved > 0.5).all()
    else:  # tanh'(8) ~ 5e-7: the critic's gradient barely reaches the actor
        assert moved.abs().max() < 1e-4


def test_memory_sample_pads_and_masks():
    memory = TrajectoryMemory(capacity=4, max_len=5)
    lengths = torch.tensor([2, 5, 3])
    memory.add(torch.ones(3, 5, 6), torch.ones(3, 5, 2), torch.ones(3, 5), lengths)
    memory.add(torch.ones(3, 5, 6), torch.ones(3, 5, 2), torch.ones(3, 5), lengths)
    assert len(memory) == 4  # ring buffer keeps the newest 4
    batch = memory.sample(64, torch.Generator().manual_seed(0))
    n = batch.mask.sum(0)
    assert set(n.tolist()) <= {2.0, 3.0, 5.0}
    np.testing.assert_array_equal(batch.dones.sum(0).numpy(), np.ones(64))
    assert torch.equal(batch.dones.argmax(0) + 1, n.long())
    memory.clear()
    assert len(memory) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"arch": "tiny"}, ValueError, "arch"), ({"seed": -1}, ValueError, "seed"),
     ({"n_envs": 7}, ValueError, "n_envs"), ({"gamma": 0}, ValueError, "gamma"),
     ({"batch_size": 1.5}, TypeError, "batch_size"),
     ({"validation_gains": ()}, ValueError, "validation_gains"),
     ({"saturation_penalty": -0.1}, ValueError, "saturation_penalty"),
     ({"saturation_penalty": "1"}, TypeError, "saturation_penalty"),
     ({"critic_action_history": "replayed"}, ValueError, "critic_action_history"),
     # issue 16: values that used to be accepted or to crash later
     ({"gamma": 5}, ValueError, "gamma"), ({"tau": 2}, ValueError, "tau"),
     ({"phase1_noise": float("nan")}, ValueError, "phase1_noise"),
     ({"phase2_noise": -0.1}, ValueError, "phase2_noise"),
     ({"phase3_threshold": 1.5}, ValueError, "phase3_threshold"),
     ({"phase1_threshold": float("inf")}, ValueError, "phase1_threshold"),
     ({"device": "gpu"}, ValueError, "device"), ({"device": "tpu"}, ValueError, "device"),
     ({"learning_starts": 0}, ValueError, "learning_starts"),
     # the published-rule options
     ({"exploration": "greedy"}, ValueError, "exploration"),
     ({"phase1_exit": "window"}, ValueError, "phase1_exit"),
     ({"replay_sampling": "uniform"}, ValueError, "replay_sampling"),
     ({"phase3_trigger": "gain2x"}, ValueError, "phase3_trigger"),
     ({"validation_obs_noise": "yes"}, TypeError, "validation_obs_noise"),
     ({"validation_fresh_targets": 1}, TypeError, "validation_fresh_targets"),
     ({"phase1_exit": "blocks", "n_envs": 20, "phase1_window": 30}, ValueError,
      "phase1_window")],
)
def test_train_config_rejects_bad_values(kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainConfig(**kwargs)


def test_resume_refuses_changed_settings_but_allows_threads(tmp_path):
    run_dir = tmp_path / "run"
    published = {**TINY, "n_trials_after_phase1": 10, "saturation_penalty": 0.0}
    train(TrainConfig(arch="modular", **published), run_dir, progress=False)
    changed = TrainConfig(arch="modular", **{**published, "saturation_penalty": 1.0})
    with pytest.raises(ValueError, match=r"saturation_penalty: 0\.0 -> 1\.0"):
        train(changed, run_dir, resume=True, progress=False)
    saved = json.loads((run_dir / "config.json").read_text())
    del saved["train"]["saturation_penalty"]  # a config.json from before the field existed
    (run_dir / "config.json").write_text(json.dumps(saved))
    # missing means the published loss, not today's default
    with pytest.raises(ValueError, match=r"saturation_penalty: 0\.0 -> 1\.0"):
        train(TrainConfig(arch="modular", **{**TINY, "n_trials_after_phase1": 10}), run_dir,
              resume=True, progress=False)
    same = TrainConfig(arch="modular", **{**published, "torch_threads": 2})
    assert train(same, run_dir, resume=True, progress=False).phase1_trials == 10


def test_train_rejects_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="config"):
        train({"arch": "modular"}, tmp_path)
    with pytest.raises(TypeError, match="out_dir"):
        train(TrainConfig(), 3)
    with pytest.raises(ValueError, match=r"curve\.csv"):
        select_checkpoint(tmp_path)


@pytest.mark.parametrize("history", ["executed", "policy"])
def test_both_action_histories_train_a_holistic_agent(tmp_path, history):
    config = TrainConfig(arch="holistic", critic_action_history=history, **TINY)
    run = train(config, tmp_path / "run", progress=False)
    assert run.phase1_trials == 10
    assert run.curve["error_distance"].gt(0).all()
    saved = json.loads((tmp_path / "run" / "config.json").read_text())["train"]
    assert saved["critic_action_history"] == history


def test_action_history_leaves_a_modular_run_unchanged(tmp_path):
    """Critic5's LSTM never sees the action: both settings train the same agent."""
    assert TrainConfig().critic_action_history == "executed"
    curves = [train(TrainConfig(arch="modular", critic_action_history=history, **TINY),
                    tmp_path / history, progress=False).curve for history in ("executed", "policy")]
    cols = ["episode", "phase", "reward_fraction", "error_distance", "reward_rate"]
    pd.testing.assert_frame_equal(curves[0][cols], curves[1][cols])
    final = [load_agent(tmp_path / h / "checkpoints" / "trial_000030.pt").state_dict()
             for h in ("executed", "policy")]
    assert all(torch.equal(final[0][k], final[1][k]) for k in final[0])


def test_a_run_from_before_the_action_history_resumes_as_policy(tmp_path):
    config = TrainConfig(arch="holistic", **{**TINY, "n_trials_after_phase1": 10})
    run_dir = tmp_path / "run"
    train(replace(config, critic_action_history="policy"), run_dir, progress=False)
    saved = json.loads((run_dir / "config.json").read_text())
    del saved["train"]["critic_action_history"]  # a config.json from before the field existed
    (run_dir / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError, match="critic_action_history: 'policy' -> 'executed'"):
        train(config, run_dir, resume=True, progress=False)
    resumed = train(replace(config, critic_action_history="policy"), run_dir, resume=True,
                    progress=False)
    assert resumed.phase1_trials == 10


def test_validation_curve_columns_are_session_metrics():
    from dataclasses import replace as dc_replace

    from navdecode import fixed_targets, run_agent, session_metrics
    from navdecode.training.loop import validate

    config = TrainConfig(n_validation=25, validation_gains=(1.0, 2.0))
    actor = make_agent("modular", seed=1).actor
    table = validate(actor, config, TaskConfig()).set_index("task")
    quiet = dc_replace(TaskConfig(), process_noise=False, obs_noise=False)
    for gain in (1.0, 2.0):
        ds = run_agent(actor, fixed_targets(25, seed=config.validation_seed), gain=gain,
                       noise=False, config=quiet)
        want = session_metrics(ds)
        row = table.loc[f"gain{gain:g}x"]
        assert row["reward_rate"] == pytest.approx(want["reward_rate"], nan_ok=True)
        assert row["error_distance"] == pytest.approx(want["stop_error_cm"])


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no CUDA device"):
        train(TrainConfig(arch="modular", device="cuda", **TINY), tmp_path / "run",
              progress=False)
    assert not (tmp_path / "run" / "state.pt").exists()


def test_resume_on_a_folder_without_a_run_says_so(tmp_path):
    with pytest.raises(ValueError, match="holds no run to resume"):
        train(TrainConfig(arch="modular", **TINY), tmp_path / "mistyped", resume=True,
              progress=False)
    assert not (tmp_path / "mistyped" / "state.pt").exists()


@pytest.mark.parametrize("arch", ["modular", "holistic", "Actor3Critic1"])
def test_freezing_the_critic_in_the_actor_loss_changes_no_update(arch, monkeypatch):
    """The actor step computes no critic weight gradients (they were never used): every
    parameter after six updates, three with the actor, equals the unfrozen update's."""
    import contextlib
    import copy

    from navdecode import make_agent
    from navdecode.training import td3
    from navdecode.training.replay import TrajectoryMemory

    config = TrainConfig(arch=arch)
    gen = torch.Generator().manual_seed(0)
    memory = TrajectoryMemory(100, 35)
    memory.add(torch.randn(40, 35, 6, generator=gen), torch.rand(40, 35, 2, generator=gen) * 2 - 1,
               torch.randn(40, 35, generator=gen), torch.randint(5, 36, (40,), generator=gen))
    results = []
    for frozen in (True, False):
        if not frozen:
            monkeypatch.setattr(td3, "_frozen", lambda module: contextlib.nullcontext())
        agent = make_agent(arch, seed=0)
        target = copy.deepcopy(agent)
        opt_a = torch.optim.Adam(agent.actor.parameters(), lr=1e-3)
        opt_c = torch.optim.Adam(agent.critic.parameters(), lr=1e-3)
        gen_s, gen_n = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
        for k in range(6):
            td3.td3_update(agent, target, memory.sample(8, gen_s), opt_a, opt_c, config, 0.2,
                           update_actor=k % 2 == 1, gen=gen_n)
        results.append(agent.state_dict())
    assert all(torch.equal(results[0][k], results[1][k]) for k in results[0])
    assert all(p.requires_grad for p in agent.parameters())


def test_validation_logs_the_critics_td_error_as_critic_summary_computes_it():
    from navdecode import fixed_targets, run_agent
    from navdecode.analysis.critic import critic_summary, critic_values
    from navdecode.training.loop import validate

    agent = make_agent("Actor1Critic5", seed=1)
    config = TrainConfig(arch="Actor1Critic5", n_validation=20, validation_gains=(1.0, 2.0))
    table = validate(agent.actor, config, TaskConfig(), critic=agent.critic).set_index("task")
    ds = run_agent(agent.actor, fixed_targets(20, seed=config.validation_seed), gain=2.0,
                   seed=config.validation_seed, noise=config.validation_obs_noise,
                   config=TaskConfig(process_noise=False))
    want = critic_summary(critic_values(agent.critic, ds, gamma=config.gamma,
                                        allow_untrained=True))
    assert table.loc["gain2x", "td_error_abs"] == pytest.approx(want["TD_error_abs"], rel=1e-6)
    assert table.loc["gain2x", "value_est"] == pytest.approx(want["value_est"], rel=1e-6)
    assert "td_error_abs" not in validate(agent.actor, config, TaskConfig())


@pytest.mark.parametrize(("field", "value", "match"), [
    ("validation_gains", (1.0, float("inf")), "finite gains"),
    ("validation_gains", (1.0, float("nan")), "finite gains"),
    ("phase3_threshold", 1.5, "must be <= 1"),
])
def test_a_config_that_cannot_train_is_refused(field, value, match):
    """TrainConfig(validation_gains=(1, inf)) used to be accepted. (A threshold below 0 is
    kept: it ends the phase at its first check, which short runs rely on.)"""
    from navdecode import TrainConfig

    with pytest.raises(ValueError, match=match):
        TrainConfig(**{field: value})
