import math

import numpy as np
import pytest
import torch
from scipy import stats

from navdecode import FireflyTask, TaskConfig, reward_for_distance, sample_targets


def run_constant(action, n_steps, gain=1.0, config=None):
    config = config or TaskConfig(process_noise=False, obs_noise=False)
    task = FireflyTask(config, dtype=torch.float64)
    task.reset(seed=0, options={"targets": [[0.0, 10_000.0]], "gain": gain})
    positions = [task.pos[0].clone() * config.length_unit_cm]
    for _ in range(n_steps):
        task.step(torch.tensor([action], dtype=torch.float64))
        positions.append(task.pos[0].clone() * config.length_unit_cm)
    return torch.stack(positions).numpy(), task


def test_straight_line_positions_match_the_spec():
    positions, _ = run_constant([1.0, 0.0], 5)
    # v = 200 cm/s from step 1 on, position moves with the previous step's velocity
    np.testing.assert_allclose(positions[:, 1], [0, 0, 20, 40, 60, 80], atol=1e-9)
    np.testing.assert_allclose(positions[:, 0], 0, atol=1e-9)


def test_turning_positions_match_hand_computation():
    a_v, a_w, dt = 0.5, 0.4, 0.1
    positions, task = run_constant([a_v, a_w], 6)
    v, w = 200 * a_v, math.radians(90) * a_w
    x, y, h = 0.0, 0.0, math.pi / 2
    expected = [(0.0, 0.0)]
    vel = (0.0, 0.0)
    for _ in range(6):
        x, y, h = x + vel[0] * math.cos(h) * dt, y + vel[0] * math.sin(h) * dt, h + vel[1] * dt
        vel = (v, w)
        expected.append((x, y))
    np.testing.assert_allclose(positions, expected, atol=1e-9)
    assert float(task.heading[0]) == pytest.approx(math.pi / 2 + 5 * w * dt)


def test_target_distribution_is_uniform_in_area_and_angle():
    targets = sample_targets(20_000, seed=1)
    r = np.hypot(targets[:, 0], targets[:, 1])
    angle = np.degrees(np.arctan2(targets[:, 0], targets[:, 1]))  # from +y, right positive
    assert r.min() >= 100
    assert r.max() <= 400
    assert np.abs(angle).max() <= 35
    assert stats.kstest((r**2 - 100**2) / (400**2 - 100**2), "uniform").pvalue > 0.01
    assert stats.kstest((angle + 35) / 70, "uniform").pvalue > 0.01
    # r itself is not uniform: the density grows with r
    assert stats.kstest((r - 100) / 300, "uniform").pvalue < 1e-6


def test_target_is_visible_for_the_first_four_inputs_only():
    task = FireflyTask(batch_size=3)
    obs, _ = task.reset(seed=0)
    seen = [bool((obs[:, 4:] != 0).all())]
    for _ in range(8):
        obs, *_ = task.step(torch.full((3, 2), 0.5))
        seen.append(bool((obs[:, 4:] != 0).any()))
    assert seen == [True, True, True, True, False, False, False, False, False]


def test_stop_counts_only_after_moving_and_is_judged_before_the_transition():
    task = FireflyTask(TaskConfig(process_noise=False, obs_noise=False))
    task.reset(options={"targets": [[0.0, 40.0]]})
    _, _, term, _, _ = task.step(torch.zeros(1, 2))
    assert not term.item()  # never moved yet: a zero action is not a stop
    task.step(torch.tensor([[1.0, 0.0]]))  # velocity 200 cm/s from now
    task.step(torch.tensor([[1.0, 0.0]]))  # moves 20 cm
    _, reward, term, trunc, info = task.step(torch.tensor([[0.05, -0.05]]))
    assert term.item()
    assert not trunc.item()
    assert info["distance_cm"].item() == pytest.approx(20.0, abs=1e-4)
    assert info["rewarded"].item()
    assert reward.item() == pytest.approx(10.0)
    assert info["pos_cm"][0, 1].item() == pytest.approx(20.0, abs=1e-4)  # no transition after stop
    # a finished trial is frozen
    _, reward, term, _, _ = task.step(torch.ones(1, 2))
    assert reward.item() == 0
    assert not term.item()
    assert task.pos[0, 1].item() * 400 == pytest.approx(20.0, abs=1e-4)


def test_trials_are_truncated_after_35_steps():
    task = FireflyTask(batch_size=2)
    task.reset(seed=0)
    truncs = []
    for _ in range(35):
        *_, trunc, info = task.step(torch.ones(2, 2))
        truncs.append(bool(trunc.all()))
    assert truncs == [False] * 34 + [True]
    assert bool(info["done"].all())


