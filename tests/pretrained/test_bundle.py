import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import needs_dask

from navdecode.pretrained.bundle import export_pretrained, list_pretrained, load_pretrained
from navdecode.training.config import TrainConfig
from navdecode.training.loop import train
from navdecode.training.sweeps import sweep

TINY = dict(n_trials_after_phase1=10, phase1_window=10, phase1_threshold=-1.0, validate_every=10,
            n_envs=5, learning_starts=10, n_validation=10)


@needs_dask
def test_sweep_trains_each_pair_then_skips_finished_runs(tmp_path):
    table = sweep(["modular", "holistic"], [0], tmp_path, n_workers=1, **TINY)
    assert table[["arch", "seed", "status"]].values.tolist() == [
        ["holistic", 0, "trained"], ["modular", 0, "trained"]]
    assert (tmp_path / "modular-seed0" / "done.json").exists()
    again = sweep(["modular", "holistic"], [0], tmp_path, n_workers=1, **TINY)
    assert set(again["status"]) == {"skipped"}


def test_sweep_rejects_empty_lists(tmp_path):
    with pytest.raises(ValueError, match="seeds"):
        sweep(["modular"], [], tmp_path)


def test_export_writes_actor_curve_and_manifest(tmp_path):
    run_dir = tmp_path / "modular-seed3"
    train(TrainConfig(arch="modular", seed=3, **TINY), run_dir, progress=False)
    (run_dir / "provenance.json").write_text(json.dumps(
        {"command": "navdecode train --seed 3", "commit": "abc", "machine": "test"}))
    path = export_pretrained(run_dir, dest=tmp_path / "bundle")
    assert path.name == "modular-seed3.pt"
    manifest = json.loads((tmp_path / "bundle" / "modular-seed3.json").read_text())
    assert manifest["command"] == "navdecode train --seed 3"
    assert manifest["phase1_trials"] == 10
    assert manifest["checkpoint_trial"] in (20,)
    assert set(manifest) >= {"best_reward_fraction_gain1x", "best_reward_fraction_gain4x",
                             "trials_to_0.9", "wall_time_s", "navdecode_commit"}
    assert manifest["navdecode_commit"] == "abc"
    assert manifest["navdecode_modified"] is None  # an older provenance without the flag
    curve = pd.read_csv(tmp_path / "bundle" / "modular-seed3-curve.csv")
    assert len(curve) == 8  # validations at trials 10 and 20, four gains each
    assert manifest["config"]["seed"] == 3  # the full resolved TrainConfig
    assert manifest["config"]["gamma"] == TrainConfig().gamma
    # never overwritten without being asked
    before = path.read_bytes()
    with pytest.raises(ValueError, match="refuses to overwrite"):
        export_pretrained(run_dir, dest=tmp_path / "bundle")
    assert path.read_bytes() == before
    export_pretrained(run_dir, dest=tmp_path / "bundle", force=True)
    with pytest.raises(ValueError, match="not a run folder"):
        export_pretrained(tmp_path / "nothing", dest=tmp_path / "bundle")


def test_export_defaults_outside_the_package(tmp_path, monkeypatch):
    from navdecode.pretrained.bundle import PRETRAINED_DIR

    bundled = (PRETRAINED_DIR / "modular-seed4.pt").read_bytes()
    run_dir = tmp_path / "modular-seed4"
    train(TrainConfig(arch="modular", seed=4, **TINY), run_dir, progress=False)
    monkeypatch.chdir(tmp_path)
    path = export_pretrained(run_dir)
    assert path.resolve() == (tmp_path / "pretrained" / "modular-seed4.pt").resolve()
    assert (PRETRAINED_DIR / "modular-seed4.pt").read_bytes() == bundled


def test_bundled_agents_load_offline():
    table = list_pretrained()
    if table.empty:
        pytest.skip("no pretrained agents bundled yet")
    for arch, seed in zip(table["arch"], table["seed"], strict=True):
        agent = load_pretrained(arch, int(seed))
        assert agent.arch == arch
        assert agent.metadata["seed"] == int(seed)


def test_load_pretrained_errors():
    with pytest.raises(ValueError, match="arch"):
        load_pretrained("hybrid", 0)
    with pytest.raises(ValueError, match="no bundled agent"):
        load_pretrained("modular", 999)


@needs_dask
def test_a_failing_run_leaves_the_healthy_ones_to_finish(tmp_path):
    # holistic seed 0 holds an unreadable state and no previous one: its resume fails
    broken = tmp_path / "holistic-seed0"
    broken.mkdir()
    (broken / "state.pt").write_bytes(b"garbage")
    table = sweep(["modular", "holistic"], [0], tmp_path, n_workers=2, progress=False,
                  poll_s=0.5, **TINY).set_index("arch")
    assert table.loc["modular", "status"] == "trained"
    assert (tmp_path / "modular-seed0" / "done.json").exists()
    assert table.loc["holistic", "status"] == "failed"
    assert "no readable training state" in table.loc["holistic", "error"]


