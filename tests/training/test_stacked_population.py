import json

import pandas as pd
import pytest
import torch

from navdecode import TrainConfig
from navdecode.task.config import TaskConfig
from navdecode.training.learner import Learner, update_alone
from navdecode.training.population import train_population
from navdecode.training.replay import Batch
from navdecode.training.runs import RunFolder
from navdecode.training.stacked import StackedAdam, StackedMembers

TINY = dict(n_trials_after_phase1=20, phase1_window=10, phase1_threshold=-1.0, validate_every=10,
            n_envs=5, learning_starts=10, n_validation=20, torch_threads=1)
CPU = torch.device("cpu")


def random_batch(gen, t, b=16):
    lengths = torch.randint(2, t + 1, (b,), generator=gen)
    lengths[0] = t
    steps = torch.arange(t)
    mask = (steps[:, None] < lengths[None]).float()
    dones = (steps[:, None] == lengths[None] - 1).float()
    return Batch(torch.randn(t, b, 6, generator=gen) * mask[..., None],
                 (torch.rand(t, b, 2, generator=gen) * 2 - 1) * mask[..., None],
                 torch.rand(t, b, generator=gen) * mask, dones, mask)


def learners(arch, seeds, **fields):
    return [Learner(TrainConfig(arch=arch, seed=s, **fields), TaskConfig(), CPU) for s in seeds]


def max_difference(a, b):
    worst = 0.0
    for x, y in ((a.agent, b.agent), (a.target, b.target)):
        for p, q in zip(x.parameters(), y.parameters(), strict=True):
            worst = max(worst, float((p - q).detach().abs().max()))
    for x, y in ((a.opt_actor, b.opt_actor), (a.opt_critic, b.opt_critic)):
        sx, sy = x.state_dict()["state"], y.state_dict()["state"]
        assert sx.keys() == sy.keys()
        for k in sx:
            assert float(sx[k]["step"]) == float(sy[k]["step"])
            for moment in ("exp_avg", "exp_avg_sq"):
                worst = max(worst, float((sx[k][moment] - sy[k][moment]).abs().max()))
    return worst


@pytest.mark.parametrize("arch", ["holistic", "modular", "Actor2Critic2", "Actor1Critic4"])
def test_a_stacked_update_equals_each_members_own_update(arch):
    """Ten updates of three members, some sitting rounds out, one actor delayed, one at
    the phase-III learning rate: weights, targets and Adam states within 1e-5."""
    alone, together = learners(arch, (0, 1, 2)), learners(arch, (0, 1, 2))
    for group in (alone, together):
        group[2].set_lr(5e-5)
    update, stack = update_alone(alone), StackedMembers(together)
    gen = torch.Generator().manual_seed(0)
    for u in range(10):
        members = [k for k in range(3) if u < 2 or (u + k) % 3]
        batches = [random_batch(gen, int(torch.randint(5, 20, (1,), generator=gen)))
                   for _ in members]
        actor_too = [(u + k) % 2 == 0 for k in members]
        update(members, batches, actor_too)
        stack.update(members, batches, actor_too)
    stack.write_back()
    for a, b in zip(alone, together, strict=True):
        assert max_difference(a, b) < 1e-5
        fresh = learners(arch, (a.config.seed,))[0].agent
        assert any(not torch.allclose(p, q, atol=1e-4)  # it trained
                   for p, q in zip(a.agent.parameters(), fresh.parameters(), strict=True))


def test_stacked_members_never_share_state():
    """A member whose weights and batches change leaves the other members bit for bit."""
    first, second = learners("Actor3Critic1", (0, 1, 2)), learners("Actor3Critic1", (0, 1, 2))
    with torch.no_grad():
        second[0].agent.actor.l1.weight.mul_(2.0)
    stacks = [StackedMembers(first), StackedMembers(second)]
    gen = torch.Generator().manual_seed(1)
    for u in range(3):
        batches = [random_batch(gen, 12) for _ in range(3)]
        changed = [random_batch(gen, 12), *batches[1:]]
        for stack, bs in zip(stacks, (batches, changed), strict=True):
            stack.update([0, 1, 2], bs, [True, u % 2 == 0, True])
            stack.write_back()
    assert max_difference(first[0], second[0]) > 1e-3
    for a, b in zip(first[1:], second[1:], strict=True):
        assert max_difference(a, b) == 0.0


