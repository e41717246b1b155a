import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import needs_zarr

import navdecode as nd
from navdecode import load_dataset, make_agent, save_agent
from navdecode.cli import main


def test_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "navdecode.cli", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "evaluate" in out


def test_evaluate_fresh_agent(tmp_path, capsys):
    out = tmp_path / "run.nc"
    assert main(["evaluate", "--arch", "holistic", "--untrained", "--gain", "2",
                 "--n-trials", "20", "--out", str(out)]) == 0
    ds = load_dataset(out)
    assert ds.sizes["trial"] == 20
    assert float(ds.gain[0]) == 2.0
    assert ds.attrs["arch"] == "holistic"
    printed = capsys.readouterr().out
    assert "reward fraction" in printed
    assert "UNTRAINED" in printed  # a fresh network says what it is


def test_evaluate_a_bundled_agent_and_name_exactly_one(tmp_path, capsys):
    out = tmp_path / "bundled.nc"
    assert main(["evaluate", "--pretrained", "modular:0", "--n-trials", "20",
                 "--out", str(out)]) == 0
    assert "bundled modular seed 0" in capsys.readouterr().out
    assert load_dataset(out).attrs["checkpoint"] == "modular-seed0.pt"
    for argv in (["evaluate", "--arch", "modular", "--out", "x.nc"],
                 ["evaluate", "--pretrained", "modular:0", "--untrained", "--arch", "modular",
                  "--out", "x.nc"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "name one agent" in capsys.readouterr().err
    assert main(["evaluate", "--pretrained", "modular", "--out", str(out)]) == 2
    assert "ARCH:SEED" in capsys.readouterr().err


@needs_zarr
def test_evaluate_checkpoint_reads_arch(tmp_path):
    path = save_agent(make_agent("modular", seed=1), tmp_path / "m.pt")
    out = tmp_path / "run.zarr"
    assert main(["evaluate", "--checkpoint", str(path), "--n-trials", "5", "--out", str(out)]) == 0
    assert load_dataset(out).attrs["checkpoint"] == path.name  # no absolute paths


def test_bad_checkpoint_is_a_clean_error(tmp_path, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"junk")
    code = main(["evaluate", "--checkpoint", str(bad), "--out", str(tmp_path / "x.nc")])
    assert code == 2
    assert "bad.pt" in capsys.readouterr().err
    assert not (tmp_path / "x.nc").exists()


def test_train_export_and_report_from_the_command_line(tmp_path, capsys):
    run = tmp_path / "modular-seed0"
    args = ["train", "--arch", "modular", "--out", str(run), "--quiet",
            "--n-trials-after-phase1", "10", "--phase1-window", "10", "--phase1-threshold", "-1",
            "--validate-every", "10", "--n-envs", "5", "--learning-starts", "10",
            "--n-validation", "10", "--validation-gains", "1", "2"]
    assert main(args) == 0
    assert "phase I took 10 trials" in capsys.readouterr().out
    assert (run / "done.json").exists()
    facts = json.loads((run / "provenance.json").read_text())
    # called from Python (pytest), not as the navdecode command: the call is recorded
    assert facts["command"].startswith("navdecode.train(TrainConfig(arch='modular'")
    assert set(facts) == {"command", "commit", "package_modified", "machine"}
    assert facts["package_modified"] in (True, False, None)
    assert main(["status", str(run), str(tmp_path / "nothing")]) == 0
    out, err = capsys.readouterr()
    line = next(li for li in out.splitlines() if "modular-seed0" in li).split()
    last = pd.read_csv(run / "curve.csv").query("task == 'gain1x'").iloc[-1]
    assert line[:6] == ["modular-seed0", "modular", "0", "20", str(last["phase"]), "10"]
    assert line[6] == f"{last['reward_fraction']:.3f}"
    assert line[-1] == "True"
    assert "nothing: no training run here" in err
    assert main(["status", str(tmp_path / "nothing")]) == 1
    assert main(["export", str(run), "--dest", str(tmp_path / "bundle")]) == 0
    assert (tmp_path / "bundle" / "modular-seed0.pt").exists()
    code = main(["train", "--arch", "modular", "--out", str(run), "--quiet"])
    assert code == 2
    assert "resume" in capsys.readouterr().err


def test_decode_from_the_command_line(tmp_path, capsys):
    one, two = tmp_path / "g1.nc", tmp_path / "g2.nc"
    for gain, path in ((1, one), (2, two)):
        assert main(["evaluate", "--arch", "modular", "--untrained", "--gain", str(gain),
                     "--n-trials", "30",
                     "--out", str(path)]) == 0
    capsys.readouterr()
    out = tmp_path / "dec"
    assert main(["decode", str(one), "--n-splits", "3", "--out", str(out)]) == 0
    assert "protocol grouped" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["targets"] == ["pos_x", "pos_y"]
    assert set(summary["r2"]) == {"pos_x", "pos_y"}
    folds = (out / "folds.csv").read_text().splitlines()
    assert len(folds) == 1 + 3  # header + one row per fold
    assert (out / "error_by_step.csv").exists()

    assert main(["decode", str(one), "--targets", "heading", "--shuffle", "--n-splits",
                 "3"]) == 0
    assert "(control: shuffle)" in capsys.readouterr().out
    assert main(["decode", str(one), "--test-on", str(two)]) == 0
    assert "protocol cross" in capsys.readouterr().out
    for extra in (["--protocol", "paper"], ["--control", "time"], ["--control", "untrained"]):
        assert main(["decode", str(one), "--n-splits", "3", *extra]) == 0
        assert extra[1] in capsys.readouterr().out
    out2 = tmp_path / "two-units"
    assert main(["decode", str(one), "--targets", "heading", "vel_lin", "--n-splits", "3",
                 "--out", str(out2)]) == 0
    summary = json.loads((out2 / "summary.json").read_text())
    assert summary["error_units"] == {"heading": "rad", "vel_lin": "cm/s"}


def test_decode_bad_input_is_a_clean_error(tmp_path, capsys):
    path = tmp_path / "g1.nc"
    assert main(["evaluate", "--arch", "modular", "--untrained", "--n-trials", "10",
                 "--out", str(path)]) == 0
    capsys.readouterr()
    assert main(["decode", str(path), "--targets", "no_such_variable"]) == 2
    assert "no_such_variable" in capsys.readouterr().err
    assert main(["decode", str(tmp_path / "missing.nc")]) == 2
    assert "missing.nc" in capsys.readouterr().err


def test_the_readme_command_lines_parse_and_the_quick_ones_run(tmp_path, monkeypatch, capsys):
    import re
    import shlex
    from pathlib import Path

    from navdecode.cli import build_parser

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = readme.split("Command line (`navdecode --help`):")[1].split("```bash")[1]
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.split("```")[0].splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("navdecode ")]
    assert {c[0] for c in commands} >= {"evaluate", "decode", "train", "export", "report"}
    parser = build_parser()
    for argv in commands:
        parser.parse_args(argv)  # every option exists as written
    monkeypatch.chdir(tmp_path)
    for argv in commands[:2]:  # evaluate a bundled agent, decode its recording: as written
        assert main(argv) == 0
    assert "bundled modular seed 0" in capsys.readouterr().out


def test_ctrl_c_during_training_prints_the_resume_command(tmp_path, monkeypatch, capsys):
    import sys

    train_module = sys.modules["navdecode.training.loop"]  # the package's `train` is the function

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "train", interrupted)
    code = main(["train", "--arch", "modular", "--out", str(tmp_path / "run"), "--quiet"])
    assert code == 130
    err = capsys.readouterr().err
    assert "interrupted" in err
    assert "--resume" in err