def test_bundled_agents_record_their_full_config_and_share_one():
    from dataclasses import fields

    from navdecode.pretrained.bundle import PRETRAINED_DIR

    manifests = {p.stem: json.loads(p.read_text()) for p in PRETRAINED_DIR.glob("*.json")}
    names = {f.name for f in fields(TrainConfig)}
    for name, manifest in manifests.items():
        assert set(manifest["config"]) == names, name
        assert manifest["config"]["arch"] == manifest["arch"]
        assert manifest["config"]["seed"] == manifest["seed"]
    free = {"arch", "seed", "torch_threads", "device"}
    for field in names - free:
        values = {json.dumps(m["config"][field]) for m in manifests.values()}
        if field == "critic_action_history":
            # only the holistic critic's LSTM sees the action; for the modular critic both
            # values train the same agent bit for bit (test_action_history_leaves_...)
            values = {json.dumps(m["config"][field]) for m in manifests.values()
                      if m["arch"] == "holistic"}
        assert len(values) == 1, (field, values)


def test_training_keeps_each_checkpoints_critic_and_export_bundles_it(tmp_path):
    import torch

    from navdecode.agents.checkpoints import load_agent, load_critic
    from navdecode.agents.networks import make_agent
    from navdecode.training.runs import RunFolder

    run_dir = tmp_path / "modular-seed3"
    train(TrainConfig(arch="modular", seed=3, **TINY), run_dir, progress=False)
    folder = RunFolder(run_dir)
    for trial in (10, 20):  # one critic beside every actor checkpoint
        assert folder.checkpoint(trial).exists()
        assert folder.critic_checkpoint(trial).exists()
    # the kept critic is the one trained with the actor: the final state's, at trial 20
    final = make_agent("modular", seed=3)
    final.load_state_dict(folder.load_state().agent)
    kept = load_critic(make_agent("modular", seed=99), folder.critic_checkpoint(20))
    for (name, a), b in zip(final.critic.state_dict().items(),
                            kept.critic.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    export_pretrained(run_dir, dest=tmp_path / "bundle")
    bundled = tmp_path / "bundle" / "modular-seed3-critic.pt"
    assert bundled.read_bytes() == folder.critic_checkpoint(20).read_bytes()
    agent = load_critic(load_agent(tmp_path / "bundle" / "modular-seed3.pt"), bundled)
    assert torch.equal(next(iter(agent.critic.parameters())),
                       next(iter(final.critic.parameters())))
    with pytest.raises(ValueError, match="holds a critic of 'modular'"):
        load_critic(make_agent("holistic", seed=0), bundled)


def test_agents_bundled_before_critics_were_kept_say_so():
    with pytest.raises(ValueError, match="no critic file"):
        load_pretrained("modular", 0, critic=True)
    assert load_pretrained("modular", 0).arch == "modular"


def test_the_hybrid_bundle_and_its_critics():
    import torch

    table = list_pretrained()
    assert table.groupby("arch")["seed"].nunique().to_dict() == {
        "Actor1Critic5": 8, "Actor3Critic1": 6, "holistic": 8, "modular": 8}
    two = list_pretrained(archs=("modular", "holistic"))
    assert set(two["arch"]) == {"modular", "holistic"}
    assert len(two) == 16
    with_critic = table.loc[table["has_critic"], ["arch", "seed"]].values.tolist()
    assert with_critic == [["Actor1Critic5", 1], ["Actor1Critic5", 3], ["Actor3Critic1", 0],
                           ["Actor3Critic1", 3], ["Actor3Critic1", 4], ["Actor3Critic1", 5]]
    # the bundled critic is the one the run's final state holds beside the same actor (runs
    # exported before checkpoints kept their critic); later runs export the critic of the
    # selected checkpoint itself
    for arch, seed in with_critic:
        agent = load_pretrained(arch, seed, critic=True)
        assert agent.critic.trained
        final_path = (Path(__file__).parents[2] / "benchmarks" / "results" / "to-bundle"
                      / f"{arch}-seed{seed}-final-agent.pt")
        if not final_path.exists():
            assert (arch, seed) in {("Actor3Critic1", 4), ("Actor3Critic1", 5)}
            continue
        final = torch.load(final_path, weights_only=True)
        for name, value in agent.critic.state_dict().items():
            assert torch.equal(value, final["critic_dict"][name]), name
        for name, value in agent.actor.state_dict().items():
            assert torch.equal(value, final["actor_dict"][name]), name
    with pytest.raises(ValueError, match="no critic file"):
        load_pretrained("Actor1Critic5", 0, critic=True)
    with pytest.raises(TypeError, match="archs"):
        list_pretrained(archs="modular")
    with pytest.raises(ValueError, match="archs"):
        list_pretrained(archs=("modular", "hybrid"))
