"""The run folder and the training state: fallback, cleanup, Ctrl-C, provenance."""

import json
import signal
import sys

import pandas as pd
import pytest
import torch

from navdecode.pretrained.bundle import export_pretrained
from navdecode.training.config import TrainConfig
from navdecode.training.loop import train
from navdecode.training.runs import Progress, RunFolder, TrainingState, run_status

TINY = dict(n_trials_after_phase1=20, phase1_window=10, phase1_threshold=-1.0, validate_every=10,
            n_envs=5, learning_starts=10, n_validation=10, torch_threads=1)
COLS = ["episode", "phase", "trials_after_phase1", "reward_fraction", "error_distance"]
train_module = sys.modules["navdecode.training.loop"]  # the module that defines train


def test_training_state_round_trips_and_names_a_missing_part():
    progress = Progress(phase=2, trials=30, phase1_trials=10, curve=[{"episode": 10}],
                        recent=[True, False])
    parts = {k: torch.zeros(1) for k in ("agent", "target", "opt_actor", "opt_critic",
                                         "memory", "gen_task", "gen_noise", "gen_sample")}
    saved = TrainingState(progress=progress, **parts).to_dict()
    back = TrainingState.from_dict(saved)
    assert back.progress == progress
    assert back.progress.trials_after_phase1 == 20
    del saved["memory"]
    with pytest.raises(ValueError, match="lacks memory"):
        TrainingState.from_dict(saved)


def test_resume_falls_back_to_the_previous_state_when_the_newest_is_corrupt(tmp_path,
                                                                           kill_at_validation):
    config = TrainConfig(arch="modular", **TINY)
    full = train(config, tmp_path / "full", progress=False).curve
    cut = tmp_path / "cut"
    kill_at_validation(config, cut, 3)  # state.pt at 20, state.prev.pt at 10
    folder = RunFolder(cut)
    # a truncated newest state (a write cut short by the machine, a full disk)
    folder.state.write_bytes(folder.state.read_bytes()[:1000])
    with pytest.warns(RuntimeWarning, match=r"state\.pt could not be read.*state\.prev\.pt "
                                            r"\(trial 10\)"):
        state = folder.load_state()
    assert state.progress.trials == 10
    # resuming from trial 10 reproduces the uninterrupted run exactly
    with pytest.warns(RuntimeWarning, match="state.prev.pt"):
        resumed = train(config, cut, resume=True, progress=False).curve
    pd.testing.assert_frame_equal(resumed[COLS], full[COLS])


def test_no_readable_state_is_a_clear_error_naming_both_files(tmp_path):
    folder = RunFolder(tmp_path)
    folder.state.write_bytes(b"not a torch file")
    with pytest.raises(ValueError, match=r"no readable training state.*state\.pt: .*"
                                         r"state\.prev\.pt: missing"):
        folder.load_state()