def test_train_published_from_the_command_line_with_overrides(tmp_path):
    run = tmp_path / "pub"
    args = ["train", "--published", "--arch", "modular", "--out", str(run), "--quiet",
            "--n-trials-after-phase1", "4", "--phase1-window", "4", "--phase1-threshold", "-1",
            "--validate-every", "4", "--n-envs", "2", "--learning-starts", "4",
            "--n-validation", "5", "--validation-gains", "1", "--validation-obs-noise", "no"]
    assert main(args) == 0
    saved = json.loads((run / "config.json").read_text())["train"]
    assert saved["exploration"] == "published"
    assert saved["replay_sampling"] == "equal_length"
    assert saved["saturation_penalty"] == 0.0
    assert saved["n_envs"] == 2  # the options override the preset
    assert saved["validation_obs_noise"] is False
    with pytest.raises(SystemExit):
        main(["train", "--out", str(tmp_path / "x"), "--validation-obs-noise", "maybe"])


def test_train_that_gives_up_in_phase_one_says_so(tmp_path, capsys):
    args = ["train", "--arch", "modular", "--out", str(tmp_path / "run"), "--quiet",
            "--max-phase1-trials", "10", "--phase1-window", "10", "--phase1-threshold", "1",
            "--validate-every", "10", "--n-envs", "5", "--learning-starts", "10",
            "--n-validation", "5", "--validation-gains", "1"]
    assert main(args) == 0
    assert "phase I did not end within 10 trials (max_phase1_trials)" in capsys.readouterr().out


