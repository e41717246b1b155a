import pandas as pd
import pytest
import torch

from navdecode import TrainConfig
from navdecode.training.loop import train
from navdecode.training.population import member_folders, train_population
from navdecode.training.runs import RunFolder

TINY = dict(n_trials_after_phase1=20, phase1_window=10, phase1_threshold=-1.0, validate_every=10,
            n_envs=5, learning_starts=10, n_validation=20, torch_threads=1)


def weights(folder):
    return RunFolder(folder).load_state().agent


def assert_same_run(a, b):
    pd.testing.assert_frame_equal(pd.read_csv(a / "curve.csv").drop(columns="wall_time_s"),
                                  pd.read_csv(b / "curve.csv").drop(columns="wall_time_s"))
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        assert torch.equal(wa[name], wb[name]), name


def test_each_member_is_the_run_train_makes_alone(tmp_path):
    configs = [TrainConfig(arch="modular", seed=3, **TINY),
               TrainConfig(arch="Actor3Critic1", seed=0, **TINY)]
    runs = train_population(configs, tmp_path / "pop", progress=False)
    assert [r.out_dir for r in runs] == member_folders(tmp_path / "pop", configs)
    assert [r.out_dir.name for r in runs] == ["modular-seed3", "Actor3Critic1-seed0"]
    for config, run in zip(configs, runs, strict=True):
        alone = train(config, tmp_path / f"alone-{run.out_dir.name}", progress=False)
        assert_same_run(run.out_dir, alone.out_dir)
        assert (run.out_dir / "done.json").exists()


def test_members_never_share_state(tmp_path):
    """Changing one member (another learning rate) leaves every other member as it was."""
    base = [TrainConfig(seed=s, **TINY) for s in (0, 1)]
    changed = [TrainConfig(seed=0, **{**TINY, "lr": 3e-3}), base[1]]
    first = train_population(base, tmp_path / "a", progress=False)
    second = train_population(changed, tmp_path / "b", progress=False)
    assert_same_run(first[1].out_dir, second[1].out_dir)
    w0, w0_changed = weights(first[0].out_dir), weights(second[0].out_dir)
    assert any(not torch.equal(w0[k], w0_changed[k]) for k in w0)  # the change took hold


def test_population_refuses_bad_members(tmp_path):
    with pytest.raises(ValueError, match="non-empty sequence"):
        train_population([], tmp_path)
    with pytest.raises(TypeError, match=r"configs\[1\] must be a TrainConfig"):
        train_population([TrainConfig(**TINY), {"seed": 1}], tmp_path)
    with pytest.raises(ValueError, match=r"\['modular-seed0'\] more than once"):
        train_population([TrainConfig(**TINY), TrainConfig(**TINY)], tmp_path)


@pytest.mark.slow
def test_a_killed_population_resumes_as_if_never_stopped(tmp_path, monkeypatch):
    import sys

    loop = sys.modules["navdecode.training.loop"]
    real = loop.validate
    configs = [TrainConfig(arch=a, seed=s, **{**TINY, "n_trials_after_phase1": 30})
               for a, s in (("modular", 0), ("holistic", 1))]
    full = train_population(configs, tmp_path / "full", progress=False)
    calls = {"n": 0}

    def dying(*args, **kwargs):  # killed as a process would be, at the 5th validation
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(loop, "validate", dying)
    with pytest.raises(KeyboardInterrupt):
        train_population(configs, tmp_path / "cut", progress=False)
    monkeypatch.setattr(loop, "validate", real)
    resumed = train_population(configs, tmp_path / "cut", resume=True, progress=False)
    for a, b in zip(full, resumed, strict=True):
        assert_same_run(a.out_dir, b.out_dir)