def test_temporary_files_of_killed_writes_are_removed_at_the_next_start(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    stale = [run / ".state.pt.new.tmp", run / ".curve.csv.abc123.tmp",
             run / "checkpoints" / ".trial_000010.pt.x.tmp"]
    for p in stale:
        p.write_bytes(b"x" * 100)
    keep = run / "notes.tmp"  # not one of ours (no leading dot): left alone
    keep.write_text("mine")
    train(TrainConfig(arch="modular", **TINY), run, progress=False)
    assert not any(p.exists() for p in stale)
    assert keep.read_text() == "mine"


def test_ctrl_c_saves_the_state_and_resume_continues_exactly(tmp_path, monkeypatch):
    config = TrainConfig(arch="modular", **{**TINY, "n_trials_after_phase1": 30})
    full = train(config, tmp_path / "full", progress=False).curve
    real_validate = train_module.validate
    calls = {"n": 0}

    def validate_then_ctrl_c(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # Ctrl-C arrives during the validation at trial 20
            signal.raise_signal(signal.SIGINT)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(train_module, "validate", validate_then_ctrl_c)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        with pytest.raises(KeyboardInterrupt):
            train(config, tmp_path / "cut", progress=False)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, before)
    folder = RunFolder(tmp_path / "cut")
    # the loop finished the validation and checkpoint of trial 20, then saved and stopped
    assert folder.load_state().progress.trials == 20
    assert folder.checkpoint(20).exists()
    assert not folder.is_done()
    monkeypatch.setattr(train_module, "validate", real_validate)
    resumed = train(config, tmp_path / "cut", resume=True, progress=False).curve
    pd.testing.assert_frame_equal(resumed[COLS], full[COLS])
    # the resume is recorded beside the first start: its trial, command and commit
    facts = json.loads(folder.provenance.read_text())
    assert [r["trial"] for r in facts["resumes"]] == [20]
    assert set(facts["resumes"][0]) == {"trial", "command", "commit", "package_modified",
                                        "machine"}
    assert facts["resumes"][0]["commit"] == facts["commit"]
    manifest_path = export_pretrained(folder.path, dest=tmp_path / "bundle")
    manifest = json.loads(manifest_path.with_suffix(".json").read_text())
    assert manifest["resumes"] == facts["resumes"]


def test_train_writes_its_own_provenance_and_config(tmp_path):
    run = tmp_path / "run"
    train(TrainConfig(arch="modular", **TINY), run, progress=False)
    facts = json.loads((run / "provenance.json").read_text())
    assert set(facts) == {"command", "commit", "package_modified", "machine"}
    assert facts["command"].startswith("navdecode.train(TrainConfig(")
    assert json.loads((run / "config.json").read_text())["train"]["seed"] == 0
    assert RunFolder(run).is_done()


def test_run_status_reads_a_hand_written_folder(tmp_path):
    empty = run_status(tmp_path / "none")
    assert (empty["trials"], empty["phase"], empty["phase1_trials"], empty["finished"]) == (
        0, 1, None, False)
    assert empty["arch"] is None
    assert pd.isna(empty["reward_fraction_1x"])

    folder = RunFolder(tmp_path / "run")
    folder.start({"train": {"arch": "holistic", "seed": 6}}, "navdecode train ...")
    rows = [  # episode, phase, trials_after_phase1, task, reward_fraction, error, saturated,
        (500, 1, -1, "gain1x", 0.0, 300.0, 0.5, 0.6, 10.0),  # pinned, wall
        (500, 1, -1, "gain2x", 0.0, 320.0, 0.5, 0.6, 10.0),
        (1000, 2, 240, "gain1x", 0.95, 90.0, 0.0, 0.1, 20.0),
        (1000, 2, 240, "gain2x", 0.99, 80.0, 0.0, 0.1, 20.0),
        (1500, 3, 740, "gain1x", 0.9, 40.0, 0.25, 0.125, 30.0),
        (1500, 3, 740, "gain2x", 0.3, 150.0, 0.25, 0.125, 30.0)]
    folder.write_curve(pd.DataFrame(rows, columns=[
        "episode", "phase", "trials_after_phase1", "task", "reward_fraction",
        "error_distance", "actor_saturated", "actor_pinned", "wall_time_s"]))
    status = run_status(folder.path)
    # phase I took 1000 - 240 = 760 trials; the 1x rows alone count for the results
    assert status == {"run": "run", "arch": "holistic", "seed": 6, "trials": 1500, "phase": 3,
                      "phase1_trials": 760, "reward_fraction_1x": 0.9, "error_cm_1x": 40.0,
                      "best_reward_fraction_1x": 0.95, "actor_saturated": 0.25,
                      "actor_pinned": 0.125,
                      "wall_s": 30.0, "idle_s": status["idle_s"], "finished": False}
    assert 0 <= status["idle_s"] < 60
    folder.finish({})
    assert run_status(folder.path)["finished"] is True


def test_a_run_started_with_ctrl_c_ignored_keeps_ignoring_it(tmp_path, monkeypatch):
    config = TrainConfig(arch="modular", **TINY)
    real_validate = train_module.validate

    def validate_then_ctrl_c(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(train_module, "validate", validate_then_ctrl_c)
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as under nohup ... &
    try:
        run = train(config, tmp_path / "run", progress=False)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
    assert RunFolder(tmp_path / "run").is_done()
    assert run.curve["episode"].max() == 30