def test_no_command_replaces_an_earlier_output_unless_forced(tmp_path, capsys):
    rec = tmp_path / "run.nc"
    evaluate = ["evaluate", "--arch", "modular", "--untrained", "--n-trials", "12",
                "--out", str(rec)]
    assert main(evaluate) == 0
    before = rec.read_bytes()
    assert main([*evaluate[:-3], "20", "--out", str(rec)]) == 2
    assert "--force" in capsys.readouterr().err
    assert rec.read_bytes() == before
    assert main([*evaluate[:-3], "20", "--out", str(rec), "--force"]) == 0
    assert load_dataset(rec).sizes["trial"] == 20
    dec = tmp_path / "dec"
    assert main(["decode", str(rec), "--n-splits", "3", "--out", str(dec)]) == 0
    summary = (dec / "summary.json").read_text()
    assert main(["decode", str(rec), "--n-splits", "4", "--out", str(dec)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (dec / "summary.json").read_text() == summary
    assert main(["decode", str(rec), "--n-splits", "4", "--out", str(dec), "--force"]) == 0
    report = tmp_path / "report"
    argv = ["report", "--out", str(report), "--recordings", str(rec), "--quiet",
            "--analyses"]
    assert main(argv) == 0
    assert main(argv) == 2
    assert "--force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


def test_train_a_population_from_the_command_line(tmp_path, capsys):
    small = ["--quiet", "--n-trials-after-phase1", "4", "--phase1-window", "4",
             "--phase1-threshold", "-1", "--validate-every", "4", "--n-envs", "2",
             "--learning-starts", "4", "--n-validation", "5", "--validation-gains", "1"]
    args = ["train", "--population", "--archs", "modular", "Actor1Critic5", "--seeds", "0", "2",
            "--out", str(tmp_path / "pop"), *small]
    assert main(args) == 0
    out = capsys.readouterr().out
    names = ["modular-seed0", "modular-seed2", "Actor1Critic5-seed0", "Actor1Critic5-seed2"]
    for name in names:
        assert f"{name}: phase I took 4 trials" in out
        saved = json.loads((tmp_path / "pop" / name / "config.json").read_text())["train"]
        assert f"{saved['arch']}-seed{saved['seed']}" == name
    assert main([*args, "--resume"]) == 0  # finished members return at once
    assert main(["train", "--seeds", "1", "--out", str(tmp_path / "x"), *small]) == 2
    assert "add --population" in capsys.readouterr().err
    assert main(["train", "--stacked", "yes", "--out", str(tmp_path / "x"), *small]) == 2
    assert "add --population" in capsys.readouterr().err


def test_train_a_stacked_population_from_the_command_line(tmp_path, capsys):
    small = ["--quiet", "--n-trials-after-phase1", "4", "--phase1-window", "4",
             "--phase1-threshold", "-1", "--validate-every", "4", "--n-envs", "2",
             "--learning-starts", "4", "--n-validation", "5", "--validation-gains", "1"]
    args = ["train", "--population", "--stacked", "yes", "--archs", "Actor2Critic3",
            "--seeds", "0", "1", "--out", str(tmp_path / "pop"), *small]
    assert main(args) == 0
    out = capsys.readouterr().out
    for name in ("Actor2Critic3-seed0", "Actor2Critic3-seed1"):
        assert f"{name}: phase I took 4 trials" in out
        assert (tmp_path / "pop" / name / "done.json").exists()


def test_version_from_the_command_and_python_dash_m(capsys):
    from navdecode import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"navdecode {__version__}"
    out = subprocess.run([sys.executable, "-m", "navdecode", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == f"navdecode {__version__}"


def test_report_archs_picks_the_bundled_agents_of_those_architectures(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--archs", "Actor1Critic5", "--n-trials", "20",
                 "--gains", "1", "--analyses", "--quiet"]) == 0
    sessions = pd.read_csv(out / "sessions.csv")
    bundled = nd.list_pretrained(archs=["Actor1Critic5"])
    assert set(sessions["arch"]) == {"Actor1Critic5"}
    assert sorted(sessions["seed"]) == sorted(bundled["seed"])
    capsys.readouterr()
    assert main(["report", "--out", str(tmp_path / "r2"), "--archs", "Actor2Critic3"]) == 2
    assert "no bundled agent of ['Actor2Critic3']" in capsys.readouterr().err
    assert main(["report", "--out", str(tmp_path / "r3"), "--archs", "modular",
                 "--recordings", str(tmp_path / "x.nc")]) == 2
    assert "cannot be combined with --recordings" in capsys.readouterr().err
    assert not (tmp_path / "r2").exists()