def test_stacked_adam_is_torch_adam_member_by_member():
    gen = torch.Generator().manual_seed(2)
    params = [torch.randn(3, 4, 5, generator=gen), torch.randn(3, 7, generator=gen)]
    stacked = StackedAdam([p.clone().requires_grad_() for p in params], eps=1.5e-4)
    alone = [[p[k].clone().requires_grad_() for p in params] for k in range(3)]
    opts = [torch.optim.Adam(ps, lr=lr, eps=1.5e-4) for ps, lr in zip(alone, (3e-4, 1e-3, 5e-5),
                                                                      strict=True)]
    lr = torch.tensor([3e-4, 1e-3, 5e-5])
    for step in range(6):
        grads = [torch.randn(p.shape, generator=gen) for p in params]
        members = torch.tensor([True, step % 2 == 0, step > 2])
        for p, g in zip(stacked.params, grads, strict=True):
            p.grad = g
        stacked.step(lr, members)
        for k in range(3):
            if members[k]:
                for p, g in zip(alone[k], grads, strict=True):
                    p.grad = g[k]
                opts[k].step()
    for k in range(3):
        for p_stacked, p in zip(stacked.params, alone[k], strict=True):
            torch.testing.assert_close(p_stacked[k].detach(), p.detach(), atol=1e-7, rtol=1e-6)
    reread = StackedAdam([p.detach().clone() for p in stacked.params], eps=1.5e-4)
    reread.read(opts)
    for a, b in zip(reread.exp_avg_sq, stacked.exp_avg_sq, strict=True):
        torch.testing.assert_close(a, b)
    assert [float(s) for s in reread.steps[0]] == [6.0, 3.0, 3.0]


def curves(runs):
    return [pd.read_csv(r.out_dir / "curve.csv").drop(columns="wall_time_s") for r in runs]


def counters(run_dir):
    progress = json.loads(RunFolder(run_dir).load_state().to_dict()["scalars"])
    return {k: progress[k] for k in ("phase", "trials", "phase1_trials", "updates",
                                     "env_steps")}


def test_a_stacked_population_trains_the_members_the_separate_one_does(tmp_path):
    configs = [TrainConfig(arch="holistic", seed=s, **TINY) for s in (0, 1)] + [
        TrainConfig(arch="modular", seed=0, **TINY)]
    separate = train_population(configs, tmp_path / "separate", progress=False)
    stacked = train_population(configs, tmp_path / "stacked", progress=False, stacked=True)
    for a, b, ca, cb in zip(separate, stacked, curves(separate), curves(stacked), strict=True):
        assert a.out_dir.name == b.out_dir.name
        assert counters(a.out_dir) == counters(b.out_dir)
        pd.testing.assert_frame_equal(ca, cb, atol=1e-4, rtol=1e-4)
        wa, wb = (RunFolder(r.out_dir).load_state().agent for r in (a, b))
        assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) < 1e-5
        assert (b.out_dir / "done.json").exists()


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"stacked": "yes"}, TypeError, "stacked must be a bool or None"),
])
def test_train_population_refuses_a_bad_stacked(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_population([TrainConfig(**TINY)], tmp_path, **kwargs)


def test_a_stack_refuses_members_of_other_settings():
    members = [*learners("modular", (0,)), *learners("modular", (1,), lr=1e-3)]
    with pytest.raises(ValueError, match="share their TrainConfig apart from seed"):
        StackedMembers(members)


@pytest.mark.slow
def test_a_killed_stacked_population_resumes_where_it_stopped(tmp_path, monkeypatch):
    import sys

    loop = sys.modules["navdecode.training.loop"]
    real = loop.validate
    configs = [TrainConfig(arch="Actor3Critic1", seed=s, **{**TINY, "n_trials_after_phase1": 30})
               for s in (0, 1)]
    full = train_population(configs, tmp_path / "full", progress=False, stacked=True)
    calls = {"n": 0}

    def dying(*args, **kwargs):  # killed as a process would be, at the 4th validation, so the
        calls["n"] += 1  # two members stop one collection apart
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "validate", dying)
    with pytest.raises(KeyboardInterrupt):
        train_population(configs, tmp_path / "cut", progress=False, stacked=True)
    monkeypatch.setattr(loop, "validate", real)
    assert {counters(tmp_path / "cut" / r.out_dir.name)["trials"] for r in full} == {20, 10}
    resumed = train_population(configs, tmp_path / "cut", resume=True, progress=False,
                               stacked=True)
    for a, b, ca, cb in zip(full, resumed, curves(full), curves(resumed), strict=True):
        assert counters(a.out_dir) == counters(b.out_dir)
        pd.testing.assert_frame_equal(ca, cb, atol=1e-4, rtol=1e-4)