@pytest.mark.parametrize(
    ("distance", "expected"),
    [(0.0, 10.0), (64.9, 10.0), (65.0, 10 * math.exp(-65.0**2 / (2 * (65 / 1.5) ** 2))),
     (100.0, 10 * math.exp(-100.0**2 / (2 * (65 / 1.5) ** 2))), (400.0, 0.01)],
)
def test_mixed_reward_values(distance, expected):
    got = reward_for_distance(torch.tensor([distance], dtype=torch.float64), TaskConfig())
    assert got.item() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_gain_scales_velocity_and_noise(gain):
    n = 40_000
    task = FireflyTask(batch_size=n, dtype=torch.float64)
    obs, _ = task.reset(seed=0, options={"gain": gain})
    obs, *_ = task.step(torch.full((n, 2), 0.5))
    g_v, g_w = 0.5 * gain, math.radians(90) * gain
    vel = task.vel
    assert vel[:, 0].mean().item() == pytest.approx(0.5 * g_v, abs=4 * 0.2 * g_v / math.sqrt(n))
    assert vel[:, 1].mean().item() == pytest.approx(0.5 * g_w, abs=4 * 0.2 * g_w / math.sqrt(n))
    assert vel[:, 0].std().item() == pytest.approx(0.2 * g_v, rel=0.03)
    assert vel[:, 1].std().item() == pytest.approx(0.2 * g_w, rel=0.03)
    obs_err = obs[:, :2] - vel
    assert obs_err[:, 0].std().item() == pytest.approx(0.1 * g_v, rel=0.03)
    assert obs_err[:, 1].std().item() == pytest.approx(0.1 * g_w, rel=0.03)


def test_noise_switches_off():
    task = FireflyTask(TaskConfig(process_noise=False, obs_noise=False), batch_size=4)
    task.reset(seed=0)
    obs, *_ = task.step(torch.full((4, 2), 0.5))
    torch.testing.assert_close(task.vel, torch.tensor([[0.25, math.radians(45)]] * 4))
    torch.testing.assert_close(obs[:, :2], task.vel)


def test_per_trial_gain():
    task = FireflyTask(TaskConfig(process_noise=False, obs_noise=False))
    task.reset(options={"targets": np.ones((3, 2)) * 100, "gain": [1.0, 2.0, 4.0]})
    task.step(torch.ones(3, 2))
    np.testing.assert_allclose(task.vel[:, 0].numpy(), [0.5, 1.0, 2.0])


def test_same_seed_same_trials_and_different_seed_differs():
    def run(seed):
        task = FireflyTask(batch_size=5)
        obs, _ = task.reset(seed=seed)
        for _ in range(5):
            obs, *_ = task.step(torch.full((5, 2), 0.3))
        return torch.cat([task.target, task.pos, obs], dim=1)

    torch.testing.assert_close(run(7), run(7), rtol=0, atol=0)
    assert not torch.equal(run(7), run(8))


def test_perturbation_adds_a_velocity_bump():
    base = TaskConfig(process_noise=False, obs_noise=False)
    vels = {}
    for perturb in (False, True):
        task = FireflyTask(TaskConfig(**{**base.__dict__, "perturbation": perturb}), batch_size=64)
        task.reset(seed=0)
        trace = []
        for _ in range(20):
            task.step(torch.full((64, 2), 0.5))
            trace.append(task.vel.clone())
        vels[perturb] = torch.stack(trace)
    assert torch.allclose(vels[False], vels[False][0].expand_as(vels[False]))
    bump = (vels[True] - vels[False]).abs().amax(dim=0)
    assert (bump > 0.01).float().mean() > 0.9


def test_the_paper_perturbation_profile_by_hand():
    import math

    from navdecode import TaskConfig
    from navdecode.task.firefly import FireflyTask

    config = TaskConfig.perturbation_task(process_noise=False, obs_noise=False)
    task = FireflyTask(config, batch_size=2)
    task.reset(seed=0, options={"targets": [[0.0, 300.0], [0.0, 300.0]],
                                "perturbation": [[100.0, 60.0, 3], [-50.0, 0.0, 0]]})
    lin = []
    for _ in range(16):
        task.step(torch.tensor([[0.5, 0.0], [0.5, 0.0]]))
        lin.append(task.vel[:, 0].clone() * config.length_unit_cm)
    lin = torch.stack(lin).numpy()
    base = 0.5 * config.gain_lin_cm_s
    for t in range(16):  # step t's action sets the velocity after it
        for row, (peak, onset) in enumerate(((100.0, 3), (-50.0, 0))):
            since = t - onset
            bump = peak * math.exp(-0.5 * ((since - 5) / 2) ** 2) if 0 <= since <= 10 else 0.0
            assert lin[t, row] == pytest.approx(base + bump, abs=1e-3)


def test_perturbations_are_drawn_as_the_paper_draws_them():
    import numpy as np

    from navdecode import FireflyVectorEnv, TaskConfig

    env = FireflyVectorEnv(num_envs=4000, config=TaskConfig.perturbation_task(large=True),
                           gain=2.0)
    _, info = env.reset(seed=1)
    assert info["perturb_lin_cm_s"].min() >= -200
    assert info["perturb_lin_cm_s"].max() <= 800
    assert np.mean(info["perturb_lin_cm_s"]) == pytest.approx(300, abs=15)  # not gain-scaled
    assert set(np.unique(info["perturb_onset_step"])) == set(range(11))
    assert np.abs(info["perturb_ang_deg_s"]).max() <= 180
